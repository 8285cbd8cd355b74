import { startServer } from '../../demo/server/server.js';
import { apiFetch, expect, login, seenAt, test } from './fixtures.js';

test('a request to another origin never carries the token', async ({ openTab, server }) => {
  const other = await startServer({ testHooks: true, cors: true });
  try {
    const page = await openTab();
    await login(page);
    expect((await apiFetch(page, '/api/me')).status).toBe(200);

    const result = await apiFetch(page, `${other.url}/api/me`);
    expect(result.status).toBe(401);
    expect(other.counters.requestsWithAuthorization).toBe(0);
    expect(other.counters.requestsWithoutAuthorization).toBe(1);
    expect(seenAt(server, '/api/me').withAuthorization).toBe(1);
  } finally {
    await other.close();
  }
});

test('requests outside the api prefixes, and requests with their own Authorization, are left alone', async ({ openTab, server }) => {
  const page = await openTab({ api: ['/api/me'], capture: ['/api/auth/login'], refresh: { url: '/api/auth/refresh' } });
  await login(page);
  expect((await apiFetch(page, '/api/ping')).status).toBe(401);
  expect(seenAt(server, '/api/ping')).toEqual({ withAuthorization: 0, withoutAuthorization: 1 });

  const own = await page.evaluate(async () => (await fetch('/api/me', { headers: { Authorization: 'Bearer app-own-token' } })).status);
  expect(own).toBe(401);
  expect(server.counters.unauthorizedSent).toBe(2);
  expect((await apiFetch(page, '/api/me')).status).toBe(200);
});

test('a prefix matches at a path-segment boundary: /api/me covers /api/me?x, never /api/method', async ({ openTab, server }) => {
  const page = await openTab({ api: ['/api/me'], capture: ['/api/auth/login'], refresh: { url: '/api/auth/refresh' } });
  await login(page);
  expect((await apiFetch(page, '/api/me?fields=sub')).status).toBe(200);
  expect((await apiFetch(page, '/api/method/GET')).status).toBe(401);
  // Resolved by the browser to /api/method/GET before the worker sees it.
  expect((await apiFetch(page, '/api/me/../method/GET')).status).toBe(401);
  expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
  expect(seenAt(server, '/api/method/GET')).toEqual({ withAuthorization: 0, withoutAuthorization: 2 });
});
