import { asObject, readJson } from './json.js';
import { readPath, RFC6749_MAPPING, withoutPath, withoutValue, type TokenMapping } from './token-mapping.js';

/**
 * The page's copy of a captured token response: same status and headers, body without the
 * refresh token — the member the mapping names, wherever it is nested, and any other member
 * that repeats its value — so the refresh token never reaches page script
 * (docs/ARCHITECTURE.md, security model).
 */
export function withoutRefreshToken(response: Response, body: Record<string, unknown>, mapping: TokenMapping = RFC6749_MAPPING): Response {
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(JSON.stringify(visibleBody(body, mapping)), { status: response.status, statusText: response.statusText, headers });
}

/** The JSON body of a response if it declares JSON and parses to an object; else null. Leaves `response` unread. */
export async function readJsonObject(response: Response): Promise<Record<string, unknown> | null> {
  if (!/\bjson\b/i.test(response.headers.get('content-type') ?? '')) return null;
  return asObject(await readJson(response));
}

/** `body` without the refresh token (see withoutRefreshToken). */
export function visibleBody(body: Record<string, unknown>, mapping: TokenMapping): unknown {
  if (mapping.refreshToken === null) return body;
  const found = readPath(body, mapping.refreshToken);
  const stripped = withoutPath(body, mapping.refreshToken);
  return found.found && typeof found.value === 'string' && found.value !== '' ? withoutValue(stripped, found.value) : stripped;
}
