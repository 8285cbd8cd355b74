// @ts-check
import { sendJson } from './http-util.js';
import { sendOAuthError } from './oauth-response.js';

/**
 * Knobs let a test change server behaviour mid-run: shorter token lifetimes,
 * or a refresh endpoint that refuses (invalid_grant, which must end the
 * session), fails (500, which must not) or drops the connection (network
 * error, which must not either).
 */

/** @typedef {'ok' | 'invalid_grant' | 'error500' | 'reset'} RefreshMode */

/**
 * @typedef {object} Knobs
 * @property {number} accessTtl lifetime in seconds of access tokens issued from now on
 * @property {RefreshMode} refresh behaviour of both refresh endpoints
 */

/** @type {readonly RefreshMode[]} */
const REFRESH_MODES = ['ok', 'invalid_grant', 'error500', 'reset'];

/**
 * @param {number} accessTtl
 * @returns {Knobs}
 */
export function createKnobs(accessTtl) {
  return { accessTtl, refresh: 'ok' };
}

/**
 * @param {unknown} value
 * @returns {value is number}
 */
export function isTtl(value) {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/**
 * @param {unknown} value
 * @returns {value is RefreshMode}
 */
function isRefreshMode(value) {
  return REFRESH_MODES.some((mode) => mode === value);
}

/**
 * Merges a partial update into the live knobs. Unknown keys and bad values are
 * rejected as a whole, so a typo in a test fails loudly instead of silently.
 * @param {Knobs} knobs
 * @param {Record<string, unknown>} patch
 * @returns {string | null} an error message, or null when applied
 */
export function applyKnobPatch(knobs, patch) {
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'accessTtl') {
      if (!isTtl(value)) return 'accessTtl must be a non-negative integer';
    } else if (key === 'refresh') {
      if (!isRefreshMode(value)) return `refresh must be one of ${REFRESH_MODES.join(', ')}`;
    } else {
      return `unknown knob ${key}`;
    }
  }
  const { accessTtl, refresh } = patch;
  if (isTtl(accessTtl)) knobs.accessTtl = accessTtl;
  if (isRefreshMode(refresh)) knobs.refresh = refresh;
  return null;
}

/**
 * Applies the refresh knob at a refresh endpoint. Called after refreshCalls
 * was counted and before the token store is touched.
 * @param {Knobs} knobs
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @returns {boolean} true when the knob produced the outcome and the caller must stop
 */
export function applyRefreshKnob(knobs, req, res) {
  switch (knobs.refresh) {
    case 'ok':
      return false;
    case 'invalid_grant':
      sendOAuthError(res, 400, 'invalid_grant', 'refresh refused by test knob');
      return true;
    case 'error500':
      sendJson(res, 500, { error: 'server_error' }, { 'Cache-Control': 'no-store' });
      return true;
    case 'reset':
      // No response at all: the client's fetch rejects with a network error.
      req.socket.destroy();
      return true;
  }
}
