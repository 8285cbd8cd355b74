import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures.js';

/**
 * The driver layer's promise: what the page reports reaches the test in every engine, so the
 * session fixture can fail a test on it. Firefox and WebKit report a worker's rejected
 * respondWith to the page, Chromium to its page console; an uncaught error is a page error
 * everywhere. This test provokes both and lets the fixture's check pass by expecting them.
 */
const HARNESS = fileURLToPath(new URL('./harness/index.html', import.meta.url));
const REJECTING_WORKER = fileURLToPath(new URL('./broken-workers/rejecting-sw.js', import.meta.url));

test.use({
  serverOptions: { static: { '/': HARNESS, '/rejecting-sw.js': REJECTING_WORKER } },
  expectedPageErrors: /^worker failure: |boom from the worker|uncaught in the page/,
});

test('a rejected respondWith and an uncaught page error are reported to the test', async ({ session, server }) => {
  const tab = await session.newTab();
  await tab.goto(`${server.url}/`);
  await tab.evaluate(async () => {
    await navigator.serviceWorker.register('/rejecting-sw.js');
    if (navigator.serviceWorker.controller === null)
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
  });
  const outcome = await tab.evaluate(() =>
    fetch('/boom').then(
      (response) => `status ${response.status}`,
      () => 'network error',
    ),
  );
  expect(outcome).toBe('network error');
  await tab.evaluate(() => {
    (window as unknown as { thrown: boolean }).thrown = false;
    setTimeout(() => {
      (window as unknown as { thrown: boolean }).thrown = true;
      throw new Error('uncaught in the page');
    });
  });
  await tab.waitForFunction(() => (window as unknown as { thrown: boolean }).thrown);

  await expect.poll(async () => (await session.errors()).length).toBe(2);
  const errors = await session.errors();
  expect(errors.filter((error) => /uncaught in the page/.test(error))).toHaveLength(1);
  expect(errors.filter((error) => /^worker failure: |boom from the worker/.test(error))).toHaveLength(1);
});
