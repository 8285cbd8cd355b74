import { WorkerUnavailableError } from '../core/errors.js';

/** The browser will not run a service worker here (no API, insecure origin, blocked, private window): page mode may follow. */
export class WorkerRefusedError extends WorkerUnavailableError {}

/** The script URL without its `config` parameter, which says nothing to a reader and can be long. */
export function scriptName(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete('config');
  const path = `${parsed.pathname}${parsed.search}`;
  return parsed.origin === location.origin ? path : `${parsed.origin}${path}`;
}
