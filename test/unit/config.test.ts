import { describe, expect, it } from 'vitest';
import { resolveConfig, type AuthProxyConfig } from '../../src/core/config.js';
import { AuthProxyError, ConfigError } from '../../src/core/errors.js';
import { RFC6749_MAPPING } from '../../src/core/token-mapping.js';
import { ORIGIN } from './helpers.js';

function configError(config: unknown, options?: { allowCrossOriginApi?: boolean }): ConfigError {
  try {
    resolveConfig(config as AuthProxyConfig, ORIGIN, options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw new Error(`expected a ConfigError, got ${String(error)}`);
  }
  throw new Error('expected resolveConfig to throw');
}

describe('resolveConfig: defaults', () => {
  it('resolves an empty config to same-origin /api/ with no refresh, capture or logout', () => {
    expect(resolveConfig({}, ORIGIN)).toEqual({
      origin: ORIGIN,
      api: [`${ORIGIN}/api/`],
      capture: [],
      tokenResponse: RFC6749_MAPPING,
      refresh: null,
      clientId: null,
      logout: null,
      refreshAheadMs: 30_000,
      replayBodyLimit: 1024 * 1024,
      debug: false,
      media: [],
      upload: [],
      dpop: false,
    });
  });

  it('defaults the refresh format to json and the timeout to 10 s', () => {
    expect(resolveConfig({ refresh: { url: '/api/auth/refresh' } }, ORIGIN).refresh).toEqual({
      url: `${ORIGIN}/api/auth/refresh`,
      format: 'json',
      scope: null,
      timeoutMs: 10_000,
      tokenField: 'refresh_token',
      headers: {},
    });
  });

  it('resolves every URL against the origin and converts seconds to ms', () => {
    const resolved = resolveConfig(
      {
        api: ['/api/', '/graphql'],
        capture: ['/api/auth/login', '/oauth/token'],
        refresh: { url: '/oauth/token', format: 'form', scope: 'openid offline_access', timeout: 2_500 },
        clientId: 'spa',
        logout: { url: '/oauth/revoke' },
        refreshAhead: 60,
        replayBodyLimit: 0,
      },
      ORIGIN,
    );
    expect(resolved.api).toEqual([`${ORIGIN}/api/`, `${ORIGIN}/graphql`]);
    expect(resolved.capture).toEqual([
      { url: `${ORIGIN}/api/auth/login`, from: 'body', tokenResponse: RFC6749_MAPPING },
      { url: `${ORIGIN}/oauth/token`, from: 'body', tokenResponse: RFC6749_MAPPING },
    ]);
    expect(resolved.refresh).toEqual({
      url: `${ORIGIN}/oauth/token`,
      format: 'form',
      scope: 'openid offline_access',
      timeoutMs: 2_500,
      tokenField: 'refresh_token',
      headers: {},
    });
    expect(resolved.clientId).toBe('spa');
    expect(resolved.logout).toEqual({ url: `${ORIGIN}/oauth/revoke`, headers: {} });
    expect(resolved.refreshAheadMs).toBe(60_000);
    expect(resolved.replayBodyLimit).toBe(0);
  });
});

describe('resolveConfig: validation', () => {
  it.each<[string, unknown]>([
    ['config is null', null],
    ['config is a string', '/api/'],
    ['api is not an array', { api: '/api/' }],
    ['api is empty', { api: [] }],
    ['an api entry is empty', { api: [''] }],
    ['an api entry is not a string', { api: [42] }],
    ['an api entry is not a URL', { api: ['http://[::1'] }],
    ['an api entry has a query', { api: ['/graphql?op=x'] }],
    ['an api entry has an empty query', { api: ['/api?'] }],
    ['an api entry has a fragment', { api: ['/api#x'] }],
    ['an api entry is not http(s)', { api: ['data:text/plain,x'] }],
    ['media is a string', { media: '/api/' }],
    ['media is a number', { media: 1 }],
    ['a media entry has a query', { media: ['/api/avatars?size=1'] }],
    ['upload is not an array', { upload: '/api/upload' }],
    ['an upload entry has a fragment', { upload: ['/api/upload#x'] }],
    ['capture is not an array', { capture: '/login' }],
    ['refresh.url is missing', { refresh: {} }],
    ['refresh.format is unknown', { refresh: { url: '/r', format: 'xml' } }],
    ['refresh.scope is empty', { refresh: { url: '/r', scope: '' } }],
    ['refresh.timeout is negative', { refresh: { url: '/r', timeout: -1 } }],
    ['clientId is empty', { clientId: '' }],
    ['clientId is a number', { clientId: 7 }],
    ['logout.url is missing', { logout: {} }],
    ['refreshAhead is negative', { refreshAhead: -5 }],
    ['refreshAhead is a string', { refreshAhead: '30' }],
    ['refreshAhead is NaN', { refreshAhead: Number.NaN }],
    ['replayBodyLimit is infinite', { replayBodyLimit: Number.POSITIVE_INFINITY }],
  ])('throws ConfigError (invalid_config) when %s', (_name, config) => {
    const error = configError(config);
    expect(error).toBeInstanceOf(AuthProxyError);
    expect(error.code).toBe('invalid_config');
    expect(error.name).toBe('ConfigError');
  });

  // The standalone worker reads its config as JSON from its script URL, where `null` is the
  // natural way to say "none". Either reading is fine; a raw TypeError is not.
  it.each(['refresh', 'logout'] as const)('treats %s: null as "none" or as a ConfigError, never a TypeError', (key) => {
    let outcome: unknown;
    try {
      outcome = resolveConfig({ [key]: null } as unknown as AuthProxyConfig, ORIGIN);
    } catch (error) {
      outcome = error;
    }
    if (outcome instanceof Error) expect(outcome).toBeInstanceOf(ConfigError);
    else expect(outcome).toMatchObject({ [key]: null });
  });

  it('names the offending field in the message', () => {
    expect(configError({ refresh: { url: '/r', format: 'xml' } }).message).toMatch(/refresh\.format/);
    expect(configError({ api: ['/ok/', ''] }).message).toMatch(/api\[1\]/);
  });

  it('refuses an API prefix on another origin', () => {
    const error = configError({ api: ['/api/', 'https://api.other.example/v1/'] });
    expect(error.message).toMatch(/another origin/);
  });

  it('refuses a look-alike origin (different scheme or port)', () => {
    configError({ api: ['http://app.example/api/'] });
    configError({ api: ['https://app.example:8443/api/'] });
    configError({ api: ['//app.example.evil.test/api/'] });
  });

  it('allows an API prefix on another origin when the composed worker opts in', () => {
    const resolved = resolveConfig({ api: ['https://api.other.example/v1/'] }, ORIGIN, { allowCrossOriginApi: true });
    expect(resolved.api).toEqual(['https://api.other.example/v1/']);
  });
});

describe('resolveConfig: backends as they are', () => {
  it('maps the token response members for the whole config', () => {
    const resolved = resolveConfig({ tokenResponse: { accessToken: 'access', refreshToken: 'refresh' } }, ORIGIN);
    expect(resolved.tokenResponse).toMatchObject({ accessToken: 'access', refreshToken: 'refresh', expiresIn: 'expires_in' });
  });

  it('names the member that carries the refresh token (default refresh_token)', () => {
    expect(resolveConfig({ refresh: { url: '/r', tokenField: 'refresh' } }, ORIGIN).refresh?.tokenField).toBe('refresh');
    expect(resolveConfig({ refresh: { url: '/r' } }, ORIGIN).refresh?.tokenField).toBe('refresh_token');
  });

  it.each(['grant_type', 'client_id', 'scope', ''])('refuses refresh.tokenField %j', (tokenField) => {
    expect(configError({ refresh: { url: '/r', tokenField } }).message).toMatch(/refresh\.tokenField/);
  });

  it('resolves capture entries: strings are body captures, objects say where the tokens are', () => {
    const resolved = resolveConfig(
      {
        tokenResponse: { refreshToken: 'refresh' },
        capture: [
          '/api/token/',
          { url: '/oauth/exchange', from: 'body', tokenResponse: { accessToken: 'data.access' } },
          { url: '/callback', from: 'query', tokenResponse: { accessToken: 'token' } },
          { url: '/callback-hash', from: 'fragment' },
        ],
      },
      ORIGIN,
    );
    expect(resolved.capture.map(({ url, from }) => ({ url, from }))).toEqual([
      { url: `${ORIGIN}/api/token/`, from: 'body' },
      { url: `${ORIGIN}/oauth/exchange`, from: 'body' },
      { url: `${ORIGIN}/callback`, from: 'query' },
      { url: `${ORIGIN}/callback-hash`, from: 'fragment' },
    ]);
    expect(resolved.capture[0]?.tokenResponse).toEqual(resolved.tokenResponse);
    expect(resolved.capture[1]?.tokenResponse).toMatchObject({ accessToken: 'data.access', refreshToken: 'refresh' });
    expect(resolved.capture[2]?.tokenResponse).toMatchObject({ accessToken: 'token', refreshToken: 'refresh' });
  });

  it.each<[string, unknown]>([
    ['an entry has no url', { capture: [{ from: 'query' }] }],
    ['an entry is a number', { capture: [7] }],
    ['from is unknown', { capture: [{ url: '/cb', from: 'cookie' }] }],
    ['a navigation capture is on another origin', { capture: [{ url: 'https://auth.other.example/cb', from: 'fragment' }] }],
    ['an entry mapping is not an object', { capture: [{ url: '/cb', from: 'query', tokenResponse: 'token' }] }],
    ['tokenResponse is an array', { tokenResponse: ['access'] }],
  ])('throws ConfigError when %s', (_name, config) => {
    expect(configError(config)).toBeInstanceOf(ConfigError);
  });

  it('names an unknown key in a capture entry and in tokenResponse, with the closest known option', () => {
    expect(configError({ capture: [{ url: '/cb', form: 'query' }] }).message).toBe(
      'config.capture[0].form is not an option; did you mean config.capture.from?',
    );
    expect(configError({ tokenResponse: { acessToken: 'access' } }).message).toMatch(
      /config\.tokenResponse\.acessToken.*config\.tokenResponse\.accessToken/,
    );
    expect(configError({ tokenResponse: { refresh_token: 'refresh' } }).message).toMatch(
      /did you mean config\.tokenResponse\.refreshToken/,
    );
    expect(configError({ capture: [{ url: '/cb', tokenResponse: { expires_in: 'ttl' } }] }).message).toMatch(
      /did you mean config\.capture\.tokenResponse\.expiresIn/,
    );
    expect(configError({ refresh: { url: '/r', tokenfield: 'refresh' } }).message).toMatch(/did you mean config\.refresh\.tokenField/);
  });

  it('a config survives JSON (the worker URL, the Vite-baked config) and resolves the same', () => {
    const config: AuthProxyConfig = {
      capture: ['/api/token/', { url: '/callback', from: 'fragment', tokenResponse: { accessToken: 'access_token', idToken: null } }],
      tokenResponse: { accessToken: 'access', refreshToken: 'refresh', expiresAt: 'session.expires_at' },
      refresh: { url: '/api/token/refresh/', tokenField: 'refresh' },
    };
    const resolved = resolveConfig(config, ORIGIN);
    expect(resolveConfig(JSON.parse(JSON.stringify(config)), ORIGIN)).toEqual(resolved);
    expect(JSON.parse(JSON.stringify(resolved))).toEqual(resolved);
  });
});

describe('resolveConfig: unknown keys', () => {
  it('names a top-level mistake and the option it most likely meant', () => {
    const error = configError({ refreshUrl: '/api/auth/refresh' });
    expect(error.code).toBe('invalid_config');
    expect(error.message).toBe('config.refreshUrl is not an option; did you mean config.refresh.url?');
  });

  it('checks nested objects', () => {
    expect(configError({ refresh: { url: '/r', fromat: 'form' } }).message).toBe(
      'config.refresh.fromat is not an option; did you mean config.refresh.format?',
    );
    expect(configError({ logout: { uri: '/l' } }).message).toBe('config.logout.uri is not an option; did you mean config.logout.url?');
  });

  it('gives no guess when nothing is close', () => {
    expect(configError({ somethingElseEntirely: 1 }).message).toBe('config.somethingElseEntirely is not an option');
  });

  it('suggests across levels: a key at the wrong depth', () => {
    expect(configError({ refresh: { url: '/r', clientId: 'x' } }).message).toBe(
      'config.refresh.clientId is not an option; did you mean config.clientId?',
    );
  });

  it('refuses an array as the config', () => {
    expect(configError([]).message).toBe('config must be an object');
  });
});

describe('resolveConfig: debug', () => {
  it('is a boolean, off by default', () => {
    expect(resolveConfig({ debug: true }, ORIGIN).debug).toBe(true);
    expect(configError({ debug: 'yes' }).message).toBe('config.debug must be true or false, got "yes"');
  });
});

describe('resolveConfig: media', () => {
  it('is off by default and with false', () => {
    expect(resolveConfig({}, ORIGIN).media).toEqual([]);
    expect(resolveConfig({ media: false }, ORIGIN).media).toEqual([]);
  });

  it('true covers every same-origin api prefix, never another origin', () => {
    const resolved = resolveConfig({ api: ['/api/', 'https://api.other.example/v1/'], media: true }, ORIGIN, { allowCrossOriginApi: true });
    expect(resolved.media).toEqual([`${ORIGIN}/api/`]);
  });

  it('a list narrows it to those same-origin prefixes', () => {
    expect(resolveConfig({ media: ['/api/avatars/', '/media'] }, ORIGIN).media).toEqual([`${ORIGIN}/api/avatars/`, `${ORIGIN}/media`]);
  });

  it('refuses a media prefix on another origin, even where api may be cross-origin', () => {
    const error = configError(
      { api: ['https://api.other.example/'], media: ['https://api.other.example/img/'] },
      { allowCrossOriginApi: true },
    );
    expect(error.message).toMatch(/config\.media prefix .* another origin/);
  });

  it('survives the JSON of a script URL', () => {
    const config = JSON.parse(JSON.stringify({ media: ['/api/avatars/'] })) as AuthProxyConfig;
    expect(resolveConfig(config, ORIGIN).media).toEqual([`${ORIGIN}/api/avatars/`]);
  });
});

describe('resolveConfig: upload', () => {
  it('resolves upload prefixes like api prefixes, empty by default', () => {
    expect(resolveConfig({}, ORIGIN).upload).toEqual([]);
    expect(resolveConfig({ upload: ['/api/files/upload', 'https://uploads.example/v1/'] }, ORIGIN).upload).toEqual([
      `${ORIGIN}/api/files/upload`,
      'https://uploads.example/v1/',
    ]);
  });
});

describe('resolveConfig: dpop', () => {
  it('is a boolean, off by default, and a known key', () => {
    expect(resolveConfig({}, ORIGIN).dpop).toBe(false);
    expect(resolveConfig({ dpop: true }, ORIGIN).dpop).toBe(true);
    expect(configError({ dpop: 'yes' }).message).toBe('config.dpop must be true or false, got "yes"');
    expect(configError({ dPop: true } as never).message).toBe('config.dPop is not an option; did you mean config.dpop?');
  });
});
