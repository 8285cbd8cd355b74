// @ts-check
/**
 * The page side of `npm run bench`, served at /bench-harness.js by the reference server and
 * loaded by /bench.html. bench/run.mjs drives it through `window.bench`; with `?startup=` in
 * the page URL it instead measures its own start-up (page load to first authenticated response).
 *
 * Modes (one per browser context, so each has its own service worker registration):
 * - none:  no service worker; the page adds `Authorization` itself (the floor).
 * - bare:  the bare pass-through worker (/bench-sw.js); the page still adds `Authorization`.
 * - proxy: sw-auth-proxy; the page sends no `Authorization`, the worker injects it.
 */

/** The proxy's config; every page of the proxy context uses exactly this (a change would install a new worker). */
export const BENCH_CONFIG = {
  api: ['/api/'],
  capture: ['/api/auth/login'],
  refresh: { url: '/api/auth/refresh', format: 'json' },
  refreshAhead: 30,
};

const CREDENTIALS = { username: 'demo', password: 'demo' };
const PING = '/api/ping';
const GO_CHANNEL = 'sw-auth-proxy-bench:go';

/** @typedef {'none' | 'bare' | 'proxy'} Mode */
/** @typedef {{ status: string }} AuthState */
/**
 * The part of the AuthClient the bench uses.
 * @typedef {{ state: AuthState, login(body: unknown): Promise<AuthState> }} Auth
 */
/** @typedef {{ registerAuthProxy(options: { config: typeof BENCH_CONFIG }): Promise<Auth> }} Bundle */
/** @typedef {{ latencies: number[], wallMs: number, failures: number }} LoadResult */
/** @typedef {{ first: number, last: number, statuses: number[] }} StormResult */
/**
 * Milliseconds since navigation start (performance.now()) at each start-up step: the script
 * starts, the library is loaded (proxy only), registerAuthProxy resolved, the session is in hand
 * (after a login on a first visit), the first authenticated response is read.
 * @typedef {{ mode: Mode, visit: 'first' | 'later', started: number, loaded: number, registered: number, authenticated: number, firstResponse: number, status: number }} StartupResult
 */

/** @type {Mode | null} */
let mode = null;
/** @type {Auth | null} */
let auth = null;
/** Tokens of the page-managed session (modes none and bare). */
let tokens = { access: '', refresh: '' };
/** @type {Promise<StormResult> | null} */
let storm = null;

/** @returns {Promise<Bundle>} */
async function loadBundle() {
  const url = '/sw-auth-proxy.browser.js';
  return /** @type {Bundle} */ (/** @type {unknown} */ (await import(url)));
}

/** @param {string} url */
async function untilControlledBy(url) {
  const container = navigator.serviceWorker;
  await container.register(url, { updateViaCache: 'none' });
  while (container.controller?.scriptURL !== new URL(url, location.href).href) {
    await new Promise((resolve) => container.addEventListener('controllerchange', resolve, { once: true }));
  }
}

/** Logs in with plain fetch and keeps both tokens in the page (what the proxy spares an app). */
async function pageLogin() {
  const response = await fetch('/api/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(CREDENTIALS),
  });
  const body = await response.json();
  if (response.status !== 200 || typeof body.access_token !== 'string') throw new Error(`login answered ${response.status}`);
  tokens = { access: body.access_token, refresh: body.refresh_token };
}

/** @returns {RequestInit | undefined} */
function pingInit() {
  return mode === 'proxy' ? undefined : { headers: { Authorization: `Bearer ${tokens.access}` } };
}

/** @returns {Auth} */
function proxy() {
  if (auth === null) throw new Error('not set up in proxy mode');
  return auth;
}

const bench = {
  /**
   * Registers this mode's worker (if any), waits until it controls the page, and logs in.
   * @param {Mode} wanted
   * @param {{ login?: boolean }} [options]
   */
  async setup(wanted, { login = true } = {}) {
    mode = wanted;
    if (wanted === 'proxy') {
      auth = await (await loadBundle()).registerAuthProxy({ config: BENCH_CONFIG });
      if (login) await bench.login();
      return;
    }
    if (wanted === 'bare') await untilControlledBy('/bench-sw.js');
    if (login) await pageLogin();
  },

  /** A new session: through the proxy's capture in proxy mode, else by the page. */
  async login() {
    if (mode !== 'proxy') return pageLogin();
    const state = await proxy().login(CREDENTIALS);
    if (state.status !== 'authenticated') throw new Error(`login ended in ${state.status}`);
  },

  /**
   * `n` GETs of /api/ping, `concurrency` at a time; per-request latency includes reading the body.
   * @param {{ n: number, concurrency: number }} options
   * @returns {Promise<LoadResult>}
   */
  async load({ n, concurrency }) {
    const latencies = new Array(n).fill(0);
    const init = pingInit();
    let next = 0;
    let failures = 0;
    const lane = async () => {
      for (let i = next++; i < n; i = next++) {
        const start = performance.now();
        const response = await fetch(PING, init);
        await response.arrayBuffer();
        latencies[i] = performance.now() - start;
        if (response.status !== 200) failures++;
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: concurrency }, lane));
    return { latencies, wallMs: performance.now() - start, failures };
  },

  /** One plain GET /api/ping round trip in ms (this mode's path). */
  async pingRtt() {
    const start = performance.now();
    const response = await fetch(PING, pingInit());
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`ping answered ${response.status}`);
    return performance.now() - start;
  },

  /** One plain refresh round trip in ms, straight from the page (mode none: no worker in the way). */
  async refreshRtt() {
    const start = performance.now();
    const response = await fetch('/api/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: tokens.refresh }),
    });
    const body = await response.json();
    const elapsed = performance.now() - start;
    if (response.status !== 200) throw new Error(`refresh answered ${response.status}`);
    tokens = { access: body.access_token, refresh: body.refresh_token ?? tokens.refresh };
    return elapsed;
  },

  /**
   * Arms a storm: on the go signal, `r` concurrent GETs. Times are absolute
   * (timeOrigin + now) so tabs can be compared.
   * @param {number} r
   */
  armStorm(r) {
    const channel = new BroadcastChannel(GO_CHANNEL);
    storm = new Promise((resolve, reject) => {
      channel.onmessage = () => {
        channel.close();
        const first = performance.timeOrigin + performance.now();
        Promise.all(
          Array.from({ length: r }, async () => {
            const response = await fetch(PING, pingInit());
            await response.arrayBuffer();
            return { status: response.status, end: performance.timeOrigin + performance.now() };
          }),
        ).then(
          (results) => resolve({ first, last: Math.max(...results.map((result) => result.end)), statuses: results.map((result) => result.status) }),
          reject,
        );
      };
    });
  },

  /** Fires every armed storm in every tab of this origin (BroadcastChannel reaches the others, not this tab). */
  go() {
    const channel = new BroadcastChannel(GO_CHANNEL);
    channel.postMessage('go');
    channel.close();
  },

  /** @returns {Promise<StormResult>} */
  stormResult() {
    if (storm === null) throw new Error('no storm armed');
    return storm;
  },
};

/**
 * Start-up as an app sees it: from navigation start to the first authenticated API response.
 * A first visit registers (installs) the worker and logs in; a later visit finds the worker
 * (or the page's stored token) and goes straight to the request.
 * @param {Mode} wanted
 * @returns {Promise<StartupResult>}
 */
async function startup(wanted) {
  mode = wanted;
  const started = performance.now();
  let visit = /** @type {'first' | 'later'} */ ('later');
  let loaded = started;
  let registered = started;
  if (wanted === 'proxy') {
    const bundle = await loadBundle();
    loaded = performance.now();
    auth = await bundle.registerAuthProxy({ config: BENCH_CONFIG });
    registered = performance.now();
    if (auth.state.status !== 'authenticated') {
      visit = 'first';
      await bench.login();
    }
  } else {
    const stored = localStorage.getItem('bench-tokens');
    if (stored === null) {
      visit = 'first';
      await pageLogin();
      localStorage.setItem('bench-tokens', JSON.stringify(tokens));
    } else {
      tokens = JSON.parse(stored);
    }
  }
  const authenticated = performance.now();
  const response = await fetch(PING, pingInit());
  await response.arrayBuffer();
  return { mode: wanted, visit, started, loaded, registered, authenticated, firstResponse: performance.now(), status: response.status };
}

/** @typedef {typeof bench} Bench */

const startupMode = new URL(location.href).searchParams.get('startup');
Object.assign(window, {
  bench,
  benchStartup: startupMode === 'none' || startupMode === 'proxy' ? startup(startupMode) : null,
});
