/// <reference lib="WebWorker" />
import { INTERCEPTION_HEADER, INTERCEPTION_PROBE_PATH } from '../src/core/protocol.js';

/** Where pages check that their requests reach this worker (src/page/interception.ts). */
export function probeUrl(scope: ServiceWorkerGlobalScope): string {
  return new URL(INTERCEPTION_PROBE_PATH, scope.registration.scope).href;
}

/**
 * Answers `event` when it is the start-up probe (`url`) of a page this worker controls: proof
 * that the page's requests reach it. Any worker of ours answers, a refusing one too, since a page
 * that gets no answer reloads. True when it answered.
 */
export function answerProbe(event: FetchEvent, url: string): boolean {
  if (event.request.url !== url) return false;
  event.respondWith(new Response(null, { status: 204, headers: { [INTERCEPTION_HEADER]: 'probe' } }));
  return true;
}
