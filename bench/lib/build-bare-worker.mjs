// @ts-check
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Where the built bare worker lands (gitignored). */
export const BARE_WORKER_FILE = path.join(BENCH_DIR, '.build', 'bare', 'bare-sw.js');

/**
 * Builds bench/bare-sw.js into bench/.build/bare/bare-sw.js with the same setup as the prebuilt
 * worker (vite.config.ts 'worker' mode): one classic IIFE script with everything inlined and
 * process.env.NODE_ENV replaced, because workbox reads it and a classic worker has no process.
 * @returns {Promise<string>} the built file
 */
export async function buildBareWorker() {
  await build({
    configFile: false,
    root: BENCH_DIR,
    logLevel: 'warn',
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir: '.build/bare',
      emptyOutDir: true,
      sourcemap: true,
      target: 'es2022',
      lib: { entry: 'bare-sw.js', formats: ['iife'], name: 'benchBareWorker', fileName: () => 'bare-sw.js' },
    },
  });
  return BARE_WORKER_FILE;
}
