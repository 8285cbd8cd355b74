import { startServer } from '../../demo/server/server.js';
import { WORKER_NETWORK_ERROR, expect, login, seenAt, test, type Server } from './fixtures.js';

/**
 * The worker sets Authorization and the browser follows redirects; it removes the header when a
 * redirect leaves the origin (Fetch, HTTP-redirect fetch). The second server, on another port,
 * is another origin and counts every Authorization header it receives.
 */

const other = test.extend<{ other: Server }>({
  other: async ({}, use) => {
    const server = await startServer({ testHooks: true, cors: true });
    await use(server);
    await server.close();
  },
});

const redirectTo = (to: string, status = 307): string => `/api/redirect?${new URLSearchParams({ to, status: String(status) })}`;

for (const status of [301, 302, 303, 307, 308]) {
  other(`a ${status} redirect to another origin never carries the token (fetch)`, async ({ openTab, server, other }) => {
    const page = await openTab();
    await login(page);
    server.resetCounters();
    const result = await page.evaluate(
      async (url) => {
        const response = await fetch(url);
        return { status: response.status, redirected: response.redirected, url: response.url };
      },
      redirectTo(`${other.url}/api/me`, status),
    );

    expect(result).toEqual({ status: 401, redirected: true, url: `${other.url}/api/me` });
    expect(seenAt(server, '/api/redirect')).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
    expect(other.counters.requestsWithAuthorization).toBe(0);
    expect(seenAt(other, '/api/me')).toEqual({ withAuthorization: 0, withoutAuthorization: 1 });
    // The other origin's 401 is not about our token: no refresh, no replay.
    expect(server.counters.refreshCalls).toBe(0);
    expect(seenAt(server, '/api/redirect').withAuthorization).toBe(1);
  });
}

other('a 307 redirect of a POST with a body to another origin never carries the token', async ({ openTab, server, other }) => {
  const page = await openTab();
  await login(page);
  const status = await page.evaluate(
    async (url) =>
      (await fetch(url, { method: 'POST', body: JSON.stringify({ a: 1 }), headers: { 'Content-Type': 'application/json' } })).status,
    redirectTo(`${other.url}/api/echo`),
  );
  expect(status).toBe(401);
  expect(seenAt(server, '/api/redirect').withAuthorization).toBe(1);
  expect(seenAt(other, '/api/echo')).toEqual({ withAuthorization: 0, withoutAuthorization: 1 });
  expect(server.counters.refreshCalls).toBe(0);
});

other(
  'a redirect to another origin never carries the token (XMLHttpRequest, as axios sends)',
  async ({ openTab, server, other, serviceWorkersBlocked }) => {
    test.skip(serviceWorkersBlocked, 'page mode wraps window.fetch only: XMLHttpRequest never gets the token there');
    const page = await openTab();
    await login(page);
    const status = await page.evaluate(
      (url) =>
        new Promise<number>((resolve, reject) => {
          const xhr = new XMLHttpRequest();
          xhr.open('GET', url);
          xhr.onload = () => resolve(xhr.status);
          xhr.onerror = () => reject(new Error('XHR failed'));
          xhr.send();
        }),
      redirectTo(`${other.url}/api/me`, 302),
    );
    expect(status).toBe(401);
    expect(seenAt(server, '/api/redirect').withAuthorization).toBe(1);
    expect(other.counters.requestsWithAuthorization).toBe(0);
    expect(seenAt(other, '/api/me').withoutAuthorization).toBe(1);
  },
);

test.describe('back to the origin', () => {
  // The fetch fails on purpose (CORS after the cross-origin hop): the worker passes the network
  // error on, and Firefox reports the CORS failure itself too (in page mode, only that).
  test.use({ expectedPageErrors: new RegExp(`${WORKER_NETWORK_ERROR.source}|Cross-Origin Request Blocked`) });

  other(
    'once removed, the token does not come back when a redirect returns to the origin (A -> B -> A)',
    async ({ openTab, server, other }) => {
      const page = await openTab();
      await login(page);
      server.resetCounters();
      const back = `${other.url}${redirectTo(`${server.url}/api/ping`, 302)}`;
      const outcome = await page.evaluate(
        (url) =>
          fetch(url).then(
            (response) => response.status,
            // After a cross-origin hop the request is CORS, and this origin's reference server sends
            // no CORS headers: the browser fails the fetch once the response arrives.
            () => 'network error',
          ),
        redirectTo(back, 302),
      );
      expect(outcome).toBe('network error');
      expect(seenAt(other, '/api/redirect')).toEqual({ withAuthorization: 0, withoutAuthorization: 1 });
      expect(other.counters.requestsWithAuthorization).toBe(0);
      expect(seenAt(server, '/api/ping')).toEqual({ withAuthorization: 0, withoutAuthorization: 1 });
      expect(server.counters.refreshCalls).toBe(0);
    },
  );
});

test('a same-origin redirect keeps the token, and a 401 after it is refreshed and replayed', async ({ openTab, server }) => {
  const page = await openTab();
  await login(page);
  expect(await page.evaluate(async (url) => (await fetch(url)).status, redirectTo('/api/me', 302))).toBe(200);
  expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });

  server.revokeAccessTokens();
  server.resetCounters();
  expect(await page.evaluate(async (url) => (await fetch(url)).status, redirectTo('/api/me', 307))).toBe(200);
  expect(server.counters.refreshCalls).toBe(1);
  expect(seenAt(server, '/api/redirect')).toEqual({ withAuthorization: 2, withoutAuthorization: 0 });
  expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 2, withoutAuthorization: 0 });
});
