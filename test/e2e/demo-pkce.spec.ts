import { click, fill, waitForText, waitForVisible } from './dom.js';
import { apiFetch } from './fixtures.js';
import { expect, test, waitForStatus } from './socket-fixtures.js';

test('the demo signs in with authorization code + PKCE; the worker captures the code exchange', async ({ openDemo, demoServer }) => {
  const tab = await openDemo();
  await waitForVisible(tab, '#signin');

  await click(tab, '#oauth-sign-in');
  await tab.waitForFunction(() => location.pathname === '/oauth/authorize' && document.querySelector('#sign-in') !== null);
  await fill(tab, '#username', 'alice');
  await fill(tab, '#password', 'wonderland');
  await click(tab, '#sign-in');
  // The sign-in redirects to /?code=…; the demo exchanges the code and cleans the address bar.
  await tab.waitForFunction(() => location.pathname === '/' && 'auth' in window);
  await waitForStatus(tab, 'authenticated');
  await waitForText(tab, '#session-badge', 'authenticated · alice');
  expect(new URL(await tab.url()).search).toBe(''); // the code left the address bar
  expect(demoServer.counters.codeExchanges).toBe(1);
  expect(await apiFetch(tab, '/api/me')).toMatchObject({ status: 200, body: { sub: 'alice' } });
});
