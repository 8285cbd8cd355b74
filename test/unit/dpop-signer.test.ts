import { EmbeddedJWK, base64url, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify } from 'jose';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { webCryptoSigner } from '../../src/browser/dpop.js';

/** The browser signer runs on Node's WebCrypto here: the same API the worker has. */
describe('webCryptoSigner', () => {
  it('makes an ECDSA P-256 key pair whose private key cannot be exported', async () => {
    const key = (await webCryptoSigner.generateKey()) as CryptoKeyPair;
    expect(key.privateKey.extractable).toBe(false);
    expect(key.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(key.privateKey.usages).toEqual(['sign']);
    await expect(crypto.subtle.exportKey('jwk', key.privateKey)).rejects.toThrow();
  });

  it('signs a dpop+jwt that verifies with the public key it embeds, which is all it reveals', async () => {
    const key = (await webCryptoSigner.generateKey()) as CryptoKeyPair;
    const claims = { htm: 'GET', htu: 'https://app.example/api/me', iat: 1_700_000_000, ath: 'abc', nonce: 'n-1' };
    const proof = await webCryptoSigner.sign(key, claims);

    const header = decodeProtectedHeader(proof);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'dpop+jwt' });
    expect(Object.keys(header.jwk ?? {}).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(await calculateJwkThumbprint(header.jwk ?? {})).toBe(
      await calculateJwkThumbprint((await crypto.subtle.exportKey('jwk', key.publicKey)) as Record<string, string>),
    );
    const { payload } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256'],
      currentDate: new Date(1_700_000_000_000),
    });
    expect(payload).toEqual({
      ...claims,
      jti: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
    const again = await jwtVerify(await webCryptoSigner.sign(key, claims), EmbeddedJWK, { currentDate: new Date(1_700_000_000_000) });
    expect(again.payload.jti).not.toBe(payload.jti);
  });

  it('hashes a token for ath as base64url SHA-256 (RFC 9449 §4.2)', async () => {
    expect(await webCryptoSigner.hash('access-0')).toBe(base64url.encode(createHash('sha256').update('access-0').digest()));
  });
});
