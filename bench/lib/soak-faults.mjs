// @ts-check
import { releaseHeldRefreshes } from '../../demo/server/knobs.js';
import { closeSoakTab, stopWorker } from './soak-tabs.mjs';

/** @typedef {import('./soak-schedule.mjs').Fault} Fault */
/** @typedef {import('./soak-tabs.mjs').SoakTab} SoakTab */
/** @typedef {import('./soak-tabs.mjs').Server} Server */
/** @typedef {import('./soak-report.mjs').FaultWindow} FaultWindow */
/** @typedef {import('./soak-report.mjs').SoakRun['deliveries']} Deliveries */

/** How long a replaced tab's requests may take to settle before the rest count as lost. */
export const DRAIN_MS = 30_000;

/**
 * @typedef {object} FaultEnvironment
 * @property {Server} server
 * @property {import('@playwright/test').BrowserContext} context
 * @property {SoakTab[]} slots the steady tabs, by slot (replaced in place)
 * @property {(slot: number | null) => Promise<SoakTab>} openTab opens a tab with traffic
 * @property {(line: string) => void} log
 * @property {() => string} stamp the run's clock, for log lines
 */

/**
 * Runs callers one at a time, in call order.
 * @returns {<T>(step: () => Promise<T>) => Promise<T>}
 */
function createLock() {
  /** @type {Promise<unknown>} */
  let tail = Promise.resolve();
  return (step) => {
    const run = tail.then(step);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** @param {number} ms */
export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/**
 * Under load the browser can take seconds to apply a change (Playwright updates every page and
 * the worker); the fault windows run from the request to the acknowledgement, so accounting
 * stays right, and the log says when the schedule slipped.
 * @param {number} since epoch ms when the change was requested
 */
function lag(since) {
  const ms = Date.now() - since;
  return ms < 1000 ? '' : ` (took ${(ms / 1000).toFixed(1)} s to apply)`;
}

/** @param {Server} server */
function resourceAndRefreshCount(server) {
  const { requestsWithAuthorization, requestsWithoutAuthorization, refreshCalls } = server.counters;
  return requestsWithAuthorization + requestsWithoutAuthorization + refreshCalls;
}

/**
 * The faults, applied to the live server and browser. Each records the window it was in force
 * (from request to acknowledgement), which the report lays over the tabs' records.
 * @param {FaultEnvironment} env
 */
export function createFaultRunner({ server, context, slots, openTab, log, stamp }) {
  /** @type {FaultWindow[]} */
  const windows = [];
  /** @type {Deliveries} */
  const deliveries = { stopsConfirmed: 0, stopsUnconfirmed: 0, requestsSeenOffline: 0, heldReleased: 0, accessTokensRevoked: 0 };
  // Playwright applies setOffline to every page and to the worker; a worker stopped meanwhile
  // can come back with the old setting (seen: a worker left offline for good, every request
  // failing after the spell), so setOffline and worker stops never overlap.
  const browserControl = createLock();
  // A tab needs the network to open (page, bundle, registration): never during an offline spell.
  const network = createLock();
  // Tabs also never open while the worker is being stopped. A page that navigates then can
  // come up with `navigator.serviceWorker.controller` set while its fetches bypass the worker for
  // its whole life (Chromium 156; 1-5 of 12 tries with traffic, 10-12 of 12 with an idle worker), so
  // every API call goes out without a token. That is a browser bug the library does not survive
  // today; docs/benchmarks.md (Soak) describes it. Including it would fail every run it lands in.
  const openQuietly = (/** @type {number | null} */ slot) => network(() => browserControl(() => openTab(slot)));

  /** @param {Extract<Fault, { kind: 'refresh' }>} fault @param {number} start */
  const refreshSpell = async (fault, start) => {
    server.knobs.retryAfter = fault.retryAfter ?? server.knobs.retryAfter;
    server.knobs.refresh = fault.mode;
    log(`${stamp()} refresh endpoint → ${fault.mode}`);
    await delay(start + fault.duration * 1000 - Date.now());
    server.knobs.refresh = 'ok';
    const released = fault.mode === 'hold' ? releaseHeldRefreshes(server.knobs) : 0;
    deliveries.heldReleased += released;
    log(`${stamp()} refresh endpoint → ok${fault.mode === 'hold' ? ` (${released} held refreshes released)` : ''}`);
  };
  /** @param {Extract<Fault, { kind: 'offline' }>} fault @param {number} start */
  const offlineSpell = (fault, start) =>
    network(async () => {
      await browserControl(() => context.setOffline(true));
      const offlineAt = Date.now();
      log(`${stamp()} offline${lag(start)}`);
      // In-flight requests may still land just after; what arrives later did not honour offline.
      await delay(500);
      const before = resourceAndRefreshCount(server);
      await delay(offlineAt + fault.duration * 1000 - Date.now());
      const seen = resourceAndRefreshCount(server) - before;
      deliveries.requestsSeenOffline += seen;
      const back = Date.now();
      await browserControl(() => context.setOffline(false));
      log(`${stamp()} online${lag(back)}${seen === 0 ? '' : ` (${seen} requests reached the server while offline)`}`);
    });
  const stopTheWorker = async () => {
    const stopped = await browserControl(() => stopWorker(context, /** @type {SoakTab} */ (slots[0]).page));
    if (stopped) deliveries.stopsConfirmed++;
    else deliveries.stopsUnconfirmed++;
    log(`${stamp()} service worker ${stopped ? 'stopped' : 'stop not confirmed within 5 s'}`);
  };
  const revoke = () => {
    const revoked = server.revokeAccessTokens();
    deliveries.accessTokensRevoked += revoked;
    log(`${stamp()} revoked ${revoked} access tokens`);
  };
  /** @param {Extract<Fault, { kind: 'replace-tab' }>} fault */
  const replaceTab = async (fault) => {
    const old = /** @type {SoakTab} */ (slots[fault.slot]);
    const fresh = await openQuietly(fault.slot);
    slots[fault.slot] = fresh;
    log(`${stamp()} tab ${fresh.id} opened in slot ${fault.slot}; closing tab ${old.id} once its requests settle`);
    await closeSoakTab(old, DRAIN_MS, 'drained');
    log(`${stamp()} tab ${old.id} closed (${old.results?.pending ?? 0} requests unsettled)`);
  };
  /** @param {Extract<Fault, { kind: 'extra-tab' }>} fault @param {number} start */
  const extraTab = async (fault, start) => {
    const extra = await openQuietly(null);
    log(`${stamp()} extra tab ${extra.id} opened${lag(start)}`);
    await delay(extra.openedAt + fault.duration * 1000 - Date.now());
    await closeSoakTab(extra, 0, 'abrupt');
    log(`${stamp()} extra tab ${extra.id} closed with ${extra.results?.pending ?? 0} requests in flight`);
  };

  /** @param {Fault} fault @param {number} start */
  const apply = (fault, start) => {
    switch (fault.kind) {
      case 'refresh':
        return refreshSpell(fault, start);
      case 'offline':
        return offlineSpell(fault, start);
      case 'stop-worker':
        return stopTheWorker();
      case 'revoke':
        return revoke();
      case 'replace-tab':
        return replaceTab(fault);
      case 'extra-tab':
        return extraTab(fault, start);
    }
  };

  return {
    windows,
    deliveries,
    /** @param {Fault} fault */
    async perform(fault) {
      const start = Date.now();
      await apply(fault, start);
      windows.push({ kind: fault.kind, ...(fault.kind === 'refresh' ? { mode: fault.mode } : {}), start, end: Date.now() });
    },
    /** Ends whatever is still in force: the refresh endpoint answers, the browser is online. */
    async clear() {
      server.knobs.refresh = 'ok';
      deliveries.heldReleased += releaseHeldRefreshes(server.knobs);
      await browserControl(() => context.setOffline(false));
    },
  };
}
