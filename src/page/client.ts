import {
  CHANNEL_NAME,
  isStateMessage,
  type AuthorizationHeaders,
  type ControlApi,
  type ControlResult,
  type LoginBody,
  type StateMessage,
} from '../core/protocol.js';
import { WorkerUnavailableError, deserializeError } from '../core/errors.js';
import { ANONYMOUS, type SessionEvent, type SessionState } from '../core/session-state.js';
import { AuthEventSource, type AuthEventSourceOptions } from './events/event-source.js';
import { AuthSocket, type AuthSocketOptions } from './socket/auth-socket.js';

export type StateListener = (state: SessionState, event: SessionEvent) => void;

/** Where the client sends its calls: the service worker (over comlink), or an in-page host. */
export interface ControlTransport {
  call<M extends keyof ControlApi>(method: M, ...args: Parameters<ControlApi[M]>): Promise<ControlResult>;
}

/** `worker`: a service worker proxies requests. `page`: no service worker here; `window.fetch` is wrapped. */
export type AuthMode = 'worker' | 'page';

/**
 * The page's view of the session. State is mirrored from the worker's broadcasts (so it is
 * read synchronously and is the same in every tab); actions go to the worker, which decides.
 */
export class AuthClient {
  readonly mode: AuthMode;
  readonly #connection: ControlTransport;
  readonly #channel: BroadcastChannel;
  readonly #listeners = new Set<StateListener>();
  readonly #sockets = new Set<AuthSocket>();
  readonly #sources = new Set<AuthEventSource>();
  readonly #onOnline = (): void => void this.#resumeIfOffline();
  #state: SessionState = ANONYMOUS;
  #revision = -1;
  /** Which token set the current state describes (never the token): see ControlApi.refresh. */
  #tokens: number | null = null;
  #resuming = false;
  #dpop = false;

  constructor(connection: ControlTransport, mode: AuthMode = 'worker') {
    this.#connection = connection;
    this.mode = mode;
    this.#channel = new BroadcastChannel(CHANNEL_NAME);
    this.#channel.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (isStateMessage(event.data)) this.#onBroadcast(event.data);
    });
    globalThis.addEventListener('online', this.#onOnline);
  }

  /** The current session state. Never contains a token. */
  get state(): SessionState {
    return this.#state;
  }

  /**
   * True when the worker binds the tokens to a DPoP key (`config.dpop`, [RFC 9449](https://www.rfc-editor.org/rfc/rfc9449)): a token is then
   * useless without a proof, so use {@link authorize} for requests the worker does not send,
   * and sockets authenticate with a ticket. Known once the client has synced (registration does).
   */
  get dpop(): boolean {
    return this.#dpop;
  }

  /** Called in every tab on every state change; returns an unsubscribe function. */
  subscribe(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Fetches the worker's current state now (done at registration; sockets use it too). */
  async sync(): Promise<SessionState> {
    return this.#settle(await this.#connection.call('snapshot'));
  }

  /**
   * POSTs `credentials` to the first capture endpoint through the worker, which keeps the
   * tokens. A URLSearchParams body is sent form-encoded (e.g. an OAuth password grant).
   */
  async login(credentials: unknown): Promise<SessionState> {
    const body: LoginBody = credentials instanceof URLSearchParams ? { form: credentials.toString() } : { json: credentials };
    return this.#settle(await this.#connection.call('login', body));
  }

  /** Ends the session in every tab and revokes it at the server when configured. */
  async logout(): Promise<SessionState> {
    return this.#settle(await this.#connection.call('logout'));
  }

  /** Refreshes now, whatever the expiry. Rejects with a RefreshError if it fails. */
  async refresh(): Promise<SessionState> {
    return this.#settle(await this.#connection.call('refresh', { tokens: this.#tokens }));
  }

  /**
   * A valid access token, for places the worker cannot reach (WebSockets, other origins). Under
   * DPoP a token alone is refused by the server: use {@link authorize}, which adds the proof.
   */
  async accessToken(): Promise<string> {
    const result = await this.#connection.call('accessToken');
    this.#settle(result);
    return answered(result.token, 'accessToken');
  }

  /**
   * The header values that authorize one request the worker does not send (another origin, an
   * SDK with its own transport): `{ authorization: 'Bearer …', dpop: null }`, or under DPoP
   * `{ authorization: 'DPoP …', dpop: '<proof>' }` — send both, as `Authorization` and `DPoP`.
   * A proof is good for this method and URL (query and fragment aside) only, and once: ask
   * again for every request. The URL resolves against the page; the method is normalized as
   * `fetch` does. Refreshes first when the token is due.
   */
  async authorize(method: string, url: string | URL): Promise<AuthorizationHeaders> {
    const result = await this.#connection.call('authorize', method, new URL(url, location.href).href);
    this.#settle(result);
    return answered(result.headers, 'authorize');
  }

  /**
   * A WebSocket-like connection that gets its credential from the worker before every
   * (re)connect, refreshes once on an auth close code, and closes with 1000 on logout.
   */
  socket(url: string | URL, options: AuthSocketOptions = {}): AuthSocket {
    const socket = new AuthSocket(this, url, options);
    this.#sockets.add(socket);
    socket.addEventListener('close', () => this.#sockets.delete(socket));
    return socket;
  }

  /**
   * An EventSource-like stream of server-sent events through the worker: it carries the token,
   * reconnects after any drop (the worker stopped included) resuming with `Last-Event-ID`,
   * pauses while offline, and closes on logout.
   */
  eventSource(url: string | URL, options: AuthEventSourceOptions = {}): AuthEventSource {
    for (const source of this.#sources) if (source.readyState === 2) this.#sources.delete(source);
    const source = new AuthEventSource(this, url, options);
    this.#sources.add(source);
    return source;
  }

  /** Stops listening for state and closes this client's sockets and event sources (the worker keeps running). */
  close(): void {
    // Sockets and event sources act on session events; without the channel they would miss a logout.
    for (const socket of this.#sockets) socket.close(1000, 'client closed');
    for (const source of this.#sources) source.close();
    this.#channel.close();
    globalThis.removeEventListener('online', this.#onOnline);
    this.#listeners.clear();
  }

  /**
   * Delivers a state message from a host in this same page (page mode), where the
   * BroadcastChannel does not echo our own posts back. @internal
   */
  receive(message: StateMessage): void {
    this.#onBroadcast(message);
  }

  #settle(result: ControlResult): SessionState {
    this.#update(result);
    // A worker from before DPoP says nothing, and has none.
    this.#dpop = result.dpop === true;
    if (result.error !== null) throw deserializeError(result.error);
    return this.#state;
  }

  /**
   * Call results and broadcasts travel on different channels, so either may come first:
   * the state follows whichever is newer (by revision), and listeners hear every broadcast
   * event exactly once, in the worker's order, with the newest state.
   */
  #onBroadcast(message: StateMessage): void {
    this.#update(message);
    for (const listener of this.#listeners) listener(this.#state, message.event);
  }

  #update(message: StateMessage): void {
    if (message.revision <= this.#revision) return;
    this.#revision = message.revision;
    this.#state = message.state;
    this.#tokens = message.tokens;
  }

  /**
   * Back online: refresh at once, and again with backoff while the state still says offline
   * (the `online` event can come before the network really works, and the worker has no
   * timers to retry on its own).
   */
  async #resumeIfOffline(): Promise<void> {
    if (this.#resuming) return;
    this.#resuming = true;
    try {
      for (
        let attempt = 0;
        attempt < RESUME_ATTEMPTS && this.#state.status === 'offline' && globalThis.navigator?.onLine !== false;
        attempt++
      ) {
        if (attempt > 0) await delay(Math.random() * Math.min(RESUME_MAX_MS, RESUME_BASE_MS * 2 ** attempt));
        await this.refresh().catch(() => undefined); // the state says what happened
      }
    } finally {
      this.#resuming = false;
    }
  }
}

const RESUME_ATTEMPTS = 6;
const RESUME_BASE_MS = 500;
const RESUME_MAX_MS = 15_000;

/** What a successful call must have answered with; a worker that left it out is not one this page can use. */
function answered<T>(value: T | undefined, method: string): T {
  if (value === undefined) throw new WorkerUnavailableError('worker_unavailable', `the worker answered ${method}() with nothing`);
  return value;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
