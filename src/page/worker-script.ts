import { WorkerUnavailableError } from '../core/errors.js';

/** The browser will not run a service worker here (no API, insecure origin, blocked, private window): page mode may follow. */
export class WorkerRefusedError extends WorkerUnavailableError {}

/** The script URL without its `?config=` query, which says nothing to a reader and can be long. */
export function scriptName(url: string): string {
  const parsed = new URL(url);
  return parsed.origin === location.origin ? parsed.pathname : `${parsed.origin}${parsed.pathname}`;
}
