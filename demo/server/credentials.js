// @ts-check
import { timingSafeEqual } from 'node:crypto';
import { sha256 } from './random.js';

/**
 * Resource-owner password check for the demo users. Comparing digests with
 * timingSafeEqual keeps the comparison time independent of the password.
 * @param {Readonly<Record<string, string>>} users
 * @param {string} username
 * @param {string} password
 * @returns {boolean}
 */
export function checkPassword(users, username, password) {
  // Object.hasOwn: a username like "constructor" must not match Object.prototype.
  const expected = Object.hasOwn(users, username) ? users[username] : undefined;
  if (typeof expected !== 'string') return false;
  return timingSafeEqual(sha256(password), sha256(expected));
}
