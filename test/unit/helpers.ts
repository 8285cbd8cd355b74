/**
 * Shared fixtures for the core unit tests: a fake clock, JWTs, token responses, a fake
 * token/API server behind an injected `fetch`, and an AuthEngine wired to all of them.
 * Nothing here sleeps or touches real timers or the network.
 */
import { SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { resolveConfig, type AuthProxyConfig, type ResolvedConfig } from '../../src/core/config.js';
import type { Dpop } from '../../src/core/dpop.js';
import { AuthEngine } from '../../src/core/engine.js';
import { createLocalLock, type RefreshLock } from '../../src/core/lock.js';
import type { StateMessage } from '../../src/core/protocol.js';
import type { TokenSet } from '../../src/core/token-response.js';
import { createMemoryVault, type TokenVault, type VaultRecord } from '../../src/core/vault.js';

export const ORIGIN = 'https://app.example';
/** A whole second, so HTTP-date round trips (1 s resolution) are exact. */
export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

export const PATHS = {
  api: '/api/',
  login: '/api/auth/login',
  refresh: '/api/auth/refresh',
  logout: '/api/auth/logout',
} as const;

export const url = (path: string): string => new URL(path, ORIGIN).href;

// ---------------------------------------------------------------- clock

export interface FakeClock {
  now: () => number;
  advance: (ms: number) => void;
}

export function createClock(start = T0): FakeClock {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

// ---------------------------------------------------------------- tokens

const SECRET = new TextEncoder().encode('unit-test-secret-unit-test-secret');

/** An HS256-signed JWT (the core never verifies; the signature only makes it realistic). */
export function signedJwt(claims: JWTPayload): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(SECRET);
}

/** An `alg: none` JWT, synchronous. */
export function unsecuredJwt(claims: JWTPayload): string {
  return new UnsecuredJWT(claims).encode();
}

/** Seconds since the epoch of a ms timestamp. */
export const seconds = (ms: number): number => Math.floor(ms / 1000);

/** An RFC 6749 §5.1 token response body. */
export function tokenBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { access_token: 'access-opaque-1', token_type: 'Bearer', expires_in: 3600, refresh_token: 'refresh-opaque-1', ...overrides };
}

/** A stored token set (what the vault holds), opaque tokens by default. */
export function tokenSet(overrides: Partial<TokenSet> = {}): TokenSet {
  return {
    accessToken: 'access-0',
    refreshToken: 'refresh-0',
    expiresAt: T0 + 3_600_000,
    scope: null,
    idToken: null,
    claims: null,
    clockOffset: 0,
    ...overrides,
  };
}

export function sessionRecord(tokens: TokenSet | null, epoch = 1): VaultRecord {
  return { epoch, tokens, ended: null };
}

// ---------------------------------------------------------------- responses

export function jsonResponse(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { 'Content-Type': 'application/json', ...init.headers },
  });
}

/** A 401 with an RFC 6750 §3 Bearer challenge (`error` omitted when null). */
export function unauthorized(error: string | null = 'invalid_token'): Response {
  const challenge = error === null ? 'Bearer realm="api"' : `Bearer realm="api", error="${error}"`;
  return new Response(null, { status: 401, headers: { 'WWW-Authenticate': challenge } });
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// ---------------------------------------------------------------- fake server

export type Handler = (request: Request) => Response | Promise<Response>;

export interface RecordedCall {
  request: Request;
  /** The body bytes as sent (read from a clone taken when the call was made). */
  body: Promise<ArrayBuffer>;
}

/**
 * A fetch that routes by URL pathname to handlers and records every call, synchronously,
 * at the moment it is made (so counts are exact even while responses are pending).
 */
export interface FakeServer {
  fetch: (request: Request) => Promise<Response>;
  on: (path: string, handler: Handler) => void;
  calls: (path: string) => RecordedCall[];
  count: (path: string) => number;
}

export function createServer(routes: Record<string, Handler> = {}): FakeServer {
  const handlers = new Map<string, Handler>(Object.entries(routes));
  const log: RecordedCall[] = [];
  const calls = (path: string): RecordedCall[] => log.filter((call) => new URL(call.request.url).pathname === path);
  return {
    fetch: async (request) => {
      const body = request.body === null ? Promise.resolve(new ArrayBuffer(0)) : request.clone().arrayBuffer();
      log.push({ request, body });
      const handler = handlers.get(new URL(request.url).pathname);
      if (handler === undefined) return new Response('not found', { status: 404 });
      return handler(request);
    },
    on: (path, handler) => {
      handlers.set(path, handler);
    },
    calls,
    count: (path) => calls(path).length,
  };
}

/**
 * A refresh endpoint that rotates: the n-th call issues `access-n` / `refresh-n`
 * (both omitted refresh tokens when `rotateRefresh` is false).
 */
export function rotatingRefresh(
  options: { rotateRefresh?: boolean; expiresIn?: number; prefix?: string } = {},
): Handler & { issued: () => number } {
  let issued = 0;
  const prefix = options.prefix ?? '';
  const handler: Handler = () => {
    issued += 1;
    const body: Record<string, unknown> = {
      access_token: `${prefix}access-${issued}`,
      token_type: 'Bearer',
      expires_in: options.expiresIn ?? 3600,
    };
    if (options.rotateRefresh ?? true) body.refresh_token = `${prefix}refresh-${issued}`;
    return jsonResponse(body);
  };
  return Object.assign(handler, { issued: () => issued });
}

// ---------------------------------------------------------------- engine harness

export const BASE_CONFIG: AuthProxyConfig = {
  api: [PATHS.api],
  capture: [PATHS.login],
  refresh: { url: PATHS.refresh, format: 'json' },
  clientId: 'unit-spa',
  refreshAhead: 30,
};

export interface Harness {
  engine: AuthEngine;
  server: FakeServer;
  clock: FakeClock;
  vault: TokenVault;
  lock: RefreshLock;
  config: ResolvedConfig;
  messages: StateMessage[];
  logs: string[];
}

export interface HarnessOptions {
  config?: AuthProxyConfig;
  /** Initial vault record; ignored when `vault` is given. Default: no session. */
  record?: VaultRecord;
  vault?: TokenVault;
  lock?: RefreshLock;
  server?: FakeServer;
  clock?: FakeClock;
  random?: () => number;
  /** DPoP proofs (the host's `dpop`); `config.dpop` should say so too. Default: none. */
  dpop?: Dpop;
}

export function createHarness(options: HarnessOptions = {}): Harness {
  const clock = options.clock ?? createClock();
  const server = options.server ?? createServer();
  const vault = options.vault ?? createMemoryVault(options.record);
  const lock = options.lock ?? createLocalLock();
  const config = resolveConfig(options.config ?? BASE_CONFIG, ORIGIN);
  const messages: StateMessage[] = [];
  const logs: string[] = [];
  const engine = new AuthEngine({
    config,
    fetch: server.fetch,
    vault,
    lock,
    now: clock.now,
    random: options.random ?? (() => 0.5),
    // Never aborts: these tests control time through the fake clock, not timers.
    timeout: () => new AbortController().signal,
    publish: (message) => messages.push(message),
    log: (message) => logs.push(message),
    ...(options.dpop === undefined ? {} : { dpop: options.dpop }),
  });
  return { engine, server, clock, vault, lock, config, messages, logs };
}

/** The ResolvedConfig's refresh endpoint for a format (for the request builders). */
export function refreshEndpoint(format: 'json' | 'form' | 'cookie', scope?: string): NonNullable<ResolvedConfig['refresh']> {
  const refresh = resolveConfig(
    { refresh: scope === undefined ? { url: PATHS.refresh, format } : { url: PATHS.refresh, format, scope } },
    ORIGIN,
  ).refresh;
  if (refresh === null) throw new Error('unreachable: refresh was configured');
  return refresh;
}

export const text = async (body: Promise<ArrayBuffer>): Promise<string> => new TextDecoder().decode(await body);
