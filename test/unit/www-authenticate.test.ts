import { describe, expect, it } from 'vitest';
import { challengeFor, isInvalidTokenChallenge, parseWwwAuthenticate } from '../../src/core/www-authenticate.js';

const response = (status: number, wwwAuthenticate?: string): Response =>
  new Response(null, { status, headers: wwwAuthenticate === undefined ? {} : { 'WWW-Authenticate': wwwAuthenticate } });

describe('parseWwwAuthenticate', () => {
  it('parses an RFC 6750 §3 Bearer challenge with quoted parameters', () => {
    expect(parseWwwAuthenticate('Bearer realm="example", error="invalid_token", error_description="The access token expired"')).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'example', error: 'invalid_token', error_description: 'The access token expired' },
        token68: null,
      },
    ]);
  });

  it('parses a bare scheme with no parameters', () => {
    expect(parseWwwAuthenticate('Bearer')).toEqual([{ scheme: 'bearer', params: {}, token68: null }]);
  });

  it('parses several challenges in one header', () => {
    const challenges = parseWwwAuthenticate(
      'Basic realm="simple", Bearer realm="api", error="insufficient_scope", scope="admin", Digest realm="d", qop="auth"',
    );
    expect(challenges.map((challenge) => challenge.scheme)).toEqual(['basic', 'bearer', 'digest']);
    expect(challenges[0]?.params).toEqual({ realm: 'simple' });
    expect(challenges[1]?.params).toEqual({ realm: 'api', error: 'insufficient_scope', scope: 'admin' });
    expect(challenges[2]?.params).toEqual({ realm: 'd', qop: 'auth' });
  });

  it('unescapes quoted-pairs and keeps commas and equals signs inside quoted strings', () => {
    const [challenge] = parseWwwAuthenticate('Bearer error_description="bad \\"token\\", try=again \\\\ later", error="invalid_token"');
    expect(challenge?.params).toEqual({ error_description: 'bad "token", try=again \\ later', error: 'invalid_token' });
  });

  it('does not split challenges on a comma inside a quoted string', () => {
    const challenges = parseWwwAuthenticate('Bearer realm="a, Basic realm=b", error="invalid_token"');
    expect(challenges).toHaveLength(1);
    expect(challenges[0]?.params).toEqual({ realm: 'a, Basic realm=b', error: 'invalid_token' });
  });

  it('accepts unquoted token parameter values and whitespace around "="', () => {
    expect(parseWwwAuthenticate('Bearer error=invalid_token, realm = "x"')[0]?.params).toEqual({ error: 'invalid_token', realm: 'x' });
  });

  it('parses a token68 credential, padding included', () => {
    expect(parseWwwAuthenticate('Negotiate YIIBhgYGKwYBBQUCoIIBejCCAXagMDAuBgkqhkiC9xIBAgIGCSqGSIb3EgECAgYKKwYBBAGCNwICHg==')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'YIIBhgYGKwYBBQUCoIIBejCCAXagMDAuBgkqhkiC9xIBAgIGCSqGSIb3EgECAgYKKwYBBAGCNwICHg==' },
    ]);
  });

  it('parses a token68 challenge followed by a parameterised one', () => {
    const challenges = parseWwwAuthenticate('Negotiate abc+/def==, Bearer error="invalid_token"');
    expect(challenges).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'abc+/def==' },
      { scheme: 'bearer', params: { error: 'invalid_token' }, token68: null },
    ]);
  });

  it('does not mistake a first auth-param for a token68', () => {
    expect(parseWwwAuthenticate('Bearer error=invalid_token')[0]).toEqual({
      scheme: 'bearer',
      params: { error: 'invalid_token' },
      token68: null,
    });
  });

  it('lower-cases scheme and parameter names but not values', () => {
    const [challenge] = parseWwwAuthenticate('BEARER Realm="MyRealm", ERROR="invalid_token"');
    expect(challenge).toEqual({ scheme: 'bearer', params: { realm: 'MyRealm', error: 'invalid_token' }, token68: null });
  });

  it('returns what it read before an unterminated quoted string', () => {
    const challenges = parseWwwAuthenticate('Basic realm="ok", Bearer error="invalid_token');
    expect(challenges[0]).toEqual({ scheme: 'basic', params: { realm: 'ok' }, token68: null });
    expect(challenges[1]?.scheme).toBe('bearer');
    expect(challenges[1]?.params.error).toBeUndefined();
  });

  it('returns no challenges for an empty header', () => {
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate(' , ')).toEqual([]);
  });
});

describe('challengeFor', () => {
  it('finds the Bearer challenge among others, and is null without one', () => {
    expect(challengeFor(response(401, 'Basic realm="x", Bearer error="invalid_token"'), 'bearer')?.params.error).toBe('invalid_token');
    expect(challengeFor(response(401, 'Basic realm="x"'), 'bearer')).toBeNull();
    expect(challengeFor(response(401), 'bearer')).toBeNull();
  });
});

describe('isInvalidTokenChallenge', () => {
  it('is true for a 401 with error="invalid_token"', () => {
    expect(isInvalidTokenChallenge(response(401, 'Bearer realm="api", error="invalid_token", error_description="expired"'))).toBe(true);
  });

  it('is true for a bare Bearer challenge (no error code: credentials missing or unusable)', () => {
    expect(isInvalidTokenChallenge(response(401, 'Bearer'))).toBe(true);
    expect(isInvalidTokenChallenge(response(401, 'Bearer realm="api"'))).toBe(true);
  });

  it('is true for a 401 with no WWW-Authenticate header at all', () => {
    expect(isInvalidTokenChallenge(response(401))).toBe(true);
  });

  it('matches the scheme case-insensitively', () => {
    expect(isInvalidTokenChallenge(response(401, 'bearer error="invalid_token"'))).toBe(true);
    expect(isInvalidTokenChallenge(response(401, 'BEARER ERROR="invalid_token"'))).toBe(true);
  });

  it('finds the Bearer challenge after other schemes', () => {
    expect(isInvalidTokenChallenge(response(401, 'Basic realm="x", Bearer error="invalid_token"'))).toBe(true);
  });

  it('is false for insufficient_scope (a new token would not help)', () => {
    expect(isInvalidTokenChallenge(response(401, 'Bearer error="insufficient_scope", scope="admin"'))).toBe(false);
  });

  it('is false for the RFC 9470 step-up challenge insufficient_user_authentication', () => {
    expect(isInvalidTokenChallenge(response(401, 'Bearer error="insufficient_user_authentication", acr_values="urn:mfa"'))).toBe(false);
  });

  it('is false for invalid_request', () => {
    expect(isInvalidTokenChallenge(response(401, 'Bearer error="invalid_request"'))).toBe(false);
  });

  it('is false when only a non-Bearer scheme is challenged', () => {
    expect(isInvalidTokenChallenge(response(401, 'Basic realm="admin"'))).toBe(false);
  });

  it('is false for any status other than 401', () => {
    expect(isInvalidTokenChallenge(response(403, 'Bearer error="invalid_token"'))).toBe(false);
    expect(isInvalidTokenChallenge(response(403))).toBe(false);
    expect(isInvalidTokenChallenge(response(400, 'Bearer error="invalid_token"'))).toBe(false);
    expect(isInvalidTokenChallenge(response(200))).toBe(false);
  });
});

describe('parseWwwAuthenticate on hostile input', () => {
  it('reads only the first 8 KiB of a huge header (no quadratic work on hostile input)', () => {
    const padding = 'x=y, '.repeat(200_000);
    expect(parseWwwAuthenticate(`Bearer error="invalid_token", ${padding}`)[0]?.params.error).toBe('invalid_token');
    expect(parseWwwAuthenticate(`Basic ${padding}, Bearer error="invalid_token"`).some((c) => c.scheme === 'bearer')).toBe(false);
  });
});

describe('isInvalidTokenChallenge for a DPoP-bound token (RFC 9449 §7.1)', () => {
  it('reads the DPoP challenge: invalid_token or no error code blame the token', () => {
    expect(isInvalidTokenChallenge(response(401, 'DPoP algs="ES256", error="invalid_token"'), 'dpop')).toBe(true);
    expect(isInvalidTokenChallenge(response(401, 'Bearer realm="api", DPoP algs="ES256"'), 'dpop')).toBe(true);
    expect(isInvalidTokenChallenge(response(401), 'dpop')).toBe(true);
  });

  it('is false for a nonce demand, a bad proof, or a challenge of the Bearer scheme only', () => {
    expect(isInvalidTokenChallenge(response(401, 'DPoP error="use_dpop_nonce"'), 'dpop')).toBe(false);
    expect(isInvalidTokenChallenge(response(401, 'DPoP error="invalid_dpop_proof"'), 'dpop')).toBe(false);
    expect(isInvalidTokenChallenge(response(401, 'Bearer error="invalid_token"'), 'dpop')).toBe(false);
  });
});
