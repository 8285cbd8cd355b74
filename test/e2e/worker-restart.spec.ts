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
