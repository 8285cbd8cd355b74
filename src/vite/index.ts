/**
 * `sw-auth-proxy/vite`: one line in `vite.config.ts` adds the prebuilt worker to a Vite app,
 * with its config baked in at build time.
 *
 * ```ts
 * import { swAuthProxy } from 'sw-auth-proxy/vite';
 * export default defineConfig({ plugins: [swAuthProxy({ config: { api: ['/api/'], capture: ['/api/auth/login'], refresh: { url: '/api/auth/refresh' } } })] });
 * ```
 *
 * `vite build` emits `auth-proxy-sw.js` (the prebuilt worker, prefixed with one line that sets
 * the config) next to the app; `vite dev` serves the same script at `/auth-proxy-sw.js`. The
 * worker then ignores any `?config=` in its script URL, so no script in the page can register
 * it with another config. The page needs one line: `const auth = await registerAuthProxy();`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { resolveConfig, type AuthProxyConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { BAKED_CONFIG_GLOBAL } from '../core/protocol.js';

export type { AuthProxyConfig } from '../core/config.js';

export interface SwAuthProxyPluginOptions {
  /** The worker's config, fixed at build time. Same shape as `registerAuthProxy({ config })`. */
  config: AuthProxyConfig;
  /**
   * The worker's file name at the root of the build output (and its URL path under `base` in
   * dev). Default: `auth-proxy-sw.js`, which is also `registerAuthProxy()`'s default `worker`.
   */
  fileName?: string;
}

/**
 * The prebuilt worker this plugin bakes: dist/auth-proxy-sw.js, next to this file once built
 * (dist/vite.js). Read when needed, so a rebuilt worker is picked up by a running dev server.
 */
const PREBUILT_WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'auth-proxy-sw.js');

/** Any origin does: URLs are only checked for shape here; the worker resolves them against its own. */
const VALIDATION_ORIGIN = 'https://build-time.invalid';

export function swAuthProxy(options: SwAuthProxyPluginOptions): Plugin {
  const config = bakeableConfig(options?.config);
  const fileName = options.fileName ?? 'auth-proxy-sw.js';
  if (!/^[\w.-]+\.m?js$/.test(fileName) || fileName.startsWith('.')) {
    throw new ConfigError(
      'invalid_config',
      `swAuthProxy: fileName must be a plain .js file name at the output root, got ${JSON.stringify(fileName)}`,
    );
  }
  let sourcemap: boolean | 'inline' | 'hidden' = false;

  return {
    name: 'sw-auth-proxy',

    configResolved(resolved) {
      sourcemap = resolved.build.sourcemap;
    },

    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const pathname = (req.url ?? '').split('?')[0];
        const base = server.config.base.endsWith('/') ? server.config.base : `${server.config.base}/`;
        const wantsMap = pathname === `${base}${fileName}.map`;
        if (pathname !== `${base}${fileName}` && !wantsMap) return next();
        bakeWorker(config, fileName, 'linked').then(
          (baked) => {
            res.setHeader('Content-Type', wantsMap ? 'application/json; charset=utf-8' : 'text/javascript; charset=utf-8');
            res.setHeader('Cache-Control', 'no-cache');
            res.end(wantsMap ? (baked.map ?? '{}') : baked.code);
          },
          (error: unknown) => next(error),
        );
      });
    },

    async generateBundle() {
      // Only the browser build gets a worker (not SSR or other server environments).
      if (this.environment !== undefined && this.environment.config.consumer !== 'client') return;
      // Like the app's own chunks: a map when build.sourcemap asks for one ('inline' gets a linked one).
      const baked = await bakeWorker(config, fileName, sourcemap === false ? 'none' : sourcemap === 'hidden' ? 'hidden' : 'linked');
      this.emitFile({ type: 'asset', fileName, source: baked.code });
      if (baked.map !== null) this.emitFile({ type: 'asset', fileName: `${fileName}.map`, source: baked.map });
    },
  };
}

/** A JSON copy of the config, validated now so a bad config fails the build, not the browser. */
function bakeableConfig(config: unknown): AuthProxyConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError('invalid_config', 'swAuthProxy: options.config must be an object');
  }
  const copy = JSON.parse(JSON.stringify(config)) as AuthProxyConfig;
  try {
    resolveConfig(copy, VALIDATION_ORIGIN, { allowCrossOriginApi: true });
  } catch (error) {
    throw new ConfigError('invalid_config', `swAuthProxy: ${(error as Error).message}`);
  }
  return copy;
}

/**
 * The prebuilt worker with one line in front that sets its config. The source map, when
 * wanted, gets an empty first line (a leading `;` in `mappings`) so it still lines up.
 */
async function bakeWorker(
  config: AuthProxyConfig,
  fileName: string,
  sourcemap: 'none' | 'hidden' | 'linked',
): Promise<{ code: string; map: string | null }> {
  let worker: string;
  try {
    worker = await readFile(PREBUILT_WORKER, 'utf8');
  } catch (error) {
    throw new Error(`swAuthProxy: cannot read the prebuilt worker at ${PREBUILT_WORKER} (is sw-auth-proxy built?)`, { cause: error });
  }
  const prefix = `self.${BAKED_CONFIG_GLOBAL} = JSON.parse(${JSON.stringify(JSON.stringify(config))});\n`;
  const body = worker.replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, '');
  const map = sourcemap === 'none' ? null : await readFile(`${PREBUILT_WORKER}.map`, 'utf8').catch(() => null);
  if (map === null) return { code: `${prefix}${body}\n`, map: null };
  const parsed = JSON.parse(map) as { file?: string; mappings: string };
  parsed.file = fileName;
  parsed.mappings = `;${parsed.mappings}`;
  const comment = sourcemap === 'hidden' ? '' : `//# sourceMappingURL=${fileName}.map\n`;
  return { code: `${prefix}${body}\n${comment}`, map: JSON.stringify(parsed) };
}
