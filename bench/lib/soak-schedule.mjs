// @ts-check
/**
 * The soak's fault schedule: a pure function of the seed and the duration, so `--seed N`
 * replays the same faults at the same moments (the browser's interleaving around them is
 * not replayable; the schedule is). Independent tracks overlap freely: a refresh outage can
 * meet an offline spell, a worker stop or a revocation.
 */

/** @typedef {import('../../demo/server/knobs.js').RefreshMode} RefreshMode */

/**
 * @typedef {{ at: number, kind: 'refresh', mode: RefreshMode, duration: number, retryAfter?: number }
 *   | { at: number, kind: 'revoke' }
 *   | { at: number, kind: 'stop-worker' }
 *   | { at: number, kind: 'offline', duration: number }
 *   | { at: number, kind: 'replace-tab', slot: number }
 *   | { at: number, kind: 'extra-tab', duration: number }} Fault
 * Times in seconds from the start of traffic.
 */

/**
 * @typedef {object} Schedule
 * @property {number} seed
 * @property {number} duration seconds of traffic in all
 * @property {number} faultsEnd seconds: no fault is active after this; recovery is measured from here
 * @property {boolean} strict the server detects reuse strictly (no grace) and no answer is lost on purpose
 * @property {boolean} lostResponse the schedule has lost-response spells
 * @property {number} reuseGrace the server's reuse grace in seconds (0 when strict)
 * @property {Fault[]} faults by start time
 */

/** The steady tabs; extra tabs come and go on top. */
export const SLOTS = 4;
/** Seconds of traffic after the last fault: recovery (at most 5 s) plus a calm tail. */
const TAIL = 10;
/** Faults start after the tabs have settled into traffic. */
const FIRST_FAULT = 2;
/**
 * The grace the server grants a just-rotated refresh token whose answer was lost. The library
 * cannot recover a rotation whose answer never arrived (the README says so); the server can.
 * Not only the lose-response spells lose answers: a worker stop, or the browser going offline,
 * can land after the server rotated and before the worker stored the new pair. So the soak's
 * server has the grace unless the run is `--strict` (which then shows that limitation).
 */
const REUSE_GRACE = 30;
/** A tab opening needs the network (page, bundle, registration): keep it this far from offline spells. */
const TAB_OFFLINE_MARGIN = 3;

/**
 * mulberry32: tiny, fast, and good enough to spread faults; the same seed gives the same stream.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @param {number} seed
 * @param {number} duration seconds
 * @param {{ strict?: boolean }} [options] strict: no reuse grace at the server, so no lose-response spells either
 * @returns {Schedule}
 */
export function buildSchedule(seed, duration, { strict = false } = {}) {
  const random = mulberry32(seed);
  const between = (/** @type {number} */ low, /** @type {number} */ high) => round1(low + random() * (high - low));
  const faultsEnd = Math.max(FIRST_FAULT + 5, duration - TAIL);
  // Drawn even when strict, so the rest of the stream stays the seed's.
  const lostResponse = random() < 0.5 && !strict;
  /** @type {Fault[]} */
  const faults = [];

  // The refresh endpoint: one spell at a time, calm gaps between.
  for (let at = FIRST_FAULT + between(0, 3); ; ) {
    const spell = refreshSpell(random, between, lostResponse);
    if (at + spell.duration > faultsEnd) break;
    faults.push({ at, ...spell });
    at = round1(at + spell.duration + between(2, 6));
  }
  // The browser stops the idle-looking worker about every 12 s.
  for (let at = between(5, 12); at < faultsEnd; at = round1(at + between(9, 15))) faults.push({ at, kind: 'stop-worker' });
  // The server revokes every access token issued so far (a key rotation, an admin action).
  for (let at = between(4, 12); at < faultsEnd; at = round1(at + between(6, 18))) faults.push({ at, kind: 'revoke' });
  /** @type {{ at: number, duration: number }[]} */
  const offline = [];
  for (let at = between(6, 15); ; ) {
    const spell = { at, duration: between(1, 4) };
    if (at + spell.duration > faultsEnd) break;
    offline.push(spell);
    faults.push({ at, kind: 'offline', duration: spell.duration });
    at = round1(at + spell.duration + between(8, 20));
  }
  // Tabs: one of the steady tabs is replaced, or an extra tab comes for a few seconds.
  for (let at = between(6, 12); at < faultsEnd; at = round1(at + between(8, 16))) {
    const start = clearOf(offline, at);
    /** @type {Fault} */
    const tab = random() < 0.4 ? { at: start, kind: 'extra-tab', duration: between(3, 8) } : { at: start, kind: 'replace-tab', slot: Math.floor(random() * SLOTS) };
    if (start + (tab.kind === 'extra-tab' ? tab.duration : 0) >= faultsEnd - TAB_OFFLINE_MARGIN) break;
    faults.push(tab);
    at = start;
  }
  faults.sort((a, b) => a.at - b.at);
  return { seed, duration, faultsEnd, strict, lostResponse, reuseGrace: strict ? 0 : REUSE_GRACE, faults };
}

/**
 * @param {() => number} random
 * @param {(low: number, high: number) => number} between
 * @param {boolean} lostResponse
 * @returns {{ kind: 'refresh', mode: RefreshMode, duration: number, retryAfter?: number }}
 */
function refreshSpell(random, between, lostResponse) {
  const modes = /** @type {[RefreshMode, number][]} */ ([
    ['error503', 4],
    ['hold', 2],
    ['reset', 2],
    ['lose-response', lostResponse ? 2 : 0],
  ]);
  const total = modes.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  let mode = /** @type {RefreshMode} */ ('error503');
  for (const [candidate, weight] of modes) {
    roll -= weight;
    if (roll < 0) {
      mode = candidate;
      break;
    }
  }
  switch (mode) {
    case 'error503':
      // Mostly short outages, sometimes one that outlasts several token lifetimes.
      return { kind: 'refresh', mode, duration: random() < 0.3 ? between(8, 16) : between(2, 6), retryAfter: Math.floor(random() * 4) };
    case 'hold':
      // Up to past the library's 10 s refresh timeout.
      return { kind: 'refresh', mode, duration: between(2, 12) };
    case 'reset':
      return { kind: 'refresh', mode, duration: between(1, 4) };
    default:
      // Long enough to catch a refresh or two (one is due about every 2 s) and the retries after.
      return { kind: 'refresh', mode, duration: between(2, 5) };
  }
}

/**
 * The first moment at or after `at` that is TAB_OFFLINE_MARGIN seconds clear of every offline spell.
 * @param {{ at: number, duration: number }[]} spells
 * @param {number} at
 */
function clearOf(spells, at) {
  let start = at;
  for (const spell of spells) {
    if (start > spell.at - TAB_OFFLINE_MARGIN && start < spell.at + spell.duration) start = round1(spell.at + spell.duration + 0.5);
  }
  return start;
}

/** @param {number} value */
function round1(value) {
  return Math.round(value * 10) / 10;
}

/**
 * One line per fault, for the log at start.
 * @param {Fault} fault
 */
export function describeFault(fault) {
  const at = `${fault.at.toFixed(1).padStart(6)} s`;
  switch (fault.kind) {
    case 'refresh':
      return `${at}  refresh endpoint: ${fault.mode} for ${fault.duration} s${fault.retryAfter === undefined ? '' : ` (Retry-After ${fault.retryAfter})`}`;
    case 'offline':
      return `${at}  browser offline for ${fault.duration} s`;
    case 'replace-tab':
      return `${at}  tab ${fault.slot} closes (after its requests settle); a new tab takes its place`;
    case 'extra-tab':
      return `${at}  an extra tab opens for ${fault.duration} s (closed with requests in flight)`;
    case 'stop-worker':
      return `${at}  the browser stops the service worker`;
    case 'revoke':
      return `${at}  the server revokes every access token`;
  }
}
