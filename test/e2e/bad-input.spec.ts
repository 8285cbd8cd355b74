import { apiFetch, expect, login, skipIn, test, type Tab } from './fixtures.js';

/** What `auth.login` rejects with, as plain data. */
async function loginError(page: Tab): Promise<{ name: string; code: string; message: string } | null> {
  return page.evaluate(async () => {
    try {
      await window.auth.login({ username: 'demo', password: 'demo' });
      return null;
    } catch (error) {
      const e = error as { name: string; code: string; message: string };
      return { name: e.name, code: e.code, message: e.message };
    }
  });
}

for (const [shape, names] of [
  ['no-access-token', 'access_token'],
  ['bad-expires-in', 'expires_in'],
] as const) {
  test(`a login response with ${shape} is refused with a typed error naming ${names}; nothing is stored`, async ({ openTab, server }) => {
    const page = await openTab();
    server.knobs.tokenShape = shape;
    const error = await loginError(page);
    expect(error).toMatchObject({ name: 'TokenResponseError', code: 'invalid_token_response' });
    expect(error?.message).toContain(names);
    expect(await page.evaluate(() => window.auth.state.status)).toBe('anonymous');
    expect(await page.evaluate(() => window.auth.state.error?.code)).toBe('invalid_token_response');

    // The page's copy of such a response still never carries the refresh token.
    const raw = await page.evaluate(async () => {
      const response = await fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'demo', password: 'demo' }),
      });
      return (await response.json()) as Record<string, unknown>;
    });
    expect(raw).not.toHaveProperty('refresh_token');

    server.knobs.tokenShape = 'normal';
    await login(page);
    expect((await apiFetch(page, '/api/me')).status).toBe(200);
  });
}

test('an access token that looks like a JWT but has a garbage payload is treated as opaque', async ({ openTab, server }) => {
  const page = await openTab();
  server.knobs.tokenShape = 'garbage-jwt';
  await login(page);
  const state = await page.evaluate(() => window.auth.state);
  expect(state.claims).toBeNull();
  expect(state.expiresAt).toBeGreaterThan(Date.now() + 290_000); // from expires_in
});

test('a malformed refresh response is a typed error and the session is kept', async ({ openTab, server }) => {
  const page = await openTab();
  await login(page);
  server.knobs.tokenShape = 'no-access-token';
  const error = await page.evaluate(() =>
    window.auth.refresh().then(
      () => null,
      (e: { name: string; code: string; message: string }) => ({ name: e.name, code: e.code, message: e.message }),
    ),
  );
  expect(error).toMatchObject({ name: 'TokenResponseError', code: 'invalid_token_response' });
  const token = await page.evaluate(() => window.auth.accessToken());
  expect(error?.message).not.toContain(token);
  expect((await apiFetch(page, '/api/me')).status).toBe(200);
});

test.describe('streamed request body', () => {
  skipIn({
    firefox: 'Firefox has no streamed request bodies (ReadableStream body with duplex: half)',
    webkit: 'WebKit has no streamed request bodies (ReadableStream body with duplex: half)',
  });

  test('a ReadableStream request body is buffered, sent and replayed byte-identical', async ({ openTab, server }) => {
    const page = await openTab();
    await login(page);
    server.revokeAccessTokens();
    const result = await page
      .evaluate(async () => {
        const chunks = [new TextEncoder().encode('hello, '), new TextEncoder().encode('stream')];
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            for (const chunk of chunks) controller.enqueue(chunk);
            controller.close();
          },
        });
        const response = await fetch('/api/echo', { method: 'POST', body, duplex: 'half' } as RequestInit);
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('hello, stream')));
        return {
          status: response.status,
          body: (await response.json()) as { sha256: string },
          expected: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''),
        };
      })
      .catch((error: Error) => ({ status: -1, body: { sha256: error.message }, expected: '' }));
    expect(result.status).toBe(200);
    expect(result.body.sha256).toBe(result.expected);
    expect(server.counters.refreshCalls).toBe(1);
  });
});

test('a request with large headers keeps them all and gets the token', async ({ openTab, server }) => {
  const page = await openTab();
  await login(page);
  const status = await page.evaluate(async () => (await fetch('/api/me', { headers: { 'X-Large': 'x'.repeat(8 * 1024) } })).status);
  expect(status).toBe(200);
  expect(server.counters.requestsWithAuthorization).toBe(1);
});
