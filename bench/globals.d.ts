import type { Bench, StartupResult } from './harness.js';

/** What bench/harness.js puts on the page's window, for page.evaluate in bench/*.mjs. */
declare global {
  interface Window {
    bench: Bench;
    benchStartup: Promise<StartupResult> | null;
  }
}
