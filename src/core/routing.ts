import type { ResolvedConfig } from './config.js';
import { matchesPrefix } from './prefix.js';

export type RouteKind = 'capture' | 'api' | 'pass';

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
 * Authorization. The refresh and logout endpoints are the worker's own business.
 */
export function routeFor(request: RequestFacts, config: ResolvedConfig): RouteKind {
  return explainRoute(request, config).kind;
}

/** {@link routeFor} with the reason, in words, for the debug log. */
export function explainRoute(request: RequestFacts, config: ResolvedConfig): { kind: RouteKind; reason: string } {
  const pass = (reason: string) => ({ kind: 'pass' as const, reason });
  if (request.mode === 'navigate') return pass('a navigation, never given a token');
  if (request.mode === 'no-cors') return pass('a no-cors request, never given a token');
  const target = new URL(request.url);
  // Endpoints are compared without query and fragment, as resolved config URLs are written.
  const endpoint = `${target.origin}${target.pathname}`;
  if (request.method === 'POST' && config.capture.includes(endpoint)) return { kind: 'capture', reason: 'a capture endpoint' };
  if (!matchesPrefix(target, config.api)) return pass('not under an api prefix');
  if (request.headers.has('authorization')) return pass('has its own Authorization header');
  if (endpoint === config.refresh?.url || endpoint === config.logout?.url) return pass('the refresh or logout endpoint');
  return { kind: 'api', reason: 'under an api prefix' };
}
