// @ts-check
/**
 * Opt-in CORS for running the demo API on a different origin from the app
 * (the library only injects tokens into cross-origin URLs listed explicitly).
 * The API authenticates with a header, never with cookies, so a wildcard
 * origin is safe here.
 */

/**
 * Headers every response gets when CORS is on. WWW-Authenticate and Date are
 * not CORS-safelisted response headers, but the client needs both: the
 * challenge to decide on a replay, the date to estimate server clock skew.
 * @param {import('node:http').ServerResponse} res
 */
export function applyCorsHeaders(res) {
  res.setHeader('Access-Control-Allow-Origin', '*');
  // DPoP-Nonce too: a client can only use a nonce it can read (RFC 9449 §8.1).
  res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate, Date, DPoP-Nonce');
}

/**
 * Answers a preflight. Authorization is not a CORS-safelisted request header,
 * so every request the library decorates with a token is preflighted.
 * @param {import('node:http').ServerResponse} res
 */
export function sendPreflight(res) {
  res.writeHead(204, {
    'Access-Control-Allow-Headers': 'authorization, content-type, dpop',
    'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE',
    'Access-Control-Max-Age': '600',
  });
  res.end();
}
