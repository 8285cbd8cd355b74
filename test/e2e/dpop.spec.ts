import { SignJWT, base64url, calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, type JWK } from 'jose';
import { createHash, randomUUID } from 'node:crypto';
import type { AuthProxyConfig } from '../../src/page/index.js';
import {
  CANNOT_STOP_WORKERS,
  FORM_CONFIG,
  JSON_CONFIG,
  apiFetch,
  login,
  skipIn,
  loginWithExpiredToken,
  seenAt,
  waitForStatus,
  type Server,
  type Tab,
} from './fixtures.js';
import { installTracker, openSocket, socketLog, test, expect, waitForEvents } from './socket-fixtures.js';

/**
 * DPoP (RFC 9449) against the reference server in DPoP mode, which verifies every proof (§4.3)
 * and binds tokens to the key (`cnf.jkt`). Every count is read from the server.
 */

const DPOP_CONFIGS: Record<string, AuthProxyConfig> = {
  json: { ...JSON_CONFIG, dpop: true },
  form: { ...FORM_CONFIG, dpop: true },
};
const DPOP_JSON = DPOP_CONFIGS.json as AuthProxyConfig;

interface StoredKey {
  extractable: boolean;
  type: string;
  algorithm: { name: string; namedCurve: string };
  usages: string[];
  /** The DOMException name when exporting the private key was refused, or null if it was exported. */
  exportRefusedWith: string | null;
  publicJwk: JWK;
}

interface StoredSession {
  accessToken: string | null;
  key: StoredKey | null;
}

/** What the worker's IndexedDB record holds, read by page script the way any script on the origin could. */
function stored(page: Tab): Promise<StoredSession> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('sw-auth-proxy');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      type Stored = { tokens: { accessToken: string } | null; key?: CryptoKeyPair | null } | undefined;
      const record = await new Promise<Stored>((resolve, reject) => {
        const request = db.transaction('vault').objectStore('vault').get('session');
        request.onsuccess = () => resolve(request.result as Stored);
        request.onerror = () => reject(request.error);
      });
      const key = record?.key ?? null;
      if (key === null) return { accessToken: record?.tokens?.accessToken ?? null, key: null };
      let exportRefusedWith: string | null = null;
      try {
        await crypto.subtle.exportKey('jwk', key.privateKey);
      } catch (error) {
        exportRefusedWith = (error as DOMException).name;
      }
      const algorithm = key.privateKey.algorithm as EcKeyAlgorithm;
      return {
        accessToken: record?.tokens?.accessToken ?? null,
        key: {
          extractable: key.privateKey.extractable,
          type: key.privateKey.type,
          algorithm: { name: algorithm.name, namedCurve: algorithm.namedCurve },
          usages: [...key.privateKey.usages],
          exportRefusedWith,
          publicJwk: (await crypto.subtle.exportKey('jwk', key.publicKey)) as Record<string, string>,
        },
      };
    } finally {
      db.close();
    }
  });
}

async function storedThumbprint(page: Tab): Promise<string> {
  const { key } = await stored(page);
  if (key === null) throw new Error('no DPoP key in IndexedDB');
  return calculateJwkThumbprint(key.publicJwk);
}

function boundKeyOf(accessToken: string | null): unknown {
  if (accessToken === null) throw new Error('no access token in IndexedDB');
  return (decodeJwt(accessToken).cnf as { jkt?: unknown } | undefined)?.jkt;
}

/** A proof made outside the browser, with a key of the caller's choosing (what a thief could do). */
async function foreignProof(keys: CryptoKeyPair, method: string, url: string, accessToken?: string): Promise<string> {
  const claims: Record<string, string> = { htm: method, htu: url };
  if (accessToken !== undefined) claims.ath = base64url.encode(createHash('sha256').update(accessToken).digest());
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(keys.publicKey) })
    .setIssuedAt()
    .setJti(randomUUID())
    .sign(keys.privateKey);
}

const keysSeen = (server: Server): string[] => Object.keys(server.counters.dpopProofsByKey);

test.describe('DPoP', () => {
  test.use({ serverOptions: { dpop: true } });

  for (const [format, config] of Object.entries(DPOP_CONFIGS)) {
    test(`${format}: login binds the session to a new non-extractable P-256 key, and every API request carries a proof the server verifies`, async ({
      openTab,
      server,
    }) => {
      const page = await openTab(config);
      expect(await page.evaluate(() => window.auth.dpop)).toBe(true);
      await login(page, config);

      const { accessToken, key } = await stored(page);
      expect(key).toMatchObject({
        extractable: false,
        type: 'private',
        algorithm: { name: 'ECDSA', namedCurve: 'P-256' },
        usages: ['sign'],
        exportRefusedWith: 'InvalidAccessError',
      });
      const jkt = await storedThumbprint(page);
      expect(boundKeyOf(accessToken)).toBe(jkt);

      for (let i = 0; i < 3; i++) expect((await apiFetch(page, '/api/me')).status).toBe(200);
      // One proof at the token endpoint, one per API request, all by the session's key.
      expect(server.counters.dpopProofsVerified).toBe(4);
      expect({ ...server.counters.dpopProofsByKey }).toEqual({ [jkt]: 4 });
      expect(server.counters.dpopProofsRejected).toBe(0);
      expect(server.counters.unauthorizedSent).toBe(0);
    });

    test(`${format}: a refresh carries a proof, and the new tokens are bound to the same key`, async ({ openTab, server }) => {
      const page = await openTab(config);
      await loginWithExpiredToken(page, server, config);
      const before = await stored(page);
      const jkt = await storedThumbprint(page);

      expect((await apiFetch(page, '/api/me')).status).toBe(200);
      expect(server.counters.refreshSuccess).toBe(1);
      const after = await stored(page);
      expect(after.accessToken).not.toBe(before.accessToken);
      expect(boundKeyOf(after.accessToken)).toBe(jkt);
      expect(await storedThumbprint(page)).toBe(jkt);
      // login, refresh, the API request: one key throughout.
      expect({ ...server.counters.dpopProofsByKey }).toEqual({ [jkt]: 3 });
      expect(server.counters.dpopProofsRejected).toBe(0);
    });
  }

  test('a token copied out of IndexedDB is refused elsewhere: with a proof from another key, and as a Bearer token', async ({
    openTab,
    server,
  }) => {
    const page = await openTab(DPOP_JSON);
    await login(page, DPOP_JSON);
    const { accessToken } = await stored(page);
    if (accessToken === null) throw new Error('no access token in IndexedDB');
    const me = `${server.url}/api/me`;
    const thief = await generateKeyPair('ES256');

    // The same proof code works for a token bound to the thief's own key: what follows is refused for the binding alone.
    const ownLogin = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', DPoP: await foreignProof(thief, 'POST', `${server.url}/api/auth/login`) },
      body: JSON.stringify({ username: 'alice', password: 'wonderland' }),
    });
    const own = (await ownLogin.json()) as { access_token: string; token_type: string };
    expect(own.token_type).toBe('DPoP');
    const ownUse = await fetch(me, {
      headers: { Authorization: `DPoP ${own.access_token}`, DPoP: await foreignProof(thief, 'GET', me, own.access_token) },
    });
    expect(ownUse.status).toBe(200);

    server.resetCounters();
    const withOtherKey = await fetch(me, {
      headers: { Authorization: `DPoP ${accessToken}`, DPoP: await foreignProof(thief, 'GET', me, accessToken) },
    });
    expect(withOtherKey.status).toBe(401);
    expect(withOtherKey.headers.get('www-authenticate')).toContain('error="invalid_dpop_proof"');
    const asBearer = await fetch(me, { headers: { Authorization: `Bearer ${accessToken}` } });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(server.counters.dpopProofsRejected).toBe(1);
    expect(server.counters.dpopProofsVerified).toBe(0);

    // The browser that holds the key still gets in.
    expect((await apiFetch(page, '/api/me')).status).toBe(200);
  });

  test('a nonce demanded by the token endpoint costs exactly one retry, at login and at refresh', async ({ openTab, server }) => {
    server.knobs.dpopNonce = 'token';
    const page = await openTab(DPOP_JSON);
    await login(page, DPOP_JSON);
    expect(server.counters.loginCalls).toBe(2);
    expect(server.counters.dpopNonceChallenges).toBe(1);
    expect(server.counters.dpopNonceRetries).toBe(1);

    // Two rotations: the nonce the worker knows is no longer accepted.
    server.rotateDpopNonces();
    server.rotateDpopNonces();
    server.resetCounters();
    expect((await page.evaluate(() => window.auth.refresh())).status).toBe('authenticated');
    expect(server.counters.refreshCalls).toBe(2);
    expect(server.counters.refreshSuccess).toBe(1);
    expect(server.counters.dpopNonceChallenges).toBe(1);
    expect(server.counters.dpopNonceRetries).toBe(1);
    expect(server.counters.reuseDetections).toBe(0);
  });

  test('a nonce demanded by the API costs exactly one retry; later requests use it, and a new nonce from any response replaces it', async ({
    openTab,
    server,
  }) => {
    const page = await openTab(DPOP_JSON);
    await login(page, DPOP_JSON);
    server.knobs.dpopNonce = 'api';
    server.resetCounters();

    expect((await apiFetch(page, '/api/me')).status).toBe(200);
    expect(seenAt(server, '/api/me').withAuthorization).toBe(2);
    expect(server.counters.dpopNonceChallenges).toBe(1);
    expect(server.counters.dpopNonceRetries).toBe(1);

    expect((await apiFetch(page, '/api/me')).status).toBe(200);
    expect(seenAt(server, '/api/me').withAuthorization).toBe(3);

    // The next 200 carries the new nonce while the old one is still accepted; the request after it uses the new one.
    server.rotateDpopNonces();
    expect((await apiFetch(page, '/api/me')).status).toBe(200);
    expect(server.counters.dpopStaleNonces).toBe(1);
    expect((await apiFetch(page, '/api/me')).status).toBe(200);
    expect(server.counters.dpopStaleNonces).toBe(1);
    expect(server.counters.dpopNonceChallenges).toBe(1);
    expect(seenAt(server, '/api/me').withAuthorization).toBe(5);
    expect(server.counters.refreshCalls).toBe(0);
  });

  test('a 401 invalid_token under DPoP refreshes once and replays with a fresh proof', async ({ openTab, server }) => {
    const page = await openTab(DPOP_JSON);
    await login(page, DPOP_JSON);
    server.knobs.unauthorizedPaths = ['/api/me'];
    server.resetCounters();

    // The knob refuses every token, so the replay is refused too and reaches the page.
    expect((await apiFetch(page, '/api/me')).status).toBe(401);
    expect(server.counters.refreshCalls).toBe(1);
    expect(seenAt(server, '/api/me').withAuthorization).toBe(2);
    // Both sends' proofs were verified: a reused proof would have been refused (its jti, its ath).
    expect(server.counters.dpopProofsVerified).toBe(3);
    expect(server.counters.dpopProofsRejected).toBe(0);
  });

  // A fresh worker global keeping the key is also tested in every engine, WebKit included,
  // through a worker update (worker-update.spec).
  test.describe('worker restart', () => {
    test.skip(({ serviceWorkersBlocked }) => serviceWorkersBlocked, 'page mode has no service worker to restart');
    skipIn(CANNOT_STOP_WORKERS);
    test.use({ stoppableWorkers: true });

    test('a worker restart keeps the key: the same thumbprint before and after', async ({ openTab, server, session }) => {
      const page = await openTab(DPOP_JSON);
      await login(page, DPOP_JSON);
      expect((await apiFetch(page, '/api/me')).status).toBe(200);
      const jkt = await storedThumbprint(page);

      await session.stopWorkers();

      expect((await apiFetch(page, '/api/me')).status).toBe(200);
      expect(await storedThumbprint(page)).toBe(jkt);
      expect(keysSeen(server)).toEqual([jkt]);
      expect(server.counters.dpopProofsVerified).toBe(3);
    });
  });

  test('logout deletes the key; the next login makes a new one', async ({ openTab, server }) => {
    const page = await openTab(DPOP_JSON);
    await login(page, DPOP_JSON);
    const first = await storedThumbprint(page);

    expect((await page.evaluate(() => window.auth.logout())).status).toBe('anonymous');
    expect(await stored(page)).toEqual({ accessToken: null, key: null });
    expect(server.counters.revocations).toBe(1);

    await login(page, DPOP_JSON);
    const second = await storedThumbprint(page);
    expect(second).not.toBe(first);
    expect((await apiFetch(page, '/api/me')).status).toBe(200);
    expect(server.counters.dpopProofsByKey[second]).toBe(2);
  });

  test('auth.authorize gives the headers for a request the worker does not send; each proof works once, for its URL', async ({
    openTab,
    server,
  }) => {
    const page = await openTab(DPOP_JSON);
    await login(page, DPOP_JSON);
    server.resetCounters();

    const statuses = await page.evaluate(async () => {
      const send = async (url: string, headers: { authorization: string; dpop: string | null }): Promise<number> =>
        (await fetch(url, { headers: { Authorization: headers.authorization, DPoP: headers.dpop ?? '' } })).status;
      const headers = await window.auth.authorize('get', '/api/me');
      const scheme = headers.authorization.split(' ')[0];
      return {
        scheme,
        first: await send('/api/me', headers),
        replayed: await send('/api/me', headers),
        elsewhere: await send('/api/ping', await window.auth.authorize('GET', '/api/me')),
        fresh: await send('/api/ping', await window.auth.authorize('GET', '/api/ping?x=1')),
      };
    });
    expect(statuses).toEqual({ scheme: 'DPoP', first: 200, replayed: 401, elsewhere: 401, fresh: 200 });
    // These requests brought their own Authorization: the worker passed them through, so the page's proofs are what the server saw.
    expect(server.counters.dpopProofsVerified).toBe(2);
    expect(server.counters.dpopProofsRejected).toBe(2);
  });

  test('AuthSocket authenticates with a ticket under DPoP, and refuses strategies that would send the token without a proof', async ({
    openTab,
    server,
  }) => {
    const page = await openTab(DPOP_JSON);
    await login(page, DPOP_JSON);
    const refused = await page.evaluate(() =>
      (['protocol', 'message', 'query'] as const).map((auth) => {
        try {
          window.auth.socket('/ws/chat', { auth, ticket: { url: '/api/ws-ticket' } });
          return null;
        } catch (error) {
          return (error as { code: string }).code;
        }
      }),
    );
    expect(refused).toEqual(['invalid_config', 'invalid_config', 'invalid_config']);

    await installTracker(page);
    await openSocket(page, 'chat', { ticket: { url: '/api/ws-ticket' } });
    await waitForEvents(page, 'chat', 'open');
    expect({ ...server.counters.wsAuthenticatedBy }).toEqual({ ticket: 1 });
    expect(server.counters.wsRejected).toBe(0);
    expect(seenAt(server, '/api/ws-ticket')).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
    expect((await socketLog(page, 'chat')).filter((entry) => entry.type === 'error')).toEqual([]);
  });

  test('4 tabs x 25 concurrent requests on an expired token cause exactly one refresh', async ({ openTab, server }) => {
    const first = await openTab(DPOP_JSON);
    await loginWithExpiredToken(first, server, DPOP_JSON);
    const tabs = [first, await openTab(DPOP_JSON), await openTab(DPOP_JSON), await openTab(DPOP_JSON)];
    for (const tab of tabs) await waitForStatus(tab, 'authenticated');
    server.resetCounters();

    const statuses = await Promise.all(
      tabs.map((tab) => tab.evaluate(() => Promise.all(Array.from({ length: 25 }, async () => (await fetch('/api/me')).status)))),
    );

    expect(statuses.flat()).toEqual(Array.from({ length: 100 }, () => 200));
    expect(server.counters.refreshCalls).toBe(1);
    expect(server.counters.reuseDetections).toBe(0);
    expect(server.counters.unauthorizedSent).toBe(0);
    expect(server.counters.dpopProofsVerified).toBe(101);
    expect(server.counters.dpopProofsRejected).toBe(0);
    expect(keysSeen(server)).toHaveLength(1);
  });
});

test('without DPoP, auth.authorize gives a Bearer header and no proof', async ({ openTab }) => {
  const page = await openTab(JSON_CONFIG);
  await login(page);
  const result = await page.evaluate(async () => {
    const headers = await window.auth.authorize('GET', '/api/me');
    const status = (await fetch('/api/me', { headers: { Authorization: headers.authorization } })).status;
    return { dpop: window.auth.dpop, scheme: headers.authorization.split(' ')[0], proof: headers.dpop, status };
  });
  expect(result).toEqual({ dpop: false, scheme: 'Bearer', proof: null, status: 200 });
});
