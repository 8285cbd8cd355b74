import { expect, login, seenAt, test, type Tab } from './fixtures.js';

/**
 * Every method an app can send with fetch (all but the forbidden CONNECT, TRACE and TRACK):
 * the six workbox routes by name, OPTIONS (page-issued; a CORS preflight is the browser's own
 * and never reaches a worker), and extension methods the reference server's parser knows.
 */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'REPORT', 'QUERY'];

/** Sends `method` to `/api/method/<method>` from page script; the server answers with the method it received. */
function send(page: Tab, method: string): Promise<{ status: number; method: string | null }> {
  return page.evaluate(async (method) => {
    const response = await fetch(`/api/method/${method}`, { method });
    const text = await response.text();
    return { status: response.status, method: text === '' ? null : ((JSON.parse(text) as { method?: string }).method ?? null) };
  }, method);
}

test('every HTTP method under an API prefix carries the token', async ({ openTab, server }) => {
  const page = await openTab();
  await login(page);
  for (const method of METHODS) {
    const result = await send(page, method);
    expect(result, method).toEqual({ status: 200, method: method === 'HEAD' ? null : method });
    expect(seenAt(server, `/api/method/${method}`), method).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
  }
});

test('OPTIONS and extension methods are replayed after a 401 like any other request', async ({ openTab, server }) => {
  const page = await openTab();
  await login(page);
  for (const method of ['OPTIONS', 'PROPFIND']) {
    server.revokeAccessTokens();
    server.resetCounters();
    expect(await send(page, method), method).toEqual({ status: 200, method });
    expect(server.counters.unauthorizedSent, method).toBe(1);
    expect(server.counters.refreshCalls, method).toBe(1);
    expect(seenAt(server, `/api/method/${method}`), method).toEqual({ withAuthorization: 2, withoutAuthorization: 0 });
  }
});

test('OPTIONS outside the API prefixes is left alone', async ({ openTab, server }) => {
  const page = await openTab({ api: ['/api/ping'], capture: ['/api/auth/login'], refresh: { url: '/api/auth/refresh' } });
  await login(page);
  expect(await send(page, 'OPTIONS')).toEqual({ status: 401, method: null });
  expect(seenAt(server, '/api/method/OPTIONS')).toEqual({ withAuthorization: 0, withoutAuthorization: 1 });
});
