import {
  DRF_CONFIG,
  expect,
  expectNoTokenInState,
  jwtPayloads,
  pageFetch,
  test,
  type RunningBackend,
  type Tab,
} from './backend-fixtures.js';

/**
 * Django REST framework + SimpleJWT with ROTATE_REFRESH_TOKENS and BLACKLIST_AFTER_ROTATION
 * (demo/backends/drf): a refresh token works exactly once, so a second refresh with the same
 * token is a "Token is blacklisted" 401 — and ends the session.
 */
test.use({ backendKind: 'drf' });

interface DrfCounters {
  logins: number;
  refreshCalls: number;
  refreshSuccesses: number;
  blacklistedTokenErrors: number;
  unauthorizedSent: number;
  logoutCalls: number;
  logoutSuccesses: number;
  byPath: Record<string, { withAuthorization: number; withoutAuthorization: number }>;
  refreshTokensIssued: number;
  distinctRefreshTokensPresented: number;
  refreshTokensPresented: number;
  refreshTokensIssuedAndBlacklisted: number;
}

const counters = async (backend: RunningBackend): Promise<DrfCounters> => (await backend.counters()) as unknown as DrfCounters;

const login = (page: Tab) => page.evaluate(async () => (await window.auth.login({ username: 'demo', password: 'demo' })).status);

test('login through auth.login stores {access, refresh}; API requests carry the access token; the page holds no token', async ({
  openTab,
  backend,
}) => {
  const page = await openTab(DRF_CONFIG);
  expect(await login(page)).toBe('authenticated');
  await expectNoTokenInState(page);
  // The access token's claims are shown to the app, decoded by the worker.
  expect(await page.evaluate(() => window.auth.state.claims)).toMatchObject({ token_type: 'access', user_id: 1 });

  const me = await pageFetch(page, '/api/me/');
  expect(me).toEqual({ status: 200, text: JSON.stringify({ id: 1, username: 'demo' }) });
  const echoed = await pageFetch(page, '/api/echo/', { json: { hello: 'drf' } });
  expect(JSON.parse(echoed.text)).toMatchObject({ user: 'demo', length: JSON.stringify({ hello: 'drf' }).length });

  const seen = await counters(backend);
  expect(seen.byPath['/api/me/']).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
  expect(seen.byPath['/api/echo/']).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
  expect(seen.logins).toBe(1);
  expect(seen.unauthorizedSent).toBe(0);
});

test("the app's own login fetch is captured: the page's copy of the response has no refresh token", async ({ openTab, backend }) => {
  const page = await openTab(DRF_CONFIG);
  const response = await pageFetch(page, '/api/token/', { json: { username: 'demo', password: 'demo' } });

  expect(response.status).toBe(200);
  const body = JSON.parse(response.text) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['access']);
  expect(jwtPayloads(response.text).map((claims) => claims.token_type)).toEqual(['access']);
  await page.waitForFunction(() => window.auth.state.status === 'authenticated');
  await expectNoTokenInState(page);
  expect((await counters(backend)).refreshTokensIssued).toBe(1);
  // And the worker has it: a request is authorized without the page ever holding the token.
  expect((await pageFetch(page, '/api/me/')).status).toBe(200);
});

test('4 tabs x 25 concurrent requests on an expired token: exactly one refresh, no blacklisted-token error', async ({
  openTab,
  backend,
}) => {
  const first = await openTab(DRF_CONFIG);
  // SimpleJWT issues this login's access token already expired; the refreshed one lives 300 s.
  await backend.setAccessTtl(0);
  expect(await login(first)).toBe('authenticated');
  await backend.setAccessTtl(300);
  const tabs = [first, await openTab(DRF_CONFIG), await openTab(DRF_CONFIG), await openTab(DRF_CONFIG)];
  await backend.resetCounters();

  const statuses = await Promise.all(
    tabs.map((tab) => tab.evaluate(() => Promise.all(Array.from({ length: 25 }, async () => (await fetch('/api/me/')).status)))),
  );

  expect(statuses.flat()).toEqual(Array.from({ length: 100 }, () => 200));
  const seen = await counters(backend);
  expect(seen.refreshCalls).toBe(1);
  expect(seen.refreshSuccesses).toBe(1);
  expect(seen.blacklistedTokenErrors).toBe(0);
  expect(seen.unauthorizedSent).toBe(0);
  expect(seen.byPath['/api/me/']).toEqual({ withAuthorization: 100, withoutAuthorization: 0 });
  for (const tab of tabs) expect(await tab.evaluate(() => window.auth.state.status)).toBe('authenticated');
});

test('every refresh presents the newest rotated token: three forced refreshes, three tokens, none blacklisted', async ({
  openTab,
  backend,
}) => {
  const page = await openTab(DRF_CONFIG);
  expect(await login(page)).toBe('authenticated');
  for (let i = 0; i < 3; i++) expect(await page.evaluate(async () => (await window.auth.refresh()).status)).toBe('authenticated');

  const seen = await counters(backend);
  expect(seen).toMatchObject({ refreshCalls: 3, refreshSuccesses: 3, blacklistedTokenErrors: 0 });
  expect(seen.distinctRefreshTokensPresented).toBe(3);
  // Login's token and the first two rotations were blacklisted by the refreshes that replaced them.
  expect(seen.refreshTokensIssuedAndBlacklisted).toBe(3);
  expect((await pageFetch(page, '/api/me/')).status).toBe(200);
});

test('logout blacklists the refresh token at TokenBlacklistView and every tab follows', async ({ openTab, backend }) => {
  const page = await openTab(DRF_CONFIG);
  const other = await openTab(DRF_CONFIG);
  expect(await login(page)).toBe('authenticated');
  // One rotation first, so the token logout must blacklist is not the login's.
  await page.evaluate(() => window.auth.refresh());

  expect(await page.evaluate(async () => (await window.auth.logout()).status)).toBe('anonymous');
  await other.waitForFunction(() => window.auth.state.status === 'anonymous');

  // Logout revokes after ending the session locally: wait for the server to have answered.
  await expect.poll(async () => (await counters(backend)).logoutSuccesses).toBe(1);
  const seen = await counters(backend);
  expect(seen.logoutCalls).toBe(1);
  expect(seen.refreshTokensIssued).toBe(2);
  expect(seen.refreshTokensIssuedAndBlacklisted).toBe(2);
  // Without a session the request goes out bare, and the API refuses it.
  expect((await pageFetch(page, '/api/me/')).status).toBe(401);
  expect((await counters(backend)).byPath['/api/me/']).toEqual({ withAuthorization: 0, withoutAuthorization: 1 });
});
