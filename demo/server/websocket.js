// @ts-check
import { WebSocketServer } from 'ws';
import { ticketStore } from './websocket-tickets.js';

/**
 * The chat WebSocket at /ws/chat, the server half of AuthSocket. It accepts
 * every credential strategy the client offers and says what happened with
 * close codes, because a browser hides the HTTP status of a refused handshake
 * (a refused upgrade is only a 1006 close to page script). So a connection
 * with a missing or bad credential is *accepted* and closed at once:
 *
 *   4401  credential missing, malformed, revoked, or a bad/used ticket
 *   4001  the token expired (at the handshake or later, while connected)
 *   4408  no auth frame in time (`message` strategy); not an auth failure
 *
 * Strategies, told apart by what the handshake carries:
 *   protocol  Sec-WebSocket-Protocol: <app protocol>, bearer, bearer.<token>
 *   ticket    ?ticket=<one-time ticket from POST /api/ws-ticket>
 *   query     ?access_token=<token> (or ?token=), legacy; RFC 9700 §4.3.2 advises against it
 *   message   nothing; the first frame is {"type":"auth","token":"..."}
 *
 * Admitted connections get {"type":"authenticated", sub, exp, strategy} and the
 * recent history; {"type":"chat","text"} is broadcast to every admitted
 * connection (the sender included), {"type":"auth","token"} re-authenticates
 * in band, anything else is echoed back as {"type":"echo","data"}.
 */

/** @typedef {import('./context.js').ServerContext} ServerContext */
/** @typedef {import('./access-tokens.js').AccessClaims} AccessClaims */
/** @typedef {'protocol' | 'message' | 'ticket' | 'query'} Strategy */
/** @typedef {{ strategy: Strategy, token?: string, ticket?: string }} Credential */
/** @typedef {{ ok: true, claims: AccessClaims } | { ok: false, code: number, reason: string }} Verdict */

/**
 * @typedef {object} ChatMessage
 * @property {number} id
 * @property {string} from
 * @property {string} text
 * @property {number} at server ms
 */

/**
 * @typedef {object} WebSockets
 * @property {() => ChatMessage[]} history chat messages in the order the server received them
 * @property {() => number} openConnections admitted connections currently open
 * @property {() => void} dropAll ends every connection without a close frame (clients see 1006), as a network failure would
 * @property {() => void} close ends every connection; called when the HTTP server shuts down
 */

export const CHAT_PATH = '/ws/chat';
/** The app's own subprotocol; selected when the client offers it. */
export const CHAT_PROTOCOL = 'chat.v1';
/** Marker the client offers next to bearer.<token>, so there is always a safe protocol to select. */
const BEARER_PROTOCOL = 'bearer';
const BEARER_PREFIX = 'bearer.';

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_EXPIRED = 4001;
export const CLOSE_AUTH_TIMEOUT = 4408;

const AUTH_FRAME_TIMEOUT_MS = 10_000;
const HISTORY_LIMIT = 50;
const MAX_TEXT = 500;
/** setTimeout's ceiling; longer expiries are re-armed when reached. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Handles upgrades on `server` for the lifetime of the server.
 * @param {import('node:http').Server} server
 * @param {ServerContext} ctx
 * @returns {WebSockets}
 */
export function attachWebSockets(server, ctx) {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: selectProtocol, maxPayload: 64 * 1024 });
  const room = createRoom();
  server.on('upgrade', (req, socket, head) => {
    const url = parseTarget(req.url);
    if (url === null || url.pathname !== CHAT_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    ctx.counters.wsConnectionAttempts++;
    const credential = readCredential(req.headers['sec-websocket-protocol'], url);
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ctx, room, ws, credential));
  });
  return {
    history: () => room.history.slice(),
    openConnections: () => room.members.size,
    dropAll: () => {
      for (const ws of wss.clients) ws.terminate();
    },
    close: () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/**
 * RFC 6455 §4.2.2: the server must answer with one of the offered
 * subprotocols. Never the bearer.<token> entry: that would echo the token in
 * the response headers.
 * @param {Set<string>} offered
 * @returns {string | false}
 */
function selectProtocol(offered) {
  if (offered.has(CHAT_PROTOCOL)) return CHAT_PROTOCOL;
  if (offered.has(BEARER_PROTOCOL)) return BEARER_PROTOCOL;
  return false;
}

/**
 * @param {string | undefined} header Sec-WebSocket-Protocol
 * @param {URL} url
 * @returns {Credential}
 */
function readCredential(header, url) {
  const offered = (header ?? '').split(',').map((entry) => entry.trim());
  const bearer = offered.find((entry) => entry.startsWith(BEARER_PREFIX));
  if (bearer !== undefined) return { strategy: 'protocol', token: bearer.slice(BEARER_PREFIX.length) };
  const ticket = url.searchParams.get('ticket');
  if (ticket !== null) return { strategy: 'ticket', ticket };
  // RFC 6750 §2.3 names the parameter access_token; some legacy servers use token.
  const token = url.searchParams.get('access_token') ?? url.searchParams.get('token');
  if (token !== null) return { strategy: 'query', token };
  return { strategy: 'message' };
}

/**
 * @typedef {object} Connection
 * @property {import('ws').WebSocket} ws
 * @property {Strategy} strategy
 * @property {AccessClaims | null} claims null until authenticated
 * @property {ReturnType<typeof setTimeout> | undefined} timer expiry or auth-frame deadline
 * @property {boolean} closedByServer
 */

/**
 * Frames are handled strictly in arrival order through one promise chain,
 * starting with the credential check, so nothing a client sends right after
 * the handshake is lost or reordered while a token is being verified.
 * @param {ServerContext} ctx
 * @param {Room} room
 * @param {import('ws').WebSocket} ws
 * @param {Credential} credential
 */
function serveConnection(ctx, room, ws, credential) {
  /** @type {Connection} */
  const conn = { ws, strategy: credential.strategy, claims: null, timer: undefined, closedByServer: false };
  let chain = Promise.resolve();
  /** @param {() => Promise<void> | void} task */
  const enqueue = (task) => {
    chain = chain.then(task).catch(() => ws.terminate());
  };
  ws.on('message', (data, isBinary) => enqueue(() => onFrame(ctx, room, conn, data, isBinary)));
  ws.on('close', (code) => {
    clearTimeout(conn.timer);
    room.members.delete(conn);
    // 1005/1006 are never sent on the wire: they mean "no code" and "connection lost".
    if (!conn.closedByServer && code !== 1005 && code !== 1006)
      ctx.counters.wsClientCloses[code] = (ctx.counters.wsClientCloses[code] ?? 0) + 1;
  });
  ws.on('error', () => ws.terminate());
  if (credential.strategy === 'message') {
    conn.timer = setTimeout(() => reject(ctx, conn, { code: CLOSE_AUTH_TIMEOUT, reason: 'no auth frame' }), AUTH_FRAME_TIMEOUT_MS);
    return;
  }
  enqueue(async () => {
    const verdict = credential.ticket !== undefined ? redeemTicket(ctx, credential.ticket) : await verifyToken(ctx, credential.token ?? '');
    if (verdict.ok) admit(ctx, room, conn, verdict.claims);
    else reject(ctx, conn, verdict);
  });
}

/**
 * @param {ServerContext} ctx
 * @param {Room} room
 * @param {Connection} conn
 * @param {import('ws').RawData} data
 * @param {boolean} isBinary
 */
async function onFrame(ctx, room, conn, data, isBinary) {
  if (conn.ws.readyState !== conn.ws.OPEN) return;
  const message = isBinary ? null : parseObject(data.toString());
  if (message?.type === 'auth') return authenticateInBand(ctx, room, conn, message.token);
  if (conn.claims === null) {
    // `message` strategy: the first frame must be the auth frame.
    return reject(ctx, conn, { code: CLOSE_UNAUTHORIZED, reason: 'first frame must authenticate' });
  }
  if (!ctx.sessions.isActive(conn.claims.sid)) return closeByServer(conn, CLOSE_UNAUTHORIZED, 'session revoked');
  ctx.counters.wsMessagesReceived++;
  if (message?.type === 'chat' && typeof message.text === 'string') {
    room.post(conn.claims.sub, message.text.slice(0, MAX_TEXT));
    return;
  }
  send(conn, { type: 'echo', data: isBinary ? null : data.toString() });
}

/**
 * The auth frame of the `message` strategy, or a re-authentication on an
 * admitted connection (AuthSocket's onRotate: 'message'). A re-authentication
 * must be for the same user; it moves the connection's expiry forward.
 * @param {ServerContext} ctx
 * @param {Room} room
 * @param {Connection} conn
 * @param {unknown} token
 */
async function authenticateInBand(ctx, room, conn, token) {
  const verdict =
    typeof token === 'string'
      ? await verifyToken(ctx, token)
      : { ok: /** @type {const} */ (false), code: CLOSE_UNAUTHORIZED, reason: 'token missing' };
  if (!verdict.ok) return reject(ctx, conn, verdict);
  if (conn.claims === null) return admit(ctx, room, conn, verdict.claims);
  if (verdict.claims.sub !== conn.claims.sub) return reject(ctx, conn, { code: CLOSE_UNAUTHORIZED, reason: 'token is for another user' });
  conn.claims = verdict.claims;
  ctx.counters.wsReauthenticated++;
  armExpiry(ctx, conn);
  sendAuthenticated(conn);
}

/**
 * @param {ServerContext} ctx
 * @param {string} token
 * @returns {Promise<Verdict>}
 */
async function verifyToken(ctx, token) {
  const result = await ctx.accessTokens.verify(token);
  if (!result.ok) {
    return result.reason === 'expired'
      ? { ok: false, code: CLOSE_EXPIRED, reason: 'token expired' }
      : { ok: false, code: CLOSE_UNAUTHORIZED, reason: `token ${result.reason}` };
  }
  // RFC 9449 §7: a DPoP-bound token needs a proof, which no handshake or frame here carries.
  if (result.claims.cnf !== undefined) return { ok: false, code: CLOSE_UNAUTHORIZED, reason: 'DPoP-bound token without a proof' };
  return sessionVerdict(ctx, result.claims);
}

/**
 * @param {ServerContext} ctx
 * @param {string} ticket
 * @returns {Verdict}
 */
function redeemTicket(ctx, ticket) {
  const claims = ticketStore(ctx).redeem(ticket);
  if (claims === null) return { ok: false, code: CLOSE_UNAUTHORIZED, reason: 'ticket unknown, used or expired' };
  if (claims.exp * 1000 <= ctx.clock.nowMs()) return { ok: false, code: CLOSE_EXPIRED, reason: 'token expired' };
  return sessionVerdict(ctx, claims);
}

/**
 * A revoked session (logout, refresh-token reuse) stops its tokens at once.
 * @param {ServerContext} ctx
 * @param {AccessClaims} claims
 * @returns {Verdict}
 */
function sessionVerdict(ctx, claims) {
  if (!ctx.sessions.isActive(claims.sid)) return { ok: false, code: CLOSE_UNAUTHORIZED, reason: 'session revoked' };
  return { ok: true, claims };
}

/**
 * @param {ServerContext} ctx
 * @param {Room} room
 * @param {Connection} conn
 * @param {AccessClaims} claims
 */
function admit(ctx, room, conn, claims) {
  if (conn.ws.readyState !== conn.ws.OPEN) return;
  conn.claims = claims;
  ctx.counters.wsAuthenticated++;
  ctx.counters.wsAuthenticatedBy[conn.strategy] = (ctx.counters.wsAuthenticatedBy[conn.strategy] ?? 0) + 1;
  armExpiry(ctx, conn);
  room.members.add(conn);
  sendAuthenticated(conn);
  send(conn, { type: 'history', messages: room.history });
}

/**
 * @param {ServerContext} ctx
 * @param {Connection} conn
 * @param {{ code: number, reason: string }} verdict
 */
function reject(ctx, conn, verdict) {
  ctx.counters.wsRejected++;
  closeByServer(conn, verdict.code, verdict.reason);
}

/**
 * Closes with 4001 when the connection's token expires on the server clock.
 * @param {ServerContext} ctx
 * @param {Connection} conn
 */
function armExpiry(ctx, conn) {
  clearTimeout(conn.timer);
  const claims = conn.claims;
  if (claims === null) return;
  const remaining = claims.exp * 1000 - ctx.clock.nowMs();
  if (remaining <= 0) return closeByServer(conn, CLOSE_EXPIRED, 'token expired');
  conn.timer = setTimeout(
    () => (remaining > MAX_TIMER_MS ? armExpiry(ctx, conn) : closeByServer(conn, CLOSE_EXPIRED, 'token expired')),
    Math.min(remaining, MAX_TIMER_MS),
  );
}

/**
 * @param {Connection} conn
 * @param {number} code
 * @param {string} reason never a token
 */
function closeByServer(conn, code, reason) {
  clearTimeout(conn.timer);
  if (conn.ws.readyState !== conn.ws.OPEN) return;
  conn.closedByServer = true;
  conn.ws.close(code, reason);
}

/** @param {Connection} conn */
function sendAuthenticated(conn) {
  const claims = /** @type {AccessClaims} */ (conn.claims);
  send(conn, { type: 'authenticated', sub: claims.sub, exp: claims.exp, strategy: conn.strategy });
}

/**
 * @param {Connection} conn
 * @param {unknown} value
 */
function send(conn, value) {
  if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(value));
}

/**
 * @typedef {object} Room
 * @property {Set<Connection>} members admitted connections
 * @property {ChatMessage[]} history the last HISTORY_LIMIT messages
 * @property {(from: string, text: string) => void} post
 */

/** @returns {Room} */
function createRoom() {
  /** @type {Set<Connection>} */
  const members = new Set();
  /** @type {ChatMessage[]} */
  const history = [];
  let nextId = 1;
  return {
    members,
    history,
    post(from, text) {
      const message = { id: nextId++, from, text, at: Date.now() };
      history.push(message);
      if (history.length > HISTORY_LIMIT) history.shift();
      for (const member of members) send(member, { type: 'chat', message });
    },
  };
}

/**
 * @param {string} text
 * @returns {Record<string, unknown> | null}
 */
function parseObject(text) {
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * @param {string | undefined} target
 * @returns {URL | null}
 */
function parseTarget(target) {
  if (target === undefined || !target.startsWith('/')) return null;
  try {
    return new URL(`http://localhost${target}`);
  } catch {
    return null;
  }
}
