import { statSync } from 'node:fs';
import path from 'node:path';
import { playwrightPage } from './drivers/index.js';
import { chromiumOnly, seenAt } from './fixtures.js';
import { expect, test, waitForStatus } from './socket-fixtures.js';

/** Tests write only ignored paths; `npm run screenshot` sets this to regenerate the README's docs/demo.png. */
const SCREENSHOT = process.env.DEMO_SCREENSHOT === undefined ? undefined : path.resolve(process.env.DEMO_SCREENSHOT);

chromiumOnly("drives the demo's UI with Playwright locators and takes its screenshot");

test('the demo signs in, calls the API, survives two refresh cycles with the chat open, and takes its screenshot', async ({
  openDemo,
  demoServer,
}, testInfo) => {
  // Token lifetime drives the refresh cycles, so time is under test: 12 s tokens with the
  // demo's refreshAhead of 10 s are due 2 s after issue, two cycles in about 4 s.
  demoServer.knobs.accessTtl = 12;
  const tab = await openDemo();
  const page = playwrightPage(tab);
  await page.setViewportSize({ width: 1280, height: 900 });
  await expect(page.locator('#signin')).toBeVisible();

  await page.locator('#login button').click();
  await waitForStatus(tab, 'authenticated');
  await expect(page.locator('#session-badge')).toHaveText('authenticated · demo');
  await expect(page.locator('#chat-status')).toHaveAttribute('data-status', 'open');

  for (const text of ['Buy oat milk', 'Ship the WebSocket PR']) {
    await page.locator('#note-text').fill(text);
    await page.locator('#note-form button').click();
    await expect(page.locator('#notes li').first()).toContainText(text);
  }
  expect(seenAt(demoServer, '/api/notes')).toEqual({ withAuthorization: 3, withoutAuthorization: 0 });

  await page.locator('#chat-text').fill('Hello from the first tab');
  await page.locator('#chat-form button').click();
  await expect(page.locator('#chat-messages li')).toHaveCount(1);

  await expect.poll(() => demoServer.counters.refreshSuccess, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  await waitForStatus(tab, 'authenticated');
  // The chat lived through both refreshes on its first connection, re-authenticated in band.
  await expect.poll(() => demoServer.counters.wsReauthenticated).toBeGreaterThanOrEqual(2);
  expect(demoServer.counters.wsConnectionAttempts).toBe(1);
  expect(demoServer.counters.reuseDetections).toBe(0);

  await page.locator('#chat-text').fill('Still here after two refreshes');
  await page.locator('#chat-form button').click();
  await expect(page.locator('#chat-messages li')).toHaveCount(2);
  expect(demoServer.websockets.history().map((message) => message.text)).toEqual([
    'Hello from the first tab',
    'Still here after two refreshes',
  ]);
  await expect(page.locator('#log li', { hasText: 'refreshed' })).toHaveCount(demoServer.counters.refreshSuccess);
  await expect(page.locator('#log li', { hasText: 're-authenticated in band' }).first()).toBeVisible();

  const file = SCREENSHOT ?? testInfo.outputPath('demo.png');
  const before = Date.now();
  await page.screenshot({ path: file });
  expect(statSync(file).mtimeMs).toBeGreaterThanOrEqual(before - 1000);
});

test('a note added in one tab appears in the other: every tab follows', async ({ openDemo, demoServer }, testInfo) => {
  const firstTab = await openDemo();
  const first = playwrightPage(firstTab);
  await first.locator('#login button').click();
  await waitForStatus(firstTab, 'authenticated');
  const secondTab = await openDemo();
  const second = playwrightPage(secondTab);
  await waitForStatus(secondTab, 'authenticated');
  await expect(second.locator('#note-form')).toBeVisible();

  await first.locator('#note-text').fill('Written in the first tab');
  await first.locator('#note-form button').click();
  await expect(second.locator('#notes li').first()).toContainText('Written in the first tab');
  expect(seenAt(demoServer, '/api/notes').withoutAuthorization).toBe(0);
  await second.screenshot({ path: testInfo.outputPath('second-tab.png') });
});
