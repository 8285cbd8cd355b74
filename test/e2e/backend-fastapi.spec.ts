import type { SocketLogEntry } from './socket-fixtures.js';
import {
  FASTAPI_CONFIG,
  expect,
  expectNoTokenInState,
  jwtPayloads,
  pageFetch,
  test,
  type RunningBackend,
  type Tab,
} from './backend-fixtures.js';

/**
 * FastAPI (demo/backends/fastapi): OAuth2PasswordRequestForm login, a refresh endpoint that
 * answers without a new refresh token, and the chat WebSocket of report 001, which takes the
 * access token from `?token=` and closes with 4003 when it expires.
 */
test.use({ backendKind: 'fastapi' });

interface FastApiCounters {
  refreshCalls: number;
  refreshSuccesses: number;
  unauthorizedSent: number;
  logoutCalls: number;
  wsAccepted: number;
  wsRejected: number;
  wsClosedAtExpiry: number;
  byPath: Record<string, { withAuthorization: number; withoutAuthorization: number }>;
  refreshTokensIssued: number;
  refreshTokensPresented: number;
  presentedWereIssued: boolean;
  distinctRefreshTokensPresented: number;
  chat: string[];
}

const counters = async (backend: RunningBackend): Promise<FastApiCounters> => (await backend.counters()) as unknown as FastApiCounters;

const formLogin = (page: Tab) =>
  page.evaluate(async () => (await window.auth.login(new URLSearchParams({ username: 'demo', password: 'demo' }))).status);

test('form login through auth.login(new URLSearchParams(...)); API requests carry the token', async ({ openTab, backend }) => {
  const page = await openTab(FASTAPI_CONFIG);
  expect(await formLogin(page)).toBe('authenticated');
  await expectNoTokenInState(page);

  expect(await pageFetch(page, '/api/me')).toEqual({ status: 200, text: JSON.stringify({ username: 'demo' }) });
  const seen = await counters(backend);
  expect(seen.byPath['/api/auth/token']).toEqual({ withAuthorization: 0, withoutAuthorization: 1 });
  expect(seen.byPath['/api/me']).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
  expect(seen.unauthorizedSent).toBe(0);
});

test("a wrong password is the backend's 400, and no session", async ({ openTab }) => {
  const page = await openTab(FASTAPI_CONFIG);
  const failure = await page.evaluate(async () => {
    try {
      await window.auth.login(new URLSearchParams({ username: 'demo', password: 'wrong' }));
      return null;
    } catch (error) {
      const { name, code, status } = error as { name: string; code: string; status: number };
      return { name, code, status };
    }
  });
  expect(failure).toEqual({ name: 'LoginError', code: 'login_failed', status: 400 });
  expect(await page.evaluate(() => window.auth.state.status)).toBe('anonymous');
});

test("the app's own form login is captured: the page's copy has no refresh_token", async ({ openTab }) => {
  const page = await openTab(FASTAPI_CONFIG);
  const response = await pageFetch(page, '/api/auth/token', { form: { username: 'demo', password: 'demo' } });
  expect(response.status).toBe(200);
  expect(Object.keys(JSON.parse(response.text))).toEqual(['access_token', 'token_type']);
  expect(jwtPayloads(response.text).map((claims) => claims.type)).toEqual(['access']);
  await page.waitForFunction(() => window.auth.state.status === 'authenticated');
});

test('the refresh token from login is kept across refreshes that return none', async ({ openTab, backend }) => {
  const page = await openTab(FASTAPI_CONFIG);
  expect(await formLogin(page)).toBe('authenticated');
  for (let i = 0; i < 3; i++) expect(await page.evaluate(async () => (await window.auth.refresh()).status)).toBe('authenticated');

  const seen = await counters(backend);
  expect(seen).toMatchObject({ refreshCalls: 3, refreshSuccesses: 3, refreshTokensIssued: 1, refreshTokensPresented: 3 });
  expect(seen.distinctRefreshTokensPresented).toBe(1);
  expect(seen.presentedWereIssued).toBe(true);
  expect((await pageFetch(page, '/api/me')).status).toBe(200);
});

test('the ?token= WebSocket survives several expiries: 4003 at each, one refresh, a reconnect with the new token', async ({
  openTab,
  backend,
}) => {
  // Tokens live 2 s; refreshAhead 0 so it is the server's 4003 at expiry that drives each refresh.
  const page = await openTab({ ...FASTAPI_CONFIG, refreshAhead: 0 });
  await backend.setAccessTtl(2);
  expect(await formLogin(page)).toBe('authenticated');
  await page.evaluate(() => {
    const log: SocketLogEntry[] = [];
    (window as unknown as { chatLog: SocketLogEntry[] }).chatLog = log;
    const socket = window.auth.socket('/ws/chat', { auth: 'query', queryParam: 'token' });
    (window as unknown as { chat: typeof socket }).chat = socket;
    const at = (): number => performance.now();
    socket.addEventListener('open', () => log.push({ type: 'open', at: at() }));
    socket.addEventListener('message', (event) => log.push({ type: 'message', at: at(), data: String(event.data) }));
    socket.addEventListener('reconnecting', (event) =>
      log.push({ type: 'reconnecting', at: at(), reason: event.reason, code: event.code }),
    );
    socket.addEventListener('error', (event) =>
      log.push({ type: 'error', at: at(), error: { code: event.error.code, fatal: event.error.fatal, message: event.error.message } }),
    );
    socket.addEventListener('close', (event) => log.push({ type: 'close', at: at(), code: event.code }));
  });
  const log = (): Promise<SocketLogEntry[]> => page.evaluate(() => (window as unknown as { chatLog: SocketLogEntry[] }).chatLog);

  // Three expiries, each followed by a connection with a fresh token.
  await expect.poll(async () => (await counters(backend)).wsClosedAtExpiry, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  await expect
    .poll(async () => (await log()).filter((entry) => entry.type === 'open').length, { timeout: 10_000 })
    .toBeGreaterThanOrEqual(4);

  await page.evaluate(() =>
    (window as unknown as { chat: { send(data: string): void } }).chat.send(JSON.stringify({ text: 'still here' })),
  );
  await page.waitForFunction(() =>
    (window as unknown as { chatLog: SocketLogEntry[] }).chatLog.some((entry) => entry.data?.includes('still here')),
  );

  const entries = await log();
  const reconnects = entries.filter((entry) => entry.type === 'reconnecting');
  expect(reconnects.length).toBeGreaterThanOrEqual(3);
  for (const reconnect of reconnects) expect(reconnect).toMatchObject({ code: 4003 });
  expect(entries.filter((entry) => entry.type === 'error' || entry.type === 'close')).toEqual([]);
  const seen = await counters(backend);
  // Every connection the socket made carried a token the server accepted: none was stale.
  expect(seen.wsRejected).toBe(0);
  expect(seen.wsAccepted).toBe(entries.filter((entry) => entry.type === 'open').length);
  expect(seen.refreshSuccesses).toBeGreaterThanOrEqual(3);
  expect(seen.distinctRefreshTokensPresented).toBe(1);
  expect(seen.chat).toEqual(['still here']);
  await page.evaluate(() => (window as unknown as { chat: { close(): void } }).chat.close());
});
