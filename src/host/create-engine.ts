import type { ResolvedConfig } from '../core/config.js';
import { AuthEngine } from '../core/engine.js';
import { STATE_MESSAGE, type StateMessage } from '../core/session-state.js';
import { createMemoryVault } from '../core/vault.js';
import { createIndexedDbVault } from './idb-vault.js';
import { createWebLock } from './web-lock.js';

export interface EngineOptions {
  /** `indexeddb` survives restarts of the host; `memory` never persists tokens. Default: `indexeddb`. */
  storage?: 'indexeddb' | 'memory';
  /** Opt-in diagnostics (never includes tokens). Default: off. */
  log?: (message: string) => void;
}

/**
 * The engine wired to browser I/O, for either host (the service worker or the in-page
 * fallback): IndexedDB vault, Web Lock, real clock, and a BroadcastChannel both to tell
 * other contexts what changed and to hear what they changed.
 */
export function createBrowserEngine(
  config: ResolvedConfig,
  fetch: (request: Request) => Promise<Response>,
  channel: BroadcastChannel,
  options: EngineOptions & { publish?: (message: StateMessage) => void } = {},
): AuthEngine {
  const engine = new AuthEngine({
    config,
    fetch,
    vault: options.storage === 'memory' ? createMemoryVault() : createIndexedDbVault(),
    lock: createWebLock(globalThis.navigator?.locks),
    now: () => Date.now(),
    random: () => Math.random(),
    timeout: (ms) => AbortSignal.timeout(ms),
    publish: (message) => {
      channel.postMessage(message);
      options.publish?.(message);
    },
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  // Our own posts never arrive here, so any state message is another context's write.
  channel.addEventListener('message', (event: MessageEvent<unknown>) => {
    if ((event.data as { type?: unknown } | null)?.type === STATE_MESSAGE) engine.forget();
  });
  return engine;
}
