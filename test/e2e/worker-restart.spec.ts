import { releaseHeldRefreshes } from '../../demo/server/knobs.js';
import { CANNOT_STOP_WORKERS, JSON_CONFIG, apiFetch, chromiumOnly, expect, login, seenAt, skipIn, test } from './fixtures.js';

skipIn(CANNOT_STOP_WORKERS);
test.use({ stoppableWorkers: true });

test('after the browser stops the worker, requests are still authenticated and the bridge reconnects', async ({
  openTab,
  server,
  session,
}) => {
  const page = await openTab();
  await login(page);

  await session.stopWorkers();

  const me = await apiFetch(page, '/api/me');
  expect(me).toMatchObject({ status: 200, body: { sub: 'demo' } });
  expect(seenAt(server, '/api/me').withAuthorization).toBe(1);

  expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
  // A second stop, then control calls (not fetches) must wake the worker through a fresh port.
  await session.stopWorkers();
  const token = await page.evaluate(() => window.auth.accessToken());
  expect(token.split('.')).toHaveLength(3);
  const state = await page.evaluate(() => window.auth.refresh());
  expect(state.status).toBe('authenticated');
  expect(server.counters.refreshSuccess).toBe(1);
});

test.describe('stopped in the middle of a call', () => {
  skipIn({
    firefox: 'Firefox stops only idle workers, and a worker with a pending call is never idle: the page probes it every second',
  });

  test('a control call in flight when the browser stops the worker is sent again to the new worker, promptly and with one refresh', async ({
    openTab,
    server,
    session,
  }) => {
    const page = await openTab();
    await login(page);
    server.knobs.refresh = 'hold'; // the worker's refresh waits at the server...
    await page.evaluate(() => {
      const started = Date.now();
      (window as unknown as { pending: Promise<unknown> }).pending = window.auth.refresh().then(
        (state) => ({ status: state.status, ms: Date.now() - started }),
        (error: { code: string }) => ({ error: error.code, ms: Date.now() - started }),
      );
    });
    await expect.poll(() => server.counters.refreshCalls).toBe(1);
    // ...and the browser stops the worker while it waits: the call's port dies with it.
    await session.stopWorkers();
    server.knobs.refresh = 'ok';
    releaseHeldRefreshes(server.knobs); // the held request's client is gone: dropped, nothing rotated

    const outcome = await page.evaluate(() => (window as unknown as { pending: Promise<{ status?: string; ms: number }> }).pending);
    expect(outcome.status).toBe('authenticated');
    expect(outcome.ms).toBeLessThan(5_000); // not the 30 s call timeout
    expect(server.counters.refreshSuccess).toBe(1);
    expect(server.counters.reuseDetections).toBe(0);
    expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
  });
});

test.describe('a tab that loads while the browser stops the worker', () => {
  chromiumOnly("stops the worker at a navigation's first request through CDP, with Playwright's request events");

  test('is controlled but unintercepted (a Chromium bug): it reloads itself once, and then its requests carry the token', async ({
    context,
    openTab,
    server,
    session,
  }) => {
    await login(await openTab());
    let reloads = 0;
    // The bug shows in about one load in four; each try is a fresh tab.
    for (let tries = 0; tries < 40 && reloads === 0; tries++) {
      const page = await context.newPage();
      // The app's start-up: registerAuthProxy on every load of the page, a reload included.
      await page.addInitScript((config) => {
        addEventListener('load', async () => {
          window.auth = await window.swAuthProxy.registerAuthProxy({ config });
        });
      }, JSON_CONFIG);
      let loads = 0;
      page.on('load', () => loads++);
      let stopped: Promise<void> = Promise.resolve();
      page.once('request', () => {
        stopped = session.stopWorkers();
      });
      await page.goto(`${server.url}/`);
      await stopped;
      const before = seenAt(server, '/api/me').withAuthorization;
      // A broken tab answers 401 (no token went out) until its reload; the reload's page, 200.
      await expect.poll(() => authenticatedFetch(page), { timeout: 15_000 }).toBe(true);
      expect(seenAt(server, '/api/me').withAuthorization).toBeGreaterThan(before);
      if (loads > 1) reloads++;
      await page.close();
    }
    expect(reloads, 'the bug did not show in 40 tries: did Chromium fix it?').toBe(1);
  });
});

/** True once the page has its client and a fetch of /api/me succeeds; false while it reloads. */
async function authenticatedFetch(page: import('@playwright/test').Page): Promise<boolean> {
  try {
    return await page.evaluate(async () => 'auth' in window && (await fetch('/api/me')).status === 200);
  } catch {
    return false; // the page navigated (reloaded) during the call
  }
}
