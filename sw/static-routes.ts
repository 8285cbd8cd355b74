/// <reference lib="WebWorker" />
/**
 * The Service Worker Static Routing API (`InstallEvent.addRoutes`, Chromium 123+): rules the
 * browser applies before it would start the worker. TypeScript's lib has neither it nor
 * URLPattern yet, so the few members used are declared here.
 */

interface URLPatternInit {
  protocol: string;
  hostname: string;
  port: string;
  pathname: string;
}

declare const URLPattern: (new (init: URLPatternInit) => object) | undefined;

interface RouterRule {
  condition: { urlPattern: object };
  source: 'network';
}

interface RoutingInstallEvent extends ExtendableEvent {
  addRoutes(rules: RouterRule[]): Promise<void>;
}

/**
 * Routes requests under `prefixes` straight to the network where the browser can, so the worker
 * is not started for them. Elsewhere the fetch handler leaves them alone, which keeps the same
 * behaviour (the request goes to the network as the page sent it), only later.
 */
export function routeToNetwork(scope: ServiceWorkerGlobalScope, prefixes: readonly string[], log?: (message: string) => void): void {
  if (prefixes.length === 0) return;
  scope.addEventListener('install', (event) => {
    if (!('addRoutes' in event) || typeof URLPattern === 'undefined') return;
    const rules = prefixes.map((prefix): RouterRule => ({ condition: { urlPattern: patternFor(prefix) }, source: 'network' }));
    // A refused rule must not fail the install: the fetch handler passes these requests anyway.
    event.waitUntil(
      (event as RoutingInstallEvent).addRoutes(rules).catch((cause: unknown) => {
        log?.(`static routes refused, the fetch handler passes uploads: ${String(cause).slice(0, 200)}`);
      }),
    );
  });
}

/**
 * The URL pattern of a prefix, at a path-segment boundary like `matchesPrefix`: `/up` covers
 * `/up` and `/up/…`, `/up/` covers `/up/…`. Query and fragment are not part of the pattern.
 */
function patternFor(prefix: string): object {
  const url = new URL(prefix);
  // Characters with a meaning in URLPattern syntax are matched literally.
  const path = url.pathname.replace(/[\\*+?(){}:]/g, '\\$&');
  return new (URLPattern as NonNullable<typeof URLPattern>)({
    protocol: url.protocol.slice(0, -1),
    hostname: url.hostname,
    port: url.port,
    pathname: url.pathname.endsWith('/') ? `${path}*` : `${path}{/*}?`,
  });
}
