/**
 * `sw-auth-proxy/sw`: compose sw-auth-proxy into your own service worker with
 * {@link createAuthProxy}. For the one-line path, serve the prebuilt worker
 * (`sw-auth-proxy/auth-proxy-sw.js`) instead.
 *
 * @packageDocumentation
 */
/// <reference lib="WebWorker" />
import { Route, registerRoute } from 'workbox-routing';
import { resolveConfig, type AuthProxyConfig } from '../src/core/config.js';
import { createControlApi } from '../src/core/control.js';
import { handleRoutedRequest } from '../src/core/pipeline.js';
import { routeFor, type RouteKind } from '../src/core/routing.js';
import { CHANNEL_NAME, type SessionState } from '../src/core/session-state.js';
import { createBrowserEngine, type EngineOptions } from '../src/host/create-engine.js';
import { serveControlPorts } from './control-port.js';

export type { AuthProxyConfig, RefreshFormat } from '../src/core/config.js';
export type { RefreshFailureKind, SessionState, SessionStatus, SessionEvent } from '../src/core/session-state.js';
export { AuthProxyError, ConfigError, RefreshError, TokenResponseError } from '../src/core/errors.js';

declare const self: ServiceWorkerGlobalScope;

/** Options of {@link createAuthProxy}, besides the config. */
export interface AuthProxyOptions extends EngineOptions {
  /**
   * Call `skipWaiting()` on install and `clients.claim()` on activate so pages are
   * controlled at once. Default: false — a composed worker keeps its own lifecycle.
   */
  takeControl?: boolean;
  /** Allow `api` prefixes on other origins. Default: true here, where config is code. */
  allowCrossOriginApi?: boolean;
}

/** A handle on the proxy inside the worker. */
export interface AuthProxy {
  /** The session as every tab sees it (no token). */
  state(): Promise<SessionState>;
  /** Ends the session in every tab and revokes it at `logout.url` when configured; resolves to the new state. */
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
  const fetch = (request: Request): Promise<Response> => self.fetch(request);
  const engine = createBrowserEngine(resolved, fetch, new BroadcastChannel(CHANNEL_NAME), options);

  const match = ({ request }: { request: Request }): RouteKind | false => {
    const kind = routeFor(request, resolved);
    return kind === 'pass' ? false : kind;
  };
  const handler = ({ request, params }: { request: Request; params?: unknown }): Promise<Response> =>
    handleRoutedRequest(params === 'capture' ? 'capture' : 'api', request, engine, fetch, resolved.replayBodyLimit);
  for (const method of METHODS) registerRoute(new Route(match, handler, method));

  serveControlPorts(self, createControlApi(engine, fetch));
  if (options.takeControl) takeControl();
  return { state: () => engine.state(), logout: () => engine.logout() };
}

function takeControl(): void {
  self.addEventListener('install', () => void self.skipWaiting());
  self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
}
