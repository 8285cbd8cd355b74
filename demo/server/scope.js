// @ts-check
/**
 * OAuth scope strings (RFC 6749 §3.3): space-delimited, order-insensitive
 * lists of scope-tokens made of printable ASCII except space, '"' and '\'.
 */

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Parses a request's scope parameter. Absent (undefined) means "no scope
 * requested" and yields an empty list; anything malformed yields null so the
 * caller can answer invalid_scope (RFC 6749 §5.2).
 * @param {unknown} value
 * @returns {string[] | null}
 */
export function parseScope(value) {
  if (value === undefined) return [];
  if (typeof value !== 'string') return null;
  const tokens = value.split(' ').filter((token) => token !== '');
  if (!tokens.every((token) => SCOPE_TOKEN.test(token))) return null;
  return [...new Set(tokens)];
}

/**
 * @param {readonly string[]} scope
 * @returns {string}
 */
export function formatScope(scope) {
  return scope.join(' ');
}

/**
 * RFC 6749 §6: a refresh request may narrow the scope but "MUST NOT include
 * any scope not originally granted by the resource owner".
 * @param {readonly string[]} requested
 * @param {readonly string[]} granted
 * @returns {boolean}
 */
export function isScopeSubset(requested, granted) {
  return requested.every((token) => granted.includes(token));
}
