// @ts-check
/**
 * The server's notion of "now". Tests shift it with `clockOffset` to simulate a
 * server whose clock disagrees with the browser's, so every time-dependent
 * decision (iat/exp, refresh-token expiry, the Date header) must read this
 * clock and never Date.now() directly.
 */

/**
 * @typedef {object} Clock
 * @property {number} offsetSeconds seconds added to the host clock
 * @property {() => number} nowMs server time in milliseconds since the epoch
 * @property {() => number} nowSeconds server time as a JWT NumericDate (RFC 7519 §2), whole seconds
 * @property {() => string} httpDate server time formatted for the Date header (RFC 9110 §6.6.1)
 */

/**
 * @param {number} offsetSeconds
 * @returns {Clock}
 */
export function createClock(offsetSeconds) {
  const offsetMs = offsetSeconds * 1000;
  const nowMs = () => Date.now() + offsetMs;
  return {
    offsetSeconds,
    nowMs,
    nowSeconds: () => Math.floor(nowMs() / 1000),
    httpDate: () => new Date(nowMs()).toUTCString(),
  };
}
