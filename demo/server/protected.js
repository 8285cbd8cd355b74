// @ts-check
import { createHash } from 'node:crypto';
import { authenticate } from './bearer.js';
import { readBody, sendJson, sendMethodNotAllowed, sendNotFound } from './http-util.js';
import { EVENTS_PATH } from './events.js';
import { MEDIA_PREFIX, handleMedia } from './media.js';
import { applyResourceFault } from './resource-faults.js';

/**
 * Protected resources under /api/ (everything except /api/auth/*). Every
 * request is authenticated first, so an unknown path with a bad token gets
 * 401 and one with a good token gets 404. Then the path knobs
 * (resource-faults.js) may refuse even a good token.
 */

/** @typedef {import('./context.js').ServerContext} ServerContext */
/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */

/** Large enough for replay tests with multi-megabyte bodies. */
const ECHO_BODY_LIMIT = 16 * 1024 * 1024;

const READ_METHODS = ['GET', 'HEAD'];
/** The library replays any method with a body, so echo accepts them all. */
const BODY_METHODS = ['POST', 'PUT', 'PATCH'];

/** `/api/method/<NAME>` answers any method, so tests can count each method on its own path. */
const METHOD_PREFIX = '/api/method/';

/** Redirect statuses `/api/redirect` may answer with (RFC 9110 §15.4). */
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

/**
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @param {string} pathname
 */
export async function handleProtected(ctx, req, res, pathname) {
  // Before authentication: a redirect hop must work with and without a token (the browser
  // removes Authorization when a redirect leaves the origin).
  if (pathname === '/api/redirect' && ctx.testHooks) return redirect(req, res);
  const method = req.method ?? 'GET';
  // Read before authenticating, so that the body of a request refused with 401 is on
  // record too: a test then compares it with the body of its replay.
  const echoed = pathname === '/api/echo' && BODY_METHODS.includes(method) ? await readEcho(ctx, req) : null;
  const claims = await authenticate(ctx, req, res);
  if (claims === null) return;
  if (applyResourceFault(ctx, res, pathname)) return;

  if (pathname.startsWith(METHOD_PREFIX)) return sendJson(res, 200, { method });
  if (pathname.startsWith(MEDIA_PREFIX)) return handleMedia(req, res, pathname);
  if (pathname === EVENTS_PATH) return ctx.events.handle(req, res);
  switch (pathname) {
    case '/api/me':
      if (!READ_METHODS.includes(method)) return sendMethodNotAllowed(res, READ_METHODS);
      return sendJson(res, 200, { sub: claims.sub, sid: claims.sid, scope: claims.scope ?? '' });
    case '/api/ping':
      if (!READ_METHODS.includes(method)) return sendMethodNotAllowed(res, READ_METHODS);
      return sendJson(res, 200, { pong: true });
    case '/api/echo':
      if (echoed === null) return sendMethodNotAllowed(res, BODY_METHODS);
      return sendJson(res, 200, echoed);
    default:
      return sendNotFound(res);
  }
}

/**
 * Digest of the exact bytes received, and their Content-Type, so tests can prove
 * a replayed request carried a byte-identical body (a multipart body is only
 * readable with the boundary its Content-Type names).
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 */
async function readEcho(ctx, req) {
  const body = await readBody(req, ECHO_BODY_LIMIT);
  const echoed = {
    sha256: createHash('sha256').update(body).digest('hex'),
    length: body.length,
    contentType: req.headers['content-type'] ?? null,
  };
  const key = `${echoed.sha256} ${echoed.length} ${echoed.contentType}`;
  ctx.counters.echoBodies[key] = (ctx.counters.echoBodies[key] ?? 0) + 1;
  return echoed;
}

/**
 * Test hooks only: `?to=<URL>&status=<3xx>` (default 307, which keeps the method and body)
 * redirects anywhere, so tests can send a request from one origin to another.
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
function redirect(req, res) {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const to = query.get('to');
  const status = Number(query.get('status') ?? 307);
  if (to === null || !REDIRECT_STATUSES.includes(status)) {
    return sendJson(res, 400, { error: 'invalid_request', error_description: 'needs ?to=<URL> and an optional 3xx status' });
  }
  res.writeHead(status, { Location: to, 'Cache-Control': 'no-store' });
  res.end();
}
