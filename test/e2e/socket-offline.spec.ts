import { playwrightPage } from './drivers/index.js';
import { chromiumOnly, refreshError } from './fixtures.js';
import {
  SOCKET_CONFIG,
  chatHistory,
  expect,
  installTracker,
  login,
  openSocket,
  sendChat,
  socketLog,
  test,
  untilServerHas,
  waitForEvents,
  waitForStatus,
} from './socket-fixtures.js';

chromiumOnly(
  "needs offline emulation that reaches the page's WebSockets and the worker's fetches (context.setOffline), and Playwright's count of WebSocket objects",
);

declare global {
  interface Window {
    onlineAt: number | null;
  }
}

test('offline: the socket pauses without a reconnect storm, buffers sends, and reconnects within 2 s of coming back', async ({
  context,
  openTab,
  server,
}) => {
  // The page's timers run on Playwright's clock (time flows as usual), so the test can move
  // time past the backoff at once instead of waiting it out.
  await context.clock.install();
  const page = await openTab(SOCKET_CONFIG);
  await login(page);
  await installTracker(page);
  // A short backoff, so that a socket retrying while offline would make many attempts.
  await openSocket(page, 'chat', { protocols: ['chat.v1'], ack: true, backoff: { baseMs: 100, maxMs: 400 } });
  await waitForEvents(page, 'chat', 'open');
  // Chromium's own count of WebSocket objects the page creates: attempts that never reach the server count too.
  let created = 0;
  playwrightPage(page).on('websocket', () => created++);
  await page.evaluate(() => {
    window.onlineAt = null;
    addEventListener('online', () => (window.onlineAt = performance.now()));
  });

  await context.setOffline(true);
  await waitForEvents(page, 'chat', 'reconnecting');
  expect((await socketLog(page, 'chat')).at(-1)).toMatchObject({ type: 'reconnecting', reason: 'offline', delayMs: null });
  expect(await page.evaluate(() => window.sockets.chat!.status)).toBe('offline');
  // The session is kept, and says so: a refresh attempted now fails as a network problem.
  expect(await refreshError(page)).toEqual({ name: 'RefreshError', code: 'refresh_unavailable' });
  await waitForStatus(page, 'offline');
  await sendChat(page, 'chat', 'offline-1');
  await sendChat(page, 'chat', 'offline-2');
  expect(await page.evaluate(() => window.sockets.chat!.queuedMessages)).toBe(2);

  // With a 100-400 ms backoff, a socket that kept retrying while offline would create several
  // WebSockets within 2 s: fire every timer due in the next 2 s of the page's time.
  await context.clock.runFor(2000);
  expect(created).toBe(0);
  expect(server.counters.wsConnectionAttempts).toBe(1);

  await context.setOffline(false);
  await waitForEvents(page, 'chat', 'open', 2);
  const reopened = (await socketLog(page, 'chat')).filter((entry) => entry.type === 'open')[1]!;
  const onlineAt = await page.evaluate(() => window.onlineAt);
  expect(onlineAt).not.toBeNull();
  expect(reopened.at - onlineAt!).toBeLessThan(2000);

  await untilServerHas(server, 'offline-2');
  expect(chatHistory(server)).toEqual(['offline-1', 'offline-2']);
  expect(server.counters.wsMessagesReceived).toBe(2);
  expect(server.counters.wsConnectionAttempts).toBe(2);
  expect(server.counters.wsAuthenticated).toBe(2);
  expect(created).toBe(1);
  // Back online, the client retries the refresh at once and the session is whole again.
  await waitForStatus(page, 'authenticated');
});
