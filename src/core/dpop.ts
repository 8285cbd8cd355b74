import { DpopError } from './errors.js';
import { estimateClockOffset } from './expiry.js';
import { readOAuthError } from './oauth-error.js';
import type { OutgoingRequest, TokenPresenter } from './pipeline.js';
import type { KeyPair, TokenVault, VaultRecord } from './vault.js';
import { challengeFor } from './www-authenticate.js';

/**
 * DPoP ([RFC 9449](https://www.rfc-editor.org/rfc/rfc9449)): what goes into a proof, when a server's nonce is needed, and which requests
 * carry one. The cryptography is the host's ({@link ProofSigner}), so this stays pure.
 */

/** The claims the core decides ([RFC 9449 §4.2](https://www.rfc-editor.org/rfc/rfc9449#section-4.2)); the signer adds a fresh `jti`. */
export interface ProofClaims {
  htm: string;
  /** The target URI without query and fragment. */
  htu: string;
  /** Seconds, on the server's clock as far as it is known. */
  iat: number;
  /** base64url SHA-256 of the access token the request carries. */
  ath?: string;
  nonce?: string;
}

/** Key pairs and signatures, from the host (src/browser/dpop.ts: WebCrypto and jose). */
export interface ProofSigner {
  /** A new ECDSA P-256 key pair whose private key cannot be exported. */
  generateKey(): Promise<KeyPair>;
  /** A proof JWT: header `typ: dpop+jwt`, `alg` and `jwk` (the public key); the claims and a fresh `jti`. */
  sign(key: KeyPair, claims: ProofClaims): Promise<string>;
  /** base64url of the SHA-256 of `token` (`ath`). */
  hash(token: string): Promise<string>;
}

/** `DPoP-Nonce` is `1*NQCHAR` ([RFC 9449 §8.1](https://www.rfc-editor.org/rfc/rfc9449#section-8.1)); anything else is ignored. */
const NONCE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Proofs, and what the servers said about them: their nonces and their clocks, per origin. */
export class Dpop {
  readonly #signer: ProofSigner;
  readonly #now: () => number;
  /** A nonce belongs to the server that issued it: the authorization server and each resource server keep their own (§8, §9). */
  readonly #nonces = new Map<string, string>();
  /** Server clock minus ours, so `iat` falls within the server's window even when our clock is off. */
  readonly #offsets = new Map<string, number>();

  constructor(signer: ProofSigner, now: () => number) {
    this.#signer = signer;
    this.#now = now;
  }

  /** A key pair for a new session. */
  async newKey(): Promise<KeyPair> {
    try {
      return await this.#signer.generateKey();
    } catch (cause) {
      throw new DpopError('dpop_failed', 'could not make a DPoP key pair (WebCrypto ECDSA P-256)', { cause });
    }
  }

  /** The `DPoP` header value for one request ([RFC 9449 §4.2](https://www.rfc-editor.org/rfc/rfc9449#section-4.2)), with `ath` when it carries `accessToken`. */
  async proof(key: KeyPair | null | undefined, method: string, url: string, accessToken?: string): Promise<string> {
    if (!key) throw new DpopError('dpop_failed', 'the session has no DPoP key');
    const { origin, pathname } = new URL(url);
    const iat = Math.floor((this.#now() + (this.#offsets.get(origin) ?? 0)) / 1000);
    const claims: ProofClaims = { htm: method, htu: origin + pathname, iat };
    const nonce = this.#nonces.get(origin);
    if (nonce !== undefined) claims.nonce = nonce;
    try {
      if (accessToken !== undefined) claims.ath = await this.#signer.hash(accessToken);
      return await this.#signer.sign(key, claims);
    } catch (cause) {
      throw new DpopError('dpop_failed', 'could not sign a DPoP proof', { cause });
    }
  }

  /**
   * Sends with a fresh proof, and with `Authorization: DPoP` when there is a token (§7.1). A
   * server that demands a nonce — `400 use_dpop_nonce` from an authorization server (§8), a 401
   * with `DPoP error="use_dpop_nonce"` from a resource server (§9) — gets exactly one retry,
   * with the nonce it sent.
   */
  async send(
    outgoing: OutgoingRequest,
    key: KeyPair | null | undefined,
    fetch: (request: Request) => Promise<Response>,
    accessToken?: string,
  ): Promise<Response> {
    const attempt = async (): Promise<Response> => {
      const headers: Record<string, string> = { DPoP: await this.proof(key, outgoing.method, outgoing.url, accessToken) };
      if (accessToken !== undefined) headers.Authorization = `DPoP ${accessToken}`;
      const response = await fetch(outgoing.build(headers));
      this.#learn(outgoing.url, response);
      return response;
    };
    const response = await attempt();
    if (!outgoing.replayable || !(await demandsNonce(response))) return response;
    await response.body?.cancel();
    return attempt();
  }

  /** Presents API tokens with a proof from the session's key. */
  presenter(key: () => Promise<KeyPair | null>, fetch: (request: Request) => Promise<Response>): TokenPresenter {
    return { scheme: 'dpop', send: async (outgoing, token) => this.send(outgoing, await key(), fetch, token) };
  }

  /** §8.2: a server may send a new nonce with any response; the latest is used from then on. */
  #learn(url: string, response: Response): void {
    const { origin } = new URL(url);
    const nonce = response.headers.get('dpop-nonce');
    if (nonce !== null && NONCE.test(nonce)) this.#nonces.set(origin, nonce);
    const date = response.headers.get('date');
    if (date !== null) this.#offsets.set(origin, estimateClockOffset(date, null, this.#now()));
  }
}

async function demandsNonce(response: Response): Promise<boolean> {
  if (!response.headers.has('dpop-nonce')) return false;
  if (response.status === 401) return challengeFor(response, 'dpop')?.params.error === 'use_dpop_nonce';
  return response.status === 400 && (await readOAuthError(response)) === 'use_dpop_nonce';
}

/**
 * The vault as one mode sees it. Under DPoP a session counts only with its key; without DPoP a
 * key-bound session is useless (its tokens need proofs). A session stored by the other mode —
 * the config changed while someone was logged in — reads as no session.
 */
export function sessionsBoundTo(vault: TokenVault, dpop: boolean): TokenVault {
  const fit = (record: VaultRecord): VaultRecord =>
    record.tokens === null || (record.key != null) === dpop ? record : { epoch: record.epoch, tokens: null, ended: null };
  return { read: async () => fit(await vault.read()), update: (change) => vault.update((current) => change(fit(current))) };
}
