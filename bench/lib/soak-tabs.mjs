// @ts-check
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startServer } from '../../demo/server/server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../tools/chromium.mjs';

/** @typedef {import('@playwright/test').Browser} Browser */
/** @typedef {import('@playwright/test').BrowserContext} BrowserContext */
/** @typedef {import('@playwright/test').Page} Page */
/** @typedef {Awaited<ReturnType<typeof startServer>>} Server */
/** @typedef {import('../soak-harness.js').TabResults} TabResults */

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * 3 s tokens: a refresh every couple of seconds, so a run of a minute or two crosses dozens of
 * token lifetimes, and every fault meets tokens that expire while it lasts.
 */
export const ACCESS_TTL = 3;

/** The proxy's config in every soak tab (one config, one worker). */
export const SOAK_CONFIG = {
  api: ['/api/'],
  capture: ['/api/auth/login'],
  refresh: { url: '/api/auth/refresh', format: 'json' },
  // A second ahead of a 3 s token: the default 30 s would refresh on every request.
  refreshAhead: 1,
  // The worker logs every decision: the log lines the soak searches for tokens.
  debug: true,
};

const CREDENTIALS = { username: 'demo', password: 'demo' };

/** Traffic per tab: lanes issuing one request at a time, with up to this pause between. */
export const TRAFFIC = { lanes: 2, maxPauseMs: 150 };

/**
 * @typedef {object} SoakTab
 * @property {number} id in order of opening
 * @property {number | null} slot the steady slot it fills, or null for an extra tab
 * @property {Page} page
 * @property {number} openedAt epoch ms
 * @property {number | null} closedAt epoch ms
 * @property {'drained' | 'abrupt' | 'end' | null} closedHow
 * @property {TabResults | null} results final, once closed
 */

/**
 * Debian's Chromium. Unlike the benchmark (bench/lib/env.mjs), the soak keeps Playwright's
 * service-worker network instrumentation on: without it, `context.setOffline` does not reach
 * the worker, and an offline spell would take only the pages offline.
 * @returns {Promise<Browser>}
 */
export function launchSoakBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * The reference server, in-process (knobs and counters read directly), serving the soak harness.
 * The library is served from dist/ as usual (npm run soak builds first).
 * @returns {Promise<Server>}
 */
export function startSoakServer() {
  return startServer({
    testHooks: true,
    accessTtl: ACCESS_TTL,
    static: {
      '/soak.html': path.join(BENCH_DIR, 'soak.html'),
      '/soak-harness.js': path.join(BENCH_DIR, 'soak-harness.js'),
      '/soak-schedule.mjs': path.join(BENCH_DIR, 'lib', 'soak-schedule.mjs'),
    },
  });
}

/**
 * @typedef {'requestsWithoutAuthorization' | 'reuseDetections' | 'reuseGraceAccepted' | 'refreshCalls' | 'refreshSuccess'} WatchedCounter
 * @typedef {{ counter: WatchedCounter, at: number }} CounterEvent
 */

/**
 * Records when the server's counters move (epoch ms), so a figure at the end can be laid over
 * the fault timeline. The server increments plain properties of its live counters object;
 * each is turned into an accessor that notes every increment and keeps the value.
 * @param {Server['counters']} counters
 * @param {readonly WatchedCounter[]} names
 * @returns {CounterEvent[]} filled as the run goes
 */
export function watchCounters(counters, names) {
  /** @type {CounterEvent[]} */
  const events = [];
  for (const counter of names) {
    let value = counters[counter];
    Object.defineProperty(counters, counter, {
      enumerable: true,
      get: () => value,
      set: (next) => {
        if (next > value) events.push({ counter, at: Date.now() });
        value = next;
      },
    });
  }
  return events;
}

/**
 * Opens a tab, registers the proxy in it, logs in if asked, and starts its traffic.
 * @param {BrowserContext} context
 * @param {Server} server
 * @param {{ id: number, slot: number | null, seed: number, login: boolean }} options
 * @returns {Promise<SoakTab>}
 */
export async function openSoakTab(context, server, { id, slot, seed, login }) {
  const page = await context.newPage();
  await page.goto(`${server.url}/soak.html`);
  await page.waitForFunction(() => 'soak' in window);
  await page.evaluate((config) => window.soak.setup(config), SOAK_CONFIG);
  if (login) {
    const status = await page.evaluate((credentials) => window.soak.login(credentials), CREDENTIALS);
    if (status !== 'authenticated') throw new Error(`login ended in ${status}`);
  }
  // Each tab's traffic has its own stream, derived from the run's seed and the tab's number.
  await page.evaluate((options) => window.soak.start(options), { seed: seed * 1009 + id, count: TRAFFIC.lanes, maxPauseMs: TRAFFIC.maxPauseMs });
  return { id, slot, page, openedAt: Date.now(), closedAt: null, closedHow: null, results: null };
}

/**
 * Stops the tab's traffic, waits up to `drainMs` for its requests to settle (what is still
 * pending then counts as lost), keeps its results, and closes it. With `drainMs` 0 the tab
 * is closed with its requests in flight, as a user closing a tab does.
 * @param {SoakTab} tab
 * @param {number} drainMs
 * @param {'drained' | 'abrupt' | 'end'} how
 */
export async function closeSoakTab(tab, drainMs, how) {
  tab.results = await tab.page.evaluate((ms) => window.soak.stop(ms), drainMs);
  tab.closedAt = Date.now();
  tab.closedHow = how;
  await tab.page.close();
}

/**
 * Stops every service worker of the context, as the browser does with an idle one, and
 * waits until Chromium reports it stopped.
 * @param {BrowserContext} context
 * @param {Page} page any page of the context
 * @returns {Promise<boolean>} false when no worker was reported stopped within 5 s
 */
export async function stopWorker(context, page) {
  const cdp = await context.newCDPSession(page);
  try {
    await cdp.send('ServiceWorker.enable');
    /** @type {Promise<boolean>} */
    const stopped = new Promise((resolve) => {
      cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
        if (versions.some((version) => version.runningStatus === 'stopped')) resolve(true);
      });
    });
    await cdp.send('ServiceWorker.stopAllWorkers');
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const gaveUp = new Promise((resolve) => {
      timer = setTimeout(() => resolve(false), 5000);
    });
    const result = /** @type {boolean} */ (await Promise.race([stopped, gaveUp]));
    clearTimeout(timer);
    return result;
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/**
 * Waits until the tab's mirrored session state is `authenticated`.
 * @param {SoakTab} tab
 * @param {number} timeoutMs
 * @returns {Promise<boolean>}
 */
export async function untilAuthenticated(tab, timeoutMs) {
  try {
    await tab.page.waitForFunction(() => window.soak.status() === 'authenticated', undefined, { timeout: timeoutMs, polling: 25 });
    return true;
  } catch {
    return false;
  }
}
