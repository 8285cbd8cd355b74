// @ts-check
/**
 * Builds the PWA example into demo/pwa/dist/ (or `outDir`), served at /pwa/:
 *
 * 1. the app — index.html, offline.html and app.js with the page bridge — bundled by Vite;
 * 2. sw.js — sw.ts bundled into one classic worker script, with the precache manifest (every
 *    file of step 1 with a hash of its content, as workbox-build's injectManifest writes it)
 *    put in place of `self.__WB_MANIFEST`.
 *
 *   node demo/pwa/build.mjs     # or build and serve: node demo/pwa/serve.mjs
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Where the app is served. */
export const PWA_BASE = '/pwa/';

/**
 * @param {{ outDir?: string }} [options]
 * @returns {Promise<{ outDir: string, precached: string[] }>} the output directory, and the URLs precached by sw.js
 */
export async function buildPwa({ outDir = path.join(HERE, 'dist') } = {}) {
  await build({
    configFile: false,
    root: HERE,
    base: PWA_BASE,
    publicDir: false,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      rolldownOptions: { input: { index: path.join(HERE, 'index.html'), offline: path.join(HERE, 'offline.html') } },
    },
  });

  /** @type {{ url: string, revision: string }[]} */
  const manifest = [];
  for (const file of await filesUnder(outDir)) {
    const content = await readFile(path.join(outDir, file));
    manifest.push({ url: `${PWA_BASE}${file}`, revision: createHash('sha256').update(content).digest('hex').slice(0, 16) });
  }

  await build({
    configFile: false,
    root: HERE,
    publicDir: false,
    logLevel: 'warn',
    define: {
      // workbox reads process.env.NODE_ENV; a classic worker has no process.
      'process.env.NODE_ENV': '"production"',
      'self.__WB_MANIFEST': JSON.stringify(manifest),
    },
    build: {
      outDir,
      emptyOutDir: false,
      sourcemap: true,
      target: 'es2022',
      lib: { entry: path.join(HERE, 'sw.ts'), formats: ['iife'], name: 'pwaWorker', fileName: () => 'sw.js' },
    },
  });
  return { outDir, precached: manifest.map((entry) => entry.url) };
}

/**
 * Every file under `dir`, as a URL path relative to it, source maps left out.
 * @param {string} dir
 * @returns {Promise<string[]>}
 */
async function filesUnder(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.map'))
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outDir, precached } = await buildPwa();
  process.stdout.write(`demo/pwa built into ${path.relative(process.cwd(), outDir) || '.'}; precached: ${precached.join(', ')}\n`);
}
