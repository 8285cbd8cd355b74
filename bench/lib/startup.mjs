// @ts-check
import { stopWorkers } from './env.mjs';
import { median, rotate, round } from './stats.mjs';

/** @typedef {import('./env.mjs').Browser} Browser */
/** @typedef {import('./env.mjs').BrowserContext} BrowserContext */
/** @typedef {import('./env.mjs').Server} Server */
/** @typedef {import('./env.mjs').Page} Page */
/** @typedef {import('../harness.js').StartupResult} StartupResult */

/** @typedef {'proxy-first' | 'proxy-later' | 'proxy-killed' | 'none-first' | 'none-later'} Scenario */

/**
 * @typedef {object} ScenarioResult
 * @property {number} firstResponseMs median: navigation start → first authenticated response
 * @property {number} loadedMs median: navigation start → the library is loaded (proxy; none: the script starts)
 * @property {number} registeredMs median: navigation start → registerAuthProxy resolved (none: the script starts)
 * @property {number} readyMs median: navigation start → the page can send authenticated requests
 *   (proxy: registerAuthProxy resolved and logged in; none: token in hand)
 * @property {number[]} samples firstResponseMs per round
 */

/** The scenarios, in the order a user meets them. */
export const SCENARIOS = /** @type {const} */ (['proxy-first', 'proxy-later', 'proxy-killed', 'none-first', 'none-later']);

/**
 * Start-up: page load to first authenticated response. Every round uses fresh browser contexts
 * (so the first visit really installs the worker), then a later visit in a new tab, then a
 * visit after the browser stopped the worker. The page without a worker (token in
 * localStorage) is the floor.
 * @param {{ browser: Browser, server: Server, rounds: number, log: (line: string) => void }} options
 * @returns {Promise<{ rounds: number, scenarios: Record<Scenario, ScenarioResult> }>}
 */
export async function runStartup({ browser, server, rounds }) {
  /** @type {Record<Scenario, StartupResult[]>} */
  const results = { 'proxy-first': [], 'proxy-later': [], 'proxy-killed': [], 'none-first': [], 'none-later': [] };
  for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
    for (const mode of rotate(/** @type {const} */ (['proxy', 'none']), roundIndex)) {
      const context = await browser.newContext();
      try {
        const first = await visit(context, server, mode);
        results[`${mode}-first`].push(await result(first, mode, 'first'));
        const later = await visit(context, server, mode);
        await first.close();
        results[`${mode}-later`].push(await result(later, mode, 'later'));
        if (mode === 'proxy') {
          await stopWorkers(later);
          await later.close();
          results['proxy-killed'].push(await result(await visit(context, server, mode), mode, 'later'));
        }
      } finally {
        await context.close();
      }
    }
  }
  /** @type {Partial<Record<Scenario, ScenarioResult>>} */
  const scenarios = {};
  for (const scenario of SCENARIOS) {
    const list = results[scenario];
    scenarios[scenario] = {
      firstResponseMs: round(median(list.map((r) => r.firstResponse)), 1),
      loadedMs: round(median(list.map((r) => r.loaded)), 1),
      registeredMs: round(median(list.map((r) => r.registered)), 1),
      readyMs: round(median(list.map((r) => r.authenticated)), 1),
      samples: list.map((r) => round(r.firstResponse, 1)),
    };
  }
  return { rounds, scenarios: /** @type {Record<Scenario, ScenarioResult>} */ (scenarios) };
}

/**
 * @param {BrowserContext} context
 * @param {Server} server
 * @param {'proxy' | 'none'} mode
 */
async function visit(context, server, mode) {
  const page = await context.newPage();
  await page.goto(`${server.url}/bench.html?startup=${mode}`);
  return page;
}

/**
 * @param {Page} page
 * @param {'proxy' | 'none'} mode
 * @param {'first' | 'later'} expected
 * @returns {Promise<StartupResult>}
 */
async function result(page, mode, expected) {
  await page.waitForFunction(() => window.benchStartup !== undefined);
  const outcome = await page.evaluate(() => window.benchStartup);
  if (outcome === null) throw new Error('the harness did not run its start-up measurement');
  if (outcome.status !== 200) throw new Error(`${mode} start-up: the first request answered ${outcome.status}`);
  if (outcome.visit !== expected) throw new Error(`${mode} start-up: expected a ${expected} visit, the page saw a ${outcome.visit} one`);
  return outcome;
}
