import type { AuthProxyConfig } from '../../src/page/index.js';
import { click, fill } from './dom.js';
import { FORM_CONFIG, JSON_CONFIG, apiFetch, expect, login, refreshError, test, waitForStatus } from './fixtures.js';

const COOKIE_CONFIG: AuthProxyConfig = {
  api: ['/api/'],
  capture: ['/api/auth/cookie/login'],
  refresh: { url: '/api/auth/cookie/refresh', format: 'cookie' },
  logout: { url: '/api/auth/cookie/logout' },
  refreshAhead: 30,
};

test('cookie format: the refresh token stays an HttpOnly cookie; refresh and rotation work; logout revokes', async ({
  openTab,
  server,
}) => {
  const page = await openTab(COOKIE_CONFIG);
  server.knobs.accessTtl = 0;
  await login(page, COOKIE_CONFIG);
  expect(await page.evaluate(() => document.cookie)).not.toContain('sw_rt');

  server.knobs.accessTtl = 300;
  expect((await apiFetch(page, '/api/me')).status).toBe(200);
  expect(server.counters.refreshSuccess).toBe(1);
  expect((await page.evaluate(() => window.auth.refresh())).status).toBe('authenticated');
  expect(server.counters.refreshSuccess).toBe(2);
  expect(server.counters.reuseDetections).toBe(0);

  await page.evaluate(() => window.auth.logout());
  expect(server.counters.revocations).toBe(1);
  expect((await apiFetch(page, '/api/me')).status).toBe(401);
});

test('authorization code + PKCE: the code exchange is captured like any token response', async ({ openTab, server }) => {
  const tab = await openTab(FORM_CONFIG);
  const { verifier, challenge } = await tab.evaluate(async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const base64url = (data: Uint8Array) =>
      btoa(String.fromCharCode(...data))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
    const verifier = base64url(bytes);
    const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
    return { verifier, challenge };
  });
  const authorize = new URL('/oauth/authorize', server.url);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'demo-spa',
    redirect_uri: '/',
    state: 'xyz',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  await tab.goto(authorize.href);
  await fill(tab, '#username', 'demo');
  await fill(tab, '#password', 'demo');
  await click(tab, '#sign-in');
  await tab.waitForFunction(() => new URL(location.href).searchParams.has('code') && 'swAuthProxy' in window);
  const callback = new URL(await tab.url());
  expect(callback.searchParams.get('state')).toBe('xyz');

  const exchanged = await tab.evaluate(
    async ({ config, code, verifier }) => {
      window.auth = await window.swAuthProxy.registerAuthProxy({ config });
      const response = await fetch('/oauth/token', {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: '/',
          client_id: 'demo-spa',
          code_verifier: verifier,
        }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    { config: FORM_CONFIG, code: callback.searchParams.get('code') ?? '', verifier },
  );

  expect(exchanged.status).toBe(200);
  expect(exchanged.body).toHaveProperty('access_token');
  expect(exchanged.body).not.toHaveProperty('refresh_token');
  await waitForStatus(tab, 'authenticated');
  expect((await apiFetch(tab, '/api/me')).status).toBe(200);
  expect((await tab.evaluate(() => window.auth.refresh())).status).toBe('authenticated'); // RFC 6749 §6 form refresh
  expect(server.counters.codeExchanges).toBe(1);
  expect(server.counters.refreshSuccess).toBe(1);
});

test('RFC 7009: a failing revocation endpoint never blocks local logout', async ({ openTab, server }) => {
  const page = await openTab({ ...FORM_CONFIG, logout: { url: '/oauth/revoke-missing' } });
  await login(page, FORM_CONFIG);
  expect((await page.evaluate(() => window.auth.logout())).status).toBe('anonymous');
  expect((await apiFetch(page, '/api/me')).status).toBe(401);
  expect(server.counters.revocations).toBe(0);
});

test('RFC 6749 §5.2 invalid_scope on refresh is a configuration error: reported, session kept', async ({ openTab }) => {
  const config: AuthProxyConfig = { ...FORM_CONFIG, refresh: { url: '/oauth/token', format: 'form', scope: 'admin' } };
  const page = await openTab(config);
  await login(page, config);
  expect(await refreshError(page)).toEqual({ name: 'RefreshError', code: 'refresh_misconfigured' });
  expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
  expect(await page.evaluate(() => window.auth.state.error?.oauthError)).toBe('invalid_scope');
  expect((await apiFetch(page, '/api/me')).status).toBe(200);
});

test('RFC 6749 §6: when the server does not rotate, the old refresh token is kept and keeps working', async ({ openTab, server }) => {
  const page = await openTab(JSON_CONFIG);
  await login(page);
  server.knobs.tokenShape = 'no-refresh-token'; // the server issues no new refresh token
  expect((await page.evaluate(() => window.auth.refresh())).status).toBe('authenticated');
  expect((await page.evaluate(() => window.auth.refresh())).status).toBe('authenticated');
  expect(server.counters.refreshSuccess).toBe(2);
  expect(server.counters.reuseDetections).toBe(0);
  expect((await apiFetch(page, '/api/me')).status).toBe(200);
});
