import { isCallbackWithTokens } from './callback.js';
import type { ResolvedCapture, ResolvedConfig } from './config.js';
import { matchesPrefix } from './prefix.js';

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
  destination: RequestDestination;
}

/** The `no-cors` requests `config.media` covers: media elements and CSS images, always GETs. */
const MEDIA_DESTINATIONS: readonly RequestDestination[] = ['image', 'audio', 'video', 'track'];

/**
 * Which requests the worker touches (docs/ARCHITECTURE.md, request path). Navigations never get
 * a token (it would travel with whatever the user clicked), nor do `no-cors` requests, except
 * same-origin media under `config.media` when the app opted in; neither does a request that
 * brings its own Authorization, nor one under an `upload` prefix (the page sends those itself).
 * The refresh and logout endpoints are the worker's own business. The one navigation the
 * worker answers is a GET of a callback capture URL that carries tokens.
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
  const target = new URL(request.url);
  if (matchesPrefix(target, config.upload)) return pass('under an upload prefix: the page sends its own token');
  const media = request.mode === 'no-cors';
  if (media && !isMedia(request, target, config)) return pass('a no-cors request that is not same-origin media under config.media');
  // Endpoints are compared without query and fragment, as resolved config URLs are written.
  const endpoint = `${target.origin}${target.pathname}`;
  if (request.method === 'POST' && bodyCaptureFor(endpoint, config) !== null) return { kind: 'capture', reason: 'a capture endpoint' };
  if (!matchesPrefix(target, media ? config.media : config.api)) return pass(`not under ${media ? 'a media' : 'an api'} prefix`);
  if (request.headers.has('authorization')) return pass('has its own Authorization header');
  if (endpointsOf(config).own.includes(endpoint)) return pass('the refresh or logout endpoint');
  return { kind: 'api', reason: media ? 'media under a media prefix' : 'under an api prefix' };
}

/**
 * A `no-cors` request the app opted in for: an image, audio, video or track GET on this origin.
 * Its response is one page script could read with fetch anyway; scripts, styles and other
 * origins stay out (markup can name any URL).
 */
function isMedia(request: RequestFacts, target: URL, config: ResolvedConfig): boolean {
  return (
    config.media.length > 0 &&
    request.method === 'GET' &&
    MEDIA_DESTINATIONS.includes(request.destination) &&
    target.origin === config.origin
  );
}

/**
 * The `body` capture entry for a POST to `url`, or null. Query strings are ignored on both sides:
 * an entry's query is what `auth.login()` sends (`/auth/v1/token?grant_type=password`), not a filter.
 */
export function bodyCaptureFor(url: string, config: ResolvedConfig): ResolvedCapture | null {
  return endpointsOf(config).bodies.get(withoutQuery(url)) ?? null;
}

/** The endpoints every request is compared with, worked out once per config, not per request. */
interface Endpoints {
  /** The refresh and logout endpoints. */
  own: readonly string[];
  /** `body` capture entries by endpoint (the first entry for an endpoint wins). */
  bodies: ReadonlyMap<string, ResolvedCapture>;
}

const ENDPOINTS = new WeakMap<ResolvedConfig, Endpoints>();

function endpointsOf(config: ResolvedConfig): Endpoints {
  let endpoints = ENDPOINTS.get(config);
  if (endpoints === undefined) {
    const bodies = new Map<string, ResolvedCapture>();
    for (const entry of config.capture) {
      const endpoint = withoutQuery(entry.url);
      if (entry.from === 'body' && !bodies.has(endpoint)) bodies.set(endpoint, entry);
    }
    const own = [config.refresh?.url, config.logout?.url].filter((url) => url !== undefined).map(withoutQuery);
    endpoints = { own, bodies };
    ENDPOINTS.set(config, endpoints);
  }
  return endpoints;
}

/** A URL's origin and path: what endpoints are compared by (resolved config URLs are absolute). */
function withoutQuery(url: string): string {
  const target = new URL(url);
  return `${target.origin}${target.pathname}`;
}
