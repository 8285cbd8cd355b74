import { statSync } from 'node:fs';
import path from 'node:path';
import { PlaywrightTab } from './drivers/index.js';
import { click, countWithText, fill, waitForCount, waitForText, waitForVisible } from './dom.js';
import { seenAt } from './fixtures.js';
import { expect, test, waitForStatus } from './socket-fixtures.js';

/** Tests write only ignored paths; `npm run screenshot` sets this to regenerate the README's docs/demo.png. */
const SCREENSHOT = process.env.DEMO_SCREENSHOT === undefined ? undefined : path.resolve(process.env.DEMO_SCREENSHOT);

test('the demo signs in, calls the API, survives two refresh cycles with the chat open, and takes its screenshot', async ({
  openDemo,
  demoServer,
}, testInfo) => {
  // Token lifetime drives the refresh cycles, so time is under test: 12 s tokens with the
  // demo's refreshAhead of 10 s are due 2 s after issue, two cycles in about 4 s.
  demoServer.knobs.accessTtl = 12;
  const tab = await openDemo();
  // The README's screenshot has this size; other engines keep their window's.
  if (tab instanceof PlaywrightTab) await tab.page.setViewportSize({ width: 1280, height: 900 });
  await waitForVisible(tab, '#signin');

  await click(tab, '#login button');
  await waitForStatus(tab, 'authenticated');
  await waitForText(tab, '#session-badge', 'authenticated · demo');
  await tab.waitForFunction(() => document.querySelector<HTMLElement>('#chat-status')?.dataset.status === 'open');

  for (const text of ['Buy oat milk', 'Ship the WebSocket PR']) {
    await fill(tab, '#note-text', text);
    await click(tab, '#note-form button');
    await waitForText(tab, '#notes li', text);
  }
  expect(seenAt(demoServer, '/api/notes')).toEqual({ withAuthorization: 3, withoutAuthorization: 0 });

  await fill(tab, '#chat-text', 'Hello from the first tab');
  await click(tab, '#chat-form button');
  await waitForCount(tab, '#chat-messages li', 1);

  await expect.poll(() => demoServer.counters.refreshSuccess, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  await waitForStatus(tab, 'authenticated');
  // The chat lived through both refreshes on its first connection, re-authenticated in band.
  await expect.poll(() => demoServer.counters.wsReauthenticated).toBeGreaterThanOrEqual(2);
  expect(demoServer.counters.wsConnectionAttempts).toBe(1);
  expect(demoServer.counters.reuseDetections).toBe(0);

  await fill(tab, '#chat-text', 'Still here after two refreshes');
  await click(tab, '#chat-form button');
  await waitForCount(tab, '#chat-messages li', 2);
  expect(demoServer.websockets.history().map((message) => message.text)).toEqual([
    'Hello from the first tab',
    'Still here after two refreshes',
  ]);
  await expect.poll(() => countWithText(tab, '#log li', 'refreshed')).toBe(demoServer.counters.refreshSuccess);
  expect(await countWithText(tab, '#log li', 're-authenticated in band')).toBeGreaterThan(0);

  const file = SCREENSHOT ?? testInfo.outputPath('demo.png');
  const before = Date.now();
  await tab.screenshot(file);
  expect(statSync(file).mtimeMs).toBeGreaterThanOrEqual(before - 1000);
});

test('a note added in one tab appears in the other: every tab follows', async ({ openDemo, demoServer }, testInfo) => {
  const first = await openDemo();
  await click(first, '#login button');
  await waitForStatus(first, 'authenticated');
  const second = await openDemo();
  await waitForStatus(second, 'authenticated');
  await waitForVisible(second, '#note-form');

  await fill(first, '#note-text', 'Written in the first tab');
  await click(first, '#note-form button');
  await waitForText(second, '#notes li', 'Written in the first tab');
  expect(seenAt(demoServer, '/api/notes').withoutAuthorization).toBe(0);
  await second.screenshot(testInfo.outputPath('second-tab.png'));
});
