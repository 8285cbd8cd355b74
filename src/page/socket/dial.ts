import { AuthSocketError } from './errors.js';
import type { Credential } from './credential.js';
import type { ResolvedOptions } from './options.js';
import { withParam } from './url.js';

/** [RFC 6455 §4.1](https://www.rfc-editor.org/rfc/rfc6455#section-4.1) / [RFC 9110 §5.6.2](https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2): a subprotocol must be a token (tchar only). */
const TCHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Opens a WebSocket that presents the credential as the strategy says; a fatal error when
 * that is impossible. Returned, not thrown, so the caller cannot mistake it for a network failure.
 */
export function dial(url: string, options: ResolvedOptions, credential: Credential): WebSocket | AuthSocketError {
  const target = dialTarget(url, options, credential);
  if (target instanceof AuthSocketError) return target;
  try {
    return new WebSocket(target.url, target.protocols);
  } catch {
    // The browser's message may quote the protocols or URL, i.e. the credential: do not pass it on.
    return new AuthSocketError('credential_failed', 'the browser refused the WebSocket URL or subprotocols', { fatal: true });
  }
}

/** Where and how to connect for the strategy. */
function dialTarget(url: string, options: ResolvedOptions, credential: Credential): { url: string; protocols: string[] } | AuthSocketError {
  const { auth, protocols, ticket, queryParam } = options;
  if (credential.ticket !== null && ticket !== null) return { url: withParam(url, ticket.param, credential.ticket), protocols };
  const token = credential.token ?? '';
  if (auth === 'query') return { url: withParam(url, queryParam, token), protocols };
  if (auth === 'message') return { url, protocols };
  if (!TCHARS.test(token)) {
    // Never echo the offending value: it is the token.
    return new AuthSocketError(
      'credential_failed',
      'the access token has characters not allowed in Sec-WebSocket-Protocol (RFC 6455 §4.1); use the ticket or message strategy',
      { fatal: true },
    );
  }
  return { url, protocols: [...protocols, 'bearer', `bearer.${token}`] };
}
