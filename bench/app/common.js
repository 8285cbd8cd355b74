// @ts-check
/**
 * What the app page of the app-page benchmark reports (bench/lib/app-page.mjs): when things
 * happened on this visit, in ms since navigation start, with the Resource Timing of the first
 * API call and of the page's script, for the start-up timeline.
 */

/** The first authenticated API call an app makes. */
export const PING = '/api/ping';
export const CREDENTIALS = { username: 'demo', password: 'demo' };

/**
 * @typedef {object} Timing
 * @property {number} startTime
 * @property {number} workerStart 0 when no worker took part
 * @property {number} fetchStart
 * @property {number} responseStart
 * @property {number} responseEnd
 * @property {string} [source] the static route the browser matched (`workerMatchedSourceType`), if reported
 */

/**
 * @typedef {object} AppVisit
 * @property {'first' | 'returning'} visit
 * @property {boolean} controlled
 * @property {number} status of the first API call
 * @property {number} scriptStart the app's script starts running
 * @property {number} ready the app may send authenticated requests (session in hand)
 * @property {number} firstAuth the first authenticated response has been read
 * @property {number} load the load event starts
 * @property {number} subresources resources the page loaded (Resource Timing)
 * @property {Timing} document
 * @property {Timing | null} ping
 * @property {Timing | null} script the page's (or the library's) script
 */

/** @param {PerformanceResourceTiming} entry @returns {Timing} */
function timing(entry) {
  const source = /** @type {{ workerMatchedSourceType?: string }} */ (/** @type {unknown} */ (entry)).workerMatchedSourceType;
  return {
    startTime: entry.startTime,
    workerStart: entry.workerStart,
    fetchStart: entry.fetchStart,
    responseStart: entry.responseStart,
    responseEnd: entry.responseEnd,
    ...(source === undefined || source === '' ? {} : { source }),
  };
}

/** @param {string} pathname @returns {Timing | null} */
function resource(pathname) {
  const entry = performance
    .getEntriesByType('resource')
    .find((candidate) => new URL(candidate.name).pathname === pathname);
  return entry === undefined ? null : timing(/** @type {PerformanceResourceTiming} */ (entry));
}

/** Resolves once the load event has started. */
function loaded() {
  return new Promise((resolve) => {
    if (document.readyState === 'complete') resolve(undefined);
    else addEventListener('load', () => setTimeout(resolve), { once: true });
  });
}

/**
 * Waits for the load event and puts everything together.
 * @param {{ visit: 'first' | 'returning', status: number, scriptStart: number, ready: number, firstAuth: number, script: string }} measured
 * @returns {Promise<AppVisit>}
 */
export async function report({ script, ...measured }) {
  await loaded();
  const navigation = /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType('navigation')[0]);
  return {
    ...measured,
    controlled: navigator.serviceWorker?.controller != null,
    load: navigation.loadEventStart,
    subresources: performance.getEntriesByType('resource').length,
    document: timing(navigation),
    ping: resource(PING),
    script: resource(script),
  };
}
