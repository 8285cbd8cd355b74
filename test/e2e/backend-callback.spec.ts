import type { AuthProxyConfig } from '../../src/page/index.js';
import {
  CALLBACK_FRAGMENT_CONFIG,
  CALLBACK_QUERY_CONFIG,
  expect,
  expectNoTokenInState,
  pageFetch,
  registerIn,
  test,
  type RunningBackend,
  type Tab,
} from './backend-fixtures.js';

/**
 * Report 004's backend (demo/backends/callback): it finishes "Sign in with Google" itself and
 * redirects the browser to /callback with the tokens in the URL. The worker takes them from
 * that navigation and redirects to the URL without them: the token URL is answered by the
 * worker, so it reaches neither the page, the address bar, history, a Referer, nor the network.
 */
test.use({ backendKind: 'callback' });

interface CallbackCounters {
  signIns: number;
  refreshCalls: number;
  refreshSuccesses: number;
  reuseDetections: number;
  unauthorizedSent: number;
  logoutCalls: number;
  revokedSessions: number;
  requestUrls: string[];
  referers: string[];
  issuedRefreshTokens: string[];
}

const counters = async (backend: RunningBackend): Promise<CallbackCounters> => (await backend.counters()) as unknown as CallbackCounters;

/** Everything page script can read that could hold a token. */
function pageVisible(page: Tab): Promise<string[]> {
  return page.evaluate(() => [
    location.href,
    document.URL,
    document.referrer,
    JSON.stringify(window.auth.state),
    document.documentElement.outerHTML,
    JSON.stringify({ ...localStorage }),
    JSON.stringify({ ...sessionStorage }),
  ]);
}

const VARIANTS: { mode: 'query' | 'fragment'; config: AuthProxyConfig; landing: string }[] = [
  { mode: 'query', config: CALLBACK_QUERY_CONFIG, landing: '/callback' },
  { mode: 'fragment', config: CALLBACK_FRAGMENT_CONFIG, landing: '/callback#_' },
];

for (const { mode, config, landing } of VARIANTS) {
  test(`${mode}: sign-in through a callback URL with tokens; the worker keeps them and the page lands on ${landing}`, async ({
    openTab,
    backend,
  }) => {
    const page = await openTab(config);
    await page.goto(`${backend.url}/api/v1/auth/oauth/google?mode=${mode}&redirect_uri=/callback`);

    expect(await page.url()).toBe(`${backend.url}${landing}`);
    await registerIn(page, config);
    expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
    await expectNoTokenInState(page);

    const seen = await counters(backend);
    expect(seen.signIns).toBe(1);
    const [refreshToken] = seen.issuedRefreshTokens;
    expect(refreshToken).toBeDefined();
    for (const text of await pageVisible(page)) expect(text).not.toContain(refreshToken);
    // The token URL was answered by the worker: the only /callback the network saw is the clean one.
    expect(backend.frontRequests.filter((url) => url.startsWith('/callback'))).toEqual(['/callback']);

    // The access token from the URL is what the API gets.
    expect((await pageFetch(page, '/api/v1/me')).status).toBe(200);
    // The refresh token from the URL is what the worker refreshes with (the backend rotates it once).
    expect(await page.evaluate(async () => (await window.auth.refresh()).status)).toBe('authenticated');
    expect(await counters(backend)).toMatchObject({ refreshCalls: 1, refreshSuccesses: 1, reuseDetections: 0, unauthorizedSent: 0 });

    // No Referer the backend received names a token.
    for (const referer of (await counters(backend)).referers) {
      expect(referer).not.toMatch(/token=/);
      expect(referer).not.toContain(refreshToken);
    }
  });

  test(`${mode}: history holds no token URL: back is the page sign-in started from, forward the clean callback`, async ({
    openTab,
    backend,
  }) => {
    const page = await openTab(config);
    await page.goto(`${backend.url}/api/v1/auth/oauth/google?mode=${mode}&redirect_uri=/callback`);
    await page.waitForFunction((landing) => location.href.endsWith(landing), landing);

    // The redirects (backend, provider, backend, worker) made no history entries.
    await page.goBack();
    await page.waitForFunction(() => location.pathname === '/');
    expect(await page.url()).toBe(`${backend.url}/`);
    await page.goForward();
    await page.waitForFunction(() => location.pathname === '/callback');
    expect(await page.url()).toBe(`${backend.url}${landing}`);
    // Going forward again loaded the clean URL only: the worker never had a token URL to answer twice.
    expect((await counters(backend)).signIns).toBe(1);
    expect(backend.frontRequests.filter((url) => url.startsWith('/callback')).every((url) => url === '/callback')).toBe(true);
  });

  test(`${mode}: logout revokes the session the callback created`, async ({ openTab, backend }) => {
    const page = await openTab(config);
    await page.goto(`${backend.url}/api/v1/auth/oauth/google?mode=${mode}&redirect_uri=/callback`);
    await registerIn(page, config);
    expect(await page.evaluate(async () => (await window.auth.logout()).status)).toBe('anonymous');
    await expect.poll(async () => (await counters(backend)).revokedSessions).toBe(1);
    expect((await pageFetch(page, '/api/v1/me')).status).toBe(401);
  });
}

test('a callback without tokens (the user said no) reaches the page unchanged, and there is no session', async ({ openTab, backend }) => {
  const page = await openTab(CALLBACK_QUERY_CONFIG);
  await page.goto(`${backend.url}/callback?error=access_denied&state=s1`);
  expect(await page.url()).toBe(`${backend.url}/callback?error=access_denied&state=s1`);
  await registerIn(page, CALLBACK_QUERY_CONFIG);
  expect(await page.evaluate(() => window.auth.state.status)).toBe('anonymous');
  expect(backend.frontRequests).toContain('/callback?error=access_denied&state=s1');
});
