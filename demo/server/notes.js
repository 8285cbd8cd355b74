// @ts-check
import { authenticate } from './bearer.js';
import { SMALL_BODY_LIMIT, parseJsonObject, readBody, sendJson, sendMethodNotAllowed } from './http-util.js';

/**
 * GET/POST /api/notes: a tiny protected resource for the demo app, so it has
 * something real to list and create through the service worker. Notes are
 * per user and kept in memory for the life of the server.
 */

/** @typedef {import('./context.js').ServerContext} ServerContext */

export const NOTES_PATH = '/api/notes';

const MAX_TEXT = 280;
const MAX_NOTES_PER_USER = 100;

/**
 * @typedef {object} Note
 * @property {number} id
 * @property {string} text
 * @property {number} createdAt server ms
 */

/** @type {WeakMap<ServerContext, { byUser: Map<string, Note[]>, nextId: number }>} */
const stores = new WeakMap();

/** @param {ServerContext} ctx */
function storeFor(ctx) {
  let store = stores.get(ctx);
  if (store === undefined) {
    store = { byUser: new Map(), nextId: 1 };
    stores.set(ctx, store);
  }
  return store;
}

/**
 * @param {ServerContext} ctx
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
export async function handleNotes(ctx, req, res) {
  const claims = await authenticate(ctx, req, res);
  if (claims === null) return;
  const store = storeFor(ctx);
  const notes = store.byUser.get(claims.sub) ?? [];
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return sendJson(res, 200, { notes }, { 'Cache-Control': 'no-store' });
  if (method !== 'POST') return sendMethodNotAllowed(res, ['GET', 'HEAD', 'POST']);

  const body = parseJsonObject(await readBody(req, SMALL_BODY_LIMIT));
  const text = typeof body?.text === 'string' ? body.text.trim() : '';
  if (text === '' || text.length > MAX_TEXT) {
    return sendJson(res, 400, { error: 'invalid_request', error_description: `text must be 1 to ${MAX_TEXT} characters` });
  }
  const note = { id: store.nextId++, text, createdAt: ctx.clock.nowMs() };
  store.byUser.set(claims.sub, [note, ...notes].slice(0, MAX_NOTES_PER_USER));
  sendJson(res, 201, { note }, { 'Cache-Control': 'no-store' });
}
