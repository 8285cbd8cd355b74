import { expect, login, refreshError, test, waitForStatus } from './fixtures.js';

/**
 * The server rotated the refresh token and answered, but the answer never reached the worker
 * (the worker was stopped, or the connection dropped: the 'lose-response' knob). No client can
 * recover an answer it never received; what the library can do is say so, and a server with a
 * short reuse grace period (RFC 9700 §4.14.2 allows one) can keep the session.
 */
test('strict reuse detection: the next refresh ends the session, and the error says the earlier answer was lost', async ({
  openTab,
  server,
}) => {
  const page = await openTab();
  await login(page);
  await page.evaluate(() => {
    (window as unknown as { expiredEvents: number }).expiredEvents = 0;
    window.auth.subscribe((_, event) => {
      if (event.type === 'expired') (window as unknown as { expiredEvents: number }).expiredEvents++;
    });
  });
  server.knobs.refresh = 'lose-response';
  expect(await refreshError(page)).toEqual({ name: 'RefreshError', code: 'refresh_unavailable' });
  expect(server.counters.refreshSuccess).toBe(1); // rotated at the server
  await waitForStatus(page, 'offline'); // the session is kept: nobody knows yet what happened

  // Presenting the only refresh token we hold again is reuse to an RFC 9700 server. (Chromium
  // may already have retried the POST itself after the reset, which the server also sees as reuse.)
  server.knobs.refresh = 'ok';
  expect(await refreshError(page)).toEqual({ name: 'RefreshError', code: 'refresh_response_lost' });
  expect(server.counters.reuseDetections).toBeGreaterThanOrEqual(1);
  expect(server.counters.refreshSuccess).toBe(1);
  await waitForStatus(page, 'expired');
  expect(await page.evaluate(() => window.auth.state.error?.message)).toContain("an earlier refresh's answer was lost");
  expect(await page.evaluate(() => (window as unknown as { expiredEvents: number }).expiredEvents)).toBe(1);
});

test('with a reuse grace period at the server, the retry is answered and the session is kept', async ({ openTab, server }) => {
  const page = await openTab();
  await login(page);
  server.knobs.reuseGrace = 30;
  server.knobs.refresh = 'lose-response';
  expect((await refreshError(page))?.code).toBe('refresh_unavailable');

  server.knobs.refresh = 'ok';
  expect(await refreshError(page)).toBeNull();
  await waitForStatus(page, 'authenticated');
  // At least our retry was within the grace period (Chromium's own retry of the reset POST may be too).
  expect(server.counters.reuseGraceAccepted).toBeGreaterThanOrEqual(1);
  expect(server.counters.reuseDetections).toBe(0);
  // The pair from the grace answer is the one that lives on: it refreshes normally.
  expect(await refreshError(page)).toBeNull();
  expect(server.counters.reuseDetections).toBe(0);
});
