// @ts-check
import { parseCredentials } from './bearer.js';
import { cookieLogin, cookieLogout, cookieRefresh } from './cookie-auth.js';
import { proveAtTokenEndpoint } from './dpop.js';
import { redeemRefreshToken, startSession } from './grants.js';
import {
  SMALL_BODY_LIMIT,
  isFormRequest,
  parseForm,
  parseJsonObject,
  readBody,
  sendJson,
  sendMethodNotAllowed,
  sendNotFound,
} from './http-util.js';
import { readJsonLogin } from './json-login.js';
import { sendOAuthError, sendTokenResponse } from './oauth-response.js';
import { applyRefreshKnob } from './refresh-knob.js';
import { parseScope } from './scope.js';

/**
 * The SPA-style JSON auth endpoints under /api/auth/. They answer with the
 * same RFC 6749 §5.1/§5.2 bodies as /oauth/token; only the request encoding
 * differs (JSON instead of a form). They are not protected resources.
 * The cookie variants under /api/auth/cookie/ are in cookie-auth.js.
 */

/** @typedef {import('./context.js').ServerContext} ServerContext */
/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */

/**
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @param {string} pathname
 */
export async function handleAuthApi(ctx, req, res, pathname) {
  /** @type {((ctx: ServerContext, req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined} */
  const handler = ROUTES[pathname];
  if (handler === undefined) return sendNotFound(res);
  if (req.method !== 'POST') return sendMethodNotAllowed(res, ['POST']);
  await handler(ctx, req, res);
}

/**
 * POST /api/auth/login {username, password, scope?}: the resource-owner
 * password grant (RFC 6749 §4.3) with a JSON body.
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
async function login(ctx, req, res) {
  ctx.counters.loginCalls++;
  const proof = await proveAtTokenEndpoint(ctx, req, res);
  if (proof === null) return;
  const owner = await readJsonLogin(ctx, req, res);
  if (owner === null) return;
  const tokens = await startSession(ctx, { sub: owner.sub, clientId: ctx.clientId, scope: owner.scope, jkt: proof.jkt });
  sendTokenResponse(res, tokens, { shape: ctx.knobs.tokenShape });
}

/**
 * POST /api/auth/refresh {refresh_token, scope?}: RFC 6749 §6 with a JSON body.
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
async function refresh(ctx, req, res) {
  // Counted on arrival: tests compare this with the number of refreshes the
  // client attempted, whatever the outcome.
  ctx.counters.refreshCalls++;
  if (await applyRefreshKnob(ctx.knobs, req, res)) return;
  const proof = await proveAtTokenEndpoint(ctx, req, res);
  if (proof === null) return;
  const body = parseJsonObject(await readBody(req, SMALL_BODY_LIMIT));
  if (body === null) return sendOAuthError(res, 400, 'invalid_request', 'body must be a JSON object');
  const { refresh_token: refreshToken, scope } = body;
  if (typeof refreshToken !== 'string' || refreshToken === '') {
    return sendOAuthError(res, 400, 'invalid_request', 'refresh_token is required');
  }
  const requestedScope = parseScope(scope);
  if (requestedScope === null) return sendOAuthError(res, 400, 'invalid_scope', 'scope is malformed');
  const result = await redeemRefreshToken(ctx, { refreshToken, clientId: ctx.clientId, requestedScope, jkt: proof.jkt });
  if (!result.ok) return sendOAuthError(res, 400, result.error, result.description);
  sendTokenResponse(res, result.tokens, { shape: ctx.knobs.tokenShape });
}

/**
 * POST /api/auth/logout: ends the session named by the refresh token in the
 * body and/or the Bearer access token. Always 200, like RFC 7009 §2.2: the
 * client wants the session gone, and an unknown token already is.
 * Accepts JSON {refresh_token} or an RFC 7009 form body (token=...), since the
 * library sends the latter when configured for RFC 6749 form encoding.
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
async function logout(ctx, req, res) {
  const raw = await readBody(req, SMALL_BODY_LIMIT);
  const bodyToken = readLogoutToken(req, raw);
  if (bodyToken === null) return sendOAuthError(res, 400, 'invalid_request', 'body must be a JSON object or a form');

  /** @type {Set<string>} */
  const sessions = new Set();
  if (bodyToken !== undefined) {
    const sid = await sessionOf(ctx, bodyToken);
    if (sid !== null) sessions.add(sid);
  }
  // Bearer or, in DPoP mode, DPoP credentials: ending a session needs no proof of the key.
  const credentials = req.headers.authorization === undefined ? null : parseCredentials(req.headers.authorization);
  if (credentials !== null) {
    const sid = await sessionOf(ctx, credentials.token);
    if (sid !== null) sessions.add(sid);
  }
  for (const sid of sessions) {
    if (ctx.sessions.revokeFamily(sid)) ctx.counters.revocations++;
  }
  sendJson(res, 200, { ok: true }, { 'Cache-Control': 'no-store' });
}

/**
 * The session a refresh or access token belongs to. An expired access token
 * still identifies the session to end, so expiry is ignored here.
 * @param {ServerContext} ctx
 * @param {string} token
 * @returns {Promise<string | null>}
 */
async function sessionOf(ctx, token) {
  const record = ctx.sessions.findRefreshToken(token);
  if (record !== undefined) return record.family;
  const claims = await ctx.accessTokens.verifyIgnoringExpiry(token);
  return claims === null ? null : claims.sid;
}

/**
 * @param {IncomingMessage} req
 * @param {Buffer} raw
 * @returns {string | undefined | null} the token, undefined if none was sent, null if the body is malformed
 */
function readLogoutToken(req, raw) {
  if (raw.length === 0) return undefined;
  if (isFormRequest(req)) {
    const form = parseForm(raw);
    if (form === null) return null;
    return form.get('token') ?? form.get('refresh_token');
  }
  const body = parseJsonObject(raw);
  if (body === null) return null;
  const { refresh_token: token } = body;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** @type {Record<string, (ctx: ServerContext, req: IncomingMessage, res: ServerResponse) => Promise<void>>} */
const ROUTES = Object.assign(Object.create(null), {
  '/api/auth/login': login,
  '/api/auth/refresh': refresh,
  '/api/auth/logout': logout,
  '/api/auth/cookie/login': cookieLogin,
  '/api/auth/cookie/refresh': cookieRefresh,
  '/api/auth/cookie/logout': cookieLogout,
});
