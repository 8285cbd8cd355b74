// @ts-check
import { PAGE_HEADERS, renderErrorPage, renderLoginPage } from './authorize-page.js';
import { buildRedirect, parseAuthorizationRequest } from './authorize-request.js';
import { checkPassword } from './credentials.js';
import { SMALL_BODY_LIMIT, isFormRequest, readBody, sendHtml, sendMethodNotAllowed, sendRedirect } from './http-util.js';

/**
 * The authorization endpoint (RFC 6749 §3.1, §4.1.1) for the authorization
 * code flow with PKCE: GET shows the sign-in form, POST checks the password
 * and redirects back to the client with a one-time code (§4.1.2).
 */

/** @typedef {import('./context.js').ServerContext} ServerContext */
/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */

/** RFC 6749 §4.1.2: codes must be short-lived; 10 minutes at most is recommended. */
const CODE_TTL_SECONDS = 60;

/** Redirects carry codes and errors; neither may be cached. */
const NO_STORE = { 'Cache-Control': 'no-store' };

/**
 * /oauth/authorize
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
export async function handleAuthorize(ctx, req, res) {
  // §3.1: GET must be supported, POST may be.
  if (req.method === 'GET') return showLoginForm(ctx, req, res);
  if (req.method === 'POST') return signIn(ctx, req, res);
  sendMethodNotAllowed(res, ['GET', 'POST']);
}

/**
 * GET: the authorization request is in the query.
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
function showLoginForm(ctx, req, res) {
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const valid = validateOrReject(ctx, req, res, params);
  if (valid === null) return;
  sendHtml(res, 200, renderLoginPage(valid.request), PAGE_HEADERS);
}

/**
 * POST: the form from showLoginForm, i.e. the authorization request in hidden
 * fields plus the credentials. The request is validated again: hidden fields
 * are as much client input as the query was.
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
async function signIn(ctx, req, res) {
  if (!isFormRequest(req)) return sendHtml(res, 400, renderErrorPage('The form could not be read.'), PAGE_HEADERS);
  const params = new URLSearchParams((await readBody(req, SMALL_BODY_LIMIT)).toString('utf8'));
  const valid = validateOrReject(ctx, req, res, params);
  if (valid === null) return;
  const { request, host } = valid;

  const username = params.get('username') ?? '';
  const password = params.get('password') ?? '';
  if (!checkPassword(ctx.users, username, password)) {
    const page = renderLoginPage(request, { username, error: 'Wrong username or password.' });
    return sendHtml(res, 200, page, PAGE_HEADERS);
  }
  const code = ctx.sessions.addCode({
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    sub: username,
    scope: request.scope,
    expiresAt: ctx.clock.nowMs() + CODE_TTL_SECONDS * 1000,
  });
  const location = buildRedirect(request.redirectUri, host, { code, state: request.state });
  sendRedirect(res, location, NO_STORE);
}

/**
 * Validates the authorization request, answering per RFC 6749 §4.1.2.1 when it
 * is not acceptable: an error page for a bad client or redirect URI, a
 * redirect carrying `error` (and `state`) for anything else.
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @param {URLSearchParams} params
 * @returns {{ request: import('./authorize-request.js').AuthorizationRequest, host: string } | null}
 *   null when an answer was sent
 */
function validateOrReject(ctx, req, res, params) {
  const host = req.headers.host;
  // HTTP/1.0 may omit Host; without it no redirect URI can be checked.
  if (host === undefined || host === '') {
    sendInvalidRequestPage(res, 'the Host header is required');
    return null;
  }
  const parsed = parseAuthorizationRequest(params, ctx.clientId, host);
  if (parsed.ok) return { request: parsed.request, host };
  if (!parsed.redirect) {
    sendInvalidRequestPage(res, parsed.description);
    return null;
  }
  const location = buildRedirect(parsed.redirectUri, host, {
    error: parsed.error,
    error_description: parsed.description,
    state: parsed.state,
  });
  sendRedirect(res, location, NO_STORE);
  return null;
}

/**
 * @param {ServerResponse} res
 * @param {string} description
 */
function sendInvalidRequestPage(res, description) {
  sendHtml(res, 400, renderErrorPage(`Invalid authorization request: ${description}.`), PAGE_HEADERS);
}
