// @ts-check
import { sendJson } from './http-util.js';
import { REALM } from './oauth-response.js';

/**
 * Bearer-token authentication for protected resources (RFC 6750). The
 * challenges follow §3 exactly, because the library decides from them whether
 * a 401 is worth a refresh-and-replay.
 */

/** @typedef {import('./context.js').ServerContext} ServerContext */
/** @typedef {import('./access-tokens.js').AccessClaims} AccessClaims */

/**
 * RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token. The scheme name is
 * case-insensitive (RFC 9110 §11.1).
 */
const BEARER_CREDENTIALS = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

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
 * Authenticates the request or answers it with the right RFC 6750 §3 error.
 * @param {ServerContext} ctx
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @returns {Promise<AccessClaims | null>} claims, or null when a response was sent
 */
export async function authenticate(ctx, req, res) {
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
