import { CONFIGS, apiFetch, expect, login, seenAt, test, waitForStatus } from './fixtures.js';

for (const [format, config] of Object.entries(CONFIGS)) {
  test(`${format}: logout in one tab makes every tab anonymous, revokes at the server, and no later request carries a token`, async ({
    openTab,
    server,
  }) => {
    const tabs = [await openTab(config), await openTab(config), await openTab(config)];
    await login(tabs[0]!, config);
    for (const tab of tabs) await waitForStatus(tab, 'authenticated');
    expect((await apiFetch(tabs[2]!, '/api/me')).status).toBe(200);

    const state = await tabs[1]!.evaluate(() => window.auth.logout());
    expect(state.status).toBe('anonymous');
    for (const tab of tabs) await waitForStatus(tab, 'anonymous');
    expect(server.counters.revocations).toBe(1);

    const withToken = seenAt(server, '/api/me').withAuthorization;
    for (const tab of tabs) expect((await apiFetch(tab, '/api/me')).status).toBe(401);
    expect(seenAt(server, '/api/me').withAuthorization).toBe(withToken);
    expect(seenAt(server, '/api/me').withoutAuthorization).toBe(3);
  });
}
