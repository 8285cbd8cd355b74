import type { AuthEventSource, AuthEventSourceErrorEvent, EventSourceHost } from './event-source.js';
import { createParser } from './parse.js';

/**
 * Drives an AuthEventSource's connections; loaded on demand by the facade (event-source.ts), so
 * pages that never open one never download it. Each connection is a `fetch` through the worker
 * whose body is read as it arrives; when it ends for any reason the next one resumes with
 * `Last-Event-ID`.
 */

type ErrorCode = AuthEventSourceErrorEvent['code'];

const DEFAULT_RETRY_MS = 1_000;
const DEFAULT_MAX_RETRY_MS = 30_000;
/** Failed attempts back off from at least this, so `retry: 0` cannot make a failing server a busy loop. */
const BACKOFF_FLOOR_MS = 250;

/** Session states in which a 401 is worth retrying: the worker refreshes, or will once online. */
const LIVE_SESSIONS = ['authenticated', 'refreshing', 'offline'];

/** Starts the stream now; the returned function ends it for good (the facade's close()). */
export function openStream(host: EventSourceHost): () => void {
  const stream = new EventStream(host);
  stream.start();
  return () => stream.stop();
}

/**
 * Delay before reconnection attempt `attempt` (0 after a drop, then one more per failed attempt):
 * the reconnection time first, then doubling (from at least 250 ms) up to `maxMs`, plus up to
 * half again of jitter so clients dropped together do not return together. Never sooner than
 * the reconnection time (the server's `retry:`), which the cap never shortens.
 */
export function reconnectDelay(attempt: number, retryMs: number, maxMs: number, random: () => number): number {
  const grown = attempt === 0 ? retryMs : Math.min(maxMs, Math.max(retryMs, BACKOFF_FLOOR_MS) * 2 ** Math.min(attempt, 30));
  const base = Math.max(retryMs, grown);
  return base + (random() * base) / 2;
}

class EventStream {
  readonly #host: EventSourceHost;
  readonly #onOnline = (): void => this.#resume();
  readonly #onOffline = (): void => this.#goOffline();
  readonly #unsubscribe: () => void;
  #retryMs: number;
  readonly #maxMs: number;
  #attempt = 0;
  /** Bumped for every connection; callbacks of an older one see it and stop. */
  #cycle = 0;
  #controller: AbortController | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Waiting to reconnect: a timer (`timer`) or the network (`offline`). */
  #waiting: 'timer' | 'offline' | null = null;
  #ended = false;

  constructor(host: EventSourceHost) {
    this.#host = host;
    this.#retryMs = host.options.retry ?? DEFAULT_RETRY_MS;
    this.#maxMs = host.options.maxRetry ?? DEFAULT_MAX_RETRY_MS;
    this.#unsubscribe = host.authority.subscribe((_, event) => {
      if (event.type === 'logged-out' || event.type === 'expired') this.#fail('session_ended', null);
      else if (event.type === 'online') this.#resume();
    });
    globalThis.addEventListener('online', this.#onOnline);
    globalThis.addEventListener('offline', this.#onOffline);
  }

  start(): void {
    if (this.#ended) return;
    if (!(validDelay(this.#retryMs) && validDelay(this.#maxMs))) return this.#fail('invalid_options', null);
    if (globalThis.navigator?.onLine === false) return this.#pauseOffline();
    this.#waiting = null;
    const cycle = ++this.#cycle;
    const { state, source } = this.#host;
    const { url, withCredentials } = source;
    state.readyState = 0;
    const controller = new AbortController();
    this.#controller = controller;
    const headers = new Headers({ Accept: 'text/event-stream' });
    if (state.lastEventId !== '') headers.set('Last-Event-ID', state.lastEventId);
    fetch(url, { headers, cache: 'no-store', credentials: withCredentials ? 'include' : 'same-origin', signal: controller.signal }).then(
      (response) => this.#onResponse(response, cycle),
      () => this.#dropped(cycle, null),
    );
  }

  /** Ends the stream for good, silently (close() or a failure that reports itself). */
  stop(): void {
    this.#ended = true;
    this.#host.state.readyState = 2;
    this.#cycle++;
    this.#controller?.abort();
    clearTimeout(this.#timer);
    this.#unsubscribe();
    globalThis.removeEventListener('online', this.#onOnline);
    globalThis.removeEventListener('offline', this.#onOffline);
  }

  async #onResponse(response: Response, cycle: number): Promise<void> {
    if (cycle !== this.#cycle) return void response.body?.cancel().catch(() => undefined);
    const { status } = response;
    const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (!response.ok || status === 204 || type !== 'text/event-stream' || response.body === null) {
      void response.body?.cancel().catch(() => undefined);
      if (retriable(status, this.#host.authority.state.status)) return this.#dropped(cycle, status);
      return this.#fail(response.ok && status !== 204 ? 'content_type' : 'http_status', status);
    }
    this.#host.state.readyState = 1;
    this.#attempt = 0;
    this.#emit(new Event('open'));
    await this.#read(response.body, cycle);
    this.#dropped(cycle, null);
  }

  /** Reads the body as it arrives until it ends, fails or this connection is superseded. */
  async #read(body: ReadableStream<Uint8Array>, cycle: number): Promise<void> {
    const { state, source } = this.#host;
    const origin = new URL(source.url).origin;
    const parser = createParser(state.lastEventId, {
      id: (id) => {
        if (cycle === this.#cycle) state.lastEventId = id;
      },
      event: ({ type, data, lastEventId }) => {
        if (cycle === this.#cycle) this.#emit(new MessageEvent(type, { data, origin, lastEventId }));
      },
      retry: (ms) => {
        this.#retryMs = ms;
      },
    });
    const reader = body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || cycle !== this.#cycle) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // A dropped connection (network, server, the worker stopped): reconnect below.
    }
    reader.cancel().catch(() => undefined);
  }

  /** The connection ended or could not be made: say so, then reconnect after a delay. */
  #dropped(cycle: number, status: number | null): void {
    if (cycle !== this.#cycle || this.#ended) return;
    this.#host.state.readyState = 0;
    this.#emitError('reconnecting', status);
    if (this.#ended || cycle !== this.#cycle) return;
    if (globalThis.navigator?.onLine === false) return this.#pauseOffline();
    const delay = reconnectDelay(this.#attempt++, this.#retryMs, this.#maxMs, Math.random);
    this.#waiting = 'timer';
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.start(), delay);
  }

  /** The browser went offline: drop the connection (its bytes go nowhere) and wait for `online`. */
  #goOffline(): void {
    if (this.#ended || this.#waiting === 'offline') return;
    const wasOpen = this.#host.state.readyState === 1;
    this.#pauseOffline();
    if (wasOpen) this.#emitError('reconnecting', null);
  }

  #pauseOffline(): void {
    this.#cycle++;
    this.#controller?.abort();
    clearTimeout(this.#timer);
    this.#waiting = 'offline';
    this.#host.state.readyState = 0;
  }

  /** Back online (the browser, or the refresh endpoint): reconnect now instead of after the backoff. */
  #resume(): void {
    if (this.#ended || this.#waiting === null) return;
    clearTimeout(this.#timer);
    this.#attempt = 0;
    this.start();
  }

  #fail(code: ErrorCode, status: number | null): void {
    if (this.#ended) return;
    this.stop();
    this.#emitError(code, status);
  }

  #emitError(code: ErrorCode, status: number | null): void {
    this.#emit(Object.assign(new Event('error'), status === null ? { code } : { code, status }));
  }

  /** The source's handler property first, then its listeners. A server event named open, message or error reaches the handler too, as with EventSource. */
  #emit(event: Event): void {
    const source: AuthEventSource = this.#host.source;
    const { type } = event;
    const handler = type === 'message' ? source.onmessage : type === 'open' ? source.onopen : type === 'error' ? source.onerror : null;
    handler?.call(source, event as MessageEvent & AuthEventSourceErrorEvent);
    source.dispatchEvent(event);
  }
}

/** Worth another attempt: the server is unavailable or busy, or a 401 while the session lives. */
function retriable(status: number, session: string): boolean {
  return status >= 500 || status === 408 || status === 429 || (status === 401 && LIVE_SESSIONS.includes(session));
}

function validDelay(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 0;
}
