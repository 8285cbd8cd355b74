import { copyFile, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, seenAt, test } from './fixtures.js';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

/**
 * The README's first install path, followed literally in an app with no bundler: two files
 * copied out of the package (the page module and the worker) and one static HTML page.
 */
const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>plain app</title></head>
  <body>
    <script type="module">
      import { registerAuthProxy } from './sw-auth-proxy.browser.js';

      const auth = await registerAuthProxy({
        worker: './auth-proxy-sw.js',
        config: { api: ['/api/'], capture: ['/api/auth/login'], refresh: { url: '/api/auth/refresh' } },
      });
      window.plain = { auth };
    </script>
  </body>
</html>
`;

test.use({
  serverOptions: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sw-auth-proxy-plain-'));
    await writeFile(path.join(dir, 'index.html'), INDEX_HTML);
    await copyFile(path.join(DIST, 'sw-auth-proxy.browser.js'), path.join(dir, 'sw-auth-proxy.browser.js'));
    await copyFile(path.join(DIST, 'auth-proxy-sw.js'), path.join(dir, 'auth-proxy-sw.js'));
    // The same app importing the page module under a second name (an alias, as a server or a
    // copy step may make), with the module and its chunks beside it under their own names.
    const renamed = await mkdtemp(path.join(tmpdir(), 'sw-auth-proxy-renamed-'));
    await writeFile(path.join(renamed, 'index.html'), INDEX_HTML.replace('./sw-auth-proxy.browser.js', './auth.js'));
    await copyFile(path.join(DIST, 'sw-auth-proxy.browser.js'), path.join(renamed, 'auth.js'));
    await copyFile(path.join(DIST, 'auth-proxy-sw.js'), path.join(renamed, 'auth-proxy-sw.js'));
    for (const file of await readdir(DIST)) {
      if (/^sw-auth-proxy[.-].*\.js$/.test(file)) await copyFile(path.join(DIST, file), path.join(renamed, file));
    }
    await use({
      staticDirs: [
        { prefix: '/plain/', dir },
        { prefix: '/renamed/', dir: renamed },
      ],
    });
  },
});

test('a static app with only the copied sw-auth-proxy/browser file and the worker authenticates fetch and XMLHttpRequest', async ({
  session,
  server,
}) => {
  const page = await session.newTab();
  await page.goto(`${server.url}/plain/index.html`);
  await page.waitForFunction(() => 'plain' in window);

  const result = await page.evaluate(async () => {
    const { auth } = (window as unknown as { plain: { auth: { login(body: object): Promise<{ status: string }> } } }).plain;
    const login = await auth.login({ username: 'demo', password: 'demo' });
    const fetched = await fetch('/api/me');
    const xhr = await new Promise<number>((resolve) => {
      const request = new XMLHttpRequest();
      request.open('GET', '/api/me');
      request.onloadend = () => resolve(request.status);
      request.send();
    });
    return { login: login.status, fetch: fetched.status, xhr };
  });

  expect(result).toEqual({ login: 'authenticated', fetch: 200, xhr: 200 });
  expect(seenAt(server, '/api/me')).toEqual({ withAuthorization: 2, withoutAuthorization: 0 });
  // Nothing beyond the two copied files was needed from the app's folder (Resource Timing; WebKit
  // lists the worker script there too). The start-up probe is no file: the worker answers it.
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname));
  const files = loaded.filter((p) => p.startsWith('/plain/') && p !== '/plain/sw-auth-proxy-probe');
  expect(files).toContain('/plain/sw-auth-proxy.browser.js');
  expect(files.filter((p) => p !== '/plain/sw-auth-proxy.browser.js' && p !== '/plain/auth-proxy-sw.js')).toEqual([]);
});

test('the page module imported under a second name is a clear error where its chunks would load a second copy of the library', async ({
  session,
  server,
}) => {
  const page = await session.newTab();
  await page.goto(`${server.url}/renamed/index.html`);
  await page.waitForFunction(() => 'plain' in window);
  const failure = await page.evaluate(
    () =>
      new Promise<{ code: string; cause: string }>((resolve) => {
        type Socket = EventTarget & { close(): void };
        const { auth } = (window as unknown as { plain: { auth: { socket(url: string): Socket } } }).plain;
        const socket = auth.socket('/ws/chat');
        socket.addEventListener('error', (event) => {
          const { error } = event as Event & { error: { code: string; cause?: { name: string; message: string } } };
          resolve({ code: error.code, cause: `${error.cause?.name}: ${error.cause?.message}` });
        });
      }),
  );
  expect(failure.code).toBe('module_unavailable');
  expect(failure.cause).toMatch(/^ConfigError: sw-auth-proxy was loaded twice: .*\/renamed\/auth\.js; serve the file under its own name/);
});
