// @ts-check
/**
 * The app page without sw-auth-proxy (modes `none` and `bare` of the app-page benchmark): the
 * token lives in localStorage and the page sets `Authorization` itself. With `bare` the page
 * also registers the bare pass-through worker, as an app with a service worker does on every
 * load, without waiting for it.
 */
import { CREDENTIALS, PING, report } from './common.js';

const scriptStart = performance.now();
const KEY = 'bench-app-token';

/** @returns {Promise<{ visit: 'first' | 'returning', token: string }>} */
async function session() {
  const stored = localStorage.getItem(KEY);
  if (stored !== null) return { visit: 'returning', token: stored };
  const response = await fetch('/api/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(CREDENTIALS),
  });
  const body = await response.json();
  if (typeof body.access_token !== 'string') throw new Error(`login answered ${response.status}`);
  localStorage.setItem(KEY, body.access_token);
  return { visit: 'first', token: body.access_token };
}

async function visit() {
  if (document.documentElement.dataset.mode === 'bare') void navigator.serviceWorker.register('/bench-sw.js', { updateViaCache: 'none' });
  const { visit, token } = await session();
  const ready = performance.now();
  const response = await fetch(PING, { headers: { Authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  const firstAuth = performance.now();
  return report({ visit, status: response.status, scriptStart, ready, firstAuth, script: '/bench-app-page/plain.js' });
}

Object.assign(window, { benchApp: visit() });
