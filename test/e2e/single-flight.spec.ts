import { releaseHeldRefreshes } from '../../demo/server/knobs.js';
import { CONFIGS, expect, loginWithExpiredToken, settled, startFetches, test } from './fixtures.js';

for (const [format, config] of Object.entries(CONFIGS)) {
  test(`${format}: 4 tabs x 25 concurrent requests on an expired token cause exactly one refresh`, async ({ openTab, server }) => {
    const first = await openTab(config);
    await loginWithExpiredToken(first, server, config);
    const tabs = [first, await openTab(config), await openTab(config), await openTab(config)];
    server.resetCounters();

    // The refresh is held at the server until every tab has sent its 25 requests, so all 100
    // are in flight together however the engine's driver schedules the tabs.
    server.knobs.refresh = 'hold';
    for (const tab of tabs) await startFetches(tab, '/api/me', 25);
    await expect.poll(() => server.counters.refreshCalls).toBe(1);
    server.knobs.refresh = 'ok';
    expect(releaseHeldRefreshes(server.knobs)).toBe(1);

    const statuses = await Promise.all(tabs.map(settled));
    expect(statuses.flat()).toEqual(Array.from({ length: 100 }, () => 200));
    expect(server.counters.refreshCalls).toBe(1);
    expect(server.counters.reuseDetections).toBe(0);
    expect(server.counters.unauthorizedSent).toBe(0);
  });
}
