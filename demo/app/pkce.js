// Authorization code + PKCE sign-in (RFC 6749 §4.1, RFC 7636) against the reference server.
// The page only starts the redirect and posts the code exchange; the worker captures the token
// response from /oauth/token like any other (the page's copy has no refresh_token).

const CLIENT_ID = 'demo-spa';
const REDIRECT_URI = '/';
const STORAGE_KEY = 'sw-auth-proxy-demo:pkce';

/** base64url without padding (RFC 7636 Appendix A). */
function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Sends the browser to the authorization endpoint with a fresh S256 challenge (RFC 7636 §4.1-4.3). */
export async function startPkceSignIn() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ verifier, state }));
  const url = new URL('/oauth/authorize', location.origin);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url);
}

/**
 * Back from the authorization endpoint: exchanges the code (RFC 6749 §4.1.3) when `state`
 * matches the one this tab sent (§10.12, CSRF). Resolves to an error message, or null.
 */
export async function completePkceSignIn() {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (code === null && error === null) return null;
  const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
  sessionStorage.removeItem(STORAGE_KEY);
  history.replaceState(null, '', location.pathname);
  if (error !== null) return `Sign-in refused: ${error}`;
  if (saved === null || saved.state !== params.get('state')) return 'Sign-in failed: the state does not match this tab';
  const response = await fetch('/oauth/token', {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID,
      code_verifier: saved.verifier,
    }),
  });
  return response.ok ? null : `Code exchange failed (${response.status})`;
}
