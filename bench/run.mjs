// @ts-check
/**
 * `npm run bench`: what sw-auth-proxy costs per request, and what a refresh storm costs,
 * measured side by side in one run (Playwright + Debian Chromium, reference server on
 * 127.0.0.1, in-process). Writes bench/results/latest.json, bench/results/latency.svg, the tables
 * of docs/benchmarks.md and the README's short summary (each between the bench markers).
 *
 *   node bench/run.mjs            full run (npm run bench builds dist/ first)
 *   node bench/run.mjs --smoke    a few iterations of everything, no targets, nothing published
 *                                 (part of npm test, so the benchmark cannot rot)
 *   node bench/run.mjs --only=overhead,storm   a subset (results go to bench/results/partial.json)
 *   node bench/run.mjs --render   rewrite the docs, the README block and the chart from latest.json, measuring nothing
 *
 * Exits non-zero only on errors: a missed target is printed as MISS, not a failure.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAppPage } from './lib/app-page.mjs';
import { buildBareWorker } from './lib/build-bare-worker.mjs';
import { launchBrowser, startBenchServer } from './lib/env.mjs';
import { runMemory } from './lib/memory.mjs';
import { runOverhead } from './lib/overhead.mjs';
import { runProfile } from './lib/profile.mjs';
import { runReplay } from './lib/replay.mjs';
import { evaluateTargets, renderLatencyChart, renderMarkdown, renderSummary, replaceBetweenMarkers, targetLines } from './lib/report.mjs';
import { measureSizes } from './lib/size.mjs';
import { snapshotDist } from './lib/snapshot.mjs';
import { runStartup } from './lib/startup.mjs';
import { runStorm } from './lib/storm.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const README = path.join(ROOT, 'README.md');
const DETAIL = path.join(ROOT, 'docs', 'benchmarks.md');
/** The chart and the raw results, relative to the repository root. */
const CHART = 'bench/results/latency.svg';
const RAW = 'bench/results/latest.json';

const FULL = {
  overhead: { requests: 2000, rounds: 20, warmup: 50, concurrencies: [1, 16] },
  profile: { requests: 1200, rounds: 4, warmup: 200 },
  storm: { tabs: [1, 4, 8], requests: [25, 100], rounds: 5, bigCellRounds: 3 },
  replay: { rounds: 15 },
  startup: { rounds: 7 },
  memory: { checkpoints: [1000, 10000], concurrency: 16 },
  appPage: { rounds: 16, warmups: 2, subresources: 40 },
};

const SMOKE = {
  overhead: { requests: 40, rounds: 2, warmup: 10, concurrencies: [1, 4] },
  profile: { requests: 30, rounds: 1, warmup: 10 },
  storm: { tabs: [1, 2], requests: [5], rounds: 1, bigCellRounds: 1 },
  replay: { rounds: 1 },
  startup: { rounds: 1 },
  memory: { checkpoints: [50, 100], concurrency: 4 },
  appPage: { rounds: 1, warmups: 0, subresources: 8 },
};

const BENCHMARKS = ['size', 'overhead', 'profile', 'storm', 'replay', 'startup', 'app-page', 'memory'];

/** @param {string[]} argv */
function parseArgs(argv) {
  let smoke = false;
  let render = false;
  /** @type {string[] | null} */
  let only = null;
  for (const arg of argv) {
    if (arg === '--smoke') smoke = true;
    else if (arg === '--render') render = true;
    else if (arg.startsWith('--only=')) only = arg.slice('--only='.length).split(',').filter(Boolean);
    else throw new Error(`unknown argument ${arg} (use --smoke, --only=${BENCHMARKS.join(',')} or --render)`);
  }
  for (const name of only ?? []) if (!BENCHMARKS.includes(name)) throw new Error(`unknown benchmark ${name} (one of ${BENCHMARKS.join(', ')})`);
  return { smoke, only, render };
}

/** @param {string} line */
function log(line) {
  process.stdout.write(`${line}\n`);
}

async function main() {
  const { smoke, only, render } = parseArgs(process.argv.slice(2));
  if (render) return publish(JSON.parse(await readFile(path.join(RESULTS_DIR, 'latest.json'), 'utf8')));
  const started = performance.now();
  const params = smoke ? SMOKE : FULL;
  const wanted = (/** @type {string} */ name) => only === null || only.includes(name);
  log(`sw-auth-proxy bench${smoke ? ' (smoke: few iterations, targets not evaluated)' : ''}`);
  await snapshotDist();
  await buildBareWorker();
  const server = await startBenchServer();
  const browser = await launchBrowser();
  /** @type {import('./lib/report.mjs').Results} */
  const results = {
    generatedAt: new Date().toISOString(),
    environment: {
      chromium: browser.version(),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      node: process.version,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
    },
    parameters: { smoke, ...params },
  };
  log(`Chromium ${results.environment.chromium}, ${results.environment.cpus} CPUs, load average ${results.environment.loadAverage.join(' ')}`);
  try {
    const context = { browser, server, log };
    /** @param {string} name @param {() => Promise<void> | void} step */
    const run = async (name, step) => {
      if (!wanted(name)) return;
      const t0 = performance.now();
      log(`${name}…`);
      await step();
      log(`${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    };
    await run('size', () => {
      results.size = measureSizes();
    });
    await run('overhead', async () => {
      results.overhead = await runOverhead({ ...context, ...params.overhead });
    });
    await run('profile', async () => {
      results.profile = await runProfile({ ...context, ...params.profile });
    });
    await run('storm', async () => {
      results.storm = await runStorm({ ...context, ...params.storm });
    });
    await run('replay', async () => {
      results.replay = await runReplay({ ...context, ...params.replay });
    });
    await run('startup', async () => {
      results.startup = await runStartup({ ...context, ...params.startup });
    });
    await run('app-page', async () => {
      results.appPage = await runAppPage({ ...context, ...params.appPage });
    });
    await run('memory', async () => {
      results.memory = await runMemory({ ...context, ...params.memory });
    });
  } finally {
    await browser.close();
    await server.close();
  }
  results.durationSeconds = Math.round((performance.now() - started) / 100) / 10;

  await mkdir(RESULTS_DIR, { recursive: true });
  if (smoke) {
    // Render everything (so the report code cannot rot either) but publish nothing.
    const evaluated = { ...results, targets: evaluateTargets(results) };
    renderMarkdown(evaluated, `../${CHART}`, `../${RAW}`);
    renderSummary(evaluated, 'docs/benchmarks.md');
    if (results.overhead !== undefined) renderLatencyChart(results.overhead);
    await writeFile(path.join(RESULTS_DIR, 'smoke.json'), `${JSON.stringify(results, null, 2)}\n`);
    log(`smoke run passed in ${results.durationSeconds} s (bench/results/smoke.json)`);
    return;
  }
  results.targets = evaluateTargets(results);
  printSummary(results);
  if (only !== null) {
    await writeFile(path.join(RESULTS_DIR, 'partial.json'), `${JSON.stringify(results, null, 2)}\n`);
    log('partial run: wrote bench/results/partial.json (README and latest.json untouched)');
    return;
  }
  await writeFile(path.join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote bench/results/latest.json (${results.durationSeconds} s in all)`);
  await publish(results);
}

/**
 * The chart, docs/benchmarks.md and the README summary, from results (a run's, or latest.json's with --render).
 * @param {import('./lib/report.mjs').Results} results
 */
async function publish(results) {
  if (results.overhead !== undefined) await writeFile(path.join(ROOT, CHART), renderLatencyChart(results.overhead));
  await updateBetweenMarkers(DETAIL, renderMarkdown(results, `../${CHART}`, `../${RAW}`));
  await updateBetweenMarkers(README, renderSummary(results, 'docs/benchmarks.md'));
  log(`wrote ${CHART}, docs/benchmarks.md and the README's Performance summary`);
}

/** @param {import('./lib/report.mjs').Results} results */
function printSummary(results) {
  const { overhead, storm, replay, startup, memory, profile, appPage } = results;
  log('');
  if (appPage !== undefined) {
    for (const config of /** @type {const} */ (['bare', 'proxy'])) {
      const { running, stopped } = appPage.ratios[config];
      log(`app page, ${config} ÷ none: load ×${running.load}, first auth ×${running.firstAuth}; after a stop: load ×${stopped.load}, first auth ×${stopped.firstAuth}`);
    }
  }
  if (overhead !== undefined) {
    for (const level of overhead.levels) {
      log(`overhead, ${level.concurrency === 1 ? 'sequential' : `concurrency ${level.concurrency}`}:`);
      for (const [mode, c] of Object.entries(level.configs)) log(`  ${mode.padEnd(5)} p50 ${c.p50.toFixed(2)} ms  p95 ${c.p95.toFixed(2)} ms  ${Math.round(c.throughput)} req/s`);
      const { cb, ca } = level.ratios;
      log(`  c/b p50 ×${cb.p50Ratio} (${cb.addedP50Ms} ms)  throughput ×${cb.throughputRatio};  c/a p50 ×${ca.p50Ratio} (${ca.addedP50Ms} ms)  throughput ×${ca.throughputRatio}`);
    }
  }
  for (const p of profile ?? []) log(`worker CPU per request, ${p.mode}: ${p.busyUsPerRequest} µs (${p.groups.slice(0, 5).map((g) => `${g.group} ${g.usPerRequest}`).join(', ')})`);
  if (storm !== undefined) {
    log('storm:');
    for (const cell of storm.cells) {
      log(`  ${cell.tabs}×${cell.requests}: refreshes ${cell.refreshCalls.join(',')}  drain ${cell.drainMs} ms  refresh ${cell.refreshRttMs} ms  burst ${cell.burstMs} ms  ×${cell.burstRatio}`);
    }
  }
  if (replay !== undefined) log(`replay: ${replay.replayMs} ms vs request ${replay.requestMs} + refresh ${replay.refreshMs} ms: ×${replay.ratio} (ideal ×${replay.idealRatio}, extra ${replay.extraMs} ms)`);
  if (startup !== undefined) {
    log(`start-up: ${Object.entries(startup.scenarios).map(([name, s]) => `${name} ${s.firstResponseMs} ms`).join(', ')}`);
  }
  if (memory !== undefined) log(`memory growth: sw-auth-proxy V8 ${memory.growthBytes} B, Blink ${memory.embedderGrowthBytes} B; bare worker V8 ${memory.bareGrowthBytes} B, Blink ${memory.bareEmbedderGrowthBytes} B`);
  log('');
  log('targets:');
  for (const line of targetLines(results.targets ?? [])) log(line);
  log('');
}

/**
 * Rewrites only what lies between the bench markers of `file`, re-reading it right before
 * writing (others edit the rest).
 * @param {string} file
 * @param {string} content
 */
async function updateBetweenMarkers(file, content) {
  const text = await readFile(file, 'utf8');
  const updated = replaceBetweenMarkers(text, content);
  if (updated === null) {
    log(`${path.relative(ROOT, file)} has no <!-- bench:start --> … <!-- bench:end --> markers: left it alone`);
    return;
  }
  if (updated !== text) await writeFile(file, updated);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
