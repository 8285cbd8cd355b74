import type { Claims } from './jwt.js';

/** Server clock offsets below this are Date-header resolution and transit time, not skew. */
export const CLOCK_NOISE_MS = 2_000;

/**
 * Server clock minus local clock, in ms, estimated from the response `Date` header
 * ([RFC 9110 §6.6.1](https://www.rfc-editor.org/rfc/rfc9110#section-6.6.1)) and the token's `iat`. Both can only lag the server clock at the moment it
 * answered — a Date header has one-second resolution and servers cache it (uvicorn refreshes it
 * about once a second, later under load), an `iat` is stamped before the response is written —
 * so the later of the two is the better estimate. Zero when it is within noise.
 */
export function estimateClockOffset(dateHeader: string | null, claims: Claims | null, receivedAt: number): number {
  const date = dateHeader === null ? Number.NaN : Date.parse(dateHeader);
  const issued = typeof claims?.iat === 'number' ? claims.iat * 1000 : Number.NaN;
  const known = [date, issued].filter((value) => !Number.isNaN(value));
  if (known.length === 0) return 0;
  const offset = Math.max(...known) - receivedAt;
  return Math.abs(offset) < CLOCK_NOISE_MS ? 0 : offset;
}

/**
 * Local time (ms) at which the access token expires, or null when nothing says.
 * `expires_in` counts from receipt ([RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1)), so it is immune to clock skew and wins;
 * an absolute `expiresAt` (epoch seconds, e.g. Supabase's `expires_at`) and the JWT `exp` are
 * on the server's clock, so they are translated to the local one by the estimated offset.
 */
export function computeExpiresAt(
  expiresIn: number | null,
  claims: Claims | null,
  receivedAt: number,
  clockOffset: number,
  expiresAtSeconds: number | null = null,
): number | null {
  if (expiresIn !== null) return receivedAt + expiresIn * 1000;
  if (expiresAtSeconds !== null) return expiresAtSeconds * 1000 - clockOffset;
  if (typeof claims?.exp === 'number') return claims.exp * 1000 - clockOffset;
  return null;
}

/** True when a token expiring at `expiresAt` should be refreshed before use at `now`. */
export function isDueForRefresh(expiresAt: number | null, now: number, refreshAheadMs: number): boolean {
  return expiresAt !== null && expiresAt - now <= refreshAheadMs;
}
