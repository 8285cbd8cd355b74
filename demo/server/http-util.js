// @ts-check
/**
 * Small request/response helpers shared by every route. Nothing here knows
 * about OAuth; the OAuth wire format lives in oauth-response.js.
 */

/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */
/** @typedef {Record<string, string>} HeaderMap */

/** Body limit for JSON and form requests: credentials and tokens are small. */
export const SMALL_BODY_LIMIT = 64 * 1024;

/** Thrown by readBody when the client sends more than the route accepts. */
export class BodyTooLargeError extends Error {
  /** @param {number} limit */
  constructor(limit) {
    super(`request body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
    this.limit = limit;
  }
}

/**
 * Reads the whole request body as raw bytes. Async iteration rejects if the
 * client goes away mid-body, so callers never see a truncated body as valid.
 * @param {IncomingMessage} req
 * @param {number} limit maximum number of bytes accepted
 * @returns {Promise<Buffer>}
 */
export async function readBody(req, limit) {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  /** @type {Buffer[]} */
  const chunks = [];
  let total = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    total += buf.length;
    if (total > limit) throw new BodyTooLargeError(limit);
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Parses a body that must be a JSON object. Returns null for anything else
 * (invalid JSON, arrays, primitives) so the caller can answer invalid_request.
 * @param {Buffer} body
 * @returns {Record<string, unknown> | null}
 */
export function parseJsonObject(body) {
  /** @type {unknown} */
  let value;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return /** @type {Record<string, unknown>} */ (value);
}

/**
 * True when the request declares an application/x-www-form-urlencoded body,
 * the only encoding RFC 6749 §4.3.2 / §6 and RFC 7009 §2.1 allow.
 * @param {IncomingMessage} req
 * @returns {boolean}
 */
export function isFormRequest(req) {
  const type = req.headers['content-type'];
  if (type === undefined) return false;
  const [mediaType = ''] = type.split(';');
  return mediaType.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/**
 * Parses a form body into a map. RFC 6749 §3.2 says parameters without a value
 * are treated as omitted and that parameters MUST NOT repeat, so a repeated
 * parameter makes the whole body invalid (null).
 * @param {Buffer} body
 * @returns {Map<string, string> | null}
 */
export function parseForm(body) {
  const params = new URLSearchParams(body.toString('utf8'));
  /** @type {Map<string, string>} */
  const result = new Map();
  for (const [name, value] of params) {
    if (value === '') continue;
    if (result.has(name)) return null;
    result.set(name, value);
  }
  return result;
}

/**
 * Responses whose bytes must never reach the client. Lets a handler run to the
 * end (so every side effect happens) while the client sees a dropped
 * connection instead of the answer; used by the lose-response refresh knob.
 * @type {WeakSet<ServerResponse>}
 */
const discarded = new WeakSet();

/**
 * From now on, sending on this response destroys the connection instead.
 * @param {ServerResponse} res
 */
export function discardResponse(res) {
  discarded.add(res);
}

/**
 * @param {ServerResponse} res
 * @returns {boolean} true when the response was discarded and the connection destroyed
 */
function destroyIfDiscarded(res) {
  if (!discarded.has(res)) return false;
  res.destroy();
  return true;
}

/**
 * @param {ServerResponse} res
 * @param {number} status
 * @param {string} contentType
 * @param {string} text
 * @param {HeaderMap} [headers] may override Content-Type
 */
export function sendText(res, status, contentType, text, headers = {}) {
  if (destroyIfDiscarded(res)) return;
  const payload = Buffer.from(text, 'utf8');
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': String(payload.length),
    ...headers,
  });
  res.end(payload);
}

/**
 * @param {ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {HeaderMap} [headers]
 */
export function sendJson(res, status, body, headers = {}) {
  sendText(res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
}

/**
 * @param {ServerResponse} res
 * @param {number} status
 * @param {string} html
 * @param {HeaderMap} [headers]
 */
export function sendHtml(res, status, html, headers = {}) {
  sendText(res, status, 'text/html; charset=utf-8', html, headers);
}

/**
 * @param {ServerResponse} res
 * @param {number} status
 * @param {HeaderMap} [headers]
 */
export function sendEmpty(res, status, headers = {}) {
  if (destroyIfDiscarded(res)) return;
  res.writeHead(status, { 'Content-Length': '0', ...headers });
  res.end();
}

/**
 * 302 Found (RFC 9110 §15.4.3). Location may be a relative reference
 * (RFC 9110 §10.2.2).
 * @param {ServerResponse} res
 * @param {string} location
 * @param {HeaderMap} [headers]
 */
export function sendRedirect(res, location, headers = {}) {
  sendEmpty(res, 302, { Location: location, ...headers });
}

/**
 * The value of one cookie from the Cookie header (RFC 6265 §4.2.1:
 * "name=value" pairs separated by ";"). When the name repeats, the first one
 * wins: browsers list cookies with longer paths first (RFC 6265 §5.4).
 * @param {IncomingMessage} req
 * @param {string} name
 * @returns {string | undefined} undefined when absent or empty
 */
export function readCookie(req, name) {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator === -1 || pair.slice(0, separator).trim() !== name) continue;
    const value = pair.slice(separator + 1).trim();
    return value === '' ? undefined : value;
  }
  return undefined;
}

/** @param {ServerResponse} res */
export function sendNotFound(res) {
  sendJson(res, 404, { error: 'not_found' });
}

/**
 * RFC 9110 §15.5.6: a 405 must list the methods the resource does support.
 * @param {ServerResponse} res
 * @param {readonly string[]} allowed
 */
export function sendMethodNotAllowed(res, allowed) {
  sendJson(res, 405, { error: 'method_not_allowed' }, { Allow: allowed.join(', ') });
}
