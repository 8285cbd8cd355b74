/// <reference lib="WebWorker" />
import { countConditions, ROUTER_CONDITION_LIMIT, type RouterRule } from '../src/core/static-routes.js';

/** What the Static Routing API adds to InstallEvent (Chromium 123+); TypeScript's lib has no types for it yet. */
interface RoutableInstallEvent extends ExtendableEvent {
  addRoutes?: (rules: RouterRule | RouterRule[]) => Promise<void>;
}

/**
 * Adds `rules` when this worker installs, where the browser has the Static Routing API. Where it
 * has not, or refuses the rules (an older engine without the `not` condition, a pattern it cannot
 * parse), nothing is added and every request reaches the fetch handler, as without rules: the
 * install never fails because of them.
 */
export function addStaticRoutesOnInstall(scope: ServiceWorkerGlobalScope, rules: RouterRule[], log?: (message: string) => void): void {
  const conditions = countConditions(rules);
  if (conditions > ROUTER_CONDITION_LIMIT) {
    log?.(`static routes not added: they need ${conditions} conditions, the browser allows ${ROUTER_CONDITION_LIMIT}`);
    return;
  }
  scope.addEventListener('install', (event) => {
    const routable = event as RoutableInstallEvent;
    if (typeof routable.addRoutes !== 'function') return;
    const added = (async () => routable.addRoutes?.(rules))().then(
      () => log?.(`static routes added: ${rules.length} rules, ${conditions} conditions`),
      (error: unknown) =>
        log?.(`static routes refused by the browser, every request goes through the worker: ${String(error).slice(0, 200)}`),
    );
    event.waitUntil(added);
  });
}
