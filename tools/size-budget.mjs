// @ts-check
/**
 * Size budget, run by `npm test` after the build (`npm run size`): what a page and a worker
 * download before they run, gzip level 9, in decimal kB (1 kB = 1,000 bytes), the same measure as
 * the benchmark (bench/lib/size.mjs). An entry counts with the chunks it imports statically;
 * chunks it loads with `import()` are listed but not counted. Over budget, it prints where the
 * bytes come from (bytes per source, from the source maps) and exits 1.
 *
 *   node tools/size-budget.mjs          check dist/ against the budgets
 *   node tools/size-budget.mjs --json   the same, as JSON on stdout
 *
 * A script rather than size-limit: two files, one compression setting and a source-map breakdown
 * need no dependency, and the numbers then match the benchmark's byte for byte.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bytesBySource, decodeSourceMap, sourceGroup } from './sourcemap.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Regression gates at today's sizes, not the targets: the targets are 7 kB for the page
 * bundle and 13 kB for the worker, and both are MISSED (README, Performance, says so).
 *
 * - Page (9.4 kB): comlink (1.5 kB), the synchronous `auth.socket()` and `auth.eventSource()`
 *   facades (pinned API), and the config check that must run before the worker is registered —
 *   unknown keys with a "did you mean", the token-response mapping and capture entries. What
 *   only a failure or some pages need (registration diagnosis, page mode, the socket and event
 *   stream connections) loads on demand from sibling files and is not counted.
 * - Worker (20.7 kB): DPoP (`config.dpop`) is in it whether it is on or not, about 4.9 kB (3.6 kB
 *   of jose's JWS signer, the rest DPoP's own logic); without the signer it measures 17.1 kB, so
 *   the 13 kB target was missed before DPoP (15.6 kB then). It stays in: the pinned contract makes
 *   dist/auth-proxy-sw.js a self-contained worker for the one-line path, `dpop: true` included,
 *   and a classic worker cannot load code on demand (a sibling script through `importScripts`, or
 *   a second prebuilt worker, would break every install that serves this one file).
 *
 * Growth past these gates fails `npm test`.
 */
const BUDGETS = [
  { name: 'page bundle', file: 'dist/sw-auth-proxy.browser.js', gzipBytes: 9_500 },
  { name: 'worker', file: 'dist/auth-proxy-sw.js', gzipBytes: 21_000 },
];

/**
 * @typedef {object} Measured
 * @property {string} name
 * @property {string} file
 * @property {string[]} files the entry and the chunks it imports statically
 * @property {{ file: string, rawBytes: number, gzipBytes: number }[]} lazy chunks loaded with import(), not counted
 * @property {number} rawBytes
 * @property {number} gzipBytes
 * @property {number} budgetGzipBytes
 * @property {boolean} pass
 * @property {{ source: string, bytes: number }[]} breakdown minified bytes by source, largest first
 */

const json = process.argv.includes('--json');
/** @type {Measured[]} */
const results = [];
for (const budget of BUDGETS) {
  if (!existsSync(path.join(ROOT, budget.file))) {
    console.error(`size-budget: ${budget.file} is missing; run \`npm run build\` first.`);
    process.exit(2);
  }
  const { eager, lazy } = chunks(budget.file);
  const code = Buffer.concat(eager.map((file) => readFileSync(path.join(ROOT, file))));
  const gzipBytes = gzipSync(code, { level: 9 }).length;
  results.push({
    name: budget.name,
    file: budget.file,
    files: eager,
    lazy: lazy.map((file) => {
      const chunk = readFileSync(path.join(ROOT, file));
      return { file, rawBytes: chunk.length, gzipBytes: gzipSync(chunk, { level: 9 }).length };
    }),
    rawBytes: code.length,
    gzipBytes,
    budgetGzipBytes: budget.gzipBytes,
    pass: gzipBytes <= budget.gzipBytes,
    breakdown: merge(eager.map((file) => breakdownOf(file))),
  });
}

if (json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  for (const result of results) {
    const verdict = result.pass
      ? `ok, ${kb(result.budgetGzipBytes - result.gzipBytes)} under`
      : `OVER BUDGET by ${kb(result.gzipBytes - result.budgetGzipBytes)} (${Math.round((result.gzipBytes / result.budgetGzipBytes) * 100)} %)`;
    console.log(
      `${result.name.padEnd(12)} ${result.file.padEnd(32)} ${kb(result.rawBytes).padStart(8)}  ${kb(result.gzipBytes).padStart(8)} gzip  budget ${kb(result.budgetGzipBytes)}: ${verdict}`,
    );
    if (result.files.length > 1) console.log(`  counted with the chunks it imports: ${result.files.slice(1).join(', ')}`);
    for (const chunk of result.lazy) console.log(`  not counted, loaded on demand: ${chunk.file} (${kb(chunk.gzipBytes)} gzip)`);
    if (!result.pass) {
      const total = result.breakdown.reduce((sum, entry) => sum + entry.bytes, 0);
      console.log('  bytes by source (share of the gzip size estimated pro rata):');
      for (const { source, bytes } of result.breakdown.slice(0, 15)) {
        const share = total === 0 ? 0 : bytes / total;
        console.log(`    ${source.padEnd(34)} ${kb(bytes).padStart(8)}  ~${kb(share * result.gzipBytes).padStart(8)} gzip`);
      }
    }
  }
}
process.exit(results.every((result) => result.pass) ? 0 : 1);

/** @param {number} bytes */
function kb(bytes) {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

/**
 * The chunks a page loads for an entry: itself and what it imports statically (eager), and what
 * those load with import() (lazy), recursively. Relative imports only: the bundles inline their
 * dependencies.
 * @param {string} entry
 * @returns {{ eager: string[], lazy: string[] }}
 */
function chunks(entry) {
  /** @type {string[]} */
  const eager = [];
  /** @type {string[]} */
  const lazy = [];
  /** @param {string} file @param {string[]} into */
  const visit = (file, into) => {
    if (eager.includes(file) || lazy.includes(file)) return;
    if (!existsSync(path.join(ROOT, file))) {
      console.error(
        `size-budget: ${file}, imported by ${entry}'s chunks, is missing; dist/ is stale or half-built: run \`npm run build\`.`,
      );
      process.exit(2);
    }
    into.push(file);
    const code = readFileSync(path.join(ROOT, file), 'utf8');
    const resolve = (/** @type {string} */ specifier) => path.posix.join(path.posix.dirname(file), specifier);
    for (const match of code.matchAll(/(?:^|[\s;}])(?:import|export)\s*(?:[\w$*{},\s]*?\s*from\s*)?["'](\.{1,2}\/[^"']+)["']/g)) {
      visit(resolve(/** @type {string} */ (match[1])), into);
    }
    // Minifiers may quote the specifier with backticks.
    for (const match of code.matchAll(/\bimport\(\s*["'`](\.{1,2}\/[^"'`]+)["'`]\s*\)/g)) {
      visit(resolve(/** @type {string} */ (match[1])), lazy);
    }
  };
  visit(entry, eager);
  return { eager, lazy: lazy.filter((file) => !eager.includes(file)) };
}

/**
 * @param {string} file
 * @returns {{ source: string, bytes: number }[]}
 */
function breakdownOf(file) {
  const absolute = path.join(ROOT, file);
  if (!existsSync(`${absolute}.map`)) return [{ source: `${file} (no source map)`, bytes: readFileSync(absolute).length }];
  return breakdown(readFileSync(absolute, 'utf8'), JSON.parse(readFileSync(`${absolute}.map`, 'utf8')));
}

/**
 * @param {{ source: string, bytes: number }[][]} lists
 * @returns {{ source: string, bytes: number }[]}
 */
function merge(lists) {
  /** @type {Map<string, number>} */
  const totals = new Map();
  for (const { source, bytes } of lists.flat()) totals.set(source, (totals.get(source) ?? 0) + bytes);
  return [...totals].map(([source, bytes]) => ({ source, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * Attributes every byte of a bundle to the source file its source map names, grouping
 * node_modules by package (the benchmark's decoder, so both report the same breakdown).
 * @param {string} code
 * @param {{ sources: string[], mappings: string }} map
 * @returns {{ source: string, bytes: number }[]}
 */
function breakdown(code, map) {
  /** @type {Map<string, number>} */
  const totals = new Map();
  for (const [source, bytes] of bytesBySource(code, decodeSourceMap(map))) {
    const key = source === '(unmapped)' ? source : sourceGroup(source);
    totals.set(key, (totals.get(key) ?? 0) + bytes);
  }
  return [...totals]
    .map(([source, bytes]) => ({ source, bytes }))
    .filter((entry) => entry.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}
