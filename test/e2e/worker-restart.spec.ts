import { releaseHeldRefreshes } from '../../demo/server/knobs.js';
import { CANNOT_STOP_WORKERS, apiFetch, expect, login, seenAt, skipIn, test } from './fixtures.js';

skipIn(CANNOT_STOP_WORKERS);
test.use({ stoppableWorkers: true });

test('after the browser stops the worker, requests are still authenticated and the bridge reconnects', async ({
  openTab,
  server,
  session,
}) => {
  const page = await openTab();
  await login(page);

  await session.stopWorkers();

  const me = await apiFetch(page, '/api/me');
  expect(me).toMatchObject({ status: 200, body: { sub: 'demo' } });
  expect(seenAt(server, '/api/me').withAuthorization).toBe(1);

  expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
  // A second stop, then control calls (not fetches) must wake the worker through a fresh port.
  await session.stopWorkers();
  const token = await page.evaluate(() => window.auth.accessToken());
  expect(token.split('.')).toHaveLength(3);
  const state = await page.evaluate(() => window.auth.refresh());
  expect(state.status).toBe('authenticated');
  expect(server.counters.refreshSuccess).toBe(1);
});

test.describe('stopped in the middle of a call', () => {
  skipIn({
    firefox: 'Firefox stops only idle workers, and a worker with a pending call is never idle: the page probes it every second',
  });

  test('a control call in flight when the browser stops the worker is sent again to the new worker, promptly and with one refresh', async ({
    openTab,
    server,
    session,
  }) => {
    const page = await openTab();
    await login(page);
    server.knobs.refresh = 'hold'; // the worker's refresh waits at the server...
    await page.evaluate(() => {
      const started = Date.now();
      (window as unknown as { pending: Promise<unknown> }).pending = window.auth.refresh().then(
        (state) => ({ status: state.status, ms: Date.now() - started }),
        (error: { code: string }) => ({ error: error.code, ms: Date.now() - started }),
      );
    });
    await expect.poll(() => server.counters.refreshCalls).toBe(1);
    // ...and the browser stops the worker while it waits: the call's port dies with it.
    await session.stopWorkers();
    server.knobs.refresh = 'ok';
    releaseHeldRefreshes(server.knobs); // the held request's client is gone: dropped, nothing rotated

    const outcome = await page.evaluate(() => (window as unknown as { pending: Promise<{ status?: string; ms: number }> }).pending);
    expect(outcome.status).toBe('authenticated');
    expect(outcome.ms).toBeLessThan(5_000); // not the 30 s call timeout
    expect(server.counters.refreshSuccess).toBe(1);
    expect(server.counters.reuseDetections).toBe(0);
    expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
  });
});
