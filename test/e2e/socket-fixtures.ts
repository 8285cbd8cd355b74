import { fileURLToPath } from 'node:url';
import type { AuthProxyConfig, AuthSocket, AuthSocketOptions } from '../../src/page/index.js';
import { startServer } from '../../demo/server/server.js';
import { JSON_CONFIG, test as base, type BrowserSession, type Server, type Tab } from './fixtures.js';

export { expect, login, waitForStatus } from './fixtures.js';
export type { Server };

export const CHAT_URL = '/ws/chat';

/**
 * Sockets in tests use the worker's own refresh policy, but with refreshAhead 0: a token is
 * used until it expires, so the server's 4001 at expiry (not a preemptive refresh) is what
 * drives the socket's refresh.
 */
export const SOCKET_CONFIG: AuthProxyConfig = { ...JSON_CONFIG, refreshAhead: 0 };

/** Options that survive serialisation into the page (no functions). */
export type PlainSocketOptions = Omit<AuthSocketOptions, 'message' | 'ack'> & { ack?: boolean };

/** What a tracked socket did, in order, with page timestamps (performance.now()). */
export interface SocketLogEntry {
  type: string;
  at: number;
  code?: number | null;
  reason?: string;
  data?: string;
  error?: { code: string; fatal: boolean; message: string };
  delayMs?: number | null;
}

declare global {
  interface Window {
    sockets: Record<string, AuthSocket>;
    socketLog: Record<string, SocketLogEntry[]>;
    trackSocket: (name: string, socket: AuthSocket) => AuthSocket;
    demo: { chat: AuthSocket | null; strategy: string };
  }
}

const DEMO_APP = fileURLToPath(new URL('../../demo/app/', import.meta.url));

type SocketFixtures = {
  /** The reference server serving the demo app at / (instead of the test harness). */
  demoServer: Server;
  /** Opens a tab on the demo app and waits until it has registered the proxy. */
  openDemo: () => Promise<Tab>;
};

export const test = base.extend<SocketFixtures>({
  demoServer: async ({}, use) => {
    const server = await startServer({ testHooks: true, accessTtl: 300, staticDirs: [{ prefix: '/', dir: DEMO_APP }] });
    await use(server);
    await server.close();
  },
  openDemo: async ({ session, demoServer }, use) => {
    await use(() => openDemo(session, demoServer));
  },
});

async function openDemo(session: BrowserSession, server: Server): Promise<Tab> {
  const page = await session.newTab();
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => 'auth' in window && 'demo' in window);
  return page;
}

/** Defines `window.trackSocket`, which records every event of a socket in `window.socketLog`. */
export async function installTracker(page: Tab): Promise<void> {
  await page.evaluate(() => {
    window.sockets = {};
    window.socketLog = {};
    window.trackSocket = (name, socket) => {
      const entries: SocketLogEntry[] = [];
      window.sockets[name] = socket;
      window.socketLog[name] = entries;
      const at = (): number => performance.now();
      socket.addEventListener('open', () => entries.push({ type: 'open', at: at() }));
      socket.addEventListener('authenticated', () => entries.push({ type: 'authenticated', at: at() }));
      socket.addEventListener('message', (event) => entries.push({ type: 'message', at: at(), data: String(event.data) }));
      socket.addEventListener('reconnecting', (event) =>
        entries.push({ type: 'reconnecting', at: at(), reason: event.reason, code: event.code, delayMs: event.delayMs }),
      );
      socket.addEventListener('error', (event) =>
        entries.push({
          type: 'error',
          at: at(),
          error: { code: event.error.code, fatal: event.error.fatal, message: event.error.message },
        }),
      );
      socket.addEventListener('close', (event) => entries.push({ type: 'close', at: at(), code: event.code, reason: event.reason }));
      return socket;
    };
  });
}

/** Opens `auth.socket(CHAT_URL, options)` in the page as `window.sockets[name]`, tracked. */
export async function openSocket(page: Tab, name: string, options: PlainSocketOptions = {}): Promise<void> {
  await page.evaluate(({ name, url, options }) => void window.trackSocket(name, window.auth.socket(url, options)), {
    name,
    url: CHAT_URL,
    options,
  });
}

/** Waits until the socket has logged `count` events of `type`. */
export async function waitForEvents(page: Tab, name: string, type: string, count = 1): Promise<void> {
  await page.waitForFunction(
    ({ name, type, count }) => (window.socketLog[name] ?? []).filter((entry) => entry.type === type).length >= count,
    { name, type, count },
  );
}

export function socketLog(page: Tab, name: string): Promise<SocketLogEntry[]> {
  return page.evaluate((name) => window.socketLog[name] ?? [], name);
}

/** Sends a chat message on a tracked socket (sent now or buffered). */
export async function sendChat(page: Tab, name: string, text: string): Promise<void> {
  await page.evaluate(({ name, text }) => window.sockets[name]!.send(JSON.stringify({ type: 'chat', text })), { name, text });
}

/** Chat texts in the order the server received them. */
export function chatHistory(server: Server): string[] {
  return server.websockets.history().map((message) => message.text);
}

/** Resolves once the server has received `text` as a chat message. */
export async function untilServerHas(server: Server, text: string): Promise<void> {
  await base.expect.poll(() => chatHistory(server).includes(text)).toBe(true);
}
