import { apiFetch, chromiumOnly, expect, login, test } from './fixtures.js';

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
  chromiumOnly("reads the page's console warnings through Playwright (classic WebDriver has no console)");

  test('page mode is never silent: one console warning says why and what it does not cover', async ({ context, server }) => {
    const page = await context.newPage();
    const warnings: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'warning' && message.text().startsWith('sw-auth-proxy:')) warnings.push(message.text());
    });
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => 'swAuthProxy' in window);
    await page.evaluate(async () => {
      await window.swAuthProxy.registerAuthProxy({ config: {} });
      await window.swAuthProxy.registerAuthProxy({ config: {} });
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('running in page mode');
    expect(warnings[0]).toContain('XMLHttpRequest');
  });
});
