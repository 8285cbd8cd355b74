import { test as base, expect } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import type { AuthProxyConfig, SessionStatus } from '../../src/page/index.js';
import { startServer } from '../../demo/server/server.js';
import { EngineHost, PlaywrightSession, type BrowserSession, type Engine, type Tab } from './drivers/index.js';

export { expect };
export type { BrowserSession, Engine, Tab };
export type Server = Awaited<ReturnType<typeof startServer>>;

const HARNESS = fileURLToPath(new URL('./harness/index.html', import.meta.url));

/** Refresh as JSON against the app's own endpoints. */
export const JSON_CONFIG: AuthProxyConfig = {
  api: ['/api/'],
  capture: ['/api/auth/login'],
  refresh: { url: '/api/auth/refresh', format: 'json' },
  logout: { url: '/api/auth/logout' },
  refreshAhead: 30,
};

/** RFC 6749 token endpoint: password grant login, §6 refresh, RFC 7009 revocation. */
export const FORM_CONFIG: AuthProxyConfig = {
  api: ['/api/'],
  capture: ['/oauth/token'],
  refresh: { url: '/oauth/token', format: 'form' },
  clientId: 'demo-spa',
  logout: { url: '/oauth/revoke' },
  refreshAhead: 30,
};

export const CONFIGS = { json: JSON_CONFIG, form: FORM_CONFIG } as const;

type ServerOptions = NonNullable<Parameters<typeof startServer>[0]>;

/** The options a project sets in playwright.config.ts. */
export type ProjectOptions = {
  /** The engine this project runs in. */
  engine: Engine;
  /** Service workers cannot run in this project: registerAuthProxy falls back to page mode. */
  serviceWorkersBlocked: boolean;
};

type WorkerFixtures = ProjectOptions & { engineHost: EngineHost };

type Fixtures = {
  /** Extra options for the reference server, e.g. `test.use({ serverOptions: { clockOffset: 600 } })`. */
  serverOptions: ServerOptions;
  server: Server;
  /** The test calls `session.stopWorkers()`: Firefox then needs a browser with a short worker idle timeout. */
  stoppableWorkers: boolean;
  /** Page errors this test provokes on purpose (a pattern); any other one fails it. */
  expectedPageErrors: RegExp | null;
  /** A fresh browser profile in the project's engine; every tab a test opens lives in it. */
  session: BrowserSession;
  /** Opens a tab on the harness page with the proxy registered as `window.auth`. */
  openTab: (config?: AuthProxyConfig) => Promise<Tab>;
};

export const test = base.extend<Fixtures, WorkerFixtures>({
  engine: ['chromium', { option: true, scope: 'worker' }],
  serviceWorkersBlocked: [false, { option: true, scope: 'worker' }],
  engineHost: [
    async ({ serviceWorkersBlocked }, use) => {
      const host = new EngineHost(serviceWorkersBlocked);
      await use(host);
      await host.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  // Playwright's own browser, context and page exist only in Chromium projects, and are the
  // session's: a Chromium-only step then acts on the same tabs. Elsewhere they fail loudly
  // instead of quietly launching a Chromium.
  browser: [
    async ({ engine, engineHost }, use) => {
      if (engine !== 'chromium') throw new Error(`Playwright's browser is Chromium-only here; this project runs ${engine}`);
      await use(await engineHost.chromium());
    },
    { scope: 'worker' },
  ],
  context: async ({ session }, use) => {
    if (!(session instanceof PlaywrightSession))
      throw new Error(`Playwright's context is Chromium-only here; this project runs ${session.engine}`);
    await use(session.context);
  },
  serverOptions: [{}, { option: true }],
  server: async ({ serverOptions }, use) => {
    const server = await startServer({
      testHooks: true,
      accessTtl: 300,
      ...serverOptions,
      static: { '/': HARNESS, ...serverOptions.static },
    });
    await use(server);
    await server.close();
  },
  stoppableWorkers: [false, { option: true }],
  expectedPageErrors: [null, { option: true }],
  session: async ({ engine, engineHost, serviceWorkersBlocked, stoppableWorkers, expectedPageErrors }, use, testInfo) => {
    const session = await engineHost.session(engine, { serviceWorkersBlocked, stoppableWorkers });
    testInfo.annotations.push({ type: 'browser', description: session.version });
    try {
      await use(session);
      const unexpected = (await session.errors()).filter((error) => !expectedPageErrors?.test(error));
      expect(unexpected, 'errors reported in the page (uncaught, or a service worker failure)').toEqual([]);
    } finally {
      await session.close();
    }
  },
  openTab: async ({ session, server }, use) => {
    await use((config = JSON_CONFIG) => openTab(session, server, config));
  },
});

/**
 * Skips the tests that follow (in this file or describe block) in the given engines, each
 * with its reason: for what an engine cannot do, never silently.
 */
export function skipIn(reasons: Partial<Record<Engine, string>>): void {
  for (const [engine, reason] of Object.entries(reasons)) test.skip(({ engine: current }) => current === engine, reason);
}

/** The tests that follow need Playwright's Chromium-only API; `reason` says which part. */
export function chromiumOnly(reason: string): void {
  test.skip(({ engine }) => engine !== 'chromium', reason);
}

/**
 * A worker passing a network failure on, as each engine reports it to the page: its respondWith
 * rejects with the fetch's TypeError, or (Firefox) the response it relays breaks mid-body. A
 * test that makes a request fail on purpose expects it.
 */
export const WORKER_NETWORK_ERROR =
  /net::ERR_FAILED|respondWith\(\) that rejected with ‘TypeError: NetworkError|respondWith received an error: TypeError: Load failed|A ServiceWorker intercepted the request and encountered an unexpected error/;

/** Stopping a service worker: Chromium on demand (CDP), Firefox once idle; WebKit cannot. */
export const CANNOT_STOP_WORKERS = {
  webkit: 'WebKit cannot stop a service worker from outside: WebDriver has no command for it and WebKitGTK no idle-timeout setting',
};

async function openTab(session: BrowserSession, server: Server, config: AuthProxyConfig): Promise<Tab> {
  const tab = await session.newTab();
  await tab.goto(`${server.url}/`);
  await tab.waitForFunction(() => 'swAuthProxy' in window);
  await tab.evaluate(async (config) => {
    window.auth = await window.swAuthProxy.registerAuthProxy({ config });
  }, config);
  return tab;
}

/** Logs in through `auth.login`, with the body the config's capture endpoint expects. */
export async function login(page: Tab, config: AuthProxyConfig = JSON_CONFIG): Promise<void> {
  const form = config.refresh?.format === 'form';
  const status = await page.evaluate(
    async ({ form, clientId }) => {
      const body = form
        ? new URLSearchParams({ grant_type: 'password', username: 'demo', password: 'demo', client_id: clientId ?? '' })
        : { username: 'demo', password: 'demo' };
      return (await window.auth.login(body)).status;
    },
    { form, clientId: config.clientId ?? null },
  );
  expect(status).toBe('authenticated');
}

/**
 * Logs in with an access token that is already expired (the server issues it with a lifetime of
 * 0 s), so the next request needs a refresh; tokens issued after it live 300 s.
 */
export async function loginWithExpiredToken(page: Tab, server: Server, config: AuthProxyConfig = JSON_CONFIG): Promise<void> {
  server.knobs.accessTtl = 0;
  await login(page, config);
  server.knobs.accessTtl = 300;
}

export interface ApiResult {
  status: number;
  body: unknown;
}

/** `fetch` from page script, exactly as an app would call it: no Authorization header. */
export function apiFetch(page: Tab, url: string, init: { method?: string } = {}): Promise<ApiResult> {
  return page.evaluate(
    async ({ url, init }) => {
      const response = await fetch(url, init);
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Keep the text.
      }
      return { status: response.status, body };
    },
    { url, init },
  );
}

/** Waits until the tab's mirrored session state has `status`. */
export async function waitForStatus(page: Tab, status: SessionStatus): Promise<void> {
  await page.waitForFunction((status) => window.auth.state.status === status, status);
}

/** Requests to `path` the server saw with and without an Authorization header. */
export function seenAt(server: Server, path: string): { withAuthorization: number; withoutAuthorization: number } {
  return server.counters.byPath[path] ?? { withAuthorization: 0, withoutAuthorization: 0 };
}

/** The `{ name, code }` that `auth.refresh()` rejects with, or null when it succeeds. */
export function refreshError(page: Tab): Promise<{ name: string; code: string } | null> {
  return page.evaluate(async () => {
    try {
      await window.auth.refresh();
      return null;
    } catch (error) {
      const e = error as { name: string; code: string };
      return { name: e.name, code: e.code };
    }
  });
}

/** Starts `count` fetches of `url` in the page without waiting; `settled(page)` collects their statuses. */
export async function startFetches(page: Tab, url: string, count: number): Promise<void> {
  await page.evaluate(
    ({ url, count }) => {
      const statuses = Array.from({ length: count }, () =>
        fetch(url).then(
          (response) => response.status,
          () => 0,
        ),
      );
      (window as unknown as { pending: Promise<number[]> }).pending = Promise.all(statuses);
    },
    { url, count },
  );
}

/** The statuses of the fetches started by `startFetches` (0 for a network error). */
export function settled(page: Tab): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { pending: Promise<number[]> }).pending);
}
