import { fileURLToPath } from 'node:url';
import { PlaywrightTab, type BrowserSession, type Tab } from './drivers/index.js';
import { JSON_CONFIG, chromiumOnly, expect, login, test } from './fixtures.js';

const broken = (file: string): string => fileURLToPath(new URL(`./broken-workers/${file}`, import.meta.url));

test.use({
  serverOptions: {
    static: {
      '/syntax-error-sw.js': broken('syntax-error-sw.js'),
      '/install-fails-sw.js': broken('install-fails-sw.js'),
      '/worker-as-text.txt': broken('worker-as-text.txt'),
    },
  },
});

interface Outcome {
  mode?: string;
  name?: string;
  code?: string;
  message?: string;
  cause?: string | null;
}

/** registerAuthProxy in a fresh tab of the harness, with the options given; what it resolved or rejected with. */
async function register(session: BrowserSession, url: string, options: object): Promise<Outcome> {
  const tab = await openHarness(session, url);
  return tab.evaluate(
    (options) =>
      window.swAuthProxy.registerAuthProxy(options).then(
        (auth) => ({ mode: auth.mode }),
        (e: Error & { code: string }) => ({
          name: e.name,
          code: e.code,
          message: e.message,
          cause: e.cause instanceof Error ? e.cause.name : null,
        }),
      ),
    options,
  );
}

test.describe('a worker script that cannot run is a loud error, never a silent switch to page mode', () => {
  const cases = [
    { what: 'a 404', worker: '/auth-proxy-sw.jss', says: 'the server answered 404', cause: true },
    { what: 'the wrong MIME type', worker: '/worker-as-text.txt', says: 'not JavaScript', cause: true },
    { what: 'a syntax error', worker: '/syntax-error-sw.js', says: 'failed to start', cause: true },
    { what: 'a failed install', worker: '/install-fails-sw.js', says: 'failed to install', cause: false },
  ];
  for (const { what, worker, says, cause } of cases) {
    test(`${what}: WorkerUnavailableError naming the script without its ?config= query${cause ? ', the browser reason as cause' : ''}`, async ({
      session,
      server,
    }) => {
      const outcome = await register(session, server.url, { worker, config: JSON_CONFIG });
      expect(outcome.mode).toBeUndefined();
      expect(outcome).toMatchObject({ name: 'WorkerUnavailableError', code: 'worker_unavailable' });
      expect(outcome.message).toContain(`script ${worker}`);
      expect(outcome.message).toContain(says);
      expect(outcome.message).not.toContain('config=');
      if (cause) expect(outcome.cause).not.toBeNull();
    });
  }
});

test('a mistyped config key fails registration with a ConfigError naming it and the option meant', async ({ session, server }) => {
  const outcome = await register(session, server.url, { config: { api: ['/api/'], refreshUrl: '/api/auth/refresh' } });
  expect(outcome).toMatchObject({
    name: 'ConfigError',
    code: 'invalid_config',
    message: 'config.refreshUrl is not an option; did you mean config.refresh.url?',
  });
});

test('the prebuilt worker with no config fails registration and says how to give it one', async ({ session, server }) => {
  const tab = await openHarness(session, server.url);
  const outcome = await tab.evaluate(() =>
    window.swAuthProxy.registerAuthProxy({}).then(
      () => ({ name: 'resolved', code: '', message: '' }),
      (e: Error & { code: string }) => ({ name: e.name, code: e.code, message: e.message }),
    ),
  );
  expect(outcome).toMatchObject({ name: 'ConfigError', code: 'invalid_config' });
  expect(outcome.message).toContain('the prebuilt worker has no config');
  expect(outcome.message).toContain('registerAuthProxy({ config })');
  // It still answers the page's start-up probe: without that the page reloads itself, taking
  // this worker for one that does not see its requests.
  const probe = await tab.evaluate(async () => (await fetch('/sw-auth-proxy-probe')).headers.get('x-sw-auth-proxy'));
  expect(probe).toBe('probe');
});

test.describe('config.debug', () => {
  chromiumOnly("reads what the worker logs through Playwright's console events, which reach a worker's console only in Chromium (CDP)");

  test('the worker logs each decision in one line, and no line holds a token', async ({ context, server }) => {
    const lines: string[] = [];
    context.on('console', (message) => {
      if (message.text().startsWith('sw-auth-proxy:')) lines.push(message.text());
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => 'swAuthProxy' in window);
    await page.evaluate(
      async (config) => {
        window.auth = await window.swAuthProxy.registerAuthProxy({ config });
      },
      { ...JSON_CONFIG, debug: true },
    );
    await login(new PlaywrightTab(page));
    const tokens = [...(await vaultTokens(page))];
    server.revokeAccessTokens();
    await page.evaluate(() => fetch('/api/me'));
    tokens.push(...(await vaultTokens(page)));
    await page.evaluate(async () => {
      // A request the worker sees and passes. (A static asset never reaches it where the browser has
      // static routing: the prebuilt worker sends everything outside the API to the network.)
      await fetch('/api/me', { headers: { Authorization: 'Basic ZGVtbzpkZW1v' } });
      await window.auth.logout();
    });
    const expected = [
      'sw-auth-proxy: capture: token response stored',
      'sw-auth-proxy: GET /api/me: token added (expires in',
      'sw-auth-proxy: refresh: started (after a 401)',
      'sw-auth-proxy: refresh: succeeded',
      'sw-auth-proxy: GET /api/me: 401 invalid_token → refreshed → replayed',
      'sw-auth-proxy: GET /api/me: has its own Authorization header',
      'sw-auth-proxy: logout: session ended; revoking at the server',
    ];
    for (const line of expected) await expect.poll(() => lines.some((seen) => seen.startsWith(line)), { message: line }).toBe(true);
    expect(tokens).toHaveLength(4); // two access and two refresh tokens, from before and after the refresh
    // Not a token, and not even a prefix of one (8 characters is far shorter than any token's header).
    for (const line of lines) for (const token of tokens) expect(line).not.toContain(token.slice(-8));
    for (const line of lines) for (const token of tokens) expect(line).not.toContain(token.slice(0, 8));
  });
});

/** The access and refresh token in the worker's IndexedDB vault, read as page script could. */
function vaultTokens(page: import('@playwright/test').Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('sw-auth-proxy');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const read = open.result.transaction('vault').objectStore('vault').get('session');
          read.onerror = () => reject(read.error);
          read.onsuccess = () => {
            const tokens = (read.result as { tokens: { accessToken: string; refreshToken: string } }).tokens;
            open.result.close();
            resolve([tokens.accessToken, tokens.refreshToken]);
          };
        };
      }),
  );
}

async function openHarness(session: BrowserSession, url: string): Promise<Tab> {
  const tab = await session.newTab();
  await tab.goto(`${url}/`);
  await tab.waitForFunction(() => 'swAuthProxy' in window);
  return tab;
}
