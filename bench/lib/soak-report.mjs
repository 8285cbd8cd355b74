// @ts-check
/**
 * What a soak run must show, computed from what the tabs recorded and what the server counted,
 * and printed as figures and PASS/FAIL lines.
 */

/** @typedef {import('../soak-harness.js').TabResults} TabResults */
/** @typedef {import('../soak-harness.js').RequestRecord} RequestRecord */
/** @typedef {import('./soak-schedule.mjs').Schedule} Schedule */
/** @typedef {import('../../demo/server/counters.js').Counters} Counters */

/**
 * When a fault was in force (epoch ms), as the driver applied it.
 * @typedef {{ kind: import('./soak-schedule.mjs').Fault['kind'], mode?: import('./soak-schedule.mjs').RefreshMode, start: number, end: number }} FaultWindow
 */

/**
 * @typedef {object} SoakRun
 * @property {number} seed
 * @property {Schedule} schedule
 * @property {number} t0 epoch ms when traffic started in every steady tab
 * @property {number} loggedInAt epoch ms
 * @property {number} trafficEnd epoch ms
 * @property {number} clearedAt epoch ms when the last fault was cleared
 * @property {Counters} counters the server's, at the end
 * @property {{ id: number, slot: number | null, openedAt: number, closedAt: number | null, closedHow: string | null, results: TabResults }[]} tabs
 * @property {{ tab: number, ms: number | null, status: string }[]} recovery
 * @property {FaultWindow[]} windows
 * @property {import('./soak-tabs.mjs').CounterEvent[]} counterEvents when the server's counters moved
 * @property {{ stopsConfirmed: number, stopsUnconfirmed: number, requestsSeenOffline: number, heldReleased: number, accessTokensRevoked: number }} deliveries
 * @property {string[]} tokens every token read from the vault during the run
 * @property {{ source: 'page' | 'worker' | 'pageerror' | 'soak', at: number, text: string }[]} logLines at: epoch ms (0 for the soak's own lines)
 */

/** @typedef {{ name: string, pass: boolean, detail: string }} Assertion */

/**
 * Preemptive refresh replaces a token every (ttl - refreshAhead) seconds; revocations and lost
 * answers add a few. Twice the ideal rate would mean refreshes are no longer single-flight.
 */
const EFFICIENCY_SLACK = 2;
/** A 401 this long after a refresh or offline spell ended is still that spell's doing (ms, on top of a token lifetime). */
const FAULT_REACH_MS = 1000;
/** A request failing this soon after the browser came back online (or the worker was stopped) may still have met it. */
const OFFLINE_REACH_MS = 1000;

/**
 * @param {SoakRun} run
 * @param {{ recoveryMs: number, accessTtl: number, refreshAhead: number }} limits
 */
export function evaluateSoak(run, { recoveryMs, accessTtl, refreshAhead }) {
  const results = run.tabs.map((tab) => tab.results);
  const sum = (/** @type {(r: TabResults) => number} */ pick) => results.reduce((total, r) => total + pick(r), 0);
  const records = results.flatMap((r) => r.records);
  const offline = run.windows.filter((w) => w.kind === 'offline');
  const stops = run.windows.filter((w) => w.kind === 'stop-worker');
  const refreshSpells = run.windows.filter((w) => w.kind === 'refresh' || w.kind === 'offline');
  const overlaps = (/** @type {RequestRecord} */ record, /** @type {FaultWindow[]} */ list, /** @type {number} */ reachMs) =>
    list.some((w) => record.start <= w.end + reachMs && record.end >= w.start);

  const settled = sum((r) => r.settled);
  const unauthorized = sum((r) => r.unauthorized);
  const resourceRequests = run.counters.requestsWithAuthorization + run.counters.requestsWithoutAuthorization;
  const lifetimes = (run.trafficEnd - run.t0) / 1000 / accessTtl;
  // A rotation during a lose-response spell counts at the server, but its answer never arrived.
  const loseSpells = run.windows.filter((w) => w.kind === 'refresh' && w.mode === 'lose-response');
  const answeredLost = run.counterEvents.filter((e) => e.counter === 'refreshSuccess' && loseSpells.some((w) => e.at >= w.start && e.at <= w.end)).length;
  const delivered = run.counters.refreshSuccess - answeredLost;
  // Calm time: neither the refresh endpoint nor the network was failing.
  const troubled = union(run.windows.filter((w) => w.kind === 'refresh' || w.kind === 'offline'), run.t0, run.trafficEnd);
  const calmLifetimes = (run.trafficEnd - run.t0 - troubled.reduce((total, [from, to]) => total + (to - from), 0)) / 1000 / accessTtl;
  const calmRefreshes = run.counterEvents.filter(
    (e) => e.counter === 'refreshSuccess' && e.at >= run.t0 && e.at <= run.trafficEnd && !troubled.some(([from, to]) => e.at >= from && e.at <= to),
  ).length;
  const ended = run.tabs.filter((tab) =>
    tab.results.transitions.some((t) => t.status === 'expired' || (t.status === 'anonymous' && t.at > run.loggedInAt)),
  );
  const leaks = findLeaks(run.tokens, run.logLines);
  const losing = answerLosingEvents(run);
  const recoveries = run.recovery.map((r) => r.ms);

  const figures = {
    trafficSeconds: Math.round((run.trafficEnd - run.t0) / 100) / 10,
    tabsOpened: run.tabs.length,
    requests: {
      started: sum((r) => r.started),
      settled,
      ok: sum((r) => r.ok),
      perSecond: Math.round(settled / ((run.trafficEnd - run.t0) / 1000)),
      // Pending when a tab was closed after waiting for them, or at the end.
      lost: run.tabs.filter((tab) => tab.closedHow !== 'abrupt').reduce((total, tab) => total + tab.results.pending, 0),
      // In flight when an extra tab was closed on purpose: the page is gone, nobody waits for them.
      abandonedByClose: run.tabs.filter((tab) => tab.closedHow === 'abrupt').reduce((total, tab) => total + tab.results.pending, 0),
      corrupted: sum((r) => r.corrupted),
      unauthorized,
      unauthorizedShare: settled === 0 ? 0 : round(unauthorized / settled, 4),
      unauthorizedOutsideFaults: records.filter((r) => r.outcome === 'unauthorized' && !overlaps(r, refreshSpells, accessTtl * 1000 + FAULT_REACH_MS)).length,
      network: sum((r) => r.network),
      networkOutsideOffline: records.filter((r) => r.outcome === 'network' && !overlaps(r, offline, OFFLINE_REACH_MS)).length,
      // Chromium re-dispatches a fetch event once when the worker dies under it; a second loss fails the request.
      networkDuringStopsOnly: records.filter((r) => r.outcome === 'network' && !overlaps(r, offline, OFFLINE_REACH_MS) && overlaps(r, stops, OFFLINE_REACH_MS)).length,
      networkOutsideOfflineAndStops: records.filter((r) => r.outcome === 'network' && !overlaps(r, offline, OFFLINE_REACH_MS) && !overlaps(r, stops, OFFLINE_REACH_MS)).length,
      otherStatus: sum((r) => r.otherStatus),
      uncontrolled: sum((r) => r.uncontrolled),
      bareChallenges: sum((r) => r.bareChallenges),
      harnessErrors: results.flatMap((r) => r.errors),
    },
    server: {
      unauthorizedSent: run.counters.unauthorizedSent,
      unauthorizedPerRequest: resourceRequests === 0 ? 0 : round(run.counters.unauthorizedSent / resourceRequests, 4),
      requestsWithoutAuthorization: run.counters.requestsWithoutAuthorization,
      reuseDetections: run.counters.reuseDetections,
      reuseGraceAccepted: run.counters.reuseGraceAccepted,
      answerLosingEvents: losing,
    },
    refresh: {
      calls: run.counters.refreshCalls,
      succeeded: run.counters.refreshSuccess,
      answersLostOnPurpose: answeredLost,
      tokenLifetimes: round(lifetimes, 1),
      // Refreshes whose answer reached the client (the ones that renewed the session).
      succeededPerLifetime: round(delivered / lifetimes, 2),
      // The same in calm time only, where the ideal rate is reachable.
      calmTokenLifetimes: round(calmLifetimes, 1),
      calmSucceededPerLifetime: calmLifetimes <= 0 ? 0 : round(calmRefreshes / calmLifetimes, 2),
      callsPerLifetime: round(run.counters.refreshCalls / lifetimes, 2),
      // One preemptive refresh every (ttl - refreshAhead) seconds.
      idealPerLifetime: round(accessTtl / (accessTtl - refreshAhead), 2),
      // How hard the endpoint is tried while it fails: refresh calls per second of each kind of spell.
      callsPerSecondDuring: callsPerSecondDuring(run),
      // Refreshes the worker started (its log), and those started while the browser was offline,
      // which never reach the server.
      attemptsLogged: run.logLines.filter((line) => line.source === 'worker' && line.text.includes('refresh: started')).length,
      attemptsWhileOffline: run.logLines.filter(
        (line) => line.source === 'worker' && line.text.includes('refresh: started') && offline.some((w) => line.at >= w.start && line.at <= w.end),
      ).length,
    },
    sessionsEnded: ended.map((tab) => ({
      tab: tab.id,
      transitions: tab.results.transitions.filter((t) => t.status === 'expired' || t.status === 'anonymous'),
    })),
    recovery: { perTab: run.recovery, worstMs: recoveries.includes(null) ? null : Math.max(0, ...recoveries.map(Number)) },
    tokens: { seen: run.tokens.length, logLines: run.logLines.length, leaks },
  };

  const grace = run.schedule.strict ? 'strict reuse detection' : `reuse grace ${run.schedule.reuseGrace} s`;
  const losingTotal = losing.loseResponseCalls + losing.workerStops + losing.offlineSpells + losing.heldReleased;
  /** @type {Assertion[]} */
  const assertions = [
    check('no refresh-token reuse detected by the server', figures.server.reuseDetections === 0, `${figures.server.reuseDetections} detections${whenSeen(run, 'reuseDetections')} (${grace}; ${figures.server.reuseGraceAccepted} answered within the grace)`),
    check('the reuse grace answered only refreshes whose earlier answer a fault lost', figures.server.reuseGraceAccepted <= losingTotal, `${figures.server.reuseGraceAccepted} answered within the grace${whenSeen(run, 'reuseGraceAccepted')}; at most ${losingTotal} answers can have been lost (${losing.loseResponseCalls} refreshes during lose-response spells, ${losing.workerStops} worker stops, ${losing.offlineSpells} offline spells, ${losing.heldReleased} held refreshes released)`),
    check('no session ended (no tab ever expired)', ended.length === 0, ended.length === 0 ? 'every tab kept its session' : `tabs ${ended.map((tab) => tab.id).join(', ')} saw ${describeEnds(figures.sessionsEnded)}`),
    check('no request lost (every request started settled)', figures.requests.lost === 0 && figures.requests.harnessErrors.length === 0, `${figures.requests.started} started, ${figures.requests.lost} unsettled after ${figures.requests.abandonedByClose} were abandoned by closing tabs on purpose${figures.requests.harnessErrors.length === 0 ? '' : `; harness errors: ${figures.requests.harnessErrors.slice(0, 3).join(' | ')}`}`),
    check('no corrupted body', figures.requests.corrupted === 0, `${figures.requests.corrupted} of ${figures.requests.settled}${firstDetails(records, 'corrupted', run.t0)}`),
    check(`every tab authenticated within ${recoveryMs / 1000} s after the faults stopped`, recoveries.every((ms) => ms !== null && ms <= recoveryMs), run.recovery.map((r) => `tab ${r.tab}: ${r.ms === null ? `never (${r.status})` : `${r.ms} ms`}`).join(', ')),
    check(
      `refresh efficiency: at most ${EFFICIENCY_SLACK}× the ideal refreshes per token lifetime`,
      figures.refresh.succeededPerLifetime <= EFFICIENCY_SLACK * figures.refresh.idealPerLifetime && figures.refresh.calmSucceededPerLifetime <= EFFICIENCY_SLACK * figures.refresh.idealPerLifetime,
      `${delivered} answered refreshes over ${figures.refresh.tokenLifetimes} lifetimes: ${figures.refresh.succeededPerLifetime} per lifetime; in calm time ${calmRefreshes} over ${figures.refresh.calmTokenLifetimes}: ${figures.refresh.calmSucceededPerLifetime} (ideal ${figures.refresh.idealPerLifetime}); ${figures.refresh.calls} refresh calls in all, ${answeredLost} rotations answered into a lose-response spell`,
    ),
    check('no token in any log line', leaks.length === 0, `${figures.tokens.seen} tokens read from the vault, looked for in ${figures.tokens.logLines} log lines${leaks.length === 0 ? '' : `: found in ${leaks.map((leak) => `${leak.source} line ${leak.line}`).join(', ')}`}`),
    check('every API request reached the server with a token', figures.server.requestsWithoutAuthorization === 0, `${figures.server.requestsWithoutAuthorization} of ${resourceRequests} without Authorization${whenSeen(run, 'requestsWithoutAuthorization')}; ${figures.requests.uncontrolled} requests started in a page no worker controlled, ${figures.requests.bareChallenges} 401s to the app said no token was sent`),
    check('no network error outside offline spells and worker stops', figures.requests.networkOutsideOfflineAndStops === 0, `${figures.requests.network} network errors: ${figures.requests.networkDuringStopsOnly} while a worker stop was under way, ${figures.requests.networkOutsideOfflineAndStops} outside offline spells and stops${firstDetails(records.filter((r) => !overlaps(r, offline, OFFLINE_REACH_MS)), 'network', run.t0)}`),
    check('no unexpected status reached the app', figures.requests.otherStatus === 0, `${figures.requests.otherStatus}${firstDetails(records, 'status', run.t0)}`),
    check('the faults were delivered (worker stops confirmed, offline honoured)', run.deliveries.stopsUnconfirmed === 0 && run.deliveries.requestsSeenOffline === 0, `${run.deliveries.stopsConfirmed} stops confirmed, ${run.deliveries.stopsUnconfirmed} not; ${run.deliveries.requestsSeenOffline} requests reached the server while offline`),
  ];
  return { figures, assertions };
}

/**
 * When a counter moved, in seconds of the run, with the faults in force then or just before
 * (within 2 s): what a failed assertion needs to be reproduced.
 * @param {SoakRun} run
 * @param {import('./soak-tabs.mjs').WatchedCounter} counter
 */
function whenSeen(run, counter) {
  const times = run.counterEvents.filter((event) => event.counter === counter).map((event) => event.at);
  if (times.length === 0) return '';
  /** @type {string[]} */
  const moments = [];
  for (const at of times) {
    const near = run.windows.filter((w) => at >= w.start - 2000 && at <= w.end + 2000).map((w) => w.kind);
    const line = `${((at - run.t0) / 1000).toFixed(1)} s${near.length === 0 ? '' : ` [${[...new Set(near)].join(', ')}]`}`;
    if (moments.at(-1) !== line) moments.push(line);
  }
  return `, at ${moments.slice(0, 12).join('; ')}${moments.length > 12 ? '; …' : ''}`;
}

/**
 * The union of the windows, clipped to [from, to], as sorted disjoint [start, end] pairs.
 * @param {FaultWindow[]} windows
 * @param {number} from
 * @param {number} to
 * @returns {[number, number][]}
 */
function union(windows, from, to) {
  /** @type {[number, number][]} */
  const merged = [];
  for (const w of [...windows].sort((a, b) => a.start - b.start)) {
    const start = Math.max(from, w.start);
    const end = Math.min(to, w.end);
    if (end <= start) continue;
    const last = merged.at(-1);
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/**
 * @param {SoakRun} run
 * @returns {Record<string, number>}
 */
function callsPerSecondDuring(run) {
  /** @type {Record<string, { calls: number, seconds: number }>} */
  const byMode = {};
  for (const w of run.windows) {
    if (w.kind !== 'refresh' || w.mode === undefined) continue;
    const entry = byMode[w.mode] ?? { calls: 0, seconds: 0 };
    entry.calls += run.counterEvents.filter((e) => e.counter === 'refreshCalls' && e.at >= w.start && e.at <= w.end).length;
    entry.seconds += (w.end - w.start) / 1000;
    byMode[w.mode] = entry;
  }
  return Object.fromEntries(Object.entries(byMode).map(([mode, { calls, seconds }]) => [mode, round(calls / seconds, 1)]));
}

/**
 * Each of these can lose at most one refresh answer after the server rotated: a refresh that
 * arrived during a lose-response spell, a worker stop or an offline switch landing between
 * rotation and storage, a held refresh released as its client gave up.
 * @param {SoakRun} run
 */
function answerLosingEvents(run) {
  const spells = run.windows.filter((w) => w.kind === 'refresh' && w.mode === 'lose-response');
  return {
    loseResponseCalls: run.counterEvents.filter((e) => e.counter === 'refreshCalls' && spells.some((w) => e.at >= w.start && e.at <= w.end)).length,
    workerStops: run.windows.filter((w) => w.kind === 'stop-worker').length,
    offlineSpells: run.windows.filter((w) => w.kind === 'offline').length,
    heldReleased: run.deliveries.heldReleased,
  };
}

/**
 * @param {string} name
 * @param {boolean} pass
 * @param {string} detail
 * @returns {Assertion}
 */
function check(name, pass, detail) {
  return { name, pass, detail };
}

/**
 * Which log lines contain a token (or a JWT's signature alone); reported by position only,
 * so the report itself never carries the token.
 * @param {string[]} tokens
 * @param {SoakRun['logLines']} lines
 */
function findLeaks(tokens, lines) {
  const needles = tokens.flatMap((token) => {
    const parts = token.split('.');
    return parts.length === 3 && /** @type {string} */ (parts[2]).length >= 16 ? [token, /** @type {string} */ (parts[2])] : [token];
  });
  /** @type {{ source: string, line: number }[]} */
  const leaks = [];
  lines.forEach((entry, line) => {
    if (needles.some((needle) => entry.text.includes(needle))) leaks.push({ source: entry.source, line });
  });
  return leaks;
}

/** @param {{ transitions: { status: string, error: string | null }[] }[]} ended */
function describeEnds(ended) {
  const seen = new Set(ended.flatMap((e) => e.transitions.map((t) => `${t.status}${t.error === null ? '' : ` (${t.error})`}`)));
  return [...seen].join(', ');
}

/**
 * The first few records of an outcome, with their moment in the run, for a failed assertion.
 * @param {RequestRecord[]} records
 * @param {RequestRecord['outcome']} outcome
 * @param {number} t0
 */
function firstDetails(records, outcome, t0) {
  const details = records
    .filter((r) => r.outcome === outcome)
    .sort((a, b) => a.start - b.start)
    .slice(0, 3)
    .map((r) => `${r.op} at ${((r.start - t0) / 1000).toFixed(1)} s, ${r.end - r.start} ms: ${r.detail}`);
  return details.length === 0 ? '' : ` (${details.join(' | ')})`;
}

/**
 * @param {number} value
 * @param {number} digits
 */
function round(value, digits) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Records kept per outcome and tab in the results file (a seed replays the rest). */
const SAMPLE_RECORDS = 5;

/**
 * A tab's results for the results file: every count, and a few samples of each kind of record.
 * @param {SoakRun['tabs'][number]} tab
 */
export function compactTab({ results, ...tab }) {
  const { records, transitions, ...counts } = results;
  /** @type {Record<string, RequestRecord[]>} */
  const samples = {};
  for (const record of records) {
    const list = samples[record.outcome] ?? [];
    if (list.length < SAMPLE_RECORDS) samples[record.outcome] = [...list, record];
  }
  return { ...tab, results: { ...counts, transitions: transitions.length, sampleRecords: samples } };
}

/**
 * How often each watched counter moved, per second of the run: the server's side of the timeline.
 * @param {import('./soak-tabs.mjs').CounterEvent[]} events
 * @param {number} t0
 * @returns {Record<string, Record<number, number>>}
 */
export function counterTimeline(events, t0) {
  /** @type {Record<string, Record<number, number>>} */
  const timeline = {};
  for (const { counter, at } of events) {
    const second = Math.floor((at - t0) / 1000);
    const perSecond = timeline[counter] ?? {};
    perSecond[second] = (perSecond[second] ?? 0) + 1;
    timeline[counter] = perSecond;
  }
  return timeline;
}

/** @param {ReturnType<typeof evaluateSoak>} verdict */
export function summaryLines({ figures, assertions }) {
  const { requests, server, refresh, recovery, tokens } = figures;
  return [
    'figures:',
    `  ${requests.started} requests in ${figures.trafficSeconds} s (${requests.perSecond}/s) over ${figures.tabsOpened} tabs: ${requests.ok} ok, ${requests.lost} lost, ${requests.corrupted} corrupted, ${requests.network} network errors (${requests.networkOutsideOffline} outside offline spells, of which ${requests.networkDuringStopsOnly} during worker stops), ${requests.abandonedByClose} abandoned by closing a tab`,
    `  401 reached the app: ${requests.unauthorized} (${pct(requests.unauthorizedShare)} of requests; ${requests.unauthorizedOutsideFaults} outside a refresh or offline spell's reach); the server sent ${server.unauthorizedSent} (${pct(server.unauthorizedPerRequest)} of requests it saw, the rest replayed)`,
    `  refreshes: ${refresh.succeeded} succeeded (${refresh.answersLostOnPurpose} of them into a lose-response spell), ${refresh.calls} calls, over ${refresh.tokenLifetimes} token lifetimes: ${refresh.succeededPerLifetime} per lifetime, ${refresh.calmSucceededPerLifetime} in calm time (ideal ${refresh.idealPerLifetime}; calls ${refresh.callsPerLifetime}); calls per second while the endpoint ${Object.entries(refresh.callsPerSecondDuring).map(([mode, rate]) => `${mode}: ${rate}`).join(', ') || 'never failed'}; the worker started ${refresh.attemptsLogged} refreshes, ${refresh.attemptsWhileOffline} of them while offline`,
    `  reuse detections ${server.reuseDetections}, answered within the grace ${server.reuseGraceAccepted}; sessions ended ${figures.sessionsEnded.length}`,
    `  recovery after the faults stopped: worst ${recovery.worstMs === null ? 'never' : `${recovery.worstMs} ms`} (${recovery.perTab.map((r) => `tab ${r.tab} ${r.ms ?? '—'}`).join(', ')})`,
    `  tokens: ${tokens.seen} read from the vault, found in ${tokens.leaks.length} of ${tokens.logLines} log lines`,
    'assertions:',
    ...assertions.map((a) => `  ${a.pass ? 'PASS' : 'FAIL'}  ${a.name}: ${a.detail}`),
  ];
}

/** @param {number} share */
function pct(share) {
  return `${(share * 100).toFixed(2)} %`;
}
