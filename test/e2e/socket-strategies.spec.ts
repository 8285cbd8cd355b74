import type { SocketAuthStrategy } from '../../src/page/index.js';
import { seenAt } from './fixtures.js';
import {
  CHAT_URL,
  SOCKET_CONFIG,
  expect,
  installTracker,
  login,
  openSocket,
  sendChat,
  socketLog,
  test,
  untilServerHas,
  waitForEvents,
} from './socket-fixtures.js';

const STRATEGIES: SocketAuthStrategy[] = ['protocol', 'ticket', 'message', 'query'];

for (const strategy of STRATEGIES) {
  test(`${strategy}: the socket authenticates and carries messages both ways`, async ({ openTab, server }) => {
    const page = await openTab(SOCKET_CONFIG);
    await login(page);
    await installTracker(page);
    await openSocket(page, 'chat', {
      auth: strategy,
      protocols: ['chat.v1'],
      ...(strategy === 'ticket' ? { ticket: { url: '/api/ws-ticket' } } : {}),
    });
    await waitForEvents(page, 'chat', 'open');
    await sendChat(page, 'chat', `hello over ${strategy}`);
    await untilServerHas(server, `hello over ${strategy}`);
    // The server's broadcast comes back to the sender.
    await page.waitForFunction(
      (text) => window.socketLog.chat!.some((entry) => entry.type === 'message' && entry.data?.includes(text)),
      `hello over ${strategy}`,
    );

    expect({ ...server.counters.wsAuthenticatedBy }).toEqual({ [strategy]: 1 });
    expect(server.counters.wsConnectionAttempts).toBe(1);
    expect(server.counters.wsRejected).toBe(0);
    expect(server.counters.wsMessagesReceived).toBe(1);
    // The server selected the app's protocol: never the token, never nothing.
    expect(await page.evaluate(() => window.sockets.chat!.protocol)).toBe('chat.v1');
    if (strategy === 'ticket') {
      expect(server.counters.wsTicketsIssued).toBe(1);
      expect(seenAt(server, '/api/ws-ticket')).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
    }
    if (strategy === 'message') {
      // The acknowledgement is consumed by AuthSocket, not delivered to the app.
      const delivered = (await socketLog(page, 'chat'))
        .filter((entry) => entry.type === 'message')
        .map((entry) => JSON.parse(entry.data!).type);
      expect(delivered).not.toContain('authenticated');
    }
  });
}

for (const strategy of ['protocol', 'message', 'query'] as const) {
  test(`${strategy}: a bad token is refused, one refresh, then an auth_rejected error, not a loop; nothing is flushed into a refused connection`, async ({
    openTab,
    server,
  }) => {
    const page = await openTab(SOCKET_CONFIG);
    await login(page);
    await installTracker(page);
    // The real client, except that every token it hands the socket has a broken signature.
    await page.evaluate(
      ({ url, strategy }) => {
        const auth = window.auth;
        const broken = (token: string): string => `${token.split('.').slice(0, 2).join('.')}.bad-signature`;
        const authority = {
          get state() {
            return auth.state;
          },
          accessToken: async () => broken(await auth.accessToken()),
          refresh: () => auth.refresh(),
          sync: () => auth.sync(),
          subscribe: (listener: Parameters<typeof auth.subscribe>[0]) => auth.subscribe(listener),
        };
        // ack: the socket is open only once the server says it accepted the token.
        const socket = window.trackSocket('bad', new window.swAuthProxy.AuthSocket(authority, url, { auth: strategy, ack: true }));
        socket.send(JSON.stringify({ type: 'chat', text: 'must not be lost silently' }));
      },
      { url: CHAT_URL, strategy },
    );

    await waitForEvents(page, 'bad', 'close');
    const log = await socketLog(page, 'bad');
    expect(log.filter((entry) => entry.type === 'error').map((entry) => entry.error)).toEqual([
      expect.objectContaining({ code: 'auth_rejected', fatal: true }),
      expect.objectContaining({ code: 'unsent_messages', fatal: true }),
    ]);
    expect(server.counters.wsMessagesReceived).toBe(0);
    expect(log.at(-1)).toMatchObject({ type: 'close', code: 4401 });
    expect(log.some((entry) => entry.type === 'open')).toBe(false);
    for (const entry of log) expect(JSON.stringify(entry)).not.toContain('bad-signature');

    // Not a loop: a good socket opened afterwards is the only further attempt the server sees.
    await openSocket(page, 'good', { auth: strategy });
    await waitForEvents(page, 'good', 'open');
    expect(server.counters.wsConnectionAttempts).toBe(3);
    expect(server.counters.wsRejected).toBe(2);
    // With handshake strategies `open` fires at the handshake; the server counts the
    // connection once its asynchronous token check has finished.
    await expect.poll(() => server.counters.wsAuthenticated).toBe(1);
    expect(server.counters.refreshCalls).toBe(1);
  });
}

test('ticket: a ticket works once; presented again it is refused with 4401', async ({ openTab, server }) => {
  const page = await openTab(SOCKET_CONFIG);
  await login(page);
  const codes = await page.evaluate(
    async (url) => {
      const { ticket } = (await (await fetch('/api/ws-ticket', { method: 'POST' })).json()) as { ticket: string };
      const connect = (): Promise<string> =>
        new Promise((resolve) => {
          const ws = new WebSocket(`${url}?ticket=${encodeURIComponent(ticket)}`);
          ws.onmessage = (event) => {
            if (JSON.parse(String(event.data)).type === 'authenticated') {
              resolve('authenticated');
              ws.close();
            }
          };
          ws.onclose = (event) => resolve(`closed ${event.code}`);
        });
      return [await connect(), await connect()];
    },
    new URL(CHAT_URL, server.url.replace('http', 'ws')).href,
  );
  expect(codes).toEqual(['authenticated', 'closed 4401']);
  expect(server.counters.wsAuthenticated).toBe(1);
  expect(server.counters.wsRejected).toBe(1);
});
