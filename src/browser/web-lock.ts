import { createLocalLock, type RefreshLock } from '../core/lock.js';

/**
 * The refresh lock as a Web Lock, held by whichever context (worker version, or a page in
 * fallback mode) is refreshing. The browser releases it if that context dies.
 */
export function createWebLock(locks: LockManager | undefined, name = 'sw-auth-proxy:refresh'): RefreshLock {
  if (locks === undefined) return createLocalLock();
  return {
    run: <T>(task: () => Promise<T>): Promise<T> => locks.request(name, { mode: 'exclusive' }, task) as Promise<T>,
  };
}
