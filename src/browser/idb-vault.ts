import { createStore, get, update, type UseStore } from 'idb-keyval';
import { EMPTY_RECORD, type TokenVault, type VaultRecord } from '../core/vault.js';

const KEY = 'session';

/**
 * The token vault in IndexedDB (its own database, so it never collides with the app's
 * idb-keyval default store). It survives the browser stopping and restarting the worker.
 */
export function createIndexedDbVault(databaseName = 'sw-auth-proxy'): TokenVault {
  const store: UseStore = createStore(databaseName, 'vault');
  return {
    read: async () => validRecord(await get<unknown>(KEY, store)),
    update: async (change) => {
      let next: VaultRecord = EMPTY_RECORD;
      // idb-keyval's update is one readwrite transaction: the read-check-write is atomic.
      await update<unknown>(KEY, (current) => (next = change(validRecord(current))), store);
      return next;
    },
  };
}

/** A stored value that is not a record we wrote (corrupt or from a future version) reads as empty. */
function validRecord(value: unknown): VaultRecord {
  if (typeof value !== 'object' || value === null) return EMPTY_RECORD;
  const record = value as Partial<VaultRecord>;
  if (typeof record.epoch !== 'number' || !('tokens' in record)) return EMPTY_RECORD;
  const tokens = record.tokens;
  if (tokens !== null && (typeof tokens !== 'object' || typeof tokens?.accessToken !== 'string')) {
    return { epoch: record.epoch, tokens: null, ended: null };
  }
  const refreshSentAt = typeof record.refreshSentAt === 'number' ? record.refreshSentAt : null;
  const key = record.key;
  return {
    epoch: record.epoch,
    tokens: tokens ?? null,
    ended: record.ended === 'expired' ? 'expired' : null,
    refreshSentAt,
    key: typeof key === 'object' && key !== null && 'privateKey' in key ? key : null,
  };
}
