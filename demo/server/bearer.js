// @ts-check
import { DPOP_ALGS } from './dpop.js';
import { sendJson } from './http-util.js';
import { REALM } from './oauth-response.js';

/**
 * Bearer-token authentication for protected resources (RFC 6750), and in DPoP
 * mode DPoP-bound tokens with their proofs instead (RFC 9449 §7). The
 * challenges follow RFC 6750 §3 exactly, because the library decides from them
 * whether a 401 is worth a refresh-and-replay.
 */

/** @typedef {import('./context.js').ServerContext} ServerContext */
/** @typedef {import('./access-tokens.js').AccessClaims} AccessClaims */

/**
 * RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token. The scheme name is
 * case-insensitive (RFC 9110 §11.1).
 */
const BEARER_CREDENTIALS = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** RFC 9449 §7.1: credentials = "DPoP" 1*SP token68, the same token syntax. */
const DPOP_CREDENTIALS = /^DPoP +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Extracts the token from an Authorization header value.
 * @param {string} header
 * @returns {string | null} null when the header is not well-formed Bearer credentials
 */
export function parseBearer(header) {
  const match = BEARER_CREDENTIALS.exec(header);
  return match?.[1] ?? null;
}

/**
 * The token of Bearer or DPoP credentials.
 * @param {string} header
 * @returns {{ scheme: 'bearer' | 'dpop', token: string } | null}
 */
export function parseCredentials(header) {
  const bearer = parseBearer(header);
  if (bearer !== null) return { scheme: 'bearer', token: bearer };
  const dpop = DPOP_CREDENTIALS.exec(header)?.[1];
  return dpop === undefined ? null : { scheme: 'dpop', token: dpop };
}

/**
 * Authenticates the request or answers it with the right RFC 6750 §3 error.
 * @param {ServerContext} ctx
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @returns {Promise<AccessClaims | null>} claims, or null when a response was sent
 */
export async function authenticate(ctx, req, res) {
  if (ctx.dpop !== null) return authenticateDpop(ctx, ctx.dpop, req, res);
  const header = req.headers.authorization;
  if (header === undefined) {
    // §3.1: a request without credentials gets a bare challenge, no error code.
    sendUnauthorized(ctx, res, `Bearer realm="${REALM}"`, { message: 'A Bearer access token is required' });
    return null;
  }
  const token = parseBearer(header);
  if (token === null) {
    // §3.1 invalid_request -> 400.
    const description = 'Authorization header must be Bearer credentials';
    sendJson(
      res,
      400,
      { error: 'invalid_request', error_description: description },
      {
        'WWW-Authenticate': challenge('invalid_request', description),
      },
    );
    return null;
  }
  const result = await ctx.accessTokens.verify(token);
  if (!result.ok) {
    rejectToken(ctx, res, DESCRIPTIONS[result.reason]);
    return null;
  }
  // Revoking a session (logout, revocation, refresh-token reuse) must also stop
  // the access tokens minted for it, before they expire.
  if (!ctx.sessions.isActive(result.claims.sid)) {
    rejectToken(ctx, res, DESCRIPTIONS.revoked);
    return null;
  }
  return result.claims;
}

/** error_description texts; RFC 6750 §3 limits them to printable ASCII without '"' and '\'. */
const DESCRIPTIONS = {
  invalid: 'The access token is malformed or its signature is invalid',
  expired: 'The access token expired',
  revoked: 'The access token was revoked',
};

/**
 * @param {string} error
 * @param {string} description
 * @returns {string}
 */
function challenge(error, description) {
  return `Bearer realm="${REALM}", error="${error}", error_description="${description}"`;
}

/**
 * §3.1 invalid_token -> 401; the library refreshes and replays on this.
 * @param {ServerContext} ctx
 * @param {import('node:http').ServerResponse} res
 * @param {string} description
 */
function rejectToken(ctx, res, description) {
  sendUnauthorized(ctx, res, challenge('invalid_token', description), {
    error: 'invalid_token',
    error_description: description,
  });
}

/**
 * @param {ServerContext} ctx
 * @param {import('node:http').ServerResponse} res
 * @param {string} wwwAuthenticate
 * @param {Record<string, string>} body
 */
function sendUnauthorized(ctx, res, wwwAuthenticate, body) {
  ctx.counters.unauthorizedSent++;
  sendJson(res, 401, body, { 'WWW-Authenticate': wwwAuthenticate });
}

/**
 * DPoP mode (RFC 9449 §7): the resource accepts only DPoP-bound tokens, presented with the DPoP
 * scheme and a proof that covers the token (`ath`) and is signed by its key. A bound token
 * presented as Bearer is refused (§7.2), so a copied token is useless without the key.
 * @param {ServerContext} ctx
 * @param {import('./dpop.js').Dpop} dpop
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @returns {Promise<AccessClaims | null>}
 */
async function authenticateDpop(ctx, dpop, req, res) {
  const header = req.headers.authorization;
  if (header === undefined) {
    sendUnauthorized(ctx, res, DPOP_CHALLENGE, { message: 'A DPoP-bound access token is required' });
    return null;
  }
  const credentials = parseCredentials(header);
  if (credentials === null) {
    const description = 'Authorization header must be DPoP credentials';
    sendJson(
      res,
      400,
      { error: 'invalid_request', error_description: description },
      {
        'WWW-Authenticate': dpopChallenge('invalid_request', description),
      },
    );
    return null;
  }
  const result = await ctx.accessTokens.verify(credentials.token);
  const problem = dpopTokenProblem(ctx, result, credentials.scheme);
  if (!result.ok || problem !== null) {
    rejectDpop(ctx, res, 'invalid_token', problem ?? DESCRIPTIONS.invalid);
    return null;
  }
  const jkt = /** @type {{ jkt: string }} */ (result.claims.cnf).jkt;
  const proof = await dpop.verify(req, 'api', { accessToken: credentials.token, jkt });
  const nonce = dpop.nonceHeader('api');
  if (!proof.ok) {
    rejectDpop(ctx, res, proof.error, proof.description, proof.error === 'use_dpop_nonce' ? nonce : {});
    return null;
  }
  // RFC 9449 §9: the resource server may hand out its nonce with any response.
  for (const [name, value] of Object.entries(nonce)) res.setHeader(name, value);
  return result.claims;
}

/**
 * Why a token is refused in DPoP mode, before its proof is looked at; null when it may be used.
 * @param {ServerContext} ctx
 * @param {import('./access-tokens.js').VerifyResult} result
 * @param {'bearer' | 'dpop'} scheme
 * @returns {string | null}
 */
function dpopTokenProblem(ctx, result, scheme) {
  if (!result.ok) return DESCRIPTIONS[result.reason];
  if (!ctx.sessions.isActive(result.claims.sid)) return DESCRIPTIONS.revoked;
  if (result.claims.cnf === undefined) return 'The access token is not DPoP-bound';
  // RFC 9449 §7.2: a bound token presented as a bearer token is refused, or a thief could skip the proof.
  if (scheme === 'bearer') return 'A DPoP-bound access token must be sent with the DPoP scheme and a proof';
  return null;
}

/** The bare DPoP challenge (RFC 9449 §7.1), naming the algorithms proofs may use. */
const DPOP_CHALLENGE = `DPoP realm="${REALM}", algs="${DPOP_ALGS.join(' ')}"`;

/**
 * @param {string} error
 * @param {string} description
 * @returns {string}
 */
function dpopChallenge(error, description) {
  return `${DPOP_CHALLENGE}, error="${error}", error_description="${description}"`;
}

/**
 * 401 with a DPoP challenge: invalid_token (refresh and replay), invalid_dpop_proof, or use_dpop_nonce with the nonce.
 * @param {ServerContext} ctx
 * @param {import('node:http').ServerResponse} res
 * @param {string} error
 * @param {string} description
 * @param {Record<string, string>} [headers]
 */
function rejectDpop(ctx, res, error, description, headers = {}) {
  ctx.counters.unauthorizedSent++;
  sendJson(res, 401, { error, error_description: description }, { 'WWW-Authenticate': dpopChallenge(error, description), ...headers });
}
