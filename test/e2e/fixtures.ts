import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import type { AuthProxyConfig, SessionStatus } from '../../src/index.js';
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

type Fixtures = {
  server: Server;
  /** Opens a tab on the harness page with the proxy registered as `window.auth`. */
  openTab: (config?: AuthProxyConfig) => Promise<Page>;
};

export const test = base.extend<Fixtures>({
  server: async ({}, use) => {
    const server = await startServer({ testHooks: true, accessTtl: 300, static: { '/': HARNESS } });
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
  const status = await page.evaluate(async ({ form, clientId }) => {
    const body = form
      ? new URLSearchParams({ grant_type: 'password', username: 'demo', password: 'demo', client_id: clientId ?? '' })
      : { username: 'demo', password: 'demo' };
    return (await window.auth.login(body)).status;
  }, { form, clientId: config.clientId ?? null });
  expect(status).toBe('authenticated');
}

export interface ApiResult {
  status: number;
  body: unknown;
}

/** `fetch` from page script, exactly as an app would call it: no Authorization header. */
export function apiFetch(page: Page, url: string, init: { method?: string } = {}): Promise<ApiResult> {
  return page.evaluate(async ({ url, init }) => {
    const response = await fetch(url, init);
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Keep the text.
    }
    return { status: response.status, body };
  }, { url, init });
}

/** Waits until the tab's mirrored session state has `status`. */
export async function waitForStatus(page: Page, status: SessionStatus): Promise<void> {
  await page.waitForFunction((status) => window.auth.state.status === status, status);
}

/** Requests to `path` the server saw with and without an Authorization header. */
export function seenAt(server: Server, path: string): { withAuthorization: number; withoutAuthorization: number } {
  return server.counters.byPath[path] ?? { withAuthorization: 0, withoutAuthorization: 0 };
}
