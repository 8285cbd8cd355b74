import { releaseHeldRefreshes } from '../../demo/server/knobs.js';
import {
  JSON_CONFIG,
  apiFetch,
  chromiumOnly,
  expect,
  login,
  seenAt,
  settled,
  startFetches,
  test,
  waitForStatus,
  loginWithExpiredToken,
  WORKER_NETWORK_ERROR,
} from './fixtures.js';

test.describe('worker killed mid-flight', () => {
  chromiumOnly('stopping a worker in the middle of its fetch events needs CDP: Firefox only stops idle workers, WebKit none at all');

  test('worker killed mid-refresh: its requests are re-dispatched to the restarted worker and succeed after one refresh', async ({
    openTab,
    server,
    session,
  }) => {
    const page = await openTab();
    await loginWithExpiredToken(page, server);
    server.knobs.refresh = 'hold';

    await startFetches(page, '/api/me', 3);
    await expect.poll(() => server.counters.refreshCalls).toBe(1);
    await session.stopWorkers();
    // Chromium hands the dead worker's fetch events to a restarted one. The first refresh
    // died with its worker (and its Web Lock), so the new worker refreshes again.
    await expect.poll(() => server.counters.refreshCalls).toBe(2);
    server.knobs.refresh = 'ok';
    releaseHeldRefreshes(server.knobs);

    expect(await settled(page)).toEqual([200, 200, 200]);
    expect(server.counters.refreshSuccess).toBe(1); // the aborted refresh never rotated anything
    expect(server.counters.reuseDetections).toBe(0);
    expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
  });

  test('worker killed mid-replay: the requests are replayed by the restarted worker after one refresh', async ({
    openTab,
    server,
    session,
  }) => {
    const page = await openTab();
    await login(page);
    server.revokeAccessTokens();
    server.knobs.refresh = 'hold';

    await startFetches(page, '/api/me', 2);
    await expect.poll(() => server.counters.refreshCalls).toBe(1);
    await session.stopWorkers();
    await expect.poll(() => server.counters.refreshCalls).toBe(2);
    server.knobs.refresh = 'ok';
    releaseHeldRefreshes(server.knobs);

    expect(await settled(page)).toEqual([200, 200]);
    expect(server.counters.refreshSuccess).toBe(1);
    expect(server.counters.reuseDetections).toBe(0);
  });
});

test.describe('browser offline', () => {
  chromiumOnly(
    "offline emulation that reaches the worker's own fetches exists only in Chromium (context.setOffline); faults-refresh covers an unreachable refresh endpoint in every engine",
  );
  // The fetch made while offline fails in the worker too, which passes the network error on
  // (its respondWith rejects), as the page would see it without a worker.
  test.use({ expectedPageErrors: WORKER_NETWORK_ERROR });

  test('offline during refresh: state offline, no logout; back online the page resumes and nothing is lost', async ({
    context,
    openTab,
    server,
  }) => {
    const page = await openTab();
    await loginWithExpiredToken(page, server);
    server.resetCounters();

    await context.setOffline(true);
    expect((await apiFetch(page, '/api/me').catch(() => ({ status: 0 }))).status).toBe(0);
    await waitForStatus(page, 'offline');
    expect(server.counters.refreshCalls).toBe(0); // nothing reached the server

    await context.setOffline(false); // the page's `online` event asks the worker to refresh
    await waitForStatus(page, 'authenticated');
    expect((await apiFetch(page, '/api/me')).status).toBe(200);
    expect(server.counters.refreshCalls).toBe(1);
    expect(server.counters.reuseDetections).toBe(0);
  });
});

test('logout while requests wait on a refresh: the late refresh result is discarded and no token is sent', async ({ openTab, server }) => {
  // No revocation endpoint: the held refresh then succeeds at the server, which is exactly
  // the slow response that must not resurrect the session (stale writes, docs/ARCHITECTURE.md).
  const config = { ...JSON_CONFIG, logout: undefined };
  const page = await openTab(config);
  await loginWithExpiredToken(page, server);
  server.knobs.refresh = 'hold';

  await startFetches(page, '/api/me', 5);
  await expect.poll(() => server.counters.refreshCalls).toBe(1);
  expect((await page.evaluate(() => window.auth.logout())).status).toBe('anonymous');
  server.knobs.refresh = 'ok';
  expect(releaseHeldRefreshes(server.knobs)).toBe(1);

  expect(await settled(page)).toEqual([401, 401, 401, 401, 401]);
  expect(server.counters.refreshSuccess).toBe(1);
  expect(seenAt(server, '/api/me').withAuthorization).toBe(0);
  expect(await page.evaluate(() => window.auth.state.status)).toBe('anonymous');
  const afterwards = await page.evaluate(() =>
    window.auth.accessToken().then(
      () => 'token',
      (error: { code: string }) => error.code,
    ),
  );
  expect(afterwards).toBe('not_authenticated');
});

test('a new worker version installed while a refresh is in flight does not refresh a second time', async ({ openTab, server, session }) => {
  const first = await openTab();
  await loginWithExpiredToken(first, server);
  server.knobs.refresh = 'hold';
  await startFetches(first, '/api/me', 3);
  await expect.poll(() => server.counters.refreshCalls).toBe(1);

  // A changed config is a changed worker script URL: a new version starts installing while
  // the old one still holds the refresh lock. (Chromium may delay its activation until the
  // old version's in-flight fetches finish, so registration is not awaited here.)
  const second = await session.newTab();
  await second.goto(`${server.url}/`);
  await second.waitForFunction(() => 'swAuthProxy' in window);
  await second.evaluate(
    async (config) => {
      const w = window as unknown as { registered: Promise<unknown>; newVersion: boolean };
      w.newVersion = false;
      const registration = await navigator.serviceWorker.getRegistration();
      registration?.addEventListener('updatefound', () => (w.newVersion = true), { once: true });
      w.registered = window.swAuthProxy.registerAuthProxy({ config }).then((auth) => (window.auth = auth));
    },
    { ...JSON_CONFIG, refreshAhead: 31 },
  );
  await second.waitForFunction(() => (window as unknown as { newVersion: boolean }).newVersion);
  releaseHeldRefreshes(server.knobs);
  server.knobs.refresh = 'ok';

  expect(await settled(first)).toEqual([200, 200, 200]);
  await second.evaluate(() => (window as unknown as { registered: Promise<unknown> }).registered);
  await startFetches(second, '/api/me', 3);
  expect(await settled(second)).toEqual([200, 200, 200]);
  expect(await first.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toContain('refreshAhead%22%3A31');
  expect(server.counters.refreshCalls).toBe(1);
  expect(server.counters.reuseDetections).toBe(0);
});

test('a resource that always answers 401: one replay per request, refreshes bounded by the circuit breaker', async ({
  openTab,
  server,
}) => {
  const page = await openTab();
  await login(page);
  server.knobs.unauthorizedPaths = ['/api/me'];
  server.resetCounters();

  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await apiFetch(page, '/api/me')).status);

  expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
  // Requests 1-3: send + refresh + one replay each, and each refreshed token is rejected before
  // it was ever accepted; after those three futile refreshes the breaker is open, and
  // requests 4-6 are sent once and their 401 passes through.
  expect(server.counters.refreshCalls).toBe(3);
  expect(seenAt(server, '/api/me').withAuthorization).toBe(9);
  expect((await apiFetch(page, '/api/ping')).status).toBe(200); // the session is fine
  expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
});

test('RFC 6750 / RFC 9470: insufficient_scope (403) and step-up challenges pass through without a refresh', async ({ openTab, server }) => {
  const page = await openTab();
  await login(page);
  server.knobs.stepUpPaths = ['/api/me'];
  server.knobs.insufficientScopePaths = ['/api/ping'];
  server.resetCounters();

  expect((await apiFetch(page, '/api/me')).status).toBe(401);
  expect((await apiFetch(page, '/api/ping')).status).toBe(403);
  expect(server.counters.refreshCalls).toBe(0);
  expect(seenAt(server, '/api/me').withAuthorization).toBe(1);
  expect(seenAt(server, '/api/ping').withAuthorization).toBe(1);
});
