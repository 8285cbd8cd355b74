import type { SessionEvent, SessionState } from '../../core/session-state.js';
import type { ResolvedOptions } from './options.js';

/** What AuthSocket needs from the client: credentials, a forced refresh and session events. */
export interface SocketAuthority {
  readonly state: SessionState;
  /** True when tokens are DPoP-bound: a handshake cannot carry a proof, so only the `ticket` strategy works. */
  readonly dpop?: boolean;
  accessToken(): Promise<string>;
  refresh(): Promise<SessionState>;
  /** The worker's current state, read now (not the mirrored copy). */
  sync(): Promise<SessionState>;
  subscribe(listener: (state: SessionState, event: SessionEvent) => void): () => void;
}

/** `connecting`: getting a credential or handshaking; `waiting`: backoff before the next attempt. */
export type AuthSocketStatus = 'connecting' | 'open' | 'waiting' | 'offline' | 'closing' | 'closed';

export type SocketData = string | ArrayBufferLike | Blob | ArrayBufferView;

/** How an AuthSocket ended: its `close` event. */
export interface SocketClose {
  code: number;
  reason: string;
  wasClean: boolean;
}

/**
 * What the AuthSocket facade and the connection that drives it share. The facade owns this
 * state, so its getters and `send` answer the same before the connection's module has loaded
 * and after; the connection updates it.
 */
export interface SocketState {
  status: AuthSocketStatus;
  /** Messages sent while not open, flushed in order once authenticated. */
  readonly queue: SocketData[];
  binaryType: BinaryType;
}

/** What the facade hands the connection: its inputs, its state, and how to speak through it. */
export interface SocketHost {
  /** The URL to connect to, without any credential. */
  readonly url: string;
  readonly options: ResolvedOptions;
  readonly authority: SocketAuthority;
  readonly state: SocketState;
  /** Calls the facade's `on<type>` handler, then dispatches the event on the facade. */
  emit(event: Event): void;
  /** Ends the socket for good: reports unsent messages, then fires `close`, once. */
  finish(close: SocketClose): void;
}

export function isEnded(status: AuthSocketStatus): boolean {
  return status === 'closing' || status === 'closed';
}
