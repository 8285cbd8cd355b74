import type { AuthSocketError } from './errors.js';

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
