import { expose, finalizer } from 'comlink';
import { isClaimMessage, isConnectMessage, isProbeMessage, type ControlApi, type ProbeReply } from '../src/core/protocol.js';

/** The longest a page's port keeps the worker awake after connecting; also how long a call id is remembered. */
const PORT_KEEPALIVE_MS = 60_000;

/**
 * Serves the control API on every port a page sends. A page opens a port per call, so a
 * worker restart can never leave a page holding a dead proxy. `waitUntil` keeps the worker
 * alive until the page releases the port (comlink's finalizer) or the keepalive ends.
 * The ids of the calls this instance received answer the page's probes: a restarted worker
 * knows none of them, which tells the page to send its pending call again.
 */
export function serveControlPorts(scope: ServiceWorkerGlobalScope, api: ControlApi): void {
  const received = new Map<string, number>();
  scope.addEventListener('message', (event) => {
    if (isClaimMessage(event.data)) return event.waitUntil(scope.clients.claim());
    const port = event.ports[0];
    if (port === undefined) return;
    if (isProbeMessage(event.data)) return port.postMessage({ known: received.has(event.data.id) } satisfies ProbeReply);
    if (!isConnectMessage(event.data)) return;
    remember(received, event.data.id);
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

function remember(received: Map<string, number>, id: string | undefined): void {
  const now = Date.now();
  for (const [known, at] of received) if (now - at > PORT_KEEPALIVE_MS) received.delete(known);
  if (id !== undefined) received.set(id, now);
}
