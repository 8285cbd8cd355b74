import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createServer, type ViteDevServer } from 'vite';
import { startServer } from '../../demo/server/server.js';
import { freshApp, loginAsDemo } from './fixture-apps.js';
import { apiFetch, chromiumOnly, expect, seenAt, test, type Server, type Tab } from './fixtures.js';

/**
 * sw-auth-proxy composed into a vite-plugin-pwa `injectManifest` worker, on a fresh app
 * (test/e2e/fixtures-apps/pwa-app, the recipe in docs/vite-pwa-section.md): the app's own
 * src/sw.js calls createAuthProxy, then Workbox precaching. The app is copied to a temp dir
 * with node_modules/sw-auth-proxy linked to this repository (as `npm install ../sw-auth-proxy`
 * would) and its other dependencies linked to this repository's copies, so every import
 * resolves through package.json "exports" exactly as in a user's app.
 */

const FIXTURE_APP = fileURLToPath(new URL('./fixtures-apps/pwa-app/', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const RECIPE_HEADING = '#### With vite-plugin-pwa (injectManifest)';

/** The app's own dependencies besides sw-auth-proxy (its package.json devDependencies). */
const LINKED = ['vite', 'vite-plugin-pwa', 'workbox-core', 'workbox-precaching'];

/** Opens the app and waits for its `registerAuthProxy()` to resolve. */
async function openApp(tab: Tab, url: string): Promise<void> {
  await tab.goto(url);
  await tab.waitForFunction(() => window.auth !== undefined);
}

/** Every URL path in Workbox's precache (the caches named `workbox-precache-…`), sorted. */
function precachedPaths(tab: Tab): Promise<string[]> {
  return tab.evaluate(async () => {
    const paths: string[] = [];
    for (const name of await caches.keys()) {
      if (!name.startsWith('workbox-precache-')) continue;
      for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
    }
    return paths.sort();
  });
}

/** Builds a fresh copy of the app, serves the build from the reference server, and cleans both up. */
async function withBuiltApp(run: (server: Server, outDir: string) => Promise<void>): Promise<void> {
  const app = await freshApp('pwa-app', LINKED);
  const outDir = path.join(app.root, 'dist');
  let server: Server | undefined;
  try {
    await build({ root: app.root, configFile: path.join(app.root, 'vite.config.js'), logLevel: 'warn' });
    server = await startServer({ accessTtl: 300, staticDirs: [{ prefix: '/', dir: outDir }] });
    await run(server, outDir);
  } finally {
    await server?.close();
    await app.cleanup();
  }
}

/** Logs in and checks that API calls are authenticated and a 401 is refreshed and replayed, counted at the server. */
async function expectAuthenticatedApi(tab: Tab, server: Server): Promise<void> {
  expect(await loginAsDemo(tab)).toBe('authenticated');
  expect(await apiFetch(tab, '/api/me')).toMatchObject({ status: 200, body: { sub: 'demo' } });
  expect(server.counters.loginCalls).toBe(1);
  expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
  server.revokeAccessTokens();
  expect((await apiFetch(tab, '/api/me')).status).toBe(200); // 401 → refresh → replay, in the composed worker
  expect(server.counters.refreshCalls).toBe(1);
  expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 3, withoutAuthorization: 0 });
}

/** The README recipe's `js` code blocks, by the file named in their first line (`// src/sw.js`). */
async function recipeSnippets(): Promise<Map<string, string>> {
  const readme = await readFile(README, 'utf8');
  const start = readme.indexOf(RECIPE_HEADING);
  expect(start, `README.md has a "${RECIPE_HEADING}" section`).toBeGreaterThanOrEqual(0);
  const rest = readme.slice(start + RECIPE_HEADING.length);
  const recipe = rest.slice(0, rest.search(/^#{1,4} /m) === -1 ? undefined : rest.search(/^#{1,4} /m));
  const snippets = new Map<string, string>();
  for (const [, file, code] of recipe.matchAll(/^```js\n\/\/ (\S+)\n([\s\S]*?)^```$/gm)) {
    snippets.set(file ?? '', code ?? '');
  }
  return snippets;
}

test.describe('vite-plugin-pwa injectManifest worker with sw-auth-proxy composed in', () => {
  test("the recipe's snippets are the fixture app's files, so the tests below run what the recipe says", async () => {
    const snippets = await recipeSnippets();
    expect([...snippets.keys()].sort()).toEqual(['src/main.js', 'src/sw.js', 'vite.config.js']);
    for (const [file, code] of snippets) {
      // The fixture's files differ only by the first line (no typecheck in this repository)
      // and, in main.js, by exposing the client to the test at the end.
      const fixture = (await readFile(path.join(FIXTURE_APP, file), 'utf8')).replace(/^\/\/ @ts-nocheck[^\n]*\n/, '');
      expect(fixture, `${file} in the recipe`).toBe(file === 'src/main.js' ? `${code}\nwindow.auth = auth; // for the test\n` : code);
    }
  });

  test('vite build: the worker precaches the shell and authenticates API calls', async ({ session }) => {
    await withBuiltApp(async (server, outDir) => {
      const worker = await readFile(path.join(outDir, 'sw.js'), 'utf8');
      // vite-plugin-pwa replaced the injection point with the manifest, and defined NODE_ENV
      // for Workbox: no reference to `process` is left in the classic worker script.
      expect(worker).not.toContain('self.__WB_MANIFEST');
      expect(worker).not.toContain('process.env');

      const tab = await session.newTab();
      await openApp(tab, `${server.url}/`);
      expect(await tab.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${server.url}/sw.js`);
      const precached = await precachedPaths(tab);
      expect(precached).toContain('/index.html');
      const entry = await tab.evaluate(() => document.querySelector<HTMLScriptElement>('script[type=module][src]')?.src);
      expect(entry).toBeDefined();
      expect(precached).toContain(new URL(entry ?? '').pathname);
      await expectAuthenticatedApi(tab, server);
    });
  });

  test.describe('offline', () => {
    chromiumOnly("needs context.setOffline, the only offline emulation that reaches the worker's own fetches");

    test('vite build, offline: the shell loads from the precache and the session is still there', async ({ context, session }) => {
      await withBuiltApp(async (server) => {
        const tab = await session.newTab();
        await openApp(tab, `${server.url}/`);
        await expectAuthenticatedApi(tab, server);

        // The shell (HTML and the script that registers the proxy) comes from the precache now.
        await context.setOffline(true);
        await openApp(tab, `${server.url}/`);
        expect(await tab.evaluate(() => window.auth.state.status)).toBe('authenticated'); // from the worker's vault
        await context.setOffline(false);
        expect(await apiFetch(tab, '/api/me')).toMatchObject({ status: 200, body: { sub: 'demo' } });
        expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 4, withoutAuthorization: 0 });
        expect(server.counters.loginCalls).toBe(1);
        expect(server.counters.refreshCalls).toBe(1);
      });
    });
  });

  test("vite dev: vite-plugin-pwa's module dev worker (/dev-sw.js?dev-sw) runs the proxy; with /api proxied, API calls are authenticated", async ({
    session,
  }) => {
    const app = await freshApp('pwa-app', LINKED);
    let server: Server | undefined;
    let vite: ViteDevServer | undefined;
    // A vite build earlier in this worker process (this file's, vite-plugin.spec's) left
    // NODE_ENV=production (Vite sets it when it is unset): the dev server would then build the
    // app as production (import.meta.env.DEV false), which registers the build's /sw.js.
    const nodeEnv = process.env.NODE_ENV;
    delete process.env.NODE_ENV;
    try {
      server = await startServer({ accessTtl: 300 });
      vite = await createServer({
        root: app.root,
        configFile: path.join(app.root, 'vite.config.js'),
        logLevel: 'warn',
        server: { host: '127.0.0.1', port: 0, strictPort: false, proxy: { '/api': server.url } },
      });
      await vite.listen();
      const origin = vite.resolvedUrls?.local[0]?.replace(/\/$/, '');
      if (origin === undefined) throw new Error('vite dev server has no local URL');
      // The dev worker is src/sw.js as an ES module (its imports left in): only a worker
      // registered with type 'module' can run it.
      expect(await (await fetch(`${origin}/dev-sw.js?dev-sw`)).text()).toMatch(/^import \{ createAuthProxy \} from /m);

      const tab = await session.newTab();
      await openApp(tab, `${origin}/`);
      expect(await tab.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${origin}/dev-sw.js?dev-sw`);
      expect(await loginAsDemo(tab)).toBe('authenticated');
      expect(await apiFetch(tab, '/api/me')).toMatchObject({ status: 200, body: { sub: 'demo' } });
      expect(server.counters.loginCalls).toBe(1);
      expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
      // optimizeDeps.entries lists src/sw.js: the worker's dependencies were optimized at
      // start-up, so its first load did not re-optimize them and reload the page (a reload
      // would make this document's navigation a 'reload').
      expect(
        await tab.evaluate(() => performance.getEntriesByType('navigation').map((entry) => (entry as PerformanceNavigationTiming).type)),
      ).toEqual(['navigate']);
    } finally {
      await vite?.close();
      await server?.close();
      await app.cleanup();
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
  });
});
