// @ts-check
import { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify } from 'jose';
import { sendOAuthError } from './oauth-response.js';
import { randomId, sha256 } from './random.js';

/**
 * DPoP (RFC 9449) for the reference server, on when it is started with `dpop: true`: every
 * proof is checked as §4.3 lists (one header, a JWT of type dpop+jwt signed with the public key
 * it embeds, htm and htu of this request, iat within a window, a jti never seen before, the
 * server's nonce when it demands one, and `ath` when a token comes along); tokens are bound to
 * the proof's key by its JWK thumbprint (§6, `cnf.jkt`). The token endpoints (§8) and the
 * resources (§9) demand the server's nonce when the `dpopNonce` knob says so. They share one
 * nonce: they are one origin, and clients keep one nonce per origin.
 */

/** @typedef {import('./context.js').ServerContext} ServerContext */
/** @typedef {import('node:http').IncomingMessage} IncomingMessage */

/** §4.3 check 5: asymmetric algorithms only (never `none` or an HMAC). */
export const DPOP_ALGS = ['ES256', 'ES384', 'ES512', 'PS256', 'RS256', 'EdDSA'];

/** §4.3 check 11: how far a proof's `iat` may be from the server clock, either way. */
const IAT_WINDOW_SECONDS = 60;

/** The two servers this one plays: authorization server (§8) and resource server (§9). */
/** @typedef {'token' | 'api'} DpopRole */

/**
 * @typedef {{ ok: true, jkt: string }
 *   | { ok: false, error: 'invalid_dpop_proof' | 'use_dpop_nonce', description: string }} ProofResult
 */

/**
 * @typedef {object} Dpop
 * @property {(req: IncomingMessage, role: DpopRole, bound?: { accessToken: string, jkt: string }) => Promise<ProofResult>} verify
 *   checks the request's proof — with `bound`, also that it covers that access token (`ath`) and is
 *   signed by the key the token is bound to — and counts it as verified or rejected
 * @property {(role: DpopRole) => Record<string, string>} nonceHeader `DPoP-Nonce` when nonces are demanded for `role`
 * @property {() => void} rotateNonces issues a new nonce; the previous one stays accepted until the next rotation
 */

/**
 * @param {Pick<ServerContext, 'clock' | 'counters' | 'knobs'>} ctx
 * @param {string} origin this server's origin, which every `htu` must name
 * @returns {Dpop}
 */
export function createDpop(ctx, origin) {
  /** jti to the server time (ms) until which a replay of it would still be in the window. */
  /** @type {Map<string, number>} */
  const seen = new Map();
  /** @type {{ current: string, previous: string | null }} */
  const nonce = { current: randomId(), previous: null };
  /** Keys whose last proof was answered with use_dpop_nonce: their next good proof is the retry. */
  /** @type {Set<string>} */
  const challenged = new Set();

  /** @param {DpopRole} role */
  const demands = (role) => ctx.knobs.dpopNonce === role || ctx.knobs.dpopNonce === 'both';

  /**
   * @param {IncomingMessage} req
   * @param {DpopRole} role
   * @param {{ accessToken: string, jkt: string } | undefined} bound
   * @returns {Promise<ProofResult>}
   */
  async function check(req, role, bound) {
    const values = req.headersDistinct.dpop ?? [];
    if (values.length !== 1) return invalid(values.length === 0 ? 'a DPoP proof is required' : 'more than one DPoP header');
    const proof = /** @type {string} */ (values[0]);
    let payload;
    let jwk;
    try {
      ({ jwk } = decodeProtectedHeader(proof));
      ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: DPOP_ALGS,
        requiredClaims: ['jti', 'htm', 'htu', 'iat'],
        currentDate: new Date(ctx.clock.nowMs()),
      }));
    } catch {
      return invalid('the proof is not a dpop+jwt signed by the key in its jwk header');
    }
    if (jwk === undefined) return invalid('the proof has no jwk');
    const jkt = await calculateJwkThumbprint(jwk);
    if (payload.htm !== req.method) return invalid('htm does not match the request method');
    if (typeof payload.htu !== 'string' || withoutQuery(payload.htu) !== `${origin}${pathOf(req)}`) {
      return invalid('htu does not match the request URI');
    }
    const now = ctx.clock.nowSeconds();
    if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > IAT_WINDOW_SECONDS) {
      return invalid('iat is outside the accepted window');
    }
    if (demands(role)) {
      const { current, previous } = nonce;
      if (payload.nonce !== current && (previous === null || payload.nonce !== previous)) {
        challenged.add(jkt);
        ctx.counters.dpopNonceChallenges++;
        return { ok: false, error: 'use_dpop_nonce', description: 'the server requires its nonce in the DPoP proof' };
      }
      if (payload.nonce === previous) ctx.counters.dpopStaleNonces++;
    }
    if (typeof payload.jti !== 'string' || !remember(payload.jti, payload.iat)) return invalid('jti was used before');
    if (bound !== undefined) {
      if (payload.ath !== sha256(bound.accessToken).toString('base64url')) return invalid('ath is not the hash of the access token');
      // §4.3 check 12: the token must be bound to the key that signed the proof.
      if (jkt !== bound.jkt) return invalid('the access token is bound to another key');
    }
    if (challenged.delete(jkt)) ctx.counters.dpopNonceRetries++;
    return { ok: true, jkt };
  }

  /**
   * §11.1: a jti is kept as long as a proof carrying it could still be accepted.
   * @param {string} jti
   * @param {number} iat
   * @returns {boolean} false when it was seen before
   */
  function remember(jti, iat) {
    const now = ctx.clock.nowMs();
    for (const [old, until] of seen) if (until < now) seen.delete(old);
    if (seen.has(jti)) return false;
    seen.set(jti, (iat + IAT_WINDOW_SECONDS) * 1000);
    return true;
  }

  return {
    async verify(req, role, bound) {
      const result = await check(req, role, bound);
      if (result.ok) {
        ctx.counters.dpopProofsVerified++;
        ctx.counters.dpopProofsByKey[result.jkt] = (ctx.counters.dpopProofsByKey[result.jkt] ?? 0) + 1;
      } else if (result.error === 'invalid_dpop_proof') {
        ctx.counters.dpopProofsRejected++;
      }
      return result;
    },
    nonceHeader(role) {
      /** @type {Record<string, string>} */
      const headers = {};
      if (demands(role)) headers['DPoP-Nonce'] = nonce.current;
      return headers;
    },
    rotateNonces() {
      nonce.previous = nonce.current;
      nonce.current = randomId();
    },
  };
}

/**
 * The token endpoints' side (RFC 9449 §5): in DPoP mode the request must carry a valid proof,
 * whose key the tokens are then bound to; otherwise this answers the RFC 6749 §5.2 error itself
 * (`invalid_dpop_proof`, or `use_dpop_nonce` with the nonce, §8). Outside DPoP mode, nothing.
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @returns {Promise<{ jkt: string | undefined } | null>} the key thumbprint, or null when an error was sent
 */
export async function proveAtTokenEndpoint(ctx, req, res) {
  if (ctx.dpop === null) return { jkt: undefined };
  const nonce = ctx.dpop.nonceHeader('token');
  const result = await ctx.dpop.verify(req, 'token');
  if (!result.ok) {
    sendOAuthError(res, 400, result.error, result.description, nonce);
    return null;
  }
  // §8.2: a server may hand out its nonce with any response.
  for (const [name, value] of Object.entries(nonce)) res.setHeader(name, value);
  return { jkt: result.jkt };
}

/**
 * @param {string} description
 * @returns {ProofResult}
 */
function invalid(description) {
  return { ok: false, error: 'invalid_dpop_proof', description };
}

/**
 * §4.3 check 9: htu is compared without query and fragment, after syntax-based normalisation.
 * @param {string} htu
 * @returns {string | null}
 */
function withoutQuery(htu) {
  try {
    const url = new URL(htu);
    return `${url.origin}${url.pathname}`;
  } catch {
    return null;
  }
}

/**
 * @param {IncomingMessage} req
 * @returns {string}
 */
function pathOf(req) {
  return new URL(req.url ?? '/', 'http://localhost').pathname;
}
