/**
 * `sw-auth-proxy/sw`: compose sw-auth-proxy into your own service worker with
 * {@link createAuthProxy}. For the one-line path, serve the prebuilt worker
 * (`sw-auth-proxy/auth-proxy-sw.js`) instead.
 *
 * @packageDocumentation
 */
/// <reference lib="WebWorker" />
import { Route, registerRoute } from 'workbox-routing';
import { createProxy, type ProxyOptions } from '../src/browser/proxy.js';
import { resolveConfig, type AuthProxyConfig } from '../src/core/config.js';
import type { SessionState } from '../src/core/session-state.js';
import { serveControlPorts } from './control-port.js';

export type { AuthProxyConfig, RefreshFormat } from '../src/core/config.js';
export type { RefreshFailureKind, SessionState, SessionStatus, SessionEvent } from '../src/core/session-state.js';
export { AuthProxyError, ConfigError, RefreshError, TokenResponseError } from '../src/core/errors.js';

declare const self: ServiceWorkerGlobalScope;

/** Options of {@link createAuthProxy}, besides the config. */
export interface AuthProxyOptions extends ProxyOptions {
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
  const { engine, controlApi, route, handle } = createProxy(resolved, (request) => self.fetch(request), options);
  const match = ({ request }: { request: Request }): boolean => route(request) !== 'pass';
  for (const method of METHODS) registerRoute(new Route(match, ({ request }) => handle(request), method));
  serveControlPorts(self, controlApi);
  if (options.takeControl) takeControl();
  return { state: () => engine.state(), logout: () => engine.logout() };
}

function takeControl(): void {
  self.addEventListener('install', () => void self.skipWaiting());
  self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
}
