import type { Soak } from './soak-harness.js';

/** What bench/soak-harness.js puts on the page's window, for page.evaluate in bench/soak.mjs. */
declare global {
  interface Window {
    soak: Soak;
  }
}
