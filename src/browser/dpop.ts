import { base64url, CompactSign, exportJWK } from 'jose';
import type { ProofSigner } from '../core/dpop.js';

const encoder = new TextEncoder();

/**
 * DPoP proofs with WebCrypto and jose ([RFC 9449 §4.2](https://www.rfc-editor.org/rfc/rfc9449#section-4.2)): an ECDSA P-256 key pair whose
 * private key is not extractable, so no script can copy it out, and ES256-signed proof JWTs.
 */
export const webCryptoSigner: ProofSigner = {
  generateKey: () => crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']),
  async sign(key, claims) {
    // A version 4 UUID as `jti`, as §4.2 suggests: a proof is never repeated.
    const payload = encoder.encode(JSON.stringify({ ...claims, jti: crypto.randomUUID() }));
    // The core holds keys by shape only; these are the CryptoKeys generateKey made.
    const { privateKey, publicKey } = key as CryptoKeyPair;
    const jwk = await exportJWK(publicKey);
    return new CompactSign(payload).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).sign(privateKey);
  },
  hash: async (token) => base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(token)))),
};
