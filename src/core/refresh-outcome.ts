import { parseRetryAfter } from './backoff.js';
import { AuthProxyError, RefreshError, TokenResponseError } from './errors.js';
import { readOAuthError } from './oauth-error.js';
import { RFC6749_MAPPING, type TokenMapping } from './token-mapping.js';
import { parseTokenResponse, type TokenSet, type TokenType } from './token-response.js';

/**
 * What a refresh attempt means for the session:
 * - `success`: new tokens.
 * - `rejected`: the grant is dead ([RFC 6749 §5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2) `invalid_grant`, or 400/401/403 without a
 *   configuration error code): the session ends.
 * - `misconfigured`: the client or request is wrong (`invalid_client`, `unauthorized_client`,
 *   `unsupported_grant_type`, `invalid_scope`, `invalid_request`, unexpected statuses): retrying
 *   will not help, but the session is not the problem, so it is kept for the app to decide.
 * - `unavailable`: network error, timeout, 408, 429, 5xx, or an unreadable 2xx: keep the session, back off.
 *   (The one word for a temporary failure: the error code is `refresh_unavailable`, the session
 *   status `offline`, the `refresh-failed` event kind `network`.)
 */
export type RefreshOutcome =
  | { kind: 'success'; tokens: TokenSet }
  | { kind: 'rejected'; error: AuthProxyError }
  | { kind: 'misconfigured'; error: AuthProxyError }
  | { kind: 'unavailable'; error: AuthProxyError; retryAfterMs: number | null };

const CONFIGURATION_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_request',
  // [RFC 9449 §5, §8](https://www.rfc-editor.org/rfc/rfc9449#section-5): the proof was refused (a nonce was already retried once): the grant is not the problem.
  'invalid_dpop_proof',
  'use_dpop_nonce',
]);

export async function classifyRefreshResponse(
  response: Response,
  receivedAt: number,
  mapping: TokenMapping = RFC6749_MAPPING,
  tokenType: TokenType = 'Bearer',
): Promise<RefreshOutcome> {
  const { status } = response;
  if (status >= 200 && status < 300) return parseSuccess(response, receivedAt, mapping, tokenType);
  if (status === 408 || status === 429 || status >= 500) {
    const error = new RefreshError(
      'refresh_unavailable',
      `refresh endpoint answered ${status}; the session is kept and the refresh will be retried`,
      { status },
    );
    return { kind: 'unavailable', error, retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), receivedAt) };
  }
  const oauthError = await readOAuthError(response);
  const details = oauthError === null ? { status } : { status, oauthError };
  const named = oauthError === null ? `status ${status}` : `${status} ${oauthError}`;
  if (oauthError !== null && CONFIGURATION_ERRORS.has(oauthError)) {
    return {
      kind: 'misconfigured',
      error: new RefreshError(
        'refresh_misconfigured',
        `refresh endpoint answered ${named}: check the client configuration (RFC 6749 §5.2)`,
        details,
      ),
    };
  }
  if (oauthError === 'invalid_grant' || status === 400 || status === 401 || status === 403) {
    return {
      kind: 'rejected',
      error: new RefreshError('refresh_rejected', `refresh endpoint answered ${named}: the session has ended`, details),
    };
  }
  return {
    kind: 'misconfigured',
    error: new RefreshError('refresh_misconfigured', `refresh endpoint answered unexpected ${named}; is refresh.url right?`, details),
  };
}

/** A refresh that threw before a response: offline, connection reset, or our timeout — or no DPoP proof could be signed. */
export function classifyRefreshFailure(cause: unknown, timedOut: boolean): RefreshOutcome {
  if (cause instanceof AuthProxyError) return { kind: 'misconfigured', error: cause };
  const message = timedOut
    ? 'refresh endpoint did not answer in time'
    : 'refresh endpoint could not be reached (offline or connection failed)';
  return {
    kind: 'unavailable',
    error: new RefreshError('refresh_unavailable', `${message}; the session is kept`, { cause }),
    retryAfterMs: null,
  };
}

async function parseSuccess(response: Response, receivedAt: number, mapping: TokenMapping, tokenType: TokenType): Promise<RefreshOutcome> {
  try {
    const type = response.headers.get('content-type') ?? '';
    if (!/\bjson\b/i.test(type))
      throw new TokenResponseError(
        'invalid_token_response',
        `refresh endpoint answered ${response.status} with content-type ${JSON.stringify(type.slice(0, 60))}, not JSON (RFC 6749 §5.1)`,
        { status: response.status },
      );
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      throw new TokenResponseError('invalid_token_response', 'refresh endpoint answered with malformed JSON', {
        status: response.status,
        cause,
      });
    }
    return {
      kind: 'success',
      tokens: parseTokenResponse(body, receivedAt, response.headers.get('date'), { mapping, refresh: true, tokenType }),
    };
  } catch (error) {
    if (!(error instanceof TokenResponseError)) throw error;
    // An unusable 2xx is most often a proxy or gateway page: do not end the session over it.
    return { kind: 'unavailable', error, retryAfterMs: null };
  }
}
