// @ts-check
import { createHash } from 'node:crypto';
import { authenticate } from './bearer.js';
import { readBody, sendJson, sendMethodNotAllowed, sendNotFound } from './http-util.js';
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

/**
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @param {string} pathname
 */
export async function handleProtected(ctx, req, res, pathname) {
  const method = req.method ?? 'GET';
  // Read before authenticating, so that the body of a request refused with 401 is on
  // record too: a test then compares it with the body of its replay.
  const echoed = pathname === '/api/echo' && BODY_METHODS.includes(method) ? await readEcho(ctx, req) : null;
  const claims = await authenticate(ctx, req, res);
  if (claims === null) return;
  if (applyResourceFault(ctx, res, pathname)) return;

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
