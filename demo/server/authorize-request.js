// @ts-check
import { isS256Challenge } from './pkce.js';
import { parseScope } from './scope.js';

/**
 * Validation of authorization requests (RFC 6749 §4.1.1 with RFC 7636 §4.3)
 * and the redirects that answer them. RFC 6749 §4.1.2.1 splits errors in two:
 * a bad client_id or redirect_uri must never be redirected to (that would make
 * the server an open redirector), everything else is reported to the client
 * at its redirect_uri.
 */

/**
 * @typedef {object} AuthorizationRequest
 * @property {string} clientId
 * @property {string} redirectUri exactly as sent; the token request must repeat it (RFC 6749 §4.1.3)
 * @property {string | undefined} state opaque client value, echoed back (RFC 6749 §4.1.2)
 * @property {string} codeChallenge RFC 7636 S256 challenge
 * @property {string[]} scope
 */

/**
 * @typedef {{ ok: true, request: AuthorizationRequest }
 *   | { ok: false, redirect: false, description: string }
 *   | { ok: false, redirect: true, redirectUri: string, state: string | undefined, error: string, description: string }
 * } ParsedAuthorization
 */

/**
 * Control characters, space and backslash: URL parsers drop or rewrite them
 * (browsers read "\" as "/"), so what was checked could differ from where a
 * browser ends up.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE_URI_CHARACTERS = /[\x00-\x20\x7f\\]/;

/** RFC 3986 §3.1 scheme, which makes a reference absolute. */
const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * @param {URLSearchParams} params query (GET) or form (POST) parameters
 * @param {string} clientId the one registered client
 * @param {string} host the request's Host header: the only origin redirects may go to
 * @returns {ParsedAuthorization}
 */
export function parseAuthorizationRequest(params, clientId, host) {
  const requestedClient = single(params, 'client_id');
  if (requestedClient === undefined) return fatal('client_id is required');
  if (requestedClient !== clientId) return fatal('client_id is unknown or repeated');
  const redirectUri = single(params, 'redirect_uri');
  if (redirectUri === undefined) return fatal('redirect_uri is required');
  if (redirectUri === null || resolveRedirectUri(redirectUri, host) === null) {
    return fatal('redirect_uri is not allowed for this client');
  }

  // From here on errors go back to the client (§4.1.2.1), with its state.
  const state = single(params, 'state');
  if (state === null) return redirected(redirectUri, undefined, 'invalid_request', 'state is repeated');
  /**
   * @param {string} error
   * @param {string} description
   */
  const reject = (error, description) => redirected(redirectUri, state, error, description);

  const responseType = single(params, 'response_type');
  if (responseType === undefined || responseType === null) {
    return reject('invalid_request', 'response_type is required once');
  }
  if (responseType !== 'code') return reject('unsupported_response_type', 'only response_type=code is supported');
  // RFC 7636 §4.4.1: this server requires PKCE, with S256 (pkce.js says why).
  const codeChallenge = single(params, 'code_challenge');
  if (codeChallenge === undefined || codeChallenge === null) {
    return reject('invalid_request', 'code_challenge is required');
  }
  if (single(params, 'code_challenge_method') !== 'S256') {
    return reject('invalid_request', 'code_challenge_method must be S256');
  }
  if (!isS256Challenge(codeChallenge)) return reject('invalid_request', 'code_challenge is malformed');
  const rawScope = single(params, 'scope');
  const scope = rawScope === null ? null : parseScope(rawScope);
  if (scope === null) return reject('invalid_scope', 'scope is malformed');

  return { ok: true, request: { clientId, redirectUri, state, codeChallenge, scope } };
}

/**
 * The Location that sends the browser back to the client with `params`
 * added to the query of the redirect URI (RFC 6749 §4.1.2, which keeps any
 * query the URI already has). A relative redirect URI stays relative.
 * @param {string} redirectUri a value parseAuthorizationRequest accepted
 * @param {string} host
 * @param {Record<string, string | undefined>} params undefined values are left out
 * @returns {string}
 */
export function buildRedirect(redirectUri, host, params) {
  const url = resolveRedirectUri(redirectUri, host);
  if (url === null) throw new Error('redirect URI was not validated');
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.append(name, value);
  }
  return HAS_SCHEME.test(redirectUri) ? url.href : `${url.pathname}${url.search}`;
}

/**
 * A redirect URI is accepted when it is on this server's own origin: an
 * absolute http(s) URI whose host is the request's Host, or a path starting
 * with "/" (but not "//", another host). RFC 6749 §3.1.2: no fragment.
 * @param {string} value
 * @param {string} host
 * @returns {URL | null} the resolved URI, or null when not allowed
 */
function resolveRedirectUri(value, host) {
  if (UNSAFE_URI_CHARACTERS.test(value) || value.includes('#')) return null;
  const relative = !HAS_SCHEME.test(value);
  if (relative && (!value.startsWith('/') || value.startsWith('//'))) return null;
  /** @type {URL} */
  let base;
  /** @type {URL} */
  let url;
  try {
    base = new URL(`http://${host}/`);
    url = new URL(value, base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return null;
  return url.host === base.host ? url : null;
}

/**
 * RFC 6749 §3.1: parameters without a value count as omitted, and none may
 * appear more than once.
 * @param {URLSearchParams} params
 * @param {string} name
 * @returns {string | undefined | null} the value, undefined when absent, null when repeated
 */
function single(params, name) {
  const values = params.getAll(name).filter((value) => value !== '');
  if (values.length > 1) return null;
  return values[0];
}

/**
 * @param {string} description
 * @returns {ParsedAuthorization}
 */
function fatal(description) {
  return { ok: false, redirect: false, description };
}

/**
 * @param {string} redirectUri
 * @param {string | undefined} state
 * @param {string} error
 * @param {string} description
 * @returns {ParsedAuthorization}
 */
function redirected(redirectUri, state, error, description) {
  return { ok: false, redirect: true, redirectUri, state, error, description };
}
