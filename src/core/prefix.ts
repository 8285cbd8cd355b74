/**
 * Which URLs fall under a configured prefix. Both sides are compared as the browser sends them
 * (WHATWG URL parsing: host lower-cased, default port dropped, `.` and `..` segments — also
 * `%2e` spellings — resolved), so the answer is about the request that goes on the wire.
 */

/**
 * True when `url` falls under one of `prefixes` (absolute URLs, as resolveConfig leaves them):
 * same origin, and the path matches at a segment boundary, as cookie paths do
 * ([RFC 6265 §5.1.4](https://www.rfc-editor.org/rfc/rfc6265#section-5.1.4)). `/api` covers
 * `/api`, `/api/x` and `/api?q`, never `/apiary`; `/api/` covers `/api/` and `/api/x`, not `/api`.
 * Query and fragment never matter.
 */
export function matchesPrefix(url: string | URL, prefixes: readonly string[]): boolean {
  const target = typeof url === 'string' ? parseUrl(url) : url;
  if (target === null) return false;
  for (const prefix of prefixes) {
    const base = parseUrl(prefix);
    if (base !== null && underPrefix(target, base)) return true;
  }
  return false;
}

/** `URL.parse`, which Safari has only since 18. */
function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function underPrefix(target: URL, prefix: URL): boolean {
  // An opaque origin serialises as "null" on both sides; it never names a real server.
  if (target.origin === 'null' || target.origin !== prefix.origin) return false;
  const base = prefix.pathname;
  const path = target.pathname;
  if (path === base) return true;
  if (!path.startsWith(base)) return false;
  if (!base.endsWith('/') && path[base.length] !== '/') return false;
  return !hidesDotSegment(path.slice(base.length));
}

/**
 * True when a segment of `rest` decodes to a path with a `.` or `..` component (`..%2Fadmin`,
 * `..%5Cadmin`): the browser keeps it as one segment under the prefix, but a server that decodes
 * before it normalises would resolve it outside, so such a URL gets no token. Encoded slashes
 * elsewhere (`group%2Fproject`, as some APIs name resources) are fine.
 */
function hidesDotSegment(rest: string): boolean {
  for (const segment of rest.split('/')) {
    if (!segment.includes('%')) continue;
    const decoded = decodeSegment(segment);
    if (decoded.split(/[/\\]/).some((part) => part === '.' || part === '..')) return true;
  }
  return false;
}

/** Percent-decodes a segment; a malformed escape is left as it is (the server cannot decode it either). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
