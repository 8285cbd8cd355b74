// @ts-check
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startCallbackBackend } from './callback/server.js';
import { startFront } from './front.js';

/**
 * Starts one of the demo backends on an ephemeral port behind a same-origin front, and
 * waits until it answers. The Python backends run on Debian's interpreter (`/usr/bin/python3`,
 * where apt installs python3-django & co.; `PYTHON` overrides it).
 */

/** @typedef {'drf' | 'fastapi' | 'callback'} BackendKind */

/**
 * @typedef {object} BackendOptions
 * @property {number} [accessTtl] access-token lifetime in seconds
 * @property {Record<string, string>} [pages] URL path → absolute file, served by the front (the app's pages)
 */

/**
 * @typedef {object} RunningBackend
 * @property {BackendKind} kind
 * @property {string} url the front's origin: the app's origin
 * @property {string} backendUrl the backend's own origin
 * @property {string[]} frontRequests path and query of every request that reached the front
 * @property {() => Promise<Record<string, unknown>>} counters what the backend counted
 * @property {() => Promise<void>} resetCounters
 * @property {(seconds: number) => Promise<void>} setAccessTtl lifetime of access tokens issued from now on
 * @property {() => Promise<void>} close
 */

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const STARTUP_TIMEOUT_MS = 30_000;

/** One migrated DRF database per process, copied for every server it starts (migrating costs seconds). */
let drfTemplateDir = /** @type {string | null} */ (null);

/**
 * @param {BackendKind} kind
 * @param {BackendOptions} [options]
 * @returns {Promise<RunningBackend>}
 */
export async function startBackend(kind, options = {}) {
  const backend = kind === 'callback' ? await startCallback(options) : await startPython(kind, options);
  try {
    const front = await startFront({ backend: backend.url, pages: options.pages ?? {} });
    return {
      kind,
      url: front.url,
      backendUrl: backend.url,
      frontRequests: front.requests,
      counters: backend.counters,
      resetCounters: backend.resetCounters,
      setAccessTtl: backend.setAccessTtl,
      close: async () => {
        await front.close();
        await backend.close();
      },
    };
  } catch (error) {
    await backend.close();
    throw error;
  }
}

/** @typedef {Pick<RunningBackend, 'counters' | 'resetCounters' | 'setAccessTtl' | 'close'> & { url: string }} Upstream */

/**
 * @param {BackendOptions} options
 * @returns {Promise<Upstream>}
 */
async function startCallback(options) {
  const backend = await startCallbackBackend({
    testHooks: true,
    ...(options.accessTtl === undefined ? {} : { accessTtl: options.accessTtl }),
  });
  return {
    url: backend.url,
    counters: async () => structuredClone(backend.counters),
    resetCounters: async () => backend.resetCounters(),
    setAccessTtl: async (seconds) => backend.setAccessTtl(seconds),
    close: backend.close,
  };
}

/**
 * @param {'drf' | 'fastapi'} kind
 * @param {BackendOptions} options
 * @returns {Promise<Upstream>}
 */
async function startPython(kind, options) {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };
  const args = [path.join(HERE, kind, 'serve.py')];
  if (kind === 'drf') {
    env.DRF_DEMO_TEST_HOOKS = '1';
    if (options.accessTtl !== undefined) env.DRF_DEMO_ACCESS_TTL = String(options.accessTtl);
    drfTemplateDir ??= templateDir();
    args.push('--template', path.join(drfTemplateDir, 'migrated.sqlite3'));
  } else {
    env.FASTAPI_DEMO_TEST_HOOKS = '1';
    if (options.accessTtl !== undefined) env.ACCESS_TOKEN_EXPIRE_SECONDS = String(options.accessTtl);
  }
  const child = spawn(PYTHON, args, { cwd: path.join(HERE, kind), env, stdio: ['ignore', 'pipe', 'pipe'] });
  /** @type {string[]} */
  const stderr = [];
  child.stderr.setEncoding('utf8').on('data', (chunk) => stderr.push(chunk));
  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    const url = await listeningUrl(child, exited, () => stderr.join(''));
    await untilReady(`${url}/__test/counters`, exited);
    return {
      url,
      counters: async () => (await fetch(`${url}/__test/counters`)).json(),
      resetCounters: async () => {
        await postJson(`${url}/__test/counters`, {});
      },
      setAccessTtl: async (seconds) => {
        await postJson(`${url}/__test/access-ttl`, { seconds });
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function templateDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-auth-proxy-drf-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The URL from the server's `listening on <url>` line.
 * @param {import('node:child_process').ChildProcessByStdio<null, import('node:stream').Readable, import('node:stream').Readable>} child
 * @param {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} exited
 * @param {() => string} stderr
 * @returns {Promise<string>}
 */
function listeningUrl(child, exited, stderr) {
  const lines = createInterface({ input: child.stdout });
  /** @type {Promise<string>} */
  const found = new Promise((resolve) => {
    lines.on('line', (line) => {
      const match = /^listening on (http:\/\/\S+)$/.exec(line);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
  });
  const failed = exited.then(({ code, signal }) => {
    throw new Error(`backend exited (${code ?? signal}) before listening:\n${stderr()}`);
  });
  return withTimeout(Promise.race([found, failed]), () => `backend did not report a port within ${STARTUP_TIMEOUT_MS} ms:\n${stderr()}`);
}

/**
 * Polls until the backend answers 200: the port can be bound before the app is loaded.
 * @param {string} url
 * @param {Promise<unknown>} exited
 */
async function untilReady(url, exited) {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline && !gone) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not accepting yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(gone ? 'backend exited while starting' : `backend at ${url} was not ready within ${STARTUP_TIMEOUT_MS} ms`);
}

/**
 * @param {Promise<string>} promise
 * @param {() => string} message
 * @returns {Promise<string>}
 */
function withTimeout(promise, message) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), STARTUP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * @param {string} url
 * @param {unknown} body
 */
async function postJson(url, body) {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}`);
  await response.arrayBuffer();
}
