import type { SessionState } from './core/session-state.js';

/** How the token is presented to the WebSocket server. */
export type SocketAuthStrategy = 'protocol' | 'message' | 'query';

export interface AuthSocketOptions {
  /**
   * `protocol` (default): `Sec-WebSocket-Protocol: bearer, bearer.<token>` next to the app's
   * own subprotocols — the token stays out of URLs and logs, and needs no extra round trip.
   * `message`: the first frame is `{"type":"auth","token":...}`. `query`: `?access_token=`,
   * for legacy servers only (RFC 9700 §4.3.2 advises against tokens in URLs).
   */
  auth?: SocketAuthStrategy;
  /** The app's own subprotocols. Default: none. */
  protocols?: string[];
  /** Close codes that mean "the token is no good": refresh, then reconnect. Default: 1008, 3000, 4001, 4003, 4401. */
  authCloseCodes?: number[];
  /** Reconnect backoff with full jitter, ms. Default: base 500, max 30 000. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Messages kept while reconnecting; past it `send` fails with an error event. Default: 100. */
  maxBuffered?: number;
}

/** What AuthSocket needs from the client: tokens, forced refresh and session changes. */
export interface SocketAuthority {
  readonly state: SessionState;
  accessToken(): Promise<string>;
  refresh(): Promise<SessionState>;
  subscribe(listener: (state: SessionState) => void): () => void;
}

type SocketData = string | ArrayBufferLike | Blob | ArrayBufferView;

const DEFAULT_AUTH_CLOSE_CODES = [1008, 3000, 4001, 4003, 4401];

/**
 * A WebSocket-like connection that authenticates with the worker's current token before
 * every (re)connect, refreshes once on an auth close code, reconnects with backoff on other
 * abnormal closes, buffers sends in between and closes with 1000 on logout.
 */
export class AuthSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  readonly url: string;
  readonly #authority: SocketAuthority;
  readonly #options: Required<Omit<AuthSocketOptions, 'backoff'>> & { baseMs: number; maxMs: number };
  readonly #unsubscribe: () => void;
  #socket: WebSocket | null = null;
  #buffer: SocketData[] = [];
  #attempt = 0;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(authority: SocketAuthority, url: string | URL, options: AuthSocketOptions = {}) {
    super();
    this.url = String(url);
    this.#authority = authority;
    this.#options = {
      auth: options.auth ?? 'protocol',
      protocols: options.protocols ?? [],
      authCloseCodes: options.authCloseCodes ?? DEFAULT_AUTH_CLOSE_CODES,
      maxBuffered: options.maxBuffered ?? 100,
      baseMs: options.backoff?.baseMs ?? 500,
      maxMs: options.backoff?.maxMs ?? 30_000,
    };
    this.#unsubscribe = authority.subscribe((state) => {
      if (state.status === 'anonymous' || state.status === 'expired') this.close(1000, 'session ended');
    });
    void this.#connect();
  }

  get readyState(): number {
    if (this.#closed) return this.#socket?.readyState === WebSocket.CLOSING ? AuthSocket.CLOSING : AuthSocket.CLOSED;
    return this.#socket?.readyState === WebSocket.OPEN ? AuthSocket.OPEN : AuthSocket.CONNECTING;
  }

  get protocol(): string {
    return this.#socket?.protocol ?? '';
  }

  send(data: SocketData): void {
    if (this.#closed) throw new DOMException('AuthSocket is closed', 'InvalidStateError');
    if (this.#socket?.readyState === WebSocket.OPEN) return this.#socket.send(data);
    if (this.#buffer.length >= this.#options.maxBuffered) {
      this.dispatchEvent(new ErrorEvent('error', { message: `send buffer full (${this.#options.maxBuffered} messages); message not sent` }));
      return;
    }
    this.#buffer.push(data);
  }

  close(code = 1000, reason = ''): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#unsubscribe();
    if (this.#socket !== null && this.#socket.readyState < WebSocket.CLOSING) this.#socket.close(code, reason);
    else this.dispatchEvent(new CloseEvent('close', { code, reason, wasClean: true }));
  }

  async #connect(): Promise<void> {
    let token: string;
    try {
      token = await this.#authority.accessToken();
    } catch (error) {
      this.dispatchEvent(new ErrorEvent('error', { message: 'no access token for the socket', error }));
      return this.close(1000, 'not authenticated');
    }
    if (this.#closed) return;
    const socket = this.#open(token);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#attempt = 0;
      if (this.#options.auth === 'message') socket.send(JSON.stringify({ type: 'auth', token }));
      for (const data of this.#buffer.splice(0)) socket.send(data);
      this.dispatchEvent(new Event('open'));
      this.dispatchEvent(new Event('authenticated'));
    });
    socket.addEventListener('message', (event) => this.dispatchEvent(new MessageEvent('message', { data: event.data, origin: event.origin })));
    socket.addEventListener('close', (event) => void this.#onClose(event));
  }

  #open(token: string): WebSocket {
    const { auth, protocols } = this.#options;
    if (auth === 'query') {
      const url = new URL(this.url);
      url.searchParams.set('access_token', token);
      return new WebSocket(url, protocols);
    }
    return new WebSocket(this.url, auth === 'protocol' ? [...protocols, 'bearer', `bearer.${token}`] : protocols);
  }

  async #onClose(event: CloseEvent): Promise<void> {
    if (this.#closed) {
      this.dispatchEvent(new CloseEvent('close', { code: event.code, reason: event.reason, wasClean: event.wasClean }));
      return;
    }
    if (this.#options.authCloseCodes.includes(event.code)) {
      try {
        await this.#authority.refresh();
      } catch {
        if (this.#authority.state.status !== 'offline') return this.close(1000, 'session ended');
      }
    }
    const ceiling = Math.min(this.#options.maxMs, this.#options.baseMs * 2 ** this.#attempt++);
    this.dispatchEvent(new Event('reconnecting'));
    this.#timer = setTimeout(() => void this.#connect(), this.#options.authCloseCodes.includes(event.code) && this.#attempt === 1 ? 0 : Math.random() * ceiling);
  }
}
