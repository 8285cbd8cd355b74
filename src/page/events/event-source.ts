import type { SessionEvent, SessionState } from '../../core/session-state.js';

// This class is only the public surface, kept small because every page loads it: the stream
// logic (stream.ts) is loaded on first use. Until it has loaded the source is CONNECTING, as an
// EventSource is until its connection opens.

/** What an AuthEventSource needs from the client: the session and its events. */
export interface EventSourceAuthority {
  readonly state: SessionState;
  subscribe(listener: (state: SessionState, event: SessionEvent) => void): () => void;
}

export interface AuthEventSourceOptions {
  /** Send credentials (cookies) to another origin too, as EventSource's `withCredentials`. Default: false. */
  withCredentials?: boolean;
  /** The first reconnection delay in ms, until the server sets one with `retry:`; it doubles per failed attempt. Default: 1000. */
  retry?: number;
  /** The longest delay between attempts, in ms. Default: 30 000. */
  maxRetry?: number;
  /** Resume after this event id on the first connection (sent as `Last-Event-ID`). Default: none. */
  lastEventId?: string;
}

/**
 * `error` events of an AuthEventSource. `readyState` says what follows, as for EventSource:
 * CONNECTING means a reconnect is scheduled; CLOSED means the source ended for good.
 */
export interface AuthEventSourceErrorEvent extends Event {
  /**
   * `reconnecting` (the stream dropped or could not be opened; retrying), `http_status` (the
   * server answered with a status that retrying cannot fix, or 204), `content_type` (not
   * `text/event-stream`), `session_ended` (logout or expiry), `invalid_options` (`retry` or
   * `maxRetry` is not a non-negative number), `module_unavailable`.
   */
  readonly code: 'reconnecting' | 'http_status' | 'content_type' | 'session_ended' | 'invalid_options' | 'module_unavailable';
  /** The HTTP status, when a response said why. */
  readonly status?: number;
}

/** The state the facade and the stream logic share. */
export interface EventSourceState {
  readyState: 0 | 1 | 2;
  lastEventId: string;
  /** Ends the stream logic for good, once it has loaded. */
  stop?: () => void;
}

/** What the facade hands the stream logic: itself (events are dispatched on it), its inputs and its state. */
export interface EventSourceHost {
  readonly source: AuthEventSource;
  readonly options: AuthEventSourceOptions;
  readonly authority: EventSourceAuthority;
  readonly state: EventSourceState;
}

/**
 * An EventSource whose requests go through the worker (so they carry the token and are
 * refreshed and replayed on a 401), built on a streamed `fetch`. It reconnects after any drop —
 * a network failure, a server that ends the stream, the browser stopping the worker — with
 * backoff and jitter, never sooner than the server's `retry:`; it resumes with `Last-Event-ID`;
 * it pauses while offline; it closes on logout or expiry in every tab. An event is delivered
 * only once complete, so with a server that honours `Last-Event-ID` none is lost or repeated.
 */
export class AuthEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;

  // Assigned in the constructor; `declare` spares the bundle the empty field definitions.
  declare readonly url: string;
  declare readonly withCredentials: boolean;
  onopen: ((event: Event) => unknown) | null = null;
  onmessage: ((event: MessageEvent) => unknown) | null = null;
  onerror: ((event: AuthEventSourceErrorEvent) => unknown) | null = null;

  readonly #state: EventSourceState;

  constructor(authority: EventSourceAuthority, url: string | URL, options: AuthEventSourceOptions = {}) {
    super();
    this.url = new URL(url, location.href).href;
    this.withCredentials = !!options.withCredentials;
    const state: EventSourceState = { readyState: 0, lastEventId: options.lastEventId ?? '' };
    this.#state = state;
    // Settles asynchronously even when cached, so listeners added right after construction see every event.
    import('./stream.js').then(
      ({ openStream }) => {
        if (state.readyState !== 2) state.stop = openStream({ source: this, options, authority, state });
      },
      () => {
        if (state.readyState === 2) return;
        state.readyState = 2;
        const event = Object.assign(new Event('error'), { code: 'module_unavailable' as const });
        this.onerror?.call(this, event);
        this.dispatchEvent(event);
      },
    );
  }

  get readyState(): number {
    return this.#state.readyState;
  }

  /** The id of the last event received (sent as `Last-Event-ID` when reconnecting). */
  get lastEventId(): string {
    return this.#state.lastEventId;
  }

  /** Ends the stream for good, as EventSource's close(): no event follows, not even `error`. */
  close(): void {
    this.#state.readyState = 2;
    this.#state.stop?.();
  }
}
