import type { ResolvedConfig } from '../core/config.js';
import type { ControlResult } from '../core/protocol.js';
import { createProxy, type ProxyOptions } from '../browser/proxy.js';
import { AuthClient } from './client.js';

/**
 * The fallback when no service worker can run (Firefox private windows, workers disabled,
 * insecure origins): the same core, hosted in this page. `window.fetch` is wrapped (not
 * XMLHttpRequest); tabs share tokens through IndexedDB, refresh single-flight under the same
 * Web Lock as the worker, and hear each other on the same BroadcastChannel.
 */
export function hostInPage(config: ResolvedConfig, options: ProxyOptions = {}): AuthClient {
  const nativeFetch = globalThis.fetch.bind(globalThis);
  const send = (request: Request): Promise<Response> => nativeFetch(request);
  let client: AuthClient | null = null;
  const { controlApi, handle } = createProxy(config, send, { ...options, publish: (message) => client?.receive(message) });
  client = new AuthClient(
    { call: (method, ...args) => (controlApi[method] as (...callArgs: unknown[]) => Promise<ControlResult>)(...args) },
    'page',
  );
  globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => handle(new Request(input, init));
  return client;
}
