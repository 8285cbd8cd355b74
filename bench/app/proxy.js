// @ts-check
/**
 * The app page with sw-auth-proxy (mode `proxy` of the app-page benchmark), written the way the
 * README tells an app to: `await registerAuthProxy({ config })`, then plain `fetch`. The library
 * is bundled into this script (bench/lib/app-page.mjs), as an app's bundler would.
 */
// Bundled from the run's snapshot of dist/ (bench/lib/app-page.mjs points this path there).
import { registerAuthProxy } from '../../src/page/index.js';
import { CREDENTIALS, PING, report } from './common.js';

const scriptStart = performance.now();

/**
 * The same config on every visit (another would install another worker).
 * @type {import('../../src/page/index.js').AuthProxyConfig}
 */
const CONFIG = {
  api: ['/api/'],
  capture: ['/api/auth/login'],
  refresh: { url: '/api/auth/refresh', format: 'json' },
  refreshAhead: 30,
};

async function visit() {
  const auth = await registerAuthProxy({ config: CONFIG });
  const visit = auth.state.status === 'authenticated' ? 'returning' : 'first';
  if (visit === 'first') await auth.login(CREDENTIALS);
  const ready = performance.now();
  const response = await fetch(PING);
  await response.arrayBuffer();
  const firstAuth = performance.now();
  return report({ visit, status: response.status, scriptStart, ready, firstAuth, script: '/bench-app-page/proxy.js' });
}

Object.assign(window, { benchApp: visit() });
