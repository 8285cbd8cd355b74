import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { build } from 'vite';
import { resolveConfig } from '../../src/core/config.js';
import { routeFor } from '../../src/core/routing.js';
import { staticRoutes, type RoutePattern, type RouterRule } from '../../src/core/static-routes.js';
import { PlaywrightTab } from './drivers/index.js';
import { FORM_CONFIG, apiFetch, chromiumOnly, expect, seenAt, test as base, waitForStatus, type Server } from './fixtures.js';

/**
 * Static routing (InstallEvent.addRoutes): the prebuilt worker sends everything outside its API
 * prefixes and capture URLs straight to the network, so navigations and static assets never
 * reach its fetch handler. The observable is the worker's own record of the fetch events it
 * received (harness/counting-sw.js wraps the prebuilt worker), checked to come from one worker
 * instance so no event can hide in a restart. The form config captures /oauth/token, which lies
 * outside the /api/ prefix, so a capture reaching the worker is not just an API request doing so.
 * A composed worker (composed-sw/sw.ts, built here) gets static routes only when it asks.
 */

/** TypeScript's DOM lib has no URLPattern yet; the test uses the browser's, in the page. */
declare const URLPattern: new (input: string | RoutePattern) => { test(url: string): boolean };

chromiumOnly(
  "the Static Routing API exists only in Chromium, and the spec reads the worker's own fetch log with Playwright's page API; its fallback where the API is missing is simulated there too",
);

const COUNTING_WORKER = fileURLToPath(new URL('./harness/counting-sw.js', import.meta.url));
const HARNESS = fileURLToPath(new URL('./harness/index.html', import.meta.url));
const CONFIG = FORM_CONFIG;

let composedDir = '';

base.beforeAll(async () => {
  composedDir = await mkdtemp(path.join(tmpdir(), 'sw-auth-proxy-composed-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    // workbox reads process.env.NODE_ENV; a classic worker has no process.
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir: composedDir,
      emptyOutDir: true,
      target: 'es2022',
      lib: {
        entry: fileURLToPath(new URL('./composed-sw/sw.ts', import.meta.url)),
        formats: ['iife'],
        name: 'composedWorker',
        fileName: () => 'composed-sw.js',
      },
    },
  });
});

base.afterAll(async () => {
  if (composedDir !== '') await rm(composedDir, { recursive: true, force: true });
});

const test = base.extend({
  serverOptions: async ({}, use) => {
    await use({
      static: { '/': HARNESS, '/counting-sw.js': COUNTING_WORKER, '/composed-sw.js': path.join(composedDir, 'composed-sw.js') },
    });
  },
});

interface FetchLog {
  instance: string;
  routingApi: boolean;
  seen: { url: string; mode: string; method: string }[];
}

/** The fetch events the controlling worker instance has received so far. */
function fetchLog(page: Page): Promise<FetchLog> {
  return page.evaluate(
    () =>
      new Promise<FetchLog>((resolve, reject) => {
        const worker = navigator.serviceWorker.controller;
        if (worker === null) return reject(new Error('the page is not controlled'));
        const { port1, port2 } = new MessageChannel();
        port1.onmessage = (event: MessageEvent<FetchLog>) => resolve(event.data);
        worker.postMessage({ type: 'test:fetch-log' }, [port2]);
      }),
  );
}

/** Opens the harness at `at` and registers `worker` (a counting one). */
async function openApp(page: Page, server: Server, at: string, worker: string): Promise<void> {
  await page.goto(`${server.url}${at}`);
  await page.waitForFunction(() => 'swAuthProxy' in window);
  await page.evaluate(
    async ({ config, worker }) => {
      window.auth = await window.swAuthProxy.registerAuthProxy({ config, worker });
    },
    { config: CONFIG, worker },
  );
}

/** Logs in the way an OAuth app does without the control API: a page fetch to the capture URL. */
async function loginByFetch(page: Page): Promise<{ status: number; keys: string[] }> {
  return page.evaluate(async (clientId) => {
    const response = await fetch('/oauth/token', {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', username: 'demo', password: 'demo', client_id: clientId }),
    });
    return { status: response.status, keys: Object.keys(await response.json()) };
  }, CONFIG.clientId ?? '');
}

/**
 * One app session: first visit (install, capture login), then a later navigation that loads the
 * page and its script, a static asset fetched by script, an API call, and a navigation to the
 * capture URL. Returns what the worker's fetch handler saw after the first visit.
 */
async function session(page: Page, server: Server, worker: string): Promise<{ log: FetchLog; paths: (mode: string) => string[] }> {
  await openApp(page, server, '/', worker);
  const login = await loginByFetch(page);
  expect(login.status).toBe(200);
  expect(login.keys).toContain('access_token');
  expect(login.keys).not.toContain('refresh_token');
  await waitForStatus(new PlaywrightTab(page), 'authenticated');
  const before = await fetchLog(page);
  expect(before.seen).toContainEqual({ url: `${server.url}/oauth/token`, mode: 'cors', method: 'POST' });

  await openApp(page, server, '/?visit=2', worker);
  expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
  expect(await page.evaluate(async () => (await fetch('/sw-auth-proxy.browser.js?asset')).status)).toBe(200);
  expect(await apiFetch(new PlaywrightTab(page), '/api/me')).toMatchObject({ status: 200, body: { sub: 'demo' } });
  expect(seenAt(server, '/api/me').withAuthorization).toBe(1);
  await page.goto(`${server.url}/oauth/token?from=navigation`);
  await page.goto(`${server.url}/?visit=3`);

  const after = await fetchLog(page);
  // One worker instance throughout, so its record is complete.
  expect(after.instance).toBe(before.instance);
  const log = { ...after, seen: after.seen.slice(before.seen.length) };
  const paths = (mode: string): string[] =>
    log.seen.filter((entry) => entry.mode === mode).map((entry) => new URL(entry.url).pathname + new URL(entry.url).search);
  return { log, paths };
}

/** Skips the test where the browser has no Static Routing API (after a first visit with `worker`, which reports it). */
async function requireRoutingApi(page: Page, server: Server, worker: string): Promise<void> {
  await openApp(page, server, '/', worker);
  test.skip(
    !(await fetchLog(page)).routingApi,
    'this engine has no Static Routing API (InstallEvent.addRoutes): the tests without it cover it',
  );
}

/** The session's navigations and static assets skipped the worker; its API call and captures reached it. */
async function expectStaticRouting(page: Page, { log, paths }: Awaited<ReturnType<typeof session>>): Promise<void> {
  expect(paths('navigate')).toEqual(['/oauth/token?from=navigation']);
  expect(paths('cors')).toContain('/api/me');
  expect(log.seen.map((entry) => new URL(entry.url).pathname)).not.toContain('/sw-auth-proxy.browser.js');
  // Where the browser reports it (Resource Timing), its own account agrees: the page came from the network by a static route.
  const source = await page.evaluate(() => {
    const entry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming & { workerMatchedSourceType?: string };
    return entry.workerMatchedSourceType;
  });
  if (source !== undefined) expect(source).toBe('network');
}

/** Every request of the session reached the worker's fetch handler. */
function expectEverythingThrough({ paths }: Awaited<ReturnType<typeof session>>): void {
  expect(paths('navigate')).toEqual(['/?visit=2', '/oauth/token?from=navigation', '/?visit=3']);
  expect(paths('cors')).toEqual(expect.arrayContaining(['/sw-auth-proxy.browser.js', '/sw-auth-proxy.browser.js?asset', '/api/me']));
}

test('with static routing, navigations and static assets skip the worker; API and capture requests reach it', async ({ page, server }) => {
  await requireRoutingApi(page, server, '/counting-sw.js');
  const result = await session(page, server, '/counting-sw.js');
  await expectStaticRouting(page, result);
  // The API request, and the start-up probe the worker answers itself (src/page/interception.ts).
  expect(result.paths('cors').sort()).toEqual(['/api/me', '/sw-auth-proxy-probe']);
});

test('without the Static Routing API, every request reaches the worker and the app works the same', async ({ page, server }) => {
  expectEverythingThrough(await session(page, server, '/counting-sw.js?routing=unavailable'));
});

test.describe('a composed worker (createAuthProxy)', () => {
  test('has no static routes by default: every request reaches its fetch handler', async ({ page, server }) => {
    expectEverythingThrough(await session(page, server, '/composed-sw.js?variant=off'));
  });

  test('with staticRoutes: true, navigations and static assets skip it', async ({ page, server }) => {
    await requireRoutingApi(page, server, '/composed-sw.js?variant=option');
    await expectStaticRouting(page, await session(page, server, '/composed-sw.js?variant=option'));
  });

  test('merges authProxyRoutes(config) after its own rules, whose requests still reach its fetch handler', async ({ page, server }) => {
    const worker = '/composed-sw.js?variant=merged';
    await requireRoutingApi(page, server, worker);
    const result = await session(page, server, worker);
    await expectStaticRouting(page, result);
    expect(await page.evaluate(async () => (await fetch('/app-route/hello')).text())).toBe('from the app worker');
    const log = await fetchLog(page);
    expect(log.instance).toBe(result.log.instance);
    expect(log.seen.map((entry) => new URL(entry.url).pathname)).toContain('/app-route/hello');
  });
});

test("the rules' URL patterns, read by the browser's URLPattern, send every request the worker handles to it", async ({ page, server }) => {
  await page.goto(`${server.url}/`);
  test.skip(!(await page.evaluate(() => 'URLPattern' in globalThis)), 'this engine has no URLPattern');
  // Prefixes with URL pattern syntax in them must match literally.
  const config = resolveConfig(
    { api: ['/api(v1)/a:b/', '/data+*/', 'https://api.example:8443/v1/'], capture: ['/oauth/token'] },
    server.url,
    {
      allowCrossOriginApi: true,
    },
  );
  const requests = [
    ['/api(v1)/a:b/users?page=2', 'cors'],
    ['/api(v1)/a:b/users', 'navigate'],
    ['/api(v1)/a:bc', 'cors'],
    ['/apiv1/a:b/users', 'cors'],
    ['/data+*/x', 'same-origin'],
    ['/datax/x', 'cors'],
    ['https://api.example:8443/v1/me', 'cors'],
    ['https://api.example/v1/me', 'cors'],
    ['/oauth/token?x=1', 'cors'],
    ['/oauth/token?code=abc', 'navigate'],
    ['/oauth/tokens', 'cors'],
    ['/app.js', 'cors'],
    ['/', 'navigate'],
    ['/logo.png', 'no-cors'],
  ].map(([path, mode]) => ({ url: new URL(path as string, server.url).href, mode: mode as RequestMode }));
  // The Service Workers spec's Get Router Source, for the conditions these rules use, with the page's URLPattern.
  const sources = await page.evaluate(
    ({ rules, requests }) => {
      const pick = (request: { url: string; mode: string }): string => {
        const matches = (condition: RouterRule['condition']): boolean => {
          if (condition.or !== undefined) return condition.or.some(matches);
          if (condition.not !== undefined) return !matches(condition.not);
          if (condition.requestMode !== undefined && condition.requestMode !== request.mode) return false;
          return condition.urlPattern === undefined || new URLPattern(condition.urlPattern).test(request.url);
        };
        const source = rules.find((rule) => matches(rule.condition))?.source ?? 'fetch-event';
        return typeof source === 'string' ? source : 'cache';
      };
      return requests.map(pick);
    },
    { rules: staticRoutes(config), requests },
  );
  // Everything the worker handles reaches it (a capture by any method, an API request with any).
  for (const [index, request] of requests.entries()) {
    const handled = ['GET', 'POST'].some(
      (method) => routeFor({ ...request, method, headers: new Headers(), destination: '' }, config) !== 'pass',
    );
    if (handled) expect(sources[index], request.url).toBe('fetch-event');
  }
  // And nothing else, but navigations to a capture URL (a capture may arrive as a navigation).
  expect(sources).toEqual([
    'fetch-event',
    'network',
    'network',
    'network',
    'fetch-event',
    'network',
    'fetch-event',
    'network',
    'fetch-event',
    'fetch-event',
    'network',
    'network',
    'network',
    'network',
  ]);
});
