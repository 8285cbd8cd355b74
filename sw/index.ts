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
import type { RouteKind } from '../src/core/routing.js';
import { resolveConfig, type AuthProxyConfig } from '../src/core/config.js';
import { ConfigError } from '../src/core/errors.js';
import type { SessionState } from '../src/core/session-state.js';
import { staticRoutes, type RouterRule } from '../src/core/static-routes.js';
import { serveControlPorts } from './control-port.js';
import { answerProbe, probeUrl } from './probe.js';
import { addStaticRoutesOnInstall } from './static-routes.js';

export type { AuthProxyConfig, CaptureEntry, CaptureSource, RefreshFormat, TokenResponseMapping } from '../src/core/config.js';
export type { RefreshFailureKind, SessionState, SessionStatus, SessionEvent } from '../src/core/session-state.js';
export { AuthProxyError, ConfigError, DpopError, RefreshError, TokenResponseError } from '../src/core/errors.js';
export type { RouterCondition, RouterRule, RouterSource, RoutePattern } from '../src/core/static-routes.js';

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
  /**
   * At install, add {@link authProxyRoutes}'s static routes (`InstallEvent.addRoutes`, where the
   * browser has it): navigations, static assets and every other request outside the `api`
   * prefixes and capture URLs go straight to the network and never start this worker. They also
   * bypass your own fetch routes (precaching, offline pages), so it is off by default; to keep
   * those, merge the rules with yours in your own install listener instead. Default: false.
   */
  staticRoutes?: boolean;
}

/** A handle on the proxy inside the worker. */
export interface AuthProxy {
  /** The session as every tab sees it (no token). */
  state(): Promise<SessionState>;
  /** Ends the session in every tab and revokes it at `logout.url` when configured; resolves to the new state. */
  logout(): Promise<SessionState>;
}

/**
 * The methods workbox-routing routes by name (its `validMethods`; it asserts on others in
 * development builds). Every other method — OPTIONS, WebDAV and other extension methods, and
 * a lower-case `patch`, which fetch does not normalise — is routed by a fetch listener.
 */
const WORKBOX_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

function isWorkboxMethod(method: string): boolean {
  return (WORKBOX_METHODS as readonly string[]).includes(method);
}

/**
 * Adds sw-auth-proxy to a service worker: a workbox-routing route for API and capture
 * requests (every HTTP method), the comlink control API for pages, and state broadcasts to
 * every tab. Register it before other routes that could match the same URLs.
 */
export function createAuthProxy(config: AuthProxyConfig, options: AuthProxyOptions = {}): AuthProxy {
  const resolved = resolveConfig(config, self.location.origin, { allowCrossOriginApi: options.allowCrossOriginApi ?? true });
  const withStaticRoutes = optionalFlag(options.staticRoutes, 'staticRoutes');
  const { engine, controlApi, route, handle, log } = createProxy(resolved, (request) => self.fetch(request), options);
  const probe = probeUrl(self);
  // Each request is routed once: workbox hands what the match returned to the handler as `params`.
  // The probe is answered below, before workbox, even where an `api` prefix covers its URL.
  const match = ({ request }: { request: Request }): { kind: RouteKind } | false => {
    const kind = request.url === probe ? 'pass' : route(request);
    return kind === 'pass' ? false : { kind };
  };
  // Added before the workbox router's listener (which registerRoute creates), so a default
  // handler registered later for one of these methods cannot answer an API request first.
  self.addEventListener('fetch', (event) => {
    if (answerProbe(event, probe) || isWorkboxMethod(event.request.method)) return;
    const matched = match(event);
    if (matched) event.respondWith(handle(event.request, matched.kind));
  });
  for (const method of WORKBOX_METHODS) {
    registerRoute(new Route(match, ({ request, params }) => handle(request, (params as { kind: RouteKind }).kind), method));
  }
  serveControlPorts(self, controlApi);
  // Read the session as the worker starts: the browser often starts it early (with a
  // navigation), and then a page's first call and first API request find it in memory. A
  // failed read is not kept; the first call reads again and reports it.
  engine.state().catch(() => undefined);
  if (withStaticRoutes) addStaticRoutesOnInstall(self, staticRoutes(resolved, probe), log);
  if (options.takeControl) takeControl();
  return { state: () => engine.state(), logout: () => engine.logout() };
}

/**
 * The Static Routing API rules (`InstallEvent.addRoutes`) that send every request this config
 * does not touch straight to the network, for a worker that adds its own rules too:
 *
 * ```ts
 * self.addEventListener('install', (event) => {
 *   event.addRoutes?.([...myCacheRules, ...authProxyRoutes(config)]);
 * });
 * ```
 *
 * In order: capture URLs (any mode, since a capture may be a navigation) and the interception
 * probe pages send at start-up (`<scope>sw-auth-proxy-probe`) to the fetch handler;
 * other navigations and `no-cors` requests to the network; anything outside the `api` prefixes
 * and capture URLs to the network. Rules placed after these only ever see API and capture
 * requests. They use at most `8 + api.length + 2 × capture.length` conditions of the 1023 a
 * worker may register. `createAuthProxy(config, { staticRoutes: true })` adds exactly these.
 */
export function authProxyRoutes(config: AuthProxyConfig, options: Pick<AuthProxyOptions, 'allowCrossOriginApi'> = {}): RouterRule[] {
  return staticRoutes(
    resolveConfig(config, self.location.origin, { allowCrossOriginApi: options.allowCrossOriginApi ?? true }),
    probeUrl(self),
  );
}

function optionalFlag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new ConfigError('invalid_config', `createAuthProxy option ${name} must be true or false, got ${JSON.stringify(value)}`);
  }
  return value;
}

function takeControl(): void {
  self.addEventListener('install', () => void self.skipWaiting());
  self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
}
