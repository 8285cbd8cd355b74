import { playwrightPage } from './drivers/index.js';
import { JSON_CONFIG, apiFetch, chromiumOnly, expect, login, test } from './fixtures.js';

chromiumOnly(
  'a reload that bypasses the worker (shift-reload) is only reachable through CDP: Firefox 153 refuses BiDi browsingContext.reload with ignoreCache ("not supported yet"), classic WebDriver has none',
);

test('after a hard reload (which bypasses the worker) registerAuthProxy has the worker claim the page', async ({ context, openTab }) => {
  const page = await openTab();
  await login(page);

  // Shift-reload: the browser loads the page without its service worker.
  const cdp = await context.newCDPSession(playwrightPage(page));
  await Promise.all([playwrightPage(page).waitForEvent('load'), cdp.send('Page.reload', { ignoreCache: true })]);
  await page.waitForFunction(() => 'swAuthProxy' in window);
  expect(await page.evaluate(() => navigator.serviceWorker.controller)).toBeNull();

  await page.evaluate(async (config) => {
    window.auth = await window.swAuthProxy.registerAuthProxy({ config });
  }, JSON_CONFIG);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
  expect((await apiFetch(page, '/api/me')).status).toBe(200);
});
