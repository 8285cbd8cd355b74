import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';
import { startServer } from '../../demo/server/server.js';
import type { AuthProxyConfig } from '../../src/page/index.js';
import { JSON_CONFIG, apiFetch, expect, test, type Server, type Tab } from './fixtures.js';

/**
 * `dpop: true` in the two install paths that do not put the config in the script URL (dpop.spec.ts
 * covers `registerAuthProxy({ config })`): baked in by the Vite plugin, and in code in a composed
 * worker (`createAuthProxy`). Each worker is built in a temp dir and registered without a config.
 */

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HARNESS = fileURLToPath(new URL('./harness/index.html', import.meta.url));
const CONFIG: AuthProxyConfig = { ...JSON_CONFIG, dpop: true };

type Plugin = ReturnType<typeof import('../../src/vite/index.js').swAuthProxy>;

/** What the Vite plugin emits for a build: the built plugin (dist/vite.js) with its real `generateBundle`. */
async function bakedWorker(dir: string): Promise<string> {
  const { swAuthProxy } = (await import(pathToFileURL(path.join(REPO_ROOT, 'dist', 'vite.js')).href)) as {
    swAuthProxy: (options: { config: AuthProxyConfig }) => Plugin;
  };
  const emitted: { fileName: string; source: string }[] = [];
  const generateBundle = swAuthProxy({ config: CONFIG }).generateBundle as unknown as (this: unknown) => Promise<void>;
  await generateBundle.call({ environment: undefined, emitFile: (file: { fileName: string; source: string }) => emitted.push(file) });
  const worker = emitted.find((file) => file.fileName === 'auth-proxy-sw.js');
  if (worker === undefined) throw new Error('the plugin emitted no auth-proxy-sw.js');
  const file = path.join(dir, 'baked-sw.js');
  await writeFile(file, worker.source);
  return file;
}

/** A composed worker: `createAuthProxy(config)` in the app's own worker script, bundled as one classic script. */
async function composedWorker(dir: string): Promise<string> {
  const entry = path.join(dir, 'composed-sw.ts');
  const source = `import { createAuthProxy } from ${JSON.stringify(path.join(REPO_ROOT, 'sw', 'index.ts'))};
createAuthProxy(${JSON.stringify(CONFIG)}, { takeControl: true });
`;
  await writeFile(entry, source);
  await build({
    configFile: false,
    root: dir,
    publicDir: false,
    logLevel: 'warn',
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir: path.join(dir, 'out'),
      emptyOutDir: true,
      target: 'es2022',
      lib: { entry, formats: ['iife'], name: 'composedWorker', fileName: () => 'composed-sw.js' },
    },
  });
  return path.join(dir, 'out', 'composed-sw.js');
}

async function register(page: Tab, server: Server, worker: string): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => 'swAuthProxy' in window);
  await page.evaluate(async (worker) => {
    window.auth = await window.swAuthProxy.registerAuthProxy({ worker, mode: 'worker' });
  }, worker);
}

const PATHS = { baked: bakedWorker, composed: composedWorker } as const;

for (const [kind, make] of Object.entries(PATHS)) {
  test(`${kind} worker: dpop: true binds the tokens and signs the API requests`, async ({ session }) => {
    const page = await session.newTab();
    const dir = await mkdtemp(path.join(tmpdir(), `sw-auth-proxy-dpop-${kind}-`));
    let server: Server | undefined;
    try {
      const worker = `/${kind}-sw.js`;
      server = await startServer({ testHooks: true, accessTtl: 300, dpop: true, static: { '/': HARNESS, [worker]: await make(dir) } });
      await register(page, server, worker);
      expect(await page.evaluate(() => window.auth.dpop)).toBe(true);
      expect(await page.evaluate(async () => (await window.auth.login({ username: 'demo', password: 'demo' })).status)).toBe(
        'authenticated',
      );
      expect((await apiFetch(page, '/api/me')).status).toBe(200);
      // The login and the API request, both proved by one key.
      expect(server.counters.dpopProofsVerified).toBe(2);
      expect(Object.values(server.counters.dpopProofsByKey)).toEqual([2]);
      expect(server.counters.dpopProofsRejected).toBe(0);
    } finally {
      await server?.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
