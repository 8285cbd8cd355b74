// @ts-check
/**
 * Everything a route handler may use, bundled so handlers take one argument
 * instead of a dozen. Built once per server in server.js.
 *
 * @typedef {object} ServerContext
 * @property {import('./clock.js').Clock} clock
 * @property {import('./counters.js').Counters} counters
 * @property {import('./knobs.js').Knobs} knobs
 * @property {import('./sessions.js').SessionStore} sessions
 * @property {import('./access-tokens.js').AccessTokens} accessTokens
 * @property {import('./signing-keys.js').SigningKeys} keys
 * @property {string} clientId the one client this server knows (a public client, RFC 6749 §2.1)
 * @property {Readonly<Record<string, string>>} users username to password
 * @property {number} refreshTtl refresh-token lifetime in seconds
 * @property {boolean} cors
 * @property {boolean} testHooks
 * @property {import('./events.js').EventStreams} events the server-sent events at /api/events
 * @property {import('./dpop.js').Dpop | null} dpop DPoP mode (RFC 9449): proofs required, tokens bound; null otherwise
 */

export {};
