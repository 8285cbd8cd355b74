import { startServer } from '../../demo/server/server.js';
import { expect, JSON_CONFIG, login, seenAt, test, type Tab } from './fixtures.js';

/**
 * Protected media (`media: true`): `<img>`, `<audio>` and CSS `url()` are `no-cors` requests that
 * the worker gives the token only when the app opted in. The reference server answers a request
 * without a valid token with JSON, which no element decodes, so a load event proves the token.
 */

const MEDIA_CONFIG = { ...JSON_CONFIG, media: true };
const AVATAR = '/api/media/avatar.png';

test.skip(
  ({ serviceWorkersBlocked }) => serviceWorkersBlocked,
  'page mode wraps window.fetch only: it never sees <img>, <audio> or CSS requests',
);

/** Adds `<img src>` and resolves with how it ended and its decoded size. */
function loadImage(page: Tab, src: string): Promise<{ event: string; width: number; height: number }> {
  return page.evaluate(
    (src) =>
      new Promise((resolve) => {
        const img = document.createElement('img');
        const done = (event: Event) => resolve({ event: event.type, width: img.naturalWidth, height: img.naturalHeight });
        img.addEventListener('load', done);
        img.addEventListener('error', done);
        img.src = src;
        document.body.append(img);
      }),
    src,
  );
}

test('with media: true an <img> under an api prefix loads with the token', async ({ openTab, server }) => {
  const page = await openTab(MEDIA_CONFIG);
  await login(page);
  expect(await loadImage(page, AVATAR)).toEqual({ event: 'load', width: 3, height: 2 });
  expect(seenAt(server, AVATAR)).toEqual({ withAuthorization: 1, withoutAuthorization: 0 });
});

test('media is off by default: the same <img> is sent without the token and fails', async ({ openTab, server }) => {
  const page = await openTab();
  await login(page);
  expect(await loadImage(page, AVATAR)).toEqual({ event: 'error', width: 0, height: 0 });
  expect(seenAt(server, AVATAR)).toEqual({ withAuthorization: 0, withoutAuthorization: 1 });
});

test('an <img> whose token was revoked is refreshed and replayed, and loads', async ({ openTab, server }) => {
  const page = await openTab(MEDIA_CONFIG);
  await login(page);
  server.revokeAccessTokens();
  server.resetCounters();
  expect(await loadImage(page, `${AVATAR}?after=revocation`)).toEqual({ event: 'load', width: 3, height: 2 });
  expect(server.counters.refreshCalls).toBe(1);
  expect(seenAt(server, AVATAR)).toEqual({ withAuthorization: 2, withoutAuthorization: 0 });
});

test('a CSS url() image under an api prefix gets the token', async ({ openTab, server }) => {
  const page = await openTab(MEDIA_CONFIG);
  await login(page);
  await page.evaluate((src) => {
    const div = document.createElement('div');
    div.style.cssText = `width: 3px; height: 2px; background-image: url("${src}")`;
    document.body.append(div);
  }, `${AVATAR}?via=css`);
  // CSS images fire no event: the server's count is the observable.
  await expect.poll(() => seenAt(server, AVATAR).withAuthorization).toBe(1);
  expect(seenAt(server, AVATAR).withoutAuthorization).toBe(0);
});

test('an <audio> under an api prefix gets the token and loads its metadata', async ({ openTab, server }) => {
  const page = await openTab(MEDIA_CONFIG);
  await login(page);
  const outcome = await page.evaluate(
    (src) =>
      new Promise<{ event: string; duration: number }>((resolve) => {
        const audio = document.createElement('audio');
        audio.preload = 'auto';
        const done = (event: Event) => resolve({ event: event.type, duration: audio.duration });
        audio.addEventListener('loadedmetadata', done);
        audio.addEventListener('error', done);
        audio.src = src;
      }),
    '/api/media/tone.wav',
  );
  expect(outcome).toEqual({ event: 'loadedmetadata', duration: 0.25 });
  // A media element may fetch its resource in more than one (range) request; every one had the token.
  expect(seenAt(server, '/api/media/tone.wav').withAuthorization).toBeGreaterThanOrEqual(1);
  expect(seenAt(server, '/api/media/tone.wav').withoutAuthorization).toBe(0);
});

test('never a navigation: an <iframe> of the same URL is sent without the token', async ({ openTab, server }) => {
  const page = await openTab(MEDIA_CONFIG);
  await login(page);
  await page.evaluate(
    (src) =>
      new Promise<void>((resolve) => {
        const frame = document.createElement('iframe');
        frame.addEventListener('load', () => resolve());
        frame.src = src;
        document.body.append(frame);
      }),
    `${AVATAR}?via=iframe`,
  );
  expect(seenAt(server, AVATAR)).toEqual({ withAuthorization: 0, withoutAuthorization: 1 });
});

test('never another origin: an <img> from another server is sent without the token', async ({ openTab, server }) => {
  const other = await startServer({ testHooks: true });
  try {
    const page = await openTab(MEDIA_CONFIG);
    await login(page);
    expect(await loadImage(page, `${other.url}${AVATAR}`)).toEqual({ event: 'error', width: 0, height: 0 });
    expect(other.counters.requestsWithAuthorization).toBe(0);
    expect(seenAt(other, AVATAR).withoutAuthorization).toBe(1);
    expect(server.counters.refreshCalls).toBe(0);
  } finally {
    await other.close();
  }
});
