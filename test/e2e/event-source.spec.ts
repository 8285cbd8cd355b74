import type { AuthEventSourceOptions } from '../../src/page/index.js';
import { WORKER_NETWORK_ERROR, chromiumOnly, expect, login, seenAt, skipIn, test, type Tab } from './fixtures.js';

/**
 * `auth.eventSource()` against the reference server's /api/events, which keeps every event in
 * one log and replays what follows `Last-Event-ID`. Every scenario asserts that the page received
 * each event exactly once, in order, and reads from the server how the client (re)connected.
 */

interface Seen {
  events: { type: string; data: string; id: string }[];
  errors: { code: string; status: number | null; readyState: number }[];
  opens: number;
}

declare global {
  interface Window {
    source: import('../../src/page/index.js').AuthEventSource;
    seen: Seen;
  }
}

/** Opens `auth.eventSource(url)` in the tab, recording messages, `notice` events, errors and opens. */
async function openSource(page: Tab, url = '/api/events', options: AuthEventSourceOptions = { retry: 50 }): Promise<void> {
  await page.evaluate(
    ({ url, options }) => {
      const seen: Seen = { events: [], errors: [], opens: 0 };
      window.seen = seen;
      const source = window.auth.eventSource(url, options);
      window.source = source;
      const record = (event: MessageEvent) => seen.events.push({ type: event.type, data: event.data as string, id: event.lastEventId });
      source.onmessage = record;
      source.addEventListener('notice', (event) => record(event as MessageEvent));
      source.onopen = () => {
        seen.opens += 1;
      };
      source.onerror = (event) => seen.errors.push({ code: event.code, status: event.status ?? null, readyState: source.readyState });
    },
    { url, options },
  );
}

const waitForOpens = (page: Tab, opens: number) => page.waitForFunction((opens) => window.seen.opens === opens, opens);
const waitForEvents = (page: Tab, count: number) => page.waitForFunction((count) => window.seen.events.length >= count, count);
const seen = (page: Tab) => page.evaluate(() => window.seen);
const ids = (page: Tab) => page.evaluate(() => window.seen.events.map((event) => event.id));

test('delivers messages and named events with their ids, multi-line data intact', async ({ openTab, server }) => {
  const page = await openTab();
  await login(page);
  await openSource(page);
  await waitForOpens(page, 1);
  server.events.emit('first');
  server.events.emit('line one\nline two');
  server.events.emit('{"level":"info"}', 'notice');
  await waitForEvents(page, 3);
  expect((await seen(page)).events).toEqual([
    { type: 'message', data: 'first', id: '1' },
    { type: 'message', data: 'line one\nline two', id: '2' },
    { type: 'notice', data: '{"level":"info"}', id: '3' },
  ]);
  expect(await page.evaluate(() => [window.source.readyState, window.source.lastEventId])).toEqual([1, '3']);
  expect(seenAt(server, '/api/events')).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
});

test.describe('streams dropped at the server', () => {
  // Firefox reports each stream the worker was relaying when it broke as an interception error.
  test.use({ expectedPageErrors: WORKER_NETWORK_ERROR });

  test('a dropped stream reconnects and resumes with Last-Event-ID: nothing lost, nothing twice', async ({ openTab, server }) => {
    const page = await openTab();
    await login(page);
    await openSource(page);
    await waitForOpens(page, 1);
    server.events.emit('1');
    server.events.emit('2');
    await waitForEvents(page, 2);
    expect(server.events.dropAll()).toBe(1);
    server.events.emit('3'); // while the client is away: replayed from the log on resume
    await waitForOpens(page, 2);
    server.events.emit('4');
    await waitForEvents(page, 4);
    expect(await ids(page)).toEqual(['1', '2', '3', '4']);
    expect(server.events.lastEventIds).toEqual([null, '2']);
    expect((await seen(page)).errors).toEqual([{ code: 'reconnecting', status: null, readyState: 0 }]);
  });

  test('a token revoked mid-stream: the reconnect is refreshed and replayed by the worker, and resumes', async ({ openTab, server }) => {
    const page = await openTab();
    await login(page);
    await openSource(page);
    await waitForOpens(page, 1);
    server.events.emit('1');
    await waitForEvents(page, 1);
    server.revokeAccessTokens();
    server.resetCounters();
    server.events.dropAll();
    server.events.emit('2');
    await waitForEvents(page, 2);
    expect(await ids(page)).toEqual(['1', '2']);
    expect(server.counters.unauthorizedSent).toBe(1);
    expect(server.counters.refreshCalls).toBe(1);
    expect(seenAt(server, '/api/events')).toEqual({ withAuthorization: 2, withoutAuthorization: 0 });
    expect(server.events.lastEventIds).toEqual([null, '1']);
  });

  test('honours the server’s retry: the reconnect waits at least that long', async ({ openTab, server }) => {
    server.events.retryMs = 1500;
    const page = await openTab();
    await login(page);
    await openSource(page); // its own reconnection time is 50 ms; the server's retry: replaces it
    await waitForOpens(page, 1);
    const dropped = Date.now();
    server.events.dropAll();
    await waitForOpens(page, 2);
    const waited = (server.events.connectedAt[1] ?? 0) - dropped;
    expect(waited).toBeGreaterThanOrEqual(1500);
    // Jitter adds up to half again; far below the 30 s cap.
    expect(waited).toBeLessThan(1500 * 1.5 + 2000);
  });
});

test.describe('worker stopped mid-stream', () => {
  test.skip(({ serviceWorkersBlocked }) => serviceWorkersBlocked, 'page mode has no worker to stop');
  chromiumOnly(
    'stopping a worker that is serving a stream needs CDP (ServiceWorker.stopAllWorkers): Firefox stops only idle workers, WebKit none',
  );

  test('survives the browser stopping the worker mid-stream: nothing lost, nothing twice', async ({ openTab, server, session }) => {
    const page = await openTab();
    await login(page);
    await openSource(page);
    await waitForOpens(page, 1);
    for (const data of ['1', '2', '3']) server.events.emit(data);
    await waitForEvents(page, 3);
    await session.stopWorkers();
    for (const data of ['4', '5', '6']) server.events.emit(data);
    await waitForEvents(page, 6);
    expect(await ids(page)).toEqual(['1', '2', '3', '4', '5', '6']);
    // Chromium ends a stream that a stopped worker was answering: the source resumed after 3.
    expect(server.events.lastEventIds).toEqual([null, '3']);
  });
});

test.describe('browser offline', () => {
  chromiumOnly("offline emulation that reaches the worker's own fetches exists only in Chromium (context.setOffline)");
  test.use({ expectedPageErrors: WORKER_NETWORK_ERROR });

  test('pauses while offline and resumes when the browser is back online: nothing lost, nothing twice', async ({
    openTab,
    server,
    context,
  }) => {
    const page = await openTab();
    await login(page);
    await openSource(page, '/api/events', { retry: 200 });
    await waitForOpens(page, 1);
    server.events.emit('1');
    await waitForEvents(page, 1);
    await context.setOffline(true);
    // Offline, the source drops its stream and waits for the network: no timer, no attempts.
    await page.waitForFunction(() => window.source.readyState === 0 && window.seen.errors.length === 1);
    server.events.emit('2');
    await context.setOffline(false);
    await waitForEvents(page, 2);
    expect(await ids(page)).toEqual(['1', '2']);
    expect(server.events.lastEventIds).toEqual([null, '1']);
    // Playwright ends the worker's offline emulation a moment after the page's online event, so
    // the first attempt may still fail; the short reconnection time covers that.
    const { errors } = await seen(page);
    expect(errors[0]).toEqual({ code: 'reconnecting', status: null, readyState: 0 });
    expect(errors.every((error) => error.code === 'reconnecting')).toBe(true);
  });
});

test.describe('the stream ends at the server', () => {
  skipIn({
    firefox: "Firefox keeps the worker's upstream request open when the page closes a stream the worker answers (seen open 10 s later)",
  });

  test('closes on logout in every tab, and the server sees the stream end', async ({ openTab, server }) => {
    const page = await openTab();
    await login(page);
    await openSource(page);
    await waitForOpens(page, 1);
    const other = await openTab();
    await other.evaluate(() => window.auth.logout());
    await page.waitForFunction(() => window.source.readyState === 2);
    expect((await seen(page)).errors).toEqual([{ code: 'session_ended', status: null, readyState: 2 }]);
    expect(server.events.lastEventIds, 'one connection so far').toEqual([null]);
    await expect.poll(() => server.events.openStreams(), 'the stream the page aborted has ended at the server').toBe(0);
    expect(server.events.lastEventIds, 'and no reconnection').toEqual([null]);
  });

  test('close() ends it like EventSource: no error event, no reconnect, the server sees it end', async ({ openTab, server }) => {
    const page = await openTab();
    await login(page);
    await openSource(page);
    await waitForOpens(page, 1);
    const readyState = await page.evaluate(() => {
      window.source.close();
      return window.source.readyState;
    });
    expect(readyState).toBe(2);
    await expect.poll(() => server.events.openStreams()).toBe(0);
    expect((await seen(page)).errors).toEqual([]);
  });
});
test('ends for good on an answer retrying cannot fix: not an event stream, a 404, or a 401 without a session', async ({ openTab }) => {
  const page = await openTab();
  for (const [url, code, status] of [
    ['/api/media/avatar.png', 'http_status', 401],
    ['/api/nowhere', 'http_status', 401],
  ] as const) {
    await openSource(page, url);
    await page.waitForFunction(() => window.source.readyState === 2);
    expect((await seen(page)).errors, url).toEqual([{ code, status, readyState: 2 }]);
  }
  await login(page);
  for (const [url, code, status] of [
    ['/api/me', 'content_type', 200],
    ['/api/nowhere', 'http_status', 404],
  ] as const) {
    await openSource(page, url);
    await page.waitForFunction(() => window.source.readyState === 2);
    expect((await seen(page)).errors, url).toEqual([{ code, status, readyState: 2 }]);
  }
});
