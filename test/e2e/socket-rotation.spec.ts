import {
  CHAT_URL,
  SOCKET_CONFIG,
  chatHistory,
  expect,
  installTracker,
  login,
  openSocket,
  socketLog,
  test,
  untilServerHas,
  waitForEvents,
} from './socket-fixtures.js';

test("onRotate 'message': a refresh re-authenticates the open socket in band, without reconnecting", async ({ openTab, server }) => {
  const page = await openTab(SOCKET_CONFIG);
  await login(page);
  await installTracker(page);
  await openSocket(page, 'chat', { onRotate: 'message', ack: true });
  await waitForEvents(page, 'chat', 'open');

  await page.evaluate(() => window.auth.refresh());
  await waitForEvents(page, 'chat', 'authenticated', 2);
  expect(server.counters.wsReauthenticated).toBe(1);
  expect(server.counters.wsConnectionAttempts).toBe(1);
  expect(server.counters.refreshCalls).toBe(1);
  const log = await socketLog(page, 'chat');
  expect(log.filter((entry) => entry.type === 'open')).toHaveLength(1);
  // The server's acknowledgement was consumed, not handed to the app.
  expect(log.filter((entry) => entry.type === 'message' && entry.data!.includes('"authenticated"'))).toHaveLength(0);
});

test("onRotate 'reconnect': a refresh replaces the connection with one that uses a new ticket; sends in between arrive in order", async ({
  openTab,
  server,
}) => {
  const page = await openTab(SOCKET_CONFIG);
  await login(page);
  await installTracker(page);
  await page.evaluate((url) => {
    const socket = window.trackSocket(
      'chat',
      window.auth.socket(url, { ticket: { url: '/api/ws-ticket' }, onRotate: 'reconnect', ack: true }),
    );
    socket.addEventListener('reconnecting', (event) => {
      if (event.reason === 'rotate') for (const text of ['r1', 'r2', 'r3']) socket.send(JSON.stringify({ type: 'chat', text }));
    });
  }, CHAT_URL);
  await waitForEvents(page, 'chat', 'open');

  await page.evaluate(() => window.auth.refresh());
  await waitForEvents(page, 'chat', 'open', 2);
  await untilServerHas(server, 'r3');
  expect(chatHistory(server)).toEqual(['r1', 'r2', 'r3']);
  expect(server.counters.wsAuthenticatedBy.ticket).toBe(2);
  expect(server.counters.wsTicketsIssued).toBe(2);
  // The old connection was closed by the client with 4000, not by the server.
  await expect.poll(() => ({ ...server.counters.wsClientCloses })).toEqual({ 4000: 1 });
  expect(server.counters.refreshCalls).toBe(1);
});

test('a full send buffer is an error event for the message that did not fit; the rest arrive in order', async ({ openTab, server }) => {
  const page = await openTab(SOCKET_CONFIG);
  await login(page);
  await installTracker(page);
  await page.evaluate((url) => {
    // Sent synchronously after creation, so all three meet a socket that is still connecting.
    const socket = window.trackSocket('chat', window.auth.socket(url, { maxBuffered: 2 }));
    for (const text of ['b1', 'b2', 'b3']) socket.send(JSON.stringify({ type: 'chat', text }));
  }, CHAT_URL);
  await waitForEvents(page, 'chat', 'open');
  await untilServerHas(server, 'b2');

  const errors = (await socketLog(page, 'chat')).filter((entry) => entry.type === 'error');
  expect(errors.map((entry) => entry.error)).toEqual([expect.objectContaining({ code: 'buffer_full', fatal: false })]);
  expect(chatHistory(server)).toEqual(['b1', 'b2']);
  expect(server.counters.wsMessagesReceived).toBe(2);
});
