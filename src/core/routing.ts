import type { ResolvedConfig } from './config.js';
import { matchesPrefix } from './prefix.js';

export type RouteKind = 'capture' | 'api' | 'pass';

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
 * The refresh and logout endpoints are the worker's own business.
 */
export function routeFor(request: RequestFacts, config: ResolvedConfig): RouteKind {
  return explainRoute(request, config).kind;
}

/** {@link routeFor} with the reason, in words, for the debug log. */
export function explainRoute(request: RequestFacts, config: ResolvedConfig): { kind: RouteKind; reason: string } {
  const pass = (reason: string) => ({ kind: 'pass' as const, reason });
  if (request.mode === 'navigate') return pass('a navigation, never given a token');
  const target = new URL(request.url);
  if (matchesPrefix(target, config.upload)) return pass('under an upload prefix: the page sends its own token');
  const media = request.mode === 'no-cors';
  if (media && !isMedia(request, target, config)) return pass('a no-cors request that is not same-origin media under config.media');
  // Endpoints are compared without query and fragment, as resolved config URLs are written.
  const endpoint = `${target.origin}${target.pathname}`;
  if (request.method === 'POST' && config.capture.includes(endpoint)) return { kind: 'capture', reason: 'a capture endpoint' };
  if (!matchesPrefix(target, media ? config.media : config.api)) return pass(`not under ${media ? 'a media' : 'an api'} prefix`);
  if (request.headers.has('authorization')) return pass('has its own Authorization header');
  if (endpoint === config.refresh?.url || endpoint === config.logout?.url) return pass('the refresh or logout endpoint');
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
