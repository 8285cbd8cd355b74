import { playwrightPage } from './drivers/index.js';
import { apiFetch, chromiumOnly } from './fixtures.js';
import { expect, test, waitForStatus } from './socket-fixtures.js';

chromiumOnly("drives the demo's sign-in pages with Playwright locators");

test('the demo signs in with authorization code + PKCE; the worker captures the code exchange', async ({ openDemo, demoServer }) => {
  const tab = await openDemo();
  const page = playwrightPage(tab);
  await expect(page.locator('#signin')).toBeVisible();

  await Promise.all([page.waitForURL(/\/oauth\/authorize\?/), page.locator('#oauth-sign-in').click()]);
  await page.fill('#username', 'alice');
  await page.fill('#password', 'wonderland');
  await Promise.all([page.waitForURL((url) => url.pathname === '/' && url.searchParams.has('code')), page.click('#sign-in')]);

  await page.waitForFunction(() => 'auth' in window);
  await waitForStatus(tab, 'authenticated');
  await expect(page.locator('#session-badge')).toHaveText('authenticated · alice');
  expect(new URL(page.url()).search).toBe(''); // the code left the address bar
  expect(demoServer.counters.codeExchanges).toBe(1);
  expect(await apiFetch(tab, '/api/me')).toMatchObject({ status: 200, body: { sub: 'alice' } });
});
