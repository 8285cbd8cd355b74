// @ts-check
import { randomId, sha256 } from './random.js';

/**
 * Refresh-token store. A session is a refresh-token *family* (RFC 9700
 * §4.14.2): the first refresh token and every token rotated from it. The
 * family id doubles as the `sid` claim of the access tokens it produces, so
 * revoking the family also kills those access tokens (checked in bearer.js).
 * Authorization codes (RFC 6749 §4.1) live here too, because a code starts a
 * family and a replayed code must be able to revoke it (§4.1.2).
 *
 * This module only holds state; the rules for redeeming a token or a code
 * live in grants.js.
 */

/**
 * @typedef {object} RefreshRecord
 * @property {string} family session id (the `sid` claim)
 * @property {string} sub resource owner
 * @property {string} clientId client the token was issued to
 * @property {string[]} scope scope granted to the family
 * @property {boolean} used set once the token has been rotated
 * @property {number} [usedAt] server-clock milliseconds of the rotation
 * @property {RefreshRecord} [successor] the token it was rotated to (a reference, never the token)
 * @property {number} expiresAt server-clock milliseconds
 * @property {string} [jkt] DPoP mode: the key the token is bound to (RFC 9449 §5, public client)
 */

/**
 * @typedef {object} CodeRecord
 * @property {string} clientId client the code was issued to
 * @property {string} redirectUri exactly as sent in the authorization request
 * @property {string} codeChallenge RFC 7636 S256 challenge
 * @property {string} sub resource owner who signed in
 * @property {string[]} scope
 * @property {number} expiresAt server-clock milliseconds
 * @property {boolean} used set once the code has been exchanged
 * @property {string | undefined} family the session the exchange started
 */

/**
 * @typedef {object} Family
 * @property {boolean} revoked
 */

/**
 * @typedef {object} SessionStore
 * @property {() => string} startFamily creates a new session and returns its id
 * @property {(record: Omit<RefreshRecord, 'used'>) => string} addRefreshToken stores a new unused token, returns it
 * @property {(token: string) => RefreshRecord | undefined} findRefreshToken
 * @property {(sid: string) => boolean} isActive false for unknown or revoked sessions
 * @property {(sid: string) => boolean} revokeFamily true if the family was active before
 * @property {(record: Omit<CodeRecord, 'used' | 'family'>) => string} addCode stores a new authorization code, returns it
 * @property {(code: string) => CodeRecord | undefined} findCode
 */

/** 32 random bytes, as the brief asks; far above RFC 6749 §10.10's 2^-128 guess bound. */
const REFRESH_TOKEN_BYTES = 32;

/** Authorization codes are as unguessable as refresh tokens (RFC 6749 §10.5). */
const CODE_BYTES = 32;

/** @returns {SessionStore} */
export function createSessionStore() {
  /** Keyed by SHA-256 of the token: the store never holds a usable token. */
  /** @type {Map<string, RefreshRecord>} */
  const refreshTokens = new Map();
  /** @type {Map<string, Family>} */
  const families = new Map();
  /** Keyed by SHA-256 of the code, like refresh tokens. */
  /** @type {Map<string, CodeRecord>} */
  const codes = new Map();

  /** @param {string} token */
  const keyOf = (token) => sha256(token).toString('base64url');

  return {
    startFamily() {
      const sid = randomId();
      families.set(sid, { revoked: false });
      return sid;
    },
    addRefreshToken(record) {
      const token = randomId(REFRESH_TOKEN_BYTES);
      refreshTokens.set(keyOf(token), { ...record, scope: [...record.scope], used: false });
      return token;
    },
    findRefreshToken(token) {
      return refreshTokens.get(keyOf(token));
    },
    isActive(sid) {
      const family = families.get(sid);
      return family !== undefined && !family.revoked;
    },
    revokeFamily(sid) {
      const family = families.get(sid);
      if (family === undefined || family.revoked) return false;
      family.revoked = true;
      return true;
    },
    addCode(record) {
      const code = randomId(CODE_BYTES);
      codes.set(keyOf(code), { ...record, scope: [...record.scope], used: false, family: undefined });
      return code;
    },
    findCode(code) {
      return codes.get(keyOf(code));
    },
  };
}
