import { apiFetch, expect, login, test } from './fixtures.js';

test('a token inside the refreshAhead window is refreshed once before the next request; no 401 reaches the page', async ({
  openTab,
  server,
}) => {
  const page = await openTab(); // refreshAhead: 30 s
  server.knobs.accessTtl = 20; // the login token is born inside the window
  await login(page);
  server.knobs.accessTtl = 300; // the refreshed one is not
  server.resetCounters();

  const first = await apiFetch(page, '/api/me');
  expect(first.status).toBe(200);
  expect(server.counters.refreshCalls).toBe(1);

  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await apiFetch(page, '/api/me')).status);
  expect(statuses).toEqual([200, 200, 200, 200, 200]);
  expect(server.counters.refreshCalls).toBe(1);
  expect(server.counters.unauthorizedSent).toBe(0);
  expect(server.counters.reuseDetections).toBe(0);
});
