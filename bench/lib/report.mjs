// @ts-check
/**
 * Turns results into PASS/MISS targets, the tables of docs/benchmarks.md, the README's short
 * summary, and the latency chart (SVG, written by hand: no chart library).
 */

import { TIMELINE } from './app-page.mjs';

/** @typedef {import('./overhead.mjs').OverheadResult} OverheadResult */
/** @typedef {import('./storm.mjs').StormCell} StormCell */
/** @typedef {import('./replay.mjs').ReplayResult} ReplayResult */
/** @typedef {import('./startup.mjs').ScenarioResult} ScenarioResult */
/** @typedef {import('./startup.mjs').Scenario} Scenario */
/** @typedef {import('./size.mjs').SizeEntry} SizeEntry */
/** @typedef {import('./memory.mjs').MemoryResult} MemoryResult */
/** @typedef {import('./profile.mjs').WorkerProfile} WorkerProfile */
/** @typedef {import('./app-page.mjs').AppPageResult} AppPageResult */

/**
 * @typedef {object} Results
 * @property {string} generatedAt ISO date
 * @property {{ chromium: string, cpus: number, cpuModel: string, node: string, platform: string, loadAverage: number[] }} environment
 * @property {Record<string, unknown>} parameters
 * @property {number} [durationSeconds]
 * @property {OverheadResult} [overhead]
 * @property {WorkerProfile[]} [profile]
 * @property {{ rounds: number, bigCellRounds: number, cells: StormCell[] }} [storm]
 * @property {ReplayResult} [replay]
 * @property {{ rounds: number, scenarios: Record<Scenario, ScenarioResult> }} [startup]
 * @property {SizeEntry[]} [size]
 * @property {MemoryResult} [memory]
 * @property {AppPageResult} [appPage]
 * @property {Target[]} [targets]
 */

/**
 * @typedef {object} Target
 * @property {string} id
 * @property {string} label what is promised
 * @property {string} measured
 * @property {boolean} pass
 * @property {string} [note]
 */

/** Decimal units, as bundle-size tools print them: 1 kB = 1,000 bytes, 1 MB = 1,000,000 bytes. */
const KB = 1000;
const MB = 1000 * 1000;

export const LIMITS = {
  addedP50Ms: 0.05,
  throughputRatio: 0.97,
  stormRefreshes: 1,
  drainRatio: 1.5,
  pageGzipBytes: 7 * KB,
  workerGzipBytes: 13 * KB,
  heapGrowthBytes: 1 * MB,
  /** App page, returning visit, sw-auth-proxy ÷ no worker. */
  appLoadRatio: 1.02,
  appFirstAuthRatio: 1.2,
  /** The same right after the browser stopped the worker (page load and first authenticated response). */
  appStoppedRatio: 1.3,
};

/**
 * @param {Results} results
 * @returns {Target[]}
 */
export function evaluateTargets(results) {
  /** @type {Target[]} */
  const targets = [];
  const { overhead, storm, size, memory, appPage } = results;
  if (appPage !== undefined) targets.push(...appPageTargets(appPage));
  if (overhead !== undefined) {
    const sequential = overhead.levels.find((level) => level.concurrency === 1);
    if (sequential !== undefined) {
      const added = sequential.ratios.cb.addedP50Ms;
      targets.push({
        id: 'overhead-latency',
        label: `p50 latency added over the bare worker (sequential) ≤ ${LIMITS.addedP50Ms} ms`,
        measured: `${signed(added)} ms`,
        pass: added <= LIMITS.addedP50Ms,
      });
    }
    for (const level of overhead.levels) {
      const ratio = level.ratios.cb.throughputRatio;
      targets.push({
        id: `overhead-throughput-c${level.concurrency}`,
        label: `throughput vs the bare worker (${level.concurrency === 1 ? 'sequential' : `concurrency ${level.concurrency}`}) ≥ ${LIMITS.throughputRatio}`,
        measured: `×${fixed(ratio, 2)}`,
        pass: ratio >= LIMITS.throughputRatio,
      });
    }
  }
  if (storm !== undefined) {
    const trials = storm.cells.flatMap((cell) => cell.refreshCalls);
    const exact = trials.filter((calls) => calls === LIMITS.stormRefreshes).length;
    targets.push({
      id: 'storm-refreshes',
      label: 'storm: exactly 1 refresh for every tabs × requests (every trial)',
      measured: `${exact} of ${trials.length} trials (max ${Math.max(...trials)})`,
      pass: exact === trials.length,
    });
    const worstBurst = maxBy(storm.cells, (cell) => cell.burstRatio);
    targets.push({
      id: 'storm-drain-burst',
      label: `storm drain ≤ ${LIMITS.drainRatio} × (refresh RTT + the same burst on a valid token), every cell`,
      measured: `worst ×${fixed(worstBurst.burstRatio, 2)} (${worstBurst.tabs} × ${worstBurst.requests})`,
      pass: worstBurst.burstRatio <= LIMITS.drainRatio,
      note: 'storm-drain',
    });
  }
  if (size !== undefined) {
    const page = size.find((entry) => entry.name === 'page bundle');
    const worker = size.find((entry) => entry.name === 'worker');
    if (page !== undefined) {
      targets.push({ id: 'size-page', label: `page bundle ≤ ${LIMITS.pageGzipBytes / KB} kB gzip`, measured: `${kb(page.gzipBytes)} gzip`, pass: page.gzipBytes <= LIMITS.pageGzipBytes, note: 'size-page' });
    }
    if (worker !== undefined) {
      targets.push({ id: 'size-worker', label: `worker ≤ ${LIMITS.workerGzipBytes / KB} kB gzip`, measured: `${kb(worker.gzipBytes)} gzip`, pass: worker.gzipBytes <= LIMITS.workerGzipBytes });
    }
  }
  if (memory !== undefined) {
    const first = memory.points[0];
    const last = memory.points[memory.points.length - 1];
    targets.push({
      id: 'memory-growth',
      label: `worker heap growth from ${count(first?.requests ?? 0)} to ${count(last?.requests ?? 0)} requests ≤ ${LIMITS.heapGrowthBytes / MB} MB (V8 and Blink heaps)`,
      measured: `V8 ${signedKb(memory.growthBytes)}, Blink ${signedKb(memory.embedderGrowthBytes)} (bare worker: ${signedKb(memory.bareGrowthBytes)}, ${signedKb(memory.bareEmbedderGrowthBytes)})`,
      pass: memory.growthBytes <= LIMITS.heapGrowthBytes && memory.embedderGrowthBytes <= LIMITS.heapGrowthBytes,
      note: 'memory',
    });
  }
  return targets;
}

/**
 * @param {AppPageResult} appPage
 * @returns {Target[]}
 */
function appPageTargets(appPage) {
  const { running, stopped } = appPage.ratios.proxy;
  return [
    {
      id: 'app-load',
      label: `app page, returning visit: page load ≤ ×${LIMITS.appLoadRatio} of no worker`,
      measured: `×${fixed(running.load, 3)}`,
      pass: running.load <= LIMITS.appLoadRatio,
      note: 'app-page',
    },
    {
      id: 'app-first-auth',
      label: `app page, returning visit: first authenticated response ≤ ×${LIMITS.appFirstAuthRatio} of no worker`,
      measured: `×${fixed(running.firstAuth, 3)}`,
      pass: running.firstAuth <= LIMITS.appFirstAuthRatio,
      note: 'app-page',
    },
    {
      id: 'app-stopped',
      label: `app page, after the browser stopped the worker: page load and first authenticated response ≤ ×${LIMITS.appStoppedRatio} of no worker`,
      measured: `×${fixed(stopped.load, 3)}, ×${fixed(stopped.firstAuth, 3)}`,
      pass: stopped.load <= LIMITS.appStoppedRatio && stopped.firstAuth <= LIMITS.appStoppedRatio,
      note: 'app-page',
    },
  ];
}

/**
 * The README's short summary (between the bench markers): the headline ratios and the targets,
 * pointing at docs/benchmarks.md for the rest.
 * @param {Results} results
 * @param {string} detailPath docs/benchmarks.md, relative to the README
 * @returns {string}
 */
export function renderSummary(results, detailPath) {
  const { environment: env, appPage, overhead, storm, size } = results;
  const lines = [
    `_Generated by \`npm run bench\` on ${results.generatedAt.slice(0, 10)}: Chromium ${env.chromium}, ${env.cpus} CPUs, on a shared machine (load average ${env.loadAverage.join(' ')} at the start; above the CPU count, other work competed). ` +
      `Ratios come from configurations interleaved in rounds. Every table, the method and the start-up timeline: [${detailPath}](${detailPath})._`,
    '',
    '| | sw-auth-proxy |',
    '|---|--:|',
  ];
  if (appPage !== undefined) {
    const { running, stopped } = appPage.ratios.proxy;
    lines.push(
      `| App page (${appPage.subresources} subresources + an API call), returning visit: page load, first authenticated response, vs no worker | ×${fixed(running.load, 2)}, ×${fixed(running.firstAuth, 2)} |`,
      `| The same right after the browser stopped the worker | ×${fixed(stopped.load, 2)}, ×${fixed(stopped.firstAuth, 2)} |`,
      `| (for scale: a bare pass-through worker, returning visit / after a stop) | ×${fixed(appPage.ratios.bare.running.load, 2)}, ×${fixed(appPage.ratios.bare.running.firstAuth, 2)} / ×${fixed(appPage.ratios.bare.stopped.load, 2)}, ×${fixed(appPage.ratios.bare.stopped.firstAuth, 2)} |`,
    );
  }
  const sequential = overhead?.levels.find((level) => level.concurrency === 1);
  if (sequential !== undefined) {
    lines.push(
      `| Per API request, sequential, over a bare pass-through worker: p50, throughput | ${signed(sequential.ratios.cb.addedP50Ms)} ms, ×${fixed(sequential.ratios.cb.throughputRatio, 2)} |`,
    );
  }
  if (storm !== undefined) {
    const worst = maxBy(storm.cells, (cell) => cell.burstRatio);
    const refreshes = [...new Set(storm.cells.flatMap((cell) => cell.refreshCalls))].join(', ');
    lines.push(`| Refresh storms (up to ${Math.max(...storm.cells.map((cell) => cell.tabs))} tabs × ${Math.max(...storm.cells.map((cell) => cell.requests))} requests on an expired token): refreshes per storm, worst drain ÷ (refresh RTT + the same burst on a valid token) | ${refreshes}; ×${fixed(worst.burstRatio, 2)} |`);
  }
  const page = size?.find((entry) => entry.name === 'page bundle');
  const worker = size?.find((entry) => entry.name === 'worker');
  if (page !== undefined && worker !== undefined) lines.push(`| Size, gzip: page bundle, worker | ${kb(page.gzipBytes)}, ${kb(worker.gzipBytes)} |`);
  const targets = results.targets ?? [];
  if (targets.length > 0) {
    const missed = targets.filter((target) => !target.pass);
    lines.push(
      '',
      `Targets: ${targets.length - missed.length} of ${targets.length} PASS.` +
        (missed.length === 0 ? '' : ` MISS: ${missed.map((target) => `${target.label} (${target.measured})`).join('; ')}; why, in [${detailPath}](${detailPath}).`),
    );
  }
  return lines.join('\n');
}

/**
 * The generated part of docs/benchmarks.md (between the bench markers): every table.
 * @param {Results} results
 * @param {string} chartPath relative to docs/benchmarks.md
 * @param {string} rawPath bench/results/latest.json, relative to docs/benchmarks.md
 * @returns {string}
 */
export function renderMarkdown(results, chartPath, rawPath) {
  const { environment: env } = results;
  const lines = [];
  lines.push(
    `_Generated by \`npm run bench\` on ${results.generatedAt.slice(0, 10)}: Chromium ${env.chromium}, ${env.cpus} CPUs (${env.cpuModel}), Node ${env.node}` +
      `${results.durationSeconds === undefined ? '' : `, ${Math.round(results.durationSeconds)} s in all`}. ` +
      `The machine is shared (load average ${env.loadAverage.join(' ')} at the start): read the ratios (configurations interleaved in rounds, medians over rounds); absolute times are context. ` +
      `Raw numbers: [\`bench/results/latest.json\`](${rawPath})._`,
    '',
  );
  if (results.targets !== undefined && results.targets.length > 0) {
    lines.push('| Target | Measured | |', '|---|---|---|');
    for (const target of results.targets) lines.push(`| ${target.label} | ${target.measured} | ${target.pass ? 'PASS' : '**MISS**'} |`);
    lines.push('');
  }
  if (results.appPage !== undefined) lines.push(...appPageMarkdown(results.appPage));
  if (results.overhead !== undefined) lines.push(...overheadMarkdown(results.overhead, results.profile, chartPath));
  if (results.storm !== undefined) lines.push(...stormMarkdown(results.storm));
  if (results.replay !== undefined) lines.push(...replayMarkdown(results.replay));
  if (results.startup !== undefined) lines.push(...startupMarkdown(results.startup));
  if (results.size !== undefined) lines.push(...sizeMarkdown(results.size));
  if (results.memory !== undefined) lines.push(...memoryMarkdown(results.memory));
  return lines.join('\n').trimEnd();
}

const CONFIG_LABELS = {
  none: '(a) no worker, the page sets `Authorization`',
  bare: '(b) bare pass-through worker',
  proxy: '(c) sw-auth-proxy',
};

/**
 * @param {OverheadResult} overhead
 * @param {WorkerProfile[] | undefined} profile
 * @param {string} chartPath
 */
function overheadMarkdown(overhead, profile, chartPath) {
  const levels = overhead.levels;
  const lines = [
    '#### Per-request overhead',
    '',
    `${count(overhead.requestsPerConfig)} × \`GET /api/ping\` per configuration and concurrency level, in ${overhead.rounds} interleaved rounds. Latency is per request as page script sees it (body read); throughput is the median over rounds.`,
    '',
    `| Configuration | ${levels.map((level) => `${levelName(level.concurrency)}: p50 | p95 | req/s`).join(' | ')} |`,
    `|---|${levels.map(() => '--:|--:|--:').join('|')}|`,
  ];
  for (const mode of /** @type {const} */ (['none', 'bare', 'proxy'])) {
    lines.push(`| ${CONFIG_LABELS[mode]} | ${levels.map((level) => { const c = level.configs[mode]; return `${fixed(c.p50, 2)} ms | ${fixed(c.p95, 2)} ms | ${Math.round(c.throughput)}`; }).join(' | ')} |`);
  }
  for (const [key, name] of /** @type {const} */ ([['cb', 'c ÷ b'], ['ca', 'c ÷ a']])) {
    lines.push(`| ${name} | ${levels.map((level) => { const r = level.ratios[key]; return `×${fixed(r.p50Ratio, 2)} (${signed(r.addedP50Ms)} ms) | ×${fixed(r.p95Ratio, 2)} | ×${fixed(r.throughputRatio, 2)}`; }).join(' | ')} |`);
  }
  lines.push('', `![Latency distributions of the three configurations](${chartPath})`, '');
  if (profile !== undefined && profile.length > 0) {
    const bare = profile.find((p) => p.mode === 'bare');
    const proxy = profile.find((p) => p.mode === 'proxy');
    if (bare !== undefined && proxy !== undefined) {
      const ours = proxy.groups.filter((g) => /^(src|sw)\//.test(g.group)).reduce((sum, g) => sum + g.usPerRequest, 0);
      const top = proxy.groups.slice(0, 6).map((g) => `${g.group} ${fixed(g.usPerRequest, 1)}`).join(', ');
      lines.push(
        `Worker main-thread time per request, sampled by the V8 CPU profiler over CDP (${count(proxy.requests)} sequential requests each, interleaved; sampling inflates short functions): ` +
          `bare worker ${fixed(bare.busyUsPerRequest, 1)} µs, sw-auth-proxy ${fixed(proxy.busyUsPerRequest, 1)} µs, ` +
          `of which sw-auth-proxy's own code (src/, sw/, with the natives it calls) ${fixed(ours, 1)} µs. Top (µs): ${top}.`,
        '',
      );
    }
  }
  return lines;
}

/** @param {AppPageResult} appPage */
function appPageMarkdown(appPage) {
  const { configs, ratios } = appPage;
  const cell = (/** @type {'none' | 'bare' | 'proxy'} */ config) =>
    `${fixed(configs[config].running.loadMs, 1)} ms | ${fixed(configs[config].running.firstAuthMs, 1)} ms | ${fixed(configs[config].stopped.loadMs, 1)} ms | ${fixed(configs[config].stopped.firstAuthMs, 1)} ms`;
  const ratio = (/** @type {'bare' | 'proxy'} */ config) =>
    `×${fixed(ratios[config].running.load, 3)} | ×${fixed(ratios[config].running.firstAuth, 3)} | ×${fixed(ratios[config].stopped.load, 3)} | ×${fixed(ratios[config].stopped.firstAuth, 3)}`;
  const fastest = (/** @type {'none' | 'bare' | 'proxy'} */ config) =>
    /** @type {const} */ (['running', 'stopped'])
      .flatMap((kind) => [configs[config][kind].loadSamples, configs[config][kind].firstAuthSamples])
      .map((samples) => `${fixed(Math.min(...samples), 1)} ms`)
      .join(' | ');
  /** @type {[import('./app-page.mjs').VisitKind, 'none' | 'bare' | 'proxy'][]} */
  const columns = [];
  for (const kind of /** @type {const} */ (['running', 'stopped'])) for (const config of /** @type {const} */ (['none', 'bare', 'proxy'])) columns.push([kind, config]);
  const short = { none: '(a)', bare: '(b)', proxy: '(c)' };
  return [
    '#### App page',
    '',
    `A page with ${appPage.subresources} uncached subresources (stylesheets, deferred scripts, images) and its app script, which gets the session and makes one authenticated \`GET /api/ping\`; ` +
      'each app script is bundled into one file, the sw-auth-proxy one with the library in it. Returning visits, each in a new tab: (a) no worker, the token in localStorage and the header set by the page; ' +
      '(b) the same page under the bare pass-through worker; (c) sw-auth-proxy (`await registerAuthProxy({ config })`, then `fetch`). Each configuration has its own browser context; ' +
      `every round visits each once with its worker running and once right after the browser stopped it (CDP \`ServiceWorker.stopAllWorkers\`), configurations interleaved in ${appPage.rounds} rounds. Medians; ratios are medians of ratios paired within a round.`,
    '',
    '| Configuration | Returning visit: page load | first authenticated response | After a worker stop: page load | first authenticated response |',
    '|---|--:|--:|--:|--:|',
    `| (a) no worker | ${cell('none')} |`,
    `| (b) bare pass-through worker | ${cell('bare')} |`,
    `| (c) sw-auth-proxy | ${cell('proxy')} |`,
    `| b ÷ a | ${ratio('bare')} |`,
    `| c ÷ a | ${ratio('proxy')} |`,
    '',
    `The fastest of the ${appPage.rounds} visits, the closest a busy machine comes to an idle one:`,
    '',
    '| Configuration | Returning visit: page load | first authenticated response | After a worker stop: page load | first authenticated response |',
    '|---|--:|--:|--:|--:|',
    `| (a) no worker | ${fastest('none')} |`,
    `| (b) bare pass-through worker | ${fastest('bare')} |`,
    `| (c) sw-auth-proxy | ${fastest('proxy')} |`,
    '',
    'Where the time goes: medians of each step, in ms since navigation start (the API call\'s steps from Resource Timing; "reaches the worker" is empty where no worker took part).',
    '',
    `| Step | ${columns.map(([kind, config]) => `${short[config]} ${kind === 'running' ? 'running' : 'after stop'}`).join(' | ')} |`,
    `|---|${columns.map(() => '--:').join('|')}|`,
    ...TIMELINE.map(([step, label]) => `| ${label} | ${columns.map(([kind, config]) => { const value = configs[config][kind].timeline[step]; return value === null ? '' : fixed(value, 1); }).join(' | ')} |`),
    '',
  ];
}

/** @param {{ rounds: number, bigCellRounds: number, cells: StormCell[] }} storm */
function stormMarkdown(storm) {
  const lines = [
    '#### Refresh storm',
    '',
    `Every tab fires its requests at once on an access token that is already expired; interleaved rounds (${storm.rounds}, or ${storm.bigCellRounds} for 400 requests and more), medians. ` +
      'Each trial logs in afresh with a born-expired token; the round trips are measured from a page without a worker next to each trial, and the same burst is repeated on the then valid token.',
    '',
    '| Tabs × requests | Refresh calls (per round) | First request → last response | Refresh RTT | Same burst, valid token | Drain ÷ (refresh RTT + burst) |',
    '|---|---|--:|--:|--:|--:|',
  ];
  for (const cell of storm.cells) {
    lines.push(
      `| ${cell.tabs} × ${cell.requests} | ${cell.refreshCalls.join(', ')} | ${fixed(cell.drainMs, 1)} ms | ${fixed(cell.refreshRttMs, 1)} ms | ${fixed(cell.burstMs, 1)} ms | ×${fixed(cell.burstRatio, 2)} |`,
    );
  }
  lines.push('');
  return lines;
}

/** @param {ReplayResult} replay */
function replayMarkdown(replay) {
  return [
    '#### 401 replay',
    '',
    `The server revokes a valid access token; the next request gets 401 → one refresh → one replay. ${replay.rounds} interleaved rounds, medians.`,
    '',
    '| | Time |',
    '|---|--:|',
    `| 401 → refresh → replay, as the page sees it | ${fixed(replay.replayMs, 1)} ms |`,
    `| plain request through sw-auth-proxy | ${fixed(replay.requestMs, 1)} ms |`,
    `| plain refresh (page, no worker) | ${fixed(replay.refreshMs, 1)} ms |`,
    `| replay ÷ (plain request + plain refresh) | ×${fixed(replay.ratio, 2)} |`,
    `| the same for 2 plain requests + 1 plain refresh | ×${fixed(replay.idealRatio, 2)} |`,
    `| replay − (2 plain requests + 1 plain refresh) | ${signed(replay.extraMs)} ms |`,
    '',
    'Two plain requests through the worker pay the page-to-worker hop twice; a replay pays it once (the worker replays), so it can come in under them.',
    '',
  ];
}

/** @param {{ rounds: number, scenarios: Record<Scenario, ScenarioResult> }} startup */
function startupMarkdown(startup) {
  /** @type {[Scenario, string][]} */
  const rows = [
    ['proxy-first', 'sw-auth-proxy, first visit: worker installs, user logs in'],
    ['none-first', 'no worker, first visit: user logs in'],
    ['proxy-later', 'sw-auth-proxy, later visit: worker installed, session stored'],
    ['none-later', 'no worker, later visit: token in localStorage'],
    ['proxy-killed', 'sw-auth-proxy, after the browser stopped the worker'],
  ];
  return [
    '#### Start-up',
    '',
    `From navigation start to the first authenticated response (\`GET /api/ping\` → 200) on a bare page that loads the library with \`import()\`, fresh browser context each round; ${startup.rounds} rounds, medians. ` +
      '"Ready" is when the page may send authenticated requests: `registerAuthProxy` resolved (and logged in, on a first visit).',
    '',
    '| Visit | Library loaded | `registerAuthProxy` resolved | Ready | First authenticated response | (fastest – slowest round) |',
    '|---|--:|--:|--:|--:|--:|',
    ...rows.map(([scenario, label]) => {
      const result = startup.scenarios[scenario];
      const proxy = scenario.startsWith('proxy');
      return `| ${label} | ${proxy ? `${fixed(result.loadedMs, 1)} ms` : ''} | ${proxy ? `${fixed(result.registeredMs, 1)} ms` : ''} | ${fixed(result.readyMs, 1)} ms | ${fixed(result.firstResponseMs, 1)} ms | ${fixed(Math.min(...result.samples), 0)} – ${fixed(Math.max(...result.samples), 0)} ms |`;
    }),
    '',
  ];
}

/** @param {SizeEntry[]} size */
function sizeMarkdown(size) {
  const lines = ['#### Size', '', '| What | Files | Minified | gzip -9 | brotli -q 11 |', '|---|---|--:|--:|--:|'];
  for (const entry of size) {
    lines.push(`| ${entry.name} | ${entry.files.map((file) => `\`${file}\``).join(' + ')} | ${kb(entry.rawBytes)} | ${kb(entry.gzipBytes)} | ${kb(entry.brotliBytes)} |`);
  }
  const page = size.find((entry) => entry.name === 'page bundle');
  if (page?.breakdown !== undefined) {
    lines.push('', `Page bundle by source (minified bytes): ${page.breakdown.slice(0, 6).map((part) => `${part.group} ${kb(part.bytes)}`).join(', ')}.`);
  }
  lines.push('');
  return lines;
}

/** @param {MemoryResult} memory */
function memoryMarkdown(memory) {
  return [
    '#### Memory',
    '',
    `Worker heap after two full garbage collections, read over CDP from the worker itself; sw-auth-proxy and the bare worker forward the same requests (concurrency ${memory.concurrency}), each one worker instance throughout. ` +
      'V8 holds every JavaScript object; Blink\'s heap holds the platform objects (Request, Response, Headers, FetchEvent).',
    '',
    '| Requests forwarded | sw-auth-proxy V8 heap | sw-auth-proxy Blink heap | bare worker V8 heap | bare worker Blink heap |',
    '|--:|--:|--:|--:|--:|',
    ...memory.points.map((point, index) => {
      const bare = memory.barePoints[index];
      return `| ${count(point.requests)} | ${kb(point.usedBytes)} | ${kb(point.embedderBytes)} | ${bare === undefined ? '' : kb(bare.usedBytes)} | ${bare === undefined ? '' : kb(bare.embedderBytes)} |`;
    }),
    `| growth | ${signedKb(memory.growthBytes)} | ${signedKb(memory.embedderGrowthBytes)} | ${signedKb(memory.bareGrowthBytes)} | ${signedKb(memory.bareEmbedderGrowthBytes)} |`,
    '',
  ];
}

/**
 * Latency CDFs of the three configurations, one panel per concurrency level.
 * @param {OverheadResult} overhead
 * @returns {string}
 */
export function renderLatencyChart(overhead) {
  const panelWidth = 400;
  const panelHeight = 250;
  const margin = { top: 62, right: 20, bottom: 46, left: 52 };
  const gap = 30;
  const width = margin.left + overhead.levels.length * panelWidth + (overhead.levels.length - 1) * (gap + margin.left) + margin.right;
  const height = margin.top + panelHeight + margin.bottom + 28;
  const colors = { none: '#7f7f7f', bare: '#1f77b4', proxy: '#d62728' };
  const names = { none: '(a) no worker', bare: '(b) bare worker', proxy: '(c) sw-auth-proxy' };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="20" font-size="14" font-weight="600">Latency of GET /api/ping: cumulative distribution (left is faster)</text>`,
  ];
  overhead.levels.forEach((level, index) => {
    const x0 = margin.left + index * (panelWidth + gap + margin.left);
    const y0 = margin.top;
    // Up to p99: the last percent is scheduling noise and would squash the rest.
    const xMax = niceCeil(Math.max(...Object.values(level.configs).map((c) => c.quantiles[99] ?? c.p99)));
    const sx = (/** @type {number} */ ms) => x0 + (Math.min(ms, xMax) / xMax) * panelWidth;
    const sy = (/** @type {number} */ fraction) => y0 + panelHeight - fraction * panelHeight;
    parts.push(`<text x="${x0}" y="${y0 - 10}" font-weight="600">${levelName(level.concurrency)}: ${count(overhead.requestsPerConfig)} requests per configuration</text>`);
    parts.push(`<rect x="${x0}" y="${y0}" width="${panelWidth}" height="${panelHeight}" fill="none" stroke="#cccccc"/>`);
    for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
      parts.push(`<line x1="${x0}" y1="${sy(fraction)}" x2="${x0 + panelWidth}" y2="${sy(fraction)}" stroke="#eeeeee"/>`);
      parts.push(`<text x="${x0 - 6}" y="${sy(fraction) + 4}" text-anchor="end" fill="#555555">${Math.round(fraction * 100)}%</text>`);
    }
    const step = xMax / 5;
    for (let tick = 0; tick <= xMax + step / 2; tick += step) {
      parts.push(`<line x1="${sx(tick)}" y1="${y0 + panelHeight}" x2="${sx(tick)}" y2="${y0 + panelHeight + 4}" stroke="#555555"/>`);
      parts.push(`<text x="${sx(tick)}" y="${y0 + panelHeight + 17}" text-anchor="middle" fill="#555555">${trimNumber(tick)}</text>`);
    }
    parts.push(`<text x="${x0 + panelWidth / 2}" y="${y0 + panelHeight + 34}" text-anchor="middle" fill="#333333">latency (ms)</text>`);
    for (const mode of /** @type {const} */ (['none', 'bare', 'proxy'])) {
      const quantiles = level.configs[mode].quantiles.slice(0, 100);
      const points = quantiles.map((ms, i) => `${fixed(sx(ms), 1)},${fixed(sy(i / 100), 1)}`).join(' ');
      parts.push(`<polyline points="${points}" fill="none" stroke="${colors[mode]}" stroke-width="2" stroke-linejoin="round"/>`);
      const p50 = level.configs[mode].p50;
      parts.push(`<circle cx="${fixed(sx(p50), 1)}" cy="${fixed(sy(0.5), 1)}" r="3" fill="${colors[mode]}"><title>${names[mode]} p50 ${fixed(p50, 2)} ms</title></circle>`);
    }
  });
  let legendX = margin.left;
  const legendY = height - 12;
  for (const mode of /** @type {const} */ (['none', 'bare', 'proxy'])) {
    parts.push(`<line x1="${legendX}" y1="${legendY - 4}" x2="${legendX + 22}" y2="${legendY - 4}" stroke="${colors[mode]}" stroke-width="3"/>`);
    parts.push(`<text x="${legendX + 28}" y="${legendY}">${names[mode]}</text>`);
    legendX += 170;
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * Replaces what lies between the bench markers; returns null when the markers are missing.
 * @param {string} readme
 * @param {string} content
 * @returns {string | null}
 */
export function replaceBetweenMarkers(readme, content) {
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from === -1 || to === -1 || to < from) return null;
  return `${readme.slice(0, from + start.length)}\n${content}\n${readme.slice(to)}`;
}

/**
 * Console lines for the targets.
 * @param {Target[]} targets
 * @returns {string[]}
 */
export function targetLines(targets) {
  const width = Math.max(...targets.map((target) => target.label.length));
  return targets.map((target) => `  ${target.pass ? 'PASS' : 'MISS'}  ${target.label.padEnd(width)}  ${target.measured}`);
}

/** @param {number} concurrency */
function levelName(concurrency) {
  return concurrency === 1 ? 'Sequential' : `Concurrency ${concurrency}`;
}

/**
 * @template T
 * @param {T[]} items non-empty
 * @param {(item: T) => number} score
 * @returns {T}
 */
function maxBy(items, score) {
  return items.reduce((best, item) => (score(item) > score(best) ? item : best));
}

/** @param {number} value @param {number} digits */
function fixed(value, digits) {
  return value.toFixed(digits);
}

/** @param {number} value */
function signed(value) {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`;
}

/** @param {number} bytes */
function kb(bytes) {
  return `${(bytes / KB).toFixed(1)} kB`;
}

/** @param {number} bytes */
function signedKb(bytes) {
  return `${bytes >= 0 ? '+' : '−'}${(Math.abs(bytes) / KB).toFixed(1)} kB`;
}

/** @param {number} value */
function count(value) {
  return value.toLocaleString('en-US');
}

/** @param {number} value */
function trimNumber(value) {
  return String(Math.round(value * 100) / 100);
}

/**
 * A round axis maximum (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k) at or above `value`.
 * @param {number} value
 */
function niceCeil(value) {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}
