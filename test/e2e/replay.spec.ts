import { expect, login, seenAt, test } from './fixtures.js';

test('a 401 for a revoked access token triggers one refresh and a byte-identical replay of a 64 KiB POST', async ({ openTab, server }) => {
  const page = await openTab();
  await login(page);
  server.revokeAccessTokens();
  server.resetCounters();

  const result = await page.evaluate(async () => {
    const body = new Uint8Array(64 * 1024);
    crypto.getRandomValues(body);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
    const expected = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    const response = await fetch('/api/echo', { method: 'POST', body, headers: { 'Content-Type': 'application/octet-stream' } });
    return { status: response.status, body: (await response.json()) as { sha256: string; length: number }, expected };
  });

  expect(result.status).toBe(200);
  expect(result.body.length).toBe(64 * 1024);
  expect(result.body.sha256).toBe(result.expected);
  expect(server.counters.unauthorizedSent).toBe(1);
  expect(server.counters.refreshCalls).toBe(1);
  expect(server.counters.refreshSuccess).toBe(1);
});

test('a body over replayBodyLimit is sent once, intact; its 401 passes through, and the refresh it caused lets the app retry', async ({
  openTab,
  server,
}) => {
  const page = await openTab();
  await login(page);

  const send = () =>
    page.evaluate(async () => {
      const body = new Uint8Array(2 * 1024 * 1024);
      for (let i = 0; i < body.length; i += 65536) crypto.getRandomValues(body.subarray(i, i + 65536));
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
      const expected = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
      const response = await fetch('/api/echo', { method: 'POST', body });
      const json = (await response.json()) as { sha256?: string };
      return { status: response.status, sha256: json.sha256 ?? null, expected };
    });

  const fresh = await send();
  expect(fresh.status).toBe(200);
  expect(fresh.sha256).toBe(fresh.expected);

  server.revokeAccessTokens();
  server.resetCounters();
  const rejected = await send();
  expect(rejected.status).toBe(401);
  expect(server.counters.unauthorizedSent).toBe(1);
  expect(server.counters.refreshCalls).toBe(1);
  expect(seenAt(server, '/api/echo').withAuthorization).toBe(1); // sent once, not replayed

  const retried = await send();
  expect(retried.status).toBe(200);
  expect(retried.sha256).toBe(retried.expected);
  expect(server.counters.refreshCalls).toBe(1);
});

test('successful recoveries never open the circuit breaker: five revoke-and-replay cycles in a row each refresh once', async ({
  openTab,
  server,
}) => {
  const page = await openTab();
  await login(page);
  server.resetCounters();
  for (let cycle = 1; cycle <= 5; cycle++) {
    server.revokeAccessTokens();
    const status = await page.evaluate(async () => (await fetch('/api/me')).status);
    expect(status, `cycle ${cycle}`).toBe(200);
    expect(server.counters.refreshCalls, `cycle ${cycle}`).toBe(cycle);
  }
  expect(server.counters.unauthorizedSent).toBe(5);
  expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 10, withoutAuthorization: 0 });
});
