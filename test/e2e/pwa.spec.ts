import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { PlaywrightTab, type BrowserSession, type Tab } from './drivers/index.js';
import { buildPwa } from '../../demo/pwa/build.mjs';
import { loginAsDemo } from './fixture-apps.js';
import { WORKER_NETWORK_ERROR, apiFetch, chromiumOnly, expect, seenAt, test as base, waitForStatus } from './fixtures.js';

/**
 * The PWA example (demo/pwa): the app's own worker — Workbox precaching of the shell, an
 * offline page — with sw-auth-proxy composed into it by createAuthProxy. Built once per test
 * worker process into a temp dir and served at /pwa/ next to the reference API.
 */

let pwaDir = '';
let shellUrls: string[] = [];
let tempDir = '';

base.beforeAll(async () => {
  tempDir = await mkdtemp(path.join(tmpdir(), 'sw-auth-proxy-pwa-'));
  ({ outDir: pwaDir, precached: shellUrls } = await buildPwa({ outDir: path.join(tempDir, 'pwa') }));
});

base.afterAll(async () => {
  if (tempDir !== '') await rm(tempDir, { recursive: true, force: true });
});

const test = base.extend({
  serverOptions: async ({}, use) => {
    await use({ staticDirs: [{ prefix: '/pwa/', dir: pwaDir }] });
  },
});

/** Opens the PWA and waits for its registerAuthProxy() to resolve. */
async function openPwa(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => window.auth !== undefined);
}

/** The same in a tab of any engine. */
async function openPwaTab(session: BrowserSession, url: string): Promise<Tab> {
  const tab = await session.newTab();
  await tab.goto(url);
  await tab.waitForFunction(() => window.auth !== undefined);
  return tab;
}

test.describe('PWA example: Workbox precaching + offline page + sw-auth-proxy in one worker', () => {
  test('online: the composed worker controls the app, precaches its shell, and authenticates its API calls', async ({
    session,
    server,
  }) => {
    const page = await openPwaTab(session, `${server.url}/pwa/`);
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${server.url}/pwa/sw.js`);

    const precached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      }
      return urls.sort();
    });
    expect(shellUrls).toEqual(expect.arrayContaining(['/pwa/index.html', '/pwa/offline.html']));
    expect(shellUrls.some((url) => url.startsWith('/pwa/assets/') && url.endsWith('.js'))).toBe(true);
    expect(precached).toEqual([...shellUrls].sort());

    expect(await loginAsDemo(page)).toBe('authenticated');
    expect(await apiFetch(page, '/api/me')).toMatchObject({ status: 200, body: { sub: 'demo' } });
    expect(server.counters.loginCalls).toBe(1);
    expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
    expect(server.counters.requestsWithoutAuthorization).toBe(0); // every API request went through our route
  });

  test.describe('offline', () => {
    chromiumOnly(
      "drives the offline shell with Playwright's page and context.setOffline, the only offline emulation that reaches the worker",
    );
    // The API call made offline fails in the worker too, which passes the network error on
    // (its respondWith rejects), as the page would see it without a worker.
    test.use({ expectedPageErrors: WORKER_NETWORK_ERROR });

    test('offline the cached shell loads and other pages get the offline page; back online the session is still there', async ({
      context,
      page,
      server,
    }) => {
      await openPwa(page, `${server.url}/pwa/`);
      server.knobs.accessTtl = 0; // the access token is expired from the start: the next API call needs a refresh
      expect(await loginAsDemo(page)).toBe('authenticated');
      server.knobs.accessTtl = 300;

      await context.setOffline(true);
      await page.reload();
      await page.waitForFunction(() => window.auth !== undefined);
      await expect(page.locator('h1')).toHaveText('PWA shell');
      expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated'); // from the worker's vault

      // An API call offline: the refresh cannot reach the server. The session is paused, not ended.
      expect((await apiFetch(new PlaywrightTab(page), '/api/me').catch(() => ({ status: 0 }))).status).toBe(0);
      await waitForStatus(new PlaywrightTab(page), 'offline');

      await page.goto(`${server.url}/pwa/elsewhere.html`);
      await expect(page.locator('h1')).toHaveText('You are offline');
      await openPwa(page, `${server.url}/pwa/`);
      await expect(page.locator('#status')).toHaveText('offline'); // the reloaded shell still knows the session
      expect(server.counters.refreshCalls).toBe(0); // nothing reached the server while offline

      await context.setOffline(false); // the page's `online` event asks the worker to refresh
      await waitForStatus(new PlaywrightTab(page), 'authenticated');
      expect(await apiFetch(new PlaywrightTab(page), '/api/me')).toMatchObject({ status: 200, body: { sub: 'demo' } });
      expect(server.counters.loginCalls).toBe(1); // no new login
      expect(server.counters.refreshCalls).toBe(1);
      expect(server.counters.refreshSuccess).toBe(1);
      expect(server.counters.reuseDetections).toBe(0);
      expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
    });
  });
});
