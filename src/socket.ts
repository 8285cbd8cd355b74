import { backoffDelay, type BackoffPolicy } from './core/backoff.js';
import { AuthProxyError, ConfigError } from './core/errors.js';
import type { SessionEvent, SessionState } from './core/session-state.js';

/**
 * How the credential reaches the WebSocket server (a service worker never sees the handshake):
 * - `protocol`: `Sec-WebSocket-Protocol: <your protocols>, bearer, bearer.<token>`. No extra round
 *   trip, token out of URLs. The server must select one of the offered protocols that is not
 *   the token (RFC 6455 §4.2.2).
 * - `ticket`: POST `ticket.url` through the worker (so it carries the token), then connect with
 *   `?ticket=<one-time ticket>`. The token never leaves the worker.
 * - `message`: the first frame is `{"type":"auth","token":...}`; the socket is open once the
 *   server acknowledges it.
 * - `query`: `?access_token=<token>`. Legacy servers only: RFC 9700 §4.3.2 says access tokens
 *   must not travel in URLs (they end up in logs and histories).
 */
export type SocketAuthStrategy = 'protocol' | 'ticket' | 'message' | 'query';

/** What an open socket does when another refresh rotates the token (RFC 6749 §6). */
export type SocketRotateBehaviour = 'reconnect' | 'message' | 'none';

export interface AuthSocketOptions {
  /** Default: `ticket` when `ticket` is configured, else `protocol`. */
  auth?: SocketAuthStrategy;
  /** The app's own subprotocols, offered before the auth entries. Default: none. */
  protocols?: string | string[];
  /** Ticket endpoint for the `ticket` strategy; must be under the worker's `api` prefixes. */
  ticket?: { url: string; param?: string };
  /** Query parameter for the `query` strategy. Default: `access_token` (RFC 6750 §2.3). */
  queryParam?: string;
  /** The auth frame for the `message` strategy and `onRotate: 'message'`. Default: `JSON.stringify({ type: 'auth', token })`. */
  message?: { frame?: (token: string) => string };
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
  /** Close codes that mean "the credential is no good": refresh once, then reconnect. */
  authCloseCodes?: number[];
  /** Reconnect delays after other abnormal closes: exponential, full jitter. Default: 500 ms doubling to 30 s. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Messages kept while (re)connecting; past it `send` emits a `buffer_full` error. Default: 100. */
  maxBuffered?: number;
}

/** What AuthSocket needs from the client: credentials, a forced refresh and session events. */
export interface SocketAuthority {
  readonly state: SessionState;
  accessToken(): Promise<string>;
  refresh(): Promise<SessionState>;
  /** The worker's current state, read now (not the mirrored copy). */
  sync(): Promise<SessionState>;
  subscribe(listener: (state: SessionState, event: SessionEvent) => void): () => void;
}

export type AuthSocketErrorCode =
  /** There was no session when connecting. Fatal. */
  | 'not_authenticated'
  /** The session ended (logout, refresh rejected): the socket stops. Fatal. */
  | 'session_ended'
  /** The server refused a credential obtained by a forced refresh. Fatal. */
  | 'auth_rejected'
  /** A credential could not be made (ticket endpoint refused, misconfiguration). Fatal. */
  | 'credential_failed'
  /** The server did not acknowledge an auth frame in time; the socket reconnects. */
  | 'auth_timeout'
  /** `send` while the buffer was full; that message was not sent. */
  | 'buffer_full'
  /** The socket ended with messages still buffered; they were not sent. */
  | 'unsent_messages'
  /** `send` after `close`. Thrown, not emitted. */
  | 'socket_closed';

/** Errors with a stable code. Messages never contain a token or a ticket. */
export class AuthSocketError extends Error {
  override name = 'AuthSocketError';
  readonly code: AuthSocketErrorCode;
  /** True when the socket stopped because of it. */
  readonly fatal: boolean;
  /** The server's close code that led to it, when there was one. */
  readonly closeCode: number | undefined;

  constructor(code: AuthSocketErrorCode, message: string, details: { fatal?: boolean; closeCode?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.fatal = details.fatal ?? false;
    this.closeCode = details.closeCode;
  }
}

/** `error` events carry the typed error. */
export class AuthSocketErrorEvent extends Event {
  readonly error: AuthSocketError;
  readonly message: string;
  constructor(error: AuthSocketError) {
    super('error');
    this.error = error;
    this.message = error.message;
  }
}

export type ReconnectReason = 'auth' | 'network' | 'offline' | 'rotate';

/** Fired when a connection was lost (or is being replaced) and another will follow. */
export class ReconnectingEvent extends Event {
  readonly reason: ReconnectReason;
  /** The close code of the connection that ended, when there was one. */
  readonly code: number | null;
  /** Consecutive failed attempts so far (0 after an auth close or a rotation). */
  readonly attempt: number;
  /** ms until the next attempt; null while waiting for the network to come back. */
  readonly delayMs: number | null;
  constructor(init: { reason: ReconnectReason; code: number | null; attempt: number; delayMs: number | null }) {
    super('reconnecting');
    this.reason = init.reason;
    this.code = init.code;
    this.attempt = init.attempt;
    this.delayMs = init.delayMs;
  }
}

export interface AuthSocketEventMap {
  /** A connection is authenticated and usable (after every reconnect). */
  open: Event;
  /** The server accepted a credential: on every connect, and after each in-band re-authentication. */
  authenticated: Event;
  message: MessageEvent;
  reconnecting: ReconnectingEvent;
  error: AuthSocketErrorEvent;
  /** The AuthSocket ended for good (close(), logout, or a fatal error). Fired once. */
  close: CloseEvent;
}

/** `connecting`: getting a credential or handshaking; `waiting`: backoff before the next attempt. */
export type AuthSocketStatus = 'connecting' | 'open' | 'waiting' | 'offline' | 'closing' | 'closed';

export type SocketData = string | ArrayBufferLike | Blob | ArrayBufferView;

export const DEFAULT_AUTH_CLOSE_CODES: readonly number[] = [1008, 3000, 4001, 4003, 4401];
const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };
/** Close code we use when we drop a connection ourselves (rotation, auth timeout, offline); not an auth code. */
const REPLACE_CLOSE_CODE = 4000;
/** RFC 6455 §4.1 / RFC 9110 §5.6.2: a subprotocol must be a token (tchar only). */
const TCHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

type Credential = { token: string; ticket: null; generation: string | number | null } | { token: null; ticket: string; generation: string | number | null };
interface ResolvedOptions {
  auth: SocketAuthStrategy;
  protocols: string[];
  ticket: { url: string; param: string } | null;
  queryParam: string;
  frame: (token: string) => string;
  isAck: ((data: unknown) => boolean) | null;
  ackTimeoutMs: number;
  onRotate: SocketRotateBehaviour;
  authCloseCodes: readonly number[];
  backoff: BackoffPolicy;
  maxBuffered: number;
}

/**
 * A WebSocket that authenticates with the worker's current credential before every
 * (re)connect. On an auth close code it refreshes once and reconnects; on other abnormal
 * closes it reconnects with backoff and full jitter; it pauses while offline; it buffers
 * `send` in between and flushes in order; it closes with 1000 on logout in every tab.
 *
 * Delivery: messages sent while reconnecting are delivered once, in order. A message handed
 * to a connection that the server closes at the same moment can be lost, as with any
 * WebSocket; acknowledge at the application level if that matters.
 */
export class AuthSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;

  /** The URL connected to, without any credential. */
  readonly url: string;
  onopen: ((event: Event) => unknown) | null = null;
  onmessage: ((event: MessageEvent) => unknown) | null = null;
  onclose: ((event: CloseEvent) => unknown) | null = null;
  onerror: ((event: AuthSocketErrorEvent) => unknown) | null = null;

  readonly #authority: SocketAuthority;
  readonly #options: ResolvedOptions;
  readonly #unsubscribe: () => void;
  readonly #onOnline = (): void => this.#resume();
  readonly #onOffline = (): void => this.#goOffline();
  #status: AuthSocketStatus = 'connecting';
  #ws: WebSocket | null = null;
  #binaryType: BinaryType = 'blob';
  #queue: SocketData[] = [];
  #attempt = 0;
  /** Bumped for every connection cycle; async work from an older cycle sees it and stops. */
  #cycle = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #awaitingAck: 'connect' | 'rotate' | null = null;
  #rotating = false;
  /** The credential the current connection used, and whether it came from a forced refresh. */
  #used: { generation: string | number | null; forced: boolean } | null = null;
  #closeRequest: { code: number; reason: string } | null = null;

  constructor(authority: SocketAuthority, url: string | URL, options: AuthSocketOptions = {}) {
    super();
    this.#options = resolveOptions(options);
    this.url = socketUrl(url);
    this.#authority = authority;
    this.#unsubscribe = authority.subscribe((_, event) => this.#onSessionEvent(event));
    globalThis.addEventListener('online', this.#onOnline);
    globalThis.addEventListener('offline', this.#onOffline);
    // Deferred, so listeners added right after construction see every event, as with WebSocket.
    queueMicrotask(() => this.#start());
  }

  get readyState(): number {
    if (this.#status === 'closed') return AuthSocket.CLOSED;
    if (this.#status === 'closing') return AuthSocket.CLOSING;
    return this.#status === 'open' ? AuthSocket.OPEN : AuthSocket.CONNECTING;
  }

  /** Finer than readyState: tells reconnecting (`waiting`) and `offline` apart from `connecting`. */
  get status(): AuthSocketStatus {
    return this.#status;
  }

  /** The subprotocol the server selected on the current connection. */
  get protocol(): string {
    return this.#ws?.protocol ?? '';
  }

  get extensions(): string {
    return this.#ws?.extensions ?? '';
  }

  /** Bytes queued on the current connection. */
  get bufferedAmount(): number {
    return this.#ws?.bufferedAmount ?? 0;
  }

  /** Messages held while (re)connecting, flushed in order once authenticated. */
  get queuedMessages(): number {
    return this.#queue.length;
  }

  get binaryType(): BinaryType {
    return this.#binaryType;
  }

  set binaryType(value: BinaryType) {
    this.#binaryType = value;
    if (this.#ws !== null) this.#ws.binaryType = value;
  }

  /**
   * Sends now when open, else buffers (bounded) until the next authenticated connection.
   * A full buffer is an `error` event (`buffer_full`), never a silent drop.
   */
  send(data: SocketData): void {
    if (this.#status === 'closing' || this.#status === 'closed') {
      throw new AuthSocketError('socket_closed', 'send() after close(): the message was not sent');
    }
    if (this.#status === 'open' && this.#ws?.readyState === WebSocket.OPEN) return this.#ws.send(data);
    if (this.#queue.length >= this.#options.maxBuffered) {
      this.#emitError(new AuthSocketError('buffer_full', `send buffer full (${this.#options.maxBuffered} messages): this message was not sent`));
      return;
    }
    this.#queue.push(data);
  }

  /** Ends the socket for good: no more reconnects. Code 1000 or 3000–4999, as for WebSocket. */
  close(code = 1000, reason = ''): void {
    if (code !== 1000 && (code < 3000 || code > 4999)) {
      throw new DOMException(`close code must be 1000 or 3000-4999, got ${code}`, 'InvalidAccessError');
    }
    if (this.#status === 'closing' || this.#status === 'closed') return;
    this.#closeRequest = { code, reason };
    this.#end();
    const ws = this.#ws;
    if (ws !== null && ws.readyState <= WebSocket.OPEN) {
      ws.close(code, reason);
      return;
    }
    this.#ws = null;
    // Like WebSocket, the close event never fires synchronously inside close().
    queueMicrotask(() => this.#finish({ code, reason, wasClean: true }));
  }

  override addEventListener<K extends keyof AuthSocketEventMap>(type: K, listener: ((this: AuthSocket, event: AuthSocketEventMap[K]) => unknown) | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof AuthSocketEventMap>(type: K, listener: ((this: AuthSocket, event: AuthSocketEventMap[K]) => unknown) | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }

  // ---- connecting -------------------------------------------------------------------

  /** Starts a connection cycle now, unless the browser says it is offline. */
  #start(): void {
    if (this.#isEnded()) return;
    if (globalThis.navigator?.onLine === false) return this.#pauseOffline(null);
    const cycle = ++this.#cycle;
    this.#status = 'connecting';
    void this.#credential().then(
      (credential) => {
        if (cycle === this.#cycle && !this.#isEnded()) this.#open(credential, false);
      },
      (error: unknown) => {
        if (cycle === this.#cycle && !this.#isEnded()) this.#onCredentialFailure(error, null);
      },
    );
  }

  /**
   * A credential from the worker. Both paths refresh first when the token is due, so a
   * reconnect never presents a token the worker already knows is stale.
   */
  async #credential(): Promise<Credential> {
    if (this.#options.auth !== 'ticket') {
      const token = await this.#authority.accessToken();
      return { token, ticket: null, generation: token };
    }
    const ticket = await this.#fetchTicket();
    // The page never sees the token here, so expiry identifies which token the ticket came from.
    const { expiresAt } = await this.#authority.sync();
    return { token: null, ticket, generation: expiresAt };
  }

  /** POSTs to the ticket endpoint through the worker, which authenticates (and replays) it. */
  async #fetchTicket(): Promise<string> {
    const { url } = this.#options.ticket as NonNullable<ResolvedOptions['ticket']>;
    const response = await fetch(url, { method: 'POST', headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' });
    if (response.status === 429 || response.status >= 500) throw new TransientFailure(`ticket endpoint answered ${response.status}`);
    if (!response.ok) {
      const { status } = await this.#authority.sync();
      if (status === 'anonymous' || status === 'expired') throw sessionEnded(status);
      throw new AuthSocketError('credential_failed', `ticket endpoint answered ${response.status}; is it under the worker's api prefixes?`, { fatal: true });
    }
    const body: unknown = await response.json().catch(() => null);
    const ticket = typeof body === 'object' && body !== null ? (body as { ticket?: unknown }).ticket : undefined;
    if (typeof ticket !== 'string' || ticket === '') {
      throw new AuthSocketError('credential_failed', 'ticket endpoint did not answer {"ticket": "..."}', { fatal: true });
    }
    return ticket;
  }

  #open(credential: Credential, forced: boolean): void {
    const target = this.#target(credential);
    if (target === null) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(target.url, target.protocols);
    } catch {
      // The browser's message may quote the protocols or URL, i.e. the credential: do not pass it on.
      const error = new AuthSocketError('credential_failed', 'the browser refused the WebSocket URL or subprotocols', { fatal: true });
      return this.#fail(error, null);
    }
    ws.binaryType = this.#binaryType;
    this.#ws = ws;
    this.#used = { generation: credential.generation, forced };
    ws.addEventListener('open', () => this.#onTransportOpen(ws, credential));
    ws.addEventListener('message', (event) => this.#onTransportMessage(ws, event));
    // A failed connection fires error then close; the close says what happened.
    ws.addEventListener('close', (event) => this.#onTransportClose(ws, event));
  }

  /** Where and how to connect for the strategy; null (after a fatal error) when impossible. */
  #target(credential: Credential): { url: string; protocols: string[] } | null {
    const { auth, protocols, ticket, queryParam } = this.#options;
    if (credential.ticket !== null && ticket !== null) return { url: withParam(this.url, ticket.param, credential.ticket), protocols };
    const token = credential.token ?? '';
    if (auth === 'query') return { url: withParam(this.url, queryParam, token), protocols };
    if (auth === 'message') return { url: this.url, protocols };
    if (!TCHARS.test(token)) {
      // Never echo the offending value: it is the token.
      this.#fail(new AuthSocketError('credential_failed', 'the access token has characters not allowed in Sec-WebSocket-Protocol (RFC 6455 §4.1); use the ticket or message strategy', { fatal: true }), null);
      return null;
    }
    return { url: this.url, protocols: [...protocols, 'bearer', `bearer.${token}`] };
  }

  #onTransportOpen(ws: WebSocket, credential: Credential): void {
    if (ws !== this.#ws || this.#isEnded()) return;
    if (this.#options.auth === 'message') ws.send(this.#options.frame(credential.token ?? ''));
    if (this.#options.isAck === null) return this.#authenticated(ws);
    this.#awaitAck(ws, 'connect');
  }

  #awaitAck(ws: WebSocket, purpose: 'connect' | 'rotate'): void {
    this.#awaitingAck = purpose;
    clearTimeout(this.#ackTimer);
    this.#ackTimer = setTimeout(() => {
      if (ws !== this.#ws) return;
      this.#emitError(new AuthSocketError('auth_timeout', `the server did not acknowledge the auth frame within ${this.#options.ackTimeoutMs} ms; reconnecting`));
      // Detach first so this close is not read as the server's verdict; a silent server is a failure: back off.
      this.#detach();
      ws.close(REPLACE_CLOSE_CODE, 'auth timeout');
      this.#scheduleReconnect('network', null);
    }, this.#options.ackTimeoutMs);
  }

  /** The connection is accepted: flush what was sent meanwhile, in order, then announce it. */
  #authenticated(ws: WebSocket): void {
    this.#status = 'open';
    this.#attempt = 0;
    for (const data of this.#queue.splice(0)) ws.send(data);
    this.#emit(new Event('authenticated'));
    this.#emit(new Event('open'));
  }

  #onTransportMessage(ws: WebSocket, event: MessageEvent): void {
    if (ws !== this.#ws || this.#status === 'closed') return;
    const purpose = this.#awaitingAck;
    if (purpose !== null && this.#options.isAck?.(event.data) === true) {
      this.#awaitingAck = null;
      clearTimeout(this.#ackTimer);
      if (purpose === 'connect') this.#authenticated(ws);
      else this.#emit(new Event('authenticated'));
      return;
    }
    this.#emit(new MessageEvent('message', { data: event.data, origin: event.origin, lastEventId: event.lastEventId }));
  }

  // ---- closes -----------------------------------------------------------------------

  #onTransportClose(ws: WebSocket, event: CloseEvent): void {
    if (ws !== this.#ws) return;
    this.#detach();
    if (this.#status === 'closed') return;
    if (this.#status === 'closing') {
      const request = this.#closeRequest ?? { code: event.code, reason: event.reason };
      return this.#finish({ ...request, wasClean: event.wasClean });
    }
    if (this.#rotating) {
      this.#rotating = false;
      this.#emit(new ReconnectingEvent({ reason: 'rotate', code: event.code, attempt: this.#attempt, delayMs: 0 }));
      return this.#start();
    }
    if (this.#options.authCloseCodes.includes(event.code)) return void this.#recoverFromAuthClose(event);
    // 1000 from the server is a deliberate end, not a failure: do not fight it.
    if (event.code === 1000) return this.#finish({ code: event.code, reason: event.reason, wasClean: event.wasClean });
    this.#scheduleReconnect('network', event.code);
  }

  /**
   * The server said the credential is no good. If a refresh already happened since this
   * connection was made (another tab, an API call, a due token), just reconnect with the new
   * credential; otherwise force one refresh. If a credential that came straight from a
   * forced refresh is refused too, retrying cannot help: stop and say so.
   */
  async #recoverFromAuthClose(event: CloseEvent): Promise<void> {
    const used = this.#used;
    const cycle = ++this.#cycle;
    const stale = (): boolean => cycle !== this.#cycle || this.#isEnded();
    this.#status = 'connecting';
    this.#emit(new ReconnectingEvent({ reason: 'auth', code: event.code, attempt: this.#attempt, delayMs: 0 }));
    try {
      const current = await this.#credential();
      if (stale()) return;
      if (used === null || current.generation !== used.generation) return this.#open(current, false);
      if (used.forced) {
        const error = new AuthSocketError('auth_rejected', `the server closed the connection with ${event.code} even with a freshly refreshed credential`, { fatal: true, closeCode: event.code });
        return this.#fail(error, { code: event.code, reason: event.reason, wasClean: event.wasClean });
      }
      await this.#authority.refresh();
      if (stale()) return;
      const fresh = await this.#credential();
      if (!stale()) this.#open(fresh, true);
    } catch (error) {
      if (!stale()) this.#onCredentialFailure(error, event.code);
    }
  }

  /** Transient failures (network, refresh endpoint down) retry with backoff; the rest are fatal. */
  #onCredentialFailure(error: unknown, closeCode: number | null): void {
    const failure = toSocketError(error, this.#authority.state);
    if (failure === null) return this.#scheduleReconnect('network', closeCode);
    this.#fail(failure, null);
  }

  #scheduleReconnect(reason: 'network', code: number | null): void {
    if (globalThis.navigator?.onLine === false) return this.#pauseOffline(code);
    const delayMs = backoffDelay(this.#attempt, this.#options.backoff, Math.random);
    this.#attempt++;
    this.#status = 'waiting';
    this.#emit(new ReconnectingEvent({ reason, code, attempt: this.#attempt, delayMs }));
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#start(), delayMs);
  }

  /** Offline means paused: no attempts (they would only fail) until the browser is back online. */
  #pauseOffline(code: number | null): void {
    clearTimeout(this.#timer);
    this.#cycle++;
    if (this.#status === 'offline') return;
    this.#status = 'offline';
    this.#emit(new ReconnectingEvent({ reason: 'offline', code, attempt: this.#attempt, delayMs: null }));
  }

  /**
   * The browser went offline. An open connection is dropped too: Chromium keeps such a socket
   * OPEN while its frames go nowhere, so sends would be lost without a trace. Dropping it
   * makes `send` buffer until the network is back, when the buffer is flushed in order.
   */
  #goOffline(): void {
    if (this.#isEnded()) return;
    const ws = this.#detach();
    ws?.close(REPLACE_CLOSE_CODE, 'offline');
    this.#pauseOffline(null);
  }

  /** Forgets the current connection, so its late events are ignored. */
  #detach(): WebSocket | null {
    const ws = this.#ws;
    this.#ws = null;
    this.#awaitingAck = null;
    clearTimeout(this.#ackTimer);
    return ws;
  }

  /** Back online (browser or refresh endpoint): connect at once instead of waiting out a backoff. */
  #resume(): void {
    if (this.#status !== 'offline' && this.#status !== 'waiting') return;
    clearTimeout(this.#timer);
    this.#attempt = 0;
    this.#start();
  }

  // ---- session events ---------------------------------------------------------------

  #onSessionEvent(event: SessionEvent): void {
    if (this.#isEnded()) return;
    switch (event.type) {
      case 'logged-out':
        return this.close(1000, 'logged out');
      case 'expired':
        return this.#fail(sessionEnded('expired'), null);
      case 'refreshed':
        return this.#onRotated();
      case 'online':
        return this.#resume();
      default:
        return;
    }
  }

  /** The token rotated while this socket was open: re-authenticate as configured. */
  #onRotated(): void {
    const ws = this.#ws;
    if (ws === null || this.#status !== 'open' || this.#options.onRotate === 'none') return;
    if (this.#options.onRotate === 'reconnect') return this.#replace(ws);
    void this.#authority.accessToken().then(
      (token) => {
        if (ws !== this.#ws || ws.readyState !== WebSocket.OPEN) return;
        ws.send(this.#options.frame(token));
        // Later auth closes are judged against the token the server now holds.
        this.#used = { generation: this.#options.auth === 'ticket' ? this.#authority.state.expiresAt : token, forced: false };
        if (this.#options.isAck === null) this.#emit(new Event('authenticated'));
        else this.#awaitAck(ws, 'rotate');
      },
      // No token (offline, session ended): the state says why, and the session events act on it.
      () => undefined,
    );
  }

  /** Swaps the connection for a new one; sends in the gap are buffered. */
  #replace(ws: WebSocket): void {
    this.#rotating = true;
    this.#status = 'connecting';
    ws.close(REPLACE_CLOSE_CODE, 'reauthenticating');
  }

  // ---- ending -------------------------------------------------------------------------

  #fail(error: AuthSocketError, close: { code: number; reason: string; wasClean: boolean } | null): void {
    this.#emitError(error);
    if (this.#isEnded()) return;
    const ws = this.#ws;
    this.#closeRequest = { code: close?.code ?? 1000, reason: close?.reason ?? error.code };
    this.#end();
    if (ws !== null && ws.readyState <= WebSocket.OPEN) {
      ws.close(1000, error.code);
      return;
    }
    this.#ws = null;
    this.#finish(close ?? { code: 1000, reason: error.code, wasClean: true });
  }

  /** Stops everything that could start another connection. */
  #end(): void {
    this.#status = 'closing';
    this.#cycle++;
    clearTimeout(this.#timer);
    clearTimeout(this.#ackTimer);
    this.#unsubscribe();
    globalThis.removeEventListener('online', this.#onOnline);
    globalThis.removeEventListener('offline', this.#onOffline);
  }

  #finish(close: { code: number; reason: string; wasClean: boolean }): void {
    if (this.#status === 'closed') return;
    this.#status = 'closed';
    const unsent = this.#queue.splice(0).length;
    if (unsent > 0) this.#emitError(new AuthSocketError('unsent_messages', `${unsent} buffered message(s) were not sent before the socket closed`, { fatal: true }));
    this.#emit(new CloseEvent('close', close));
  }

  #isEnded(): boolean {
    return this.#status === 'closing' || this.#status === 'closed';
  }

  #emitError(error: AuthSocketError): void {
    this.#emit(new AuthSocketErrorEvent(error));
  }

  #emit(event: Event): void {
    const handler = (this as unknown as Record<string, unknown>)[`on${event.type}`];
    if (typeof handler === 'function') (handler as (event: Event) => unknown).call(this, event);
    this.dispatchEvent(event);
  }
}

/** A failure worth retrying with backoff (network, 429, 5xx). */
class TransientFailure extends Error {
  override name = 'TransientFailure';
}

function sessionEnded(status: 'anonymous' | 'expired'): AuthSocketError {
  const why = status === 'expired' ? 'the session expired (the refresh token was refused)' : 'the user logged out';
  return new AuthSocketError('session_ended', `socket closed: ${why}`, { fatal: true });
}

/** Null for failures that a later attempt can overcome; a fatal AuthSocketError otherwise. */
function toSocketError(error: unknown, state: SessionState): AuthSocketError | null {
  if (error instanceof AuthSocketError) return error;
  if (error instanceof TransientFailure || error instanceof TypeError) return null; // fetch's network error is a TypeError
  if (!(error instanceof AuthProxyError)) {
    return new AuthSocketError('credential_failed', 'could not get a credential for the socket', { fatal: true, cause: error });
  }
  switch (error.code) {
    case 'refresh_unavailable':
    case 'worker_unavailable':
      return null;
    case 'not_authenticated':
      return state.status === 'expired' ? sessionEnded('expired') : new AuthSocketError('not_authenticated', 'there is no session: log in before opening the socket', { fatal: true, cause: error });
    case 'refresh_rejected':
    case 'session_changed':
      return sessionEnded(state.status === 'anonymous' ? 'anonymous' : 'expired');
    default:
      return new AuthSocketError('credential_failed', `could not get a credential for the socket (${error.code})`, { fatal: true, cause: error });
  }
}

function resolveOptions(options: AuthSocketOptions): ResolvedOptions {
  const auth = options.auth ?? (options.ticket === undefined ? 'protocol' : 'ticket');
  if (!['protocol', 'ticket', 'message', 'query'].includes(auth)) throw new ConfigError(`socket auth must be protocol, ticket, message or query, got ${JSON.stringify(auth)}`);
  if (auth === 'ticket' && options.ticket?.url === undefined) throw new ConfigError('socket auth "ticket" needs ticket.url (an endpoint under the api prefixes)');
  const onRotate = options.onRotate ?? 'none';
  if (!['reconnect', 'message', 'none'].includes(onRotate)) throw new ConfigError(`socket onRotate must be reconnect, message or none, got ${JSON.stringify(onRotate)}`);
  const protocols = typeof options.protocols === 'string' ? [options.protocols] : (options.protocols ?? []);
  if (protocols.some((protocol) => protocol === 'bearer' || protocol.startsWith('bearer.'))) throw new ConfigError('socket protocols must not include bearer entries; the protocol strategy adds them');
  const maxBuffered = options.maxBuffered ?? 100;
  if (!Number.isInteger(maxBuffered) || maxBuffered < 0) throw new ConfigError('socket maxBuffered must be a non-negative integer');
  const backoff = { baseMs: options.backoff?.baseMs ?? DEFAULT_BACKOFF.baseMs, maxMs: options.backoff?.maxMs ?? DEFAULT_BACKOFF.maxMs };
  if (!(backoff.baseMs > 0 && backoff.maxMs >= backoff.baseMs)) throw new ConfigError('socket backoff needs 0 < baseMs <= maxMs');
  return {
    auth,
    protocols,
    ticket: options.ticket === undefined ? null : { url: new URL(options.ticket.url, globalThis.location?.href).href, param: options.ticket.param ?? 'ticket' },
    queryParam: options.queryParam ?? 'access_token',
    frame: options.message?.frame ?? ((token) => JSON.stringify({ type: 'auth', token })),
    isAck: resolveAck(options.ack ?? auth === 'message'),
    ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
    onRotate,
    authCloseCodes: options.authCloseCodes ?? DEFAULT_AUTH_CLOSE_CODES,
    backoff,
    maxBuffered,
  };
}

/** Relative and http(s) URLs become ws(s) URLs on this page's origin. */
function socketUrl(url: string | URL): string {
  const resolved = new URL(url, globalThis.location?.href);
  if (resolved.protocol === 'http:') resolved.protocol = 'ws:';
  else if (resolved.protocol === 'https:') resolved.protocol = 'wss:';
  if (resolved.protocol !== 'ws:' && resolved.protocol !== 'wss:') throw new ConfigError(`socket URL must be ws:, wss:, http: or https:, got ${resolved.protocol}`);
  return resolved.href;
}

function withParam(url: string, name: string, value: string): string {
  const target = new URL(url);
  target.searchParams.set(name, value);
  return target.href;
}

function resolveAck(ack: boolean | ((data: unknown) => boolean)): ((data: unknown) => boolean) | null {
  if (typeof ack === 'function') return ack;
  return ack ? isJsonAuthenticated : null;
}

function isJsonAuthenticated(data: unknown): boolean {
  if (typeof data !== 'string') return false;
  try {
    return (JSON.parse(data) as { type?: unknown } | null)?.type === 'authenticated';
  } catch {
    return false;
  }
}
