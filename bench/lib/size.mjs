// @ts-check
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { bytesBySource, decodeSourceMap, sourceGroup } from './sourcemap.mjs';
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
 * the page's self-contained ES module (comlink inlined); dist/index.js is the bundler entry
 * with the shared chunks it imports (dependencies external), for reference.
 * @returns {SizeEntry[]}
 */
export function measureSizes() {
  const chunks = localImports(readFileSync(path.join(SNAPSHOT_DIR, 'index.js'), 'utf8'));
  return [
    entry('page bundle', ['sw-auth-proxy.browser.js'], true),
    entry('bundler entry', ['index.js', ...chunks], false),
    entry('worker', ['auth-proxy-sw.js'], true),
    entry('bare pass-through worker (for scale)', [BARE_WORKER_FILE], false),
  ];
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
  const file = /** @type {string} */ (paths[0]);
  if (breakdown && paths.length === 1 && existsSync(`${file}.map`)) {
    const map = decodeSourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    /** @type {Map<string, number>} */
    const groups = new Map();
    for (const [source, bytes] of bytesBySource(code.toString('utf8'), map)) {
      const group = sourceGroup(source);
      groups.set(group, (groups.get(group) ?? 0) + bytes);
    }
    result.breakdown = [...groups].map(([group, bytes]) => ({ group, bytes })).sort((a, b) => b.bytes - a.bytes);
  }
  return result;
}
