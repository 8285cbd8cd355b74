import { isCallbackWithTokens } from './callback.js';
import { matchesPrefix, type ResolvedCapture, type ResolvedConfig } from './config.js';

/**
 * `capture`: a POST whose token response is kept; `callback`: a navigation whose URL brings
 * tokens (kept, then redirected to the URL without them); `api`: gets the token; `pass`: untouched.
 */
export type RouteKind = 'capture' | 'callback' | 'api' | 'pass';

/** The subset of a Request the decision needs (so it is testable without a browser). */
export interface RequestFacts {
  url: string;
  method: string;
  mode: RequestMode;
  headers: Headers;
}

/**
 * Which requests the worker touches (docs/ARCHITECTURE.md, request path). Navigations and `no-cors` requests
 * never get a token (the page cannot read those responses, and a token in a navigation
 * would travel with whatever the user clicked); neither does a request that brings its own
 * Authorization. The refresh and logout endpoints are the worker's own business. The one
 * navigation the worker answers is a GET of a callback capture URL that carries tokens.
 */
export function routeFor(request: RequestFacts, config: ResolvedConfig): RouteKind {
  return explainRoute(request, config).kind;
}

/** {@link routeFor} with the reason, in words, for the debug log. */
export function explainRoute(request: RequestFacts, config: ResolvedConfig): { kind: RouteKind; reason: string } {
  const pass = (reason: string) => ({ kind: 'pass' as const, reason });
  if (request.mode === 'navigate') {
    if (request.method === 'GET' && isCallbackWithTokens(request.url, config)) {
      return { kind: 'callback', reason: 'a callback URL that carries tokens' };
    }
    return pass('a navigation, never given a token');
  }
  if (request.mode === 'no-cors') return pass('a no-cors request, never given a token');
  const url = stripFragment(request.url);
  if (request.method === 'POST' && bodyCaptureFor(url, config) !== null) return { kind: 'capture', reason: 'a capture endpoint' };
  if (!matchesPrefix(url, config.api)) return pass('not under an api prefix');
  if (request.headers.has('authorization')) return pass('has its own Authorization header');
  const endpoint = stripQuery(url);
  const own = [config.refresh?.url, config.logout?.url].filter((value) => value !== undefined).map(stripQuery);
  if (own.includes(endpoint)) return pass('the refresh or logout endpoint');
  return { kind: 'api', reason: 'under an api prefix' };
}

function stripFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

function stripQuery(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The `body` capture entry for a POST to `url`, or null. Query strings are ignored on both sides:
 * an entry's query is what `auth.login()` sends (`/auth/v1/token?grant_type=password`), not a filter.
 */
export function bodyCaptureFor(url: string, config: ResolvedConfig): ResolvedCapture | null {
  const endpoint = stripQuery(stripFragment(url));
  return config.capture.find((entry) => entry.from === 'body' && stripQuery(entry.url) === endpoint) ?? null;
}
