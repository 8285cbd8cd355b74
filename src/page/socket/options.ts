import type { BackoffPolicy } from '../../core/backoff.js';
import { ConfigError } from '../../core/errors.js';

/**
 * How the credential reaches the WebSocket server (a service worker never sees the handshake):
 * - `protocol`: `Sec-WebSocket-Protocol: <your protocols>, bearer, bearer.<token>`. No extra round
 *   trip, token out of URLs. The server must select one of the offered protocols that is not
 *   the token ([RFC 6455 §4.2.2](https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2)).
 * - `ticket`: POST `ticket.url` through the worker (so it carries the token), then connect with
 *   `?ticket=<one-time ticket>`. The token never leaves the worker.
 * - `message`: the first frame is `{"type":"auth","token":...}`; the socket is open once the
 *   server acknowledges it.
 * - `query`: `?access_token=<token>`. Legacy servers only: [RFC 9700 §4.3.2](https://www.rfc-editor.org/rfc/rfc9700#section-4.3.2) says access tokens
 *   must not travel in URLs (they end up in logs and histories).
 */
export type SocketAuthStrategy = 'protocol' | 'ticket' | 'message' | 'query';

/** What an open socket does when another refresh rotates the token ([RFC 6749 §6](https://www.rfc-editor.org/rfc/rfc6749#section-6)). */
export type SocketRotateBehaviour = 'reconnect' | 'message' | 'none';

export interface AuthSocketOptions {
  /**
   * Default: `ticket` when `ticket` is configured or the tokens are DPoP-bound, else `protocol`.
   * Under DPoP only `ticket` works: a handshake cannot carry a DPoP proof, and a bound token
   * without one is refused ([RFC 9449 §7.1](https://www.rfc-editor.org/rfc/rfc9449#section-7.1)); the ticket request goes through the worker, which signs it.
   */
  auth?: SocketAuthStrategy;
  /** The app's own subprotocols, offered before the auth entries. Default: none. */
  protocols?: string | string[];
  /**
   * Ticket endpoint for the `ticket` strategy; must be under the worker's `api` prefixes, and
   * answers `{ "ticket": "…" }`. Setting it makes `ticket` the default `auth`. Default: none.
   */
  ticket?: {
    /** The endpoint the socket POSTs to (through the worker, so it carries the token). Required. */
    url: string;
    /** The query parameter that carries the ticket on the WebSocket URL. Default: `ticket`. */
    param?: string;
  };
  /** Query parameter for the `query` strategy. Default: `access_token` ([RFC 6750 §2.3](https://www.rfc-editor.org/rfc/rfc6750#section-2.3)). */
  queryParam?: string;
  /** Options of the `message` strategy (and of `onRotate: 'message'`). Default: `{}`. */
  message?: {
    /** Builds the auth frame. Default: `(token) => JSON.stringify({ type: 'auth', token })`. */
    frame?: (token: string) => string;
  };
  /**
   * Wait for the server to say it accepted the credential before the socket counts as open.
   * Until then `send` buffers, so nothing is flushed into a connection the server is about to
   * refuse (browsers cannot see a refused handshake, so servers accept and then close with
   * 4401). `true`: a JSON text frame `{"type":"authenticated", ...}`; or a predicate. The
   * acknowledgement is consumed, not delivered. Default: `true` for `message`; `false` for
   * the handshake strategies, where a completed handshake counts as accepted.
   */
  ack?: boolean | ((data: unknown) => boolean);
  /** How long to wait for the acknowledgement before reconnecting with backoff. Default: 10 000 ms. */
  ackTimeoutMs?: number;
  /** When a refresh rotates the token while connected. Default: `none` (the server closes at expiry). */
  onRotate?: SocketRotateBehaviour;
  /** Close codes that mean "the credential is no good": refresh once, then reconnect. Default: `[1008, 3000, 4001, 4003, 4401]`. */
  authCloseCodes?: number[];
  /** Reconnect delays after other abnormal closes: exponential, full jitter. Default: 500 ms doubling to 30 s. */
  backoff?: {
    /** The first delay's ceiling, in ms; it doubles per attempt. Default: 500. */
    baseMs?: number;
    /** The largest delay ceiling, in ms. Default: 30 000. */
    maxMs?: number;
  };
  /** Messages kept while (re)connecting; past it `send` emits a `buffer_full` error. Default: 100. */
  maxBuffered?: number;
}

/** The options with every default applied, checked once at construction. */
export interface ResolvedOptions {
  auth: SocketAuthStrategy;
  protocols: string[];
  ticket: { url: string; param: string } | null;
  queryParam: string;
  frame: (token: string) => string;
  /** Made a predicate by the lazily loaded connection (socket-ack.ts), to keep it out of the page bundle. */
  ack: boolean | ((data: unknown) => boolean);
  ackTimeoutMs: number;
  onRotate: SocketRotateBehaviour;
  authCloseCodes: readonly number[];
  backoff: BackoffPolicy;
  maxBuffered: number;
}

export const DEFAULT_AUTH_CLOSE_CODES: readonly number[] = [1008, 3000, 4001, 4003, 4401];
const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

/**
 * Throws a ConfigError synchronously, so `auth.socket()` fails at the call that got it wrong.
 * `dpop`: the tokens are DPoP-bound, so the credential must be a ticket.
 */
export function resolveOptions(options: AuthSocketOptions, dpop = false): ResolvedOptions {
  const auth = options.auth ?? (options.ticket === undefined && !dpop ? 'protocol' : 'ticket');
  if (!['protocol', 'ticket', 'message', 'query'].includes(auth))
    throw new ConfigError('invalid_config', `socket auth must be protocol, ticket, message or query, got ${JSON.stringify(auth)}`);
  if (dpop && auth !== 'ticket') throw new ConfigError('invalid_config', `socket auth "${auth}" cannot carry a DPoP proof; use "ticket"`);
  if (auth === 'ticket' && options.ticket?.url === undefined)
    throw new ConfigError('invalid_config', 'socket auth "ticket" needs ticket.url (an endpoint under the api prefixes)');
  const onRotate = options.onRotate ?? 'none';
  if (!['reconnect', 'message', 'none'].includes(onRotate))
    throw new ConfigError('invalid_config', `socket onRotate must be reconnect, message or none, got ${JSON.stringify(onRotate)}`);
  const protocols = typeof options.protocols === 'string' ? [options.protocols] : (options.protocols ?? []);
  if (protocols.some((protocol) => protocol === 'bearer' || protocol.startsWith('bearer.')))
    throw new ConfigError('invalid_config', 'socket protocols must not include bearer entries; the protocol strategy adds them');
  const maxBuffered = options.maxBuffered ?? 100;
  if (!Number.isInteger(maxBuffered) || maxBuffered < 0)
    throw new ConfigError('invalid_config', 'socket maxBuffered must be a non-negative integer');
  const backoff = { baseMs: options.backoff?.baseMs ?? DEFAULT_BACKOFF.baseMs, maxMs: options.backoff?.maxMs ?? DEFAULT_BACKOFF.maxMs };
  if (!(backoff.baseMs > 0 && backoff.maxMs >= backoff.baseMs))
    throw new ConfigError('invalid_config', 'socket backoff needs 0 < baseMs <= maxMs');
  return {
    auth,
    protocols,
    ticket:
      options.ticket === undefined
        ? null
        : { url: new URL(options.ticket.url, globalThis.location?.href).href, param: options.ticket.param ?? 'ticket' },
    queryParam: options.queryParam ?? 'access_token',
    frame: options.message?.frame ?? ((token) => JSON.stringify({ type: 'auth', token })),
    ack: options.ack ?? auth === 'message',
    ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
    onRotate,
    authCloseCodes: options.authCloseCodes ?? DEFAULT_AUTH_CLOSE_CODES,
    backoff,
    maxBuffered,
  };
}
