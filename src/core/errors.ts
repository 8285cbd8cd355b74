/**
 * Typed errors. Every error has a stable `code`; messages name what was wrong and never
 * contain a token (callers pass descriptions, not values). Every class has the same
 * constructor shape, `(code, message, details?)`, so a serialized error is rebuilt with one
 * lookup by `name`.
 */

export type AuthProxyErrorCode =
  | 'invalid_config'
  | 'invalid_token_response'
  | 'not_authenticated'
  | 'refresh_rejected'
  | 'refresh_unavailable'
  | 'refresh_misconfigured'
  | 'refresh_response_lost'
  | 'session_changed'
  | 'login_failed'
  | 'worker_unavailable'
  | 'dpop_failed';

/** What an error may carry besides its code and message. */
export interface ErrorDetails {
  /** OAuth error code from the server ([RFC 6749 §5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2)), when there was one. */
  oauthError?: string;
  /** HTTP status of the response that caused the error, when there was one. */
  status?: number;
  /** The underlying reason (the browser's error), kept as `cause`. Not serialized. */
  cause?: unknown;
}

/** Plain-data form of an error, safe to post between worker and page. */
export interface SerializedAuthProxyError {
  name: string;
  code: AuthProxyErrorCode;
  message: string;
  /** OAuth error code from the server ([RFC 6749 §5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2)), when there was one. */
  oauthError?: string;
  /** HTTP status of the response that caused the error, when there was one. */
  status?: number;
}

export class AuthProxyError extends Error {
  // A literal, not `new.target.name`: minifiers rename classes, and `name` crosses the wire.
  override name = 'AuthProxyError';
  readonly code: AuthProxyErrorCode;
  readonly oauthError: string | undefined;
  readonly status: number | undefined;

  constructor(code: AuthProxyErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.oauthError = details.oauthError;
    this.status = details.status;
  }

  toJSON(): SerializedAuthProxyError {
    const json: SerializedAuthProxyError = { name: this.name, code: this.code, message: this.message };
    if (this.oauthError !== undefined) json.oauthError = this.oauthError;
    if (this.status !== undefined) json.status = this.status;
    return json;
  }
}

/** The configuration passed to registerAuthProxy/createAuthProxy is unusable (`invalid_config`). */
export class ConfigError extends AuthProxyError {
  override name = 'ConfigError';
}

/**
 * A token endpoint answered 2xx with something that is not a token response
 * ([RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1)): `invalid_token_response`.
 */
export class TokenResponseError extends AuthProxyError {
  override name = 'TokenResponseError';
}

/** A refresh did not produce tokens; `code` says whether the session ended or was kept. */
export class RefreshError extends AuthProxyError {
  override name = 'RefreshError';
}

/** There is no session (never logged in, logged out, or expired): `not_authenticated`. */
export class NotAuthenticatedError extends AuthProxyError {
  override name = 'NotAuthenticatedError';
}

/** The login endpoint refused the credentials or did not return tokens. */
export class LoginError extends AuthProxyError {
  override name = 'LoginError';
}

/** The page could not reach the service worker (`worker_unavailable`); `cause` is the browser's reason. */
export class WorkerUnavailableError extends AuthProxyError {
  override name = 'WorkerUnavailableError';
}

/**
 * A DPoP key pair could not be made or used ([RFC 9449](https://www.rfc-editor.org/rfc/rfc9449)): `dpop_failed`. The browser's reason is
 * the `cause`. Never contains a token or a proof.
 */
export class DpopError extends AuthProxyError {
  override name = 'DpopError';
}

const CLASSES: Record<string, typeof AuthProxyError> = {
  AuthProxyError,
  ConfigError,
  TokenResponseError,
  RefreshError,
  NotAuthenticatedError,
  LoginError,
  WorkerUnavailableError,
  DpopError,
};

/** Rebuilds a typed error on the page from its serialized form. */
export function deserializeError(json: SerializedAuthProxyError): AuthProxyError {
  const details: ErrorDetails = {};
  if (json.oauthError !== undefined) details.oauthError = json.oauthError;
  if (json.status !== undefined) details.status = json.status;
  return new (CLASSES[json.name] ?? AuthProxyError)(json.code, json.message, details);
}
