/**
 * `sw-auth-proxy`: the page side. {@link registerAuthProxy} registers the worker (or hosts the
 * core in the page where no service worker can run) and resolves to an {@link AuthClient}.
 *
 * @packageDocumentation
 */
export { registerAuthProxy, type RegisterOptions } from './register.js';
export { AuthClient, type AuthMode, type ControlTransport, type StateListener } from './client.js';
export {
  AuthSocket,
  AuthSocketError,
  AuthSocketErrorEvent,
  DEFAULT_AUTH_CLOSE_CODES,
  ReconnectingEvent,
  type AuthSocketErrorCode,
  type AuthSocketEventMap,
  type AuthSocketOptions,
  type AuthSocketStatus,
  type ReconnectReason,
  type SocketAuthority,
  type SocketAuthStrategy,
  type SocketData,
  type SocketRotateBehaviour,
} from './socket/auth-socket.js';
export {
  AuthEventSource,
  type AuthEventSourceErrorEvent,
  type AuthEventSourceOptions,
  type EventSourceAuthority,
} from './events/event-source.js';
export type { AuthProxyConfig, CaptureEntry, CaptureSource, RefreshFormat, TokenResponseMapping } from '../core/config.js';
export type { AuthorizationHeaders, ControlApi, ControlResult, LoginBody } from '../core/protocol.js';
export type { Claims } from '../core/jwt.js';
export type { RefreshFailureKind, SessionState, SessionStatus, SessionEvent } from '../core/session-state.js';
export {
  AuthProxyError,
  ConfigError,
  DpopError,
  LoginError,
  NotAuthenticatedError,
  RefreshError,
  TokenResponseError,
  WorkerUnavailableError,
  type AuthProxyErrorCode,
  type SerializedAuthProxyError,
} from '../core/errors.js';
