// @ts-check
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startServer } from '../../demo/server/server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../tools/chromium.mjs';
import { BARE_WORKER_FILE } from './build-bare-worker.mjs';
import { SNAPSHOT_DIR } from './snapshot.mjs';

/** @typedef {import('@playwright/test').Browser} Browser */
/** @typedef {import('@playwright/test').BrowserContext} BrowserContext */
/** @typedef {import('@playwright/test').Page} Page */
/** @typedef {import('@playwright/test').CDPSession} CDPSession */
/** @typedef {Awaited<ReturnType<typeof startServer>>} Server */
/** @typedef {import('../harness.js').Mode} Mode */

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Script paths of the two workers, as served by the bench server. */
export const PROXY_WORKER_PATH = '/auth-proxy-sw.js';
export const BARE_WORKER_PATH = '/bench-sw.js';

/** The app-page benchmark's generated pages, with their bundled scripts and subresources (gitignored). */
export const APP_PAGES = { prefix: '/bench-app-page/', dir: path.join(BENCH_DIR, '.build', 'app') };

/**
 * Playwright turns on DevTools network inspection in every service worker so tests can see
 * worker requests. The inspector then buffers every request the worker makes in the worker's
 * own heap (about 300 bytes each, in Blink's heap) and streams events for each to this process,
 * which is a test harness cost no user pays: the memory benchmark saw it as steady heap growth
 * in the bare pass-through worker and in ours alike. The bench never looks at worker requests
 * through Playwright, so it switches this off (read by Playwright when it attaches to a worker).
 */
process.env.PLAYWRIGHT_DISABLE_SERVICE_WORKER_NETWORK = '1';

/** @returns {Promise<Browser>} */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * The reference server, in-process (so counters and knobs are read directly), also serving
 * the bench harness, the app page, the bare worker, and the library from the run's snapshot of
 * dist/ (see snapshot.mjs) at the paths the server normally serves dist/ at. Access tokens live 300 s
 * unless a bench says otherwise.
 * @returns {Promise<Server>}
 */
export function startBenchServer() {
  return startServer({
    testHooks: true,
    accessTtl: 300,
    static: {
      '/bench.html': path.join(BENCH_DIR, 'harness.html'),
      '/bench-harness.js': path.join(BENCH_DIR, 'harness.js'),
      [BARE_WORKER_PATH]: BARE_WORKER_FILE,
      [PROXY_WORKER_PATH]: path.join(SNAPSHOT_DIR, 'auth-proxy-sw.js'),
    },
    // The bundle's chunks, from the snapshot too (the server would otherwise serve them from dist/).
    staticDirs: [APP_PAGES, { prefix: '/', dir: SNAPSHOT_DIR }],
  });
}

/**
 * A tab on the harness, set up in `mode` (worker registered and controlling, logged in).
 * @param {BrowserContext} context
 * @param {Server} server
 * @param {Mode} mode
 * @param {{ login?: boolean }} [options]
 * @returns {Promise<Page>}
 */
export async function openBenchPage(context, server, mode, options = {}) {
  const page = await context.newPage();
  await page.goto(`${server.url}/bench.html`);
  await page.waitForFunction(() => 'bench' in window);
  await page.evaluate(({ mode, options }) => window.bench.setup(mode, options), { mode, options });
  return page;
}

/**
 * Stops every service worker of the page's browser context (the browser killing an idle
 * worker), and waits until one is reported stopped.
 * @param {Page} page
 */
export async function stopWorkers(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  const stopped = new Promise((resolve) => {
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      if (versions.some((version) => version.runningStatus === 'stopped')) resolve(undefined);
    });
  });
  await cdp.send('ServiceWorker.stopAllWorkers');
  await stopped;
  await cdp.detach();
}

/**
 * A DevTools session on a running service worker of the page's context. Playwright opens CDP
 * sessions only on pages and frames, so this goes through the browser session and the
 * (non-flattened) Target.sendMessageToTarget channel.
 * @typedef {object} WorkerSession
 * @property {(method: string, params?: object) => Promise<any>} send
 * @property {() => boolean} detached true once the worker went away (stopped or crashed)
 * @property {() => Promise<void>} close
 */

/**
 * @param {Browser} browser
 * @param {Page} page a page of the context whose worker is wanted
 * @param {string} scriptPath pathname of the worker script
 * @returns {Promise<WorkerSession>}
 */
export async function attachToServiceWorker(browser, page, scriptPath) {
  const pageCdp = await page.context().newCDPSession(page);
  const { targetInfo: pageTarget } = await pageCdp.send('Target.getTargetInfo');
  await pageCdp.detach();
  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  const target = targetInfos.find(
    (info) => info.type === 'service_worker' && info.browserContextId === pageTarget.browserContextId && new URL(info.url).pathname === scriptPath,
  );
  if (target === undefined) throw new Error(`no running service worker ${scriptPath} in this context`);
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  let nextId = 0;
  let detached = false;
  /** @type {Map<number, { resolve: (value: any) => void, reject: (error: Error) => void }>} */
  const pending = new Map();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message);
    const waiter = typeof message.id === 'number' ? pending.get(message.id) : undefined;
    if (waiter === undefined) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${message.error.message} (${message.error.code})`));
    else waiter.resolve(message.result);
  });
  cdp.on('Target.detachedFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    detached = true;
    for (const waiter of pending.values()) waiter.reject(new Error('the service worker went away'));
    pending.clear();
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        if (detached) return reject(new Error('the service worker went away'));
        const id = ++nextId;
        pending.set(id, { resolve, reject });
        cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
      }),
    detached: () => detached,
    close: async () => {
      if (!detached) await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
      await cdp.detach().catch(() => undefined);
    },
  };
}

/**
 * Fresh contexts for a benchmark, closed together.
 * @param {Browser} browser
 * @param {number} count
 * @returns {Promise<{ contexts: BrowserContext[], close: () => Promise<void> }>}
 */
export async function newContexts(browser, count) {
  const contexts = await Promise.all(Array.from({ length: count }, () => browser.newContext()));
  return { contexts, close: async () => void (await Promise.all(contexts.map((context) => context.close()))) };
}
