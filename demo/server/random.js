// @ts-check
import { createHash, randomBytes } from 'node:crypto';

/**
 * Unguessable identifier, base64url without padding so it is safe in JSON,
 * form bodies and JWT claims alike.
 * @param {number} [bytes]
 * @returns {string}
 */
export function randomId(bytes = 16) {
  return randomBytes(bytes).toString('base64url');
}

/**
 * SHA-256 digest. Used to key the refresh-token store by hash, so a dump of
 * the store does not reveal usable tokens.
 * @param {string | Uint8Array} input
 * @returns {Buffer}
 */
export function sha256(input) {
  return createHash('sha256').update(input).digest();
}
