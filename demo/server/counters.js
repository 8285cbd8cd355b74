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
 * @property {number} unauthorizedSent 401s sent by protected resources
 * @property {number} loginCalls
 * @property {number} revocations families or access tokens revoked at the client's request
 * @property {number} requestsWithAuthorization resource requests (/api/*, not /api/auth/*) carrying Authorization
 * @property {number} requestsWithoutAuthorization resource requests without Authorization
 * @property {Record<string, PathCount>} byPath the same split, per pathname
 */

/** @typedef {Exclude<keyof Counters, 'byPath'>} NumericCounter */

/** @type {readonly NumericCounter[]} */
const NUMERIC_COUNTERS = [
  'refreshCalls',
  'refreshSuccess',
  'reuseDetections',
  'unauthorizedSent',
  'loginCalls',
  'revocations',
  'requestsWithAuthorization',
  'requestsWithoutAuthorization',
];

/** @returns {Counters} */
export function createCounters() {
  /** @type {Counters} */
  const counters = {
    refreshCalls: 0,
    refreshSuccess: 0,
    reuseDetections: 0,
    unauthorizedSent: 0,
    loginCalls: 0,
    revocations: 0,
    requestsWithAuthorization: 0,
    requestsWithoutAuthorization: 0,
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
  for (const path of Object.keys(counters.byPath)) delete counters.byPath[path];
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
  const entry = (counters.byPath[pathname] ??= { withAuthorization: 0, withoutAuthorization: 0 });
  if (hasAuthorization) {
    counters.requestsWithAuthorization++;
    entry.withAuthorization++;
  } else {
    counters.requestsWithoutAuthorization++;
    entry.withoutAuthorization++;
  }
}
