import { CHANNEL_NAME, isStateMessage, type ControlApi, type ControlResult, type LoginBody, type StateMessage } from '../core/protocol.js';
import { WorkerUnavailableError, deserializeError } from '../core/errors.js';
import { ANONYMOUS, type SessionEvent, type SessionState } from '../core/session-state.js';
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
  readonly #onOnline = (): void => void this.#resumeIfOffline();
  #state: SessionState = ANONYMOUS;
  #revision = -1;
  /** Which token set the current state describes (never the token): see ControlApi.refresh. */
  #tokens: number | null = null;
  #resuming = false;

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

  /** A valid access token, for places the worker cannot reach (WebSockets, other origins). */
  async accessToken(): Promise<string> {
    const result = await this.#connection.call('accessToken');
    this.#settle(result);
    if (result.token === undefined)
      throw new WorkerUnavailableError('worker_unavailable', 'the worker answered accessToken() without a token');
    return result.token;
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

  /** Stops listening for state and closes this client's sockets (the worker keeps running). */
  close(): void {
    // Sockets act on session events; without the channel they would miss a logout.
    for (const socket of this.#sockets) socket.close(1000, 'client closed');
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
