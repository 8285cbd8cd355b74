import { appendFile, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { releaseHeldRefreshes } from '../../demo/server/knobs.js';
import { JSON_CONFIG, apiFetch, expect, login, seenAt, test as base, loginWithExpiredToken, type Tab } from './fixtures.js';

/**
 * Deploying a new worker mid-session: the worker is served from a temp copy of
 * dist/auth-proxy-sw.js, and a test changes that file's bytes while a tab is logged in,
 * as a deploy would. The page then asks the browser to check for an update.
 */

const BUILT_WORKER = fileURLToPath(new URL('../../dist/auth-proxy-sw.js', import.meta.url));
const HARNESS = fileURLToPath(new URL('./harness/index.html', import.meta.url));

const test = base.extend<{ workerFile: string }>({
  workerFile: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sw-auth-proxy-update-'));
    const file = path.join(dir, 'auth-proxy-sw.js');
    await copyFile(BUILT_WORKER, file);
    await use(file);
    await rm(dir, { recursive: true, force: true });
  },
  serverOptions: async ({ workerFile }, use) => {
    await use({ static: { '/': HARNESS, '/auth-proxy-sw.js': workerFile } });
  },
});

/** Changes the served worker's bytes: the next update check installs a new version. */
async function deployNewVersion(workerFile: string, version: string): Promise<void> {
  await appendFile(workerFile, `\n// deployed: ${version}\n`);
}

/** A marker on window, gone after any reload or navigation: proof that the page stayed. */
async function watchForReloads(page: Tab): Promise<{ markerSurvived: () => Promise<boolean> }> {
  const marker = `marker-${Math.random()}`;
  await page.evaluate((marker) => ((window as unknown as { marker: string }).marker = marker), marker);
  return {
    markerSurvived: () => page.evaluate((marker) => (window as unknown as { marker?: string }).marker === marker, marker),
  };
}

/** Remembers the current controller, starts waiting for controllerchange, and asks the browser to update. */
async function startUpdate(page: Tab): Promise<void> {
  await page.evaluate(async () => {
    const w = window as unknown as { oldController: ServiceWorker | null; controllerChanged: Promise<void> };
    w.oldController = navigator.serviceWorker.controller;
    w.controllerChanged = new Promise((resolve) =>
      navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }),
    );
    const registration = await navigator.serviceWorker.getRegistration();
    if (registration === undefined) throw new Error('no registration');
    await registration.update();
  });
}

/** Resolves once the new version controls the page; true when it is a different worker than before. */
function controllerChanged(page: Tab): Promise<boolean> {
  return page.evaluate(async () => {
    const w = window as unknown as { oldController: ServiceWorker | null; controllerChanged: Promise<void> };
    await w.controllerChanged;
    return (
      navigator.serviceWorker.controller !== null &&
      navigator.serviceWorker.controller !== w.oldController &&
      w.oldController?.state === 'redundant'
    );
  });
}

/** Starts `count` fetches of /api/me under `name`; `burst(page, name)` collects their statuses. */
async function startBurst(page: Tab, name: string, count: number): Promise<void> {
  await page.evaluate(
    ({ name, count }) => {
      const w = window as unknown as { bursts?: Record<string, Promise<number[]>> };
      const statuses = Array.from({ length: count }, () =>
        fetch('/api/me').then(
          (response) => response.status,
          () => 0,
        ),
      );
      w.bursts ??= {};
      w.bursts[name] = Promise.all(statuses);
    },
    { name, count },
  );
}

function burst(page: Tab, name: string): Promise<number[]> {
  return page.evaluate((name) => (window as unknown as { bursts: Record<string, Promise<number[]>> }).bursts[name]!, name);
}

test.describe('worker updates', () => {
  test('a changed worker deployed mid-session takes over without a reload, keeps the session, and refreshes an expired token once', async ({
    openTab,
    server,
    workerFile,
  }) => {
    const page = await openTab();
    await loginWithExpiredToken(page, server);
    const reloads = await watchForReloads(page);

    await deployNewVersion(workerFile, 'v2');
    await startUpdate(page);
    expect(await controllerChanged(page)).toBe(true);

    expect(await reloads.markerSurvived()).toBe(true);
    expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
    // The new version has the session too (read from the vault), asked directly.
    expect(await page.evaluate(async () => (await window.auth.sync()).status)).toBe('authenticated');
    expect(server.counters.refreshCalls).toBe(0);

    // A burst on the expired token, handled by the new version: one refresh for all of it.
    await startBurst(page, 'after', 10);
    expect(await burst(page, 'after')).toEqual(Array(10).fill(200));
    expect(server.counters.refreshCalls).toBe(1);
    expect(server.counters.refreshSuccess).toBe(1);
    expect(server.counters.reuseDetections).toBe(0);
    expect(server.counters.loginCalls).toBe(1);
    expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 10, withoutAuthorization: 0 });
    expect(await page.evaluate(() => window.auth.state.status)).toBe('authenticated');
    expect(await reloads.markerSurvived()).toBe(true);
  });

  test('a new version installed while the old one is refreshing: requests on the expired token during and after the update share that one refresh', async ({
    openTab,
    server,
    workerFile,
  }) => {
    const page = await openTab();
    await loginWithExpiredToken(page, server);
    server.knobs.refresh = 'hold';
    const reloads = await watchForReloads(page);

    // The old version starts a refresh (forced from the page, as its `online` nudge would) and
    // holds it, inside the refresh lock, while the new version is deployed and installs.
    await page.evaluate(() => {
      (window as unknown as { forced: Promise<string> }).forced = window.auth.refresh().then(
        (state) => state.status,
        (error: { code: string }) => error.code,
      );
    });
    await expect.poll(() => server.counters.refreshCalls).toBe(1);
    await deployNewVersion(workerFile, 'v2');
    await startUpdate(page);
    // Chromium keeps the new version waiting while the old one still handles events.
    await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistration())?.waiting?.state === 'installed');
    await startBurst(page, 'during', 5);

    server.knobs.refresh = 'ok';
    expect(releaseHeldRefreshes(server.knobs)).toBe(1);
    expect(await controllerChanged(page)).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { forced: Promise<string> }).forced)).toBe('authenticated');
    expect(await burst(page, 'during')).toEqual(Array(5).fill(200));
    await startBurst(page, 'after', 5); // handled by the new version
    expect(await burst(page, 'after')).toEqual(Array(5).fill(200));

    expect(server.counters.refreshCalls).toBe(1);
    expect(server.counters.refreshSuccess).toBe(1);
    expect(server.counters.reuseDetections).toBe(0);
    expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 10, withoutAuthorization: 0 });
    expect(await page.evaluate(async () => (await window.auth.sync()).status)).toBe('authenticated');
    expect(await reloads.markerSurvived()).toBe(true);
  });
});

test.describe('worker updates under DPoP', () => {
  test.use({
    serverOptions: async ({ workerFile }, use) => {
      await use({ dpop: true, static: { '/': HARNESS, '/auth-proxy-sw.js': workerFile } });
    },
  });

  // A new worker is a fresh global that has only IndexedDB, as a restarted one: this is the
  // restart test (dpop.spec) for every engine, WebKit included, which cannot stop a worker.
  test('a new version keeps the DPoP key: its proofs and its refresh are bound to the same key', async ({
    openTab,
    server,
    workerFile,
  }) => {
    const config = { ...JSON_CONFIG, dpop: true };
    const page = await openTab(config);
    await login(page, config);
    expect((await apiFetch(page, '/api/me')).status).toBe(200);
    const keys = Object.keys(server.counters.dpopProofsByKey);
    expect(keys).toHaveLength(1);

    await deployNewVersion(workerFile, 'v2');
    await startUpdate(page);
    expect(await controllerChanged(page)).toBe(true);

    expect((await apiFetch(page, '/api/me')).status).toBe(200);
    server.revokeAccessTokens();
    expect((await apiFetch(page, '/api/me')).status).toBe(200); // refreshed with a proof, replayed
    expect(server.counters.refreshSuccess).toBe(1);
    expect(Object.keys(server.counters.dpopProofsByKey)).toEqual(keys);
    expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 4, withoutAuthorization: 0 });
    // Login, the refresh and three of the sends; the revoked token's send is refused before its proof is read.
    expect(server.counters.dpopProofsVerified).toBe(5);
    expect(server.counters.dpopProofsRejected).toBe(0);
  });
});
