import { AuthProxyError, ConfigError } from '../core/errors.js';

/** A lazily loaded module that uses the library's classes exports the error class it sees. */
export interface LazyModule {
  readonly AuthProxyError: typeof AuthProxyError;
}

/**
 * Checks that a lazily loaded module shares this copy of the library. The copied browser
 * module's chunks (`sw-auth-proxy-*.js`) import it back as `./sw-auth-proxy.browser.js`;
 * served under another name, the browser evaluates the library a second time, and each copy's
 * errors fail `instanceof` in the other. Say so instead of misbehaving.
 */
export function sameLibrary<T extends LazyModule>(module: T): T {
  if (module.AuthProxyError === AuthProxyError) return module;
  throw new ConfigError(
    'invalid_config',
    `sw-auth-proxy was loaded twice: its chunks import the page module as ./sw-auth-proxy.browser.js, but this page loaded it as ${import.meta.url}; serve the file under its own name, beside its chunks`,
  );
}
