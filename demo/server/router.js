// @ts-check
import { handleAuthApi } from './auth-api.js';
import { applyCorsHeaders, sendPreflight } from './cors.js';
import { countResourceRequest, isResourcePath } from './counters.js';
import { BodyTooLargeError, sendJson, sendMethodNotAllowed, sendNotFound } from './http-util.js';
import { handleOAuth } from './oauth.js';
import { NOTES_PATH, handleNotes } from './notes.js';
import { handleProtected } from './protected.js';
import { TEST_HOOK_PREFIX, handleTestHook } from './test-hooks.js';
import { WS_TICKET_PATH, handleWsTicket } from './websocket-tickets.js';

/**
 * Dispatches each request to the module that owns its path. Cross-cutting
 * concerns live here: the Date header, CORS, request counting and turning
 * unexpected failures into a response.
 */

/** @typedef {import('./context.js').ServerContext} ServerContext */
/** @typedef {import('./static.js').StaticHandler} StaticHandler */
/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */

/**
 * @param {ServerContext} ctx
 * @param {StaticHandler} serveStatic
 * @returns {(req: IncomingMessage, res: ServerResponse) => void}
 */
export function createRequestListener(ctx, serveStatic) {
  return (req, res) => {
    route(ctx, serveStatic, req, res).catch((error) => handleFailure(res, error));
  };
}

/**
 * @param {ServerContext} ctx
 * @param {StaticHandler} serveStatic
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
async function route(ctx, serveStatic, req, res) {
  // The client estimates server clock skew from Date, so it must come from
  // the (possibly offset) server clock rather than Node's automatic header.
  res.setHeader('Date', ctx.clock.httpDate());
  if (ctx.cors) applyCorsHeaders(res);

  const pathname = parsePathname(req.url);
  if (pathname === null) return sendJson(res, 400, { error: 'invalid_request' });
  // Preflights never carry credentials; counting them would blur the
  // with/without Authorization numbers tests rely on.
  if (ctx.cors && req.method === 'OPTIONS') return sendPreflight(res);

  if (isResourcePath(pathname)) {
    countResourceRequest(ctx.counters, pathname, req.headers.authorization !== undefined);
    if (pathname === WS_TICKET_PATH) return handleWsTicket(ctx, req, res);
    if (pathname === NOTES_PATH) return handleNotes(ctx, req, res);
    return handleProtected(ctx, req, res, pathname);
  }
  if (pathname.startsWith('/api/auth/')) return handleAuthApi(ctx, req, res, pathname);
  if (pathname.startsWith('/oauth/')) return handleOAuth(ctx, req, res, pathname);
  if (pathname === '/.well-known/jwks.json') return serveJwks(ctx, req, res);
  if (ctx.testHooks && pathname.startsWith(TEST_HOOK_PREFIX)) return handleTestHook(ctx, req, res, pathname);
  if (await serveStatic(req, res, pathname)) return;
  sendNotFound(res);
}

/**
 * The normalised path of origin-form ("/a/b?c") or absolute-form request
 * targets (RFC 9112 §3.2). Prefixing the origin keeps "//x" a path instead of
 * a protocol-relative URL.
 * @param {string | undefined} target
 * @returns {string | null}
 */
function parsePathname(target) {
  if (target === undefined) return null;
  try {
    return new URL(target.startsWith('/') ? `http://localhost${target}` : target).pathname;
  } catch {
    return null;
  }
}

/**
 * GET /.well-known/jwks.json: the public keys resource servers would use to
 * verify access tokens (RFC 7517 §5).
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
function serveJwks(ctx, req, res) {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') return sendMethodNotAllowed(res, ['GET', 'HEAD']);
  sendJson(res, 200, ctx.keys.jwks, { 'Cache-Control': 'no-cache' });
}

/**
 * Last resort for errors a handler did not turn into a response itself.
 * @param {ServerResponse} res
 * @param {unknown} error
 */
function handleFailure(res, error) {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  if (error instanceof BodyTooLargeError) {
    // Close the connection rather than drain a body we refused.
    sendJson(res, 413, { error: 'invalid_request', error_description: error.message }, { Connection: 'close' });
    return;
  }
  sendJson(res, 500, { error: 'server_error' });
}
