import { AuthClient } from './client.js';
import { resolveConfig, type AuthProxyConfig } from './core/config.js';
import { createControlApi, type ControlResult } from './core/control.js';
import { handleRoutedRequest } from './core/pipeline.js';
import { routeFor } from './core/routing.js';
import { CHANNEL_NAME } from './core/session-state.js';
import { createBrowserEngine, type EngineOptions } from './host/create-engine.js';

/**
 * The fallback when no service worker can run (Firefox private windows, workers disabled,
 * insecure origins): the same core, hosted in this page. `window.fetch` is wrapped (not
 * XMLHttpRequest); tabs share tokens through IndexedDB, refresh single-flight under the same
 * Web Lock as the worker, and hear each other on the same BroadcastChannel.
 */
export function hostInPage(config: AuthProxyConfig, options: EngineOptions = {}): AuthClient {
  const resolved = resolveConfig(config, location.origin);
  const nativeFetch = globalThis.fetch.bind(globalThis);
  const send = (request: Request): Promise<Response> => nativeFetch(request);
  let client: AuthClient | null = null;
  const engine = createBrowserEngine(resolved, send, new BroadcastChannel(CHANNEL_NAME), {
    ...options,
    publish: (message) => client?.receive(message),
  });
  const control = createControlApi(engine, send);
  client = new AuthClient(
    { call: (method, ...args) => (control[method] as (...callArgs: unknown[]) => Promise<ControlResult>)(...args) },
    'page',
  );
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const kind = routeFor(request, resolved);
    if (kind === 'pass') return nativeFetch(request);
    return handleRoutedRequest(kind, request, engine, send, resolved.replayBodyLimit);
  };
  return client;
}
