// @ts-check
import { discardResponse, sendHtml, sendJson, sendText } from './http-util.js';
import { sendInvalidClient, sendOAuthError } from './oauth-response.js';
import { randomId } from './random.js';

/**
 * What knobs.refresh does at a refresh endpoint (/api/auth/refresh, the
 * refresh_token grant of /oauth/token, /api/auth/cookie/refresh). Each mode
 * imitates a failure a real deployment produces, so tests can check which
 * ones end the session (invalid_grant, invalid_client) and which must not.
 */

/** @typedef {import('./knobs.js').Knobs} Knobs */
/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */

/** RFC 6749 §5.1: token-endpoint answers must not be cached. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** What a captive portal or an SSO gateway answers in place of the API. */
const GATEWAY_PAGE = '<!doctype html><html><body>Gateway login page</body></html>';

/**
 * Refreshes waiting for releaseHeldRefreshes, per knobs object (one per
 * server). Kept off the knobs object itself because /__test/knobs serialises
 * it, and a WeakMap lets a closed server's list be collected.
 * @type {WeakMap<Knobs, Array<() => void>>}
 */
const heldRefreshes = new WeakMap();

/**
 * Applies the refresh knob. Called after refreshCalls was counted and before
 * the token store is touched.
 * @param {Knobs} knobs
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @returns {Promise<boolean>} true when the knob produced the outcome and the caller must stop
 */
export async function applyRefreshKnob(knobs, req, res) {
  switch (knobs.refresh) {
    case 'ok':
      return false;
    case 'invalid_grant':
      sendOAuthError(res, 400, 'invalid_grant', 'refresh refused by test knob');
      return true;
    case 'invalid_client':
      // RFC 6749 §5.2: the client itself is no longer accepted.
      sendInvalidClient(res, 'client refused by test knob');
      return true;
    case 'error500':
      sendJson(res, 500, { error: 'server_error' }, { 'Cache-Control': 'no-store' });
      return true;
    case 'error503':
      // RFC 9110 §15.6.4: Retry-After says when the outage should be over.
      sendOAuthError(res, 503, 'temporarily_unavailable', undefined, retryAfter(knobs));
      return true;
    case 'error429':
      // RFC 6585 §4; slow_down is the RFC 8628 §3.5 code for "poll less often".
      sendOAuthError(res, 429, 'slow_down', undefined, retryAfter(knobs));
      return true;
    case 'html':
      sendHtml(res, 200, GATEWAY_PAGE, NO_STORE);
      return true;
    case 'truncated':
      sendTruncatedTokenResponse(res);
      return true;
    case 'reset':
      // No response at all: the client's fetch rejects with a network error.
      req.socket.destroy();
      return true;
    case 'hold':
      return !(await waitForRelease(knobs, req, res));
    case 'lose-response':
      // The refresh runs to the end (the token rotates, refreshSuccess
      // counts) but the client only sees the connection drop.
      discardResponse(res);
      return false;
  }
}

/**
 * Resumes every refresh held by the 'hold' mode. Each one then proceeds as
 * 'ok' would, whatever the knob says by now; one whose client went away while
 * it was held is dropped without touching the token store, so a client-side
 * timeout never rotates a token behind the client's back.
 * @param {Knobs} knobs
 * @returns {number} how many held refreshes were released (dropped ones included)
 */
export function releaseHeldRefreshes(knobs) {
  const waiting = heldRefreshes.get(knobs) ?? [];
  heldRefreshes.delete(knobs);
  for (const release of waiting) release();
  return waiting.length;
}

/**
 * @param {Knobs} knobs
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @returns {Promise<boolean>} true to process the refresh, false when it was dropped
 */
async function waitForRelease(knobs, req, res) {
  let clientGone = false;
  const onClose = () => {
    clientGone = true;
  };
  // The response is still pending, so 'close' now can only mean the
  // connection went away.
  res.once('close', onClose);
  await new Promise((resolve) => {
    const waiting = heldRefreshes.get(knobs) ?? [];
    waiting.push(() => resolve(undefined));
    heldRefreshes.set(knobs, waiting);
  });
  // A client may abort right before the release; give the event loop one
  // turn to deliver that close before deciding.
  await new Promise((resolve) => setImmediate(resolve));
  res.off('close', onClose);
  if (clientGone || res.destroyed || !req.socket.writable) {
    res.destroy();
    return false;
  }
  return true;
}

/**
 * @param {Knobs} knobs
 * @returns {Record<string, string>}
 */
function retryAfter(knobs) {
  return { 'Retry-After': String(knobs.retryAfter) };
}

/**
 * A 200 whose JSON stops halfway, as when a proxy cuts a response short but
 * frames what it has. The tokens are random look-alikes: nothing is issued.
 * @param {ServerResponse} res
 */
function sendTruncatedTokenResponse(res) {
  const whole = JSON.stringify({
    access_token: `eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.${randomId(180)}.${randomId(256)}`,
    token_type: 'Bearer',
    expires_in: 60,
    refresh_token: randomId(32),
  });
  // The access token is most of the body, so the cut lands inside its string.
  const half = whole.slice(0, Math.floor(whole.length / 2));
  sendText(res, 200, 'application/json; charset=utf-8', half, NO_STORE);
}
