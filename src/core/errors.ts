/**
 * Typed errors. Every error has a stable `code`; messages name what was wrong and
 * never contain a token (callers pass descriptions, not values).
 */

export type AuthProxyErrorCode =
  | 'invalid_config'
  | 'invalid_token_response'
  | 'not_authenticated'
  | 'refresh_rejected'
  | 'refresh_unavailable'
  | 'refresh_misconfigured'
  | 'session_changed'
  | 'login_failed'
  | 'worker_unavailable';

/** Plain-data form of an error, safe to post between worker and page. */
export interface SerializedAuthProxyError {
  name: string;
  code: AuthProxyErrorCode;
  message: string;
  /** OAuth error code from the server (RFC 6749 §5.2), when there was one. */
  oauthError?: string;
  /** HTTP status of the response that caused the error, when there was one. */
  status?: number;
}

export class AuthProxyError extends Error {
  override name = 'AuthProxyError';
  readonly code: AuthProxyErrorCode;
  readonly oauthError: string | undefined;
  readonly status: number | undefined;

  constructor(code: AuthProxyErrorCode, message: string, details: { oauthError?: string; status?: number; cause?: unknown } = {}) {
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

/** The configuration passed to registerAuthProxy/createAuthProxy is unusable. */
export class ConfigError extends AuthProxyError {
  override name = 'ConfigError';
  constructor(message: string) {
    super('invalid_config', message);
  }
}

/** A token endpoint answered 2xx with something that is not an RFC 6749 §5.1 token response. */
export class TokenResponseError extends AuthProxyError {
  override name = 'TokenResponseError';
  constructor(message: string, details: { status?: number; cause?: unknown } = {}) {
    super('invalid_token_response', message, details);
  }
}

/** A refresh did not produce tokens; `code` says whether the session ended or was kept. */
export class RefreshError extends AuthProxyError {
  override name = 'RefreshError';
}

/** There is no session (never logged in, logged out, or expired). */
export class NotAuthenticatedError extends AuthProxyError {
  override name = 'NotAuthenticatedError';
  constructor(message = 'There is no session: log in first.') {
    super('not_authenticated', message);
  }
}

/** The login endpoint refused the credentials or did not return tokens. */
export class LoginError extends AuthProxyError {
  override name = 'LoginError';
}

/** The page could not reach the service worker. */
export class WorkerUnavailableError extends AuthProxyError {
  override name = 'WorkerUnavailableError';
  constructor(message: string, cause?: unknown) {
    super('worker_unavailable', message, { cause });
  }
}

const classes: Record<
  string,
  new (
    code: AuthProxyErrorCode,
    message: string,
    details?: { oauthError?: string; status?: number },
  ) => AuthProxyError
> = {
  RefreshError,
  LoginError,
  AuthProxyError,
};

/** Rebuilds a typed error on the page from its serialized form. */
export function deserializeError(json: SerializedAuthProxyError): AuthProxyError {
  const details: { oauthError?: string; status?: number } = {};
  if (json.oauthError !== undefined) details.oauthError = json.oauthError;
  if (json.status !== undefined) details.status = json.status;
  let error: AuthProxyError;
  if (json.code === 'invalid_config') error = new ConfigError(json.message);
  else if (json.code === 'invalid_token_response') error = new TokenResponseError(json.message, details);
  else if (json.code === 'not_authenticated') error = new NotAuthenticatedError(json.message);
  else error = new (classes[json.name] ?? AuthProxyError)(json.code, json.message, details);
  return error;
}
