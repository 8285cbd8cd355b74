import { apiFetch, expect, login, seenAt, test, waitForStatus } from './fixtures.js';

test.describe('login through the worker', () => {
  test('a captured login response reaches the page without refresh_token and authenticates later fetches', async ({ openTab, server }) => {
    const page = await openTab();
    const loginResponse = await apiFetch(page, '/api/auth/login', { method: 'POST' });
    expect(loginResponse.status).toBe(400); // no credentials: not captured, passed through

    const captured = await page.evaluate(async () => {
      const response = await fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'demo', password: 'demo' }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    });
    expect(captured.status).toBe(200);
    expect(captured.body).toHaveProperty('access_token');
    expect(captured.body).not.toHaveProperty('refresh_token');
    await waitForStatus(page, 'authenticated');

    const me = await apiFetch(page, '/api/me');
    expect(me).toMatchObject({ status: 200, body: { sub: 'demo' } });
    expect(seenAt(server, '/api/me').withAuthorization).toBe(1);
  });

  test('auth.login resolves to the authenticated state with claims and no token in it', async ({ openTab, server }) => {
    const page = await openTab();
    await login(page);
    const state = await page.evaluate(() => window.auth.state);
    expect(state.status).toBe('authenticated');
    expect(state.claims).toMatchObject({ sub: 'demo' });
    expect(state.expiresAt).toBeGreaterThan(Date.now());
    const token = await page.evaluate(() => window.auth.accessToken());
    expect(JSON.stringify(state)).not.toContain(token);
    expect(await apiFetch(page, '/api/me')).toMatchObject({ status: 200 });
    expect(server.counters.loginCalls).toBe(1);
  });

  test('wrong credentials reject with a LoginError and leave the session anonymous', async ({ openTab }) => {
    const page = await openTab();
    const error = await page.evaluate(async () => {
      try {
        await window.auth.login({ username: 'demo', password: 'wrong' });
        return null;
      } catch (error) {
        const e = error as { name: string; code: string; status: number; oauthError: string };
        return { name: e.name, code: e.code, status: e.status, oauthError: e.oauthError };
      }
    });
    expect(error).toEqual({ name: 'LoginError', code: 'login_failed', status: 400, oauthError: 'invalid_grant' });
    expect(await page.evaluate(() => window.auth.state.status)).toBe('anonymous');
  });
});
