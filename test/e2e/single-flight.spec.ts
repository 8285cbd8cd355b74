import { CONFIGS, expect, test, loginWithExpiredToken } from './fixtures.js';

for (const [format, config] of Object.entries(CONFIGS)) {
  test(`${format}: 4 tabs x 25 concurrent requests on an expired token cause exactly one refresh`, async ({ openTab, server }) => {
    const first = await openTab(config);
    await loginWithExpiredToken(first, server, config);
    const tabs = [first, await openTab(config), await openTab(config), await openTab(config)];
    server.resetCounters();

    const statuses = await Promise.all(
      tabs.map((tab) => tab.evaluate(() => Promise.all(Array.from({ length: 25 }, async () => (await fetch('/api/me')).status)))),
    );

    expect(statuses.flat()).toEqual(Array.from({ length: 100 }, () => 200));
    expect(server.counters.refreshCalls).toBe(1);
    expect(server.counters.reuseDetections).toBe(0);
    expect(server.counters.unauthorizedSent).toBe(0);
  });
}
