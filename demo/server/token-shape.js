// @ts-check
/**
 * knobs.tokenShape: token responses that are well-formed JSON but break what a
 * client may assume about them (RFC 6749 §5.1 makes expires_in and
 * refresh_token optional; a broken gateway can drop anything). Applied to the
 * wire body only: the tokens were issued and stored as usual.
 */

/** @typedef {import('./knobs.js').TokenShape} TokenShape */
/** @typedef {import('./oauth-response.js').TokenResponse} TokenResponse */

/**
 * Three base64url segments like a JWT whose header decodes fine
 * ({"alg":"RS256"}) but whose payload is the text "not-json".
 */
export const GARBAGE_JWT = 'eyJhbGciOiJSUzI1NiJ9.bm90LWpzb24.c2ln';

/**
 * @param {TokenResponse} tokens
 * @param {TokenShape} shape
 * @returns {Record<string, unknown>} the body to send
 */
export function shapeTokenResponse(tokens, shape) {
  /** @type {Record<string, unknown>} */
  const body = { ...tokens };
  switch (shape) {
    case 'normal':
      break;
    case 'no-expires-in':
      delete body.expires_in;
      break;
    case 'no-refresh-token':
      delete body.refresh_token;
      break;
    case 'no-access-token':
      delete body.access_token;
      break;
    case 'bad-expires-in':
      body.expires_in = 'soon';
      break;
    case 'garbage-jwt':
      body.access_token = GARBAGE_JWT;
      break;
  }
  return body;
}
