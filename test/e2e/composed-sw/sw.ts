/// <reference lib="WebWorker" />
/**
 * A composed worker for static-routing.spec.ts, built by the spec: sw-auth-proxy inside an app's
 * own worker, with its config in the script URL (`?config=`, as registerAuthProxy sends it) and
 * one of three `variant`s:
 *
 * - `off`: createAuthProxy without options, so no static routes (the default);
 * - `option`: createAuthProxy with `staticRoutes: true`;
 * - `merged`: the app's own rule first (its /app-route/ answered by its fetch handler), then
 *   authProxyRoutes(config), added by the app's own install listener.
 *
 * Like harness/counting-sw.js, it records the fetch events it receives and answers `test:fetch-log`.
 */
import { type AuthProxyConfig, authProxyRoutes, createAuthProxy, type RouterRule } from '../../../sw/index.ts';

declare const self: ServiceWorkerGlobalScope;

const params = new URL(self.location.href).searchParams;
const config = JSON.parse(params.get('config') ?? '{}') as AuthProxyConfig;
const variant = params.get('variant');
const instance = `${Date.now()}-${Math.random()}`;
const seen: { url: string; mode: string; method: string }[] = [];
/** TypeScript's WebWorker lib has no InstallEvent yet. */
const installEvent = (self as unknown as { InstallEvent?: { prototype: object } }).InstallEvent;
const routingApi = installEvent !== undefined && 'addRoutes' in installEvent.prototype;

self.addEventListener('fetch', (event) => {
  seen.push({ url: event.request.url, mode: event.request.mode, method: event.request.method });
});
self.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown } | null;
  if (data?.type === 'test:fetch-log') event.ports[0]?.postMessage({ instance, routingApi, seen });
});

createAuthProxy(config, { staticRoutes: variant === 'option' });

// The app's own route, which its own static rule keeps reaching this handler.
self.addEventListener('fetch', (event) => {
  if (new URL(event.request.url).pathname.startsWith('/app-route/')) event.respondWith(new Response('from the app worker'));
});

self.addEventListener('install', (event) => {
  void self.skipWaiting();
  if (variant !== 'merged') return;
  const mine: RouterRule[] = [{ condition: { urlPattern: { pathname: '/app-route/*' } }, source: 'fetch-event' }];
  const routable = event as ExtendableEvent & { addRoutes?: (rules: RouterRule[]) => Promise<void> };
  event.waitUntil(routable.addRoutes?.([...mine, ...authProxyRoutes(config)]) ?? Promise.resolve());
});
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
