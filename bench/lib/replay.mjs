// @ts-check
import { newContexts, openBenchPage } from './env.mjs';
import { median, rotate, round } from './stats.mjs';

/** @typedef {import('./env.mjs').Browser} Browser */
/** @typedef {import('./env.mjs').Server} Server */
/** @typedef {import('./env.mjs').Page} Page */

/**
 * @typedef {object} ReplayResult
 * @property {number} rounds
 * @property {number} replayMs median: a request that gets 401 → refresh → replay, as the page sees it
 * @property {number} requestMs median: a plain request through sw-auth-proxy (valid token)
 * @property {number} refreshMs median: a plain refresh from a page without a worker
 * @property {number} floorRequestMs median: a plain request from a page without a worker
 * @property {number} ratio median over rounds of replay / (request + refresh)
 * @property {number} idealRatio median over rounds of (2 × request + refresh) / (request + refresh): what a perfect replay would score
 * @property {number} extraMs median over rounds of replay − (2 × request + refresh)
 * @property {{ replayMs: number, requestMs: number, refreshMs: number, floorRequestMs: number, unauthorizedSent: number, refreshCalls: number }[]} trials
 */

/**
 * A request whose (unexpired) token the server has revoked: 401 → one refresh → one replay.
 * Each trial logs in afresh, so the 401 circuit breaker (3 per minute) never trips.
 * @param {{ browser: Browser, server: Server, rounds: number, log: (line: string) => void }} options
 * @returns {Promise<ReplayResult>}
 */
export async function runReplay({ browser, server, rounds }) {
  const { contexts, close } = await newContexts(browser, 2);
  try {
    const proxy = await openBenchPage(/** @type {import('./env.mjs').BrowserContext} */ (contexts[0]), server, 'proxy');
    const plain = await openBenchPage(/** @type {import('./env.mjs').BrowserContext} */ (contexts[1]), server, 'none');
    // Warm both paths.
    await plain.evaluate(() => window.bench.refreshRtt());
    for (let i = 0; i < 5; i++) {
      await proxy.evaluate(() => window.bench.pingRtt());
      await plain.evaluate(() => window.bench.pingRtt());
    }
    /** @type {ReplayResult['trials']} */
    const trials = [];
    for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
      const trial = { replayMs: 0, requestMs: 0, refreshMs: 0, floorRequestMs: 0, unauthorizedSent: 0, refreshCalls: 0 };
      for (const step of rotate(['plain', 'replay'], roundIndex)) {
        if (step === 'plain') {
          // Refresh first: a replay step may have revoked this page's access token.
          trial.refreshMs = await plain.evaluate(() => window.bench.refreshRtt());
          trial.floorRequestMs = await plain.evaluate(() => window.bench.pingRtt());
          trial.requestMs = await proxy.evaluate(() => window.bench.pingRtt());
        } else {
          await proxy.evaluate(() => window.bench.login());
          server.revokeAccessTokens();
          server.resetCounters();
          trial.replayMs = await proxy.evaluate(() => window.bench.pingRtt());
          trial.unauthorizedSent = server.counters.unauthorizedSent;
          trial.refreshCalls = server.counters.refreshCalls;
          if (trial.unauthorizedSent !== 1 || trial.refreshCalls !== 1) {
            throw new Error(`a replay trial saw ${trial.unauthorizedSent} 401s and ${trial.refreshCalls} refreshes; expected 1 and 1`);
          }
        }
      }
      trials.push(trial);
    }
    const plainSum = (/** @type {ReplayResult['trials'][number]} */ t) => t.requestMs + t.refreshMs;
    return {
      rounds,
      replayMs: round(median(trials.map((t) => t.replayMs)), 2),
      requestMs: round(median(trials.map((t) => t.requestMs)), 2),
      refreshMs: round(median(trials.map((t) => t.refreshMs)), 2),
      floorRequestMs: round(median(trials.map((t) => t.floorRequestMs)), 2),
      ratio: round(median(trials.map((t) => t.replayMs / plainSum(t))), 2),
      idealRatio: round(median(trials.map((t) => (2 * t.requestMs + t.refreshMs) / plainSum(t))), 2),
      extraMs: round(median(trials.map((t) => t.replayMs - (2 * t.requestMs + t.refreshMs))), 2),
      trials: trials.map((t) => ({ ...t, replayMs: round(t.replayMs, 2), requestMs: round(t.requestMs, 2), refreshMs: round(t.refreshMs, 2), floorRequestMs: round(t.floorRequestMs, 2) })),
    };
  } finally {
    await close();
  }
}
