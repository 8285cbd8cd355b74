import { expose, finalizer } from 'comlink';
import { isClaimMessage, isConnectMessage, type ControlApi } from '../src/core/protocol.js';

/** The longest a page's port keeps the worker awake after connecting. */
const PORT_KEEPALIVE_MS = 60_000;

/**
 * Serves the control API on every port a page sends. A page opens a port per call, so a
 * worker restart can never leave a page holding a dead proxy. `waitUntil` keeps the worker
 * alive until the page releases the port (comlink's finalizer) or the keepalive ends.
 */
export function serveControlPorts(scope: ServiceWorkerGlobalScope, api: ControlApi): void {
  scope.addEventListener('message', (event) => {
    if (isClaimMessage(event.data)) return event.waitUntil(scope.clients.claim());
    const port = event.ports[0];
    if (!isConnectMessage(event.data) || port === undefined) return;
    event.waitUntil(
      new Promise<void>((released) => {
        const timer = setTimeout(released, PORT_KEEPALIVE_MS);
        expose(
          {
            ...api,
            [finalizer]: () => {
              clearTimeout(timer);
              released();
            },
          },
          port,
        );
      }),
    );
  });
}
