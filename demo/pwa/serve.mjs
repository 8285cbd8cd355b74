// @ts-check
/**
 * Builds the PWA example and serves it at http://127.0.0.1:5174/pwa/ (PORT=… to change),
 * next to the reference API server. Sign in as demo/demo, then go offline in DevTools and
 * reload: the shell still loads and the session is kept.
 *
 *   npm run build && node demo/pwa/serve.mjs
 */
import { startServer } from '../server/server.js';
import { buildPwa } from './build.mjs';

const { outDir: dir } = await buildPwa();
const server = await startServer({
  port: Number(process.env.PORT ?? 5174),
  host: process.env.HOST || '127.0.0.1',
  accessTtl: Number(process.env.ACCESS_TTL ?? 60),
  staticDirs: [{ prefix: '/pwa/', dir }],
});
process.stdout.write(`sw-auth-proxy PWA example: ${server.url}/pwa/\n`);

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
