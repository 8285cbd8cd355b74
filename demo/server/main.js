// @ts-check
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.js';

/**
 * CLI entry: `node demo/server/main.js`. Serves the demo app from demo/app/
 * next to the API. Configuration comes from the environment (see README.md).
 */

const DEMO_APP_DIR = fileURLToPath(new URL('../app/', import.meta.url));

/**
 * @param {string} name
 * @param {number} fallback
 * @param {(value: number) => boolean} valid
 * @returns {number}
 */
function numberFromEnv(name, fallback, valid) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!valid(value)) throw new Error(`invalid ${name}: ${raw}`);
  return value;
}

/** @param {number} value */
const isNonNegativeInteger = (value) => Number.isInteger(value) && value >= 0;

const { HOST, TEST_HOOKS, CORS } = process.env;

const server = await startServer({
  port: numberFromEnv('PORT', 5173, (value) => isNonNegativeInteger(value) && value <= 65535),
  host: HOST || '127.0.0.1',
  accessTtl: numberFromEnv('ACCESS_TTL', 60, isNonNegativeInteger),
  refreshTtl: numberFromEnv('REFRESH_TTL', 86400, isNonNegativeInteger),
  clockOffset: numberFromEnv('CLOCK_OFFSET', 0, Number.isFinite),
  testHooks: TEST_HOOKS === '1',
  cors: CORS === '1',
  staticDirs: [{ prefix: '/', dir: path.resolve(DEMO_APP_DIR) }],
});

process.stdout.write(`sw-auth-proxy demo: ${server.url}/\n`);

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
