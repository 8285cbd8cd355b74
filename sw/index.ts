/// <reference lib="WebWorker" />
import { Route, registerRoute } from 'workbox-routing';
import { resolveConfig, type AuthProxyConfig } from '../src/core/config.js';
import { createControlApi } from '../src/core/control.js';
import { AuthEngine } from '../src/core/engine.js';
import { sendWithToken } from '../src/core/pipeline.js';
import { routeFor, type RouteKind } from '../src/core/routing.js';
import { CHANNEL_NAME, STATE_MESSAGE, type SessionState } from '../src/core/session-state.js';
import { createMemoryVault } from '../src/core/vault.js';
import { serveControlPorts } from './control-port.js';
import { createIndexedDbVault } from './idb-vault.js';
import { createWebLock } from './web-lock.js';

export type { AuthProxyConfig, RefreshFormat } from '../src/core/config.js';
export type { RefreshFailureKind, SessionState, SessionStatus, SessionEvent } from '../src/core/session-state.js';
export { AuthProxyError, ConfigError, RefreshError, TokenResponseError } from '../src/core/errors.js';

declare const self: ServiceWorkerGlobalScope;

export interface AuthProxyOptions {
  /**
   * Call `skipWaiting()` on install and `clients.claim()` on activate so pages are
   * controlled at once. Default: false — a composed worker keeps its own lifecycle.
   */
  takeControl?: boolean;
  /** Allow `api` prefixes on other origins. Default: true here, where config is code. */
  allowCrossOriginApi?: boolean;
  /** `indexeddb` survives worker restarts; `memory` never persists tokens. Default: `indexeddb`. */
  storage?: 'indexeddb' | 'memory';
  /** Opt-in diagnostics (never includes tokens). Default: off. */
  log?: (message: string) => void;
}

/** A handle on the proxy inside the worker. */
export interface AuthProxy {
  state(): Promise<SessionState>;
  logout(): Promise<SessionState>;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

/**
 * Adds sw-auth-proxy to a service worker: a workbox-routing route for API and capture
 * requests, the comlink control API for pages, and state broadcasts to every tab.
 * Register it before other routes that could match the same URLs.
 */
export function createAuthProxy(config: AuthProxyConfig, options: AuthProxyOptions = {}): AuthProxy {
  const resolved = resolveConfig(config, self.location.origin, { allowCrossOriginApi: options.allowCrossOriginApi ?? true });
  const channel = new BroadcastChannel(CHANNEL_NAME);
  const fetch = (request: Request): Promise<Response> => self.fetch(request);
  const engine = new AuthEngine({
    config: resolved,
    fetch,
    vault: options.storage === 'memory' ? createMemoryVault() : createIndexedDbVault(),
    lock: createWebLock(self.navigator.locks),
    now: () => Date.now(),
    random: () => Math.random(),
    timeout: (ms) => AbortSignal.timeout(ms),
    publish: (message) => channel.postMessage(message),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  // Our own posts never arrive here, so any state message is another context's write.
  channel.addEventListener('message', (event: MessageEvent<unknown>) => {
    if ((event.data as { type?: unknown } | null)?.type === STATE_MESSAGE) engine.forget();
  });

  const match = ({ request }: { request: Request }): RouteKind | false => {
    const kind = routeFor(request, resolved);
    return kind === 'pass' ? false : kind;
  };
  const handler = async ({ request, params }: { request: Request; params?: unknown }): Promise<Response> => {
    if (params === 'capture') return (await engine.captureTokenResponse(await fetch(request))).response;
    return sendWithToken(request, engine, fetch, resolved.replayBodyLimit);
  };
  for (const method of METHODS) registerRoute(new Route(match, handler, method));

  serveControlPorts(self, createControlApi(engine, fetch));
  if (options.takeControl) takeControl();
  return { state: () => engine.state(), logout: () => engine.logout() };
}

function takeControl(): void {
  self.addEventListener('install', () => void self.skipWaiting());
  self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
}
