import { asObject, readJson } from './json.js';

/**
 * The page's copy of a captured token response: same status and headers, body without
 * `refresh_token`, so the refresh token never reaches page script (docs/ARCHITECTURE.md, security model).
 */
export function withoutRefreshToken(response: Response, body: Record<string, unknown>): Response {
  const { refresh_token: _dropped, ...visible } = body;
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(JSON.stringify(visible), { status: response.status, statusText: response.statusText, headers });
}

/** The JSON body of a response if it declares JSON and parses to an object; else null. Leaves `response` unread. */
export async function readJsonObject(response: Response): Promise<Record<string, unknown> | null> {
  if (!/\bjson\b/i.test(response.headers.get('content-type') ?? '')) return null;
  return asObject(await readJson(response));
}
