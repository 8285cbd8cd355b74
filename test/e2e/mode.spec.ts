import { apiFetch, expect, login, test } from './fixtures.js';

test('auth.mode says where the proxy runs: a worker, or this page when workers are blocked', async ({
  openTab,
  server,
  serviceWorkersBlocked,
}) => {
  const page = await openTab();
  const expected = serviceWorkersBlocked ? 'page' : 'worker';
  expect(await page.evaluate(() => window.auth.mode)).toBe(expected);
  expect(await page.evaluate(() => navigator.serviceWorker?.controller != null)).toBe(expected === 'worker');
  await login(page);
  expect((await apiFetch(page, '/api/me')).status).toBe(200);
  expect(server.counters.requestsWithAuthorization).toBe(1);
});

test('mode "worker" never falls back: a worker where one can run, a loud error where workers are blocked', async ({
  openTab,
  serviceWorkersBlocked,
}) => {
  const page = await openTab();
  const outcome = await page.evaluate(() =>
    window.swAuthProxy.registerAuthProxy({ mode: 'worker', config: {} }).then(
      (auth) => auth.mode,
      (e: { name: string; code: string }) => `${e.name}:${e.code}`,
    ),
  );
  expect(outcome).toBe(serviceWorkersBlocked ? 'WorkerUnavailableError:worker_unavailable' : 'worker');
});

test.describe('the page-mode warning', () => {
  test.skip(({ serviceWorkersBlocked }) => !serviceWorkersBlocked, 'page mode happens only where service workers cannot run');

  test('page mode is never silent: one console warning says why and what it does not cover', async ({ session, server }) => {
    const page = await session.newTab();
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => 'swAuthProxy' in window);
    // Classic WebDriver cannot read the console, so the page keeps what reaches console.warn.
    const warnings = await page.evaluate(async () => {
      const seen: string[] = [];
      const warn = console.warn;
      console.warn = (...args: unknown[]) => {
        seen.push(args.map(String).join(' '));
        warn.apply(console, args);
      };
      try {
        await window.swAuthProxy.registerAuthProxy({ config: {} });
        await window.swAuthProxy.registerAuthProxy({ config: {} });
      } finally {
        console.warn = warn;
      }
      return seen.filter((text) => text.startsWith('sw-auth-proxy:'));
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('running in page mode');
    expect(warnings[0]).toContain('XMLHttpRequest');
  });
});
