import { decodeJwt } from 'jose';

export type Claims = Record<string, unknown>;

/**
 * The payload of a JWT, or null for opaque tokens and anything that does not decode.
 * Not verified: the worker only reads `exp`/`iat` as an expiry fallback and shows claims
 * to the app; the resource server is what verifies signatures.
 */
export function decodeClaims(token: string): Claims | null {
  try {
    return decodeJwt(token) as Claims;
  } catch {
    return null;
  }
}
