// The demo SPA. One call registers the proxy; after that the app uses plain fetch() and
// auth.socket(), and renders whatever the session events say. No build step: the page
// imports the page bridge that `npm run build` writes and the demo server serves.
import { registerAuthProxy } from '/sw-auth-proxy.browser.js';
import { completePkceSignIn, startPkceSignIn } from './pkce.js';

/** Seconds before expiry at which the worker refreshes. Tokens live ACCESS_TTL (60 s by default). */
const REFRESH_AHEAD = 10;
const STRATEGIES = ['protocol', 'ticket', 'message', 'query'];
const LIVE = ['authenticated', 'refreshing', 'offline'];
const LOG_LIMIT = 150;

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const strategy = STRATEGIES.includes(params.get('socket')) ? params.get('socket') : 'protocol';

// ---- presentation helpers ------------------------------------------------------------

const time = (ms = Date.now()) => new Date(ms).toLocaleTimeString([], { hour12: false });

function log(kind, text) {
  const item = document.createElement('li');
  item.dataset.kind = kind;
  item.innerHTML = '<time></time><b></b><span></span>';
  item.querySelector('time').textContent = time();
  item.querySelector('b').textContent = kind;
  item.querySelector('span').textContent = text;
  $('log').prepend(item);
  while ($('log').children.length > LOG_LIMIT) $('log').lastElementChild.remove();
}

function toast(text, tone = 'info') {
  const item = document.createElement('div');
  item.className = `toast ${tone}`;
  item.textContent = text;
  $('toasts').append(item);
  // Purely cosmetic: a toast fades after a few seconds; nothing depends on it.
  setTimeout(() => item.classList.add('leaving'), 3500);
  setTimeout(() => item.remove(), 4000);
}

function describe(event) {
  if (event.type === 'refresh-failed') return `refresh-failed (${event.kind}): ${event.error.message}`;
  if (event.error) return `${event.type}: ${event.error.message}`;
  return event.type;
}

// ---- the one line ----------------------------------------------------------------------

let auth;
try {
  auth = await registerAuthProxy({
    config: {
      api: ['/api/'],
      // The JSON login and the OAuth code exchange both return tokens for the worker to keep.
      capture: ['/api/auth/login', '/oauth/token'],
      refresh: { url: '/api/auth/refresh', format: 'json' },
      logout: { url: '/api/auth/logout' },
      refreshAhead: REFRESH_AHEAD,
    },
    // Only when a refresh is impossible (the server refused the refresh token) — never on a
    // network blip: those keep the session 'offline' and retry.
    onExpired: () => toast('Session expired: please sign in again', 'error'),
  });
} catch (error) {
  $('fatal').hidden = false;
  $('fatal').textContent = `Could not start the service worker: ${error.message}`;
  throw error;
}
window.auth = auth;
window.demo = { chat: null, strategy };
$('refresh-ahead').textContent = String(REFRESH_AHEAD);
$('strategy').value = strategy;

// ---- session ---------------------------------------------------------------------------

function render(state) {
  const live = LIVE.includes(state.status);
  const badge = $('session-badge');
  badge.dataset.status = state.status;
  badge.dataset.expiresAt = state.expiresAt === null ? '' : String(state.expiresAt);
  badge.textContent = state.claims?.sub ? `${state.status} · ${state.claims.sub}` : state.status;
  $('signin').hidden = live;
  $('app').hidden = !live;
  $('countdown').hidden = !live;
  $('refresh').hidden = !live;
  $('logout').hidden = !live;
  tick();
}

const TOASTS = {
  refreshed: ['Token refreshed', 'ok'],
  offline: ['Offline: session kept, will retry', 'warn'],
  online: ['Back online', 'ok'],
  'logged-out': ['Logged out (in every tab)', 'info'],
  'session-created': ['Signed in', 'ok'],
};

auth.subscribe((state, event) => {
  render(state);
  log('session', describe(event));
  const entry = TOASTS[event.type];
  if (entry) toast(...entry);
  if (event.type === 'session-created') {
    shownNotes.clear(); // notes are per user
    void loadNotes();
  }
  if (LIVE.includes(state.status)) ensureChat();
});

/**
 * The worker keeps no timers (browsers stop idle workers), so a page asks for a token when it
 * becomes due: the worker then refreshes once, whichever tab asks first. This is what makes the
 * countdown true even when the app makes no API calls.
 */
let nudgedFor = null;
let lifeStart = { expiresAt: null, at: 0 };
function tick() {
  const { status, expiresAt } = auth.state;
  if (!LIVE.includes(status) || expiresAt === null) return;
  const now = Date.now();
  const refreshAt = expiresAt - REFRESH_AHEAD * 1000;
  const seconds = Math.max(0, Math.ceil((refreshAt - now) / 1000));
  $('countdown-text').textContent = status === 'refreshing' ? 'refreshing…' : `refresh in ${seconds} s`;
  if (lifeStart.expiresAt !== expiresAt) lifeStart = { expiresAt, at: now };
  const life = Math.max(0, Math.min(1, (expiresAt - now) / Math.max(1, expiresAt - lifeStart.at)));
  $('countdown-bar').style.width = `${Math.round(life * 100)}%`;
  if (now >= refreshAt && status === 'authenticated' && nudgedFor !== expiresAt) {
    nudgedFor = expiresAt;
    auth.accessToken().catch(() => undefined); // a failure is reported as a session event
  }
}
setInterval(tick, 250);

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  $('login-error').hidden = true;
  try {
    await auth.login({ username: form.get('username'), password: form.get('password') });
  } catch (error) {
    $('login-error').hidden = false;
    $('login-error').textContent =
      error.code === 'login_failed' && error.oauthError === 'invalid_grant' ? 'Wrong user or password.' : error.message;
  }
});
$('oauth-sign-in').addEventListener('click', () => void startPkceSignIn());
void completePkceSignIn()
  .catch((error) => `Sign-in failed: ${error.message}`)
  .then((problem) => {
    if (problem === null) return;
    $('login-error').hidden = false;
    $('login-error').textContent = problem;
  });
$('refresh').addEventListener('click', () => auth.refresh().catch((error) => toast(`Refresh failed: ${error.message}`, 'error')));
$('logout').addEventListener('click', () => auth.logout());

// ---- API calls: plain fetch, no Authorization header ----------------------------------

/** The notes shown, by id: a list that answers late must not drop a note another tab just sent. */
const shownNotes = new Map();

function showNotes(notes) {
  for (const note of notes) shownNotes.set(note.id, note);
  const newestFirst = [...shownNotes.values()].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  $('notes').replaceChildren(...newestFirst.map(noteItem));
}

async function loadNotes() {
  const response = await fetch('/api/notes');
  log('api', `GET /api/notes → ${response.status}`);
  if (!response.ok) return;
  const { notes } = await response.json();
  showNotes(notes);
}

function noteItem(note) {
  const item = document.createElement('li');
  item.innerHTML = '<span></span><time></time>';
  item.querySelector('span').textContent = note.text;
  item.querySelector('time').textContent = time(note.createdAt);
  return item;
}

// Notes are app data, not session state: the app tells its other tabs itself, the same way
// the library tells them about the session (BroadcastChannel), so every tab follows here too.
const notesChannel = new BroadcastChannel('demo-notes');
notesChannel.addEventListener('message', (event) => showNotes([event.data]));

$('note-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('note-text').value.trim();
  if (text === '') return;
  const response = await fetch('/api/notes', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  log('api', `POST /api/notes → ${response.status}`);
  if (!response.ok) return toast(`Could not save the note (${response.status})`, 'error');
  $('note-text').value = '';
  const { note } = await response.json();
  showNotes([note]);
  notesChannel.postMessage(note);
});

// ---- chat over AuthSocket ----------------------------------------------------------------

function chatStatus(status) {
  const queued = window.demo.chat?.queuedMessages ?? 0;
  $('chat-status').dataset.status = status;
  $('chat-status').textContent = queued > 0 ? `${status} · ${queued} queued` : status;
}

function ensureChat() {
  if (window.demo.chat !== null) return;
  const socket = auth.socket('/ws/chat', {
    auth: strategy,
    protocols: ['chat.v1'],
    // The reference server confirms every accepted credential with {"type":"authenticated"}.
    ack: true,
    ...(strategy === 'ticket' ? { ticket: { url: '/api/ws-ticket' } } : {}),
    // The ticket strategy keeps the token out of the page, so it reconnects on rotation;
    // the others re-authenticate in band and never drop the connection.
    onRotate: strategy === 'ticket' ? 'reconnect' : 'message',
  });
  window.demo.chat = socket;
  chatStatus('connecting');
  let connections = 0;
  let inBand = false;
  socket.addEventListener('open', () => {
    connections++;
    inBand = false;
    chatStatus('open');
    log('socket', `open (${strategy}${socket.protocol ? `, subprotocol ${socket.protocol}` : ''})`);
    if (connections > 1) toast('Chat reconnected', 'ok');
  });
  // 'authenticated' without an 'open' right after it is an in-band re-authentication.
  socket.addEventListener('authenticated', () => {
    inBand = true;
    queueMicrotask(() => {
      if (inBand) log('socket', 'token rotated: chat re-authenticated in band');
    });
  });
  socket.addEventListener('reconnecting', (event) => {
    chatStatus(event.reason === 'offline' ? 'offline' : 'reconnecting');
    const delay = event.delayMs === null ? 'when back online' : `in ${event.delayMs} ms`;
    log('socket', `reconnecting (${event.reason}${event.code === null ? '' : `, close ${event.code}`}) ${delay}`);
    if (event.reason !== 'rotate') toast(`Chat reconnecting (${event.reason})`, 'warn');
  });
  socket.addEventListener('message', (event) => onChatMessage(JSON.parse(event.data)));
  socket.addEventListener('error', (event) => {
    log('socket', `error ${event.error.code}: ${event.message}`);
    if (event.error.fatal) toast(`Chat stopped: ${event.message}`, 'error');
  });
  socket.addEventListener('close', (event) => {
    log('socket', `closed ${event.code}${event.reason ? ` (${event.reason})` : ''}`);
    chatStatus('closed');
    if (window.demo.chat === socket) window.demo.chat = null;
  });
}

function onChatMessage(message) {
  if (message.type === 'history') $('chat-messages').replaceChildren(...message.messages.map(chatItem));
  if (message.type === 'chat') {
    $('chat-messages').append(chatItem(message.message));
    $('chat-messages').scrollTop = $('chat-messages').scrollHeight;
  }
}

function chatItem(message) {
  const item = document.createElement('li');
  item.innerHTML = '<b></b><span></span><time></time>';
  item.querySelector('b').textContent = message.from;
  item.querySelector('span').textContent = message.text;
  item.querySelector('time').textContent = time(message.at);
  return item;
}

$('chat-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('chat-text').value.trim();
  if (text === '' || window.demo.chat === null) return;
  // Sent now, or buffered in order while the socket reconnects.
  window.demo.chat.send(JSON.stringify({ type: 'chat', text }));
  $('chat-text').value = '';
  if (window.demo.chat.readyState !== window.demo.chat.OPEN) chatStatus(window.demo.chat.status);
});

$('strategy').addEventListener('change', () => {
  params.set('socket', $('strategy').value);
  location.search = params.toString();
});

// ---- start -------------------------------------------------------------------------------

render(auth.state);
log('session', `${auth.state.status} (state read at start-up)`);
if (LIVE.includes(auth.state.status)) {
  void loadNotes();
  ensureChat();
}
