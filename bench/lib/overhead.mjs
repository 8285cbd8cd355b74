// @ts-check
import { newContexts, openBenchPage } from './env.mjs';
import { median, quantileCurve, rotate, round, summarize } from './stats.mjs';

/** @typedef {import('./env.mjs').Browser} Browser */
/** @typedef {import('./env.mjs').Server} Server */
/** @typedef {import('./env.mjs').Page} Page */
/** @typedef {import('./env.mjs').Mode} Mode */

/** (a) the floor, (b) the floor for any service-worker design, (c) us. */
export const OVERHEAD_CONFIGS = /** @type {const} */ (['none', 'bare', 'proxy']);

const CONTEXTS_PER_CONFIG = 2;

/**
 * @typedef {object} ConfigResult
 * @property {number} p50 ms, over all requests of all rounds
 * @property {number} p95
 * @property {number} p99
 * @property {number} mean
 * @property {number} throughput requests per second, median over rounds
 * @property {number[]} quantiles 0 %, 1 %, …, 100 % (for the chart)
 */

/**
 * @typedef {object} RatioResult
 * @property {number} addedP50Ms median over rounds of p50(c) − p50(other)
 * @property {number} p50Ratio median over rounds of p50(c) / p50(other)
 * @property {number} p95Ratio
 * @property {number} throughputRatio median over rounds of throughput(c) / throughput(other)
 */

/**
 * @typedef {object} ConcurrencyResult
 * @property {number} concurrency
 * @property {Record<Mode, ConfigResult>} configs
 * @property {{ cb: RatioResult, ca: RatioResult }} ratios c/b and c/a
 * @property {Record<Mode, { p50: number, p95: number, throughput: number }>[]} rounds
 */

/**
 * @typedef {object} OverheadResult
 * @property {number} requestsPerConfig per concurrency level
 * @property {number} rounds
 * @property {ConcurrencyResult[]} levels
 */

/**
 * Per-request overhead: GET /api/ping through the three configurations, interleaved in
 * rounds (each round runs every configuration once, in rotated order).
 * @param {{ browser: Browser, server: Server, requests: number, rounds: number, warmup: number, concurrencies: number[], log: (line: string) => void }} options
 * @returns {Promise<OverheadResult>}
 */
export async function runOverhead({ browser, server, requests, rounds, warmup, concurrencies, log }) {
  // Two browser contexts (own renderer and worker processes) per configuration, alternating by
  // round: on a busy machine one process can be scheduled worse than another for a whole run,
  // and that must not pass for a difference between configurations.
  const { contexts, close } = await newContexts(browser, OVERHEAD_CONFIGS.length * CONTEXTS_PER_CONFIG);
  try {
    /** @type {Map<string, Page>} */
    const pages = new Map();
    for (const [index, context] of contexts.entries()) {
      const mode = /** @type {Mode} */ (OVERHEAD_CONFIGS[index % OVERHEAD_CONFIGS.length]);
      pages.set(`${mode}${Math.floor(index / OVERHEAD_CONFIGS.length)}`, await openBenchPage(context, server, mode));
    }
    const page = (/** @type {Mode} */ mode, /** @type {number} */ roundIndex) => /** @type {Page} */ (pages.get(`${mode}${roundIndex % CONTEXTS_PER_CONFIG}`));
    // Warm every path (JIT, connections, the worker's cached session) before measuring.
    for (const mode of OVERHEAD_CONFIGS) {
      for (let copy = 0; copy < CONTEXTS_PER_CONFIG; copy++) {
        for (const concurrency of concurrencies) await load(page(mode, copy), warmup, concurrency);
      }
    }
    const perRound = Math.ceil(requests / rounds);
    /** @type {ConcurrencyResult[]} */
    const levels = [];
    /** @type {Map<number, { samples: Record<Mode, number[]>, rounds: Record<Mode, { p50: number, p95: number, throughput: number }>[] }>} */
    const collected = new Map(concurrencies.map((concurrency) => [concurrency, { samples: { none: [], bare: [], proxy: [] }, rounds: [] }]));
    for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
      for (const concurrency of concurrencies) {
        const into = /** @type {NonNullable<ReturnType<typeof collected.get>>} */ (collected.get(concurrency));
        /** @type {Partial<Record<Mode, { p50: number, p95: number, throughput: number }>>} */
        const roundResult = {};
        for (const mode of rotate(OVERHEAD_CONFIGS, roundIndex)) {
          const { latencies, wallMs } = await load(page(mode, roundIndex), perRound, concurrency);
          into.samples[mode].push(...latencies);
          const summary = summarize(latencies);
          roundResult[mode] = { p50: summary.p50, p95: summary.p95, throughput: (latencies.length / wallMs) * 1000 };
        }
        into.rounds.push(/** @type {Record<Mode, { p50: number, p95: number, throughput: number }>} */ (roundResult));
      }
      log(`  overhead round ${roundIndex + 1}/${rounds}`);
    }
    for (const concurrency of concurrencies) {
      const { samples, rounds: perRoundResults } = /** @type {NonNullable<ReturnType<typeof collected.get>>} */ (collected.get(concurrency));
      /** @type {Partial<Record<Mode, ConfigResult>>} */
      const configs = {};
      for (const mode of OVERHEAD_CONFIGS) {
        const summary = summarize(samples[mode]);
        configs[mode] = {
          p50: round(summary.p50),
          p95: round(summary.p95),
          p99: round(summary.p99),
          mean: round(summary.mean),
          throughput: round(median(perRoundResults.map((result) => result[mode].throughput)), 1),
          quantiles: quantileCurve(samples[mode]).map((value) => round(value)),
        };
      }
      levels.push({
        concurrency,
        configs: /** @type {Record<Mode, ConfigResult>} */ (configs),
        ratios: { cb: ratios(perRoundResults, 'bare'), ca: ratios(perRoundResults, 'none') },
        rounds: perRoundResults.map((result) =>
          /** @type {Record<Mode, { p50: number, p95: number, throughput: number }>} */ (
            Object.fromEntries(Object.entries(result).map(([mode, r]) => [mode, { p50: round(r.p50), p95: round(r.p95), throughput: round(r.throughput, 1) }]))
          ),
        ),
      });
    }
    return { requestsPerConfig: perRound * rounds, rounds, levels };
  } finally {
    await close();
  }
}

/**
 * @param {Page} page
 * @param {number} n
 * @param {number} concurrency
 */
async function load(page, n, concurrency) {
  const result = await page.evaluate((options) => window.bench.load(options), { n, concurrency });
  if (result.failures > 0) throw new Error(`${result.failures} of ${n} requests to /api/ping did not answer 200`);
  return result;
}

/**
 * sw-auth-proxy against `other`, paired within each round so drift between rounds cancels.
 * @param {Record<Mode, { p50: number, p95: number, throughput: number }>[]} rounds
 * @param {Mode} other
 * @returns {RatioResult}
 */
function ratios(rounds, other) {
  return {
    addedP50Ms: round(median(rounds.map((r) => r.proxy.p50 - r[other].p50))),
    p50Ratio: round(median(rounds.map((r) => r.proxy.p50 / r[other].p50))),
    p95Ratio: round(median(rounds.map((r) => r.proxy.p95 / r[other].p95))),
    throughputRatio: round(median(rounds.map((r) => r.proxy.throughput / r[other].throughput))),
  };
}
