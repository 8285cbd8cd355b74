import { playwrightPage } from './drivers/index.js';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromiumOnly, seenAt } from './fixtures.js';
import { expect, test, waitForStatus } from './socket-fixtures.js';

chromiumOnly("drives the demo's UI with Playwright locators and takes its screenshot");

const SCREENSHOT = fileURLToPath(new URL('../../docs/demo.png', import.meta.url));

test('the demo signs in, calls the API, survives two refresh cycles with the chat open, and refreshes docs/demo.png', async ({
  openDemo,
  demoServer,
}) => {
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

  const before = Date.now();
  await page.screenshot({ path: SCREENSHOT });
  expect(statSync(SCREENSHOT).mtimeMs).toBeGreaterThanOrEqual(before - 1000);
});
