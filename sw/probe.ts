/// <reference lib="WebWorker" />
import { INTERCEPTION_HEADER, INTERCEPTION_PROBE_PATH } from '../src/core/protocol.js';

/** Where pages check that their requests reach this worker (src/page/interception.ts). */
export function probeUrl(scope: ServiceWorkerGlobalScope): string {
  return new URL(INTERCEPTION_PROBE_PATH, scope.registration.scope).href;
}

/**
 * Answers the start-up probe of the pages this worker controls: proof that their requests reach
 * it. Any worker of ours answers, a refusing one too, since a page that gets no answer reloads.
 * Add it before other fetch listeners, so that it answers first.
 */
export function answerProbe(scope: ServiceWorkerGlobalScope, url: string): void {
  scope.addEventListener('fetch', (event) => {
    if (event.request.url === url) event.respondWith(new Response(null, { status: 204, headers: { [INTERCEPTION_HEADER]: 'probe' } }));
  });
}
