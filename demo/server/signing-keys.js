// @ts-check
import { exportJWK, generateKeyPair } from 'jose';
import { randomId } from './random.js';

/**
 * @typedef {object} SigningKeys
 * @property {import('jose').CryptoKey} privateKey signs access tokens
 * @property {import('jose').CryptoKey} publicKey verifies access tokens
 * @property {string} kid key id placed in every token header and in the JWK set
 * @property {{ keys: import('jose').JWK[] }} jwks public JWK set (RFC 7517 §5)
 */

/**
 * A fresh RS256 key pair per server start. Keys live only in memory, so a
 * restart invalidates every access token, as a real key rotation would.
 * @returns {Promise<SigningKeys>}
 */
export async function createSigningKeys() {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const kid = randomId(8);
  const jwk = await exportJWK(publicKey);
  return {
    privateKey,
    publicKey,
    kid,
    jwks: { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] },
  };
}
