/// <reference lib="WebWorker" />
/**
 * The prebuilt worker (dist/auth-proxy-sw.js). Its config is fixed when the worker starts —
 * so it never depends on a message arriving after start-up — and comes from one of two places:
 *
 * - **Baked in at build time** (the Vite plugin, `sw-auth-proxy/vite`): the script starts with
 *   a line that sets `self.__SW_AUTH_PROXY_CONFIG__`. Then the script URL is ignored, so no
 *   script in the page can register this worker with another config. A baked config is code
 *   the app built, like a composed worker's, so it may list `api` prefixes on other origins.
 * - **The script URL** (`?config=<JSON>`): changing the config installs a new worker. Prefixes
 *   on other origins are refused, since any script could choose this URL.
 *
 * Where the browser has the Static Routing API, the worker sends every request outside the API
 * prefixes and capture URLs (navigations and static assets included) straight to the network at
 * install, so they never start it; it does nothing else, so no route of its own can be bypassed.
 */
import { ConfigError } from '../src/core/errors.js';
import { BAKED_CONFIG_GLOBAL, STATE_MESSAGE, type ControlResult } from '../src/core/protocol.js';
import { ANONYMOUS } from '../src/core/session-state.js';
import { serveControlPorts } from './control-port.js';
import { createAuthProxy } from './index.js';
import { answerProbe, probeUrl } from './probe.js';

declare const self: ServiceWorkerGlobalScope;

type Config = Parameters<typeof createAuthProxy>[0];

function bakedConfig(scope: object): Config | undefined {
  if (!Object.hasOwn(scope, BAKED_CONFIG_GLOBAL)) return undefined;
  const baked: unknown = (scope as Record<string, unknown>)[BAKED_CONFIG_GLOBAL];
  if (typeof baked !== 'object' || baked === null || Array.isArray(baked)) {
    throw new ConfigError('invalid_config', `the worker's baked-in config (${BAKED_CONFIG_GLOBAL}) is not an object`);
  }
  return baked as Config;
}

function configFromScriptUrl(href: string): Config | undefined {
  const raw = new URL(href).searchParams.get('config');
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw) as Config;
  } catch {
    throw new ConfigError('invalid_config', 'the worker script URL has a ?config= parameter that is not JSON');
  }
}

/**
 * Without a config this worker would proxy nothing useful and the app would find out at its
 * first login. It answers every control call with a ConfigError instead, so registerAuthProxy()
 * fails at once with a message that says how to give it one; and the pages' start-up probe, or
 * they would take it for a worker that does not see their requests and reload.
 */
function refuseWithoutConfig(): void {
  const error = new ConfigError(
    'invalid_config',
    'the prebuilt worker has no config: pass it to registerAuthProxy({ config }) (it travels in the script URL), or bake it in with the sw-auth-proxy/vite plugin',
  ).toJSON();
  const answer = async (): Promise<ControlResult> => ({
    type: STATE_MESSAGE,
    revision: 0,
    state: ANONYMOUS,
    event: { type: 'snapshot' },
    tokens: null,
    error,
  });
  const probe = probeUrl(self);
  self.addEventListener('fetch', (event) => void answerProbe(event, probe));
  serveControlPorts(self, { snapshot: answer, login: answer, logout: answer, refresh: answer, accessToken: answer, authorize: answer });
  self.addEventListener('install', () => void self.skipWaiting());
  self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
}

const baked = bakedConfig(self);
const config = baked ?? configFromScriptUrl(self.location.href);
if (config === undefined) refuseWithoutConfig();
else createAuthProxy(config, { takeControl: true, allowCrossOriginApi: baked !== undefined, staticRoutes: true });
