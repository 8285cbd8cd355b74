// @ts-check
import { SMALL_BODY_LIMIT, parseJsonObject, readBody, sendJson, sendMethodNotAllowed, sendNotFound } from './http-util.js';
import { resetCounters } from './counters.js';
import { applyKnobPatch, releaseHeldRefreshes } from './knobs.js';

/**
 * HTTP access to counters and knobs for tests that drive the server from
 * another process (e.g. the browser under Playwright). Mounted only when the
 * server was started with testHooks; otherwise /__test/* is a plain 404.
 */

/** @typedef {import('./context.js').ServerContext} ServerContext */
/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */

export const TEST_HOOK_PREFIX = '/__test/';

/** Never cached: tests poll these between steps. */
const NO_STORE = { 'Cache-Control': 'no-store' };

/**
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @param {string} pathname
 */
export async function handleTestHook(ctx, req, res, pathname) {
  const method = req.method ?? 'GET';
  switch (pathname) {
    case '/__test/counters':
      if (method !== 'GET') return sendMethodNotAllowed(res, ['GET']);
      return sendJson(res, 200, ctx.counters, NO_STORE);
    case '/__test/reset':
      if (method !== 'POST') return sendMethodNotAllowed(res, ['POST']);
      resetCounters(ctx.counters);
      return sendJson(res, 200, ctx.counters, NO_STORE);
    case '/__test/knobs':
      if (method !== 'POST') return sendMethodNotAllowed(res, ['POST']);
      return updateKnobs(ctx, req, res);
    case '/__test/release-held-refreshes':
      if (method !== 'POST') return sendMethodNotAllowed(res, ['POST']);
      return sendJson(res, 200, { released: releaseHeldRefreshes(ctx.knobs) }, NO_STORE);
    case '/__test/rotate-dpop-nonces':
      if (method !== 'POST') return sendMethodNotAllowed(res, ['POST']);
      ctx.dpop?.rotateNonces();
      return sendJson(res, 200, { rotated: ctx.dpop !== null }, NO_STORE);
    case '/__test/revoke-access-tokens':
      if (method !== 'POST') return sendMethodNotAllowed(res, ['POST']);
      return sendJson(res, 200, { revoked: ctx.accessTokens.revokeAll() }, NO_STORE);
    default:
      return sendNotFound(res);
  }
}

/**
 * @param {ServerContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
async function updateKnobs(ctx, req, res) {
  const patch = parseJsonObject(await readBody(req, SMALL_BODY_LIMIT));
  if (patch === null) return sendJson(res, 400, { error: 'invalid_request', error_description: 'body must be a JSON object' });
  const problem = applyKnobPatch(ctx.knobs, patch);
  if (problem !== null) return sendJson(res, 400, { error: 'invalid_request', error_description: problem });
  sendJson(res, 200, ctx.knobs, NO_STORE);
}
