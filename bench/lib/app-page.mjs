// @ts-check
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { APP_PAGES, stopWorkers } from './env.mjs';
import { localImports, SNAPSHOT_DIR } from './snapshot.mjs';
import { median, rotate, round } from './stats.mjs';

/** @typedef {import('./env.mjs').Browser} Browser */
/** @typedef {import('./env.mjs').BrowserContext} BrowserContext */
/** @typedef {import('./env.mjs').Server} Server */
/** @typedef {import('../app/common.js').AppVisit} AppVisit */

/** (a) no worker, token in localStorage; (b) the bare pass-through worker, same page; (c) sw-auth-proxy. */
export const APP_CONFIGS = /** @type {const} */ (['none', 'bare', 'proxy']);
/** @typedef {typeof APP_CONFIGS[number]} AppConfig */

/** The app pages' scripts, before bundling. */
const APP_SOURCES = fileURLToPath(new URL('../app/', import.meta.url));

/** A returning visit with the worker running, and one right after the browser stopped it. */
export const VISIT_KINDS = /** @type {const} */ (['running', 'stopped']);
/** @typedef {typeof VISIT_KINDS[number]} VisitKind */

/**
 * The page's subresources, `count` in all: stylesheets in the head, deferred scripts, and images
 * in the body, in the proportions of 6 : 10 : 24.
 * @param {number} count
 */
function subresourceMix(count) {
  const stylesheets = Math.max(1, Math.round((count * 6) / 40));
  const scripts = Math.max(1, Math.round((count * 10) / 40));
  return { stylesheets, scripts, images: Math.max(1, count - stylesheets - scripts) };
}

/** The steps of a visit, in ms since navigation start (medians), for the start-up timeline. */
export const TIMELINE = /** @type {const} */ ([
  ['documentEnd', 'page HTML received'],
  ['scriptEnd', "app's script received (sw-auth-proxy: the library)"],
  ['scriptStart', "app's script runs"],
  ['ready', 'session in hand (registerAuthProxy resolved / token read)'],
  ['pingWorkerStart', 'API call reaches the worker (Resource Timing workerStart)'],
  ['pingResponseStart', 'API response starts'],
  ['firstAuth', 'first authenticated response read'],
  ['load', 'load event'],
]);
/** @typedef {typeof TIMELINE[number][0]} Step */

/**
 * @typedef {object} CellResult
 * @property {number} loadMs median: navigation start → load event
 * @property {number} firstAuthMs median: navigation start → first authenticated response read
 * @property {Record<Step, number | null>} timeline medians (null when no visit had the step)
 * @property {number[]} loadSamples
 * @property {number[]} firstAuthSamples
 */

/**
 * @typedef {object} AppPageResult
 * @property {number} rounds
 * @property {number} subresources per page, besides the app's own script(s)
 * @property {Record<AppConfig, Record<VisitKind, CellResult>>} configs
 * @property {Record<'bare' | 'proxy', Record<VisitKind, { load: number, firstAuth: number }>>} ratios median over rounds of config ÷ none, paired within the round
 */

/**
 * Writes one page per configuration, identical but for the app's script, with their subresources,
 * and bundles each app script into one file, as an app's bundler does: the library (from the run's
 * snapshot of dist/) inside the sw-auth-proxy app's bundle, so both pages load one script.
 * @param {number} count subresources per page
 * @returns {Promise<number>} the number of subresources per page
 */
export async function writeAppPages(count) {
  await rm(APP_PAGES.dir, { recursive: true, force: true });
  await mkdir(path.join(APP_PAGES.dir, 'assets'), { recursive: true });
  for (const name of ['plain', 'proxy']) await bundleAppScript(name);
  const { stylesheets, scripts, images } = subresourceMix(count);
  const head = [];
  const body = [];
  for (let i = 0; i < stylesheets; i++) {
    await writeFile(path.join(APP_PAGES.dir, 'assets', `style-${i}.css`), `${'.c{color:#123;margin:0 1px}\n'.repeat(60)}.s${i}{padding:${i}px}\n`);
    head.push(`<link rel="stylesheet" href="${APP_PAGES.prefix}assets/style-${i}.css">`);
  }
  for (let i = 0; i < scripts; i++) {
    await writeFile(path.join(APP_PAGES.dir, 'assets', `script-${i}.js`), `${'window.benchNoop=(window.benchNoop||0)+1;\n'.repeat(40)}`);
    head.push(`<script defer src="${APP_PAGES.prefix}assets/script-${i}.js"></script>`);
  }
  for (let i = 0; i < images; i++) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" fill="#${(0x345678 + i * 4099).toString(16).slice(-6)}"/>${'<circle cx="16" cy="16" r="8"/>'.repeat(12)}</svg>\n`;
    await writeFile(path.join(APP_PAGES.dir, 'assets', `image-${i}.svg`), svg);
    body.push(`<img src="${APP_PAGES.prefix}assets/image-${i}.svg" width="32" height="32" alt="">`);
  }
  for (const config of APP_CONFIGS) {
    const script = config === 'proxy' ? 'proxy.js' : 'plain.js';
    // As a bundler's HTML does: preload the chunks the script imports, so none waits for it to be parsed.
    const preloads = (await staticImports(script)).map((chunk) => `<link rel="modulepreload" href="${APP_PAGES.prefix}${chunk}">`);
    const html = [
      '<!doctype html>',
      `<html lang="en" data-mode="${config}">`,
      '<head>',
      '<meta charset="utf-8">',
      `<title>sw-auth-proxy app-page bench (${config})</title>`,
      `<script type="module" src="${APP_PAGES.prefix}${script}"></script>`,
      ...preloads,
      ...head,
      '</head>',
      '<body>',
      '<p>An app page: stylesheets, scripts, images, and an authenticated API call.</p>',
      ...body,
      '</body>',
      '</html>',
      '',
    ].join('\n');
    await writeFile(path.join(APP_PAGES.dir, `${config}.html`), html);
  }
  return stylesheets + scripts + images;
}

/**
 * The chunks a bundled script imports statically, transitively.
 * @param {string} file in the pages' directory
 * @returns {Promise<string[]>}
 */
async function staticImports(file) {
  const files = [file];
  for (let i = 0; i < files.length; i++) {
    for (const chunk of localImports(await readFile(path.join(APP_PAGES.dir, /** @type {string} */ (files[i])), 'utf8'))) {
      if (!files.includes(chunk)) files.push(chunk);
    }
  }
  return files.slice(1);
}

/** @param {string} name bench/app/<name>.js, bundled into the pages' directory */
async function bundleAppScript(name) {
  await build({
    configFile: false,
    root: APP_SOURCES,
    logLevel: 'warn',
    resolve: { alias: { '../../src/page/index.js': path.join(SNAPSHOT_DIR, 'sw-auth-proxy.browser.js') } },
    build: {
      outDir: APP_PAGES.dir,
      emptyOutDir: false,
      target: 'es2022',
      lib: { entry: `${name}.js`, formats: ['es'], fileName: () => `${name}.js` },
      // As the library's own browser build: shared code in the entry, lazy parts beside it.
      rolldownOptions: { preserveEntrySignatures: 'allow-extension', output: { chunkFileNames: `${name}-[name].js`, minify: true } },
    },
  });
}

/**
 * The whole app, not one request: returning visits to a page with its subresources and one
 * authenticated API call, in three configurations, interleaved in rounds. Each configuration has
 * its own browser context; after a first visit (install, login) and `warmups` more, every
 * round makes one visit with the worker running and one right after the browser stopped it
 * (CDP ServiceWorker.stopAllWorkers; without a worker the same call stops nothing).
 * @param {{ browser: Browser, server: Server, rounds: number, warmups: number, subresources: number, log: (line: string) => void }} options
 * @returns {Promise<AppPageResult>}
 */
export async function runAppPage({ browser, server, rounds, warmups, subresources: count, log }) {
  const subresources = await writeAppPages(count);
  /** @type {Map<AppConfig, BrowserContext>} */
  const contexts = new Map();
  try {
    for (const config of APP_CONFIGS) {
      const context = await browser.newContext();
      contexts.set(config, context);
      const first = await visit(context, server, config);
      if (first.visit !== 'first') throw new Error(`${config}: the first visit found a session already`);
      for (let i = 0; i < warmups; i++) await visit(context, server, config, 'returning');
    }
    /** @type {Record<string, AppVisit[]>} */
    const visits = Object.fromEntries(APP_CONFIGS.flatMap((config) => VISIT_KINDS.map((kind) => [`${config}-${kind}`, []])));
    for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
      for (const config of rotate(APP_CONFIGS, roundIndex)) {
        const context = /** @type {BrowserContext} */ (contexts.get(config));
        visits[`${config}-running`]?.push(await visit(context, server, config, 'returning'));
        await stopContextWorkers(context, config !== 'none');
        visits[`${config}-stopped`]?.push(await visit(context, server, config, 'returning'));
      }
      if ((roundIndex + 1) % 5 === 0 || roundIndex + 1 === rounds) log(`  app-page round ${roundIndex + 1}/${rounds}`);
    }
    return summarize(visits, rounds, subresources);
  } finally {
    for (const context of contexts.values()) await context.close();
  }
}

/**
 * @param {BrowserContext} context
 * @param {Server} server
 * @param {AppConfig} config
 * @param {'first' | 'returning'} [expected]
 * @returns {Promise<AppVisit>}
 */
async function visit(context, server, config, expected) {
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}${APP_PAGES.prefix}${config}.html`);
    const result = await page.evaluate(() => /** @type {Promise<AppVisit>} */ (/** @type {{ benchApp: Promise<AppVisit> }} */ (/** @type {unknown} */ (window)).benchApp));
    if (result.status !== 200) throw new Error(`${config}: the first API call answered ${result.status}`);
    if (expected !== undefined && result.visit !== expected) throw new Error(`${config}: expected a ${expected} visit, the page saw a ${result.visit} one`);
    if (expected === 'returning' && result.controlled !== (config !== 'none')) throw new Error(`${config}: the page was ${result.controlled ? '' : 'not '}controlled by a worker`);
    return result;
  } finally {
    await page.close();
  }
}

/**
 * Stops the context's workers, from a blank tab (no client of any worker). Without a worker it
 * takes the same steps, minus waiting for one to stop, so that in every configuration the second
 * visit of a round follows the first as closely (a visit right after another is faster: warm
 * connections, a renderer process to reuse).
 * @param {BrowserContext} context
 * @param {boolean} hasWorker
 */
async function stopContextWorkers(context, hasWorker) {
  const page = await context.newPage();
  try {
    if (hasWorker) {
      await stopWorkers(page);
    } else {
      const cdp = await context.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await cdp.detach();
    }
  } finally {
    await page.close();
  }
}

/**
 * @param {AppVisit} v
 * @returns {Record<Step, number | null>}
 */
function steps(v) {
  return {
    documentEnd: v.document.responseEnd,
    scriptEnd: v.script?.responseEnd ?? null,
    scriptStart: v.scriptStart,
    ready: v.ready,
    pingWorkerStart: v.ping !== null && v.ping.workerStart > 0 ? v.ping.workerStart : null,
    pingResponseStart: v.ping?.responseStart ?? null,
    firstAuth: v.firstAuth,
    load: v.load,
  };
}

/**
 * @param {Record<string, AppVisit[]>} visits
 * @param {number} rounds
 * @param {number} subresources
 * @returns {AppPageResult}
 */
function summarize(visits, rounds, subresources) {
  const list = (/** @type {AppConfig} */ config, /** @type {VisitKind} */ kind) => visits[`${config}-${kind}`] ?? [];
  /** @type {Partial<Record<AppConfig, Record<VisitKind, CellResult>>>} */
  const configs = {};
  for (const config of APP_CONFIGS) {
    /** @type {Partial<Record<VisitKind, CellResult>>} */
    const cells = {};
    for (const kind of VISIT_KINDS) {
      const cell = list(config, kind);
      const timeline = /** @type {Record<Step, number | null>} */ (
        Object.fromEntries(
          TIMELINE.map(([step]) => {
            const values = cell.map((v) => steps(v)[step]).filter((value) => value !== null);
            return [step, values.length === 0 ? null : round(median(values), 1)];
          }),
        )
      );
      cells[kind] = {
        loadMs: round(median(cell.map((v) => v.load)), 1),
        firstAuthMs: round(median(cell.map((v) => v.firstAuth)), 1),
        timeline,
        loadSamples: cell.map((v) => round(v.load, 1)),
        firstAuthSamples: cell.map((v) => round(v.firstAuth, 1)),
      };
    }
    configs[config] = /** @type {Record<VisitKind, CellResult>} */ (cells);
  }
  /** @type {Partial<AppPageResult['ratios']>} */
  const ratios = {};
  for (const config of /** @type {const} */ (['bare', 'proxy'])) {
    /** @type {Partial<Record<VisitKind, { load: number, firstAuth: number }>>} */
    const byKind = {};
    for (const kind of VISIT_KINDS) {
      const floor = list('none', kind);
      const ours = list(config, kind);
      const paired = (/** @type {(v: AppVisit) => number} */ metric) => round(median(ours.map((v, i) => metric(v) / metric(/** @type {AppVisit} */ (floor[i])))), 3);
      byKind[kind] = { load: paired((v) => v.load), firstAuth: paired((v) => v.firstAuth) };
    }
    ratios[config] = /** @type {Record<VisitKind, { load: number, firstAuth: number }>} */ (byKind);
  }
  return {
    rounds,
    subresources,
    configs: /** @type {AppPageResult['configs']} */ (configs),
    ratios: /** @type {AppPageResult['ratios']} */ (ratios),
  };
}
