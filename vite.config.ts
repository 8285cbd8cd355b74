import { defineConfig, type UserConfig } from 'vite';

/**
 * Three builds, selected by --mode:
 * - lib:     dist/index.js and dist/sw.js, ESM for bundlers, dependencies left external.
 * - worker:  dist/auth-proxy-sw.js, the prebuilt worker: one classic (IIFE) script, all inlined.
 * - browser: dist/sw-auth-proxy.browser.js, the page bridge as one ESM file for <script type=module>.
 */
const dependencies = ['comlink', 'idb-keyval', 'jose', 'workbox-core', 'workbox-routing'];

const builds: Record<string, UserConfig['build']> = {
  lib: {
    emptyOutDir: true,
    minify: false,
    lib: { entry: { index: 'src/index.ts', sw: 'sw/index.ts' }, formats: ['es'] },
    rolldownOptions: { external: (id) => dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`)) },
  },
  worker: {
    emptyOutDir: false,
    lib: { entry: 'sw/standalone.ts', formats: ['iife'], name: 'swAuthProxyWorker', fileName: () => 'auth-proxy-sw.js' },
  },
  browser: {
    emptyOutDir: false,
    minify: true,
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'sw-auth-proxy.browser.js' },
  },
};

export default defineConfig(({ mode }) => {
  const build = builds[mode];
  if (build === undefined) throw new Error(`vite.config.ts: unknown mode ${mode}; use lib, worker or browser`);
  return {
    // workbox reads process.env.NODE_ENV; a classic worker has no process, so it must be replaced.
    define: { 'process.env.NODE_ENV': '"production"' },
    build: { outDir: 'dist', sourcemap: true, target: 'es2022', ...build },
  };
});
