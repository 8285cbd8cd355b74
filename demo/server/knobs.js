// @ts-check
/**
 * Knobs let a test change server behaviour mid-run: shorter token lifetimes,
 * a refresh endpoint that refuses (invalid_grant, which must end the
 * session), fails (5xx, 429, HTML, truncated JSON, dropped connections, which
 * must not), stalls until released, or loses its response after rotating;
 * malformed token responses; resources that reject good tokens; and, in DPoP mode, servers
 * that demand nonces.
 *
 * This module is the knob surface: the names, their values and validation.
 * What each knob does lives next to the code it affects (refresh-knob.js,
 * token-shape.js, resource-faults.js).
 */

export { applyRefreshKnob, releaseHeldRefreshes } from './refresh-knob.js';

/**
 * @typedef {'ok' | 'invalid_grant' | 'invalid_client' | 'error500' | 'error503' | 'error429'
 *   | 'html' | 'truncated' | 'reset' | 'hold' | 'lose-response'} RefreshMode
 */

/**
 * @typedef {'normal' | 'no-expires-in' | 'no-refresh-token' | 'no-access-token'
 *   | 'bad-expires-in' | 'garbage-jwt'} TokenShape
 */

/** Which DPoP servers demand a nonce (RFC 9449 §8 the token endpoints, §9 the API). */
/** @typedef {'none' | 'token' | 'api' | 'both'} DpopNonceMode */

/**
 * @typedef {object} Knobs
 * @property {number} accessTtl lifetime in seconds of access tokens issued from now on
 * @property {RefreshMode} refresh behaviour of every refresh endpoint
 * @property {number} retryAfter Retry-After seconds sent by the error503 and error429 refresh modes
 * @property {number} reuseGrace seconds during which a just-rotated refresh token may be presented again (its answer was lost) without revoking the session; 0 (default) is strict reuse detection
 * @property {TokenShape} tokenShape how every token response is distorted on the wire
 * @property {string[]} unauthorizedPaths resource pathnames that answer 401 invalid_token to any token
 * @property {string[]} stepUpPaths resource pathnames that answer 401 insufficient_user_authentication (RFC 9470)
 * @property {string[]} insufficientScopePaths resource pathnames that answer 403 insufficient_scope (RFC 6750 §3.1)
 * @property {DpopNonceMode} dpopNonce in DPoP mode, where proofs must carry the server's nonce
 */

/** @type {readonly RefreshMode[]} */
export const REFRESH_MODES = [
  'ok',
  'invalid_grant',
  'invalid_client',
  'error500',
  'error503',
  'error429',
  'html',
  'truncated',
  'reset',
  'hold',
  'lose-response',
];

/** @type {readonly TokenShape[]} */
export const TOKEN_SHAPES = ['normal', 'no-expires-in', 'no-refresh-token', 'no-access-token', 'bad-expires-in', 'garbage-jwt'];

/** @type {readonly DpopNonceMode[]} */
export const DPOP_NONCE_MODES = ['none', 'token', 'api', 'both'];

/** Short enough that a client honouring Retry-After keeps a test fast. */
const DEFAULT_RETRY_AFTER = 2;

/**
 * @param {number} accessTtl
 * @returns {Knobs}
 */
export function createKnobs(accessTtl) {
  return {
    accessTtl,
    refresh: 'ok',
    retryAfter: DEFAULT_RETRY_AFTER,
    reuseGrace: 0,
    tokenShape: 'normal',
    unauthorizedPaths: [],
    stepUpPaths: [],
    insufficientScopePaths: [],
    dpopNonce: 'none',
  };
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
 * @param {unknown} value
 * @returns {value is TokenShape}
 */
function isTokenShape(value) {
  return TOKEN_SHAPES.some((shape) => shape === value);
}

/**
 * Pathnames as the router sees them (absolute, no query).
 * @param {unknown} value
 * @returns {value is string[]}
 */
function isPathList(value) {
  return Array.isArray(value) && value.every((path) => typeof path === 'string' && path.startsWith('/'));
}

/**
 * Merges a partial update into the live knobs. Unknown keys and bad values are
 * rejected as a whole, so a typo in a test fails loudly instead of silently.
 * @param {Knobs} knobs
 * @param {Record<string, unknown>} patch
 * @returns {string | null} an error message, or null when applied
 */
export function applyKnobPatch(knobs, patch) {
  /** @type {Partial<Knobs>} */
  const update = {};
  for (const [key, value] of Object.entries(patch)) {
    switch (key) {
      case 'accessTtl':
        if (!isTtl(value)) return 'accessTtl must be a non-negative integer';
        update.accessTtl = value;
        break;
      case 'refresh':
        if (!isRefreshMode(value)) return `refresh must be one of ${REFRESH_MODES.join(', ')}`;
        update.refresh = value;
        break;
      case 'retryAfter':
        // RFC 9110 §10.2.3: delay-seconds is a non-negative integer.
        if (!isTtl(value)) return 'retryAfter must be a non-negative integer';
        update.retryAfter = value;
        break;
      case 'reuseGrace':
        if (!isTtl(value)) return 'reuseGrace must be a non-negative integer';
        update.reuseGrace = value;
        break;
      case 'tokenShape':
        if (!isTokenShape(value)) return `tokenShape must be one of ${TOKEN_SHAPES.join(', ')}`;
        update.tokenShape = value;
        break;
      case 'dpopNonce':
        if (!DPOP_NONCE_MODES.some((mode) => mode === value)) return `dpopNonce must be one of ${DPOP_NONCE_MODES.join(', ')}`;
        update.dpopNonce = /** @type {DpopNonceMode} */ (value);
        break;
      case 'unauthorizedPaths':
      case 'stepUpPaths':
      case 'insufficientScopePaths':
        if (!isPathList(value)) return `${key} must be an array of paths starting with /`;
        // A copy, so the caller's array cannot change the knob later.
        update[key] = [...value];
        break;
      default:
        return `unknown knob ${key}`;
    }
  }
  Object.assign(knobs, update);
  return null;
}
