// @ts-check
import { newContexts, openBenchPage } from './env.mjs';
import { median, rotate, round } from './stats.mjs';

/** @typedef {import('./env.mjs').Browser} Browser */
/** @typedef {import('./env.mjs').Server} Server */
/** @typedef {import('./env.mjs').Page} Page */

/**
 * @typedef {object} StormTrial
 * @property {number} refreshCalls server count during the storm
 * @property {number} unauthorizedSent 401s the server sent during the storm
 * @property {number} reuseDetections
 * @property {number} drainMs first request to last response, across all tabs
 * @property {number} burstMs the same burst with a valid token (no refresh needed)
 * @property {number} refreshRttMs one plain refresh round trip from a page without a worker
 * @property {number} requestRttMs one plain request round trip from a page without a worker
 */

/**
 * @typedef {object} StormCell
 * @property {number} tabs
 * @property {number} requests concurrent requests per tab
 * @property {number[]} refreshCalls per round
 * @property {number} drainMs median over rounds
 * @property {number} burstMs median over rounds
 * @property {number} refreshRttMs median over rounds
 * @property {number} requestRttMs median over rounds
 * @property {number} ratio median over rounds of drain / (refresh RTT + request RTT)
 * @property {number} burstRatio median over rounds of drain / (refresh RTT + burst with a valid token)
 * @property {StormTrial[]} trials
 */

/** Cells with at least this many requests in all (tabs × requests) are big: seconds per trial. */
const BIG_CELL = 400;

/**
 * Refresh storms: T tabs × R concurrent requests, all on an access token that is already
 * expired. Cells run interleaved in rounds; each trial logs in afresh with a born-expired token.
 * Small cells are cheap and the noisiest, so they run `rounds` times; big ones `bigCellRounds`.
 * @param {{ browser: Browser, server: Server, tabs: number[], requests: number[], rounds: number, bigCellRounds: number, log: (line: string) => void }} options
 * @returns {Promise<{ rounds: number, bigCellRounds: number, cells: StormCell[] }>}
 */
export async function runStorm({ browser, server, tabs, requests, rounds, bigCellRounds, log }) {
  const { contexts, close } = await newContexts(browser, 2);
  const proxyContext = /** @type {import('./env.mjs').BrowserContext} */ (contexts[0]);
  const plainContext = /** @type {import('./env.mjs').BrowserContext} */ (contexts[1]);
  try {
    const plain = await openBenchPage(plainContext, server, 'none');
    /** @type {Page[]} */
    const pages = [];
    for (let i = 0; i < Math.max(...tabs); i++) pages.push(await openBenchPage(proxyContext, server, 'proxy', { login: i === 0 }));
    const cells = tabs.flatMap((t) => requests.map((r) => ({ tabs: t, requests: r })));
    /** @type {Map<string, StormTrial[]>} */
    const trials = new Map(cells.map((cell) => [key(cell), []]));
    for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
      for (const cell of rotate(cells, roundIndex)) {
        if (cell.tabs * cell.requests >= BIG_CELL && roundIndex >= bigCellRounds) continue;
        const trial = await stormTrial(server, plain, pages.slice(0, cell.tabs), cell.requests);
        trials.get(key(cell))?.push(trial);
      }
      log(`  storm round ${roundIndex + 1}/${rounds}`);
    }
    return {
      rounds,
      bigCellRounds,
      cells: cells.map((cell) => {
        const list = trials.get(key(cell)) ?? [];
        return {
          ...cell,
          refreshCalls: list.map((trial) => trial.refreshCalls),
          drainMs: round(median(list.map((trial) => trial.drainMs)), 1),
          burstMs: round(median(list.map((trial) => trial.burstMs)), 1),
          refreshRttMs: round(median(list.map((trial) => trial.refreshRttMs)), 2),
          requestRttMs: round(median(list.map((trial) => trial.requestRttMs)), 2),
          ratio: round(median(list.map((trial) => trial.drainMs / (trial.refreshRttMs + trial.requestRttMs))), 2),
          burstRatio: round(median(list.map((trial) => trial.drainMs / (trial.refreshRttMs + trial.burstMs))), 2),
          trials: list.map((trial) => ({
            ...trial,
            drainMs: round(trial.drainMs, 1),
            burstMs: round(trial.burstMs, 1),
            refreshRttMs: round(trial.refreshRttMs, 2),
            requestRttMs: round(trial.requestRttMs, 2),
          })),
        };
      }),
    };
  } finally {
    await close();
  }
}

/** @param {{ tabs: number, requests: number }} cell */
function key(cell) {
  return `${cell.tabs}x${cell.requests}`;
}

/**
 * @param {Server} server
 * @param {Page} plain a page without a worker, for the round-trip floor
 * @param {Page[]} tabs proxy tabs taking part
 * @param {number} requests per tab
 * @returns {Promise<StormTrial>}
 */
async function stormTrial(server, plain, tabs, requests) {
  const first = /** @type {Page} */ (tabs[0]);
  // The floor this storm is compared with, measured right next to it (median of 3 each).
  /** @type {number[]} */
  const refreshes = [];
  /** @type {number[]} */
  const pings = [];
  for (let i = 0; i < 3; i++) {
    refreshes.push(await plain.evaluate(() => window.bench.refreshRtt()));
    pings.push(await plain.evaluate(() => window.bench.pingRtt()));
  }

  // A new session whose access token is born expired (the refresh token is fine).
  server.knobs.accessTtl = 0;
  try {
    await first.evaluate(() => window.bench.login());
  } finally {
    server.knobs.accessTtl = 300;
  }
  server.resetCounters();
  const storm = await fire(tabs, requests);
  const counters = { ...server.counters };

  // The same burst again, now with a valid token: what the storm would cost without expiry.
  server.resetCounters();
  const burst = await fire(tabs, requests);
  if (server.counters.refreshCalls !== 0) throw new Error(`a burst on a valid token caused ${server.counters.refreshCalls} refreshes`);

  return {
    refreshCalls: counters.refreshCalls,
    unauthorizedSent: counters.unauthorizedSent,
    reuseDetections: counters.reuseDetections,
    drainMs: storm,
    burstMs: burst,
    refreshRttMs: median(refreshes),
    requestRttMs: median(pings),
  };
}

/**
 * Arms `requests` concurrent GETs in every tab, fires them together (one BroadcastChannel
 * message), and returns the time from the first request to the last response.
 * @param {Page[]} tabs
 * @param {number} requests
 * @returns {Promise<number>}
 */
async function fire(tabs, requests) {
  await Promise.all(tabs.map((tab) => tab.evaluate((r) => window.bench.armStorm(r), requests)));
  await /** @type {Page} */ (tabs[0]).evaluate(() => window.bench.go());
  const results = await Promise.all(tabs.map((tab) => tab.evaluate(() => window.bench.stormResult())));
  const failed = results.flatMap((result) => result.statuses).filter((status) => status !== 200);
  if (failed.length > 0) throw new Error(`${failed.length} storm requests did not answer 200 (${[...new Set(failed)].join(', ')})`);
  return Math.max(...results.map((result) => result.last)) - Math.min(...results.map((result) => result.first));
}
