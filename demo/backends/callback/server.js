// @ts-check
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

/**
 * The backend of incident report 004, as its team described it: it finishes the OAuth
 * "Sign in with Google" flow itself and hands the tokens to the SPA by redirecting the
 * browser to the app's callback URL with the tokens in it, either in the query
 * (`/callback?token=…&refresh_token=…`, the report's variant B) or in the fragment
 * (`/callback#access_token=…&refresh_token=…`, variant A). The "provider" is a stand-in that
 * approves at once: what matters here is the redirect back to the app.
 *
 * GET  /api/v1/auth/oauth/google?redirect_uri=/callback&mode=query|fragment  starts sign-in
 * GET  /oauth-provider/authorize?state=…                                    the provider (auto-approves)
 * GET  /api/v1/auth/oauth/google/callback?code=…&state=…                    exchanges the code, redirects to the app
 * POST /api/v1/auth/refresh   JSON {refresh_token}  → {access_token, refresh_token, expires_in} (rotates)
 * POST /api/v1/auth/logout    JSON {refresh_token}  → {ok: true} (revokes)
 * GET  /api/v1/me             Bearer                → {sub}
 * GET  /__test/counters       (testHooks) what the server saw; POST zeroes it
 *
 * Access tokens are HS256 JWTs; refresh tokens are opaque and single-use: presenting a
 * rotated one again counts as reuse and revokes the session.
 */

/**
 * @typedef {object} CallbackBackendOptions
 * @property {number} [port] 0 (default) picks a free port
 * @property {number} [accessTtl] access-token lifetime in seconds, default 900 (the report's 15 minutes)
 * @property {boolean} [testHooks] mount /__test/counters
 */

/**
 * @typedef {object} CallbackCounters
 * @property {number} signIns redirects back to the app with tokens
 * @property {number} refreshCalls
 * @property {number} refreshSuccesses
 * @property {number} reuseDetections rotated refresh tokens presented again
 * @property {number} unauthorizedSent
 * @property {number} logoutCalls
 * @property {number} revokedSessions sessions revoked by logout
 * @property {string[]} requestUrls path and query of every request, in order
 * @property {string[]} referers every Referer header received
 * @property {string[]} issuedRefreshTokens every refresh token handed out, in order (to check none leaked)
 */

/**
 * @typedef {object} RunningCallbackBackend
 * @property {string} url
 * @property {CallbackCounters} counters live object
 * @property {() => void} resetCounters zeroes the counters (the list of issued refresh tokens is kept)
 * @property {(seconds: number) => void} setAccessTtl lifetime of access tokens issued from now on
 * @property {() => Promise<void>} close
 */

const SECRET = randomBytes(32);
const REFRESH_TTL_MS = 30 * 24 * 3600 * 1000;

/**
 * @param {CallbackBackendOptions} [options]
 * @returns {Promise<RunningCallbackBackend>}
 */
export async function startCallbackBackend(options = {}) {
  const { port = 0, testHooks = false } = options;
  let accessTtl = options.accessTtl ?? 900;
  const counters = emptyCounters();
  /** @type {Map<string, { redirectUri: string, mode: 'query' | 'fragment' }>} */
  const pendingStates = new Map();
  /** @type {Map<string, string>} code → subject */
  const codes = new Map();
  /** @type {Map<string, { sub: string, current: string, revoked: boolean, expiresAt: number }>} session id → session */
  const sessions = new Map();
  /** @type {Map<string, string>} every refresh token ever issued → its session id */
  const refreshTokens = new Map();

  /** @param {string} sub */
  const issue = (sub, sessionId = randomId()) => {
    const refreshToken = randomId();
    sessions.set(sessionId, { sub, current: refreshToken, revoked: false, expiresAt: Date.now() + REFRESH_TTL_MS });
    refreshTokens.set(refreshToken, sessionId);
    counters.issuedRefreshTokens.push(refreshToken);
    return { accessToken: signAccessToken(sub, accessTtl), refreshToken };
  };

  const resetCounters = () => {
    Object.assign(counters, emptyCounters(), { issuedRefreshTokens: counters.issuedRefreshTokens });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://backend.invalid');
    counters.requestUrls.push(url.pathname + url.search);
    if (req.headers.referer !== undefined) counters.referers.push(req.headers.referer);
    const route = `${req.method} ${url.pathname}`;

    if (route === 'GET /api/v1/auth/oauth/google') {
      const redirectUri = url.searchParams.get('redirect_uri') ?? '/callback';
      const mode = url.searchParams.get('mode') === 'fragment' ? 'fragment' : 'query';
      if (!redirectUri.startsWith('/')) return sendJson(res, 400, { error: 'redirect_uri must be a path on this site' });
      const state = randomId();
      pendingStates.set(state, { redirectUri, mode });
      return redirect(res, `/oauth-provider/authorize?state=${state}`);
    }
    if (route === 'GET /oauth-provider/authorize') {
      const code = randomId();
      codes.set(code, 'demo');
      return redirect(res, `/api/v1/auth/oauth/google/callback?code=${code}&state=${url.searchParams.get('state') ?? ''}`);
    }
    if (route === 'GET /api/v1/auth/oauth/google/callback') {
      const pending = pendingStates.get(url.searchParams.get('state') ?? '');
      const sub = codes.get(url.searchParams.get('code') ?? '');
      if (pending === undefined || sub === undefined) return sendJson(res, 400, { error: 'unknown state or code' });
      pendingStates.delete(url.searchParams.get('state') ?? '');
      codes.delete(url.searchParams.get('code') ?? '');
      const { accessToken, refreshToken } = issue(sub);
      counters.signIns += 1;
      if (pending.mode === 'fragment') {
        return redirect(res, `${pending.redirectUri}#access_token=${accessToken}&refresh_token=${refreshToken}`);
      }
      const separator = pending.redirectUri.includes('?') ? '&' : '?';
      return redirect(res, `${pending.redirectUri}${separator}token=${accessToken}&refresh_token=${refreshToken}`);
    }
    if (route === 'POST /api/v1/auth/refresh') {
      counters.refreshCalls += 1;
      return void readJson(req).then((body) => {
        const presented = typeof body?.refresh_token === 'string' ? body.refresh_token : '';
        const sessionId = refreshTokens.get(presented);
        const session = sessionId === undefined ? undefined : sessions.get(sessionId);
        if (session === undefined || session.revoked || session.expiresAt < Date.now()) {
          return sendJson(res, 401, { error: 'invalid refresh token' });
        }
        if (session.current !== presented) {
          counters.reuseDetections += 1;
          session.revoked = true;
          return sendJson(res, 401, { error: 'refresh token reuse detected; session revoked' });
        }
        const { accessToken, refreshToken } = issue(session.sub, sessionId);
        counters.refreshSuccesses += 1;
        sendJson(res, 200, { access_token: accessToken, refresh_token: refreshToken, expires_in: accessTtl });
      });
    }
    if (route === 'POST /api/v1/auth/logout') {
      counters.logoutCalls += 1;
      return void readJson(req).then((body) => {
        const sessionId = refreshTokens.get(typeof body?.refresh_token === 'string' ? body.refresh_token : '');
        const session = sessionId === undefined ? undefined : sessions.get(sessionId);
        if (session !== undefined && !session.revoked) {
          session.revoked = true;
          counters.revokedSessions += 1;
        }
        sendJson(res, 200, { ok: true });
      });
    }
    if (route === 'GET /api/v1/me') {
      const sub = verifyAccessToken(req.headers.authorization);
      if (sub === null) {
        counters.unauthorizedSent += 1;
        res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
        return sendJson(res, 401, { error: 'invalid_token' });
      }
      return sendJson(res, 200, { sub });
    }
    if (testHooks && url.pathname === '/__test/counters') {
      if (req.method === 'POST') resetCounters();
      return sendJson(res, 200, counters);
    }
    sendJson(res, 404, { error: 'not found' });
  });

  await new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return {
    url: `http://127.0.0.1:${address.port}`,
    counters,
    resetCounters,
    setAccessTtl: (seconds) => {
      accessTtl = seconds;
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** @returns {CallbackCounters} */
function emptyCounters() {
  return {
    signIns: 0,
    refreshCalls: 0,
    refreshSuccesses: 0,
    reuseDetections: 0,
    unauthorizedSent: 0,
    logoutCalls: 0,
    revokedSessions: 0,
    requestUrls: [],
    referers: [],
    issuedRefreshTokens: [],
  };
}

function randomId() {
  return randomBytes(24).toString('base64url');
}

/** @param {string} sub @param {number} ttl */
function signAccessToken(sub, ttl) {
  const now = Math.floor(Date.now() / 1000);
  const encode = (/** @type {object} */ part) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub, iat: now, exp: now + ttl, jti: randomId() })}`;
  return `${unsigned}.${createHmac('sha256', SECRET).update(unsigned).digest('base64url')}`;
}

/**
 * @param {string | undefined} header
 * @returns {string | null} the subject of a valid, unexpired token
 */
function verifyAccessToken(header) {
  const token = header?.startsWith('Bearer ') ? header.slice(7) : '';
  const [head = '', body = '', signature = ''] = token.split('.');
  const expected = createHmac('sha256', SECRET).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  return typeof claims.exp === 'number' && claims.exp > Date.now() / 1000 && typeof claims.sub === 'string' ? claims.sub : null;
}

/** @param {import('node:http').ServerResponse} res @param {string} location */
function redirect(res, location) {
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store' });
  res.end();
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} body */
function sendJson(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<Record<string, unknown> | null>}
 */
async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof value === 'object' && value !== null ? value : null;
  } catch {
    return null;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const backend = await startCallbackBackend({ port: Number(process.env.PORT ?? 0) });
  console.log(`listening on ${backend.url}`);
}
