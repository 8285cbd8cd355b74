import { apiFetch, expect, login, refreshError, seenAt, test, waitForStatus, loginWithExpiredToken } from './fixtures.js';

test('invalid_grant from the refresh endpoint ends the session in every tab and clears the vault', async ({ openTab, server }) => {
  const tabs = [await openTab(), await openTab()];
  await login(tabs[0]!);
  server.knobs.refresh = 'invalid_grant';

  expect(await refreshError(tabs[0]!)).toEqual({ name: 'RefreshError', code: 'refresh_rejected' });
  for (const tab of tabs) await waitForStatus(tab, 'expired');

  const before = seenAt(server, '/api/me').withAuthorization;
  expect((await apiFetch(tabs[1]!, '/api/me')).status).toBe(401);
  expect(seenAt(server, '/api/me').withAuthorization).toBe(before); // no token left to send
});

for (const fault of ['error500', 'reset'] as const) {
  test(`refresh endpoint ${fault === 'reset' ? 'unreachable' : 'answering 500'}: session kept, state says offline, recovers`, async ({
    openTab,
    server,
  }) => {
    const tabs = [await openTab(), await openTab()];
    await login(tabs[0]!);
    server.knobs.refresh = fault;

    expect(await refreshError(tabs[0]!)).toEqual({ name: 'RefreshError', code: 'refresh_unavailable' });
    for (const tab of tabs) await waitForStatus(tab, 'offline');
    const state = await tabs[1]!.evaluate(() => window.auth.state);
    expect(state.error?.code).toBe('refresh_unavailable');
    // The access token is still good, so the app keeps working while refresh is down.
    expect((await apiFetch(tabs[1]!, '/api/me')).status).toBe(200);

    server.knobs.refresh = 'ok';
    expect((await tabs[1]!.evaluate(() => window.auth.refresh())).status).toBe('authenticated');
    for (const tab of tabs) await waitForStatus(tab, 'authenticated');
    expect(await tabs[0]!.evaluate(() => window.auth.state.error)).toBeNull();
  });
}

test('an expired token with the refresh endpoint down gives the app the 401, not a logout', async ({ openTab, server }) => {
  const page = await openTab();
  await loginWithExpiredToken(page, server);
  server.knobs.refresh = 'error500';

  expect((await apiFetch(page, '/api/me')).status).toBe(401);
  await waitForStatus(page, 'offline');
  // The due token's refresh fails; the request goes out with the expired token, and its 401
  // may start one more refresh when the jittered backoff (0-1 s after a first failure) has
  // already passed. Never more: the second failure ends that request.
  expect(server.counters.refreshCalls).toBeGreaterThanOrEqual(1);
  expect(server.counters.refreshCalls).toBeLessThanOrEqual(2);

  server.knobs.refresh = 'ok';
  expect((await page.evaluate(() => window.auth.refresh())).status).toBe('authenticated');
  expect((await apiFetch(page, '/api/me')).status).toBe(200);
});
