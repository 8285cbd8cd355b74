import { describe, expect, it } from 'vitest';
import { createControlApi } from '../../src/core/control.js';
import { Dpop, sessionsBoundTo, type ProofClaims, type ProofSigner } from '../../src/core/dpop.js';
import { DpopError } from '../../src/core/errors.js';
import { sendWithToken } from '../../src/core/pipeline.js';
import { createMemoryVault, type KeyPair, type VaultRecord } from '../../src/core/vault.js';
import {
  BASE_CONFIG,
  ORIGIN,
  PATHS,
  T0,
  createClock,
  createHarness,
  createServer,
  jsonResponse,
  sessionRecord,
  tokenBody,
  tokenSet,
  url,
  type FakeClock,
} from './helpers.js';

/** A signer that makes numbered keys and proofs, and records what it was asked to sign. */
interface FakeSigner extends ProofSigner {
  keys: KeyPair[];
  proofs: { key: KeyPair; claims: ProofClaims }[];
}

function fakeSigner(fail: { generate?: boolean; sign?: boolean } = {}): FakeSigner {
  const keys: KeyPair[] = [];
  const proofs: FakeSigner['proofs'] = [];
  return {
    keys,
    proofs,
    generateKey: async () => {
      if (fail.generate) throw new DOMException('ECDSA is not supported', 'NotSupportedError');
      const key = { privateKey: { n: keys.length }, publicKey: { n: keys.length } };
      keys.push(key);
      return key;
    },
    sign: async (key, claims) => {
      if (fail.sign) throw new DOMException('the key cannot sign', 'InvalidAccessError');
      proofs.push({ key, claims: { ...claims } });
      return `proof-${proofs.length}`;
    },
    hash: async (token) => `ath(${token})`,
  };
}

const KEY: KeyPair = { privateKey: {}, publicKey: {} };
const API = '/api/data';
const RS = 'https://rs.example';

function dpopFor(clock: FakeClock = createClock(), signer = fakeSigner()) {
  return { dpop: new Dpop(signer, clock.now), signer, clock };
}

/** A one-shot request description, as the pipeline and the engine hand it over. */
function outgoing(target: string, method = 'GET', replayable = true) {
  return { method, url: target, replayable, build: (headers: Record<string, string>) => new Request(target, { method, headers }) };
}

const nonceDemand = {
  authorizationServer: (nonce: string) => jsonResponse({ error: 'use_dpop_nonce' }, { status: 400, headers: { 'DPoP-Nonce': nonce } }),
  resourceServer: (nonce: string) =>
    new Response(null, {
      status: 401,
      headers: { 'WWW-Authenticate': 'DPoP error="use_dpop_nonce", error_description="nonce required"', 'DPoP-Nonce': nonce },
    }),
};

describe('Dpop.proof: the claims of RFC 9449 §4.2', () => {
  it('names the method and the URI without query and fragment, with iat in seconds; ath only with a token', async () => {
    const { dpop, signer } = dpopFor();
    expect(await dpop.proof(KEY, 'POST', `${ORIGIN}/oauth/token?x=1#frag`)).toBe('proof-1');
    await dpop.proof(KEY, 'GET', `${ORIGIN}/api/me`, 'access-0');
    expect(signer.proofs.map((proof) => proof.claims)).toEqual([
      { htm: 'POST', htu: `${ORIGIN}/oauth/token`, iat: T0 / 1000 },
      { htm: 'GET', htu: `${ORIGIN}/api/me`, iat: T0 / 1000, ath: 'ath(access-0)' },
    ]);
    expect(signer.proofs[0]!.key).toBe(KEY);
  });

  it("puts iat on the server's clock once a response from that origin carried a Date", async () => {
    const { dpop, signer } = dpopFor();
    const serverNow = T0 + 600_000;
    const fetch = async () => new Response(null, { headers: { Date: new Date(serverNow).toUTCString() } });
    await dpop.send(outgoing(url('/api/me')), KEY, fetch, 'access-0');
    await dpop.proof(KEY, 'GET', url('/api/me'));
    await dpop.proof(KEY, 'GET', `${RS}/data`);
    expect(signer.proofs.map((proof) => proof.claims.iat)).toEqual([T0 / 1000, serverNow / 1000, T0 / 1000]);
  });

  it('fails with DpopError dpop_failed, the reason as cause, without a key, a working signer or a key generator', async () => {
    const failures = [
      await dpopFor()
        .dpop.proof(null, 'GET', url('/api/me'), 'access-secret')
        .catch((error: unknown) => error),
      await dpopFor(createClock(), fakeSigner({ sign: true }))
        .dpop.proof(KEY, 'GET', url('/api/me'), 'access-secret')
        .catch((error: unknown) => error),
      await dpopFor(createClock(), fakeSigner({ generate: true }))
        .dpop.newKey()
        .catch((error: unknown) => error),
    ];
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(DpopError);
      expect(failure).toMatchObject({ name: 'DpopError', code: 'dpop_failed' });
      expect((failure as Error).message).not.toContain('access-secret');
    }
    expect((failures[1] as Error).cause).toBeInstanceOf(DOMException);
    expect((failures[2] as Error).message).toMatch(/P-256/);
  });
});

describe('Dpop.send: nonces (RFC 9449 §8, §9)', () => {
  it('adds the proof, and with a token Authorization: DPoP', async () => {
    const { dpop } = dpopFor();
    const server = createServer({ [API]: () => jsonResponse({ ok: true }), [PATHS.refresh]: () => jsonResponse(tokenBody()) });
    await dpop.send(outgoing(url(API)), KEY, server.fetch, 'access-0');
    await dpop.send(outgoing(url(PATHS.refresh), 'POST'), KEY, server.fetch);
    const [api] = server.calls(API);
    const [token] = server.calls(PATHS.refresh);
    expect([api!.request.headers.get('authorization'), api!.request.headers.get('dpop')]).toEqual(['DPoP access-0', 'proof-1']);
    expect([token!.request.headers.get('authorization'), token!.request.headers.get('dpop')]).toEqual([null, 'proof-2']);
  });

  it.each([
    ['an authorization server: 400 use_dpop_nonce', nonceDemand.authorizationServer, undefined],
    ['a resource server: 401 DPoP error="use_dpop_nonce"', nonceDemand.resourceServer, 'access-0'],
  ])('retries exactly once, with the nonce and a new proof, when %s', async (_name, demand, token) => {
    const { dpop, signer } = dpopFor();
    let calls = 0;
    const fetch = async () => (++calls === 1 ? demand('n-1') : jsonResponse({ ok: true }));
    const response = await dpop.send(outgoing(url(API), 'POST'), KEY, fetch, token);
    expect(response.status).toBe(200);
    expect(calls).toBe(2);
    expect(signer.proofs.map((proof) => proof.claims.nonce)).toEqual([undefined, 'n-1']);
  });

  it('answers a second nonce demand to the caller instead of retrying again', async () => {
    const { dpop } = dpopFor();
    let calls = 0;
    const fetch = async () => nonceDemand.resourceServer(`n-${++calls}`);
    const response = await dpop.send(outgoing(url(API)), KEY, fetch, 'access-0');
    expect(response.status).toBe(401);
    expect(calls).toBe(2);
  });

  it('does not retry without a DPoP-Nonce header, for other errors, or when the body cannot be sent twice', async () => {
    const { dpop } = dpopFor();
    const answers = [
      jsonResponse({ error: 'use_dpop_nonce' }, { status: 400 }),
      jsonResponse({ error: 'invalid_dpop_proof' }, { status: 400, headers: { 'DPoP-Nonce': 'n-1' } }),
      new Response(null, { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="use_dpop_nonce"', 'DPoP-Nonce': 'n-1' } }),
    ];
    for (const answer of answers) {
      let calls = 0;
      const fetch = async (): Promise<Response> => {
        calls++;
        return answer.clone();
      };
      await dpop.send(outgoing(url(API)), KEY, fetch, 'access-0');
      expect(calls).toBe(1);
    }
    let calls = 0;
    const demanding = async (): Promise<Response> => {
      calls++;
      return nonceDemand.authorizationServer('n-1');
    };
    await dpop.send(outgoing(url(API), 'POST', false), KEY, demanding);
    expect(calls).toBe(1);
  });

  it('keeps the latest nonce from any response, per origin, and ignores malformed ones', async () => {
    const { dpop, signer } = dpopFor();
    const withNonce = (nonce: string) => async () => new Response(null, { headers: { 'DPoP-Nonce': nonce } });
    await dpop.send(outgoing(url(API)), KEY, withNonce('app-1'), 'access-0');
    await dpop.send(outgoing(`${RS}/data`), KEY, withNonce('rs-1'), 'access-0');
    await dpop.send(outgoing(url(API)), KEY, withNonce('app "2"'), 'access-0');
    await dpop.send(outgoing(url(API)), KEY, withNonce('app-3'), 'access-0');
    await dpop.proof(KEY, 'GET', url(API));
    await dpop.proof(KEY, 'GET', `${RS}/data`);
    expect(signer.proofs.map((proof) => proof.claims.nonce)).toEqual([undefined, undefined, 'app-1', 'app-1', 'app-3', 'rs-1']);
  });
});

describe('sessionsBoundTo', () => {
  const withKey = { ...sessionRecord(tokenSet(), 3), key: KEY };
  const withoutKey = sessionRecord(tokenSet(), 3);

  it('under DPoP, reads a session without a key as none, keeping the epoch', async () => {
    expect(await sessionsBoundTo(createMemoryVault(withoutKey), true).read()).toEqual({ epoch: 3, tokens: null, ended: null });
    expect(await sessionsBoundTo(createMemoryVault(withKey), true).read()).toBe(withKey);
  });

  it('without DPoP, reads a key-bound session as none; updates see the same view', async () => {
    expect(await sessionsBoundTo(createMemoryVault(withKey), false).read()).toEqual({ epoch: 3, tokens: null, ended: null });
    const vault = sessionsBoundTo(createMemoryVault(withKey), false);
    const seen: unknown[] = [];
    await vault.update((current) => {
      seen.push(current);
      return current;
    });
    expect(seen).toEqual([{ epoch: 3, tokens: null, ended: null }]);
  });
});

/** An engine under DPoP with the fake signer, and an app whose login and refresh endpoints answer DPoP token responses. */
function dpopHarness(options: { record?: VaultRecord } = {}) {
  const { dpop, signer, clock } = dpopFor();
  const harness = createHarness({
    config: { ...BASE_CONFIG, dpop: true, logout: { url: PATHS.logout } },
    dpop,
    clock,
    ...(options.record === undefined ? {} : { record: options.record }),
  });
  let issued = 0;
  harness.server.on(PATHS.login, () => jsonResponse(tokenBody({ token_type: 'DPoP', access_token: `access-login-${++issued}` })));
  harness.server.on(PATHS.refresh, () => jsonResponse(tokenBody({ token_type: 'DPoP', access_token: `access-refreshed-${++issued}` })));
  harness.server.on(PATHS.logout, () => jsonResponse({ ok: true }));
  const login = () =>
    harness.engine.capture({
      method: 'POST',
      url: url(PATHS.login),
      replayable: true,
      build: (headers) => new Request(url(PATHS.login), { method: 'POST', body: '{}', headers }),
    });
  return { ...harness, dpop, signer, login };
}

describe('AuthEngine under DPoP', () => {
  it('every login makes a new key pair, proves it to the token endpoint, and stores it with the session', async () => {
    const { signer, login, vault, server } = dpopHarness();
    expect((await login()).captured).toBe(true);
    expect((await vault.read()).key).toBe(signer.keys[0]);
    expect((await login()).captured).toBe(true);
    expect((await vault.read()).key).toBe(signer.keys[1]);
    expect(signer.proofs.map((proof) => [proof.key, proof.claims.htu])).toEqual([
      [signer.keys[0], url(PATHS.login)],
      [signer.keys[1], url(PATHS.login)],
    ]);
    expect(server.calls(PATHS.login).map((call) => call.request.headers.get('dpop'))).toEqual(['proof-1', 'proof-2']);
  });

  it('refuses a token response that is not token_type DPoP, and stores no session or key', async () => {
    const { login, server, vault } = dpopHarness();
    server.on(PATHS.login, () => jsonResponse(tokenBody({ token_type: 'Bearer', refresh_token: 'refresh-secret' })));
    const result = await login();
    expect(result.captured).toBe(false);
    expect(result.error).toMatchObject({ code: 'invalid_token_response' });
    expect(result.error?.message).toMatch(/RFC 9449 §5/);
    expect(await vault.read()).toMatchObject({ tokens: null });
  });

  it("a refresh proves the session's key, and the rotated tokens keep it", async () => {
    const { engine, signer, login, vault, server } = dpopHarness();
    await login();
    const key = signer.keys[0];
    expect((await engine.refresh()).ok).toBe(true);
    expect(signer.proofs[1]).toEqual({ key, claims: { htm: 'POST', htu: url(PATHS.refresh), iat: T0 / 1000 } });
    expect(server.calls(PATHS.refresh)[0]!.request.headers.get('dpop')).toBe('proof-2');
    expect(await vault.read()).toMatchObject({ key, tokens: { accessToken: 'access-refreshed-2' } });
  });

  it('a refresh the server answers use_dpop_nonce twice is retried once and keeps the session', async () => {
    const { engine, login, server, vault } = dpopHarness();
    await login();
    let nonces = 0;
    server.on(PATHS.refresh, () => nonceDemand.authorizationServer(`n-${++nonces}`));
    const result = await engine.refresh();
    expect(server.count(PATHS.refresh)).toBe(2);
    expect(result).toMatchObject({ ok: false, error: { code: 'refresh_misconfigured', oauthError: 'use_dpop_nonce' } });
    expect((await vault.read()).tokens).not.toBeNull();
  });

  it('logout drops the key; the JSON revocation presents the token as DPoP with a proof over it', async () => {
    const { engine, signer, login, vault, server } = dpopHarness();
    await login();
    await engine.logout();
    expect(await vault.read()).toEqual({ epoch: 2, tokens: null, ended: null });
    const [revocation] = server.calls(PATHS.logout);
    expect(revocation!.request.headers.get('authorization')).toBe('DPoP access-login-1');
    expect(revocation!.request.headers.get('dpop')).toBe('proof-2');
    expect(signer.proofs[1]!.claims).toMatchObject({ htu: url(PATHS.logout), ath: 'ath(access-login-1)' });
  });

  it('authorize() gives the DPoP scheme and a proof for the method and URL; the control API answers with them', async () => {
    const { engine, signer, login } = dpopHarness();
    await login();
    expect(await engine.authorize('PUT', `${RS}/things/1?x=2`)).toEqual({ authorization: 'DPoP access-login-1', dpop: 'proof-2' });
    expect(signer.proofs[1]!.claims).toEqual({ htm: 'PUT', htu: `${RS}/things/1`, iat: T0 / 1000, ath: 'ath(access-login-1)' });
    const result = await createControlApi(engine).authorize('GET', url(API));
    expect(result).toMatchObject({ error: null, dpop: true, headers: { authorization: 'DPoP access-login-1', dpop: 'proof-3' } });
  });

  it('authorize() names the method as fetch will send it: the methods fetch upper-cases, upper-cased', async () => {
    const { engine, signer, login } = dpopHarness();
    await login();
    await engine.authorize('get', url(API));
    await engine.authorize('patch', url(API));
    expect(signer.proofs.slice(1).map((proof) => proof.claims.htm)).toEqual(['GET', 'patch']);
  });

  it('without DPoP, authorize() is the Bearer header with no proof, and results say dpop: false', async () => {
    const { engine } = createHarness({ record: sessionRecord(tokenSet()) });
    expect(await engine.authorize('GET', url(API))).toEqual({ authorization: 'Bearer access-0', dpop: null });
    expect(await createControlApi(engine).snapshot()).toMatchObject({ dpop: false });
  });
});

describe('sendWithToken under DPoP', () => {
  function setup(api: (request: Request) => Response) {
    const harness = dpopHarness({ record: { ...sessionRecord(tokenSet()), key: KEY } });
    harness.server.on(PATHS.refresh, () => jsonResponse(tokenBody({ token_type: 'DPoP', access_token: 'access-1' })));
    harness.server.on(API, api);
    const pipeline = {
      tokens: harness.engine,
      fetch: harness.server.fetch,
      replayBodyLimit: harness.config.replayBodyLimit,
      api: harness.config.api,
      presenter: harness.dpop.presenter(() => harness.engine.proofKey(), harness.server.fetch),
    };
    const send = () => sendWithToken(new Request(url(API), { method: 'POST', body: 'payload' }), pipeline);
    const sent = () =>
      harness.server.calls(API).map((call) => [call.request.headers.get('authorization'), call.request.headers.get('dpop')]);
    return { ...harness, send, sent };
  }

  it('sends the token as DPoP with a proof over it, from the session key', async () => {
    const { send, sent, signer } = setup(() => jsonResponse({ ok: true }));
    expect((await send()).status).toBe(200);
    expect(sent()).toEqual([['DPoP access-0', 'proof-1']]);
    expect(signer.proofs[0]).toEqual({ key: KEY, claims: { htm: 'POST', htu: url(API), iat: T0 / 1000, ath: 'ath(access-0)' } });
  });

  it('a 401 DPoP invalid_token refreshes once and replays with the new token and a new proof, body intact', async () => {
    const { send, sent, server } = setup((request) =>
      request.headers.get('authorization') === 'DPoP access-1'
        ? jsonResponse({ ok: true })
        : new Response(null, { status: 401, headers: { 'WWW-Authenticate': 'DPoP error="invalid_token"' } }),
    );
    expect((await send()).status).toBe(200);
    expect(server.count(PATHS.refresh)).toBe(1);
    expect(sent()).toEqual([
      ['DPoP access-0', 'proof-1'],
      ['DPoP access-1', 'proof-3'],
    ]);
    const bodies = await Promise.all(server.calls(API).map((call) => call.body));
    expect(bodies.map((body) => new TextDecoder().decode(body))).toEqual(['payload', 'payload']);
  });

  it('a Bearer challenge does not speak for a DPoP token: the 401 is not replayed', async () => {
    const { send, server } = setup(
      () => new Response(null, { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } }),
    );
    expect((await send()).status).toBe(401);
    expect(server.count(PATHS.refresh)).toBe(0);
  });
});
