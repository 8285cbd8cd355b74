// @ts-check
import { timingSafeEqual } from 'node:crypto';
import { sha256 } from './random.js';

/**
 * Proof Key for Code Exchange (RFC 7636), S256 only: "plain" protects nothing
 * once the authorization request leaks, so this server refuses it
 * (RFC 9700 §2.1.1).
 */

/** RFC 7636 §4.1: code-verifier = 43*128unreserved. */
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** RFC 7636 §4.2: BASE64URL(SHA256(...)) without padding is always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * @param {string} value
 * @returns {boolean}
 */
export function isS256Challenge(value) {
  return S256_CHALLENGE.test(value);
}

/**
 * RFC 7636 §4.6: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge.
 * A malformed verifier never matches.
 * @param {string} verifier
 * @param {string} challenge
 * @returns {boolean}
 */
export function verifyS256(verifier, challenge) {
  if (!CODE_VERIFIER.test(verifier) || !isS256Challenge(challenge)) return false;
  const computed = Buffer.from(sha256(verifier).toString('base64url'), 'ascii');
  return timingSafeEqual(computed, Buffer.from(challenge, 'ascii'));
}
