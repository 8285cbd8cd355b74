import { releaseProxy, wrap } from 'comlink';
import { WorkerUnavailableError } from '../core/errors.js';
import { CONNECT_MESSAGE, PROBE_MESSAGE, type ControlApi, type ControlResult, type ProbeReply } from '../core/protocol.js';
import { withTimeout } from './timeout.js';

type Method = keyof ControlApi;

/** Longer than any single control call can take: a refresh times out well before this. */
const CALL_TIMEOUT_MS = 30_000;
/** How often a pending call asks whether the worker that took it is still the one running. */
const PROBE_INTERVAL_MS = 1_000;

/**
 * Calls the worker's control API. Every call opens its own MessagePort: posting it to the
 * worker wakes a stopped worker, and a port from before a restart is never reused — an old
 * comlink proxy would wait forever.
 *
 * The browser may stop the worker while a call is in flight, and it re-dispatches pending
 * fetch events to the restarted worker but not a MessagePort call. So while a call is pending
 * the page probes the worker every second (which also starts a stopped one); a worker that has
 * never heard of the call's id is a new instance, and the call is sent to it again.
 */
export class WorkerConnection {
  readonly #worker: () => ServiceWorker | null;

  constructor(worker: () => ServiceWorker | null) {
    this.#worker = worker;
  }

  call<M extends Method>(method: M, ...args: Parameters<ControlApi[M]>): Promise<ControlResult> {
    return withTimeout(
      this.#deliver(crypto.randomUUID(), method, args),
      CALL_TIMEOUT_MS,
      () => new WorkerUnavailableError('worker_unavailable', `the service worker did not answer ${method}() in ${CALL_TIMEOUT_MS / 1000}s`),
    );
  }

  async #deliver<M extends Method>(id: string, method: M, args: Parameters<ControlApi[M]>): Promise<ControlResult> {
    for (;;) {
      const answer = await this.#send(id, method, args);
      if (answer !== LOST) return answer;
    }
  }

  /** One delivery of the call: its answer, or LOST when the worker that took it is gone. */
  async #send<M extends Method>(id: string, method: M, args: Parameters<ControlApi[M]>): Promise<ControlResult | typeof LOST> {
    const worker = this.#workerOrThrow();
    const { port1, port2 } = new MessageChannel();
    worker.postMessage({ type: CONNECT_MESSAGE, id }, [port2]);
    const remote = wrap<ControlApi>(port1);
    const watch = new AbortController();
    try {
      const call = remote[method] as (...callArgs: Parameters<ControlApi[M]>) => Promise<ControlResult>;
      return await Promise.race([call(...args), this.#untilLost(id, watch.signal)]);
    } finally {
      watch.abort();
      void remote[releaseProxy]();
      port1.close();
    }
  }

  /** Resolves LOST once a probe finds a worker that does not know call `id`; never while it does. */
  #untilLost(id: string, signal: AbortSignal): Promise<typeof LOST> {
    return new Promise((resolve) => {
      const probe = (): void => {
        if (signal.aborted) return;
        void this.#knows(id).then((known) => {
          if (signal.aborted) return;
          if (known) timer = setTimeout(probe, PROBE_INTERVAL_MS);
          else resolve(LOST);
        });
      };
      let timer = setTimeout(probe, PROBE_INTERVAL_MS);
      signal.addEventListener('abort', () => clearTimeout(timer));
    });
  }

  #knows(id: string): Promise<boolean> {
    const { port1, port2 } = new MessageChannel();
    return new Promise<boolean>((resolve) => {
      port1.onmessage = (event: MessageEvent<ProbeReply>) => resolve(event.data.known);
      this.#workerOrThrow().postMessage({ type: PROBE_MESSAGE, id }, [port2]);
    })
      .catch(() => true) // no worker to ask right now: keep waiting for the call
      .finally(() => port1.close());
  }

  #workerOrThrow(): ServiceWorker {
    const worker = this.#worker();
    if (worker === null) throw new WorkerUnavailableError('worker_unavailable', 'no active service worker to talk to');
    return worker;
  }
}

const LOST = Symbol('lost');
