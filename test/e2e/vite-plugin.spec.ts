import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build, createServer, type ViteDevServer } from 'vite';
import { playwrightPage, type BrowserSession, type Tab } from './drivers/index.js';
import { startServer } from '../../demo/server/server.js';
import { freshApp, loginAsDemo } from './fixture-apps.js';
import { apiFetch, expect, seenAt, test, type Server } from './fixtures.js';

/**
 * The Vite plugin on a fresh Vite app (test/e2e/fixtures-apps/vite-app): its vite.config.js
 * has the one plugin line, its main.js the one `registerAuthProxy()` line. The app is copied
 * to a temp dir with node_modules/sw-auth-proxy linked to this repository (as `npm install
 * ../sw-auth-proxy` would), so `sw-auth-proxy/vite` is the built dist/vite.js, resolved
 * through package.json "exports" exactly as in a user's app.
 */

/** What the fixture's vite.config.js bakes in. */
const BAKED = {
  api: ['/api/'],
  capture: ['/api/auth/login'],
  refresh: { url: '/api/auth/refresh', format: 'json' },
  logout: { url: '/api/auth/logout' },
  refreshAhead: 30,
};

/** Opens the app and waits for its `registerAuthProxy()` to resolve. */
async function openApp(session: BrowserSession, origin: string): Promise<Tab> {
  const page = await session.newTab();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.auth !== undefined);
  return page;
}

/**
 * The config the page's controlling worker runs with, read from inside that worker: Chromium
 * only (Playwright's worker.evaluate, CDP). Elsewhere the behaviour the tests check (no config
 * in the page, yet login, refresh and the api prefixes follow the baked one) is the proof.
 */
async function expectBakedConfig(session: BrowserSession, tab: Tab): Promise<void> {
  if (session.engine !== 'chromium') return;
  expect(await bakedConfigOfController(playwrightPage(tab))).toEqual(BAKED);
}

async function bakedConfigOfController(page: import('@playwright/test').Page): Promise<unknown> {
  const scriptURL = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
  const worker = page
    .context()
    .serviceWorkers()
    .find((candidate) => candidate.url() === scriptURL);
  if (worker === undefined) throw new Error(`no service worker with URL ${scriptURL}`);
  return worker.evaluate(() => (self as unknown as { __SW_AUTH_PROXY_CONFIG__?: unknown }).__SW_AUTH_PROXY_CONFIG__);
}

test.describe('Vite plugin (sw-auth-proxy/vite)', () => {
  test('vite build emits the worker with its config baked in; the built app logs in and its API calls are authenticated', async ({
    session,
  }) => {
    const app = await freshApp('vite-app', ['vite']);
    const outDir = path.join(app.root, 'dist');
    let server: Server | undefined;
    try {
      await build({
        root: app.root,
        configFile: path.join(app.root, 'vite.config.js'),
        logLevel: 'warn',
        build: { outDir, emptyOutDir: true },
      });
      const emitted = await readFile(path.join(outDir, 'auth-proxy-sw.js'), 'utf8');
      expect(emitted.split('\n', 1)[0]).toContain('__SW_AUTH_PROXY_CONFIG__');

      // Serve the build output as it is. The reference server maps /auth-proxy-sw.js to this
      // repository's unbaked dist/ by default, so that path is pointed at the output too.
      server = await startServer({
        accessTtl: 300,
        staticDirs: [{ prefix: '/', dir: outDir }],
        static: { '/auth-proxy-sw.js': path.join(outDir, 'auth-proxy-sw.js') },
      });
      const page = await openApp(session, server.url);
      expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${server.url}/auth-proxy-sw.js`);
      // The page passed no config, so login (capture) and refresh can only come from the baked one.
      expect(await loginAsDemo(page)).toBe('authenticated');
      expect(await apiFetch(page, '/api/me')).toMatchObject({ status: 200, body: { sub: 'demo' } });
      server.revokeAccessTokens();
      expect((await apiFetch(page, '/api/me')).status).toBe(200); // 401 → refresh at the baked URL → replay
      expect(server.counters.loginCalls).toBe(1);
      expect(server.counters.refreshCalls).toBe(1);
      expect(seenAt(server, '/api/me').withAuthorization).toBe(3);
      expect(seenAt(server, '/api/me').withoutAuthorization).toBe(0);
      await expectBakedConfig(session, page);
    } finally {
      await server?.close();
      await app.cleanup();
    }
  });

  test('a baked worker ignores ?config=: registering it with another config cannot change its api prefixes', async ({ session }) => {
    const app = await freshApp('vite-app', ['vite']);
    const outDir = path.join(app.root, 'dist');
    let server: Server | undefined;
    try {
      await build({
        root: app.root,
        configFile: path.join(app.root, 'vite.config.js'),
        logLevel: 'warn',
        build: { outDir, emptyOutDir: true },
      });
      server = await startServer({
        accessTtl: 300,
        staticDirs: [{ prefix: '/', dir: outDir }],
        static: { '/auth-proxy-sw.js': path.join(outDir, 'auth-proxy-sw.js') },
      });
      const page = await openApp(session, server.url);

      // Script in the page registers the same worker with a URL config that would send the
      // token only to /api/ping. A new script URL is a new worker version; it takes control.
      const hostile = { api: ['/api/ping'], capture: ['/api/auth/login'], refresh: { url: '/api/auth/refresh' } };
      const hostileUrl = `${server.url}/auth-proxy-sw.js?config=${encodeURIComponent(JSON.stringify(hostile))}`;
      await page.evaluate(async (url) => {
        const changed = new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
        await navigator.serviceWorker.register(url, { updateViaCache: 'none' });
        await changed;
      }, hostileUrl);
      expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(hostileUrl);

      expect(await loginAsDemo(page)).toBe('authenticated');
      expect((await apiFetch(page, '/api/me')).status).toBe(200);
      expect((await apiFetch(page, '/api/ping')).status).toBe(200);
      // /api/me is outside the URL config's prefixes: it got the token because the baked
      // api prefix (/api/) is what the worker runs with.
      expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
      expect(seenAt(server, '/api/ping')).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
      await expectBakedConfig(session, page);
    } finally {
      await server?.close();
      await app.cleanup();
    }
  });

  test('vite dev serves the baked worker; with /api and /oauth proxied to the API server, login and authenticated calls work', async ({
    session,
  }) => {
    const app = await freshApp('vite-app', ['vite']);
    let server: Server | undefined;
    let vite: ViteDevServer | undefined;
    try {
      server = await startServer({ accessTtl: 300 });
      vite = await createServer({
        root: app.root,
        configFile: path.join(app.root, 'vite.config.js'),
        logLevel: 'warn',
        server: {
          host: '127.0.0.1',
          port: 0,
          strictPort: false,
          proxy: { '/api': server.url, '/oauth': server.url },
        },
      });
      await vite.listen();
      const origin = vite.resolvedUrls?.local[0]?.replace(/\/$/, '');
      if (origin === undefined) throw new Error('vite dev server has no local URL');

      const served = await (await fetch(`${origin}/auth-proxy-sw.js`)).text();
      expect(served.split('\n', 1)[0]).toBe(`self.__SW_AUTH_PROXY_CONFIG__ = JSON.parse(${JSON.stringify(JSON.stringify(BAKED))});`);

      const page = await openApp(session, origin);
      expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${origin}/auth-proxy-sw.js`);
      expect(await loginAsDemo(page)).toBe('authenticated');
      expect(await apiFetch(page, '/api/me')).toMatchObject({ status: 200, body: { sub: 'demo' } });
      expect(server.counters.loginCalls).toBe(1);
      expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
      await expectBakedConfig(session, page);
    } finally {
      await vite?.close();
      await server?.close();
      await app.cleanup();
    }
  });
});
