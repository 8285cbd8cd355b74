import { defineConfig } from '@playwright/test';
import type { ProjectOptions } from './test/e2e/fixtures.js';

/**
 * End-to-end tests run the real worker in three engines, all from Debian packages (no browser
 * downloads): Chromium through Playwright, Firefox ESR through Puppeteer (WebDriver BiDi),
 * WebKitGTK's MiniBrowser through WebKitWebDriver (classic WebDriver, under Xvfb). The driver
 * layer in test/e2e/drivers gives every spec the same tab API in all of them; what an engine
 * cannot do is skipped there with the reason, in the spec. Every test gets a fresh browser
 * profile (its own service worker registrations and IndexedDB) and its own reference server.
 */

/** The core scenarios, run a second time with service workers blocked (page mode). */
const PAGE_MODE =
  /\/(login|preemptive|replay|replay-bodies|single-flight|refresh-outcomes|logout|injection-scope|mode|methods|redirects|uploads|event-source|dpop|axios)\.spec\.ts$/;

export default defineConfig<unknown, ProjectOptions>({
  testDir: 'test/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  reporter: [['list']],
  projects: [
    { name: 'chromium', use: { engine: 'chromium' } },
    { name: 'firefox', use: { engine: 'firefox' } },
    { name: 'webkit', use: { engine: 'webkit' } },
    // Service workers blocked: registerAuthProxy falls back to hosting the core in the page.
    { name: 'page-mode', use: { engine: 'chromium', serviceWorkersBlocked: true }, testMatch: PAGE_MODE },
    { name: 'firefox-page-mode', use: { engine: 'firefox', serviceWorkersBlocked: true }, testMatch: PAGE_MODE },
    { name: 'webkit-page-mode', use: { engine: 'webkit', serviceWorkersBlocked: true }, testMatch: PAGE_MODE },
  ],
});
