// @ts-check
import { attachToServiceWorker, BARE_WORKER_PATH, newContexts, openBenchPage, PROXY_WORKER_PATH } from './env.mjs';

/** @typedef {import('./env.mjs').Browser} Browser */
/** @typedef {import('./env.mjs').Server} Server */
/** @typedef {import('./env.mjs').Page} Page */
/** @typedef {import('./env.mjs').WorkerSession} WorkerSession */

/**
 * @typedef {object} HeapPoint
 * @property {number} requests requests the worker forwarded so far
 * @property {number} usedBytes V8 heap in use after a full GC (Runtime.getHeapUsage usedSize): every JS object
 * @property {number} embedderBytes Blink (Oilpan) heap in use (embedderHeapUsedSize): Request, Response, Headers, FetchEvent…
 */

/**
 * @typedef {object} MemoryResult
 * @property {number} concurrency
 * @property {HeapPoint[]} points sw-auth-proxy
 * @property {HeapPoint[]} barePoints the bare pass-through worker under the same load, for comparison
 * @property {number} growthBytes sw-auth-proxy's V8 heap, last point minus first
 * @property {number} embedderGrowthBytes sw-auth-proxy's Blink heap, last point minus first
 * @property {number} bareGrowthBytes
 * @property {number} bareEmbedderGrowthBytes
 */

/**
 * Worker heap after N requests (two full GCs first), read over CDP from the worker itself, for
 * sw-auth-proxy and — as the yardstick for what Chromium itself keeps per request — the bare
 * pass-through worker, loaded side by side. The same worker instance must serve every request:
 * if the browser restarts one, the run fails.
 * @param {{ browser: Browser, server: Server, checkpoints: number[], concurrency: number, log: (line: string) => void }} options
 * @returns {Promise<MemoryResult>}
 */
export async function runMemory({ browser, server, checkpoints, concurrency, log }) {
  const { contexts, close } = await newContexts(browser, 2);
  /** @type {WorkerSession[]} */
  const sessions = [];
  try {
    const setups = [];
    for (const [index, mode] of /** @type {const} */ (['proxy', 'bare']).entries()) {
      const page = await openBenchPage(/** @type {import('./env.mjs').BrowserContext} */ (contexts[index]), server, mode);
      const worker = await attachToServiceWorker(browser, page, mode === 'proxy' ? PROXY_WORKER_PATH : BARE_WORKER_PATH);
      sessions.push(worker);
      setups.push({ mode, page, worker, points: /** @type {HeapPoint[]} */ ([]) });
    }
    let done = 0;
    for (const checkpoint of checkpoints) {
      while (done < checkpoint) {
        const n = Math.min(checkpoint - done, 2500);
        // Both workers at once: memory does not care about timing noise, and it halves the wait.
        await Promise.all(setups.map(({ page }) => load(page, n, concurrency)));
        done += n;
      }
      for (const setup of setups) setup.points.push({ requests: done, ...(await heap(setup.worker)) });
      const [proxy, bare] = setups.map((setup) => setup.points[setup.points.length - 1]);
      log(`  memory: ${done} requests: sw-auth-proxy V8 ${proxy?.usedBytes} B, Blink ${proxy?.embedderBytes} B; bare V8 ${bare?.usedBytes} B, Blink ${bare?.embedderBytes} B`);
    }
    const [proxy, bare] = /** @type {[HeapPoint[], HeapPoint[]]} */ (setups.map((setup) => setup.points));
    const growth = (/** @type {HeapPoint[]} */ points, /** @type {'usedBytes' | 'embedderBytes'} */ key) =>
      /** @type {HeapPoint} */ (points[points.length - 1])[key] - /** @type {HeapPoint} */ (points[0])[key];
    return {
      concurrency,
      points: proxy,
      barePoints: bare,
      growthBytes: growth(proxy, 'usedBytes'),
      embedderGrowthBytes: growth(proxy, 'embedderBytes'),
      bareGrowthBytes: growth(bare, 'usedBytes'),
      bareEmbedderGrowthBytes: growth(bare, 'embedderBytes'),
    };
  } finally {
    for (const session of sessions) await session.close();
    await close();
  }
}

/**
 * @param {Page} page
 * @param {number} n
 * @param {number} concurrency
 */
async function load(page, n, concurrency) {
  const { failures } = await page.evaluate((options) => window.bench.load(options), { n, concurrency });
  if (failures > 0) throw new Error(`${failures} requests did not answer 200`);
}

/**
 * @param {WorkerSession} worker
 * @returns {Promise<{ usedBytes: number, embedderBytes: number }>}
 */
async function heap(worker) {
  // Two collections: the first can leave finalizable objects for the second.
  await worker.send('HeapProfiler.collectGarbage');
  await worker.send('HeapProfiler.collectGarbage');
  const usage = await worker.send('Runtime.getHeapUsage');
  if (worker.detached()) throw new Error('a worker was restarted during the memory benchmark');
  return { usedBytes: usage.usedSize, embedderBytes: usage.embedderHeapUsedSize ?? 0 };
}
