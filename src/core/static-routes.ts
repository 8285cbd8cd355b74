import type { ResolvedConfig } from './config.js';

/**
 * A URL pattern as a `URLPatternInit` dictionary: components left out match anything. Only
 * fixed text and a trailing `*` are written here (the Static Routing API refuses patterns with
 * regular-expression groups).
 */
export interface RoutePattern {
  protocol?: string;
  hostname?: string;
  port?: string;
  pathname?: string;
  search?: string;
  hash?: string;
}

/**
 * One condition of the Service Worker Static Routing API (`InstallEvent.addRoutes`). Members of one
 * condition must all match; `or` and `not` stand alone (the browser refuses them next to others).
 */
export interface RouterCondition {
  urlPattern?: string | RoutePattern;
  requestMethod?: string;
  requestMode?: RequestMode;
  requestDestination?: RequestDestination;
  runningStatus?: 'running' | 'not-running';
  or?: RouterCondition[];
  not?: RouterCondition;
}

/** Where a matching request goes: `network` skips the worker entirely; `fetch-event` dispatches it as usual. */
export type RouterSource = 'network' | 'fetch-event' | 'cache' | 'race-network-and-fetch-handler' | { cacheName: string };

/** A rule for `InstallEvent.addRoutes`: the first rule whose condition matches picks the source. */
export interface RouterRule {
  condition: RouterCondition;
  source: RouterSource;
}

/**
 * The most conditions the browser accepts across all of a worker's rules, counting every nested
 * one (the Service Workers spec, "Check Router Registration Limit": fewer than 1024).
 */
export const ROUTER_CONDITION_LIMIT = 1023;

/**
 * Static routes that keep every request the worker does not touch away from it (docs/ARCHITECTURE.md,
 * static routing), in order:
 *
 * 1. `upload` prefixes go to the network (the worker must never answer them, or XMLHttpRequest
 *    upload progress is lost), matched exactly at a path-segment boundary;
 * 2. capture URLs, in any mode (a capture may be a navigation), go to the fetch handler, and so
 *    do `no-cors` requests under `media` prefixes when the app opted in, and `probe` (the
 *    interception probe's URL, when given);
 * 3. other navigations and `no-cors` requests go to the network (the worker passes them anyway);
 * 4. anything outside the `api` prefixes and capture URLs goes to the network.
 *
 * What is left reaches the fetch handler, as it would without rules. The patterns of rules 2–4
 * match a superset of what the worker handles (a prefix matches at any character, the query is
 * ignored), so a request the worker must see is never sent past it.
 */
export function staticRoutes(config: Pick<ResolvedConfig, 'api' | 'capture' | 'upload' | 'media'>, probe?: string): RouterRule[] {
  // The interception probe (protocol.ts) must reach the fetch handler like a capture URL.
  const exact = [...config.capture.map(({ url }) => url), ...(probe === undefined ? [] : [probe])];
  const captures = exact.map((url) => ({ urlPattern: urlPattern(url, false) }));
  const handled = [...config.api.map((prefix) => ({ urlPattern: urlPattern(prefix, true) })), ...captures];
  const media = config.media.map((prefix) => ({ requestMode: 'no-cors' as const, urlPattern: urlPattern(prefix, true) }));
  const rules: RouterRule[] = [];
  if (config.upload.length > 0) rules.push({ condition: anyOf(config.upload.flatMap(segmentPatterns)), source: 'network' });
  if (captures.length + media.length > 0) rules.push({ condition: anyOf([...captures, ...media]), source: 'fetch-event' });
  rules.push({ condition: { or: [{ requestMode: 'navigate' }, { requestMode: 'no-cors' }] }, source: 'network' });
  rules.push({ condition: { not: anyOf(handled) }, source: 'network' });
  return rules;
}

/** A prefix at a path-segment boundary, exactly: `/up/` is `/up/*`; `/up` is `/up` and `/up/*`. */
function segmentPatterns(prefix: string): RouterCondition[] {
  if (prefix.endsWith('/')) return [{ urlPattern: urlPattern(prefix, true) }];
  return [{ urlPattern: urlPattern(prefix, false) }, { urlPattern: urlPattern(`${prefix}/`, true) }];
}

/** How many conditions `rules` spend of the browser's {@link ROUTER_CONDITION_LIMIT}. */
export function countConditions(rules: readonly RouterRule[]): number {
  const count = (condition: RouterCondition): number =>
    1 + (condition.or ?? []).reduce((sum, inner) => sum + count(inner), 0) + (condition.not === undefined ? 0 : count(condition.not));
  return rules.reduce((sum, rule) => sum + count(rule.condition), 0);
}

function anyOf(conditions: RouterCondition[]): RouterCondition {
  return conditions.length === 1 ? (conditions[0] as RouterCondition) : { or: conditions };
}

/**
 * The pattern for a resolved URL: its origin and path as fixed text, then `*` for a prefix.
 * Search and hash are left out, so they match anything.
 */
function urlPattern(href: string, prefix: boolean): RoutePattern {
  const url = new URL(href);
  return {
    protocol: escapePattern(url.protocol.slice(0, -1)),
    hostname: escapePattern(url.hostname),
    port: url.port,
    pathname: `${escapePattern(url.pathname)}${prefix ? '*' : ''}`,
  };
}

/** Characters with a meaning in URL pattern syntax, matched literally once escaped. */
function escapePattern(text: string): string {
  return text.replace(/[\\*+?(){}:]/g, '\\$&');
}
