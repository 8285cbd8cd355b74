import { ConfigError } from './errors.js';

/**
 * Where a backend puts the members of its token response. Each value is a member name, or a
 * dot path into nested objects (`data.session.access_token`); `null` says the backend never
 * sends that member. In a callback URL (`capture` with `from: 'query' | 'fragment'`) each value
 * is a parameter name. Plain strings only, so a config survives JSON (the worker's script URL,
 * the Vite plugin's baked config).
 */
export interface TokenResponseMapping {
  /** Default: `access_token` (RFC 6749 §5.1). */
  accessToken?: string;
  /** Default: `refresh_token`. */
  refreshToken?: string | null;
  /** Seconds from receipt. Default: `expires_in`. */
  expiresIn?: string | null;
  /** Absolute expiry in epoch seconds on the server's clock (e.g. Supabase's `expires_at`). Default: none. */
  expiresAt?: string | null;
  /** Default: `id_token` (OpenID Connect Core §3.1.3.3). */
  idToken?: string | null;
}

export type TokenMember = keyof TokenResponseMapping;

/** A mapping with every default applied. Plain data, so the resolved config can travel as JSON too. */
export interface TokenMapping {
  accessToken: string;
  refreshToken: string | null;
  expiresIn: string | null;
  expiresAt: string | null;
  idToken: string | null;
  /**
   * The members the config named itself. A response without one of them means the mapping
   * is wrong, so it is an error rather than an absence (except that a refresh response may
   * always leave out the refresh and ID tokens: RFC 6749 §6, OpenID Connect Core §12.2).
   */
  named: TokenMember[];
}

export const TOKEN_MEMBERS: readonly TokenMember[] = ['accessToken', 'refreshToken', 'expiresIn', 'expiresAt', 'idToken'];

export const RFC6749_MAPPING: TokenMapping = Object.freeze({
  accessToken: 'access_token',
  refreshToken: 'refresh_token',
  expiresIn: 'expires_in',
  expiresAt: null,
  idToken: 'id_token',
  named: [],
});

/**
 * Applies `mapping` over `base` member by member (a capture entry over the config's
 * `tokenResponse`, that over RFC 6749). `name` is the config key, for error messages.
 */
export function resolveTokenMapping(mapping: unknown, base: TokenMapping, name: string): TokenMapping {
  if (mapping === undefined || mapping === null) return base;
  if (typeof mapping !== 'object' || Array.isArray(mapping)) throw new ConfigError('invalid_config', `config.${name} must be an object`);
  const resolved: TokenMapping = { ...base, named: [...base.named] };
  for (const member of TOKEN_MEMBERS) {
    if (!Object.hasOwn(mapping, member)) continue;
    const value: unknown = (mapping as Record<string, unknown>)[member];
    if (value === undefined) continue;
    if (value === null && member !== 'accessToken') {
      resolved[member] = null;
      resolved.named = resolved.named.filter((named) => named !== member);
      continue;
    }
    resolved[member] = checkPath(value, `${name}.${member}`);
    if (!resolved.named.includes(member)) resolved.named.push(member);
  }
  return resolved;
}

/** Never members of a JSON body; as path segments they would reach into prototypes. */
const RESERVED_SEGMENTS = ['__proto__', 'constructor', 'prototype'];

function checkPath(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '')
    throw new ConfigError('invalid_config', `config.${name} must be a member name or dot path`);
  if (value.split('.').some((segment) => segment === '')) {
    throw new ConfigError('invalid_config', `config.${name} has an empty segment: ${JSON.stringify(value)}`);
  }
  if (value.split('.').some((segment) => RESERVED_SEGMENTS.includes(segment))) {
    throw new ConfigError('invalid_config', `config.${name} names an object's built-in property: ${JSON.stringify(value)}`);
  }
  return value;
}

/** Where a dot path leads in a parsed JSON body; `found: false` when any step is missing. */
export function readPath(body: unknown, path: string): { found: true; value: unknown } | { found: false } {
  let node = body;
  for (const segment of path.split('.')) {
    // Own properties only: a path never reaches into prototypes (`constructor`, `__proto__`).
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, segment)) return { found: false };
    node = (node as Record<string, unknown>)[segment];
  }
  return { found: true, value: node };
}

/** The path of the object that holds the member at `path`, or null for a top-level member. */
export function parentPath(path: string): string | null {
  const dot = path.lastIndexOf('.');
  return dot === -1 ? null : path.slice(0, dot);
}

/** The object that holds the member at `path`: where `token_type` and `scope` sit beside the access token. */
export function parentOf(body: unknown, path: string): Record<string, unknown> | null {
  const above = parentPath(path);
  const parent = above === null ? { found: true as const, value: body } : readPath(body, above);
  if (!parent.found || typeof parent.value !== 'object' || parent.value === null || Array.isArray(parent.value)) return null;
  return parent.value as Record<string, unknown>;
}

/**
 * A copy of a JSON value without `secret` anywhere: every member or array element whose value
 * is exactly that string is dropped, at any depth, so a backend that repeats the refresh token
 * (`{ refresh, data: { tokens: { refresh } } }`) does not leak the second copy.
 */
export function withoutValue(value: unknown, secret: string): unknown {
  if (Array.isArray(value)) return value.filter((item) => item !== secret).map((item) => withoutValue(item, secret));
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member !== secret) copy[key] = withoutValue(member, secret);
  return copy;
}

/** A copy of a JSON value without the member at `path` (whatever its value). */
export function withoutPath(value: unknown, path: string): unknown {
  const [head = '', ...rest] = path.split('.');
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, head)) return value;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (rest.length === 0) delete copy[head];
  else copy[head] = withoutPath(copy[head], rest.join('.'));
  return copy;
}
