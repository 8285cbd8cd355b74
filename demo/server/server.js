// @ts-check
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAccessTokens } from './access-tokens.js';
import { createClock } from './clock.js';
import { createCounters, resetCounters } from './counters.js';
import { createEventStreams } from './events.js';
import { createDpop } from './dpop.js';
import { createKnobs, isTtl } from './knobs.js';
import { createRequestListener } from './router.js';
import { createSessionStore } from './sessions.js';
import { createSigningKeys } from './signing-keys.js';
import { createStaticHandler } from './static.js';
import { attachWebSockets } from './websocket.js';

/**
 * Reference OAuth 2.0 authorization server + protected API for sw-auth-proxy's
 * demo and tests. Lifecycle only: option defaults, key generation, listening
 * and closing. Routing is in router.js.
 */

/** Repository root: this file is <repo>/demo/server/server.js. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The built library, served at fixed paths when present (checked per request,
 * so building after start works). The source maps sit where each bundle's
 * sourceMappingURL comment points, for debugging in the browser.
 * @type {Readonly<Record<string, string>>}
 */
export const DEFAULT_STATIC = {
  '/auth-proxy-sw.js': path.join(REPO_ROOT, 'dist', 'auth-proxy-sw.js'),
  '/auth-proxy-sw.js.map': path.join(REPO_ROOT, 'dist', 'auth-proxy-sw.js.map'),
  '/sw-auth-proxy.browser.js.map': path.join(REPO_ROOT, 'dist', 'sw-auth-proxy.browser.js.map'),
};

/** @type {Readonly<Record<string, string>>} */
const DEFAULT_USERS = { demo: 'demo', alice: 'wonderland' };

/**
 * @typedef {object} ServerOptions
 * @property {number} [port] 0 (default) picks a free port
 * @property {string} [host] default 127.0.0.1
 * @property {number} [accessTtl] access-token lifetime in seconds, default 60; 0 issues already-expired tokens
 * @property {number} [refreshTtl] refresh-token lifetime in seconds, default 86400
 * @property {string} [clientId] the only accepted client_id, default 'demo-spa'
 * @property {boolean} [testHooks] mount /__test/* endpoints
 * @property {boolean} [cors] answer preflights and allow any origin
 * @property {number} [clockOffset] seconds added to the server clock (iat/exp/expiry/Date header)
 * @property {Record<string, string>} [static] URL path to absolute file path
 * @property {{ prefix: string, dir: string }[]} [staticDirs] URL prefix to absolute directory
 * @property {Record<string, string>} [users] username to password, default demo/demo and alice/wonderland
 * @property {boolean} [dpop] DPoP mode (RFC 9449): the token endpoints and the API require proofs, tokens are bound to the key (dpop.js)
 */

/**
 * @typedef {object} RunningServer
 * @property {string} url origin without trailing slash, e.g. http://127.0.0.1:5173; also the token issuer
 * @property {number} port
 * @property {() => Promise<void>} close stops listening and drops open connections; idempotent
 * @property {import('./counters.js').Counters} counters live object
 * @property {import('./knobs.js').Knobs} knobs live object; changes apply to the next request
 * @property {() => void} resetCounters zeroes counters in place
 * @property {() => number} revokeAccessTokens revokes every access token issued so far; returns how many
 * @property {import('./websocket.js').WebSockets} websockets the chat WebSocket at /ws/chat (history, dropAll)
 * @property {import('./events.js').EventStreams} events the server-sent events at /api/events (emit, dropAll, lastEventIds)
 * @property {() => void} rotateDpopNonces DPoP mode: a new nonce; proofs with the previous one are still accepted until the next rotation
 */

/**
 * @param {ServerOptions} [options]
 * @returns {Promise<RunningServer>}
 */
export async function startServer(options = {}) {
  const {
    port = 0,
    host = '127.0.0.1',
    accessTtl = 60,
    refreshTtl = 86400,
    clientId = 'demo-spa',
    testHooks = false,
    cors = false,
    clockOffset = 0,
    static: staticFiles = {},
    staticDirs = [],
    users = DEFAULT_USERS,
    dpop = false,
  } = options;
  if (!isTtl(accessTtl)) throw new TypeError('accessTtl must be a non-negative integer');
  if (!isTtl(refreshTtl)) throw new TypeError('refreshTtl must be a non-negative integer');
  if (!Number.isFinite(clockOffset)) throw new TypeError('clockOffset must be a finite number');

  const clock = createClock(clockOffset);
  const keys = await createSigningKeys();
  const counters = createCounters();
  const knobs = createKnobs(accessTtl);
  const serveStatic = createStaticHandler({
    files: { ...DEFAULT_STATIC, ...staticFiles },
    // The bundle's lazily loaded chunks (sw-auth-proxy-*.js) sit beside it in dist/.
    dirs: [...staticDirs, { prefix: '/', dir: path.join(REPO_ROOT, 'dist') }],
  });

  const server = createServer();
  await listen(server, port, host);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server is not listening on TCP');
  // The issuer needs the bound port, so token signing is wired up after listen.
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  const accessTokens = createAccessTokens({ keys, clock, issuer: url });

  /** @type {import('./context.js').ServerContext} */
  const ctx = {
    clock,
    counters,
    knobs,
    sessions: createSessionStore(),
    accessTokens,
    keys,
    clientId,
    users: { ...users },
    refreshTtl,
    cors,
    testHooks,
    events: createEventStreams(),
    dpop: dpop ? createDpop({ clock, counters, knobs }, url) : null,
  };
  server.on('request', createRequestListener(ctx, serveStatic));
  const websockets = attachWebSockets(server, ctx);

  /** @type {Promise<void> | undefined} */
  let closing;
  return {
    url,
    port: address.port,
    // Upgraded sockets are no longer HTTP connections: closeAllConnections() does not end them.
    // biome-ignore lint/complexity/noCommaOperator: close the sockets, then share one shutdown promise.
    close: () => (closing ??= (websockets.close(), shutdown(server))),
    counters,
    knobs,
    resetCounters: () => resetCounters(counters),
    revokeAccessTokens: () => accessTokens.revokeAll(),
    rotateDpopNonces: () => ctx.dpop?.rotateNonces(),
    websockets,
    events: ctx.events,
  };
}

/**
 * @param {import('node:http').Server} server
 * @param {number} port
 * @param {string} host
 * @returns {Promise<void>}
 */
function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Keep-alive connections (browsers, undici) would hold close() open
 * indefinitely, so they are closed explicitly.
 * @param {import('node:http').Server} server
 * @returns {Promise<void>}
 */
function shutdown(server) {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
