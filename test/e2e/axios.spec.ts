import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tab } from './drivers/index.js';
import { expect, JSON_CONFIG, login, seenAt, test } from './fixtures.js';

/**
 * A real client: axios (its browser build sends with XMLHttpRequest), served to the harness page.
 * Through the worker it gets the token and the 401 replay without knowing; for uploads with
 * `onUploadProgress` the app lists an `upload` prefix and sets the header itself.
 */

const HARNESS = fileURLToPath(new URL('./harness/index.html', import.meta.url));
// axios's exports map hides dist/; its browser build sits beside package.json.
const AXIOS = path.join(path.dirname(createRequire(import.meta.url).resolve('axios/package.json')), 'dist', 'axios.min.js');

test.use({ serverOptions: { static: { '/': HARNESS, '/axios.js': AXIOS } } });

interface AxiosLike {
  request(config: Record<string, unknown>): Promise<{ status: number; data: unknown }>;
}

declare global {
  interface Window {
    axios: AxiosLike;
  }
}

/** Loads axios's browser build into the tab as `window.axios`. */
function loadAxios(page: Tab): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const script = document.createElement('script');
        script.src = '/axios.js';
        script.onload = () => resolve();
        script.onerror = () => reject(new Error('axios did not load'));
        document.head.append(script);
      }),
  );
}

test('axios through the worker: every method carries the token, and a revoked token is refreshed and replayed', async ({
  openTab,
  server,
  serviceWorkersBlocked,
}) => {
  test.skip(serviceWorkersBlocked, 'page mode wraps window.fetch only: XMLHttpRequest (axios) never gets the token there');
  const page = await openTab();
  await login(page);
  await loadAxios(page);
  const statuses = await page.evaluate(async () => {
    const out: Record<string, number> = {};
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PROPFIND']) {
      out[method] = (
        await window.axios.request({ url: `/api/method/${method}`, method, data: method === 'GET' ? undefined : { a: 1 } })
      ).status;
    }
    return out;
  });
  expect(statuses).toEqual({ GET: 200, POST: 200, PUT: 200, DELETE: 200, OPTIONS: 200, PROPFIND: 200 });
  for (const method of Object.keys(statuses))
    expect(seenAt(server, `/api/method/${method}`), method).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });

  server.revokeAccessTokens();
  server.resetCounters();
  const me = await page.evaluate(async () => (await window.axios.request({ url: '/api/me' })).data as { sub: string });
  expect(me.sub).toBe('demo');
  expect(server.counters.refreshCalls).toBe(1);
  expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 2, withoutAuthorization: 0 });
});

test('axios onUploadProgress fires for an upload under an upload prefix, with the page-set token', async ({ openTab, server }) => {
  const page = await openTab({ ...JSON_CONFIG, upload: ['/api/echo'] });
  await login(page);
  await loadAxios(page);
  const result = await page.evaluate(async () => {
    const body = new Uint8Array(1024 * 1024);
    const progress: { loaded: number; total: number | undefined }[] = [];
    const response = await window.axios.request({
      url: '/api/echo',
      method: 'POST',
      data: new Blob([body]),
      headers: { Authorization: `Bearer ${await window.auth.accessToken()}` },
      onUploadProgress: (event: { loaded: number; total?: number }) => progress.push({ loaded: event.loaded, total: event.total }),
    });
    return { status: response.status, length: (response.data as { length: number }).length, progress };
  });
  expect(result.status).toBe(200);
  expect(result.length).toBe(1024 * 1024);
  expect(result.progress.length).toBeGreaterThanOrEqual(1);
  expect(result.progress.at(-1)).toEqual({ loaded: 1024 * 1024, total: 1024 * 1024 });
  expect(seenAt(server, '/api/echo')).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
});
