// @ts-check
/**
 * The page side of `npm run soak`, served at /soak-harness.js and loaded by /soak.html.
 * bench/soak.mjs drives it through `window.soak`: register the proxy, keep a few lanes of API
 * traffic going as an app would (no Authorization header: the worker adds it), and account for
 * every request: each one started must settle, every echoed body must come back with the
 * digest of the bytes sent, and every session state this tab was told about is kept.
 */

/** One lane's requests are drawn from this table, by weight. */
const OPERATIONS = /** @type {const} */ ([
  { name: 'ping', weight: 30 },
  { name: 'me', weight: 15 },
  { name: 'echo-bytes', weight: 30 },
  { name: 'echo-text', weight: 15 },
  { name: 'echo-blob', weight: 10 },
]);

/** An anomaly list is capped: a broken run must not grow the page's heap without bound. */
const MAX_RECORDS = 500;

/** @typedef {(typeof OPERATIONS)[number]['name']} Operation */
/** @typedef {{ status: string, error: { code: string } | null }} AuthState */
/** @typedef {{ type: string }} AuthEvent */
/**
 * The part of the AuthClient the soak uses.
 * @typedef {{ state: AuthState, login(body: unknown): Promise<AuthState>, subscribe(listener: (state: AuthState, event: AuthEvent) => void): () => void }} Auth
 */
/** @typedef {{ registerAuthProxy(options: { config: unknown }): Promise<Auth> }} Bundle */

/**
 * A request that did not simply succeed: when it started and settled (epoch ms, so the
 * driver can compare with its own fault timeline), and what happened.
 * @typedef {{ op: Operation, start: number, end: number, outcome: 'unauthorized' | 'network' | 'status' | 'corrupted', detail: string }} RequestRecord
 */

/**
 * @typedef {object} TabResults
 * @property {number} started
 * @property {number} settled
 * @property {number} ok 200 with the expected body
 * @property {number} unauthorized 401 reached the app
 * @property {number} network fetch rejected (a network error, as the app sees it)
 * @property {number} otherStatus any other status
 * @property {number} corrupted 200 whose body was not what was sent (echo) or expected
 * @property {number} uncontrolled requests started while no service worker controlled the page
 * @property {number} bareChallenges 401s with a bare `Bearer realm` challenge: the server saw no token at all
 * @property {Record<Operation, number>} byOperation requests started, per operation
 * @property {RequestRecord[]} records every request that was not `ok` (first MAX_RECORDS)
 * @property {number} pending started and not settled
 * @property {number | null} oldestPendingMs age of the oldest unsettled request
 * @property {{ at: number, status: string, event: string, error: string | null }[]} transitions every state change this tab heard
 * @property {Record<string, number>} statusesSeen how often each status was heard
 * @property {string[]} errors the messages of exceptions the harness itself caught
 */

/** @type {Auth | null} */
let auth = null;
/** @type {((seed: number) => () => number) | null} */
let prng = null;
let running = false;
/** @type {Promise<void>[]} */
let lanes = [];
/** Start times (epoch ms) of requests not yet settled, by request id. */
const pending = new Map();
let nextId = 0;

/** @type {TabResults} */
const results = {
  started: 0,
  settled: 0,
  ok: 0,
  unauthorized: 0,
  network: 0,
  otherStatus: 0,
  corrupted: 0,
  uncontrolled: 0,
  bareChallenges: 0,
  byOperation: { ping: 0, me: 0, 'echo-bytes': 0, 'echo-text': 0, 'echo-blob': 0 },
  records: [],
  pending: 0,
  oldestPendingMs: null,
  transitions: [],
  statusesSeen: {},
  errors: [],
};

/**
 * @param {() => number} random
 * @returns {Operation}
 */
function pickOperation(random) {
  const total = OPERATIONS.reduce((sum, op) => sum + op.weight, 0);
  let roll = random() * total;
  for (const op of OPERATIONS) {
    roll -= op.weight;
    if (roll < 0) return op.name;
  }
  return 'ping';
}

/**
 * Body sizes: mostly small, sometimes a few hundred KiB (still under the replay limit, so a
 * 401 is replayed with the buffered bytes).
 * @param {() => number} random
 */
function bodySize(random) {
  const roll = random();
  if (roll < 0.1) return 0;
  if (roll < 0.85) return Math.floor(random() * 4096);
  return 64 * 1024 + Math.floor(random() * 192 * 1024);
}

/**
 * @param {() => number} random
 * @param {number} size
 */
function randomBytes(random, size) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** @param {Uint8Array} bytes */
async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', /** @type {Uint8Array<ArrayBuffer>} */ (bytes)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The request for `op`, and what a correct answer looks like.
 * @param {Operation} op
 * @param {() => number} random
 * @param {number} id
 * @returns {Promise<{ url: string, init: RequestInit, check: (body: unknown) => string | null }>}
 */
async function buildRequest(op, random, id) {
  // The query keeps every request distinct (no cache can answer it); the server routes by path.
  if (op === 'ping') return { url: `/api/ping?n=${id}`, init: {}, check: (body) => (isRecord(body) && body.pong === true ? null : 'no pong') };
  if (op === 'me') return { url: `/api/me?n=${id}`, init: {}, check: (body) => (isRecord(body) && body.sub === 'demo' ? null : 'wrong sub') };
  const bytes = op === 'echo-text' ? new TextEncoder().encode(randomText(random, bodySize(random))) : randomBytes(random, bodySize(random));
  const expected = await sha256Hex(bytes);
  /** @type {BodyInit} */
  let body = bytes;
  if (op === 'echo-text') body = new TextDecoder().decode(bytes);
  if (op === 'echo-blob') body = new Blob([bytes], { type: 'application/octet-stream' });
  const method = op === 'echo-bytes' ? 'POST' : op === 'echo-text' ? 'PUT' : 'PATCH';
  return {
    url: `/api/echo?n=${id}`,
    init: { method, body, headers: { 'Content-Type': op === 'echo-text' ? 'text/plain;charset=utf-8' : 'application/octet-stream' } },
    check: (answer) =>
      isRecord(answer) && answer.sha256 === expected && answer.length === bytes.length
        ? null
        : `sent ${bytes.length} bytes (sha256 ${expected.slice(0, 12)}…), server got ${isRecord(answer) ? `${answer.length} bytes (sha256 ${String(answer.sha256).slice(0, 12)}…)` : 'no digest'}`,
  };
}

/**
 * ASCII and a few multi-byte characters, so text bodies exercise UTF-8 encoding.
 * @param {() => number} random
 * @param {number} size about this many characters
 */
function randomText(random, size) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 {}":,\né€😀';
  const chars = Array.from(alphabet);
  let text = '';
  for (let i = 0; i < size; i++) text += chars[Math.floor(random() * chars.length)];
  return text;
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === 'object' && value !== null;
}

/** @param {RequestRecord} record */
function keep(record) {
  if (results.records.length < MAX_RECORDS) results.records.push(record);
}

/**
 * One request, accounted for from start to settle.
 * @param {() => number} random
 */
async function oneRequest(random) {
  const op = pickOperation(random);
  const id = nextId++;
  const { url, init, check } = await buildRequest(op, random, id);
  const start = Date.now();
  pending.set(id, start);
  results.started++;
  if (navigator.serviceWorker.controller === null) results.uncontrolled++;
  results.byOperation[op]++;
  try {
    const response = await fetch(url, init);
    const text = await response.text();
    const end = Date.now();
    if (response.status === 200) {
      let body = null;
      try {
        body = JSON.parse(text);
      } catch {
        // A body that is not JSON fails the check below.
      }
      const problem = check(body);
      if (problem === null) results.ok++;
      else {
        results.corrupted++;
        keep({ op, start, end, outcome: 'corrupted', detail: problem });
      }
    } else if (response.status === 401) {
      results.unauthorized++;
      const challenge = response.headers.get('www-authenticate') ?? '';
      if (!challenge.includes('error=')) results.bareChallenges++;
      keep({ op, start, end, outcome: 'unauthorized', detail: challenge });
    } else {
      results.otherStatus++;
      keep({ op, start, end, outcome: 'status', detail: `${response.status}` });
    }
  } catch (error) {
    results.network++;
    keep({ op, start, end: Date.now(), outcome: 'network', detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  } finally {
    pending.delete(id);
    results.settled++;
  }
}

/**
 * @param {() => number} random
 * @param {number} maxPauseMs
 */
async function lane(random, maxPauseMs) {
  while (running) {
    try {
      await oneRequest(random);
    } catch (error) {
      // Only the harness's own code can throw here (fetch failures are accounted above).
      results.errors.push(error instanceof Error ? error.message : String(error));
    }
    // An app's pace, not a wait for an event: the gap between one request and the next.
    await new Promise((resolve) => setTimeout(resolve, random() * maxPauseMs));
  }
}

/** @returns {Auth} */
function client() {
  if (auth === null) throw new Error('soak.setup() first');
  return auth;
}

const soak = {
  /**
   * Registers the proxy (the worker may already be installed by another tab) and starts
   * recording every state change this tab hears.
   * @param {unknown} config
   */
  async setup(config) {
    const url = '/sw-auth-proxy.browser.js';
    const bundle = /** @type {Bundle} */ (/** @type {unknown} */ (await import(url)));
    // The driver's PRNG (bench/lib/soak-schedule.mjs), so one seed drives faults and traffic.
    const scheduleUrl = '/soak-schedule.mjs';
    prng = /** @type {typeof import('./lib/soak-schedule.mjs')} */ (await import(scheduleUrl)).mulberry32;
    auth = await bundle.registerAuthProxy({ config });
    const record = (/** @type {AuthState} */ state, /** @type {string} */ event) => {
      results.transitions.push({ at: Date.now(), status: state.status, event, error: state.error?.code ?? null });
      results.statusesSeen[state.status] = (results.statusesSeen[state.status] ?? 0) + 1;
    };
    record(auth.state, 'registered');
    auth.subscribe((state, event) => record(state, event.type));
    return auth.state.status;
  },

  /** @param {{ username: string, password: string }} credentials */
  async login(credentials) {
    return (await client().login(credentials)).status;
  },

  /** @returns {string} the mirrored session status */
  status() {
    return client().state.status;
  },

  /**
   * Starts `count` lanes of traffic.
   * @param {{ seed: number, count: number, maxPauseMs: number }} options
   */
  start({ seed, count, maxPauseMs }) {
    const seeded = prng;
    if (seeded === null) throw new Error('soak.setup() first');
    running = true;
    lanes = Array.from({ length: count }, (_, index) => lane(seeded(seed + index * 7919), maxPauseMs));
  },

  /**
   * Stops starting requests and waits up to `timeoutMs` for the ones in flight to settle.
   * @param {number} timeoutMs
   */
  async stop(timeoutMs) {
    running = false;
    let timer = 0;
    const timedOut = new Promise((resolve) => {
      timer = window.setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(lanes), timedOut]);
    clearTimeout(timer);
    return soak.results();
  },

  /** @returns {TabResults} */
  results() {
    const now = Date.now();
    const oldest = Math.min(...pending.values());
    return { ...results, pending: pending.size, oldestPendingMs: pending.size === 0 ? null : now - oldest };
  },

  /**
   * The tokens in the worker's IndexedDB vault right now (read directly, as any script on the
   * origin can), so the driver can look for them in every log line. Only after login: opening
   * the database before the worker created it would create it without its store.
   * @returns {Promise<string[]>}
   */
  async vaultTokens() {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open('sw-auth-proxy');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      if (!db.objectStoreNames.contains('vault')) return [];
      const record = await new Promise((resolve, reject) => {
        const request = db.transaction('vault', 'readonly').objectStore('vault').get('session');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tokens = isRecord(record) && isRecord(record.tokens) ? record.tokens : {};
      return [tokens.accessToken, tokens.refreshToken, tokens.idToken].filter((token) => typeof token === 'string');
    } finally {
      db.close();
    }
  },
};

/** @typedef {typeof soak} Soak */

Object.assign(window, { soak });

// A module, so the driver can import this file's types.
export { soak };
