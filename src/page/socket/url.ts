import { ConfigError } from '../../core/errors.js';

/** Relative and http(s) URLs become ws(s) URLs on this page's origin. */
export function socketUrl(url: string | URL): string {
  const resolved = new URL(url, globalThis.location?.href);
  if (resolved.protocol === 'http:') resolved.protocol = 'ws:';
  else if (resolved.protocol === 'https:') resolved.protocol = 'wss:';
  if (resolved.protocol !== 'ws:' && resolved.protocol !== 'wss:')
    throw new ConfigError('invalid_config', `socket URL must be ws:, wss:, http: or https:, got ${resolved.protocol}`);
  return resolved.href;
}

/** The URL with one query parameter set (a ticket or, for legacy servers, the token). */
export function withParam(url: string, name: string, value: string): string {
  const target = new URL(url);
  target.searchParams.set(name, value);
  return target.href;
}
