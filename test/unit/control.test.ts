import { describe, expect, it } from 'vitest';
import { createControlApi } from '../../src/core/control.js';
import { deserializeError, LoginError } from '../../src/core/errors.js';
import {
  BASE_CONFIG,
  PATHS,
  T0,
  createHarness,
  jsonResponse,
  rotatingRefresh,
  sessionRecord,
  text,
  tokenBody,
  tokenSet,
  type HarnessOptions,
} from './helpers.js';

function setup(options: HarnessOptions = {}) {
  const harness = createHarness(options);
  harness.server.on(PATHS.refresh, rotatingRefresh());
  return { ...harness, control: createControlApi(harness.engine) };
}

describe('createControlApi: login', () => {
  it('POSTs the body as JSON to capture[0] and resolves to the authenticated state', async () => {
    const { control, server, vault } = setup();
    server.on(PATHS.login, () => jsonResponse(tokenBody({ access_token: 'access-login', refresh_token: 'refresh-login' })));

    const result = await control.login({ json: { username: 'ada', password: 'pw' } });

    expect(result.error).toBeNull();
    expect(result.state.status).toBe('authenticated');
    expect(result.state.expiresAt).toBe(T0 + 3_600_000);
    expect(result.event.type).toBe('session-created');
    const [call] = server.calls(PATHS.login);
    expect(call!.request.method).toBe('POST');
    expect(call!.request.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(await text(call!.body))).toEqual({ username: 'ada', password: 'pw' });
    expect((await vault.read()).tokens).toMatchObject({ accessToken: 'access-login', refreshToken: 'refresh-login' });
    expect(JSON.stringify(result)).not.toContain('refresh-login');
    expect(JSON.stringify(result)).not.toContain('access-login');
  });

  it('sends a form body form-encoded (OAuth password grant)', async () => {
    const { control, server } = setup();
    server.on(PATHS.login, () => jsonResponse(tokenBody()));
    const result = await control.login({ form: 'grant_type=password&username=ada&password=p%26w' });
    expect(result.error).toBeNull();
    const [call] = server.calls(PATHS.login);
    expect(call!.request.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded\b/);
    expect(Object.fromEntries(new URLSearchParams(await text(call!.body)))).toEqual({
      grant_type: 'password',
      username: 'ada',
      password: 'p&w',
    });
  });

  it('fails with LoginError login_failed carrying the status and OAuth error when credentials are refused', async () => {
    const { control, server, vault } = setup();
    server.on(PATHS.login, () => jsonResponse({ error: 'invalid_grant', error_description: 'bad password' }, { status: 401 }));

    const result = await control.login({ json: { username: 'ada', password: 'wrong' } });

    expect(result.state.status).toBe('anonymous');
    expect(result.error).toMatchObject({ name: 'LoginError', code: 'login_failed', status: 401, oauthError: 'invalid_grant' });
    const error = deserializeError(result.error!);
    expect(error).toBeInstanceOf(LoginError);
    expect(error.status).toBe(401);
    expect(error.oauthError).toBe('invalid_grant');
    expect((await vault.read()).tokens).toBeNull();
  });

  it('fails with login_failed and no OAuth error when the endpoint answers a non-JSON error', async () => {
    const { control, server } = setup();
    server.on(PATHS.login, () => new Response('<h1>502</h1>', { status: 502, headers: { 'Content-Type': 'text/html' } }));
    const result = await control.login({ json: {} });
    expect(result.error).toMatchObject({ code: 'login_failed', status: 502 });
    expect(result.error?.oauthError).toBeUndefined();
  });

  it('fails with invalid_token_response when a 200 carries no token response', async () => {
    const { control, server } = setup();
    server.on(PATHS.login, () => jsonResponse({ mfa_required: true }));
    const result = await control.login({ json: {} });
    expect(result.error).toMatchObject({ name: 'TokenResponseError', code: 'invalid_token_response', status: 200 });
    expect(result.error?.message).toMatch(/without a token response/);
    expect(result.state.status).toBe('anonymous');
  });

  it('fails, storing nothing, when a 200 carries an unusable token response', async () => {
    const { control, server, vault } = setup();
    server.on(PATHS.login, () => jsonResponse(tokenBody({ token_type: 'mac', refresh_token: 'refresh-unusable' })));
    const result = await control.login({ json: {} });
    expect(result.error).not.toBeNull();
    expect(result.state.status).toBe('anonymous');
    expect((await vault.read()).tokens).toBeNull();
    expect(JSON.stringify(result)).not.toContain('refresh-unusable');
  });

  it('fails with invalid_config when no capture endpoint is configured', async () => {
    const { control, server } = setup({ config: { ...BASE_CONFIG, capture: [] } });
    const result = await control.login({ json: {} });
    expect(result.error).toMatchObject({ code: 'invalid_config' });
    expect(server.count(PATHS.login)).toBe(0);
  });
});

describe('createControlApi: accessToken', () => {
  it('answers not_authenticated when anonymous, with no token', async () => {
    const { control } = setup();
    const result = await control.accessToken();
    expect(result.error).toMatchObject({ name: 'NotAuthenticatedError', code: 'not_authenticated' });
    expect(result.token).toBeUndefined();
    expect(result.state.status).toBe('anonymous');
  });

  it('returns the access token when authenticated', async () => {
    const { control } = setup({ record: sessionRecord(tokenSet()) });
    const result = await control.accessToken();
    expect(result.error).toBeNull();
    expect(result.token).toBe('access-0');
  });

  it('refreshes first when the token is due', async () => {
    const { control, server } = setup({ record: sessionRecord(tokenSet({ expiresAt: T0 - 1 })) });
    const result = await control.accessToken();
    expect(result.token).toBe('access-1');
    expect(server.count(PATHS.refresh)).toBe(1);
  });
});

describe('createControlApi: refresh and logout', () => {
  it('refresh() forces a refresh and reports success', async () => {
    const { control, server } = setup({ record: sessionRecord(tokenSet()) });
    const result = await control.refresh();
    expect(result.error).toBeNull();
    expect(result.state.status).toBe('authenticated');
    expect(server.count(PATHS.refresh)).toBe(1);
  });

  it('refresh(seen) refreshes when the stored tokens are the ones the caller saw', async () => {
    const { control, server } = setup({ record: sessionRecord(tokenSet({ receivedAt: T0 - 5_000 })) });
    const seen = await control.snapshot();
    const result = await control.refresh({ tokens: seen.tokens });
    expect(result.error).toBeNull();
    expect(server.count(PATHS.refresh)).toBe(1);
  });

  it('refresh(seen) sends no refresh when the tokens changed since (a call delivered again after a worker restart)', async () => {
    const { control, server, clock } = setup({ record: sessionRecord(tokenSet({ receivedAt: T0 - 5_000 })) });
    const seen = await control.snapshot();
    clock.advance(10);
    expect((await control.refresh({ tokens: seen.tokens })).error).toBeNull();
    expect(server.count(PATHS.refresh)).toBe(1);
    // The same call, sent again with what the page knew before the first delivery refreshed.
    const again = await control.refresh({ tokens: seen.tokens });
    expect(again.error).toBeNull();
    expect(again.state.status).toBe('authenticated');
    expect(server.count(PATHS.refresh)).toBe(1);
  });

  it('refresh() reports the refresh error and the resulting state', async () => {
    const { control, server } = setup({ record: sessionRecord(tokenSet()) });
    server.on(PATHS.refresh, () => jsonResponse({ error: 'invalid_grant' }, { status: 400 }));
    const result = await control.refresh();
    expect(result.error).toMatchObject({ name: 'RefreshError', code: 'refresh_rejected', oauthError: 'invalid_grant' });
    expect(result.state.status).toBe('expired');
  });

  it('logout() answers the anonymous state', async () => {
    const { control } = setup({ record: sessionRecord(tokenSet()) });
    const result = await control.logout();
    expect(result.error).toBeNull();
    expect(result.state.status).toBe('anonymous');
    expect(result.event.type).toBe('logged-out');
  });

  it('snapshot() holds no token', async () => {
    const { control } = setup({ record: sessionRecord(tokenSet()) });
    const result = await control.snapshot();
    expect(result.state.status).toBe('authenticated');
    expect(JSON.stringify(result)).not.toMatch(/access-0|refresh-0/);
  });
});
