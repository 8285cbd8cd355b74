export { registerAuthProxy, type RegisterOptions } from './register.js';
export { AuthClient, type StateListener } from './client.js';
export { AuthSocket, type AuthSocketOptions, type SocketAuthStrategy } from './socket.js';
export type { AuthProxyConfig, RefreshFormat } from './core/config.js';
export type { RefreshFailureKind, SessionState, SessionStatus, SessionEvent } from './core/session-state.js';
export {
  AuthProxyError,
  ConfigError,
  LoginError,
  NotAuthenticatedError,
  RefreshError,
  TokenResponseError,
  WorkerUnavailableError,
  type AuthProxyErrorCode,
  type SerializedAuthProxyError,
} from './core/errors.js';
