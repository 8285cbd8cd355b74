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

test.describe('a controlled page whose requests bypass the worker', () => {
  chromiumOnly('makes requests bypass the worker with CDP\'s Network.setBypassServiceWorker (DevTools\' "Bypass for network")');

  /** A tab whose start-up, on every load (a reload included), is registerAuthProxy; counts its loads. */
  async function appTab(context: import('@playwright/test').BrowserContext) {
    const page = await context.newPage();
    await page.addInitScript((config) => {
      addEventListener('load', async () => {
        window.auth = await window.swAuthProxy.registerAuthProxy({ config });
      });
    }, JSON_CONFIG);
    const tab = { page, loads: 0 };
    page.on('load', () => tab.loads++);
    return tab;
  }

  test('reloads itself once when the start-up probe reaches the server, and then its requests carry the token', async ({
    context,
    openTab,
    server,
  }) => {
    await login(await openTab());
    const tab = await appTab(context);
    const cdp = await context.newCDPSession(tab.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setBypassServiceWorker', { bypass: true });
    // The first load is the broken one; its probe, answered by the server, is held until the
    // bypass is off again, so the reload finds the worker.
    await tab.page.route('**/sw-auth-proxy-probe', async (route) => {
      await cdp.send('Network.setBypassServiceWorker', { bypass: false });
      await route.fulfill({ status: 404 });
    });
    await tab.page.goto(`${server.url}/`);
    await expect.poll(() => tab.loads).toBe(2); // the reload's load event
    await expect.poll(() => authenticatedFetch(tab.page)).toBe(true);
    expect(seenAt(server, '/api/me').withAuthorization).toBe(1);
  });

  test('when a reload does not help, it says so in the console instead of reloading again', async ({ context, openTab, server }) => {
    await login(await openTab());
    const tab = await appTab(context);
    const cdp = await context.newCDPSession(tab.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setBypassServiceWorker', { bypass: true });
    const said = tab.page.waitForEvent('console', (message) => message.type() === 'error' && message.text().startsWith('sw-auth-proxy:'));
    await tab.page.goto(`${server.url}/`);
    expect((await said).text()).toContain('the service worker controls this page but does not see its requests');
    expect(tab.loads).toBe(2); // the first load and one reload; the console message ends it
  });

  test.describe('the Chromium bug that causes it', () => {
    test('a tab that loads while the browser stops the worker recovers the same way', async ({ context, openTab, server, session }) => {
      await login(await openTab());
      let reloads = 0;
      // The bug shows in about one load in four on an idle machine, less often under load; each
      // try is a fresh tab stopped at its navigation's first request.
      for (let tries = 0; tries < 40 && reloads === 0; tries++) {
        const tab = await appTab(context);
        let stopped: Promise<void> = Promise.resolve();
        tab.page.once('request', () => {
          stopped = session.stopWorkers();
        });
        await tab.page.goto(`${server.url}/`);
        await stopped;
        const before = seenAt(server, '/api/me').withAuthorization;
        // A broken tab answers 401 (no token went out) until its reload; the reload's page, 200.
        await expect.poll(() => authenticatedFetch(tab.page), { timeout: 15_000 }).toBe(true);
        expect(seenAt(server, '/api/me').withAuthorization).toBeGreaterThan(before);
        if (tab.loads > 1) reloads++;
        await tab.page.close();
      }
      // Timing decides whether the browser shows its bug; the recovery itself is tested above.
      test.skip(reloads === 0, 'the Chromium bug did not show in 40 tries this run');
      expect(reloads).toBe(1);
    });
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
