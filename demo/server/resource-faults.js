// @ts-check
import { sendJson } from './http-util.js';
import { REALM } from './oauth-response.js';

/**
 * Path knobs for protected resources: answers a resource server gives to a
 * token that is valid but not good enough here. The client must tell them
 * apart, because only invalid_token is worth a refresh-and-replay.
 * A path listed in several knobs gets the first of: unauthorizedPaths,
 * stepUpPaths, insufficientScopePaths.
 */

/** @typedef {import('./context.js').ServerContext} ServerContext */

/**
 * error_description texts; RFC 6750 §3 limits them to printable ASCII
 * without '"' and '\'.
 */
const DESCRIPTIONS = {
  invalid_token: 'The access token is not accepted for this resource (test knob)',
  insufficient_user_authentication: 'A more recent or stronger authentication is required (test knob)',
  insufficient_scope: 'The access token lacks the scope this resource requires (test knob)',
};

/**
 * Answers the request when a path knob lists its pathname. Called after the
 * token was accepted, so requests without valid credentials still get the
 * ordinary RFC 6750 §3 answers.
 * @param {ServerContext} ctx
 * @param {import('node:http').ServerResponse} res
 * @param {string} pathname
 * @returns {boolean} true when a response was sent
 */
export function applyResourceFault(ctx, res, pathname) {
  const { unauthorizedPaths, stepUpPaths, insufficientScopePaths } = ctx.knobs;
  if (unauthorizedPaths.includes(pathname)) {
    // RFC 6750 §3.1: the token was rejected; a client may refresh and retry.
    ctx.counters.unauthorizedSent++;
    sendChallenge(ctx, res, 401, 'invalid_token');
  } else if (stepUpPaths.includes(pathname)) {
    // RFC 9470 §3: the user must authenticate again; a refreshed token will not do.
    ctx.counters.unauthorizedSent++;
    sendChallenge(ctx, res, 401, 'insufficient_user_authentication');
  } else if (insufficientScopePaths.includes(pathname)) {
    // RFC 6750 §3.1: 403, and retrying with a new token of the same scope is pointless.
    sendChallenge(ctx, res, 403, 'insufficient_scope');
  } else {
    return false;
  }
  return true;
}

/**
 * The challenge names the scheme the token was accepted with: DPoP in DPoP mode (RFC 9449 §7.1).
 * @param {ServerContext} ctx
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {keyof typeof DESCRIPTIONS} error
 */
function sendChallenge(ctx, res, status, error) {
  const description = DESCRIPTIONS[error];
  const scheme = ctx.dpop === null ? 'Bearer' : 'DPoP';
  sendJson(
    res,
    status,
    { error, error_description: description },
    {
      'WWW-Authenticate': `${scheme} realm="${REALM}", error="${error}", error_description="${description}"`,
    },
  );
}
