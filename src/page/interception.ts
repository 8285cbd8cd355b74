import { INTERCEPTION_HEADER, INTERCEPTION_PROBE_PATH } from '../core/protocol.js';

/** Where the page remembers its last reload for this, so a cause a reload cannot fix does not loop. */
const RELOADED_KEY = 'sw-auth-proxy:reloaded';
const RELOAD_GUARD_MS = 60_000;

/**
 * Checks, without delaying anything, that this controlled page's requests reach the worker.
 * Chromium can leave a page that loaded while the browser stopped the worker controlled but
 * unintercepted for its whole life, so every API request would go out without a token. A reload
 * fixes that, and is done once a minute at most; when it did not help (DevTools' "Bypass for
 * network" does the same), the console says so instead of looping.
 */
export async function checkInterception(scope: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(new URL(INTERCEPTION_PROBE_PATH, scope), { cache: 'no-store', credentials: 'omit' });
  } catch {
    return; // offline or blocked: says nothing either way
  }
  await response.body?.cancel();
  if (response.headers.has(INTERCEPTION_HEADER)) return;
  if (reloadOnce()) return location.reload();
  // biome-ignore lint/suspicious/noConsole: the page would otherwise fail without saying why.
  console.error(
    'sw-auth-proxy: the service worker controls this page but does not see its requests, so API requests go out without a token; a reload within the last minute did not fix it (is DevTools "Bypass for network" on?)',
  );
}

function reloadOnce(): boolean {
  try {
    const last = Number(sessionStorage.getItem(RELOADED_KEY) ?? 0);
    if (Date.now() - last < RELOAD_GUARD_MS) return false;
    sessionStorage.setItem(RELOADED_KEY, String(Date.now()));
    return true;
  } catch {
    return false; // no sessionStorage: no guard against a loop, so no reload
  }
}
