import { releaseHeldRefreshes } from '../../demo/server/knobs.js';
import { apiFetch, expect, login, seenAt, stopWorkers, test } from './fixtures.js';

test('after the browser stops the worker, requests are still authenticated and the bridge reconnects', async ({
  context,
  openTab,
  server,
}) => {
  const page = await openTab();
  await login(page);

  await stopWorkers(context, page);

  const me = await apiFetch(page, '/api/me');
  expect(me).toMatchObject({ status: 200, body: { sub: 'demo' } });
  expect(seenAt(server, '/api/me').withAuthorization).toBe(1);

  expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
  // A second stop, then control calls (not fetches) must wake the worker through a fresh port.
  await stopWorkers(context, page);
  const token = await page.evaluate(() => window.auth.accessToken());
  expect(token.split('.')).toHaveLength(3);
  const state = await page.evaluate(() => window.auth.refresh());
  expect(state.status).toBe('authenticated');
  expect(server.counters.refreshSuccess).toBe(1);
});

test('a control call in flight when the browser stops the worker is sent again to the new worker, promptly and with one refresh', async ({
  context,
  openTab,
  server,
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
  await stopWorkers(context, page);
  server.knobs.refresh = 'ok';
  releaseHeldRefreshes(server.knobs); // the held request's client is gone: dropped, nothing rotated

  const outcome = await page.evaluate(() => (window as unknown as { pending: Promise<{ status?: string; ms: number }> }).pending);
  expect(outcome.status).toBe('authenticated');
  expect(outcome.ms).toBeLessThan(5_000); // not the 30 s call timeout
  expect(server.counters.refreshSuccess).toBe(1);
  expect(server.counters.reuseDetections).toBe(0);
  expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
});
