import { defineConfig } from 'vitest/config';

/** Unit tests of the runtime-agnostic core, in Node (the e2e suite is Playwright's). */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
  },
});
