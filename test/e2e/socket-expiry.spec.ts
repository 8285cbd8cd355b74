import {
  CHAT_URL,
  SOCKET_CONFIG,
  chatHistory,
  expect,
  installTracker,
  login,
  sendChat,
  socketLog,
  test,
  untilServerHas,
  waitForEvents,
  waitForStatus,
} from './socket-fixtures.js';

const GAP = ['gap-1', 'gap-2', 'gap-3', 'gap-4', 'gap-5'];

test('token expiry: the server closes with 4001, one refresh, reconnected within 2 s, messages sent in the gap arrive once and in order', async ({
  openTab,
  server,
}) => {
  const page = await openTab(SOCKET_CONFIG);
  // Expiry in time is what is under test: the first token lives 2 s, the refreshed one 300 s.
  server.knobs.accessTtl = 2;
  await login(page);
  server.knobs.accessTtl = 300;
  await installTracker(page);
  await page.evaluate(
    ({ url, gap }) => {
      const socket = window.trackSocket('chat', window.auth.socket(url, { protocols: ['chat.v1'] }));
      // Send the moment the socket learns of the close: these can only travel on the next connection.
      socket.addEventListener('reconnecting', (event) => {
        if (event.reason === 'auth') for (const text of gap) socket.send(JSON.stringify({ type: 'chat', text }));
      });
    },
    { url: CHAT_URL, gap: GAP },
  );

  await waitForEvents(page, 'chat', 'open');
  await sendChat(page, 'chat', 'before');
  await untilServerHas(server, 'before');
  await waitForEvents(page, 'chat', 'open', 2);
  await untilServerHas(server, GAP.at(-1)!);

  const log = await socketLog(page, 'chat');
  const closed = log.find((entry) => entry.type === 'reconnecting');
  const reopened = log.filter((entry) => entry.type === 'open')[1]!;
  expect(closed).toMatchObject({ reason: 'auth', code: 4001 });
  expect(reopened.at - closed!.at).toBeLessThan(2000);

  expect(server.counters.refreshCalls).toBe(1);
  expect(server.counters.refreshSuccess).toBe(1);
  expect(server.counters.wsConnectionAttempts).toBe(2);
  expect(server.counters.wsAuthenticated).toBe(2);
  expect(server.counters.wsRejected).toBe(0);
  expect(chatHistory(server)).toEqual(['before', ...GAP]);
  expect(server.counters.wsMessagesReceived).toBe(1 + GAP.length);
  expect(log.some((entry) => entry.type === 'error' || entry.type === 'close')).toBe(false);
});

test('a refresh that ends the session stops the socket and says why, without reconnecting', async ({ openTab, server }) => {
  const page = await openTab(SOCKET_CONFIG);
  // As above, the token must expire at the server while the socket is open: 2 s.
  server.knobs.accessTtl = 2;
  await login(page);
  server.knobs.refresh = 'invalid_grant';
  await installTracker(page);
  await page.evaluate((url) => void window.trackSocket('chat', window.auth.socket(url)), CHAT_URL);

  await waitForEvents(page, 'chat', 'close');
  const log = await socketLog(page, 'chat');
  expect(log.find((entry) => entry.type === 'reconnecting')).toMatchObject({ reason: 'auth', code: 4001 });
  expect(log.find((entry) => entry.type === 'error')?.error).toMatchObject({ code: 'session_ended', fatal: true });
  expect(log.at(-1)).toMatchObject({ type: 'close', code: 1000 });
  expect(log.filter((entry) => entry.type === 'error')).toHaveLength(1);
  await waitForStatus(page, 'expired');
  expect(await page.evaluate(() => window.sockets.chat!.readyState)).toBe(3);
  expect(server.counters.refreshCalls).toBe(1);
  expect(server.counters.wsConnectionAttempts).toBe(1);
});

test.describe('a server clock 1.5 s ahead, tokens without expires_in', () => {
  // Below the 2 s the offset estimate can resolve (Date header and iat have one-second
  // resolution), so the worker takes the JWT exp as if it were on the local clock: the server
  // closes each connection 1.5 s before the worker thinks the token expires.
  test.use({ serverOptions: { clockOffset: 1.5 } });

  test('the socket survives consecutive expiries: a close at expiry is a refresh, not a refusal', async ({ openTab, server }) => {
    server.knobs.tokenShape = 'no-expires-in';
    server.knobs.accessTtl = 3;
    const page = await openTab(SOCKET_CONFIG);
    await login(page);
    await installTracker(page);
    await page.evaluate((url) => void window.trackSocket('chat', window.auth.socket(url, { protocols: ['chat.v1'] })), CHAT_URL);

    // Three expiries, each followed by a connection with a fresh token.
    await waitForEvents(page, 'chat', 'open', 4);
    await sendChat(page, 'chat', 'after three expiries');
    await untilServerHas(server, 'after three expiries');

    const log = await socketLog(page, 'chat');
    expect(log.filter((entry) => entry.type === 'reconnecting').map((entry) => entry.code)).toEqual([4001, 4001, 4001]);
    expect(log.some((entry) => entry.type === 'error' || entry.type === 'close')).toBe(false);
    // Every connection was admitted: the worker never presented a token the server had already expired.
    expect(server.counters.wsRejected).toBe(0);
    expect(server.counters.wsAuthenticated).toBe(4);
    expect(server.counters.refreshSuccess).toBe(3);
  });
});
