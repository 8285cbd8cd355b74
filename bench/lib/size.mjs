// @ts-check
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { bytesBySource, decodeSourceMap, sourceGroup } from '../../tools/sourcemap.mjs';
import { BARE_WORKER_FILE } from './build-bare-worker.mjs';
import { localImports, SNAPSHOT_DIR } from './snapshot.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * @typedef {object} SizeEntry
 * @property {string} name
 * @property {string[]} files relative to the repository root
 * @property {number} rawBytes
 * @property {number} gzipBytes gzip level 9 (what `gzip -9` and most CDNs' static compression give)
 * @property {number} brotliBytes brotli quality 11
 * @property {{ group: string, bytes: number }[]} [breakdown] minified bytes by source (from the source map)
 */

/**
 * What a page and a worker download, from the run's snapshot of dist/. The browser bundle is
 * the page's ES module (comlink inlined) with the chunks it imports statically; dist/index.js is
 * the bundler entry with its static chunks (dependencies external), for reference.
 * @returns {SizeEntry[]}
 */
export function measureSizes() {
  return [
    entry('page bundle', staticClosure('sw-auth-proxy.browser.js'), true),
    entry('bundler entry', staticClosure('index.js'), false),
    entry('worker', ['auth-proxy-sw.js'], true),
    entry('bare pass-through worker (for scale)', [BARE_WORKER_FILE], false),
  ];
}

/**
 * An entry and every chunk it imports statically, transitively: what loads before it runs.
 * Chunks loaded with import() (the in-page host, the socket's connection) are not counted.
 * @param {string} file relative to the dist snapshot
 * @returns {string[]}
 */
function staticClosure(file) {
  const files = [file];
  for (let i = 0; i < files.length; i++) {
    for (const chunk of localImports(readFileSync(path.join(SNAPSHOT_DIR, /** @type {string} */ (files[i])), 'utf8'))) {
      if (!files.includes(chunk)) files.push(chunk);
    }
  }
  return files;
}

/**
 * @param {string} name
 * @param {string[]} files relative to the dist snapshot, or absolute
 * @param {boolean} breakdown
 * @returns {SizeEntry}
 */
function entry(name, files, breakdown) {
  const paths = files.map((file) => path.resolve(SNAPSHOT_DIR, file));
  const code = Buffer.concat(paths.map((file) => readFileSync(file)));
  /** @type {SizeEntry} */
  const result = {
    name,
    files: files.map((file) => (path.isAbsolute(file) ? path.relative(ROOT, file) : `dist/${file}`)),
    rawBytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    brotliBytes: brotliCompressSync(code, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.length },
    }).length,
  };
  if (breakdown && paths.every((file) => existsSync(`${file}.map`))) {
    /** @type {Map<string, number>} */
    const groups = new Map();
    for (const file of paths) {
      const map = decodeSourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
      for (const [source, bytes] of bytesBySource(readFileSync(file, 'utf8'), map)) {
        const group = sourceGroup(source);
        groups.set(group, (groups.get(group) ?? 0) + bytes);
      }
    }
    result.breakdown = [...groups].map(([group, bytes]) => ({ group, bytes })).sort((a, b) => b.bytes - a.bytes);
  }
  return result;
}
