import { describe, expect, it } from 'vitest';
import { NotAuthenticatedError } from '../../src/core/errors.js';
import type { AuthEngine } from '../../src/core/engine.js';
import { createLocalLock } from '../../src/core/lock.js';
import { createMemoryVault, type VaultRecord } from '../../src/core/vault.js';
import {
  BASE_CONFIG,
  PATHS,
  T0,
  createClock,
  createHarness,
  createServer,
  deferred,
  jsonResponse,
  rotatingRefresh,
  sessionRecord,
  signedJwt,
  seconds,
  text,
  tokenBody,
  tokenSet,
  type Handler,
  type HarnessOptions,
} from './helpers.js';

/** A session whose access token `access-0` / `refresh-0` has already expired. */
const expiredSession = (): VaultRecord => sessionRecord(tokenSet({ expiresAt: T0 - 1_000 }));
/** A session whose access token `access-0` is due for a preemptive refresh but valid for 20 s more. */
const dueSession = (): VaultRecord => sessionRecord(tokenSet({ expiresAt: T0 + 20_000 }));
/** A session whose access token `access-0` is valid for another hour. */
const freshSession = (): VaultRecord => sessionRecord(tokenSet({ expiresAt: T0 + 3_600_000 }));

function harnessWithRefresh(options: HarnessOptions & { handler?: Handler } = {}) {
  const harness = createHarness({ record: expiredSession(), ...options });
  harness.server.on(PATHS.refresh, options.handler ?? rotatingRefresh());
  return harness;
}

describe('AuthEngine: reading the session', () => {
  it('is anonymous with an empty vault, and has no token for requests', async () => {
    const { engine } = createHarness();
    expect(await engine.state()).toEqual({ status: 'anonymous', expiresAt: null, claims: null, error: null });
    expect(await engine.tokenForRequest()).toBeNull();
    expect(await engine.tokenAfterRejection('anything')).toBeNull();
  });

  it('is authenticated with a stored session and hands out its token without refreshing while fresh', async () => {
    const { engine, server } = harnessWithRefresh({ record: freshSession() });
    expect(await engine.state()).toMatchObject({ status: 'authenticated', expiresAt: T0 + 3_600_000 });
    expect(await engine.tokenForRequest()).toBe('access-0');
    expect(server.count(PATHS.refresh)).toBe(0);
  });

  it('refreshes preemptively when the token is within refreshAhead of expiry', async () => {
    const { engine, server, clock } = harnessWithRefresh({ record: freshSession() });
    clock.advance(3_600_000 - 30_000);
    expect(await engine.tokenForRequest()).toBe('access-1');
    expect(server.count(PATHS.refresh)).toBe(1);
  });

  it('accessToken() without a session throws NotAuthenticatedError', async () => {
    const { engine } = createHarness();
    await expect(engine.accessToken()).rejects.toBeInstanceOf(NotAuthenticatedError);
    await expect(engine.accessToken()).rejects.toMatchObject({ code: 'not_authenticated' });
  });

  it('refresh() without a session resolves to a not_authenticated error', async () => {
    const { engine } = createHarness();
    const result = await engine.refresh();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('not_authenticated');
  });
});

describe('AuthEngine: single-flight', () => {
  it('50 concurrent tokenForRequest() calls on an expired token make exactly one refresh call', async () => {
    const { engine, server } = harnessWithRefresh();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => engine.tokenForRequest()));
    expect(server.count(PATHS.refresh)).toBe(1);
    expect(new Set(tokens)).toEqual(new Set(['access-1']));
  });

  it('50 concurrent tokenAfterRejection(sameToken) calls make exactly one refresh call', async () => {
    const { engine, server } = harnessWithRefresh({ record: freshSession() });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => engine.tokenAfterRejection('access-0')));
    expect(server.count(PATHS.refresh)).toBe(1);
    expect(new Set(tokens)).toEqual(new Set(['access-1']));
  });

  it('shares one refresh even while the response is slow, across both entry points', async () => {
    const gate = deferred<Response>();
    const called = deferred<void>();
    const { engine, server } = harnessWithRefresh({
      handler: () => {
        called.resolve();
        return gate.promise;
      },
    });
    const first = Array.from({ length: 25 }, () => engine.tokenForRequest());
    await called.promise;
    const second = Array.from({ length: 25 }, () => engine.tokenAfterRejection('access-0'));
    gate.resolve(jsonResponse(tokenBody({ access_token: 'access-slow', refresh_token: 'refresh-slow' })));
    const tokens = await Promise.all([...first, ...second]);
    expect(server.count(PATHS.refresh)).toBe(1);
    expect(new Set(tokens)).toEqual(new Set(['access-slow']));
  });

  it('a 401 for a token that was already replaced reuses the new token without refreshing', async () => {
    const { engine, server } = harnessWithRefresh({ record: freshSession() });
    expect(await engine.tokenAfterRejection('access-0')).toBe('access-1');
    // A request sent with access-0 before the refresh comes back 401 afterwards.
    expect(await engine.tokenAfterRejection('access-0')).toBe('access-1');
    expect(server.count(PATHS.refresh)).toBe(1);
  });

  it('two engines (two worker versions) sharing one vault and one lock spend the refresh token once', async () => {
    const vault = createMemoryVault(expiredSession());
    const lock = createLocalLock();
    const server = createServer({ [PATHS.refresh]: rotatingRefresh() });
    const clock = createClock();
    const oldWorker = createHarness({ vault, lock, server, clock });
    const newWorker = createHarness({ vault, lock, server, clock });
    // Both have read (and cached) the same expired session.
    expect((await oldWorker.engine.state()).status).toBe('authenticated');
    expect((await newWorker.engine.state()).status).toBe('authenticated');

    const [a, b] = await Promise.all([oldWorker.engine.tokenForRequest(), newWorker.engine.tokenForRequest()]);

    expect(server.count(PATHS.refresh)).toBe(1);
    expect(a).toBe('access-1');
    expect(b).toBe('access-1');
    expect((await vault.read()).tokens?.refreshToken).toBe('refresh-1');
  });

  it('after taking the lock, re-reads the vault and uses tokens another engine rotated meanwhile', async () => {
    const vault = createMemoryVault(expiredSession());
    const lock = createLocalLock();
    const server = createServer({ [PATHS.refresh]: rotatingRefresh() });
    const clock = createClock();
    const first = createHarness({ vault, lock, server, clock });
    const second = createHarness({ vault, lock, server, clock });
    await second.engine.state(); // caches access-0
    expect(await first.engine.tokenForRequest()).toBe('access-1');
    // `second` still holds access-0 in memory; its refresh must find access-1 in the vault instead of spending refresh-1.
    expect(await second.engine.tokenAfterRejection('access-0')).toBe('access-1');
    expect(server.count(PATHS.refresh)).toBe(1);
  });

  it('the one refresh sends the stored refresh token', async () => {
    const { engine, server } = harnessWithRefresh();
    await engine.tokenForRequest();
    const [call] = server.calls(PATHS.refresh);
    expect(JSON.parse(await text(call!.body))).toEqual({ refresh_token: 'refresh-0', client_id: 'unit-spa' });
  });
});

describe('AuthEngine: rotation', () => {
  it('stores the rotated refresh token and sends it on the next refresh', async () => {
    const { engine, server, vault, clock } = harnessWithRefresh({ handler: rotatingRefresh({ expiresIn: 60 }) });
    expect(await engine.tokenForRequest()).toBe('access-1');
    expect((await vault.read()).tokens).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: T0 + 60_000 });

    clock.advance(60_000);
    expect(await engine.tokenForRequest()).toBe('access-2');
    const sent = await Promise.all(server.calls(PATHS.refresh).map(async (call) => JSON.parse(await text(call.body)).refresh_token));
    expect(sent).toEqual(['refresh-0', 'refresh-1']);
    expect((await vault.read()).tokens?.refreshToken).toBe('refresh-2');
  });

  it('keeps the old refresh token when the response carries none', async () => {
    const { engine, server, vault, clock } = harnessWithRefresh({ handler: rotatingRefresh({ rotateRefresh: false, expiresIn: 60 }) });
    expect(await engine.tokenForRequest()).toBe('access-1');
    expect((await vault.read()).tokens).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-0' });

    clock.advance(60_000);
    await engine.tokenForRequest();
    const sent = await Promise.all(server.calls(PATHS.refresh).map(async (call) => JSON.parse(await text(call.body)).refresh_token));
    expect(sent).toEqual(['refresh-0', 'refresh-0']);
  });

  it('publishes refreshing then refreshed, and ends authenticated with the new expiry and claims', async () => {
    const accessToken = await signedJwt({ sub: 'user-1', exp: seconds(T0) + 900 });
    const { engine, messages } = harnessWithRefresh({
      handler: () => jsonResponse({ access_token: accessToken, token_type: 'Bearer', refresh_token: 'refresh-1' }),
    });
    await engine.tokenForRequest();
    expect(messages.map((message) => [message.event.type, message.state.status])).toEqual([
      ['refreshing', 'refreshing'],
      ['refreshed', 'authenticated'],
    ]);
    expect(await engine.state()).toMatchObject({
      status: 'authenticated',
      expiresAt: T0 + 900_000,
      claims: { sub: 'user-1' },
      error: null,
    });
  });

  it('revisions of published messages strictly increase', async () => {
    const { engine, messages, clock } = harnessWithRefresh({ handler: rotatingRefresh({ expiresIn: 10 }) });
    for (let i = 0; i < 3; i++) {
      await engine.tokenForRequest();
      clock.advance(10_000);
    }
    const revisions = messages.map((message) => message.revision);
    expect(revisions.length).toBeGreaterThan(3);
    for (let i = 1; i < revisions.length; i++) expect(revisions[i]).toBeGreaterThan(revisions[i - 1]!);
  });
});

describe('AuthEngine: refresh outcomes', () => {
  it('invalid_grant ends the session: state expired, vault tokens null, epoch bumped', async () => {
    const { engine, vault, messages } = harnessWithRefresh({
      handler: () => jsonResponse({ error: 'invalid_grant' }, { status: 400 }),
    });
    expect(await engine.tokenForRequest()).toBeNull();
    expect(await vault.read()).toEqual({ epoch: 2, tokens: null, ended: 'expired' });
    const state = await engine.state();
    expect(state.status).toBe('expired');
    expect(messages.map((message) => message.event)).toMatchObject([
      { type: 'refreshing' },
      { type: 'refresh-failed', kind: 'rejected', error: { code: 'refresh_rejected' } },
      { type: 'expired', error: { code: 'refresh_rejected', oauthError: 'invalid_grant' } },
    ]);
    expect(messages.at(-1)?.state.status).toBe('expired');
    expect(state.error).toMatchObject({ code: 'refresh_rejected', oauthError: 'invalid_grant' });
    await expect(engine.accessToken()).rejects.toMatchObject({ code: 'not_authenticated' });
  });

  it('a 401 from the refresh endpoint also ends the session', async () => {
    const { engine, vault } = harnessWithRefresh({ handler: () => new Response(null, { status: 401 }) });
    await engine.tokenForRequest();
    expect((await vault.read()).tokens).toBeNull();
    expect((await engine.state()).status).toBe('expired');
  });

  it('500 keeps the session: status offline, error refresh_unavailable', async () => {
    const { engine, vault, messages } = harnessWithRefresh({ handler: () => new Response('boom', { status: 500 }) });
    // The expired token is still the best we have: the request goes out and the server decides.
    expect(await engine.tokenForRequest()).toBe('access-0');
    expect((await vault.read()).tokens?.refreshToken).toBe('refresh-0');
    const state = await engine.state();
    expect(state.status).toBe('offline');
    expect(state.error).toMatchObject({ code: 'refresh_unavailable', status: 500 });
    expect(messages.map((message) => message.event)).toMatchObject([
      { type: 'refreshing' },
      { type: 'refresh-failed', kind: 'network', error: { code: 'refresh_unavailable' } },
      { type: 'offline', error: { code: 'refresh_unavailable' } },
    ]);
    expect(messages.at(-1)?.state.status).toBe('offline');
  });

  it('a network error keeps the session: status offline, error refresh_unavailable', async () => {
    const { engine, vault } = harnessWithRefresh({
      handler: () => {
        throw new TypeError('fetch failed');
      },
    });
    expect(await engine.tokenForRequest()).toBe('access-0');
    expect((await vault.read()).tokens?.accessToken).toBe('access-0');
    expect(await engine.state()).toMatchObject({ status: 'offline', error: { code: 'refresh_unavailable' } });
  });

  it('after an unavailable refresh endpoint, no second HTTP refresh before retryAt, one after', async () => {
    let fail = true;
    const rotate = rotatingRefresh();
    // random() = 0.5 and base 1 s: the first retry waits floor(0.5 * 1000) = 500 ms.
    const { engine, server, clock } = harnessWithRefresh({
      record: dueSession(),
      handler: (request) => (fail ? new Response(null, { status: 503 }) : rotate(request)),
    });
    expect(await engine.tokenForRequest()).toBe('access-0');
    expect(server.count(PATHS.refresh)).toBe(1);

    fail = false;
    expect(await engine.tokenForRequest()).toBe('access-0');
    clock.advance(499);
    expect(await engine.tokenForRequest()).toBe('access-0');
    expect(server.count(PATHS.refresh)).toBe(1);

    clock.advance(1);
    expect(await engine.tokenForRequest()).toBe('access-1');
    expect(server.count(PATHS.refresh)).toBe(2);
    expect(await engine.state()).toMatchObject({ status: 'authenticated', error: null });
  });

  it('publishes offline once per outage and online on the first success after it', async () => {
    let fail = true;
    const rotate = rotatingRefresh();
    const { engine, clock, messages } = harnessWithRefresh({
      handler: (request) => (fail ? new Response(null, { status: 503 }) : rotate(request)),
    });
    await engine.tokenForRequest();
    clock.advance(500);
    await engine.tokenForRequest();
    fail = false;
    clock.advance(1_000);
    await engine.tokenForRequest();
    expect(messages.map((message) => message.event.type)).toEqual([
      'refreshing',
      'refresh-failed',
      'offline',
      'refreshing',
      'refresh-failed',
      'refreshing',
      'refreshed',
      'online',
    ]);
    expect(messages.at(-1)?.state).toMatchObject({ status: 'authenticated', error: null });
  });

  it('backs off exponentially over consecutive failures', async () => {
    const { engine, server, clock } = harnessWithRefresh({ record: dueSession(), handler: () => new Response(null, { status: 500 }) });
    await engine.tokenForRequest(); // attempt 0: wait 500 ms
    clock.advance(500);
    await engine.tokenForRequest(); // attempt 1: wait 1000 ms
    expect(server.count(PATHS.refresh)).toBe(2);
    clock.advance(999);
    await engine.tokenForRequest();
    expect(server.count(PATHS.refresh)).toBe(2);
    clock.advance(1);
    await engine.tokenForRequest();
    expect(server.count(PATHS.refresh)).toBe(3);
  });

  it('honours Retry-After from a 429 as the minimum wait', async () => {
    const { engine, server, clock } = harnessWithRefresh({
      handler: () => new Response(null, { status: 429, headers: { 'Retry-After': '30' } }),
    });
    await engine.tokenForRequest();
    clock.advance(29_999);
    await engine.tokenForRequest();
    expect(server.count(PATHS.refresh)).toBe(1);
    clock.advance(1);
    await engine.tokenForRequest();
    expect(server.count(PATHS.refresh)).toBe(2);
  });

  it('in backoff, requests join a refresh that is already in flight instead of sending the stale token', async () => {
    const gate = deferred<Response>();
    let calls = 0;
    const { engine, server } = harnessWithRefresh({
      handler: () => (++calls === 1 ? new Response(null, { status: 503 }) : gate.promise),
    });
    expect(await engine.tokenForRequest()).toBe('access-0'); // failed: now in backoff
    const forced = engine.refresh(); // e.g. the page's `online` nudge
    const forRequest = engine.tokenForRequest();
    const afterRejection = engine.tokenAfterRejection('access-0');
    gate.resolve(jsonResponse(tokenBody({ access_token: 'access-1', refresh_token: 'refresh-1' })));
    expect((await forced).ok).toBe(true);
    expect(await forRequest).toBe('access-1');
    expect(await afterRejection).toBe('access-1');
    expect(server.count(PATHS.refresh)).toBe(2);
  });

  it('a forced refresh() ignores the backoff', async () => {
    const { engine, server } = harnessWithRefresh({ handler: () => new Response(null, { status: 500 }) });
    await engine.tokenForRequest();
    const result = await engine.refresh();
    expect(result.ok).toBe(false);
    expect(server.count(PATHS.refresh)).toBe(2);
  });

  it('misconfiguration keeps the session and reports refresh_misconfigured', async () => {
    const { engine, vault, messages } = harnessWithRefresh({
      handler: () => jsonResponse({ error: 'invalid_client' }, { status: 401 }),
    });
    await engine.tokenForRequest();
    expect((await vault.read()).tokens?.accessToken).toBe('access-0');
    expect(await engine.state()).toMatchObject({
      status: 'authenticated',
      error: { code: 'refresh_misconfigured', oauthError: 'invalid_client' },
    });
    expect(messages.at(-1)?.event).toMatchObject({ type: 'refresh-failed', kind: 'config' });
  });

  it('accessToken() returns the old token if it is still valid when the refresh fails', async () => {
    const { engine, clock } = harnessWithRefresh({ record: freshSession(), handler: () => new Response(null, { status: 503 }) });
    clock.advance(3_600_000 - 10_000); // due (within 30 s) but not expired
    expect(await engine.accessToken()).toBe('access-0');
  });

  it('accessToken() respects the backoff while the token is still valid: no second HTTP refresh while it lasts', async () => {
    const { engine, server } = harnessWithRefresh({ record: dueSession(), handler: () => new Response(null, { status: 503 }) });
    expect(await engine.accessToken()).toBe('access-0');
    expect(await engine.accessToken()).toBe('access-0');
    expect(server.count(PATHS.refresh)).toBe(1);
  });

  describe('after a long outage, a request that needs a token does not wait out the backoff', () => {
    /**
     * Six failed refreshes at t = 0, 1, 3, 7, 15 and 31 s (random 0.99: each retry just before
     * its ceiling): the last backoff runs to about t = 62.7 s, past the expiry of the token
     * (t = 40 s). `last` is the answer to the sixth attempt.
     */
    async function afterOutage(failure: () => Response, last: () => Response = failure) {
      let attempts = 0;
      let down = true;
      const rotate = rotatingRefresh();
      const harness = harnessWithRefresh({
        // Due from the start (refreshAhead 60 s), expired at t = 40 s.
        config: { ...BASE_CONFIG, refreshAhead: 60 },
        record: sessionRecord(tokenSet({ expiresAt: T0 + 40_000 })),
        handler: (request) => {
          attempts += 1;
          if (!down) return rotate(request);
          return attempts === 6 ? last() : failure();
        },
        random: () => 0.99,
      });
      for (let attempt = 0; attempt < 6; attempt++) {
        if (attempt > 0) harness.clock.advance(2 ** (attempt - 1) * 1000);
        await harness.engine.tokenForRequest();
      }
      expect(harness.server.count(PATHS.refresh)).toBe(6);
      return { ...harness, recover: () => (down = false) };
    }
    const unavailable = () => new Response(null, { status: 503 });

    it('a rejected token gets a refresh attempt at once when the endpoint is back', async () => {
      const { engine, server, clock, recover } = await afterOutage(unavailable);
      recover();
      clock.advance(1);
      const sentAt = clock.now();
      expect(await engine.tokenForRequest()).toBe('access-0'); // still valid: the backoff holds
      expect(server.count(PATHS.refresh)).toBe(6);
      expect(await engine.tokenAfterRejection('access-0', sentAt)).toBe('access-1');
      expect(server.count(PATHS.refresh)).toBe(7);
    });

    it('but not a second time for a request whose own refresh attempt just failed', async () => {
      const { engine, server, clock } = await afterOutage(unavailable);
      clock.advance(10_000); // expired
      const sentAt = clock.now();
      expect(await engine.tokenForRequest()).toBe('access-0'); // tried, failed: the stale token goes out
      expect(server.count(PATHS.refresh)).toBe(7);
      expect(await engine.tokenAfterRejection('access-0', sentAt)).toBeNull();
      expect(server.count(PATHS.refresh)).toBe(7);
    });

    it('an expired token gets a refresh attempt at once', async () => {
      const { engine, server, clock, recover } = await afterOutage(unavailable);
      clock.advance(10_000); // t = 41 s: access-0 has expired; the backoff lasts until about 62.7 s
      recover();
      expect(await engine.tokenForRequest()).toBe('access-1');
      expect(server.count(PATHS.refresh)).toBe(7);
    });

    it("but a server's Retry-After still holds every request back", async () => {
      const { engine, server, clock } = await afterOutage(
        unavailable,
        () => new Response(null, { status: 503, headers: { 'Retry-After': '120' } }),
      );
      clock.advance(10_000);
      expect(await engine.tokenAfterRejection('access-0', clock.now())).toBeNull();
      expect(await engine.tokenForRequest()).toBe('access-0');
      expect(server.count(PATHS.refresh)).toBe(6);
    });

    it('and a misconfigured endpoint stays in backoff (retrying at once would not help)', async () => {
      const { engine, server, clock } = await afterOutage(() => jsonResponse({ error: 'invalid_client' }, { status: 400 }));
      clock.advance(10_000);
      expect(await engine.tokenAfterRejection('access-0', clock.now())).toBeNull();
      expect(server.count(PATHS.refresh)).toBe(6);
    });
  });

  describe('a refresh whose answer never arrived', () => {
    const invalidGrant = (): Response => jsonResponse({ error: 'invalid_grant' }, { status: 400 });

    it('is recorded in the vault before the request is sent, and cleared once an answer arrives', async () => {
      let seenDuringRequest: number | null | undefined;
      const rotate = rotatingRefresh();
      const harness = harnessWithRefresh({
        handler: async (request) => {
          seenDuringRequest = (await harness.vault.read()).refreshSentAt;
          return rotate(request);
        },
      });
      expect(await harness.engine.tokenForRequest()).toBe('access-1');
      expect(seenDuringRequest).toBe(T0);
      expect((await harness.vault.read()).refreshSentAt).toBeNull();
    });

    it('makes a later rejection say so (refresh_response_lost), not a plain invalid_grant', async () => {
      let answer: () => Response | Promise<Response> = () => Promise.reject(new TypeError('connection dropped'));
      const { engine, clock } = harnessWithRefresh({ handler: () => answer() });
      expect(await engine.tokenForRequest()).toBe('access-0'); // the answer was lost: the session is kept
      answer = invalidGrant;
      clock.advance(60_000);
      const result = await engine.refresh();
      expect(result).toMatchObject({ ok: false, error: { code: 'refresh_response_lost', oauthError: 'invalid_grant', status: 400 } });
      expect(await engine.state()).toMatchObject({ status: 'expired', error: { code: 'refresh_response_lost' } });
    });

    it('survives a worker restart: a new engine on the same vault knows the last answer was lost', async () => {
      const hung = deferred<Response>();
      const first = harnessWithRefresh({ handler: () => hung.promise });
      void first.engine.tokenForRequest(); // the worker is stopped while this waits
      await expect.poll(async () => (await first.vault.read()).refreshSentAt).toBe(T0);
      const restarted = createHarness({ vault: first.vault, server: first.server, clock: first.clock });
      first.server.on(PATHS.refresh, invalidGrant);
      const result = await restarted.engine.refresh();
      expect(result).toMatchObject({ ok: false, error: { code: 'refresh_response_lost' } });
    });

    it('an answered failure clears the record: a later rejection is an ordinary refresh_rejected', async () => {
      let answer = (): Response => new Response(null, { status: 503 });
      const { engine, vault } = harnessWithRefresh({ handler: () => answer() });
      await engine.tokenForRequest();
      expect((await vault.read()).refreshSentAt).toBeNull();
      answer = invalidGrant;
      expect(await engine.refresh()).toMatchObject({ ok: false, error: { code: 'refresh_rejected' } });
    });
  });

  it('accessToken() throws the refresh error once the token has expired', async () => {
    const { engine } = harnessWithRefresh({ handler: () => new Response(null, { status: 503 }) });
    await expect(engine.accessToken()).rejects.toMatchObject({ code: 'refresh_unavailable' });
  });

  it('without a refresh endpoint, an expired session cannot be extended but is not ended', async () => {
    const { engine, server, vault } = createHarness({ record: expiredSession(), config: { ...BASE_CONFIG, refresh: undefined } });
    const result = await engine.refresh();
    expect(result.ok).toBe(false);
    expect(server.count(PATHS.refresh)).toBe(0);
    expect((await vault.read()).tokens?.accessToken).toBe('access-0');
  });

  it('the cookie format refreshes without a stored refresh token', async () => {
    const { engine, server } = harnessWithRefresh({
      config: { ...BASE_CONFIG, refresh: { url: PATHS.refresh, format: 'cookie' } },
      record: sessionRecord(tokenSet({ refreshToken: null, expiresAt: T0 - 1 })),
      handler: rotatingRefresh({ rotateRefresh: false }),
    });
    expect(await engine.tokenForRequest()).toBe('access-1');
    const [call] = server.calls(PATHS.refresh);
    expect(call!.request.credentials).toBe('include');
    expect(await text(call!.body)).toBe('');
  });
});

describe('AuthEngine: epochs (stale writes)', () => {
  it('a refresh in flight during logout does not write its result: the user stays logged out', async () => {
    const gate = deferred<Response>();
    const called = deferred<void>();
    const { engine, vault, messages } = harnessWithRefresh({
      handler: () => {
        called.resolve();
        return gate.promise;
      },
    });
    const pending = engine.tokenForRequest();
    await called.promise;

    expect((await engine.logout()).status).toBe('anonymous');
    gate.resolve(jsonResponse(tokenBody({ access_token: 'access-resurrected', refresh_token: 'refresh-resurrected' })));

    expect(await pending).toBeNull();
    expect((await vault.read()).tokens).toBeNull();
    expect((await engine.state()).status).toBe('anonymous');
    expect(await engine.tokenForRequest()).toBeNull();
    expect(JSON.stringify(messages)).not.toContain('resurrected');
    expect(messages.at(-1)?.state.status).toBe('anonymous');
  });

  it('a refresh in flight during logout + new login does not overwrite the new session', async () => {
    const gate = deferred<Response>();
    const called = deferred<void>();
    const { engine, vault } = harnessWithRefresh({
      handler: () => {
        called.resolve();
        return gate.promise;
      },
    });
    const pending = engine.tokenForRequest();
    await called.promise;
    await engine.logout();
    await engine.captureTokenResponse(jsonResponse(tokenBody({ access_token: 'access-new-login', refresh_token: 'refresh-new-login' })));

    gate.resolve(jsonResponse(tokenBody({ access_token: 'access-stale', refresh_token: 'refresh-stale' })));
    await pending;

    expect((await vault.read()).tokens).toMatchObject({ accessToken: 'access-new-login', refreshToken: 'refresh-new-login' });
    expect(await engine.tokenForRequest()).toBe('access-new-login');
  });

  it('an invalid_grant for a refresh from an older session does not end the new session', async () => {
    const gate = deferred<Response>();
    const called = deferred<void>();
    const { engine, vault } = harnessWithRefresh({
      handler: () => {
        called.resolve();
        return gate.promise;
      },
    });
    const pending = engine.tokenForRequest();
    await called.promise;
    await engine.captureTokenResponse(jsonResponse(tokenBody({ access_token: 'access-new-login' })));
    gate.resolve(jsonResponse({ error: 'invalid_grant' }, { status: 400 }));
    await pending;
    expect((await vault.read()).tokens?.accessToken).toBe('access-new-login');
    expect((await engine.state()).status).toBe('authenticated');
  });

  it('an unavailable-endpoint failure of a refresh from an older session does not put the new session offline or in backoff', async () => {
    const gate = deferred<Response>();
    const called = deferred<void>();
    let stale = true;
    const rotate = rotatingRefresh();
    const { engine, server } = harnessWithRefresh({
      handler: (request) => {
        if (!stale) return rotate(request);
        called.resolve();
        return gate.promise;
      },
    });
    const pending = engine.tokenForRequest();
    await called.promise;
    await engine.logout();
    await engine.captureTokenResponse(jsonResponse(tokenBody({ access_token: 'access-new-login', refresh_token: 'refresh-new-login' })));
    stale = false;

    gate.resolve(new Response(null, { status: 503 }));
    await pending;

    // The 503 answered a request made for the logged-out session; the new session never failed.
    expect(await engine.state()).toMatchObject({ status: 'authenticated', error: null });
    // A 401 in the new session must be allowed to refresh, not be blocked by the old session's backoff.
    expect(await engine.tokenAfterRejection('access-new-login')).toBe('access-1');
    expect(server.count(PATHS.refresh)).toBe(2);
  });
});

describe('AuthEngine: snapshot', () => {
  it('is a snapshot event when nothing was published yet', async () => {
    const { engine } = createHarness({ record: freshSession() });
    expect(await engine.snapshot()).toMatchObject({
      type: 'sw-auth-proxy:state',
      event: { type: 'snapshot' },
      state: { status: 'authenticated' },
    });
  });

  it('repeats the last published message while it still describes the state', async () => {
    const { engine, messages } = harnessWithRefresh({ handler: () => jsonResponse({ error: 'invalid_grant' }, { status: 400 }) });
    await engine.tokenForRequest();
    expect(await engine.snapshot()).toBe(messages.at(-1));
  });

  it('is a fresh snapshot with a higher revision once the state has moved on (after forget())', async () => {
    const vault = createMemoryVault(freshSession());
    const clock = createClock();
    const worker = createHarness({ vault, clock });
    const otherWorker = createHarness({ vault, clock });
    await worker.engine.captureTokenResponse(jsonResponse(tokenBody()));
    const last = worker.messages.at(-1)!;
    // Another worker version logs the user out; this engine learns of it by dropping its cache.
    await otherWorker.engine.logout();
    worker.engine.forget();
    const snapshot = await worker.engine.snapshot();
    expect(snapshot.event.type).toBe('snapshot');
    expect(snapshot.state.status).toBe('anonymous');
    expect(snapshot.revision).toBeGreaterThan(last.revision);
  });
});

describe('AuthEngine: circuit breaker', () => {
  /** One request against an API that rejects every token: sent, rejected, refreshed, replayed, rejected again. */
  async function loop(engine: AuthEngine, token: string): Promise<string | null> {
    const fresh = await engine.tokenAfterRejection(token);
    if (fresh !== null) engine.tokenVerdict(fresh, false);
    return fresh;
  }

  it('opens after 3 futile refreshes in a minute (refreshed tokens rejected too), and closes after the window', async () => {
    const { engine, server, clock } = harnessWithRefresh({ record: freshSession() });
    let token = 'access-0';
    for (let i = 1; i <= 3; i++) {
      const next = await loop(engine, token);
      expect(next).toBe(`access-${i}`);
      token = next!;
      clock.advance(1_000);
    }
    expect(server.count(PATHS.refresh)).toBe(3);

    // The API keeps rejecting fresh tokens: the next 401s pass through instead of refreshing again.
    expect(await engine.tokenAfterRejection(token)).toBeNull();
    expect(await engine.tokenAfterRejection(token)).toBeNull();
    expect(server.count(PATHS.refresh)).toBe(3);

    clock.advance(60_000);
    expect(await engine.tokenAfterRejection(token)).toBe('access-4');
    expect(server.count(PATHS.refresh)).toBe(4);
  });

  it('never opens on successful recoveries: every revoke-and-replay cycle refreshes, however many in a minute', async () => {
    const { engine, server, clock } = harnessWithRefresh({ record: freshSession() });
    let token = 'access-0';
    for (let i = 1; i <= 10; i++) {
      const next = await engine.tokenAfterRejection(token);
      expect(next).toBe(`access-${i}`);
      engine.tokenVerdict(next!, true); // the replay succeeded
      token = next!;
      clock.advance(1_000);
    }
    expect(server.count(PATHS.refresh)).toBe(10);
  });

  it('counts a refreshed token rejected on first use by another request, once per refresh', async () => {
    const { engine, server } = harnessWithRefresh({ record: freshSession() });
    // Each refreshed token is rejected by several requests (concurrent replays, later sends): one futile refresh each.
    let token = 'access-0';
    for (let i = 1; i <= 3; i++) {
      token = (await engine.tokenAfterRejection(token))!;
      engine.tokenVerdict(token, false);
      engine.tokenVerdict(token, false);
    }
    expect(await engine.tokenAfterRejection(token)).toBeNull();
    expect(server.count(PATHS.refresh)).toBe(3);
  });

  it('a refreshed token accepted once is proven: a later rejection of it is a new revocation, not a loop', async () => {
    const { engine, server } = harnessWithRefresh({ record: freshSession() });
    let token = 'access-0';
    for (let i = 1; i <= 5; i++) {
      token = (await engine.tokenAfterRejection(token))!;
      engine.tokenVerdict(token, true);
      engine.tokenVerdict(token, false); // rejected later: not counted
    }
    expect(await engine.tokenAfterRejection(token)).toBe('access-6');
    expect(server.count(PATHS.refresh)).toBe(6);
  });

  it('successes between loops do not reset the count of futile refreshes in the window', async () => {
    const { engine, server, clock } = harnessWithRefresh({ record: freshSession() });
    let token = 'access-0';
    for (const accepted of [false, true, false, true, false]) {
      token = (await engine.tokenAfterRejection(token))!;
      engine.tokenVerdict(token, accepted);
      clock.advance(1_000);
    }
    expect(server.count(PATHS.refresh)).toBe(5);
    expect(await engine.tokenAfterRejection(token)).toBeNull();
    expect(server.count(PATHS.refresh)).toBe(5);
  });

  it('starts closed again for a new session', async () => {
    const { engine, server } = harnessWithRefresh({ record: freshSession() });
    let token = 'access-0';
    for (let i = 1; i <= 3; i++) token = (await loop(engine, token))!;
    expect(await engine.tokenAfterRejection(token)).toBeNull();
    await engine.captureTokenResponse(jsonResponse(tokenBody({ access_token: 'access-login' })));
    expect(await engine.tokenAfterRejection('access-login')).toBe('access-4');
    expect(server.count(PATHS.refresh)).toBe(4);
  });

  it('does not count preemptive refreshes whose tokens were accepted', async () => {
    const { engine, server, clock } = harnessWithRefresh({ handler: rotatingRefresh({ expiresIn: 31 }) });
    for (let i = 1; i <= 5; i++) {
      const token = await engine.tokenForRequest();
      expect(token).toBe(`access-${i}`);
      engine.tokenVerdict(token!, true);
      clock.advance(1_000); // 30 s ahead of a 31 s token: due again a second later
    }
    expect(await engine.tokenAfterRejection('access-5')).toBe('access-6');
    expect(server.count(PATHS.refresh)).toBe(6);
  });
});

describe('AuthEngine: capture', () => {
  it('stores a captured token response and returns a body without refresh_token', async () => {
    const accessToken = await signedJwt({ sub: 'user-1', exp: seconds(T0) + 600 });
    const { engine, vault, messages } = createHarness();
    const response = jsonResponse(tokenBody({ access_token: accessToken, refresh_token: 'refresh-captured', expires_in: 600 }), {
      headers: { 'X-Request-Id': 'abc' },
    });

    const { response: visible, captured } = await engine.captureTokenResponse(response);

    expect(captured).toBe(true);
    expect(visible.status).toBe(200);
    expect(visible.headers.get('x-request-id')).toBe('abc');
    const body = await visible.json();
    expect(body).toEqual({ access_token: accessToken, token_type: 'Bearer', expires_in: 600 });
    expect(JSON.stringify(body)).not.toContain('refresh-captured');

    expect(await vault.read()).toMatchObject({
      epoch: 1,
      ended: null,
      tokens: { accessToken, refreshToken: 'refresh-captured', expiresAt: T0 + 600_000 },
    });
    expect(await engine.state()).toMatchObject({ status: 'authenticated', claims: { sub: 'user-1' } });
    expect(messages.at(-1)?.event.type).toBe('session-created');
    expect(await engine.tokenForRequest()).toBe(accessToken);
  });

  it('a capture starts a new session: the epoch is bumped and a previous expiry is cleared', async () => {
    const { engine, vault } = createHarness({ record: { epoch: 4, tokens: null, ended: 'expired' } });
    await engine.captureTokenResponse(jsonResponse(tokenBody()));
    expect(await vault.read()).toMatchObject({ epoch: 5, ended: null, tokens: { accessToken: 'access-opaque-1' } });
  });

  it('passes a JSON response that is not a token response untouched', async () => {
    const { engine, vault, messages } = createHarness();
    const response = jsonResponse({ user: 'ada', mfa_required: true });
    const result = await engine.captureTokenResponse(response);
    expect(result.captured).toBe(false);
    expect(result.response).toBe(response);
    expect(await response.json()).toEqual({ user: 'ada', mfa_required: true });
    expect((await vault.read()).tokens).toBeNull();
    expect(messages).toEqual([]);
  });

  it('passes non-JSON and error responses untouched', async () => {
    const { engine, vault } = createHarness();
    const html = new Response('<p>hi</p>', { headers: { 'Content-Type': 'text/html' } });
    expect((await engine.captureTokenResponse(html)).response).toBe(html);
    const failed = jsonResponse({ access_token: 'looks-like-a-token', error: 'invalid_grant' }, { status: 400 });
    const result = await engine.captureTokenResponse(failed);
    expect(result).toEqual({ response: failed, captured: false });
    expect((await vault.read()).tokens).toBeNull();
  });

  it('does not store an unusable token response, and still strips its refresh_token', async () => {
    const { engine, vault } = createHarness();
    const result = await engine.captureTokenResponse(jsonResponse(tokenBody({ token_type: 'mac', refresh_token: 'refresh-secret' })));
    expect(result.captured).toBe(false);
    expect(await result.response.text()).not.toContain('refresh-secret');
    expect((await vault.read()).tokens).toBeNull();
    expect((await engine.state()).error).toMatchObject({ code: 'invalid_token_response' });
  });
});

describe('AuthEngine: logout', () => {
  const formConfig = { ...BASE_CONFIG, refresh: { url: PATHS.refresh, format: 'form' as const }, logout: { url: PATHS.logout } };

  it('revokes at the configured endpoint (RFC 7009 form), clears the vault and bumps the epoch', async () => {
    const { engine, server, vault, messages } = createHarness({ config: formConfig, record: freshSession() });
    server.on(PATHS.logout, () => new Response(null, { status: 200 }));

    expect(await engine.logout()).toEqual({ status: 'anonymous', expiresAt: null, claims: null, error: null });

    expect(server.count(PATHS.logout)).toBe(1);
    const [call] = server.calls(PATHS.logout);
    expect(Object.fromEntries(new URLSearchParams(await text(call!.body)))).toEqual({
      token: 'refresh-0',
      token_type_hint: 'refresh_token',
      client_id: 'unit-spa',
    });
    expect(await vault.read()).toEqual({ epoch: 2, tokens: null, ended: null });
    expect(messages.at(-1)).toMatchObject({ event: { type: 'logged-out' }, state: { status: 'anonymous' } });
  });

  it('still logs out when revocation fails on the network', async () => {
    const { engine, server, vault } = createHarness({ config: formConfig, record: freshSession() });
    server.on(PATHS.logout, () => {
      throw new TypeError('fetch failed');
    });
    expect((await engine.logout()).status).toBe('anonymous');
    expect(server.count(PATHS.logout)).toBe(1);
    expect((await vault.read()).tokens).toBeNull();
  });

  it('still logs out when the revocation endpoint answers an error', async () => {
    const { engine, server, vault, logs } = createHarness({ config: formConfig, record: freshSession() });
    server.on(PATHS.logout, () => new Response('nope', { status: 503 }));
    expect((await engine.logout()).status).toBe('anonymous');
    expect((await vault.read()).tokens).toBeNull();
    expect(logs.join('\n')).toMatch(/503/);
  });

  it('does not call any endpoint when no logout URL is configured', async () => {
    const { engine, server } = createHarness({ record: freshSession() });
    await engine.logout();
    expect(server.count(PATHS.logout)).toBe(0);
    expect(server.count(PATHS.refresh)).toBe(0);
  });

  it('does not revoke when there was no session', async () => {
    const { engine, server } = createHarness({ config: formConfig });
    expect((await engine.logout()).status).toBe('anonymous');
    expect(server.count(PATHS.logout)).toBe(0);
  });

  it('clears an expired session back to anonymous', async () => {
    const { engine } = createHarness({ record: { epoch: 3, tokens: null, ended: 'expired' } });
    expect((await engine.state()).status).toBe('expired');
    expect((await engine.logout()).status).toBe('anonymous');
  });
});

describe('AuthEngine: published messages hold no token', () => {
  it('never contains an access or refresh token across a whole session lifecycle', async () => {
    const access = [
      await signedJwt({ sub: 'user-1', n: 1 }),
      await signedJwt({ sub: 'user-1', n: 2 }),
      await signedJwt({ sub: 'user-1', n: 3 }),
    ];
    const refresh = ['refresh-secret-A', 'refresh-secret-B', 'refresh-secret-C'];
    const clock = createClock();
    const server = createServer();
    const { engine, messages, logs } = createHarness({
      clock,
      server,
      config: { ...BASE_CONFIG, refresh: { url: PATHS.refresh, format: 'form' }, logout: { url: PATHS.logout } },
    });
    server.on(PATHS.logout, () => new Response(null, { status: 200 }));

    await engine.captureTokenResponse(jsonResponse(tokenBody({ access_token: access[0], refresh_token: refresh[0], expires_in: 60 })));
    server.on(PATHS.refresh, () => new Response(null, { status: 503 }));
    clock.advance(60_000);
    await engine.tokenForRequest();
    server.on(PATHS.refresh, () => jsonResponse(tokenBody({ access_token: access[1], refresh_token: refresh[1], expires_in: 60 })));
    clock.advance(60_000);
    await engine.tokenForRequest();
    server.on(PATHS.refresh, () => jsonResponse(tokenBody({ access_token: access[2], refresh_token: refresh[2] })));
    await engine.tokenAfterRejection(access[1]!);
    await engine.captureTokenResponse(
      jsonResponse(tokenBody({ access_token: 'bad token with spaces', refresh_token: 'refresh-secret-D' })),
    );
    server.on(PATHS.refresh, () => jsonResponse({ error: 'invalid_grant' }, { status: 400 }));
    await engine.refresh();
    await engine.logout();
    messages.push(await engine.snapshot());

    expect(messages.map((message) => message.event.type)).toEqual(
      expect.arrayContaining([
        'session-created',
        'refreshing',
        'refresh-failed',
        'offline',
        'refreshed',
        'online',
        'expired',
        'logged-out',
      ]),
    );
    const published = JSON.stringify(messages) + logs.join('\n');
    for (const token of [...access, ...refresh, 'refresh-secret-D', 'bad token with spaces']) expect(published).not.toContain(token);
  });
});
