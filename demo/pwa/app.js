// The PWA example's page. Its worker (/pwa/sw.js) is the app's own — Workbox precaching and an
// offline page — with sw-auth-proxy composed into it, so registerAuthProxy gets no config.
// Bundled by build.mjs; in an app: import { registerAuthProxy } from 'sw-auth-proxy'.
import { registerAuthProxy } from '../../src/page/index.ts';

const $ = (id) => document.getElementById(id);

const auth = await registerAuthProxy({ worker: '/pwa/sw.js', scope: '/pwa/' });
window.auth = auth;

function render(state) {
  $('status').textContent = state.status;
  $('status').dataset.status = state.status;
  $('login').hidden = state.status !== 'anonymous' && state.status !== 'expired';
  $('network').textContent = navigator.onLine ? '' : '(no network)';
}
render(auth.state);
auth.subscribe((state) => render(state));
addEventListener('online', () => render(auth.state));
addEventListener('offline', () => render(auth.state));

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    await auth.login({ username: form.get('username'), password: form.get('password') });
  } catch (error) {
    $('output').textContent = `login failed: ${error.message}`;
  }
});

$('me').addEventListener('click', async () => {
  try {
    const response = await fetch('/api/me'); // no Authorization header: the worker adds it
    $('output').textContent = `${response.status}\n${await response.text()}`;
  } catch (error) {
    $('output').textContent = `no response: ${error.message}`;
  }
});

$('logout').addEventListener('click', () => void auth.logout());
