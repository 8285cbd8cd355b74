import { backoffDelay } from '../../core/backoff.js';
import { CLOCK_NOISE_MS } from '../../core/expiry.js';
import type { SessionEvent } from '../../core/session-state.js';
import { ackPredicate } from './ack.js';
import { getCredential, toSocketError, type Credential } from './credential.js';
import { dial } from './dial.js';
import { AuthSocketError, sessionEnded } from './errors.js';
import { AuthSocketErrorEvent, ReconnectingEvent } from './events.js';
import { isEnded, type SocketAuthority, type SocketClose, type SocketHost, type SocketState } from './host.js';
import type { ResolvedOptions } from './options.js';

/** Close code we use when we drop a connection ourselves (rotation, auth timeout, offline); not an auth code. */
const REPLACE_CLOSE_CODE = 4000;

/**
 * Drives an AuthSocket's connections; loaded on demand by the facade (socket.ts), so pages that
 * never open a socket never download it. It authenticates with the worker's current credential
 * before every (re)connect. On an auth close code it refreshes once and reconnects; on other
 * abnormal closes it reconnects with backoff and full jitter; it pauses while offline; it
 * flushes what `send` buffered in between, in order; it closes with 1000 on logout in every tab.
 *
 * Delivery: messages sent while reconnecting are delivered once, in order. A message handed
 * to a connection that the server closes at the same moment can be lost, as with any
 * WebSocket; acknowledge at the application level if that matters.
 */
export class SocketConnection {
  readonly #host: SocketHost;
  /** The facade's state: its getters and `send` read it. */
  readonly #state: SocketState;
  readonly #options: ResolvedOptions;
  readonly #authority: SocketAuthority;
  /** Recognises the server's acknowledgement of a credential; null when none is awaited. */
  readonly #isAck: ((data: unknown) => boolean) | null;
  readonly #unsubscribe: () => void;
  readonly #onOnline = (): void => this.#resume();
  readonly #onOffline = (): void => this.#goOffline();
  #ws: WebSocket | null = null;
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

  constructor(host: SocketHost) {
    this.#host = host;
    this.#state = host.state;
    this.#options = host.options;
    this.#authority = host.authority;
    this.#isAck = ackPredicate(host.options.ack);
    this.#unsubscribe = host.authority.subscribe((_, event) => this.#onSessionEvent(event));
    globalThis.addEventListener('online', this.#onOnline);
    globalThis.addEventListener('offline', this.#onOffline);
  }

  /** The current WebSocket, if any: the facade reads protocol, extensions and bufferedAmount from it. */
  get transport(): WebSocket | null {
    return this.#ws;
  }

  /** Ends the socket for good; the facade has checked the code and that it is not ending already. */
  close(code: number, reason: string): void {
    this.#closeRequest = { code, reason };
    this.#end();
    const ws = this.#ws;
    if (ws !== null && ws.readyState <= WebSocket.OPEN) {
      ws.close(code, reason);
      return;
    }
    this.#ws = null;
    // Like WebSocket, the close event never fires synchronously inside close().
    queueMicrotask(() => this.#host.finish({ code, reason, wasClean: true }));
  }

  // ---- connecting -------------------------------------------------------------------

  /** Starts a connection cycle now, unless the browser says it is offline. */
  start(): void {
    if (this.#isEnded()) return;
    if (globalThis.navigator?.onLine === false) return this.#pauseOffline(null);
    const cycle = ++this.#cycle;
    this.#state.status = 'connecting';
    void getCredential(this.#authority, this.#options).then(
      (credential) => {
        if (cycle === this.#cycle && !this.#isEnded()) this.#open(credential, false);
      },
      (error: unknown) => {
        if (cycle === this.#cycle && !this.#isEnded()) this.#onCredentialFailure(error, null);
      },
    );
  }

  #open(credential: Credential, forced: boolean): void {
    const ws = dial(this.#host.url, this.#options, credential);
    if (ws instanceof AuthSocketError) return this.#fail(ws, null);
    ws.binaryType = this.#state.binaryType;
    this.#ws = ws;
    this.#used = { generation: credential.generation, forced };
    ws.addEventListener('open', () => this.#onTransportOpen(ws, credential));
    ws.addEventListener('message', (event) => this.#onTransportMessage(ws, event));
    // A failed connection fires error then close; the close says what happened.
    ws.addEventListener('close', (event) => this.#onTransportClose(ws, event));
  }

  #onTransportOpen(ws: WebSocket, credential: Credential): void {
    if (ws !== this.#ws || this.#isEnded()) return;
    if (this.#options.auth === 'message') ws.send(this.#options.frame(credential.token ?? ''));
    if (this.#isAck === null) return this.#authenticated(ws);
    this.#awaitAck(ws, 'connect');
  }

  #awaitAck(ws: WebSocket, purpose: 'connect' | 'rotate'): void {
    this.#awaitingAck = purpose;
    clearTimeout(this.#ackTimer);
    this.#ackTimer = setTimeout(() => {
      if (ws !== this.#ws) return;
      this.#emitError(
        new AuthSocketError(
          'auth_timeout',
          `the server did not acknowledge the auth frame within ${this.#options.ackTimeoutMs} ms; reconnecting`,
        ),
      );
      // Detach first so this close is not read as the server's verdict; a silent server is a failure: back off.
      this.#detach();
      ws.close(REPLACE_CLOSE_CODE, 'auth timeout');
      this.#scheduleReconnect(null);
    }, this.#options.ackTimeoutMs);
  }

  /** The connection is accepted: flush what was sent meanwhile, in order, then announce it. */
  #authenticated(ws: WebSocket): void {
    this.#state.status = 'open';
    this.#attempt = 0;
    for (const data of this.#state.queue.splice(0)) ws.send(data);
    this.#host.emit(new Event('authenticated'));
    this.#host.emit(new Event('open'));
  }

  #onTransportMessage(ws: WebSocket, event: MessageEvent): void {
    if (ws !== this.#ws || this.#state.status === 'closed') return;
    const purpose = this.#awaitingAck;
    if (purpose !== null && this.#isAck?.(event.data) === true) {
      this.#awaitingAck = null;
      clearTimeout(this.#ackTimer);
      if (purpose === 'connect') this.#authenticated(ws);
      else this.#host.emit(new Event('authenticated'));
      return;
    }
    this.#host.emit(new MessageEvent('message', { data: event.data, origin: event.origin, lastEventId: event.lastEventId }));
  }

  // ---- closes -----------------------------------------------------------------------

  #onTransportClose(ws: WebSocket, event: CloseEvent): void {
    if (ws !== this.#ws) return;
    this.#detach();
    if (this.#state.status === 'closed') return;
    if (this.#state.status === 'closing') {
      const request = this.#closeRequest ?? { code: event.code, reason: event.reason };
      return this.#host.finish({ ...request, wasClean: event.wasClean });
    }
    if (this.#rotating) {
      this.#rotating = false;
      this.#host.emit(new ReconnectingEvent({ reason: 'rotate', code: event.code, attempt: this.#attempt, delayMs: 0 }));
      return this.start();
    }
    if (this.#options.authCloseCodes.includes(event.code)) return void this.#recoverFromAuthClose(event);
    // 1000 from the server is a deliberate end, not a failure: do not fight it.
    if (event.code === 1000) return this.#host.finish({ code: event.code, reason: event.reason, wasClean: event.wasClean });
    this.#scheduleReconnect(event.code);
  }

  /**
   * The server said the credential is no good. If a refresh already happened since this
   * connection was made (another tab, an API call, a due token), just reconnect with the new
   * credential; otherwise force one refresh. If a credential that came straight from a
   * forced refresh is refused too, retrying cannot help: stop and say so — unless that
   * credential has simply reached its expiry (the server's clock may be ahead of ours by less
   * than the offset estimate can see), which is the next ordinary refresh, not a refusal.
   */
  async #recoverFromAuthClose(event: CloseEvent): Promise<void> {
    const used = this.#used;
    const cycle = ++this.#cycle;
    const stale = (): boolean => cycle !== this.#cycle || this.#isEnded();
    this.#state.status = 'connecting';
    this.#host.emit(new ReconnectingEvent({ reason: 'auth', code: event.code, attempt: this.#attempt, delayMs: 0 }));
    try {
      const current = await getCredential(this.#authority, this.#options);
      if (stale()) return;
      if (used === null || current.generation !== used.generation) return this.#open(current, false);
      if (used.forced && !this.#nearExpiry()) {
        const error = new AuthSocketError(
          'auth_rejected',
          `the server closed the connection with ${event.code} even with a freshly refreshed credential`,
          { fatal: true, closeCode: event.code },
        );
        return this.#fail(error, { code: event.code, reason: event.reason, wasClean: event.wasClean });
      }
      await this.#authority.refresh();
      if (stale()) return;
      const fresh = await getCredential(this.#authority, this.#options);
      if (!stale()) this.#open(fresh, true);
    } catch (error) {
      if (!stale()) this.#onCredentialFailure(error, event.code);
    }
  }

  /** True when the session's access token expires within the clock-offset noise from now. */
  #nearExpiry(): boolean {
    const { expiresAt } = this.#authority.state;
    return expiresAt !== null && expiresAt - Date.now() < CLOCK_NOISE_MS;
  }

  /** Transient failures (network, refresh endpoint down) retry with backoff; the rest are fatal. */
  #onCredentialFailure(error: unknown, closeCode: number | null): void {
    const failure = toSocketError(error, this.#authority.state);
    if (failure === null) return this.#scheduleReconnect(closeCode);
    this.#fail(failure, null);
  }

  #scheduleReconnect(code: number | null): void {
    if (globalThis.navigator?.onLine === false) return this.#pauseOffline(code);
    const delayMs = backoffDelay(this.#attempt, this.#options.backoff, Math.random);
    this.#attempt++;
    this.#state.status = 'waiting';
    this.#host.emit(new ReconnectingEvent({ reason: 'network', code, attempt: this.#attempt, delayMs }));
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.start(), delayMs);
  }

  /** Offline means paused: no attempts (they would only fail) until the browser is back online. */
  #pauseOffline(code: number | null): void {
    clearTimeout(this.#timer);
    this.#cycle++;
    if (this.#state.status === 'offline') return;
    this.#state.status = 'offline';
    this.#host.emit(new ReconnectingEvent({ reason: 'offline', code, attempt: this.#attempt, delayMs: null }));
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
    if (this.#state.status !== 'offline' && this.#state.status !== 'waiting') return;
    clearTimeout(this.#timer);
    this.#attempt = 0;
    this.start();
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
    if (ws === null || this.#state.status !== 'open' || this.#options.onRotate === 'none') return;
    if (this.#options.onRotate === 'reconnect') return this.#replace(ws);
    void this.#authority.accessToken().then(
      (token) => {
        if (ws !== this.#ws || ws.readyState !== WebSocket.OPEN) return;
        ws.send(this.#options.frame(token));
        // Later auth closes are judged against the token the server now holds.
        this.#used = { generation: this.#options.auth === 'ticket' ? this.#authority.state.expiresAt : token, forced: false };
        if (this.#isAck === null) this.#host.emit(new Event('authenticated'));
        else this.#awaitAck(ws, 'rotate');
      },
      // No token (offline, session ended): the state says why, and the session events act on it.
      () => undefined,
    );
  }

  /** Swaps the connection for a new one; sends in the gap are buffered. */
  #replace(ws: WebSocket): void {
    this.#rotating = true;
    this.#state.status = 'connecting';
    ws.close(REPLACE_CLOSE_CODE, 'reauthenticating');
  }

  // ---- ending -------------------------------------------------------------------------

  #fail(error: AuthSocketError, close: SocketClose | null): void {
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
    this.#host.finish(close ?? { code: 1000, reason: error.code, wasClean: true });
  }

  /** Stops everything that could start another connection. */
  #end(): void {
    this.#state.status = 'closing';
    this.#cycle++;
    clearTimeout(this.#timer);
    clearTimeout(this.#ackTimer);
    this.#unsubscribe();
    globalThis.removeEventListener('online', this.#onOnline);
    globalThis.removeEventListener('offline', this.#onOffline);
  }

  #isEnded(): boolean {
    return isEnded(this.#state.status);
  }

  #emitError(error: AuthSocketError): void {
    this.#host.emit(new AuthSocketErrorEvent(error));
  }
}
