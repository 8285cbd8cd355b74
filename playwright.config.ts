import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tools/chromium.mjs';

/**
 * End-to-end tests run the real worker in Debian's Chromium (`apt-get install chromium`);
 * Playwright's own browser downloads are not used. Every test gets a fresh browser context
 * (its own service worker registrations and IndexedDB) and its own reference server.
 */
export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  reporter: [['list']],
  projects: [
    { name: 'worker' },
    {
      // Service workers blocked: registerAuthProxy falls back to hosting the core in the page.
      // The core scenarios must hold there too.
      name: 'page-mode',
      use: { serviceWorkers: 'block' },
      testMatch:
        /\/(login|preemptive|replay|single-flight|refresh-outcomes|logout|injection-scope|mode|methods|redirects|uploads|event-source|dpop|axios)\.spec\.ts$/,
    },
  ],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
  },
});
