import { describe, expect, it } from 'vitest';
import { createProxy } from '../../src/browser/proxy.js';
import { CLEARED_FRAGMENT, readCallback } from '../../src/core/callback.js';
import { resolveConfig, type AuthProxyConfig } from '../../src/core/config.js';
import { routeFor } from '../../src/core/routing.js';
import { ORIGIN, T0, createServer, seconds, signedJwt } from './helpers.js';

/** Report 004's backend: `?token=…&refresh_token=…` (variant B) or `#access_token=…&refresh_token=…` (variant A). */
const QUERY: AuthProxyConfig = {
  capture: ['/api/auth/login', { url: '/callback', from: 'query', tokenResponse: { accessToken: 'token', refreshToken: 'refresh_token' } }],
};
const FRAGMENT: AuthProxyConfig = { capture: [{ url: '/callback', from: 'fragment' }] };

const read = (url: string, config: AuthProxyConfig) => readCallback(new URL(url, ORIGIN).href, resolveConfig(config, ORIGIN));
const navigation = (url: string, method = 'GET') => ({
  url: new URL(url, ORIGIN).href,
  method,
  mode: 'navigate' as RequestMode,
  headers: new Headers(),
  destination: 'document' as RequestDestination,
});

describe('readCallback: query', () => {
  it('takes the mapped token parameters and keeps every other parameter and the fragment', () => {
    const callback = read('/callback?next=%2Fhome&token=AT&refresh_token=RT&state=s1#/route', QUERY);
    expect(callback?.body).toEqual({ token: 'AT', refresh_token: 'RT' });
    expect(callback?.cleanUrl).toBe(`${ORIGIN}/callback?next=%2Fhome&state=s1#/route`);
  });

  it('drops the query entirely when only tokens were in it', () => {
    expect(read('/callback?token=AT&refresh_token=RT', QUERY)?.cleanUrl).toBe(`${ORIGIN}/callback`);
  });

  it('removes every RFC 6749 token member the URL carries: token_type, expires_in and scope too', () => {
    const callback = read('/callback?token=AT&refresh_token=RT&token_type=bearer&expires_in=900&scope=read', QUERY);
    expect(callback?.body).toEqual({ token: 'AT', refresh_token: 'RT', token_type: 'bearer', expires_in: '900', scope: 'read' });
    expect(callback?.cleanUrl).toBe(`${ORIGIN}/callback`);
  });

  it('is nothing to capture without a token parameter (an error callback, or the clean URL)', () => {
    expect(read('/callback?error=access_denied', QUERY)).toBeNull();
    expect(read('/callback', QUERY)).toBeNull();
    // The query entry does not look in the fragment.
    expect(read('/callback#token=AT', QUERY)).toBeNull();
  });

  it('cleans a URL that carries only a refresh token: it must not reach the page either', () => {
    const callback = read('/callback?refresh_token=RT', QUERY);
    expect(callback?.body).toEqual({ refresh_token: 'RT' });
    expect(callback?.cleanUrl).toBe(`${ORIGIN}/callback`);
  });

  it('only on the entry page itself', () => {
    expect(read('/callback/other?token=AT', QUERY)).toBeNull();
    expect(read('/api/auth/login?token=AT', QUERY)).toBeNull();
  });
});

describe('readCallback: fragment', () => {
  it('takes the tokens from the fragment and leaves a placeholder fragment, never an empty one', () => {
    const callback = read('/callback#access_token=AT&refresh_token=RT&token_type=Bearer&expires_in=900', FRAGMENT);
    expect(callback?.body).toEqual({ access_token: 'AT', refresh_token: 'RT', token_type: 'Bearer', expires_in: '900' });
    // A redirect whose Location has no fragment would inherit this one, tokens and all.
    expect(callback?.cleanUrl).toBe(`${ORIGIN}/callback#${CLEARED_FRAGMENT}`);
  });

  it('keeps the state and the query', () => {
    expect(read('/callback?lang=sr#access_token=AT&state=xyz', FRAGMENT)?.cleanUrl).toBe(`${ORIGIN}/callback?lang=sr#state=xyz`);
  });

  it('ignores token-looking query parameters', () => {
    expect(read('/callback?access_token=AT', FRAGMENT)).toBeNull();
  });

  it('nests parameters named by dot paths where the mapping reads them', () => {
    const nested: AuthProxyConfig = { capture: [{ url: '/cb', from: 'fragment', tokenResponse: { accessToken: 'session.access' } }] };
    expect(read('/cb#session.access=AT&session.token_type=bearer', nested)?.body).toEqual({
      session: { access: 'AT', token_type: 'bearer' },
    });
  });
});

describe('routeFor: callback navigations', () => {
  const config = resolveConfig(QUERY, ORIGIN);

  it('routes a GET navigation to the callback URL with tokens to the worker', () => {
    expect(routeFor(navigation('/callback?token=AT&refresh_token=RT'), config)).toBe('callback');
  });

  it('passes the callback without tokens, other methods, and non-navigations', () => {
    expect(routeFor(navigation('/callback'), config)).toBe('pass');
    expect(routeFor(navigation('/callback?token=AT', 'POST'), config)).toBe('pass');
    expect(routeFor({ ...navigation('/callback?token=AT'), mode: 'cors' }, config)).toBe('pass');
  });
});

/** A navigation as a worker's fetch event has it (`new Request` refuses to make one). */
function navigationRequest(url: string): Request {
  return Object.defineProperty(new Request(url), 'mode', { value: 'navigate' });
}

describe('createProxy: a callback navigation', () => {
  async function setup(config: AuthProxyConfig) {
    const server = createServer();
    const proxy = createProxy(resolveConfig(config, ORIGIN), server.fetch, { storage: 'memory' });
    const access = await signedJwt({ sub: 'user-7', iat: seconds(T0), exp: seconds(T0) + 900 });
    return { server, proxy, access };
  }

  it('stores the tokens and answers 303 to the URL without them; the network never sees the token URL', async () => {
    const { server, proxy, access } = await setup(QUERY);
    const response = await proxy.handle(navigationRequest(`${ORIGIN}/callback?token=${access}&refresh_token=RT-secret&next=%2F`));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${ORIGIN}/callback?next=%2F`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(server.calls('/callback')).toEqual([]);
    expect(await proxy.engine.state()).toMatchObject({ status: 'authenticated', claims: { sub: 'user-7' } });
    expect(JSON.stringify(await proxy.engine.state())).not.toContain('RT-secret');
  });

  it('still strips the URL when the tokens are unusable, and says why in the state (naming the parameter, not its value)', async () => {
    const { proxy } = await setup(QUERY);
    const response = await proxy.handle(navigationRequest(`${ORIGIN}/callback?refresh_token=RT-secret`));
    expect(response.headers.get('location')).toBe(`${ORIGIN}/callback`);
    const state = await proxy.engine.state();
    expect(state.status).toBe('anonymous');
    expect(state.error).toMatchObject({ code: 'invalid_token_response' });
    expect(state.error?.message).toContain('token');
    expect(JSON.stringify(state)).not.toContain('RT-secret');
  });

  it("report 004's original bug, a callback with the access token only, is an error naming refresh_token when the config names it", async () => {
    const { proxy, access } = await setup(QUERY);
    const response = await proxy.handle(navigationRequest(`${ORIGIN}/callback?token=${access}`));
    expect(response.headers.get('location')).toBe(`${ORIGIN}/callback`);
    const state = await proxy.engine.state();
    expect(state.status).toBe('anonymous');
    expect(state.error).toMatchObject({ name: 'TokenResponseError', code: 'invalid_token_response' });
    expect(state.error?.message).toContain('refresh_token');
    expect(JSON.stringify(state)).not.toContain(access);
  });
});
