// @ts-check
import { formatScope } from './scope.js';

/**
 * The HTML the authorization endpoint shows the resource owner: a sign-in
 * form and an error page. Self-contained (no scripts, no external resources)
 * and every echoed value is escaped, since all of it comes from the request.
 */

/** @typedef {import('./authorize-request.js').AuthorizationRequest} AuthorizationRequest */

/**
 * Headers for both pages: never cached, and never framed, so another site
 * cannot overlay the form to capture clicks (RFC 6749 §10.13). form-action
 * also covers the redirect that follows the POST, which stays same-origin.
 * img-src 'self' lets the browser look for the site's favicon, which Firefox
 * does for every page (it would otherwise report a CSP violation).
 * @type {Readonly<Record<string, string>>}
 */
export const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}' +
  'label{display:block;margin:.75rem 0 .25rem}input{width:100%;box-sizing:border-box;padding:.4rem}' +
  'button{margin-top:1rem;padding:.5rem 1.5rem}.error{color:#b00020}';

/**
 * @param {string} value
 * @returns {string}
 */
export function escapeHtml(value) {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/**
 * The sign-in form. The authorization request rides along in hidden fields
 * and is validated again when the form comes back.
 * @param {AuthorizationRequest} request
 * @param {{ username?: string, error?: string }} [state] a failed attempt to show
 * @returns {string}
 */
export function renderLoginPage(request, { username = '', error } = {}) {
  /** @type {Record<string, string | undefined>} */
  const hidden = {
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    state: request.state,
    code_challenge: request.codeChallenge,
    code_challenge_method: 'S256',
    scope: request.scope.length > 0 ? formatScope(request.scope) : undefined,
  };
  const hiddenFields = Object.entries(hidden)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value ?? '')}">`)
    .join('\n');
  const message = error === undefined ? '' : `<p class="error" id="error" role="alert">${escapeHtml(error)}</p>`;
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(request.clientId)}</strong></p>
${message}
<form method="post" action="/oauth/authorize">
${hiddenFields}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(username)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button id="sign-in" type="submit">Sign in</button>
</form>`,
  );
}

/**
 * Shown instead of redirecting when the redirect target itself is in doubt
 * (RFC 6749 §4.1.2.1).
 * @param {string} description
 * @returns {string}
 */
export function renderErrorPage(description) {
  return page(
    'Authorization error',
    `<h1>Authorization error</h1>
<p class="error" id="error" role="alert">${escapeHtml(description)}</p>`,
  );
}

/**
 * @param {string} title
 * @param {string} body trusted markup
 * @returns {string}
 */
function page(title, body) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
