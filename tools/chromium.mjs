// @ts-check
/**
 * Debian's Chromium (`apt-get install chromium`) and its launch flags, shared by the e2e suite
 * (playwright.config.ts) and the benchmark (bench/lib/env.mjs). Without the background-networking
 * flags Chromium keeps reaching for Google's hosts, which this network refuses.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
