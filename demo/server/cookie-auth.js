// @ts-check
import { proveAtTokenEndpoint } from './dpop.js';
import { redeemRefreshToken, startSession } from './grants.js';
import { readCookie, sendJson } from './http-util.js';
import { readJsonLogin } from './json-login.js';
import { applyRefreshKnob } from './refresh-knob.js';
import { sendOAuthError, sendTokenResponse } from './oauth-response.js';

/**
 * The cookie refresh format under /api/auth/cookie/: the refresh token lives
 * only in an HttpOnly cookie, so neither page JS nor the service worker can
 * read it and a script injected into the page cannot steal it. Token
 * responses carry the access token only; rotation and reuse detection are the
 * same as for the other refresh endpoints (grants.js).
 *
 * Path scopes the cookie to these three endpoints, so it never rides along on
 * API calls; SameSite=Strict keeps other sites from triggering a refresh or
 * logout with it. A deployment over HTTPS would add Secure.
 */

/** @typedef {import('./context.js').ServerContext} ServerContext */
/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */

export const REFRESH_COOKIE = 'sw_rt';
export const REFRESH_COOKIE_PATH = '/api/auth/cookie';

/**
 * POST /api/auth/cookie/login {username, password, scope?}
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
export async function cookieLogin(ctx, req, res) {
  ctx.counters.loginCalls++;
  const proof = await proveAtTokenEndpoint(ctx, req, res);
  if (proof === null) return;
  const owner = await readJsonLogin(ctx, req, res);
  if (owner === null) return;
  const tokens = await startSession(ctx, { sub: owner.sub, clientId: ctx.clientId, scope: owner.scope, jkt: proof.jkt });
  sendCookieTokens(ctx, res, tokens);
}

/**
 * POST /api/auth/cookie/refresh: RFC 6749 §6 with the refresh token taken from
 * the cookie. The body is ignored.
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
export async function cookieRefresh(ctx, req, res) {
  // Counted on arrival, like the other refresh endpoints.
  ctx.counters.refreshCalls++;
  if (await applyRefreshKnob(ctx.knobs, req, res)) return;
  const proof = await proveAtTokenEndpoint(ctx, req, res);
  if (proof === null) return;
  const refreshToken = readCookie(req, REFRESH_COOKIE);
  if (refreshToken === undefined) return sendOAuthError(res, 400, 'invalid_grant', 'no refresh token cookie');
  const result = await redeemRefreshToken(ctx, { refreshToken, clientId: ctx.clientId, jkt: proof.jkt });
  // The cookie is left alone on failure: it is useless anyway, and a test
  // that flips the knob back must find the session as it left it.
  if (!result.ok) return sendOAuthError(res, 400, result.error, result.description);
  sendCookieTokens(ctx, res, result.tokens);
}

/**
 * POST /api/auth/cookie/logout: ends the cookie's session and clears the
 * cookie. Always 200, like RFC 7009 §2.2.
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
export async function cookieLogout(ctx, req, res) {
  const refreshToken = readCookie(req, REFRESH_COOKIE);
  const record = refreshToken === undefined ? undefined : ctx.sessions.findRefreshToken(refreshToken);
  if (record !== undefined && ctx.sessions.revokeFamily(record.family)) ctx.counters.revocations++;
  sendJson(res, 200, { ok: true }, { 'Cache-Control': 'no-store', 'Set-Cookie': refreshCookie('', 0) });
}

/**
 * The token response without refresh_token, which goes into the cookie.
 * @param {ServerContext} ctx
 * @param {ServerResponse} res
 * @param {import('./oauth-response.js').TokenResponse} tokens
 */
function sendCookieTokens(ctx, res, tokens) {
  sendTokenResponse(res, tokens, {
    shape: ctx.knobs.tokenShape,
    withoutRefreshToken: true,
    headers: { 'Set-Cookie': refreshCookie(tokens.refresh_token, ctx.refreshTtl) },
  });
}

/**
 * RFC 6265 §4.1. Refresh tokens are base64url, valid cookie-octets as they are.
 * @param {string} value
 * @param {number} maxAge seconds; 0 deletes the cookie
 * @returns {string}
 */
function refreshCookie(value, maxAge) {
  return `${REFRESH_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=${REFRESH_COOKIE_PATH}; Max-Age=${maxAge}`;
}
