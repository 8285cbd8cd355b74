import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuthProxyConfig } from '../../src/core/config.js';
import { ConfigError } from '../../src/core/errors.js';
import { swAuthProxy } from '../../src/vite/index.js';

/**
 * The pinned names for backends as they are (tokenResponse, refresh.tokenField, capture entries)
 * reach the worker three ways: the prebuilt worker's `?config=` (the e2e suites), the Vite
 * plugin's baked config, and createAuthProxy. The last two validate here.
 */
const BACKENDS: AuthProxyConfig = {
  api: ['/api/'],
  capture: ['/api/token/', { url: '/callback', from: 'fragment', tokenResponse: { refreshToken: 'refresh_token', idToken: null } }],
  tokenResponse: { accessToken: 'access', refreshToken: 'refresh', expiresAt: 'session.expires_at' },
  refresh: { url: '/api/token/refresh/', format: 'json', tokenField: 'refresh', headers: { apikey: 'public' } },
  logout: { url: '/api/token/blacklist/' },
};

describe('the Vite plugin bakes them', () => {
  it('accepts the config, and refuses a misspelt member naming the closest option', () => {
    expect(swAuthProxy({ config: BACKENDS }).name).toBe('sw-auth-proxy');
    expect(() => swAuthProxy({ config: { ...BACKENDS, tokenResponse: { acessToken: 'access' } } as AuthProxyConfig })).toThrow(
      /config\.tokenResponse\.acessToken is not an option; did you mean config\.tokenResponse\.accessToken\?/,
    );
  });
});

describe('createAuthProxy takes them', () => {
  // Loaded once, outside the tests' own time limit: the worker entry pulls in workbox.
  let worker: typeof import('../../sw/index.js');
  beforeAll(async () => {
    vi.stubGlobal('self', { location: new URL('https://app.example/sw.js'), registration: { scope: 'https://app.example/' } });
    worker = await import('../../sw/index.js');
  });
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it('routes the callback page to the fetch handler in its static routes', () => {
    const [first] = worker.authProxyRoutes(BACKENDS);
    expect(first?.source).toBe('fetch-event');
    expect(first?.condition.or?.map((condition) => (condition.urlPattern as { pathname: string }).pathname)).toEqual([
      '/api/token/',
      '/callback',
      '/sw-auth-proxy-probe',
    ]);
  });

  it('refuses a bad capture source with a ConfigError', () => {
    const config = { capture: [{ url: '/callback', from: 'hash' }] } as unknown as AuthProxyConfig;
    expect(() => worker.authProxyRoutes(config)).toThrow(ConfigError);
    expect(() => worker.authProxyRoutes(config)).toThrow(/capture\[0\]\.from must be one of body, query, fragment/);
  });
});
