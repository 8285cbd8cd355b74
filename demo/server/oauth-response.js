// @ts-check
import { sendJson } from './http-util.js';
import { shapeTokenResponse } from './token-shape.js';

/**
 * The OAuth 2.0 wire format for token-endpoint answers, shared by the JSON
 * endpoints under /api/auth/ and the RFC 6749 endpoints under /oauth/.
 */

/**
 * RFC 6749 §5.1 successful token response.
 * @typedef {object} TokenResponse
 * @property {string} access_token
 * @property {'Bearer' | 'DPoP'} token_type
 * @property {number} expires_in
 * @property {string} refresh_token
 * @property {string} [scope]
 */

/** The realm named in every challenge this server sends. */
export const REALM = 'sw-auth-proxy-demo';

/**
 * RFC 6749 §5.1: responses carrying tokens (and, by extension, token-endpoint
 * errors) must not be cached by the browser or intermediaries.
 * @type {Readonly<Record<string, string>>}
 */
const NO_STORE = {
  'Content-Type': 'application/json;charset=UTF-8',
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
};

/**
 * @typedef {object} TokenResponseOptions
 * @property {import('./knobs.js').TokenShape} shape knobs.tokenShape, applied here for every endpoint
 * @property {boolean} [withoutRefreshToken] the refresh token travels another way (an HttpOnly cookie)
 * @property {Record<string, string>} [headers]
 */

/**
 * @param {import('node:http').ServerResponse} res
 * @param {TokenResponse} tokens
 * @param {TokenResponseOptions} options
 */
export function sendTokenResponse(res, tokens, { shape, withoutRefreshToken = false, headers = {} }) {
  const body = shapeTokenResponse(tokens, shape);
  if (withoutRefreshToken) delete body.refresh_token;
  sendJson(res, 200, body, { ...NO_STORE, ...headers });
}

/**
 * RFC 6749 §5.2 error response.
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} error
 * @param {string} [description]
 * @param {Record<string, string>} [headers]
 */
export function sendOAuthError(res, status, error, description, headers = {}) {
  /** @type {{ error: string, error_description?: string }} */
  const body = { error };
  if (description !== undefined) body.error_description = description;
  sendJson(res, status, body, { ...NO_STORE, ...headers });
}

/**
 * RFC 6749 §5.2: client authentication failed; answered with 401 and a
 * challenge for the scheme a client would use to authenticate.
 * @param {import('node:http').ServerResponse} res
 * @param {string} description
 */
export function sendInvalidClient(res, description) {
  sendOAuthError(res, 401, 'invalid_client', description, {
    'WWW-Authenticate': `Basic realm="${REALM}"`,
  });
}
