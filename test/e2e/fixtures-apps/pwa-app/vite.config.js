// @ts-nocheck -- a separate app with its own package.json; the repository's typecheck does not resolve its packages.
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  plugins: [
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.js',
      injectRegister: false, // registerAuthProxy registers the worker
      manifest: false, // or your web app manifest
      devOptions: { enabled: true, type: 'module' },
    }),
  ],
  // For vite dev: scan the worker's imports at start-up too, so its dependencies are optimized
  // before the first visit instead of being found then (which re-optimizes and reloads the page).
  optimizeDeps: { entries: ['index.html', 'src/sw.js'] },
});
