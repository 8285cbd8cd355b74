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
