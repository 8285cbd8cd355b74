import { apiFetch, expect, login, test, loginWithExpiredToken } from './fixtures.js';

/**
 * Clocks that disagree: the reference server runs 10 minutes ahead or behind the browser.
 * Expiry comes from expires_in at receipt (immune to skew); without expires_in, the JWT exp is
 * translated by the offset estimated from the Date header. Either way: no premature expiry,
 * no 401 storm, no refresh storm.
 */
for (const clockOffset of [600, -600]) {
  for (const tokenShape of ['normal', 'no-expires-in'] as const) {
    test.describe(`server clock ${clockOffset > 0 ? '+' : ''}${clockOffset / 60} min, ${tokenShape === 'normal' ? 'with' : 'without'} expires_in`, () => {
      test.use({ serverOptions: { clockOffset } });

      test('the expiry is right in local time and requests cause no refresh and no 401', async ({ openTab, server }) => {
        const page = await openTab();
        server.knobs.tokenShape = tokenShape;
        const before = Date.now();
        await login(page);
        const expiresAt = await page.evaluate(() => window.auth.state.expiresAt);
        // 300 s from now in *local* time, give or take transit and Date-header resolution.
        expect(expiresAt).toBeGreaterThan(before + 295_000);
        expect(expiresAt).toBeLessThan(Date.now() + 302_000);

        for (let i = 0; i < 5; i++) expect((await apiFetch(page, '/api/me')).status).toBe(200);
        expect(server.counters.refreshCalls).toBe(0);
        expect(server.counters.unauthorizedSent).toBe(0);
      });
    });
  }
}

test('waking from sleep with an expired token: the first burst of requests refreshes exactly once', async ({ openTab, server }) => {
  const page = await openTab();
  await loginWithExpiredToken(page, server);
  server.resetCounters();

  const statuses = await page.evaluate(() => Promise.all(Array.from({ length: 30 }, async () => (await fetch('/api/me')).status)));
  expect(statuses.every((status) => status === 200)).toBe(true);
  expect(server.counters.refreshCalls).toBe(1);
  expect(server.counters.unauthorizedSent).toBe(0);
});
