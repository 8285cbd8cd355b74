// @ts-check
/**
 * The bare pass-through service worker: the floor for any service-worker design.
 * One workbox-routing route for the API that only calls fetch(request); no token logic.
 * Built by bench/lib/build-bare-worker.mjs into bench/.build/bare/bare-sw.js (classic IIFE,
 * the same setup as the prebuilt worker in vite.config.ts 'worker' mode).
 */
import { Route, registerRoute } from 'workbox-routing';

/**
 * The few ServiceWorkerGlobalScope members used here (this file is checked against the DOM lib).
 * @typedef {{ waitUntil(promise: Promise<unknown>): void }} ExtendableEvent
 * @typedef {{
 *   addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void,
 *   skipWaiting(): Promise<void>,
 *   clients: { claim(): Promise<void> },
 * }} WorkerScope
 */
const scope = /** @type {WorkerScope} */ (/** @type {unknown} */ (self));

registerRoute(new Route(({ url }) => url.pathname.startsWith('/api/'), ({ request }) => fetch(request), 'GET'));

// Take control at once, like the prebuilt worker (sw/standalone.ts, takeControl: true).
scope.addEventListener('install', () => void scope.skipWaiting());
scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));
