// The demo SPA: one line registers the proxy; everything else is ordinary fetch().
import { registerAuthProxy } from '/sw-auth-proxy.js';

const $ = (id) => document.getElementById(id);
const log = (text) => {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  $('log').prepend(item);
};

const auth = await registerAuthProxy({
  config: {
    api: ['/api/'],
    capture: ['/api/auth/login'],
    refresh: { url: '/api/auth/refresh', format: 'json' },
    logout: { url: '/api/auth/logout' },
    refreshAhead: 10,
  },
});
window.auth = auth;

function render(state) {
  $('status').textContent = state.status + (state.claims?.sub ? ` as ${state.claims.sub}` : '');
  $('status').dataset.status = state.status;
  $('login').hidden = state.status !== 'anonymous' && state.status !== 'expired';
}
render(auth.state);
auth.subscribe((state, event) => {
  render(state);
  log(`${event.type}${event.error ? `: ${event.error.message}` : ''}`);
});

setInterval(() => {
  const { expiresAt } = auth.state;
  $('countdown').textContent = expiresAt === null ? '–' : `${Math.max(0, Math.round((expiresAt - Date.now()) / 1000))} s`;
}, 250);

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    await auth.login({ username: form.get('username'), password: form.get('password') });
  } catch (error) {
    log(`login failed: ${error.message}`);
  }
});
$('me').addEventListener('click', async () => {
  const response = await fetch('/api/me');
  log(`GET /api/me → ${response.status} ${await response.text()}`);
});
$('refresh').addEventListener('click', () => auth.refresh().catch((error) => log(`refresh failed: ${error.message}`)));
$('logout').addEventListener('click', () => auth.logout());
