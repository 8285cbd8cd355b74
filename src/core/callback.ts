import type { ResolvedCapture, ResolvedConfig } from './config.js';
import { parentPath, type TokenMapping } from './token-mapping.js';

/**
 * Tokens in a callback URL: some backends finish OAuth themselves and redirect the browser to
 * the app with the tokens in the query (`/callback?token=…&refresh_token=…`) or the fragment
 * (`/callback#access_token=…&refresh_token=…`). The worker sees that navigation (with its
 * fragment, in Chromium, Firefox and WebKit), keeps the tokens, and answers with a redirect to
 * the same URL without them, so page script, the address bar, history and Referer never hold them.
 */
export interface CallbackTokens {
  entry: ResolvedCapture;
  /** The token parameters as a token response, nested where the mapping's dot paths say. */
  body: Record<string, unknown>;
  /** The URL without the token parameters: where the worker redirects the navigation. */
  cleanUrl: string;
}

/**
 * What a cleaned fragment becomes when nothing is left of it. A redirect without a fragment
 * inherits the fragment of the URL it came from (Fetch, "location URL"), which would put the
 * tokens straight back; an empty fragment (`#`) is treated as none by WebKit. So the fragment
 * must be non-empty: a single underscore, which carries nothing.
 */
export const CLEARED_FRAGMENT = '_';

/** The `query` or `fragment` capture entry for a navigation to `url`, or null. */
export function callbackCaptureFor(url: string, config: ResolvedConfig): ResolvedCapture | null {
  const page = withoutSearchAndHash(url);
  return config.capture.find((entry) => entry.from !== 'body' && withoutSearchAndHash(entry.url) === page) ?? null;
}

/**
 * The tokens a navigation to a callback URL carries, or null when it carries none (an error
 * callback, or the clean URL the worker redirected to). Any token parameter counts, so a URL
 * with only a refresh token is still cleaned.
 */
export function readCallback(url: string, config: ResolvedConfig): CallbackTokens | null {
  const entry = callbackCaptureFor(url, config);
  if (entry === null) return null;
  const target = new URL(url);
  const params = new URLSearchParams(entry.from === 'query' ? target.search : target.hash.slice(1));
  const mapping = entry.tokenResponse;
  if (!secretNames(mapping).some((name) => params.has(name))) return null;
  const body: Record<string, unknown> = {};
  for (const name of tokenNames(mapping)) {
    const value = params.get(name);
    if (value === null) continue;
    assignPath(body, name, value);
    params.delete(name);
  }
  const rest = params.toString();
  if (entry.from === 'query') target.search = rest;
  else target.hash = rest === '' ? CLEARED_FRAGMENT : rest;
  return { entry, body, cleanUrl: target.href };
}

/** True when the navigation to `url` brings tokens for a callback capture entry. */
export function isCallbackWithTokens(url: string, config: ResolvedConfig): boolean {
  return readCallback(url, config) !== null;
}

/** The parameters that carry a token: their presence is what makes a URL a token delivery. */
function secretNames(mapping: TokenMapping): string[] {
  return [mapping.accessToken, mapping.refreshToken, mapping.idToken].filter((name) => name !== null);
}

/** Every token response member the URL may carry (RFC 6749 §4.2.2 names `token_type` and `scope` too). */
function tokenNames(mapping: TokenMapping): string[] {
  const beside = parentPath(mapping.accessToken);
  const prefix = beside === null ? '' : `${beside}.`;
  const names = [...secretNames(mapping), mapping.expiresIn, mapping.expiresAt, `${prefix}token_type`, `${prefix}scope`];
  return names.filter((name) => name !== null);
}

/** Sets `body[a][b] = value` for the path `a.b`, so the token response parser finds it where the mapping says. */
function assignPath(body: Record<string, unknown>, path: string, value: string): void {
  const segments = path.split('.');
  let node = body;
  for (const segment of segments.slice(0, -1)) {
    const next = node[segment];
    if (typeof next !== 'object' || next === null) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  node[segments.at(-1) ?? path] = value;
}

function withoutSearchAndHash(url: string): string {
  const parsed = new URL(url);
  return parsed.origin + parsed.pathname;
}
