// @ts-check
import { handleAuthorize } from './authorize.js';
import { checkPassword } from './credentials.js';
import { proveAtTokenEndpoint } from './dpop.js';
import { exchangeAuthorizationCode, redeemRefreshToken, startSession } from './grants.js';
import { SMALL_BODY_LIMIT, isFormRequest, parseForm, readBody, sendEmpty, sendMethodNotAllowed, sendNotFound } from './http-util.js';
import { sendInvalidClient, sendOAuthError, sendTokenResponse } from './oauth-response.js';
import { applyRefreshKnob } from './refresh-knob.js';
import { parseScope } from './scope.js';

/**
 * Standard OAuth 2.0 endpoints: the authorization endpoint (RFC 6749 §3.1, in
 * authorize.js), the token endpoint (RFC 6749 §3.2) with the
 * authorization_code (+ PKCE), password and refresh_token grants, and token
 * revocation (RFC 7009).
 * The client is public (RFC 6749 §2.1): it identifies itself with client_id
 * in the form body and has no secret.
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
export async function handleOAuth(ctx, req, res, pathname) {
  if (pathname === '/oauth/authorize') return handleAuthorize(ctx, req, res);
  const handler = pathname === '/oauth/token' ? token : pathname === '/oauth/revoke' ? revoke : undefined;
  if (handler === undefined) return sendNotFound(res);
  // RFC 6749 §3.2 and RFC 7009 §2.1: POST only.
  if (req.method !== 'POST') return sendMethodNotAllowed(res, ['POST']);
  await handler(ctx, req, res);
}

/**
 * Reads the form body, answering invalid_request itself when the request is
 * not a well-formed application/x-www-form-urlencoded body.
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @returns {Promise<Map<string, string> | null>}
 */
async function readFormOrReject(req, res) {
  if (!isFormRequest(req)) {
    sendOAuthError(res, 400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    return null;
  }
  const form = parseForm(await readBody(req, SMALL_BODY_LIMIT));
  if (form === null) sendOAuthError(res, 400, 'invalid_request', 'a parameter was repeated');
  return form;
}

/**
 * RFC 6749 §5.2 invalid_client when client_id is missing or unknown.
 * @param {ServerContext} ctx
 * @param {Map<string, string>} form
 * @param {ServerResponse} res
 * @returns {boolean} true when the client is accepted
 */
function acceptClient(ctx, form, res) {
  const clientId = form.get('client_id');
  if (clientId === ctx.clientId) return true;
  sendInvalidClient(res, clientId === undefined ? 'client_id is required' : 'unknown client_id');
  return false;
}

/**
 * POST /oauth/token
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
async function token(ctx, req, res) {
  const form = await readFormOrReject(req, res);
  if (form === null) return;
  const grantType = form.get('grant_type');
  if (grantType === undefined) return sendOAuthError(res, 400, 'invalid_request', 'grant_type is required');
  if (grantType === 'refresh_token') {
    ctx.counters.refreshCalls++;
    if (await applyRefreshKnob(ctx.knobs, req, res)) return;
  }
  if (!acceptClient(ctx, form, res)) return;
  const proof = await proveAtTokenEndpoint(ctx, req, res);
  if (proof === null) return;
  switch (grantType) {
    case 'authorization_code':
      return authorizationCodeGrant(ctx, form, res, proof.jkt);
    case 'password':
      return passwordGrant(ctx, form, res, proof.jkt);
    case 'refresh_token':
      return refreshGrant(ctx, form, res, proof.jkt);
    default:
      return sendOAuthError(res, 400, 'unsupported_grant_type', `grant_type ${grantType} is not supported`);
  }
}

/**
 * RFC 6749 §4.1.3 authorization code grant; the client is public, so PKCE
 * (RFC 7636 §4.5) is what proves it started the authorization request.
 * @param {ServerContext} ctx
 * @param {Map<string, string>} form
 * @param {ServerResponse} res
 * @param {string | undefined} jkt the DPoP key to bind the tokens to
 */
async function authorizationCodeGrant(ctx, form, res, jkt) {
  const code = form.get('code');
  const redirectUri = form.get('redirect_uri');
  const codeVerifier = form.get('code_verifier');
  if (code === undefined || redirectUri === undefined || codeVerifier === undefined) {
    return sendOAuthError(res, 400, 'invalid_request', 'code, redirect_uri and code_verifier are required');
  }
  const result = await exchangeAuthorizationCode(ctx, { code, clientId: ctx.clientId, redirectUri, codeVerifier, jkt });
  if (!result.ok) return sendOAuthError(res, 400, result.error, result.description);
  sendTokenResponse(res, result.tokens, { shape: ctx.knobs.tokenShape });
}

/**
 * RFC 6749 §4.3.2 resource owner password credentials grant.
 * @param {ServerContext} ctx
 * @param {Map<string, string>} form
 * @param {ServerResponse} res
 * @param {string | undefined} jkt the DPoP key to bind the tokens to
 */
async function passwordGrant(ctx, form, res, jkt) {
  const username = form.get('username');
  const password = form.get('password');
  if (username === undefined || password === undefined) {
    return sendOAuthError(res, 400, 'invalid_request', 'username and password are required');
  }
  const scope = parseScope(form.get('scope'));
  if (scope === null) return sendOAuthError(res, 400, 'invalid_scope', 'scope is malformed');
  if (!checkPassword(ctx.users, username, password)) {
    return sendOAuthError(res, 400, 'invalid_grant', 'wrong username or password');
  }
  const tokens = await startSession(ctx, { sub: username, clientId: ctx.clientId, scope, jkt });
  sendTokenResponse(res, tokens, { shape: ctx.knobs.tokenShape });
}

/**
 * RFC 6749 §6 refresh, with rotation and reuse detection (see grants.js).
 * @param {ServerContext} ctx
 * @param {Map<string, string>} form
 * @param {ServerResponse} res
 * @param {string | undefined} jkt the key of the request's DPoP proof
 */
async function refreshGrant(ctx, form, res, jkt) {
  const refreshToken = form.get('refresh_token');
  if (refreshToken === undefined) return sendOAuthError(res, 400, 'invalid_request', 'refresh_token is required');
  const requestedScope = parseScope(form.get('scope'));
  if (requestedScope === null) return sendOAuthError(res, 400, 'invalid_scope', 'scope is malformed');
  const result = await redeemRefreshToken(ctx, { refreshToken, clientId: ctx.clientId, requestedScope, jkt });
  if (!result.ok) return sendOAuthError(res, 400, result.error, result.description);
  sendTokenResponse(res, result.tokens, { shape: ctx.knobs.tokenShape });
}

/**
 * POST /oauth/revoke (RFC 7009 §2.1). A refresh token ends its whole session
 * (§2.1: the server SHOULD also invalidate access tokens of the same grant);
 * an access token is revoked on its own. Unknown, invalid or already revoked
 * tokens still get 200 (§2.2): the client's goal is met either way.
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
async function revoke(ctx, req, res) {
  const form = await readFormOrReject(req, res);
  if (form === null) return;
  if (!acceptClient(ctx, form, res)) return;
  const value = form.get('token');
  if (value === undefined) return sendOAuthError(res, 400, 'invalid_request', 'token is required');

  // §2.1: the hint only orders the search; an unknown hint is ignored and a
  // wrong hint still finds the token.
  const revoked =
    form.get('token_type_hint') === 'access_token'
      ? (await revokeAccessToken(ctx, value)) || revokeRefreshToken(ctx, value)
      : revokeRefreshToken(ctx, value) || (await revokeAccessToken(ctx, value));
  if (revoked) ctx.counters.revocations++;
  sendEmpty(res, 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
}

/**
 * @param {ServerContext} ctx
 * @param {string} value
 * @returns {boolean} true if a session was revoked
 */
function revokeRefreshToken(ctx, value) {
  const record = ctx.sessions.findRefreshToken(value);
  // §2.1: only the client the token was issued to may revoke it.
  if (record === undefined || record.clientId !== ctx.clientId) return false;
  return ctx.sessions.revokeFamily(record.family);
}

/**
 * @param {ServerContext} ctx
 * @param {string} value
 * @returns {Promise<boolean>} true if the access token was revoked
 */
async function revokeAccessToken(ctx, value) {
  const result = await ctx.accessTokens.verify(value);
  if (!result.ok || result.claims.client_id !== ctx.clientId) return false;
  // A token whose session is already revoked is dead; revoking it again
  // changes nothing (a client that revokes both of its tokens counts once).
  if (!ctx.sessions.isActive(result.claims.sid)) return false;
  return ctx.accessTokens.revokeJti(result.claims.jti);
}
