// @ts-check
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { attachToServiceWorker, BARE_WORKER_PATH, newContexts, openBenchPage, PROXY_WORKER_PATH } from './env.mjs';
import { BARE_WORKER_FILE } from './build-bare-worker.mjs';
import { SNAPSHOT_DIR } from './snapshot.mjs';
import { decodeSourceMap, sourceAt, sourceGroup } from '../../tools/sourcemap.mjs';
import { rotate, round } from './stats.mjs';

/** @typedef {import('./env.mjs').Browser} Browser */
/** @typedef {import('./env.mjs').Server} Server */

/**
 * @typedef {object} WorkerProfile
 * @property {'bare' | 'proxy'} mode
 * @property {number} requests
 * @property {number} busyUsPerRequest worker main-thread time that was not idle, per request
 * @property {{ group: string, usPerRequest: number }[]} groups where that time went (natives count for the JS that called them)
 */

/**
 * Samples the worker's main thread (V8 CPU profiler over CDP) while it forwards sequential
 * requests, for the bare pass-through worker and for sw-auth-proxy, interleaved in rounds,
 * and attributes the time to source files through the workers' source maps. The difference
 * is what our logic costs, free of network noise (not of CPU contention: a descheduled
 * thread's time is charged to whatever it was running).
 * @param {{ browser: Browser, server: Server, requests: number, rounds: number, warmup: number, log: (line: string) => void }} options
 * @returns {Promise<WorkerProfile[]>}
 */
export async function runProfile({ browser, server, requests, rounds, warmup }) {
  const modes = /** @type {const} */ (['bare', 'proxy']);
  const { contexts, close } = await newContexts(browser, modes.length);
  /** @type {import('./env.mjs').WorkerSession[]} */
  const sessions = [];
  try {
    const setups = [];
    for (const [index, mode] of modes.entries()) {
      const page = await openBenchPage(/** @type {import('./env.mjs').BrowserContext} */ (contexts[index]), server, mode);
      const worker = await attachToServiceWorker(browser, page, mode === 'proxy' ? PROXY_WORKER_PATH : BARE_WORKER_PATH);
      sessions.push(worker);
      await page.evaluate((n) => window.bench.load({ n, concurrency: 1 }), warmup);
      await worker.send('Profiler.enable');
      await worker.send('Profiler.setSamplingInterval', { interval: 100 });
      const file = mode === 'proxy' ? path.join(SNAPSHOT_DIR, 'auth-proxy-sw.js') : BARE_WORKER_FILE;
      const map = decodeSourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
      setups.push({ mode, page, worker, map, micros: /** @type {Map<string, number>} */ (new Map()) });
    }
    const perRound = Math.ceil(requests / rounds);
    for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
      for (const setup of rotate(setups, roundIndex)) {
        await setup.worker.send('Profiler.start');
        await setup.page.evaluate((n) => window.bench.load({ n, concurrency: 1 }), perRound);
        const { profile } = await setup.worker.send('Profiler.stop');
        if (setup.worker.detached()) throw new Error('the worker was restarted while being profiled');
        for (const [group, us] of attribute(profile, setup.map)) setup.micros.set(group, (setup.micros.get(group) ?? 0) + us);
      }
    }
    const total = perRound * rounds;
    return setups.map(({ mode, micros }) => {
      micros.delete('(idle)');
      const busy = [...micros.values()].reduce((sum, value) => sum + value, 0);
      return {
        mode,
        requests: total,
        busyUsPerRequest: round(busy / total, 1),
        groups: [...micros]
          .map(([group, us]) => ({ group, usPerRequest: round(us / total, 1) }))
          .sort((a, b) => b.usPerRequest - a.usPerRequest),
      };
    });
  } finally {
    for (const session of sessions) await session.close();
    await close();
  }
}

/**
 * @typedef {{ id: number, callFrame: { functionName: string, url: string, lineNumber: number, columnNumber: number }, children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[] }} Profile
 */

/**
 * Main-thread microseconds by source group.
 * @param {Profile} profile
 * @param {import('../../tools/sourcemap.mjs').DecodedMap} map the worker bundle's source map
 * @returns {Map<string, number>}
 */
function attribute(profile, map) {
  /** @type {Map<number, ProfileNode>} */
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<number, number>} */
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  /** @type {Map<number, string>} */
  const groupOf = new Map();
  /** @param {number} id @returns {string} */
  const group = (id) => {
    const known = groupOf.get(id);
    if (known !== undefined) return known;
    const node = /** @type {ProfileNode} */ (nodes.get(id));
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    /** @type {string} */
    let result;
    if (url !== '') {
      const source = sourceAt(map, lineNumber, columnNumber);
      result = source === null ? '(worker script, unmapped)' : sourceGroup(source);
    } else if (functionName.startsWith('(')) {
      result = functionName; // (program), (garbage collector), (idle), (root)
    } else if (functionName === 'fetch') {
      result = 'fetch() (native, both designs)';
    } else {
      // Another native or builtin (Headers, Request, promise jobs…): it counts for the
      // JavaScript that called it; at the top of the stack it is the runtime's own work.
      const parent = parents.get(id);
      result = parent === undefined ? '(runtime)' : group(parent);
      if (result === '(root)') result = functionName === '' ? '(runtime)' : `(runtime: ${functionName})`;
    }
    groupOf.set(id, result);
    return result;
  };
  /** @type {Map<string, number>} */
  const micros = new Map();
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index + 1] ?? 0;
    const name = group(id);
    micros.set(name, (micros.get(name) ?? 0) + delta);
  });
  return micros;
}
