import { describe, expect, it } from 'vitest';
import { AuthProxyError, TokenResponseError } from '../../src/core/errors.js';
import { resolveTokenMapping, RFC6749_MAPPING, type TokenMapping } from '../../src/core/token-mapping.js';
import { looksLikeTokenResponse, mergeRotatedTokens, parseTokenResponse } from '../../src/core/token-response.js';
import { T0, seconds, signedJwt, tokenBody, tokenSet, unsecuredJwt } from './helpers.js';

const httpDate = (ms: number): string => new Date(ms).toUTCString();

function parseError(body: unknown): TokenResponseError {
  try {
    parseTokenResponse(body, T0, null);
  } catch (error) {
    if (error instanceof TokenResponseError) return error;
    throw error;
  }
  throw new Error('expected parseTokenResponse to throw');
}

describe('parseTokenResponse: valid responses', () => {
  it('parses a full RFC 6749 §5.1 response with opaque tokens', () => {
    const tokens = parseTokenResponse(tokenBody({ scope: 'read write' }), T0, null);
    expect(tokens).toEqual({
      accessToken: 'access-opaque-1',
      refreshToken: 'refresh-opaque-1',
      expiresAt: T0 + 3_600_000,
      scope: 'read write',
      idToken: null,
      claims: null,
      clockOffset: 0,
      receivedAt: T0,
    });
  });

  it('accepts a missing token_type as Bearer, and token_type in any case', () => {
    const { token_type: _omitted, ...withoutType } = tokenBody();
    expect(parseTokenResponse(withoutType, T0, null).accessToken).toBe('access-opaque-1');
    expect(parseTokenResponse(tokenBody({ token_type: 'bearer' }), T0, null).accessToken).toBe('access-opaque-1');
    expect(parseTokenResponse(tokenBody({ token_type: 'BEARER' }), T0, null).accessToken).toBe('access-opaque-1');
  });

  it('treats a missing or null refresh_token as none', () => {
    expect(parseTokenResponse(tokenBody({ refresh_token: undefined }), T0, null).refreshToken).toBeNull();
    expect(parseTokenResponse(tokenBody({ refresh_token: null }), T0, null).refreshToken).toBeNull();
  });

  it('accepts a numeric-string expires_in', () => {
    expect(parseTokenResponse(tokenBody({ expires_in: '900' }), T0, null).expiresAt).toBe(T0 + 900_000);
    expect(parseTokenResponse(tokenBody({ expires_in: ' 60 ' }), T0, null).expiresAt).toBe(T0 + 60_000);
  });

  it('reads claims from a JWT access token and takes the expiry from exp when expires_in is absent', async () => {
    const accessToken = await signedJwt({ sub: 'user-1', iat: seconds(T0), exp: seconds(T0) + 600 });
    const tokens = parseTokenResponse({ access_token: accessToken, token_type: 'Bearer' }, T0, null);
    expect(tokens.claims).toMatchObject({ sub: 'user-1', exp: seconds(T0) + 600 });
    expect(tokens.expiresAt).toBe(T0 + 600_000);
  });

  it('corrects a JWT exp by the server clock offset from the Date header', async () => {
    const serverNow = T0 + 300_000;
    const accessToken = await signedJwt({ sub: 'user-1', exp: seconds(serverNow) + 600 });
    const tokens = parseTokenResponse({ access_token: accessToken }, T0, httpDate(serverNow));
    expect(tokens.clockOffset).toBe(300_000);
    expect(tokens.expiresAt).toBe(T0 + 600_000);
  });

  it('corrects a JWT exp by the offset estimated from iat when there is no Date header', () => {
    const serverNow = T0 - 600_000;
    const accessToken = unsecuredJwt({ iat: seconds(serverNow), exp: seconds(serverNow) + 300 });
    const tokens = parseTokenResponse({ access_token: accessToken }, T0, null);
    expect(tokens.clockOffset).toBe(-600_000);
    expect(tokens.expiresAt).toBe(T0 + 300_000);
  });

  it('prefers expires_in over the JWT exp', async () => {
    const accessToken = await signedJwt({ exp: seconds(T0) + 60 });
    expect(parseTokenResponse({ access_token: accessToken, expires_in: 3600 }, T0, null).expiresAt).toBe(T0 + 3_600_000);
  });

  it('has no claims and no expiry for an opaque token without expires_in', () => {
    const tokens = parseTokenResponse({ access_token: 'opaque.not-a-jwt', token_type: 'Bearer' }, T0, null);
    expect(tokens.claims).toBeNull();
    expect(tokens.expiresAt).toBeNull();
  });

  it('prefers the ID token claims over the access token claims', async () => {
    const accessToken = await signedJwt({ sub: 'access-subject', scope: 'api' });
    const idToken = await signedJwt({ sub: 'user-7', name: 'Ada', email: 'ada@example.com' });
    const tokens = parseTokenResponse(tokenBody({ access_token: accessToken, id_token: idToken }), T0, null);
    expect(tokens.idToken).toBe(idToken);
    expect(tokens.claims).toMatchObject({ sub: 'user-7', name: 'Ada' });
  });

  it('falls back to the access token claims when the ID token does not decode', async () => {
    const accessToken = await signedJwt({ sub: 'access-subject' });
    const tokens = parseTokenResponse(tokenBody({ access_token: accessToken, id_token: 'opaque-id' }), T0, null);
    expect(tokens.claims).toMatchObject({ sub: 'access-subject' });
  });

  it('takes claims from a JWT ID token even when the access token is opaque', async () => {
    const idToken = await signedJwt({ sub: 'user-7' });
    const tokens = parseTokenResponse(tokenBody({ id_token: idToken }), T0, null);
    expect(tokens.claims).toMatchObject({ sub: 'user-7' });
    expect(tokens.expiresAt).toBe(T0 + 3_600_000);
  });
});

describe('parseTokenResponse: invalid responses', () => {
  it.each([
    ['null', null],
    ['an array', [tokenBody()]],
    ['a string', 'access-opaque-1'],
    ['a number', 42],
  ])('rejects a body that is %s', (_name, body) => {
    const error = parseError(body);
    expect(error.code).toBe('invalid_token_response');
    expect(error).toBeInstanceOf(AuthProxyError);
  });

  it.each([
    ['missing', {}],
    ['empty', { access_token: '' }],
    ['blank', { access_token: '   ' }],
    ['not a string', { access_token: 12345 }],
    ['null', { access_token: null }],
  ])('rejects an access_token that is %s', (_name, overrides: Record<string, unknown>) => {
    const body = { ...tokenBody(), ...overrides };
    if (!('access_token' in overrides)) delete body.access_token;
    expect(parseError(body).code).toBe('invalid_token_response');
  });

  it.each(['mac', 'DPoP', 'N_A', 42])('rejects token_type %j (only Bearer is supported)', (tokenType) => {
    expect(parseError(tokenBody({ token_type: tokenType })).message).toMatch(/token_type/);
  });

  it('names config.dpop when a DPoP token arrives without it', () => {
    expect(parseError(tokenBody({ token_type: 'DPoP' })).message).toMatch(/config\.dpop/);
  });

  it.each([
    ['a non-numeric string', 'soon'],
    ['a negative number', -5],
    ['a negative numeric string', '-5'],
    ['a boolean', true],
    ['an object', { seconds: 3600 }],
  ])('rejects expires_in that is %s', (_name, expiresIn) => {
    expect(parseError(tokenBody({ expires_in: expiresIn })).message).toMatch(/expires_in/);
  });

  it.each([
    ['refresh_token', 12],
    ['refresh_token', ''],
    ['id_token', false],
    ['scope', ['read']],
  ])('rejects %s of the wrong type (%j)', (key, value) => {
    expect(parseError(tokenBody({ [key]: value })).message).toContain(key);
  });

  it('rejects an access_token with whitespace, quotes or backslashes (not usable in a Bearer header)', () => {
    for (const bad of ['abc def', 'abc"def', 'abc\\def', 'abc\ndef']) {
      expect(parseError(tokenBody({ access_token: bad })).code).toBe('invalid_token_response');
    }
  });

  it('never puts a token value in the error message or its serialized form', () => {
    const secret = 'SECRET-TOKEN-VALUE-c0ffee';
    const badBodies: unknown[] = [
      { access_token: `${secret} with space` },
      { access_token: `${secret}"quoted` },
      { access_token: secret, token_type: 'mac', refresh_token: `${secret}-refresh` },
      { access_token: secret, expires_in: 'later', refresh_token: `${secret}-refresh` },
      { access_token: secret, refresh_token: { value: secret } },
      { access_token: secret, refresh_token: `${secret}-refresh`, id_token: 7 },
      { access_token: secret, refresh_token: `${secret}-refresh`, scope: 42 },
      { access_token: [secret] },
    ];
    for (const body of badBodies) {
      const error = parseError(body);
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error.toJSON())).not.toContain(secret);
      expect(String(error.stack)).not.toContain(secret);
    }
  });
});

describe('looksLikeTokenResponse', () => {
  it('is true for objects with access_token and false otherwise', () => {
    expect(looksLikeTokenResponse(tokenBody())).toBe(true);
    expect(looksLikeTokenResponse({ user: 'ada' })).toBe(false);
    expect(looksLikeTokenResponse(null)).toBe(false);
    expect(looksLikeTokenResponse('access_token')).toBe(false);
  });
});

describe('mergeRotatedTokens (RFC 6749 §6)', () => {
  const previous = tokenSet({ accessToken: 'access-1', refreshToken: 'refresh-1', scope: 'read', expiresAt: T0 });

  it('keeps the old refresh token when the response carries none', () => {
    const merged = mergeRotatedTokens(previous, tokenSet({ accessToken: 'access-2', refreshToken: null, expiresAt: T0 + 3_600_000 }));
    expect(merged.accessToken).toBe('access-2');
    expect(merged.refreshToken).toBe('refresh-1');
    expect(merged.expiresAt).toBe(T0 + 3_600_000);
  });

  it('replaces the refresh token when the server rotated it', () => {
    const merged = mergeRotatedTokens(previous, tokenSet({ accessToken: 'access-2', refreshToken: 'refresh-2' }));
    expect(merged.refreshToken).toBe('refresh-2');
  });

  it('keeps the scope unless the response names a new one', () => {
    expect(mergeRotatedTokens(previous, tokenSet({ scope: null })).scope).toBe('read');
    expect(mergeRotatedTokens(previous, tokenSet({ scope: 'read write' })).scope).toBe('read write');
  });

  it('keeps the ID token and its claims when a refresh returns no new ID token', () => {
    const withId = tokenSet({ idToken: 'id-1', claims: { sub: 'user-1', name: 'Ada' } });
    const merged = mergeRotatedTokens(withId, tokenSet({ accessToken: 'access-2', idToken: null, claims: { sub: 'access-claims' } }));
    expect(merged.idToken).toBe('id-1');
    expect(merged.claims).toEqual({ sub: 'user-1', name: 'Ada' });
  });

  it('takes the new claims when a new ID token arrives', () => {
    const withId = tokenSet({ idToken: 'id-1', claims: { sub: 'user-1' } });
    const merged = mergeRotatedTokens(withId, tokenSet({ idToken: 'id-2', claims: { sub: 'user-1', name: 'Renamed' } }));
    expect(merged.idToken).toBe('id-2');
    expect(merged.claims).toEqual({ sub: 'user-1', name: 'Renamed' });
  });
});

describe('parseTokenResponse: a mapped backend (tokenResponse)', () => {
  const mapped = (mapping: Parameters<typeof resolveTokenMapping>[0]) => resolveTokenMapping(mapping, RFC6749_MAPPING, 'tokenResponse');
  const DRF = mapped({ accessToken: 'access', refreshToken: 'refresh' });

  function mappedError(body: unknown, mapping: TokenMapping, refresh = false): TokenResponseError {
    try {
      parseTokenResponse(body, T0, null, { mapping, refresh });
    } catch (error) {
      if (error instanceof TokenResponseError) return error;
      throw error;
    }
    throw new Error('expected parseTokenResponse to throw');
  }

  it('reads Django REST framework SimpleJWT {access, refresh}, the expiry from the JWT exp', async () => {
    const access = await signedJwt({ token_type: 'access', user_id: 1, iat: seconds(T0), exp: seconds(T0) + 300, jti: 'j' });
    const tokens = parseTokenResponse({ access, refresh: 'drf-refresh' }, T0, httpDate(T0), { mapping: DRF });
    expect(tokens).toMatchObject({ accessToken: access, refreshToken: 'drf-refresh', expiresAt: T0 + 300_000, clockOffset: 0 });
    expect(tokens.claims).toMatchObject({ user_id: 1 });
  });

  it('still corrects the JWT exp by the server clock offset', async () => {
    const serverNow = T0 + 600_000;
    const access = await signedJwt({ iat: seconds(serverNow), exp: seconds(serverNow) + 300 });
    const tokens = parseTokenResponse({ access, refresh: 'r' }, T0, httpDate(serverNow), { mapping: DRF });
    expect(tokens.expiresAt).toBe(T0 + 300_000);
  });

  it('reads members at dot paths, with token_type and scope beside the access token', () => {
    const mapping = mapped({
      accessToken: 'data.session.access_token',
      refreshToken: 'data.session.refresh_token',
      expiresIn: 'data.session.expires_in',
    });
    const body = {
      data: {
        session: { access_token: 'nested-access', refresh_token: 'nested-refresh', expires_in: 60, token_type: 'bearer', scope: 'read' },
      },
    };
    expect(parseTokenResponse(body, T0, null, { mapping })).toMatchObject({
      accessToken: 'nested-access',
      refreshToken: 'nested-refresh',
      expiresAt: T0 + 60_000,
      scope: 'read',
    });
    expect(mappedError({ data: { session: { access_token: 'a', token_type: 'mac' } } }, mapping).message).toMatch(/token_type/);
  });

  it('takes an absolute expiresAt in epoch seconds (Supabase), corrected by the server clock offset', () => {
    const supabase = mapped({ expiresAt: 'expires_at', expiresIn: null });
    const serverNow = T0 - 120_000;
    const body = { access_token: 'opaque', refresh_token: 'r', expires_at: seconds(serverNow) + 3600, expires_in: 7 };
    expect(parseTokenResponse(body, T0, httpDate(serverNow), { mapping: supabase }).expiresAt).toBe(T0 + 3_600_000);
  });

  it('prefers expires_in over expiresAt when both are present (receipt time is immune to skew)', () => {
    const both = mapped({ expiresAt: 'expires_at' });
    const body = { access_token: 'opaque', expires_in: 60, expires_at: seconds(T0) + 3600 };
    expect(parseTokenResponse(body, T0, null, { mapping: both }).expiresAt).toBe(T0 + 60_000);
  });

  it('accepts numeric strings, as a callback URL carries them', () => {
    const mapping = mapped({ accessToken: 'token', expiresAt: 'expires_at' });
    expect(parseTokenResponse({ token: 'opaque', expires_at: String(seconds(T0) + 900) }, T0, null, { mapping }).expiresAt).toBe(
      T0 + 900_000,
    );
  });

  it('rejects an expiresAt that is not epoch seconds, naming its path', () => {
    const mapping = mapped({ expiresAt: 'session.expires_at' });
    expect(mappedError({ access_token: 'a', session: { expires_at: 'tomorrow' } }, mapping).message).toMatch(/session\.expires_at/);
  });

  it('a missing access token names the configured path, never a value', () => {
    const error = mappedError({ access_token: 'SECRET-A', refresh: 'SECRET-R' }, DRF);
    expect(error.code).toBe('invalid_token_response');
    expect(error.message).toContain('access');
    expect(error.message).not.toContain('access_token');
    expect(JSON.stringify(error.toJSON())).not.toContain('SECRET');
    expect(mappedError({ data: {} }, mapped({ accessToken: 'data.session.access_token' })).message).toContain('data.session.access_token');
  });

  it('a member the config names is required in a login response, naming its path', () => {
    const mapping = mapped({ accessToken: 'access', refreshToken: 'refresh', idToken: 'oidc.id_token' });
    expect(mappedError({ access: 'a', oidc: { id_token: 'i' } }, mapping).message).toMatch(/no refresh\b/);
    expect(mappedError({ access: 'a', refresh: 'SECRET-R' }, mapping).message).toContain('oidc.id_token');
    expect(mappedError({ access: 'a', refresh: 'SECRET-R' }, mapping).message).not.toContain('SECRET');
    expect(mappedError({ access_token: 'a', refresh_token: 'r' }, mapped({ expiresIn: 'ttl' })).message).toContain('ttl');
  });

  it('a refresh response may leave out the named refresh and ID tokens (RFC 6749 §6), not the named expiry', () => {
    const mapping = mapped({ accessToken: 'access', refreshToken: 'refresh', idToken: 'id', expiresAt: 'exp_at' });
    const tokens = parseTokenResponse({ access: 'a2', exp_at: seconds(T0) + 60 }, T0, null, { mapping, refresh: true });
    expect(tokens).toMatchObject({ accessToken: 'a2', refreshToken: null, idToken: null, expiresAt: T0 + 60_000 });
    expect(mappedError({ access: 'a2' }, mapping, true).message).toContain('exp_at');
  });

  it('members left at their RFC 6749 defaults stay optional', () => {
    const tokens = parseTokenResponse({ access: 'a' }, T0, null, { mapping: mapped({ accessToken: 'access' }) });
    expect(tokens).toMatchObject({ refreshToken: null, idToken: null, expiresAt: null });
  });

  it('ignores RFC 6749 members the mapping moved elsewhere or turned off', () => {
    const mapping = mapped({ accessToken: 'access', expiresIn: null });
    expect(parseTokenResponse({ access: 'a', access_token: 'other', expires_in: 'not-a-number' }, T0, null, { mapping })).toMatchObject({
      accessToken: 'a',
      expiresAt: null,
    });
  });

  it('looksLikeTokenResponse looks at the mapped members', () => {
    expect(looksLikeTokenResponse({ access: 'a' }, DRF)).toBe(true);
    expect(looksLikeTokenResponse({ refresh: 'r' }, DRF)).toBe(true);
    expect(looksLikeTokenResponse({ access_token: 'a' }, DRF)).toBe(false);
    expect(
      looksLikeTokenResponse({ data: { session: { refresh_token: 'r' } } }, mapped({ refreshToken: 'data.session.refresh_token' })),
    ).toBe(true);
  });
});

describe('parseTokenResponse: expecting DPoP (RFC 9449 §5)', () => {
  it('accepts token_type DPoP, case-insensitively', () => {
    expect(parseTokenResponse(tokenBody({ token_type: 'DPoP' }), T0, null, { tokenType: 'DPoP' }).accessToken).toBe('access-opaque-1');
    expect(parseTokenResponse(tokenBody({ token_type: 'dpop' }), T0, null, { tokenType: 'DPoP' }).accessToken).toBe('access-opaque-1');
  });

  it.each([['Bearer'], [undefined]])('refuses token_type %j: the token would not be bound to the key', (tokenType) => {
    const body = tokenBody({ token_type: tokenType, refresh_token: 'refresh-secret' });
    if (tokenType === undefined) delete body.token_type;
    let error: unknown;
    try {
      parseTokenResponse(body, T0, null, { tokenType: 'DPoP' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TokenResponseError);
    expect((error as Error).message).toMatch(/not bound to the key \(RFC 9449 §5\)/);
    expect((error as Error).message).not.toContain('access-opaque-1');
    expect((error as Error).message).not.toContain('refresh-secret');
  });
});
