// @ts-check
import { SignJWT, errors, jwtVerify } from 'jose';
import { randomId } from './random.js';
import { formatScope } from './scope.js';

/**
 * Access tokens are RS256 JWTs in the shape of RFC 9068 (typ "at+jwt").
 * Signature and expiry are checked with jose against the *server* clock; on
 * top of that this module keeps a revocation list of `jti`s, because RFC 7009
 * lets clients revoke a single access token and tests can revoke them all.
 */

/**
 * @typedef {object} AccessClaims
 * @property {string} iss
 * @property {string} sub
 * @property {string} sid session (refresh-token family) id
 * @property {string} jti
 * @property {string} client_id
 * @property {string} [scope]
 * @property {number} iat
 * @property {number} exp
 * @property {{ jkt: string }} [cnf] DPoP binding (RFC 9449 §6.1): the SHA-256 JWK thumbprint of the key
 */

/**
 * @typedef {{ ok: true, claims: AccessClaims }
 *   | { ok: false, reason: 'invalid' | 'expired' | 'revoked' }} VerifyResult
 */

/**
 * @typedef {object} AccessTokenRequest
 * @property {string} sub
 * @property {string} sid
 * @property {string} clientId
 * @property {readonly string[]} scope
 * @property {number} ttl seconds; 0 yields a token born expired (exp === iat)
 * @property {string} [jkt] bind the token to this DPoP key thumbprint
 */

/**
 * @typedef {object} AccessTokens
 * @property {(request: AccessTokenRequest) => Promise<string>} sign
 * @property {(token: string) => Promise<VerifyResult>} verify signature, exp and jti revocation
 * @property {(token: string) => Promise<AccessClaims | null>} verifyIgnoringExpiry
 *   authentic claims even if expired (logout must work with a stale token)
 * @property {(jti: string) => boolean} revokeJti true if the jti was issued and not yet revoked
 * @property {() => number} revokeAll revokes every token issued so far, returns how many
 */

const TOKEN_TYPE = 'at+jwt';

/**
 * @param {{ keys: import('./signing-keys.js').SigningKeys, clock: import('./clock.js').Clock, issuer: string }} deps
 * @returns {AccessTokens}
 */
export function createAccessTokens({ keys, clock, issuer }) {
  /** jtis that are still accepted; revokeAll moves them to `revoked`. */
  /** @type {Set<string>} */
  const live = new Set();
  /** @type {Set<string>} */
  const revoked = new Set();

  /**
   * @param {string} token
   * @returns {Promise<AccessClaims>}
   */
  async function verifyJwt(token) {
    const { payload } = await jwtVerify(token, keys.publicKey, {
      issuer,
      algorithms: ['RS256'],
      typ: TOKEN_TYPE,
      requiredClaims: ['sub', 'jti', 'iat', 'exp'],
      // jose rejects when exp <= now: with ttl 0 the token is expired at birth.
      currentDate: new Date(clock.nowMs()),
    });
    return toClaims(payload);
  }

  return {
    async sign({ sub, sid, clientId, scope, ttl, jkt }) {
      const iat = clock.nowSeconds();
      const jti = randomId();
      /** @type {import('jose').JWTPayload} */
      const extra = scope.length > 0 ? { sid, client_id: clientId, scope: formatScope(scope) } : { sid, client_id: clientId };
      if (jkt !== undefined) extra.cnf = { jkt };
      const token = await new SignJWT(extra)
        .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: TOKEN_TYPE })
        .setIssuer(issuer)
        .setSubject(sub)
        .setJti(jti)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttl)
        .sign(keys.privateKey);
      live.add(jti);
      return token;
    },

    async verify(token) {
      /** @type {AccessClaims} */
      let claims;
      try {
        claims = await verifyJwt(token);
      } catch (error) {
        return { ok: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
      }
      if (revoked.has(claims.jti)) return { ok: false, reason: 'revoked' };
      return { ok: true, claims };
    },

    async verifyIgnoringExpiry(token) {
      try {
        return await verifyJwt(token);
      } catch (error) {
        // jose authenticates the signature before validating claims, so the
        // payload carried by JWTExpired is genuine.
        if (error instanceof errors.JWTExpired) {
          try {
            return toClaims(error.payload);
          } catch {
            return null;
          }
        }
        return null;
      }
    },

    revokeJti(jti) {
      if (!live.delete(jti)) return false;
      revoked.add(jti);
      return true;
    },

    revokeAll() {
      const count = live.size;
      for (const jti of live) revoked.add(jti);
      live.clear();
      return count;
    },
  };
}

/**
 * Narrows a verified payload to the claims this server always issues.
 * @param {import('jose').JWTPayload} payload
 * @returns {AccessClaims}
 */
function toClaims(payload) {
  const { iss, sub, jti, iat, exp, sid, client_id: clientId, scope, cnf } = payload;
  if (
    typeof iss !== 'string' ||
    typeof sub !== 'string' ||
    typeof jti !== 'string' ||
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    typeof sid !== 'string' ||
    typeof clientId !== 'string' ||
    (scope !== undefined && typeof scope !== 'string')
  ) {
    throw new TypeError('access token lacks required claims');
  }
  /** @type {AccessClaims} */
  const claims = { iss, sub, sid, jti, client_id: clientId, iat, exp };
  if (scope !== undefined) claims.scope = scope;
  const jkt = /** @type {{ jkt?: unknown } | undefined} */ (cnf)?.jkt;
  if (typeof jkt === 'string') claims.cnf = { jkt };
  return claims;
}
