import { refreshError, type Tab } from './fixtures.js';
import { SOCKET_CONFIG, expect, login, test, waitForStatus, type Server } from './socket-fixtures.js';

/** What a tab saw: its mirrored state changing, or its UI (the session badge) changing. */
interface Sighting {
  source: 'state' | 'ui';
  status: string;
  expiresAt: string;
  at: number;
}

declare global {
  interface Window {
    sightings: Sighting[];
  }
}

/** Records, with Date.now() (one clock for every tab), each change of auth.state and of the badge. */
async function watch(page: Tab): Promise<void> {
  await page.evaluate(() => {
    window.sightings = [];
    const badge = document.getElementById('session-badge')!;
    window.auth.subscribe((state) =>
      window.sightings.push({ source: 'state', status: state.status, expiresAt: String(state.expiresAt ?? ''), at: Date.now() }),
    );
    new MutationObserver(() =>
      window.sightings.push({
        source: 'ui',
        status: badge.dataset.status ?? '',
        expiresAt: badge.dataset.expiresAt ?? '',
        at: Date.now(),
      }),
    ).observe(badge, {
      attributes: true,
      attributeFilter: ['data-status', 'data-expires-at'],
    });
  });
}

/** When `page` first saw `match` in its state and in its UI. */
async function firstSeen(page: Tab, match: { status: string; expiresAt?: string }): Promise<{ state: number; ui: number }> {
  const condition =
    ({ status, expiresAt }: { status: string; expiresAt?: string }, source: string): ((s: Sighting) => boolean) =>
    (s) =>
      s.source === source && s.status === status && (expiresAt === undefined || s.expiresAt === expiresAt);
  await page.waitForFunction(
    ({ status, expiresAt }) =>
      ['state', 'ui'].every((source) =>
        window.sightings.some((s) => s.source === source && s.status === status && (expiresAt === undefined || s.expiresAt === expiresAt)),
      ),
    match,
  );
  const sightings = await page.evaluate(() => window.sightings);
  return { state: sightings.find(condition(match, 'state'))!.at, ui: sightings.find(condition(match, 'ui'))!.at };
}

async function signInThroughUi(page: Tab): Promise<void> {
  await page.evaluate(() => document.querySelector<HTMLButtonElement>('#login button')!.click());
  await waitForStatus(page, 'authenticated');
}

/** Resolves once the element matching `selector` has `data-status` `status`. */
async function untilDataStatus(page: Tab, selector: string, status: string): Promise<void> {
  await page.waitForFunction(({ selector, status }) => document.querySelector<HTMLElement>(selector)?.dataset.status === status, {
    selector,
    status,
  });
}

async function untilChatsOpen(tabs: Tab[], server: Server): Promise<void> {
  for (const tab of tabs) await tab.waitForFunction(() => window.demo.chat?.readyState === 1);
  expect(server.websockets.openConnections()).toBe(tabs.length);
}

test('three tabs: a refresh in one reaches the state and UI of every tab', async ({ openDemo, demoServer }) => {
  const tabs = [await openDemo(), await openDemo(), await openDemo()];
  await signInThroughUi(tabs[0]!);
  await untilChatsOpen(tabs, demoServer);
  for (const tab of tabs) await watch(tab);

  // How fast is a benchmark's business (npm run bench); here: every tab's state and UI follow.
  const { startedAt, expiresAt } = await tabs[1]!.evaluate(async () => {
    const startedAt = Date.now();
    const state = await window.auth.refresh();
    return { startedAt, expiresAt: String(state.expiresAt) };
  });
  for (const tab of tabs) {
    const seen = await firstSeen(tab, { status: 'authenticated', expiresAt });
    expect(seen.state).toBeGreaterThanOrEqual(startedAt);
    expect(seen.ui).toBeGreaterThanOrEqual(startedAt);
  }
  expect(demoServer.counters.refreshCalls).toBe(1);
});

test('three tabs: logout in one reaches every tab and closes every socket with 1000', async ({ openDemo, demoServer }) => {
  const tabs = [await openDemo(), await openDemo(), await openDemo()];
  await signInThroughUi(tabs[0]!);
  await untilChatsOpen(tabs, demoServer);
  for (const tab of tabs) await watch(tab);

  const startedAt = await tabs[2]!.evaluate(() => {
    const startedAt = Date.now();
    void window.auth.logout();
    return startedAt;
  });
  for (const tab of tabs) {
    const seen = await firstSeen(tab, { status: 'anonymous' });
    expect(seen.state).toBeGreaterThanOrEqual(startedAt);
    expect(seen.ui).toBeGreaterThanOrEqual(startedAt);
    await tab.waitForFunction(() => window.demo.chat === null);
    await untilDataStatus(tab, '#chat-status', 'closed');
    await tab.waitForFunction(() => document.querySelector<HTMLElement>('#signin')?.checkVisibility() === true);
  }
  // Closes as the server saw them: one 1000 per tab, none left open.
  await expect.poll(() => ({ ...demoServer.counters.wsClientCloses })).toEqual({ 1000: 3 });
  expect(demoServer.websockets.openConnections()).toBe(0);
});

test('a tab opened later shows the current session at once', async ({ openDemo }) => {
  const first = await openDemo();
  await signInThroughUi(first);
  const late = await openDemo();
  // openDemo resolves once registerAuthProxy has returned: the state must already be there.
  expect(await late.evaluate(() => window.auth.state.status)).toBe('authenticated');
  await untilDataStatus(late, '#session-badge', 'authenticated');
});

test('onExpired and loginUrl act in every tab when the refresh token is refused, never on a network failure', async ({
  session,
  server,
}) => {
  const open = async (options: { onExpired?: boolean; loginUrl?: string }): Promise<Tab> => {
    const page = await session.newTab();
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => 'swAuthProxy' in window);
    await page.evaluate(
      async ({ config, onExpired, loginUrl }) => {
        (window as unknown as { expiredCalls: string[] }).expiredCalls = [];
        window.auth = await window.swAuthProxy.registerAuthProxy({
          config,
          ...(onExpired
            ? {
                onExpired: (state, event) =>
                  (window as unknown as { expiredCalls: string[] }).expiredCalls.push(`${state.status}/${event.type}`),
              }
            : {}),
          ...(loginUrl === undefined ? {} : { loginUrl }),
        });
      },
      { config: SOCKET_CONFIG, onExpired: options.onExpired ?? false, loginUrl: options.loginUrl },
    );
    return page;
  };
  const expiredCalls = (page: Tab): Promise<string[]> =>
    page.evaluate(() => (window as unknown as { expiredCalls: string[] }).expiredCalls);
  const withHook = await open({ onExpired: true });
  const withLoginUrl = await open({ loginUrl: '/login?from=expired' });
  await login(withHook);

  server.knobs.refresh = 'error500';
  expect(await refreshError(withHook)).toEqual({ name: 'RefreshError', code: 'refresh_unavailable' });
  for (const tab of [withHook, withLoginUrl]) await waitForStatus(tab, 'offline');
  expect(await expiredCalls(withHook)).toEqual([]);
  expect(new URL(await withLoginUrl.url()).pathname).toBe('/');

  server.knobs.refresh = 'invalid_grant';
  expect(await refreshError(withHook)).toEqual({ name: 'RefreshError', code: 'refresh_rejected' });
  await expect.poll(() => withLoginUrl.url()).toBe(`${server.url}/login?from=expired`);
  await withHook.waitForFunction(() => (window as unknown as { expiredCalls: string[] }).expiredCalls.length > 0);
  expect(await expiredCalls(withHook)).toEqual(['expired/expired']);
  expect(server.counters.refreshCalls).toBe(2);
});
