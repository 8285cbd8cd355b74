import { releaseProxy, wrap } from 'comlink';
import { CONNECT_MESSAGE, type ControlApi, type ControlResult } from '../core/protocol.js';
import { WorkerUnavailableError } from '../core/errors.js';
import { withTimeout } from './timeout.js';

type Method = keyof ControlApi;

/** Longer than any single control call can take: a refresh times out well before this. */
const CALL_TIMEOUT_MS = 30_000;

/**
 * Calls the worker's control API. Every call opens its own MessagePort: posting it to the
 * worker wakes a stopped worker, and a port from before a restart is never reused — an old
 * comlink proxy would wait forever.
 */
export class WorkerConnection {
  readonly #worker: () => ServiceWorker | null;

  constructor(worker: () => ServiceWorker | null) {
    this.#worker = worker;
  }

  async call<M extends Method>(method: M, ...args: Parameters<ControlApi[M]>): Promise<ControlResult> {
    const worker = this.#worker();
    if (worker === null) throw new WorkerUnavailableError('worker_unavailable', 'no active service worker to talk to');
    const { port1, port2 } = new MessageChannel();
    worker.postMessage({ type: CONNECT_MESSAGE }, [port2]);
    const remote = wrap<ControlApi>(port1);
    try {
      const call = remote[method] as (...callArgs: Parameters<ControlApi[M]>) => Promise<ControlResult>;
      return await withTimeout(
        call(...args),
        CALL_TIMEOUT_MS,
        () =>
          new WorkerUnavailableError('worker_unavailable', `the service worker did not answer ${method}() in ${CALL_TIMEOUT_MS / 1000}s`),
      );
    } finally {
      void remote[releaseProxy]();
      port1.close();
    }
  }
}
