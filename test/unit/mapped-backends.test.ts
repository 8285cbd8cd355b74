/**
 * The engine against backends that do not speak RFC 6749 §5.1: Django REST framework SimpleJWT
 * ({access, refresh}, wants {refresh} back, rotates), a FastAPI app whose refresh returns no new
 * refresh token, a nested envelope, and Supabase's absolute expires_at.
 */
import { describe, expect, it } from 'vitest';
import { createProxy } from '../../src/browser/proxy.js';
import { resolveConfig, type AuthProxyConfig } from '../../src/core/config.js';
import { createControlApi } from '../../src/core/control.js';
import {
  ORIGIN,
  PATHS,
  T0,
  createHarness,
  createServer,
  jsonResponse,
  seconds,
  sessionRecord,
  signedJwt,
  text,
  tokenSet,
  unauthorized,
  type Handler,
} from './helpers.js';

const DRF: AuthProxyConfig = {
  api: [PATHS.api],
  capture: [PATHS.login],
  tokenResponse: { accessToken: 'access', refreshToken: 'refresh' },
  refresh: { url: PATHS.refresh, format: 'json', tokenField: 'refresh' },
  logout: { url: PATHS.logout },
  refreshAhead: 30,
};

/** SimpleJWT's TokenRefreshView with ROTATE_REFRESH_TOKENS: {access, refresh}, JWTs, no expires_in. */
function simpleJwtRefresh(): Handler & { presented: string[] } {
  const presented: string[] = [];
  let issued = 0;
  const handler: Handler = async (request) => {
    presented.push((await request.json()).refresh);
    issued += 1;
    const access = await signedJwt({ token_type: 'access', user_id: 1, iat: seconds(T0), exp: seconds(T0) + 300, jti: `a${issued}` });
    return jsonResponse({ access, refresh: `drf-refresh-${issued}` }, { headers: { Date: new Date(T0).toUTCString() } });
  };
  return Object.assign(handler, { presented });
}

describe('Django REST framework SimpleJWT', () => {
  it('captures {access, refresh}, keeps the refresh token from the page, and refreshes with {"refresh": ...}', async () => {
    const { engine, server, vault } = createHarness({ config: DRF });
    const refresh = simpleJwtRefresh();
    server.on(PATHS.refresh, refresh);
    const access = await signedJwt({ token_type: 'access', user_id: 1, exp: seconds(T0) + 10 });

    const { response: visible, captured } = await engine.captureTokenResponse(jsonResponse({ refresh: 'drf-refresh-0', access }));
    expect(captured).toBe(true);
    expect(await visible.json()).toEqual({ access });
    expect((await vault.read()).tokens).toMatchObject({ accessToken: access, refreshToken: 'drf-refresh-0', expiresAt: T0 + 10_000 });

    // Within refreshAhead of the JWT exp: the next request refreshes first.
    const next = await engine.tokenForRequest();
    expect(refresh.presented).toEqual(['drf-refresh-0']);
    const [call] = server.calls(PATHS.refresh);
    expect(JSON.parse(await text(call!.body))).toEqual({ refresh: 'drf-refresh-0' });
    expect((await vault.read()).tokens).toMatchObject({ accessToken: next, refreshToken: 'drf-refresh-1', expiresAt: T0 + 300_000 });
  });

  it('logout posts {"refresh": ...} to the blacklist endpoint', async () => {
    const { engine, server } = createHarness({ config: DRF, record: sessionRecord(tokenSet()) });
    server.on(PATHS.logout, () => jsonResponse({}));
    await engine.logout();
    const [call] = server.calls(PATHS.logout);
    expect(JSON.parse(await text(call!.body))).toEqual({ refresh: 'refresh-0' });
  });

  it('login through the control API reads the mapped response and names the mapped path when it is missing', async () => {
    const { engine, server, vault } = createHarness({ config: DRF });
    const control = createControlApi(engine);
    server.on(PATHS.login, () => jsonResponse({ token: 'not-where-the-config-says' }));
    const failed = await control.login({ json: { username: 'ada', password: 'pw' } });
    expect(failed.error).toMatchObject({ name: 'TokenResponseError', code: 'invalid_token_response' });
    expect(failed.error?.message).toContain('no access');
    expect(JSON.stringify(failed)).not.toContain('not-where-the-config-says');

    server.on(PATHS.login, () => jsonResponse({ access: 'opaque-access', refresh: 'drf-refresh-login' }));
    const result = await control.login({ json: { username: 'ada', password: 'pw' } });
    expect(result.error).toBeNull();
    expect(result.state.status).toBe('authenticated');
    expect((await vault.read()).tokens).toMatchObject({ accessToken: 'opaque-access', refreshToken: 'drf-refresh-login' });
  });

  it('a login response without the refresh token the config names is an error naming the path', async () => {
    const { engine, vault } = createHarness({ config: DRF });
    const result = await engine.captureTokenResponse(jsonResponse({ access: 'opaque-access' }));
    expect(result.captured).toBe(false);
    expect(result.error?.message).toMatch(/no refresh\b/);
    expect((await vault.read()).tokens).toBeNull();
  });
});

describe('FastAPI: a refresh that returns no refresh token', () => {
  it('keeps the refresh token from login across several refreshes (RFC 6749 §6)', async () => {
    const config: AuthProxyConfig = {
      capture: ['/api/auth/token'],
      refresh: { url: PATHS.refresh },
      refreshAhead: 30,
    };
    const { engine, server, clock, vault } = createHarness({ config });
    const presented: string[] = [];
    server.on(PATHS.refresh, async (request) => {
      presented.push((await request.json()).refresh_token);
      return jsonResponse({ access_token: `fastapi-access-${presented.length}`, token_type: 'bearer', expires_in: 60 });
    });
    await engine.captureTokenResponse(
      jsonResponse({ access_token: 'fastapi-access-0', refresh_token: 'fastapi-refresh', token_type: 'bearer', expires_in: 60 }),
    );
    for (let i = 1; i <= 3; i++) {
      clock.advance(31_000);
      expect(await engine.tokenForRequest()).toBe(`fastapi-access-${i}`);
    }
    expect(presented).toEqual(['fastapi-refresh', 'fastapi-refresh', 'fastapi-refresh']);
    expect((await vault.read()).tokens?.refreshToken).toBe('fastapi-refresh');
  });
});

describe('nested envelopes and absolute expiry', () => {
  const NESTED: AuthProxyConfig = {
    capture: [PATHS.login],
    tokenResponse: {
      accessToken: 'data.session.access_token',
      refreshToken: 'data.session.refresh_token',
      expiresAt: 'data.session.expires_at',
    },
    refresh: { url: PATHS.refresh },
  };

  it('the page copy has the nested refresh token removed, and any other copy of it', async () => {
    const { engine, vault } = createHarness({ config: NESTED });
    const body = {
      data: {
        session: { access_token: 'nested-access', refresh_token: 'nested-refresh', expires_at: seconds(T0) + 3600 },
        user: { id: 7, last_refresh_token: 'nested-refresh' },
      },
      tokens: ['nested-refresh'],
    };
    const { response: visible, captured } = await engine.captureTokenResponse(jsonResponse(body));
    expect(captured).toBe(true);
    const seen = await visible.text();
    expect(seen).not.toContain('nested-refresh');
    expect(JSON.parse(seen)).toEqual({
      data: { session: { access_token: 'nested-access', expires_at: seconds(T0) + 3600 }, user: { id: 7 } },
      tokens: [],
    });
    expect((await vault.read()).tokens).toMatchObject({ refreshToken: 'nested-refresh', expiresAt: T0 + 3_600_000 });
  });

  it('a broken mapped response is not stored and still loses its refresh token', async () => {
    const { engine } = createHarness({ config: NESTED });
    const body = { data: { session: { refresh_token: 'nested-refresh', expires_at: 'soon' } } };
    const result = await engine.captureTokenResponse(jsonResponse(body));
    expect(result.captured).toBe(false);
    expect(result.error?.message).toContain('data.session.access_token');
    expect(await result.response.text()).not.toContain('nested-refresh');
  });

  it('Supabase: expires_at on the server clock, corrected by the Date header offset', async () => {
    const config: AuthProxyConfig = { capture: [PATHS.login], tokenResponse: { expiresAt: 'expires_at', expiresIn: null } };
    const { engine, vault } = createHarness({ config });
    const serverNow = T0 + 600_000;
    await engine.captureTokenResponse(
      jsonResponse(
        { access_token: 'opaque', refresh_token: 'r', token_type: 'bearer', expires_in: 3600, expires_at: seconds(serverNow) + 3600 },
        { headers: { Date: new Date(serverNow).toUTCString() } },
      ),
    );
    expect((await vault.read()).tokens).toMatchObject({ expiresAt: T0 + 3_600_000, clockOffset: 600_000 });
  });
});

describe('per-entry mappings', () => {
  it('a capture entry reads its own member names; the refresh reads the config mapping', async () => {
    const config = resolveConfig(
      {
        capture: [
          '/api/password-login',
          { url: '/api/oauth/exchange', tokenResponse: { accessToken: 'result.token', refreshToken: 'result.renew' } },
        ],
        tokenResponse: { accessToken: 'access', refreshToken: 'refresh' },
        refresh: { url: PATHS.refresh, tokenField: 'refresh' },
        refreshAhead: 0,
      },
      ORIGIN,
    );
    const server = createServer();
    server.on('/api/oauth/exchange', () => jsonResponse({ result: { token: 'exchanged-access', renew: 'exchanged-refresh' } }));
    server.on(PATHS.refresh, () => jsonResponse({ access: 'refreshed-access', refresh: 'refreshed-refresh' }));
    server.on('/api/data', (request) =>
      request.headers.get('authorization') === 'Bearer refreshed-access' ? jsonResponse({ ok: true }) : unauthorized(),
    );
    const proxy = createProxy(config, server.fetch, { storage: 'memory' });

    const exchange = new Request(`${ORIGIN}/api/oauth/exchange`, { method: 'POST', body: 'code=abc' });
    expect(await (await proxy.handle(exchange)).json()).toEqual({ result: { token: 'exchanged-access' } });
    expect(await proxy.engine.state()).toMatchObject({ status: 'authenticated' });

    // A 401 makes the engine refresh with the config mapping, and the request is replayed.
    expect((await proxy.handle(new Request(`${ORIGIN}/api/data`))).status).toBe(200);
    const [call] = server.calls(PATHS.refresh);
    expect(JSON.parse(await text(call!.body))).toEqual({ refresh: 'exchanged-refresh' });
    expect(server.calls('/api/data').map((recorded) => recorded.request.headers.get('authorization'))).toEqual([
      'Bearer exchanged-access',
      'Bearer refreshed-access',
    ]);
  });
});
