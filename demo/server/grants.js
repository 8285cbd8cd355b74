// @ts-check
import { verifyS256 } from './pkce.js';
import { formatScope, isScopeSubset } from './scope.js';

/**
 * Issuing and redeeming tokens and authorization codes; shared by the JSON
 * endpoints under /api/auth/ and the RFC 6749 token endpoint, so both behave
 * identically.
 */

/** @typedef {import('./context.js').ServerContext} ServerContext */
/** @typedef {import('./oauth-response.js').TokenResponse} TokenResponse */

/**
 * @typedef {{ ok: true, tokens: TokenResponse }
 *   | { ok: false, error: 'invalid_grant' | 'invalid_scope', description: string }} GrantResult
 */

/**
 * Starts a new session (refresh-token family) after the resource owner
 * authenticated, and issues its first token pair.
 * @param {ServerContext} ctx
 * @param {{ sub: string, clientId: string, scope: readonly string[], jkt?: string }} grant `jkt`: the DPoP key to bind the tokens to
 * @returns {Promise<TokenResponse>}
 */
export function startSession(ctx, { sub, clientId, scope, jkt }) {
  const family = ctx.sessions.startFamily();
  return issueTokens(ctx, { sub, clientId, family, refreshScope: scope, accessScope: scope, jkt });
}

/**
 * Refresh with rotation (RFC 6749 §6, RFC 9700 §4.14.2): the presented token
 * is spent and a new one in the same family is returned. Presenting a spent
 * token again means two parties hold it (or the client raced itself), and the
 * server cannot tell which is legitimate, so the whole family is revoked.
 * @param {ServerContext} ctx
 * @param {{ refreshToken: string, clientId: string, requestedScope?: readonly string[], jkt?: string }} request `jkt`: the key of the request's DPoP proof
 * @returns {Promise<GrantResult>}
 */
export async function redeemRefreshToken(ctx, { refreshToken, clientId, requestedScope, jkt }) {
  const record = ctx.sessions.findRefreshToken(refreshToken);
  if (record === undefined) {
    return { ok: false, error: 'invalid_grant', description: 'refresh token is not recognised' };
  }
  // RFC 6749 §10.4: a refresh token is bound to the client it was issued to.
  // Checked before reuse so another client cannot get a family revoked.
  if (record.clientId !== clientId) {
    return { ok: false, error: 'invalid_grant', description: 'refresh token was issued to another client' };
  }
  // RFC 9449 §5: a public client's refresh token is bound to its DPoP key, and the binding is
  // checked on every use; before reuse, so a thief without the key cannot revoke the family.
  if (record.jkt !== jkt) {
    return { ok: false, error: 'invalid_grant', description: 'refresh token is bound to another DPoP key' };
  }
  if (record.used && !withinReuseGrace(ctx, record)) {
    ctx.counters.reuseDetections++;
    ctx.sessions.revokeFamily(record.family);
    return { ok: false, error: 'invalid_grant', description: 'refresh token was already used; session revoked' };
  }
  if (record.used) {
    // RFC 9700 §4.14.2 leaves room for a grace period: the client most likely never received
    // the answer to its rotation. The successor it never saw is spent, so only one pair lives on.
    ctx.counters.reuseGraceAccepted++;
    if (record.successor !== undefined) record.successor.used = true;
  }
  if (!ctx.sessions.isActive(record.family)) {
    return { ok: false, error: 'invalid_grant', description: 'session has been revoked' };
  }
  if (record.expiresAt <= ctx.clock.nowMs()) {
    return { ok: false, error: 'invalid_grant', description: 'refresh token has expired' };
  }
  const accessScope = requestedScope !== undefined && requestedScope.length > 0 ? requestedScope : record.scope;
  if (!isScopeSubset(accessScope, record.scope)) {
    return { ok: false, error: 'invalid_scope', description: 'requested scope exceeds the scope originally granted' };
  }
  // Spend the token before any await: a concurrent request with the same
  // token must already see it as used.
  // RFC 6749 §6: the server MAY issue a new refresh token. With the
  // 'no-refresh-token' shape it does not rotate, so the presented token stays valid.
  const rotate = ctx.knobs.tokenShape !== 'no-refresh-token';
  if (rotate) {
    record.used = true;
    record.usedAt = ctx.clock.nowMs();
  }
  const tokens = await issueTokens(ctx, {
    sub: record.sub,
    clientId,
    family: record.family,
    // RFC 6749 §6: a new refresh token keeps the original scope even when the
    // access token is narrowed.
    refreshScope: record.scope,
    accessScope,
    keepRefreshToken: rotate ? undefined : refreshToken,
    jkt,
  });
  if (rotate) record.successor = ctx.sessions.findRefreshToken(tokens.refresh_token);
  ctx.counters.refreshSuccess++;
  return { ok: true, tokens };
}

/**
 * @param {ServerContext} ctx
 * @param {import('./sessions.js').RefreshRecord} record
 * @returns {boolean} true when `record` was rotated less than knobs.reuseGrace seconds ago and its successor is unused
 */
function withinReuseGrace(ctx, record) {
  if (ctx.knobs.reuseGrace === 0 || record.usedAt === undefined) return false;
  if (record.successor?.used) return false;
  return ctx.clock.nowMs() - record.usedAt <= ctx.knobs.reuseGrace * 1000;
}

/**
 * Authorization code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.6). The
 * code is checked against everything it was bound to before its use is:
 * replaying a spent code with the right client, redirect_uri and verifier
 * means the whole grant leaked, so the session it started is revoked
 * (RFC 6749 §4.1.2); someone holding only an intercepted code (what PKCE
 * defends against) gets invalid_grant without ending the victim's session.
 * @param {ServerContext} ctx
 * @param {{ code: string, clientId: string, redirectUri: string, codeVerifier: string, jkt?: string }} request `jkt`: the key of the request's DPoP proof
 * @returns {Promise<GrantResult>}
 */
export async function exchangeAuthorizationCode(ctx, { code, clientId, redirectUri, codeVerifier, jkt }) {
  const record = ctx.sessions.findCode(code);
  if (record === undefined) {
    return { ok: false, error: 'invalid_grant', description: 'authorization code is not recognised' };
  }
  if (record.clientId !== clientId) {
    return { ok: false, error: 'invalid_grant', description: 'authorization code was issued to another client' };
  }
  // §4.1.3: redirect_uri must be identical to the authorization request's.
  if (record.redirectUri !== redirectUri) {
    return { ok: false, error: 'invalid_grant', description: 'redirect_uri does not match the authorization request' };
  }
  if (!verifyS256(codeVerifier, record.codeChallenge)) {
    return { ok: false, error: 'invalid_grant', description: 'code_verifier does not match the code challenge' };
  }
  if (record.used) {
    if (record.family !== undefined) ctx.sessions.revokeFamily(record.family);
    return { ok: false, error: 'invalid_grant', description: 'authorization code was already used; session revoked' };
  }
  if (record.expiresAt <= ctx.clock.nowMs()) {
    return { ok: false, error: 'invalid_grant', description: 'authorization code has expired' };
  }
  // Spend the code and link its session before any await, so a concurrent
  // replay already sees both.
  record.used = true;
  const family = ctx.sessions.startFamily();
  record.family = family;
  const tokens = await issueTokens(ctx, {
    sub: record.sub,
    clientId,
    family,
    refreshScope: record.scope,
    accessScope: record.scope,
    jkt,
  });
  ctx.counters.codeExchanges++;
  return { ok: true, tokens };
}

/**
 * @param {ServerContext} ctx
 * @param {{ sub: string, clientId: string, family: string, refreshScope: readonly string[], accessScope: readonly string[], keepRefreshToken?: string, jkt?: string | undefined }} grant
 *   `keepRefreshToken`: the refresh token to hand back unchanged when not rotating; `jkt`: bind both tokens to this DPoP key
 * @returns {Promise<TokenResponse>}
 */
async function issueTokens(ctx, { sub, clientId, family, refreshScope, accessScope, keepRefreshToken, jkt }) {
  // Read the knob once so expires_in and the exp claim always agree.
  const ttl = ctx.knobs.accessTtl;
  const accessToken = await ctx.accessTokens.sign({ sub, sid: family, clientId, scope: accessScope, ttl, jkt });
  const refreshToken =
    keepRefreshToken ??
    ctx.sessions.addRefreshToken({
      family,
      sub,
      clientId,
      scope: [...refreshScope],
      expiresAt: ctx.clock.nowMs() + ctx.refreshTtl * 1000,
      ...(jkt === undefined ? {} : { jkt }),
    });
  // RFC 9449 §5: token_type DPoP tells the client the token is bound to its key.
  /** @type {TokenResponse} */
  const tokens = {
    access_token: accessToken,
    token_type: jkt === undefined ? 'Bearer' : 'DPoP',
    expires_in: ttl,
    refresh_token: refreshToken,
  };
  // RFC 6749 §5.1: scope is optional when it equals the request; always
  // sending it when there is one costs nothing and helps clients.
  if (accessScope.length > 0) tokens.scope = formatScope(accessScope);
  return tokens;
}
