// @ts-check
import { fileURLToPath } from 'node:url';
import { startBackend } from './launch.js';

/**
 * `node demo/backends/main.js drf|fastapi|callback`: one backend behind its front, serving the
 * e2e harness page (the library loaded as `window.swAuthProxy`) for trying configs by hand.
 */

const kind = process.argv[2];
if (kind !== 'drf' && kind !== 'fastapi' && kind !== 'callback') {
  process.stderr.write('usage: node demo/backends/main.js drf|fastapi|callback (run npm run build first)\n');
  process.exit(2);
}
const harness = fileURLToPath(new URL('../../test/e2e/harness/index.html', import.meta.url));
const backend = await startBackend(kind, { pages: { '/': harness, '/callback': harness } });
process.stdout.write(`${kind} backend ${backend.backendUrl}, app origin ${backend.url}/\n`);
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    backend.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
