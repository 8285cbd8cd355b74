import { checkKeys, type KeyShape } from './config-keys.js';
import { ConfigError } from './errors.js';
import { RFC6749_MAPPING, resolveTokenMapping, TOKEN_MEMBERS, type TokenMapping, type TokenResponseMapping } from './token-mapping.js';

export type { TokenMapping, TokenResponseMapping } from './token-mapping.js';

/** How the refresh request is sent. */
export type RefreshFormat = 'json' | 'form' | 'cookie';

/**
 * Where a captured token response comes from:
 * - `body`: the JSON response to a POST to `url` (a password login, an OAuth code exchange);
 * - `query` / `fragment`: the URL of a navigation to `url` (a backend that finishes OAuth itself
 *   and redirects to the app with the tokens in the callback URL). The worker stores them and
 *   answers with a redirect to the same URL without the token parameters.
 */
export type CaptureSource = 'body' | 'query' | 'fragment';

/** A capture endpoint with its own source and member names. */
export interface CaptureEntry {
  /** The endpoint (for `body`) or the callback page (for `query` and `fragment`). Required. */
  url: string;
  /** Default: `body`. */
  from?: CaptureSource;
  /** Member (or, in a URL, parameter) names for this entry, over the config's `tokenResponse`. Default: those. */
  tokenResponse?: TokenResponseMapping;
}

/** Configuration shared by the page bridge and the worker. All URLs may be relative to the origin. */
export interface AuthProxyConfig {
  /**
   * URL prefixes whose requests receive the access token, matched at a path-segment boundary:
   * `/api` covers `/api`, `/api/x` and `/api?q`, never `/apiary`. No query or fragment.
   * Default: `['/api/']`.
   */
  api?: string[];
  /**
   * Where token responses are captured and stored: a URL string is a POST endpoint whose JSON
   * token response ([RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1), or as
   * `tokenResponse` maps it) is kept — the first one is what `auth.login()` posts to; an entry
   * object can instead take the tokens from a callback URL's query or fragment. Default: `[]`.
   */
  capture?: (string | CaptureEntry)[];
  /**
   * Where the backend puts the token members in its login, code-exchange and refresh responses
   * (member names or dot paths). Default: RFC 6749 §5.1 names (`access_token`, `refresh_token`,
   * `expires_in`, `id_token`).
   */
  tokenResponse?: TokenResponseMapping;
  /**
   * The refresh endpoint. `json` posts `{"refresh_token": ...}` (the member is `tokenField`); `form` is [RFC 6749 §6](https://www.rfc-editor.org/rfc/rfc6749#section-6)
   * (`grant_type=refresh_token`, `client_id`); `cookie` posts with credentials and sends
   * no refresh token (it lives in an HttpOnly cookie). Default: none — without it the session
   * lasts as long as the access token.
   */
  refresh?: {
    /** The refresh endpoint's URL. Required. */
    url: string;
    /** How the refresh request is sent. Default: `json`. */
    format?: RefreshFormat;
    /** Sent as `scope` with the `form` format. Default: none. */
    scope?: string;
    /**
     * The body member that carries the refresh token, in `json` and `form` refresh bodies and in
     * the JSON logout body (e.g. `refresh` for Django REST framework SimpleJWT). Default: `refresh_token`.
     */
    tokenField?: string;
    /** Milliseconds before a refresh counts as a network failure. Default: 10 000. */
    timeout?: number;
    /**
     * Extra headers on every refresh request, for gateways that want them (Supabase's `apikey`).
     * Public values only: they travel in the config. Not `Authorization`, `Content-Type` or
     * `Cookie`, which the request sets itself. Default: none.
     */
    headers?: Record<string, string>;
  } | null;
  /** Sent as `client_id` with the `form` format ([RFC 6749 §3.2.1](https://www.rfc-editor.org/rfc/rfc6749#section-3.2.1)) and with RFC 7009 revocation. Default: none. */
  clientId?: string;
  /**
   * Where logout revokes the session: an RFC 7009 body when `refresh.format` is `form`, else a JSON
   * body with the refresh token and the access token as Bearer. Local logout never waits for it.
   * Default: none (logout is local only).
   */
  logout?: {
    /** The revocation endpoint's URL. Required. */
    url: string;
    /** Extra headers on the logout request, as `refresh.headers`. Default: none. */
    headers?: Record<string, string>;
  } | null;
  /** Refresh this many seconds before the access token expires. Default: 30. */
  refreshAhead?: number;
  /** Request bodies up to this many bytes are buffered so a 401 can be replayed. Default: 1 MiB. */
  replayBodyLimit?: number;
  /** The worker logs each decision, in one line, to its console. Never a token. Default: false. */
  debug?: boolean;
  /**
   * Protected media: `<img>`, `<audio>`, `<video>`, `<track>` and CSS `url()` images (`no-cors`
   * GETs) on this origin get the token too — under every same-origin `api` prefix (`true`) or
   * under the same-origin prefixes listed. Never navigations, scripts, styles or other origins.
   * Worker mode only (page mode cannot see these requests). Default: false.
   */
  media?: boolean | string[];
  /**
   * URL prefixes the worker never answers, so `XMLHttpRequest` upload progress events keep
   * firing (a service worker that answers a request loses them). The page sets the header
   * itself, from `await auth.accessToken()` (under DPoP, both headers from
   * `await auth.authorize(method, url)`). Where the browser has the Static Routing API, these
   * requests go straight to the network without starting the worker. Default: `[]`.
   */
  upload?: string[];
  /**
   * Bind the tokens to a key pair that cannot leave the browser ([RFC 9449](https://www.rfc-editor.org/rfc/rfc9449) DPoP):
   * every token-endpoint and API request carries a proof signed by a non-extractable
   * ECDSA P-256 key, so a token copied out of storage is useless elsewhere. The server must
   * answer `token_type: DPoP`. Default: false.
   */
  dpop?: boolean;
}

/** A capture entry with its URL resolved and its mapping complete. */
export interface ResolvedCapture {
  url: string;
  from: CaptureSource;
  tokenResponse: TokenMapping;
}

export interface ResolvedConfig {
  origin: string;
  api: string[];
  capture: ResolvedCapture[];
  tokenResponse: TokenMapping;
  refresh: {
    url: string;
    format: RefreshFormat;
    scope: string | null;
    timeoutMs: number;
    tokenField: string;
    headers: Record<string, string>;
  } | null;
  clientId: string | null;
  logout: { url: string; headers: Record<string, string> } | null;
  refreshAheadMs: number;
  replayBodyLimit: number;
  debug: boolean;
  /** Same-origin prefixes under which `no-cors` media requests get the token; empty when off. */
  media: string[];
  /** Prefixes the worker leaves to the network (and statically routes there where it can). */
  upload: string[];
  dpop: boolean;
}

const FORMATS: readonly RefreshFormat[] = ['json', 'form', 'cookie'];
const SOURCES: readonly CaptureSource[] = ['body', 'query', 'fragment'];
const TOKEN_RESPONSE_KEYS: KeyShape = Object.fromEntries(TOKEN_MEMBERS.map((member) => [member, true]));

/** Every option of {@link AuthProxyConfig}; add a key here when you add an option. */
const CONFIG_KEYS: KeyShape = {
  api: true,
  // URL strings, or entries of this shape.
  capture: [{ url: true, from: true, tokenResponse: TOKEN_RESPONSE_KEYS }],
  tokenResponse: TOKEN_RESPONSE_KEYS,
  refresh: { url: true, format: true, scope: true, timeout: true, tokenField: true, headers: true },
  clientId: true,
  logout: { url: true, headers: true },
  refreshAhead: true,
  replayBodyLimit: true,
  debug: true,
  media: true,
  upload: true,
  dpop: true,
};

/**
 * Validates a config and resolves its URLs against `origin`. API prefixes on another
 * origin are refused unless `allowCrossOriginApi` (only a composed worker, whose config
 * is code, may send tokens to another origin).
 */
export function resolveConfig(config: AuthProxyConfig, origin: string, options: { allowCrossOriginApi?: boolean } = {}): ResolvedConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new ConfigError('invalid_config', 'config must be an object');
  checkKeys(config, CONFIG_KEYS, 'config');
  const api = prefixList(config.api ?? ['/api/'], 'api', origin);
  if (api.length === 0) throw new ConfigError('invalid_config', 'config.api must list at least one URL prefix');
  if (!options.allowCrossOriginApi) sameOrigin(api, 'api', origin, 'only a composed worker (createAuthProxy) may allow that');
  const tokenResponse = resolveTokenMapping(config.tokenResponse, RFC6749_MAPPING, 'tokenResponse');
  return {
    origin,
    api,
    capture: captureList(config.capture ?? [], origin, tokenResponse),
    tokenResponse,
    // null is "none" too: the prebuilt worker reads its config as JSON, where null is natural.
    refresh: config.refresh == null ? null : resolveRefresh(config.refresh, origin),
    clientId: optionalString(config.clientId, 'clientId'),
    logout:
      config.logout == null
        ? null
        : { url: resolveUrl(config.logout.url, 'logout.url', origin), headers: extraHeaders(config.logout.headers, 'logout.headers') },
    refreshAheadMs: nonNegative(config.refreshAhead ?? 30, 'refreshAhead') * 1000,
    replayBodyLimit: nonNegative(config.replayBodyLimit ?? 1024 * 1024, 'replayBodyLimit'),
    debug: flag(config.debug, 'debug'),
    media: resolveMedia(config.media, api, origin),
    upload: prefixList(config.upload ?? [], 'upload', origin),
    dpop: flag(config.dpop, 'dpop'),
  };
}

/** `true` is every same-origin api prefix; a list must stay on this origin (markup can name any URL). */
function resolveMedia(value: unknown, api: string[], origin: string): string[] {
  if (value === true) return api.filter((prefix) => new URL(prefix).origin === origin);
  if (value === undefined || value === null || value === false) return [];
  return sameOrigin(prefixList(value, 'media', origin), 'media', origin, 'not for media');
}

function sameOrigin(prefixes: string[], name: string, origin: string, why: string): string[] {
  for (const prefix of prefixes) {
    if (new URL(prefix).origin !== origin)
      throw new ConfigError('invalid_config', `config.${name} prefix ${prefix} is on another origin; ${why}`);
  }
  return prefixes;
}

function resolveRefresh(refresh: NonNullable<AuthProxyConfig['refresh']>, origin: string): ResolvedConfig['refresh'] {
  const format = refresh.format ?? 'json';
  if (!FORMATS.includes(format)) {
    throw new ConfigError('invalid_config', `config.refresh.format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  }
  return {
    url: resolveUrl(refresh.url, 'refresh.url', origin),
    format,
    scope: optionalString(refresh.scope, 'refresh.scope'),
    timeoutMs: nonNegative(refresh.timeout ?? 10_000, 'refresh.timeout'),
    tokenField: tokenField(refresh.tokenField),
    headers: extraHeaders(refresh.headers, 'refresh.headers'),
  };
}

/** Headers the request sets itself, so a config may not: the token, the body's type, the browser's cookies. */
const OWN_HEADERS = ['authorization', 'content-type', 'cookie'];

function extraHeaders(value: unknown, name: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError('invalid_config', `config.${name} must be an object of strings`);
  const headers: Record<string, string> = {};
  for (const [header, text] of Object.entries(value)) {
    if (typeof text !== 'string') throw new ConfigError('invalid_config', `config.${name}.${header} must be a string`);
    if (OWN_HEADERS.includes(header.toLowerCase())) {
      throw new ConfigError('invalid_config', `config.${name} cannot set ${header}: the request sets it itself`);
    }
    try {
      new Headers({ [header]: text });
    } catch {
      throw new ConfigError('invalid_config', `config.${name}.${header} is not a valid header`);
    }
    headers[header] = text;
  }
  return headers;
}

/** The refresh token's body member; never one the request already uses for something else. */
function tokenField(value: unknown): string {
  const field = optionalString(value, 'refresh.tokenField') ?? 'refresh_token';
  if (RESERVED_FIELDS.includes(field)) {
    throw new ConfigError('invalid_config', `config.refresh.tokenField cannot be ${field}: the refresh request sends that member itself`);
  }
  return field;
}

const RESERVED_FIELDS = ['grant_type', 'client_id', 'scope'];

function captureList(value: unknown, origin: string, tokenResponse: TokenMapping): ResolvedCapture[] {
  if (!Array.isArray(value)) throw new ConfigError('invalid_config', 'config.capture must be an array of URL strings or capture entries');
  return value.map((entry: unknown, index) => {
    const name = `capture[${index}]`;
    if (typeof entry === 'string') return { url: resolveUrl(entry, name, origin), from: 'body', tokenResponse };
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new ConfigError('invalid_config', `config.${name} must be a URL string or { url, from?, tokenResponse? }`);
    }
    const { url, from = 'body', tokenResponse: own } = entry as CaptureEntry;
    if (!SOURCES.includes(from)) {
      throw new ConfigError('invalid_config', `config.${name}.from must be one of ${SOURCES.join(', ')}, got ${JSON.stringify(from)}`);
    }
    const resolved = resolveUrl(url, `${name}.url`, origin);
    // A worker sees navigations only on its own origin.
    if (from !== 'body' && new URL(resolved).origin !== origin) {
      throw new ConfigError('invalid_config', `config.${name}.url must be on this origin: a worker never sees navigations to another one`);
    }
    return { url: resolved, from, tokenResponse: resolveTokenMapping(own, tokenResponse, `${name}.tokenResponse`) };
  });
}

function urlList(value: unknown, name: string, origin: string): string[] {
  if (!Array.isArray(value)) throw new ConfigError('invalid_config', `config.${name} must be an array of URL strings`);
  return value.map((entry, index) => resolveUrl(entry, `${name}[${index}]`, origin));
}

/**
 * URL prefixes (matched by `matchesPrefix`, core/prefix.ts): http(s) URLs without query or
 * fragment, which a prefix match never looks at.
 */
function prefixList(value: unknown, name: string, origin: string): string[] {
  const prefixes = urlList(value, name, origin);
  for (const [index, prefix] of prefixes.entries()) {
    // Resolved hrefs: the scheme is lower-case, and any ? or # starts a query or fragment.
    if (!/^https?:[^?#]*$/.test(prefix)) {
      throw new ConfigError(
        'invalid_config',
        `config.${name}[${index}] must be an http(s) URL prefix without query or fragment: ${JSON.stringify(prefix)}`,
      );
    }
  }
  return prefixes;
}

function resolveUrl(value: unknown, name: string, origin: string): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError('invalid_config', `config.${name} must be a non-empty URL string`);
  try {
    return new URL(value, origin).href;
  } catch {
    throw new ConfigError('invalid_config', `config.${name} is not a valid URL: ${JSON.stringify(value)}`);
  }
}

function optionalString(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value === '') throw new ConfigError('invalid_config', `config.${name} must be a non-empty string`);
  return value;
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean')
    throw new ConfigError('invalid_config', `config.${name} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function nonNegative(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError('invalid_config', `config.${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  }
  return value;
}
