import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import { buildRefreshRequest, buildRevocationRequest } from '../../src/core/refresh-request.js';
import { ORIGIN, PATHS, refreshEndpoint, tokenSet, url } from './helpers.js';

const signal = (): AbortSignal => new AbortController().signal;
const tokens = tokenSet({ accessToken: 'access-9', refreshToken: 'refresh-9' });

describe('buildRefreshRequest', () => {
  it('json: POSTs {"refresh_token", "client_id"} as JSON', async () => {
    const request = buildRefreshRequest(refreshEndpoint('json'), 'unit-spa', tokens, signal());
    expect(request.method).toBe('POST');
    expect(request.url).toBe(url(PATHS.refresh));
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.headers.get('accept')).toBe('application/json');
    expect(request.credentials).toBe('same-origin');
    expect(request.cache).toBe('no-store');
    expect(await request.json()).toEqual({ refresh_token: 'refresh-9', client_id: 'unit-spa' });
  });

  it('json: leaves out client_id when none is configured', async () => {
    const request = buildRefreshRequest(refreshEndpoint('json'), null, tokens, signal());
    expect(await request.json()).toEqual({ refresh_token: 'refresh-9' });
  });

  it('json: never sends the access token', async () => {
    const request = buildRefreshRequest(refreshEndpoint('json'), null, tokens, signal());
    expect(request.headers.get('authorization')).toBeNull();
    expect(await request.text()).not.toContain('access-9');
  });

  it('form: RFC 6749 §6 form-encoded grant_type, refresh_token, client_id and scope', async () => {
    const request = buildRefreshRequest(refreshEndpoint('form', 'read write'), 'unit-spa', tokens, signal());
    expect(request.method).toBe('POST');
    expect(request.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded\b/);
    expect(request.credentials).toBe('omit');
    const form = new URLSearchParams(await request.text());
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-9',
      client_id: 'unit-spa',
      scope: 'read write',
    });
  });

  it('form: omits client_id and scope when not configured', async () => {
    const request = buildRefreshRequest(refreshEndpoint('form'), null, tokens, signal());
    const form = new URLSearchParams(await request.text());
    expect(Object.fromEntries(form)).toEqual({ grant_type: 'refresh_token', refresh_token: 'refresh-9' });
  });

  it('form: encodes reserved characters in the refresh token', async () => {
    const request = buildRefreshRequest(refreshEndpoint('form'), null, tokenSet({ refreshToken: 'a+b/c=d&e' }), signal());
    expect(new URLSearchParams(await request.text()).get('refresh_token')).toBe('a+b/c=d&e');
  });

  it('cookie: credentials include and no token anywhere in the request', async () => {
    const request = buildRefreshRequest(refreshEndpoint('cookie'), 'unit-spa', tokens, signal());
    expect(request.method).toBe('POST');
    expect(request.credentials).toBe('include');
    expect(request.body).toBeNull();
    expect(await request.text()).toBe('');
    expect(request.url).not.toContain('refresh-9');
    expect(request.headers.get('authorization')).toBeNull();
    expect([...request.headers].flat().join(' ')).not.toContain('refresh-9');
  });

  it('refuses to follow redirects and carries the abort signal', () => {
    const controller = new AbortController();
    const request = buildRefreshRequest(refreshEndpoint('json'), null, tokens, controller.signal);
    expect(request.redirect).toBe('error');
    expect(request.signal.aborted).toBe(false);
    controller.abort();
    expect(request.signal.aborted).toBe(true);
  });
});

describe('buildRevocationRequest', () => {
  const logoutUrl = url(PATHS.logout);
  const logout = { url: logoutUrl, headers: {} };

  it('form: RFC 7009 §2.1 token, token_type_hint=refresh_token and client_id', async () => {
    const request = buildRevocationRequest(logout, refreshEndpoint('form'), 'unit-spa', tokens, signal());
    expect(request.method).toBe('POST');
    expect(request.url).toBe(logoutUrl);
    expect(request.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded\b/);
    expect(request.credentials).toBe('omit');
    expect(Object.fromEntries(new URLSearchParams(await request.text()))).toEqual({
      token: 'refresh-9',
      token_type_hint: 'refresh_token',
      client_id: 'unit-spa',
    });
  });

  it('form: revokes the access token when there is no refresh token', async () => {
    const request = buildRevocationRequest(
      logout,
      refreshEndpoint('form'),
      null,
      tokenSet({ accessToken: 'access-9', refreshToken: null }),
      signal(),
    );
    expect(Object.fromEntries(new URLSearchParams(await request.text()))).toEqual({ token: 'access-9', token_type_hint: 'access_token' });
  });

  it('json: names the refresh token in a JSON body and authenticates with the access token', async () => {
    const request = buildRevocationRequest(logout, refreshEndpoint('json'), 'unit-spa', tokens, signal());
    expect(request.headers.get('authorization')).toBe('Bearer access-9');
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.credentials).toBe('same-origin');
    expect(await request.json()).toEqual({ refresh_token: 'refresh-9' });
  });

  it('json is the default when no refresh endpoint is configured', async () => {
    const request = buildRevocationRequest(logout, null, null, tokens, signal());
    expect(await request.json()).toEqual({ refresh_token: 'refresh-9' });
  });

  it('cookie: sends credentials so the server can clear the cookie, and no refresh token', async () => {
    const request = buildRevocationRequest(
      logout,
      refreshEndpoint('cookie'),
      null,
      tokenSet({ accessToken: 'access-9', refreshToken: null }),
      signal(),
    );
    expect(request.credentials).toBe('include');
    expect(await request.json()).toEqual({});
  });
});

describe('refresh.tokenField', () => {
  const endpoint = (format: 'json' | 'form' | 'cookie', tokenField: string) => {
    const refresh = resolveConfig({ refresh: { url: PATHS.refresh, format, tokenField } }, ORIGIN).refresh;
    if (refresh === null) throw new Error('unreachable: refresh was configured');
    return refresh;
  };

  it('json: the refresh token travels in the named member (SimpleJWT: {"refresh": ...})', async () => {
    const request = buildRefreshRequest(endpoint('json', 'refresh'), null, tokens, signal());
    expect(await request.json()).toEqual({ refresh: 'refresh-9' });
  });

  it('json: next to client_id when one is configured', async () => {
    const request = buildRefreshRequest(endpoint('json', 'refreshToken'), 'unit-spa', tokens, signal());
    expect(await request.json()).toEqual({ refreshToken: 'refresh-9', client_id: 'unit-spa' });
  });

  it('form: the named field replaces refresh_token, grant_type stays', async () => {
    const request = buildRefreshRequest(endpoint('form', 'token'), null, tokens, signal());
    expect(Object.fromEntries(new URLSearchParams(await request.text()))).toEqual({ grant_type: 'refresh_token', token: 'refresh-9' });
  });

  it('the JSON logout body uses the same member', async () => {
    const request = buildRevocationRequest({ url: url(PATHS.logout), headers: {} }, endpoint('json', 'refresh'), null, tokens, signal());
    expect(await request.json()).toEqual({ refresh: 'refresh-9' });
    expect(request.headers.get('authorization')).toBe('Bearer access-9');
  });

  it('the RFC 7009 logout body keeps its standard token member', async () => {
    const request = buildRevocationRequest({ url: url(PATHS.logout), headers: {} }, endpoint('form', 'refresh'), null, tokens, signal());
    expect(Object.fromEntries(new URLSearchParams(await request.text()))).toEqual({ token: 'refresh-9', token_type_hint: 'refresh_token' });
  });
});

describe('refresh.headers and logout.headers', () => {
  const config = resolveConfig(
    {
      refresh: { url: PATHS.refresh, headers: { apikey: 'public-anon-key' } },
      logout: { url: PATHS.logout, headers: { apikey: 'public-anon-key' } },
    },
    ORIGIN,
  );

  it('go on the refresh request, beside the ones it sets itself', async () => {
    const request = buildRefreshRequest(config.refresh!, null, tokens, signal());
    expect(request.headers.get('apikey')).toBe('public-anon-key');
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(await request.json()).toEqual({ refresh_token: 'refresh-9' });
  });

  it('and on the logout request', () => {
    const request = buildRevocationRequest(config.logout!, config.refresh, null, tokens, signal());
    expect(request.headers.get('apikey')).toBe('public-anon-key');
    expect(request.headers.get('authorization')).toBe('Bearer access-9');
  });

  it.each(['Authorization', 'content-type', 'Cookie'])('may not set %s', (header) => {
    expect(() => resolveConfig({ refresh: { url: PATHS.refresh, headers: { [header]: 'x' } } }, ORIGIN)).toThrow(/cannot set/);
  });

  it('must be strings, with valid names', () => {
    expect(() => resolveConfig({ refresh: { url: PATHS.refresh, headers: { apikey: 7 } } } as never, ORIGIN)).toThrow(/must be a string/);
    expect(() => resolveConfig({ logout: { url: PATHS.logout, headers: { 'bad name': 'x' } } }, ORIGIN)).toThrow(/not a valid header/);
  });
});
