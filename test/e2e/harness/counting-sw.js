// @ts-check
/**
 * The prebuilt worker, wrapped for static-routing.spec.ts: records every fetch event this worker
 * instance receives and answers a `test:fetch-log` message (with a MessagePort) with them. With
 * `routing=unavailable` in its script URL it first removes the Static Routing API, as in an engine
 * that has none. Then it runs dist/auth-proxy-sw.js, which reads its config from this URL.
 */

/**
 * The few worker-global members used here (this file is checked against the DOM lib).
 * @typedef {{ request: Request }} FetchEventLike
 * @typedef {{ data: unknown, ports: readonly MessagePort[] }} MessageEventLike
 * @typedef {{
 *   addEventListener(type: 'fetch', listener: (event: FetchEventLike) => void): void,
 *   addEventListener(type: 'message', listener: (event: MessageEventLike) => void): void,
 *   importScripts(...urls: string[]): void,
 *   location: Location,
 *   InstallEvent?: { prototype: { addRoutes?: unknown } },
 * }} WorkerScope
 * @typedef {{ url: string, mode: string, method: string }} SeenRequest
 */
const scope = /** @type {WorkerScope} */ (/** @type {unknown} */ (self));

/** Tells one worker instance from the next: a restarted worker starts a new log. */
const instance = `${Date.now()}-${Math.random()}`;
const routingApi = typeof scope.InstallEvent?.prototype.addRoutes === 'function';
/** @type {SeenRequest[]} */
const seen = [];

if (new URL(scope.location.href).searchParams.get('routing') === 'unavailable' && scope.InstallEvent !== undefined) {
  delete scope.InstallEvent.prototype.addRoutes;
}

// Registered before the prebuilt worker's listeners, so it sees every fetch event first.
scope.addEventListener('fetch', (event) => {
  seen.push({ url: event.request.url, mode: event.request.mode, method: event.request.method });
});
scope.addEventListener('message', (event) => {
  const data = /** @type {{ type?: unknown } | null} */ (event.data);
  if (data?.type === 'test:fetch-log') event.ports[0]?.postMessage({ instance, routingApi, seen });
});

scope.importScripts('/auth-proxy-sw.js');
