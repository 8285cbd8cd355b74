import type { ResolvedConfig } from '../core/config.js';
import { createControlApi } from '../core/control.js';
import { Dpop, sessionsBoundTo } from '../core/dpop.js';
import { AuthEngine } from '../core/engine.js';
import { replayable, sendWithToken } from '../core/pipeline.js';
import { CHANNEL_NAME, isStateMessage, type ControlApi, type StateMessage } from '../core/protocol.js';
import { readCallback } from '../core/callback.js';
import { bodyCaptureFor, explainRoute, routeFor, type RouteKind } from '../core/routing.js';
import { createMemoryVault } from '../core/vault.js';
import { webCryptoSigner } from './dpop.js';
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
  /** Sends `request` the way `route` says (a `pass` request goes out untouched); `kind` when the caller already routed it. */
  handle(request: Request, kind?: RouteKind): Promise<Response>;
  /** Where the host's own diagnostics go: `options.log`, or the console with `config.debug`; none by default. */
  log: ((message: string) => void) | undefined;
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
  const dpop = config.dpop ? new Dpop(webCryptoSigner, () => Date.now()) : undefined;
  const engine = new AuthEngine({
    config,
    fetch,
    vault: sessionsBoundTo(options.storage === 'memory' ? createMemoryVault() : createIndexedDbVault(), config.dpop),
    lock: createWebLock(globalThis.navigator?.locks),
    now: () => Date.now(),
    random: () => Math.random(),
    timeout: (ms) => AbortSignal.timeout(ms),
    publish: (message) => {
      channel.postMessage(message);
      options.publish?.(message);
    },
    ...(log === undefined ? {} : { log }),
    ...(dpop === undefined ? {} : { dpop }),
  });
  // Our own posts never arrive here, so any state message is another context's write.
  channel.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (isStateMessage(event.data)) engine.forget();
  });
  const pipeline = {
    tokens: engine,
    fetch,
    replayBodyLimit: config.replayBodyLimit,
    api: config.api,
    log,
    now: () => Date.now(),
    ...(dpop === undefined ? {} : { presenter: dpop.presenter(() => engine.proofKey(), fetch) }),
  };
  const route = (request: Request): RouteKind => {
    if (log === undefined) return routeFor(request, config);
    const { kind, reason } = explainRoute(request, config);
    if (kind === 'pass') log(`${request.method} ${new URL(request.url).pathname}: ${reason}`);
    return kind;
  };
  const handle = async (request: Request, kind = route(request)): Promise<Response> => {
    if (kind === 'capture') {
      const mapping = bodyCaptureFor(request.url, config)?.tokenResponse;
      // Under DPoP the body is buffered, so a nonce retry can send it again.
      const result =
        dpop === undefined
          ? engine.captureTokenResponse(await fetch(request), mapping)
          : engine.capture(await replayable(request, config.replayBodyLimit), mapping);
      return (await result).response;
    }
    if (kind === 'callback') return captureCallback(request);
    if (kind === 'api') return sendWithToken(request, pipeline);
    return fetch(request);
  };
  /** Keeps the tokens a callback URL brings and sends the browser on to the URL without them. */
  const captureCallback = async (request: Request): Promise<Response> => {
    const callback = readCallback(request.url, config);
    if (callback === null) return fetch(request);
    const error = await engine.captureTokens(callback.body, callback.entry.tokenResponse);
    log?.(`${new URL(request.url).pathname}: callback tokens ${error === null ? 'stored' : 'rejected'}; redirected without them`);
    return redirectWithoutTokens(callback.cleanUrl);
  };
  return { engine, controlApi: createControlApi(engine), route, handle, log };
}

/**
 * 303 to the cleaned URL, so the address bar and history never hold the tokens (a redirect is
 * not a history entry). Never cached; `no-referrer` keeps the next hop from naming where it came from.
 */
function redirectWithoutTokens(location: string): Response {
  return new Response(null, {
    status: 303,
    headers: { Location: location, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
  });
}
