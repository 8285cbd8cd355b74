import type { ResolvedConfig } from './config.js';
import type { TokenSet } from './token-response.js';

type RefreshEndpoint = NonNullable<ResolvedConfig['refresh']>;

const ACCEPT_JSON = { Accept: 'application/json' };

/**
 * The refresh request for the configured format. `form` is [RFC 6749 §6](https://www.rfc-editor.org/rfc/rfc6749#section-6): form-encoded
 * `grant_type=refresh_token`, `client_id` for a public client (§3.2.1), optional `scope`.
 * `cookie` sends no token: the browser attaches the HttpOnly refresh cookie.
 */
export function buildRefreshRequest(endpoint: RefreshEndpoint, clientId: string | null, tokens: TokenSet, signal: AbortSignal): Request {
  const init: RequestInit = { method: 'POST', cache: 'no-store', redirect: 'error', signal };
  const own = (headers: Record<string, string>): Record<string, string> => ({ ...endpoint.headers, ...headers });
  if (endpoint.format === 'cookie') {
    return new Request(endpoint.url, { ...init, credentials: 'include', headers: own(ACCEPT_JSON) });
  }
  if (endpoint.format === 'form') {
    const form = new URLSearchParams({ grant_type: 'refresh_token', [endpoint.tokenField]: tokens.refreshToken ?? '' });
    if (clientId !== null) form.set('client_id', clientId);
    if (endpoint.scope !== null) form.set('scope', endpoint.scope);
    return new Request(endpoint.url, { ...init, credentials: 'omit', headers: own(ACCEPT_JSON), body: form });
  }
  const json: Record<string, string> = { [endpoint.tokenField]: tokens.refreshToken ?? '' };
  if (clientId !== null) json.client_id = clientId;
  return new Request(endpoint.url, {
    ...init,
    credentials: 'same-origin',
    headers: own({ ...ACCEPT_JSON, 'Content-Type': 'application/json' }),
    body: JSON.stringify(json),
  });
}

/**
 * The logout/revocation request. With `form` it is [RFC 7009 §2.1](https://www.rfc-editor.org/rfc/rfc7009#section-2.1): form-encoded `token`
 * with `token_type_hint`, plus `client_id`. Otherwise a JSON body naming the refresh token
 * (in the member the refresh endpoint takes it in), with the access token as Bearer so the
 * server knows the session.
 */
export function buildRevocationRequest(
  logout: NonNullable<ResolvedConfig['logout']>,
  endpoint: RefreshEndpoint | null,
  clientId: string | null,
  tokens: TokenSet,
  signal: AbortSignal,
): Request {
  const init: RequestInit = { method: 'POST', cache: 'no-store', signal };
  const format = endpoint?.format ?? 'json';
  if (format === 'form') {
    const hinted =
      tokens.refreshToken === null
        ? { token: tokens.accessToken, token_type_hint: 'access_token' }
        : { token: tokens.refreshToken, token_type_hint: 'refresh_token' };
    const form = new URLSearchParams(hinted);
    if (clientId !== null) form.set('client_id', clientId);
    return new Request(logout.url, { ...init, credentials: 'omit', headers: logout.headers, body: form });
  }
  const body = tokens.refreshToken === null ? {} : { [endpoint?.tokenField ?? 'refresh_token']: tokens.refreshToken };
  return new Request(logout.url, {
    ...init,
    credentials: format === 'cookie' ? 'include' : 'same-origin',
    headers: { ...logout.headers, 'Content-Type': 'application/json', Authorization: `Bearer ${tokens.accessToken}` },
    body: JSON.stringify(body),
  });
}
