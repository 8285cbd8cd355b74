import { defineConfig, type UserConfig } from 'vite';

/**
 * Three builds, selected by --mode:
 * - lib:     dist/index.js and dist/sw.js, ESM for bundlers, dependencies left external.
 * - worker:  dist/auth-proxy-sw.js, the prebuilt worker: one classic (IIFE) script, all inlined.
 * - browser: dist/sw-auth-proxy.browser.js, the page bridge as ESM for <script type=module>, all inlined
 *            except chunks loaded on demand (the in-page fallback host), named sw-auth-proxy-*.js beside it.
 * - plugin:  dist/vite.js, the Vite plugin (`sw-auth-proxy/vite`) for Node; node: builtins and vite stay external.
 */
const dependencies = ['comlink', 'idb-keyval', 'jose', 'workbox-core', 'workbox-routing'];

const builds: Record<string, UserConfig['build']> = {
  lib: {
    emptyOutDir: true,
    minify: false,
    lib: { entry: { index: 'src/page/index.ts', sw: 'sw/index.ts' }, formats: ['es'] },
    rolldownOptions: { external: (id) => dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`)) },
  },
  worker: {
    emptyOutDir: false,
    // Users copy this one file to serve it: no sourceMappingURL that would point at a missing file.
    sourcemap: 'hidden',
    lib: { entry: 'sw/standalone.ts', formats: ['iife'], name: 'swAuthProxyWorker', fileName: () => 'auth-proxy-sw.js' },
  },
  browser: {
    emptyOutDir: false,
    minify: true,
    sourcemap: 'hidden',
    lib: { entry: 'src/page/index.ts', formats: ['es'], fileName: () => 'sw-auth-proxy.browser.js' },
    // The in-page fallback host is a lazily imported chunk, served next to the bundle.
    // Full minification: Vite's ES library mode otherwise keeps whitespace and comments.
    // Stable, unhashed names: the README tells users to copy these files next to the worker.
    // `allow-extension` lets the shared modules live in the entry file (which then also exports
    // them to the lazy chunks), so what a page loads up front is this one file.
    rolldownOptions: { preserveEntrySignatures: 'allow-extension', output: { chunkFileNames: 'sw-auth-proxy-[name].js', minify: true } },
  },
  plugin: {
    emptyOutDir: false,
    minify: false,
    lib: { entry: 'src/vite/index.ts', formats: ['es'], fileName: () => 'vite.js' },
    rolldownOptions: { external: (id) => id.startsWith('node:') || id === 'vite' || id.startsWith('vite/') },
  },
};

export default defineConfig(({ mode }) => {
  const build = builds[mode];
  if (build === undefined) throw new Error(`vite.config.ts: unknown mode ${mode}; use lib, worker, browser or plugin`);
  return {
    // workbox reads process.env.NODE_ENV; a classic worker has no process, so it must be replaced.
    define: { 'process.env.NODE_ENV': '"production"' },
    build: { outDir: 'dist', sourcemap: true as boolean | 'hidden', target: 'es2022', ...build },
  };
});
