/// <reference lib="WebWorker" />
/**
 * The prebuilt worker (dist/auth-proxy-sw.js). Its config is read from its own script URL
 * (`?config=<JSON>`), which is fixed when the worker starts — so it never depends on a
 * message arriving after start-up, and changing the config installs a new worker.
 */
import { ConfigError } from '../src/core/errors.js';
import { createAuthProxy } from './index.js';

declare const self: ServiceWorkerGlobalScope;

function configFromScriptUrl(href: string): unknown {
  const raw = new URL(href).searchParams.get('config');
  if (raw === null) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new ConfigError('the worker script URL has a ?config= parameter that is not JSON');
  }
}

createAuthProxy(configFromScriptUrl(self.location.href) as Parameters<typeof createAuthProxy>[0], {
  takeControl: true,
  allowCrossOriginApi: false,
});
