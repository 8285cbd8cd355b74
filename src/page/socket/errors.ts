export type AuthSocketErrorCode =
  /** There was no session when connecting. Fatal. */
  | 'not_authenticated'
  /** The session ended (logout, refresh rejected): the socket stops. Fatal. */
  | 'session_ended'
  /** The server refused a credential obtained by a forced refresh. Fatal. */
  | 'auth_rejected'
  /** A credential could not be made (ticket endpoint refused, misconfiguration). Fatal. */
  | 'credential_failed'
  /** The socket implementation module (loaded on first use) could not be loaded. Fatal. */
  | 'module_unavailable'
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

/** The fatal error of a socket whose session ended under it. */
export function sessionEnded(status: 'anonymous' | 'expired'): AuthSocketError {
  const why = status === 'expired' ? 'the session expired (the refresh token was refused)' : 'the user logged out';
  return new AuthSocketError('session_ended', `socket closed: ${why}`, { fatal: true });
}
