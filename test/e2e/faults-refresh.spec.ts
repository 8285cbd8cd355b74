import { releaseHeldRefreshes } from '../../demo/server/knobs.js';
import { JSON_CONFIG, apiFetch, expect, login, refreshError, skipIn, test, waitForStatus } from './fixtures.js';
import type { Tab } from './drivers/index.js';

/**
 * Faults at the refresh endpoint. None of them may end the session or lose a request;
 * each must be reported in state with a stable error code, and the session must recover
 * once the endpoint is healthy again.
 */
const TRANSIENT = [
  { mode: 'error500', code: 'refresh_unavailable' },
  { mode: 'error503', code: 'refresh_unavailable' },
  { mode: 'error429', code: 'refresh_unavailable' },
  { mode: 'reset', code: 'refresh_unavailable' },
  { mode: 'html', code: 'invalid_token_response' },
  { mode: 'truncated', code: 'invalid_token_response' },
] as const;

for (const { mode, code } of TRANSIENT) {
  test(`refresh endpoint fault "${mode}": session kept, state offline with ${code}, recovers`, async ({ openTab, server }) => {
    const page = await openTab();
    await login(page);
    server.knobs.refresh = mode;

    expect((await refreshError(page))?.code).toBe(code);
    await waitForStatus(page, 'offline');
    expect(await page.evaluate(() => window.auth.state.error?.code)).toBe(code);
    expect((await apiFetch(page, '/api/me')).status).toBe(200); // the access token still works

    server.knobs.refresh = 'ok';
    expect((await page.evaluate(() => window.auth.refresh())).status).toBe('authenticated');
    expect((await apiFetch(page, '/api/me')).status).toBe(200);
    expect(server.counters.reuseDetections).toBe(0);
  });
}

test('a hanging refresh endpoint times out (refresh.timeout) as a network failure; the session is kept', async ({ openTab, server }) => {
  const page = await openTab({ ...JSON_CONFIG, refresh: { url: '/api/auth/refresh', timeout: 500 } });
  await login(page);
  server.knobs.refresh = 'hold';

  expect(await refreshError(page)).toEqual({ name: 'RefreshError', code: 'refresh_unavailable' });
  await waitForStatus(page, 'offline');
  // The aborted request is dropped by the server, so no token was rotated behind our back.
  releaseHeldRefreshes(server.knobs);
  server.knobs.refresh = 'ok';
  expect((await page.evaluate(() => window.auth.refresh())).status).toBe('authenticated');
  expect(server.counters.reuseDetections).toBe(0);
  expect(server.counters.refreshSuccess).toBe(1);
});

test('503 with Retry-After: no refresh is attempted again before it elapses', async ({ openTab, server }) => {
  const page = await openTab();
  server.knobs.accessTtl = 0; // every request needs a refresh
  await login(page);
  server.knobs.retryAfter = 30;
  server.knobs.refresh = 'error503';

  expect((await apiFetch(page, '/api/me')).status).toBe(401); // the expired token's own answer, not a logout
  await waitForStatus(page, 'offline');
  for (let i = 0; i < 5; i++) expect((await apiFetch(page, '/api/me')).status).toBe(401);
  expect(server.counters.refreshCalls).toBe(1);
  expect(await page.evaluate(() => window.auth.state.status)).toBe('offline');
});

test.describe('invalid_client', () => {
  skipIn({
    webkit:
      "WebKit holds a worker's fetch that gets 401 with a Basic challenge (RFC 6749 §5.2 invalid_client) waiting for credentials, unless it omits credentials: the refresh ends as refresh_unavailable at refresh.timeout",
  });

  test('a client misconfiguration (invalid_client) is reported loudly and the session is kept', async ({ openTab, server }) => {
    const page = await openTab();
    await login(page);
    await page.evaluate(() => {
      (window as unknown as { events: string[] }).events = [];
      window.auth.subscribe((_, event) =>
        (window as unknown as { events: string[] }).events.push(
          event.type === 'refresh-failed' ? `refresh-failed:${event.kind}` : event.type,
        ),
      );
    });
    server.knobs.refresh = 'invalid_client';

    expect(await refreshError(page)).toEqual({ name: 'RefreshError', code: 'refresh_misconfigured' });
    await page.waitForFunction(() => window.auth.state.error?.code === 'refresh_misconfigured');
    expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
    expect(await page.evaluate(() => (window as unknown as { events: string[] }).events)).toContain('refresh-failed:config');
    expect((await apiFetch(page, '/api/me')).status).toBe(200);
  });
});

test('after a streak of 5xx, the first request that needs a token once the endpoint is back gets a refresh at once, not a 401', async ({
  openTab,
  server,
}) => {
  const page = await openTab();
  server.knobs.accessTtl = 0; // every token is born expired: every request needs a refresh
  await login(page);
  server.knobs.refresh = 'error500'; // no Retry-After: the server asks for no particular delay
  // Four failures, each a second after the last: the backoff grows (up to 16 s by the fourth),
  // but a request that needs a token waits at most its base, 1 s (unit-tested with a fixed clock).
  for (let failure = 1; failure <= 4; failure++) {
    expect((await apiFetch(page, '/api/me')).status).toBe(401);
    expect(server.counters.refreshCalls).toBe(failure);
    await waitPastFloor(page);
  }
  await waitForStatus(page, 'offline');

  server.knobs.accessTtl = 300;
  server.knobs.refresh = 'ok';
  expect((await apiFetch(page, '/api/me')).status).toBe(200);
  expect(server.counters.refreshCalls).toBe(5);
  expect(server.counters.refreshSuccess).toBe(1);
  await waitForStatus(page, 'authenticated');
});

/**
 * The floor is a span of time, not an event: wait until a second (and a little, for clock
 * granularity) has passed since the last failed refresh, which happened before this call.
 */
async function waitPastFloor(page: Tab): Promise<void> {
  await page.waitForFunction((until) => Date.now() >= until, Date.now() + 1_050);
}
