import type { SessionEvent } from '../../core/session-state.js';
import type { SocketConnection } from './connection.js';
import { AuthSocketError, sessionEnded } from './errors.js';
import { AuthSocketErrorEvent, type AuthSocketEventMap } from './events.js';
import {
  isEnded,
  type AuthSocketStatus,
  type SocketAuthority,
  type SocketClose,
  type SocketData,
  type SocketHost,
  type SocketState,
} from './host.js';
import { resolveOptions, type AuthSocketOptions } from './options.js';
import { socketUrl } from './url.js';

export { AuthSocketError, type AuthSocketErrorCode } from './errors.js';
export { AuthSocketErrorEvent, ReconnectingEvent, type AuthSocketEventMap, type ReconnectReason } from './events.js';
export type { AuthSocketStatus, SocketAuthority, SocketData } from './host.js';
export {
  DEFAULT_AUTH_CLOSE_CODES,
  type AuthSocketOptions,
  type SocketAuthStrategy,
  type SocketRotateBehaviour,
} from './options.js';

// This class is only the public surface: the connection logic (socket-connection.ts) is loaded
// on first use, so pages that never open a socket never download it. Until it has loaded the
// socket is CONNECTING, as a WebSocket is until it opens, and `send` buffers.

const READY_STATES: Record<AuthSocketStatus, number> = { connecting: 0, waiting: 0, offline: 0, open: 1, closing: 2, closed: 3 };

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

  readonly #state: SocketState = { status: 'connecting', queue: [], binaryType: 'blob' };
  readonly #maxBuffered: number;
  /** Until the connection takes over, an ending session must still end the socket. */
  readonly #unsubscribe: () => void;
  #connection: SocketConnection | null = null;

  constructor(authority: SocketAuthority, url: string | URL, options: AuthSocketOptions = {}) {
    super();
    const resolved = resolveOptions(options, authority.dpop === true);
    this.url = socketUrl(url);
    this.#maxBuffered = resolved.maxBuffered;
    this.#unsubscribe = authority.subscribe((_, event) => this.#onEarlySessionEvent(event));
    const host: SocketHost = {
      url: this.url,
      options: resolved,
      authority,
      state: this.#state,
      emit: (event) => this.#emit(event),
      finish: (close) => this.#finish(close),
    };
    // The import settles asynchronously even when cached, so listeners added right after
    // construction see every event, as with WebSocket.
    import('./connection.js').then(
      ({ SocketConnection }) => this.#attach(new SocketConnection(host)),
      (cause: unknown) => this.#onLoadFailure(cause),
    );
  }

  get readyState(): number {
    return READY_STATES[this.#state.status];
  }

  /** Finer than readyState: tells reconnecting (`waiting`) and `offline` apart from `connecting`. */
  get status(): AuthSocketStatus {
    return this.#state.status;
  }

  /** The subprotocol the server selected on the current connection. */
  get protocol(): string {
    return this.#connection?.transport?.protocol ?? '';
  }

  get extensions(): string {
    return this.#connection?.transport?.extensions ?? '';
  }

  /** Bytes queued on the current connection. */
  get bufferedAmount(): number {
    return this.#connection?.transport?.bufferedAmount ?? 0;
  }

  /** Messages held while (re)connecting, flushed in order once authenticated. */
  get queuedMessages(): number {
    return this.#state.queue.length;
  }

  get binaryType(): BinaryType {
    return this.#state.binaryType;
  }

  set binaryType(value: BinaryType) {
    this.#state.binaryType = value;
    const ws = this.#connection?.transport;
    if (ws) ws.binaryType = value;
  }

  /**
   * Sends now when open, else buffers (bounded) until the next authenticated connection.
   * A full buffer is an `error` event (`buffer_full`), never a silent drop.
   */
  send(data: SocketData): void {
    const { status, queue } = this.#state;
    if (isEnded(status)) throw new AuthSocketError('socket_closed', 'send() after close(): the message was not sent');
    const ws = this.#connection?.transport;
    if (status === 'open' && ws?.readyState === WebSocket.OPEN) return ws.send(data);
    if (queue.length >= this.#maxBuffered) {
      this.#emit(
        new AuthSocketErrorEvent(
          new AuthSocketError('buffer_full', `send buffer full (${this.#maxBuffered} messages): this message was not sent`),
        ),
      );
      return;
    }
    queue.push(data);
  }

  /** Ends the socket for good: no more reconnects. Code 1000 or 3000–4999, as for WebSocket. */
  close(code = 1000, reason = ''): void {
    if (code !== 1000 && (code < 3000 || code > 4999)) {
      throw new DOMException(`close code must be 1000 or 3000-4999, got ${code}`, 'InvalidAccessError');
    }
    if (isEnded(this.#state.status)) return;
    if (this.#connection !== null) return this.#connection.close(code, reason);
    this.#stop();
    // Like WebSocket, the close event never fires synchronously inside close().
    queueMicrotask(() => this.#finish({ code, reason, wasClean: true }));
  }

  override addEventListener<K extends keyof AuthSocketEventMap>(
    type: K,
    listener: ((this: AuthSocket, event: AuthSocketEventMap[K]) => unknown) | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof AuthSocketEventMap>(
    type: K,
    listener: ((this: AuthSocket, event: AuthSocketEventMap[K]) => unknown) | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener, options);
  }

  /** The connection's module has loaded: it takes over, unless the socket ended meanwhile. */
  #attach(connection: SocketConnection): void {
    if (isEnded(this.#state.status)) return;
    this.#unsubscribe();
    this.#connection = connection;
    connection.start();
  }

  #onEarlySessionEvent(event: SessionEvent): void {
    if (event.type === 'logged-out') this.close(1000, 'logged out');
    else if (event.type === 'expired') this.#fail(sessionEnded('expired'));
  }

  /** Without its module the socket cannot connect; a retry would not help (browsers cache the failure). */
  #onLoadFailure(cause: unknown): void {
    if (isEnded(this.#state.status)) return;
    const error = new AuthSocketError('module_unavailable', 'could not load the socket implementation module', {
      fatal: true,
      cause,
    });
    this.#fail(error);
  }

  /** Before the connection exists a fatal error ends the socket at once, as the connection's own do. */
  #fail(error: AuthSocketError): void {
    this.#emit(new AuthSocketErrorEvent(error));
    if (isEnded(this.#state.status)) return;
    this.#stop();
    this.#finish({ code: 1000, reason: error.code, wasClean: true });
  }

  #stop(): void {
    this.#state.status = 'closing';
    this.#unsubscribe();
  }

  #finish(close: SocketClose): void {
    const state = this.#state;
    if (state.status === 'closed') return;
    state.status = 'closed';
    const unsent = state.queue.splice(0).length;
    if (unsent > 0) {
      const error = new AuthSocketError('unsent_messages', `${unsent} buffered message(s) were not sent before the socket closed`, {
        fatal: true,
      });
      this.#emit(new AuthSocketErrorEvent(error));
    }
    this.#emit(new CloseEvent('close', close));
  }

  #emit(event: Event): void {
    const handler = (this as unknown as Record<string, unknown>)[`on${event.type}`];
    if (typeof handler === 'function') (handler as (event: Event) => unknown).call(this, event);
    this.dispatchEvent(event);
  }
}
