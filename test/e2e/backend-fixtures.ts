import { expect } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { startBackend, type BackendKind, type BackendOptions, type RunningBackend } from '../../demo/backends/launch.js';
import type { AuthProxyConfig } from '../../src/page/index.js';
import { test as base, type BrowserSession, type Tab } from './fixtures.js';

export { expect };
export type { RunningBackend, Tab };

/**
 * The library against real backends (demo/backends), each started per test on an ephemeral
 * port behind a same-origin front that serves the harness page and the built library. Counts
 * come from the backend. The configs are the ones the README's "Backends" section gives.
 */

const HARNESS = fileURLToPath(new URL('./harness/index.html', import.meta.url));

/** Django REST framework + SimpleJWT, as its documentation mounts it. */
export const DRF_CONFIG: AuthProxyConfig = {
  api: ['/api/'],
  capture: ['/api/token/'],
  tokenResponse: { accessToken: 'access', refreshToken: 'refresh' },
  refresh: { url: '/api/token/refresh/', format: 'json', tokenField: 'refresh' },
  logout: { url: '/api/token/blacklist/' },
  refreshAhead: 30,
};

/**
 * FastAPI with OAuth2PasswordRequestForm: RFC 6749 names, so no mapping; the refresh endpoint
 * takes {"refresh_token": ...} and answers without a new one.
 */
export const FASTAPI_CONFIG: AuthProxyConfig = {
  api: ['/api/'],
  capture: ['/api/auth/token'],
  refresh: { url: '/api/auth/refresh', format: 'json' },
  logout: { url: '/api/auth/logout' },
  refreshAhead: 30,
};

/**
 * Report 004's Go backend, variant B: it redirects to `/callback?token=…&refresh_token=…`.
 * Naming `refreshToken` makes a callback without one (the report's original bug) an error.
 */
export const CALLBACK_QUERY_CONFIG: AuthProxyConfig = {
  api: ['/api/'],
  capture: [{ url: '/callback', from: 'query', tokenResponse: { accessToken: 'token', refreshToken: 'refresh_token' } }],
  refresh: { url: '/api/v1/auth/refresh', format: 'json' },
  logout: { url: '/api/v1/auth/logout' },
};

/** Variant A: `/callback#access_token=…&refresh_token=…` (RFC 6749 names). */
export const CALLBACK_FRAGMENT_CONFIG: AuthProxyConfig = {
  ...CALLBACK_QUERY_CONFIG,
  capture: [{ url: '/callback', from: 'fragment', tokenResponse: { refreshToken: 'refresh_token' } }],
};

type Fixtures = {
  /** Which backend, e.g. `test.use({ backendKind: 'drf' })`. */
  backendKind: BackendKind;
  backendOptions: BackendOptions;
  backend: RunningBackend;
  /** Opens a tab on the front's harness page with the proxy registered as `window.auth`. */
  openTab: (config: AuthProxyConfig) => Promise<Tab>;
};

export const test = base.extend<Fixtures>({
  backendKind: ['drf', { option: true }],
  backendOptions: [{}, { option: true }],
  backend: async ({ backendKind, backendOptions }, use) => {
    // The harness is the app: at / and at /callback, where a backend that redirects with tokens sends the browser.
    const backend = await startBackend(backendKind, {
      ...backendOptions,
      pages: { '/': HARNESS, '/callback': HARNESS, ...backendOptions.pages },
    });
    await use(backend);
    await backend.close();
  },
  // The harness suites' openTab defaults to their own config; a backend has no default.
  openTab: async ({ session, backend }, use) => {
    await use((config) => {
      if (config === undefined) throw new Error('a backend tab needs the config for that backend');
      return openTab(session, backend.url, config);
    });
  },
});

async function openTab(session: BrowserSession, origin: string, config: AuthProxyConfig): Promise<Tab> {
  const page = await session.newTab();
  await page.goto(`${origin}/`);
  await registerIn(page, config);
  return page;
}

/** Registers the proxy as `window.auth` in the page the tab is showing now (after a navigation). */
export async function registerIn(page: Tab, config: AuthProxyConfig): Promise<void> {
  await page.waitForFunction(() => 'swAuthProxy' in window);
  await page.evaluate(async (config) => {
    window.auth = await window.swAuthProxy.registerAuthProxy({ config });
  }, config);
}

/** A response as page script sees it: status and body text. */
export interface PageResponse {
  status: number;
  text: string;
}

/** `fetch` from page script, exactly as an app calls it (no Authorization header). */
export function pageFetch(page: Tab, url: string, init: { method?: string; json?: unknown; form?: Record<string, string> } = {}) {
  return page.evaluate(
    async ({ url, init }): Promise<PageResponse> => {
      const headers: Record<string, string> = {};
      let body: BodyInit | undefined;
      if (init.json !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(init.json);
      } else if (init.form !== undefined) {
        body = new URLSearchParams(init.form);
      }
      const response = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
      return { status: response.status, text: await response.text() };
    },
    { url, init },
  );
}

/** The payloads of every JWT-shaped string in `text` (so a test can tell an access token from a refresh token). */
export function jwtPayloads(text: string): Record<string, unknown>[] {
  const payloads: Record<string, unknown>[] = [];
  for (const [, payload] of text.matchAll(/eyJ[\w-]*\.(eyJ[\w-]*)\.[\w-]*/g)) {
    payloads.push(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')));
  }
  return payloads;
}

/** What page script can read of the session: the mirrored state. It must hold no token at all. */
export async function expectNoTokenInState(page: Tab): Promise<void> {
  const state = await page.evaluate(() => JSON.stringify(window.auth.state));
  expect(jwtPayloads(state)).toEqual([]);
}

/** Waits until the tab's mirrored session state has `status`. */
export async function waitForStatus(page: Tab, status: string): Promise<void> {
  await page.waitForFunction((status) => window.auth.state.status === status, status);
}
