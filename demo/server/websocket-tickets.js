// @ts-check
import { authenticate } from './bearer.js';
import { sendJson, sendMethodNotAllowed } from './http-util.js';
import { randomId } from './random.js';

/**
 * One-time WebSocket tickets. A browser cannot set Authorization on a
 * WebSocket handshake, so the page asks this protected endpoint for a ticket
 * (the service worker adds the bearer token to that request) and presents the
 * ticket in the handshake URL. A ticket in a URL is harmless where a token is
 * not (RFC 9700 §4.3.2): it is single-use, lives seconds, and grants nothing
 * but this one connection.
 */

/** @typedef {import('./context.js').ServerContext} ServerContext */
/** @typedef {import('./access-tokens.js').AccessClaims} AccessClaims */

export const WS_TICKET_PATH = '/api/ws-ticket';

/** Long enough for a slow handshake, short enough that a leaked URL is useless. */
export const TICKET_TTL_SECONDS = 30;

/** Unredeemed tickets kept at most; past it the oldest are dropped. */
const MAX_TICKETS = 1000;

/**
 * @typedef {object} TicketStore
 * @property {(claims: AccessClaims) => string} issue a new ticket that carries the claims of the token that asked
 * @property {(ticket: string) => AccessClaims | null} redeem the claims, once; null for unknown, used or expired tickets
 */

/** Per server: the store lives as long as the server context it belongs to. */
/** @type {WeakMap<ServerContext, TicketStore>} */
const stores = new WeakMap();

/**
 * @param {ServerContext} ctx
 * @returns {TicketStore}
 */
export function ticketStore(ctx) {
  let store = stores.get(ctx);
  if (store === undefined) {
    store = createTicketStore(ctx.clock);
    stores.set(ctx, store);
  }
  return store;
}

/**
 * @param {import('./clock.js').Clock} clock
 * @returns {TicketStore}
 */
function createTicketStore(clock) {
  /** Insertion order is issue order, so the first entries are the oldest. */
  /** @type {Map<string, { claims: AccessClaims, expiresAt: number }>} */
  const tickets = new Map();

  function prune() {
    const now = clock.nowMs();
    for (const [ticket, entry] of tickets) {
      if (entry.expiresAt <= now || tickets.size > MAX_TICKETS) tickets.delete(ticket);
      else break;
    }
  }

  return {
    issue(claims) {
      prune();
      const ticket = randomId(24);
      tickets.set(ticket, { claims, expiresAt: clock.nowMs() + TICKET_TTL_SECONDS * 1000 });
      return ticket;
    },
    redeem(ticket) {
      const entry = tickets.get(ticket);
      // Deleted before any check: a ticket is spent by its first presentation.
      tickets.delete(ticket);
      if (entry === undefined || entry.expiresAt <= clock.nowMs()) return null;
      return entry.claims;
    },
  };
}

/**
 * POST /api/ws-ticket: a protected resource (RFC 6750), answered with
 * `{ ticket, expires_in }`. The connection it opens expires with the access
 * token that asked for it.
 * @param {ServerContext} ctx
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
export async function handleWsTicket(ctx, req, res) {
  const claims = await authenticate(ctx, req, res);
  if (claims === null) return;
  if (req.method !== 'POST') return sendMethodNotAllowed(res, ['POST']);
  const ticket = ticketStore(ctx).issue(claims);
  ctx.counters.wsTicketsIssued++;
  sendJson(res, 200, { ticket, expires_in: TICKET_TTL_SECONDS }, { 'Cache-Control': 'no-store' });
}
