import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import type { AuthProxyConfig, SessionStatus } from '../../src/page/index.js';
import { startServer } from '../../demo/server/server.js';

export { expect };
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

type Fixtures = {
  /** Extra options for the reference server, e.g. `test.use({ serverOptions: { clockOffset: 600 } })`. */
  serverOptions: ServerOptions;
  server: Server;
  /** Opens a tab on the harness page with the proxy registered as `window.auth`. */
  openTab: (config?: AuthProxyConfig) => Promise<Page>;
};

export const test = base.extend<Fixtures>({
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
  openTab: async ({ context, server }, use) => {
    await use((config = JSON_CONFIG) => openTab(context, server, config));
  },
});

async function openTab(context: BrowserContext, server: Server, config: AuthProxyConfig): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => 'swAuthProxy' in window);
  await page.evaluate(async (config) => {
    window.auth = await window.swAuthProxy.registerAuthProxy({ config });
  }, config);
  return page;
}

/** Logs in through `auth.login`, with the body the config's capture endpoint expects. */
export async function login(page: Page, config: AuthProxyConfig = JSON_CONFIG): Promise<void> {
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
export async function loginWithExpiredToken(page: Page, server: Server, config: AuthProxyConfig = JSON_CONFIG): Promise<void> {
  server.knobs.accessTtl = 0;
  await login(page, config);
  server.knobs.accessTtl = 300;
}

export interface ApiResult {
  status: number;
  body: unknown;
}

/** `fetch` from page script, exactly as an app would call it: no Authorization header. */
export function apiFetch(page: Page, url: string, init: { method?: string } = {}): Promise<ApiResult> {
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
export async function waitForStatus(page: Page, status: SessionStatus): Promise<void> {
  await page.waitForFunction((status) => window.auth.state.status === status, status);
}

/** Requests to `path` the server saw with and without an Authorization header. */
export function seenAt(server: Server, path: string): { withAuthorization: number; withoutAuthorization: number } {
  return server.counters.byPath[path] ?? { withAuthorization: 0, withoutAuthorization: 0 };
}

/** The `{ name, code }` that `auth.refresh()` rejects with, or null when it succeeds. */
export function refreshError(page: Page): Promise<{ name: string; code: string } | null> {
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

/** Stops every service worker through CDP and resolves once Chromium reports one stopped. */
export async function stopWorkers(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  const stopped = new Promise<void>((resolve) => {
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      if (versions.some((version) => version.runningStatus === 'stopped')) resolve();
    });
  });
  await cdp.send('ServiceWorker.stopAllWorkers');
  await stopped;
  await cdp.detach();
}

/** Starts `count` fetches of `url` in the page without waiting; `settled(page)` collects their statuses. */
export async function startFetches(page: Page, url: string, count: number): Promise<void> {
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
export function settled(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { pending: Promise<number[]> }).pending);
}
