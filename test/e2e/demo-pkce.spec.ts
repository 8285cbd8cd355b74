import { apiFetch } from './fixtures.js';
import { expect, test, waitForStatus } from './socket-fixtures.js';

test('the demo signs in with authorization code + PKCE; the worker captures the code exchange', async ({ openDemo, demoServer }) => {
  const page = await openDemo();
  await expect(page.locator('#signin')).toBeVisible();

  await Promise.all([page.waitForURL(/\/oauth\/authorize\?/), page.locator('#oauth-sign-in').click()]);
  await page.fill('#username', 'alice');
  await page.fill('#password', 'wonderland');
  await Promise.all([page.waitForURL((url) => url.pathname === '/' && url.searchParams.has('code')), page.click('#sign-in')]);

  await page.waitForFunction(() => 'auth' in window);
  await waitForStatus(page, 'authenticated');
  await expect(page.locator('#session-badge')).toHaveText('authenticated · alice');
  expect(new URL(page.url()).search).toBe(''); // the code left the address bar
  expect(demoServer.counters.codeExchanges).toBe(1);
  expect(await apiFetch(page, '/api/me')).toMatchObject({ status: 200, body: { sub: 'alice' } });
});
