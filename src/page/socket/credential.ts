import { AuthProxyError } from '../../core/errors.js';
import { asObject, readJson } from '../../core/json.js';
import type { SessionState } from '../../core/session-state.js';
import { AuthSocketError, sessionEnded } from './errors.js';
import type { SocketAuthority } from './host.js';
import type { ResolvedOptions } from './options.js';

/**
 * What a connection presents, and which token it stands for (`generation`), so that an auth
 * close can tell whether a refresh has happened since.
 */
export type Credential =
  | { token: string; ticket: null; generation: string | number | null }
  | { token: null; ticket: string; generation: string | number | null };

/** A failure worth retrying with backoff (network, 429, 5xx). */
class TransientFailure extends Error {
  override name = 'TransientFailure';
}

/**
 * A credential from the worker. Both paths refresh first when the token is due, so a
 * reconnect never presents a token the worker already knows is stale.
 */
export async function getCredential(authority: SocketAuthority, options: ResolvedOptions): Promise<Credential> {
  if (options.auth !== 'ticket' || options.ticket === null) {
    const token = await authority.accessToken();
    return { token, ticket: null, generation: token };
  }
  const ticket = await fetchTicket(authority, options.ticket.url);
  // The page never sees the token here, so expiry identifies which token the ticket came from.
  const { expiresAt } = await authority.sync();
  return { token: null, ticket, generation: expiresAt };
}

/** POSTs to the ticket endpoint through the worker, which authenticates (and replays) it. */
async function fetchTicket(authority: SocketAuthority, url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { Accept: 'application/json' },
    cache: 'no-store',
    credentials: 'same-origin',
  });
  if (response.status === 429 || response.status >= 500) throw new TransientFailure(`ticket endpoint answered ${response.status}`);
  if (!response.ok) {
    const { status } = await authority.sync();
    if (status === 'anonymous' || status === 'expired') throw sessionEnded(status);
    throw new AuthSocketError('credential_failed', `ticket endpoint answered ${response.status}; is it under the worker's api prefixes?`, {
      fatal: true,
    });
  }
  const ticket = asObject(await readJson(response))?.ticket;
  if (typeof ticket !== 'string' || ticket === '') {
    throw new AuthSocketError('credential_failed', 'ticket endpoint did not answer {"ticket": "..."}', { fatal: true });
  }
  return ticket;
}

/** Null for failures that a later attempt can overcome; a fatal AuthSocketError otherwise. */
export function toSocketError(error: unknown, state: SessionState): AuthSocketError | null {
  if (error instanceof AuthSocketError) return error;
  if (error instanceof TransientFailure || error instanceof TypeError) return null; // fetch's network error is a TypeError
  if (!(error instanceof AuthProxyError)) {
    return new AuthSocketError('credential_failed', 'could not get a credential for the socket', { fatal: true, cause: error });
  }
  switch (error.code) {
    case 'refresh_unavailable':
    case 'worker_unavailable':
      return null;
    case 'not_authenticated':
      return state.status === 'expired'
        ? sessionEnded('expired')
        : new AuthSocketError('not_authenticated', 'there is no session: log in before opening the socket', { fatal: true, cause: error });
    case 'refresh_rejected':
    case 'refresh_response_lost':
    case 'session_changed':
      return sessionEnded(state.status === 'anonymous' ? 'anonymous' : 'expired');
    default:
      return new AuthSocketError('credential_failed', `could not get a credential for the socket (${error.code})`, {
        fatal: true,
        cause: error,
      });
  }
}
