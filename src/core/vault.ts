import type { TokenSet } from './token-response.js';

/**
 * A WebCrypto `CryptoKeyPair`, described by its shape so that the core needs no DOM types
 * (the Node-side Vite plugin type-checks it too).
 */
export interface KeyPair {
  readonly privateKey: object;
  readonly publicKey: object;
}

/**
 * What the vault holds. `epoch` grows on every login and logout and is never cleared, so
 * a refresh that started in an older session can tell it must not write (docs/ARCHITECTURE.md, epochs).
 */
export interface VaultRecord {
  epoch: number;
  tokens: TokenSet | null;
  /** Why there are no tokens: null when never logged in or logged out. */
  ended: 'expired' | null;
  /**
   * Set (local ms) just before a refresh request is sent, cleared once its outcome is known.
   * Still set when a refresh starts means the last one's answer never arrived (the worker was
   * stopped, or the connection dropped): the server may have rotated the refresh token then.
   */
  refreshSentAt?: number | null;
  /**
   * Under DPoP, the session's key pair: made for this session and dropped with it. Its private
   * key is not extractable, and stays so through IndexedDB's structured clone.
   */
  key?: KeyPair | null;
}

export const EMPTY_RECORD: VaultRecord = Object.freeze({ epoch: 0, tokens: null, ended: null });

/** Persistent token storage. `update` must be atomic: one read-modify-write transaction. */
export interface TokenVault {
  read(): Promise<VaultRecord>;
  update(change: (current: VaultRecord) => VaultRecord): Promise<VaultRecord>;
}

/** A vault that lives in memory only: for tests, and for apps that choose not to persist tokens. */
export function createMemoryVault(initial: VaultRecord = EMPTY_RECORD): TokenVault {
  let record = initial;
  return {
    read: async () => record,
    update: async (change) => (record = change(record)),
  };
}
