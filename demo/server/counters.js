// @ts-check
/**
 * Live counters that let tests observe what the client actually did on the
 * wire (how many refreshes, whether requests carried a token, ...). Tests in
 * the same process read this object directly; /__test/counters serves it.
 */

/**
 * @typedef {object} PathCount
 * @property {number} withAuthorization
 * @property {number} withoutAuthorization
 */

/**
 * @typedef {object} Counters
 * @property {number} refreshCalls every refresh attempt, counted on arrival
 * @property {number} refreshSuccess refreshes that returned new tokens
 * @property {number} reuseDetections rotated refresh tokens presented again (RFC 9700 §4.14.2)
 * @property {number} reuseGraceAccepted just-rotated refresh tokens presented again within knobs.reuseGrace, answered instead of revoking
 * @property {number} unauthorizedSent 401s sent by protected resources
 * @property {number} loginCalls
 * @property {number} revocations families or access tokens revoked at the client's request
 * @property {number} requestsWithAuthorization resource requests (/api/*, not /api/auth/*) carrying Authorization
 * @property {number} requestsWithoutAuthorization resource requests without Authorization
 * @property {number} codeExchanges authorization codes exchanged for tokens (RFC 6749 §4.1.3)
 * @property {Record<string, PathCount>} byPath the same split, per pathname
 * @property {number} wsConnectionAttempts WebSocket upgrade requests to /ws/* paths
 * @property {number} wsAuthenticated WebSocket connections admitted after their credential was verified
 * @property {number} wsRejected WebSocket connections closed because their credential was missing, bad, expired or late
 * @property {number} wsReauthenticated in-band re-authentications accepted on open connections
 * @property {number} wsMessagesReceived data frames received on admitted connections (auth frames excluded)
 * @property {number} wsTicketsIssued one-time tickets issued by POST /api/ws-ticket
 * @property {Record<string, number>} wsAuthenticatedBy admitted connections per strategy (protocol, message, ticket, query)
 * @property {Record<string, number>} wsClientCloses close codes sent by clients (server-initiated closes excluded)
 * @property {number} dpopProofsVerified DPoP proofs accepted (dpop mode), at the token endpoints and the API
 * @property {number} dpopProofsRejected DPoP proofs refused as invalid_dpop_proof (missing, malformed, wrong signature, htm, htu, iat, jti or ath)
 * @property {number} dpopNonceChallenges use_dpop_nonce answers sent (RFC 9449 §8 at the token endpoints, §9 at the API)
 * @property {number} dpopNonceRetries accepted proofs from a key whose previous proof got use_dpop_nonce
 * @property {number} dpopStaleNonces accepted proofs that carried the nonce from before the last rotation
 * @property {Record<string, number>} dpopProofsByKey accepted proofs per key (its JWK SHA-256 thumbprint, RFC 7638)
 * @property {Record<string, number>} echoBodies bodies POSTed to /api/echo, with or without a valid token, keyed by
 *   "<sha256> <length> <Content-Type>": a replay of a byte-identical body counts twice under one key
 */

/** @typedef {Exclude<keyof Counters, 'byPath' | 'wsAuthenticatedBy' | 'wsClientCloses' | 'dpopProofsByKey' | 'echoBodies'>} NumericCounter */

/** @type {readonly NumericCounter[]} */
const NUMERIC_COUNTERS = [
  'refreshCalls',
  'refreshSuccess',
  'reuseDetections',
  'reuseGraceAccepted',
  'unauthorizedSent',
  'loginCalls',
  'revocations',
  'requestsWithAuthorization',
  'requestsWithoutAuthorization',
  'codeExchanges',
  'wsConnectionAttempts',
  'wsAuthenticated',
  'wsRejected',
  'wsReauthenticated',
  'wsMessagesReceived',
  'wsTicketsIssued',
  'dpopProofsVerified',
  'dpopProofsRejected',
  'dpopNonceChallenges',
  'dpopNonceRetries',
  'dpopStaleNonces',
];

/** Counters that are maps; zeroed by emptying them. */
/** @type {readonly ('byPath' | 'wsAuthenticatedBy' | 'wsClientCloses' | 'dpopProofsByKey' | 'echoBodies')[]} */
const MAP_COUNTERS = ['byPath', 'wsAuthenticatedBy', 'wsClientCloses', 'dpopProofsByKey', 'echoBodies'];

/** @returns {Counters} */
export function createCounters() {
  /** @type {Counters} */
  const counters = {
    refreshCalls: 0,
    refreshSuccess: 0,
    reuseDetections: 0,
    reuseGraceAccepted: 0,
    unauthorizedSent: 0,
    loginCalls: 0,
    revocations: 0,
    requestsWithAuthorization: 0,
    requestsWithoutAuthorization: 0,
    codeExchanges: 0,
    wsConnectionAttempts: 0,
    wsAuthenticated: 0,
    wsRejected: 0,
    wsReauthenticated: 0,
    wsMessagesReceived: 0,
    wsTicketsIssued: 0,
    dpopProofsVerified: 0,
    dpopProofsRejected: 0,
    dpopNonceChallenges: 0,
    dpopNonceRetries: 0,
    dpopStaleNonces: 0,
    dpopProofsByKey: Object.create(null),
    wsAuthenticatedBy: Object.create(null),
    wsClientCloses: Object.create(null),
    echoBodies: Object.create(null),
    // No prototype: a request path such as "/__proto__" stays an ordinary key.
    byPath: Object.create(null),
  };
  return counters;
}

/**
 * Zeroes in place, so references held by tests stay valid.
 * @param {Counters} counters
 */
export function resetCounters(counters) {
  for (const name of NUMERIC_COUNTERS) counters[name] = 0;
  for (const name of MAP_COUNTERS) {
    const map = counters[name];
    for (const key of Object.keys(map)) delete map[key];
  }
}

/**
 * Requests to the protected API are the ones whose Authorization header the
 * library is responsible for; the auth endpoints themselves are excluded.
 * @param {string} pathname
 * @returns {boolean}
 */
export function isResourcePath(pathname) {
  return pathname.startsWith('/api/') && !pathname.startsWith('/api/auth/');
}

/**
 * @param {Counters} counters
 * @param {string} pathname
 * @param {boolean} hasAuthorization
 */
export function countResourceRequest(counters, pathname, hasAuthorization) {
  // biome-ignore lint/suspicious/noAssignInExpressions: get-or-create with ??=.
  const entry = (counters.byPath[pathname] ??= { withAuthorization: 0, withoutAuthorization: 0 });
  if (hasAuthorization) {
    counters.requestsWithAuthorization++;
    entry.withAuthorization++;
  } else {
    counters.requestsWithoutAuthorization++;
    entry.withoutAuthorization++;
  }
}
