// @ts-check
/**
 * `npm run soak`: a seeded, bounded chaos run of sw-auth-proxy against the reference server in
 * Debian's Chromium. Four tabs keep API traffic going (GETs, and POST/PUT/PATCH bodies whose
 * SHA-256 the server's /api/echo returns) on 3 s tokens while a schedule drawn from the seed
 * makes the refresh endpoint answer 503, hang, drop connections or lose its answers, revokes
 * every access token, stops the service worker about every 12 s, takes the browser offline,
 * and opens and closes tabs. Then the faults stop and every tab must recover.
 *
 *   node bench/soak.mjs [--seed N] [--duration S] [--strict]   (npm run soak builds dist/ first)
 *
 * The schedule is printed at start; `--seed N` replays it (the faults, their moments and the
 * traffic mix; not the browser's exact interleaving). `--strict` runs the server without a
 * reuse grace (see bench/lib/soak-schedule.mjs). Results go to bench/results/soak-<seed>.json,
 * the run's console lines to soak-<seed>.log. Exits non-zero when any assertion fails. Not part
 * of npm test: it runs for minutes.
 */
import { randomInt } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFaultRunner, DRAIN_MS, delay } from './lib/soak-faults.mjs';
import { compactTab, counterTimeline, evaluateSoak, summaryLines } from './lib/soak-report.mjs';
import { buildSchedule, describeFault, SLOTS } from './lib/soak-schedule.mjs';
import {
  ACCESS_TTL,
  closeSoakTab,
  launchSoakBrowser,
  openSoakTab,
  SOAK_CONFIG,
  startSoakServer,
  TRAFFIC,
  untilAuthenticated,
  watchCounters,
} from './lib/soak-tabs.mjs';

/** @typedef {import('./lib/soak-tabs.mjs').SoakTab} SoakTab */
/** @typedef {import('./lib/soak-report.mjs').SoakRun} SoakRun */
/** @typedef {import('./lib/soak-schedule.mjs').Schedule} Schedule */

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
/** Every tab must be `authenticated` this soon after the faults stop. */
const RECOVERY_MS = 5_000;
/** How often the vault is read for the tokens to look for in the logs. */
const VAULT_POLL_MS = 250;
const USAGE = 'use --seed N, --duration S (S >= 20), --strict';

/** @param {string[]} argv */
function parseArgs(argv) {
  let seed = randomInt(1, 2 ** 31);
  let duration = 120;
  let strict = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = /** @type {[string, string | undefined]} */ (argv[i]?.split('=', 2) ?? ['']);
    if (flag === '--strict' && inline === undefined) {
      strict = true;
      continue;
    }
    const number = Number(inline ?? argv[++i]);
    if (flag === '--seed' && Number.isInteger(number) && number >= 0) seed = number;
    else if (flag === '--duration' && Number.isFinite(number) && number >= 20) duration = number;
    else throw new Error(`bad argument ${flag} (${USAGE})`);
  }
  return { seed, duration, strict };
}

/** Every line the soak prints is also searched for tokens. */
/** @type {string[]} */
const printed = [];
/** @param {string} line */
function log(line) {
  printed.push(line);
  process.stdout.write(`${line}\n`);
}

/** @param {Schedule} schedule */
function printSchedule(schedule) {
  const server = schedule.strict
    ? 'strict reuse detection (no grace: an answer lost to a worker stop ends the session)'
    : `reuse grace ${schedule.reuseGrace} s${schedule.lostResponse ? ', lose-response spells' : ''}`;
  log(
    `sw-auth-proxy soak: seed ${schedule.seed}, ${schedule.duration} s of traffic (faults until ${schedule.faultsEnd} s), ${SLOTS} tabs × ${TRAFFIC.lanes} lanes, ${ACCESS_TTL} s tokens, ${server}; load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`,
  );
  log('schedule:');
  for (const fault of schedule.faults) log(describeFault(fault));
  log(`replay: npm run soak -- --seed ${schedule.seed} --duration ${schedule.duration}${schedule.strict ? ' --strict' : ''}`);
  log('');
}

/**
 * Reads the vault from the first steady tab every VAULT_POLL_MS until stopped.
 * @param {SoakTab[]} slots
 * @param {Set<string>} tokens filled as the run goes
 */
function pollVault(slots, tokens) {
  let polling = true;
  const done = (async () => {
    while (polling) {
      try {
        for (const token of await /** @type {SoakTab} */ (slots[0]).page.evaluate(() => window.soak.vaultTokens())) tokens.add(token);
      } catch {
        // The first tab is being replaced; the next poll reads from its successor.
      }
      await delay(VAULT_POLL_MS);
    }
  })();
  return async () => {
    polling = false;
    await done;
  };
}

/**
 * Waits until every open tab is authenticated, and measures how long each took after `clearedAt`.
 * @param {SoakTab[]} open
 * @param {number} clearedAt
 */
function measureRecovery(open, clearedAt) {
  return Promise.all(
    open.map(async (tab) => {
      const within = await untilAuthenticated(tab, RECOVERY_MS);
      // Past the limit, keep waiting a while to say how late it was.
      const eventually = within || (await untilAuthenticated(tab, 25_000));
      return { tab: tab.id, ms: eventually ? Date.now() - clearedAt : null, status: await tab.page.evaluate(() => window.soak.status()) };
    }),
  );
}

async function main() {
  const { seed, duration, strict } = parseArgs(process.argv.slice(2));
  const schedule = buildSchedule(seed, duration, { strict });
  printSchedule(schedule);

  const started = performance.now();
  const server = await startSoakServer();
  server.knobs.reuseGrace = schedule.reuseGrace;
  const counterEvents = watchCounters(server.counters, ['requestsWithoutAuthorization', 'reuseDetections', 'reuseGraceAccepted', 'refreshCalls', 'refreshSuccess']);
  const browser = await launchSoakBrowser();
  const context = await browser.newContext();
  /** @type {SoakRun['logLines']} */
  const logLines = [];
  context.on('console', (message) => logLines.push({ source: message.worker() === null ? 'page' : 'worker', at: Date.now(), text: message.text() }));
  context.on('page', (page) =>
    page.on('pageerror', (error) => logLines.push({ source: 'pageerror', at: Date.now(), text: `${error.name}: ${error.message}\n${error.stack ?? ''}` })),
  );

  /** @type {SoakTab[]} every tab ever opened */
  const tabs = [];
  /** @type {SoakTab[]} the steady tabs, by slot */
  const slots = [];
  /** @param {number | null} slot */
  const openTab = async (slot, login = false) => {
    const tab = await openSoakTab(context, server, { id: tabs.length, slot, seed, login });
    tabs.push(tab);
    return tab;
  };
  let t0 = Date.now();
  const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s]`;
  const faults = createFaultRunner({ server, context, slots, openTab, log, stamp });
  /** @type {Set<string>} */
  const tokens = new Set();

  try {
    slots.push(await openTab(0, true));
    const loggedInAt = Date.now();
    for (let slot = 1; slot < SLOTS; slot++) slots.push(await openTab(slot));
    t0 = Date.now();
    const stopPolling = pollVault(slots, tokens);

    await Promise.all(schedule.faults.map((fault) => delay(t0 + fault.at * 1000 - Date.now()).then(() => faults.perform(fault))));
    await faults.clear();
    const clearedAt = Date.now();
    log(`${stamp()} all faults cleared; waiting for every tab to be authenticated`);
    const remaining = tabs.filter((tab) => tab.closedAt === null);
    const recovery = await measureRecovery(remaining, clearedAt);
    log(`${stamp()} recovery: ${recovery.map((r) => `tab ${r.tab} ${r.ms === null ? `not recovered (${r.status})` : `${r.ms} ms`}`).join(', ')}`);

    await delay(t0 + duration * 1000 - Date.now());
    const trafficEnd = Date.now();
    log(`${stamp()} traffic stops; waiting for every request to settle`);
    await Promise.all(remaining.map((tab) => closeSoakTab(tab, DRAIN_MS, 'end')));
    await stopPolling();

    /** @type {SoakRun} */
    const run = {
      seed,
      schedule,
      t0,
      loggedInAt,
      trafficEnd,
      clearedAt,
      counters: structuredClone(server.counters),
      tabs: tabs.map(({ page: _page, results, ...tab }) => ({ ...tab, results: /** @type {NonNullable<SoakTab['results']>} */ (results) })),
      recovery,
      windows: faults.windows,
      counterEvents,
      deliveries: faults.deliveries,
      tokens: [...tokens],
      logLines: [...logLines, ...printed.map((text) => ({ source: /** @type {const} */ ('soak'), at: 0, text }))],
    };
    const verdict = evaluateSoak(run, { recoveryMs: RECOVERY_MS, accessTtl: ACCESS_TTL, refreshAhead: SOAK_CONFIG.refreshAhead });
    log('');
    for (const line of summaryLines(verdict)) log(line);
    const written = await writeResults(run, verdict, logLines, { chromium: browser.version(), seconds: (performance.now() - started) / 1000 });
    log(`wrote ${written.map((file) => path.relative(process.cwd(), file)).join(' and ')}`);
    const failed = verdict.assertions.filter((assertion) => !assertion.pass);
    if (failed.length > 0) {
      log(`soak FAILED (seed ${seed}): ${failed.map((assertion) => assertion.name).join('; ')}`);
      process.exitCode = 1;
    } else log(`soak passed (seed ${seed})`);
  } finally {
    await browser.close();
    await server.close();
  }
}

/**
 * The results file, and the run's console lines beside it (they hold no token: that is
 * asserted, and a run that found one does not write them).
 * @param {SoakRun} run
 * @param {ReturnType<typeof evaluateSoak>} verdict
 * @param {SoakRun['logLines']} logLines the browser's, without the soak's own
 * @param {{ chromium: string, seconds: number }} about
 * @returns {Promise<string[]>} the files written
 */
async function writeResults(run, verdict, logLines, { chromium, seconds }) {
  const name = `soak-${run.seed}${run.schedule.strict ? '-strict' : ''}`;
  const output = {
    generatedAt: new Date().toISOString(),
    environment: { chromium, cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100) },
    parameters: { accessTtl: ACCESS_TTL, tabs: SLOTS, traffic: TRAFFIC, config: SOAK_CONFIG, recoveryMs: RECOVERY_MS, drainMs: DRAIN_MS },
    schedule: run.schedule,
    t0: run.t0,
    figures: verdict.figures,
    assertions: verdict.assertions,
    deliveries: run.deliveries,
    counters: run.counters,
    counterTimeline: counterTimeline(run.counterEvents, run.t0),
    windows: run.windows.map((w) => ({ ...w, start: (w.start - run.t0) / 1000, end: (w.end - run.t0) / 1000 })),
    tabs: run.tabs.map(compactTab),
    durationSeconds: Math.round(seconds * 10) / 10,
  };
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  await writeFile(file, `${JSON.stringify(output, null, 2)}\n`);
  if (verdict.figures.tokens.leaks.length > 0) return [file];
  const logFile = path.join(RESULTS_DIR, `${name}.log`);
  await writeFile(logFile, logLines.map((line) => `${((line.at - run.t0) / 1000).toFixed(3).padStart(8)} ${line.source.padEnd(9)} ${line.text}\n`).join(''));
  return [file, logFile];
}

main().catch((error) => {
  process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
