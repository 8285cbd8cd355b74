import type { SerializedAuthProxyError } from './errors.js';
import type { Claims } from './jwt.js';
import type { VaultRecord } from './vault.js';

export type SessionStatus = 'anonymous' | 'authenticated' | 'refreshing' | 'offline' | 'expired';

/** The session as every tab sees it. Holds no token. */
export interface SessionState {
  /**
   * `offline`: the session is kept but the token endpoint cannot be used right now
   * (network down, timeout, 429 or 5xx); `error` says which, and a retry follows with backoff.
   */
  status: SessionStatus;
  /** Local ms timestamp at which the access token expires, or null. */
  expiresAt: number | null;
  claims: Claims | null;
  /** The last refresh or login problem, cleared by the next success. Never contains a token. */
  error: SerializedAuthProxyError | null;
}

/**
 * What happened. One change can produce several events, in this order: a refresh that the
 * server rejects is `refresh-failed` (kind `rejected`) then `expired`; the first network
 * failure is `refresh-failed` (kind `network`) then `offline`; the first success after it is
 * `refreshed` then `online`. `snapshot` is a state read, not a change. No event carries a token.
 */
export type SessionEvent =
  | { type: 'session-created' }
  | { type: 'refreshing' }
  | { type: 'refreshed' }
  | { type: 'refresh-failed'; kind: RefreshFailureKind; error: SerializedAuthProxyError }
  | { type: 'expired'; error: SerializedAuthProxyError }
  | { type: 'offline'; error: SerializedAuthProxyError }
  | { type: 'online' }
  | { type: 'logged-out' }
  | { type: 'snapshot' };

/** `network`: transient (offline, timeout, 429, 5xx): retried. `rejected`: the session ended. `config`: the client is misconfigured. */
export type RefreshFailureKind = 'network' | 'rejected' | 'config';

export const ANONYMOUS: SessionState = Object.freeze({ status: 'anonymous', expiresAt: null, claims: null, error: null });

/** Derives the public state from the vault record and what the refresher is doing. */
export function deriveState(
  record: VaultRecord,
  activity: { refreshing: boolean; unavailable: boolean; error: SerializedAuthProxyError | null },
): SessionState {
  const { tokens } = record;
  if (tokens === null) {
    return { status: record.ended ?? 'anonymous', expiresAt: null, claims: null, error: activity.error };
  }
  const status = activity.refreshing ? 'refreshing' : activity.unavailable ? 'offline' : 'authenticated';
  return { status, expiresAt: tokens.expiresAt, claims: tokens.claims, error: activity.error };
}
