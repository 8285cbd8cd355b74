import type { ResolvedConfig } from '../core/config.js';
import { createControlApi } from '../core/control.js';
import { AuthEngine } from '../core/engine.js';
import { sendWithToken } from '../core/pipeline.js';
import { CHANNEL_NAME, isStateMessage, type ControlApi, type StateMessage } from '../core/protocol.js';
import { explainRoute, routeFor, type RouteKind } from '../core/routing.js';
import { createMemoryVault } from '../core/vault.js';
import { createIndexedDbVault } from './idb-vault.js';
import { createWebLock } from './web-lock.js';

export interface ProxyOptions {
  /** `indexeddb` survives restarts of the host; `memory` never persists tokens. Default: `indexeddb`. */
  storage?: 'indexeddb' | 'memory';
  /** Opt-in diagnostics (never includes tokens). Default: off. */
  log?: (message: string) => void;
}

/** `config.debug`: one line per decision in the host's console. Messages never carry a token. */
function debugLog(message: string): void {
  // biome-ignore lint/suspicious/noConsole: opt-in debug output is the point of config.debug.
  console.debug(`sw-auth-proxy: ${message}`);
}

/** What a host needs: the engine, the control API pages call, and the request handler. */
export interface Proxy {
  engine: AuthEngine;
  controlApi: ControlApi;
  /** What the proxy does with `request`: capture its token response, add the token, or nothing. */
  route(request: Request): RouteKind;
  /** Sends `request` the way `route` says (a `pass` request goes out untouched). */
  handle(request: Request): Promise<Response>;
}

/**
 * The core wired to browser I/O, for either host (the service worker or the in-page
 * fallback): IndexedDB vault, Web Lock, real clock, and a BroadcastChannel both to tell
 * other contexts what changed and to hear what they changed. See docs/ARCHITECTURE.md.
 */
export function createProxy(
  config: ResolvedConfig,
  fetch: (request: Request) => Promise<Response>,
  options: ProxyOptions & { publish?: (message: StateMessage) => void } = {},
): Proxy {
  const channel = new BroadcastChannel(CHANNEL_NAME);
  const log = options.log ?? (config.debug ? debugLog : undefined);
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
    ...(log === undefined ? {} : { log }),
  });
  // Our own posts never arrive here, so any state message is another context's write.
  channel.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (isStateMessage(event.data)) engine.forget();
  });
  const pipeline = { tokens: engine, fetch, replayBodyLimit: config.replayBodyLimit, api: config.api, log, now: () => Date.now() };
  const route = (request: Request): RouteKind => {
    if (log === undefined) return routeFor(request, config);
    const { kind, reason } = explainRoute(request, config);
    if (kind === 'pass') log(`${request.method} ${new URL(request.url).pathname}: ${reason}`);
    return kind;
  };
  const handle = async (request: Request): Promise<Response> => {
    const kind = route(request);
    if (kind === 'capture') return (await engine.captureTokenResponse(await fetch(request))).response;
    if (kind === 'api') return sendWithToken(request, pipeline);
    return fetch(request);
  };
  return { engine, controlApi: createControlApi(engine, fetch), route, handle };
}
