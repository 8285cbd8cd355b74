import type { AuthEngine } from './engine.js';
import { AuthProxyError, ConfigError, LoginError, TokenResponseError } from './errors.js';
import { readOAuthError } from './oauth-error.js';
import type { ControlApi, ControlResult, LoginBody } from './protocol.js';

export function createControlApi(engine: AuthEngine): ControlApi {
  const answer = async (error: unknown, extra: Partial<ControlResult> = {}): Promise<ControlResult> => {
    if (error !== null && !(error instanceof AuthProxyError)) throw error;
    const snapshot = await engine.snapshot();
    return { ...snapshot, error: error === null ? null : error.toJSON(), dpop: engine.config.dpop, ...extra };
  };
  /** Runs `task` and answers with what it returned merged into the result, or with its error. */
  const attempt = async (task: () => Promise<Partial<ControlResult> | undefined>): Promise<ControlResult> => {
    try {
      return await answer(null, await task());
    } catch (error) {
      return answer(error);
    }
  };
  return {
    snapshot: () => answer(null),
    login: (body) => attempt(() => login(engine, body)),
    logout: () => attempt(async () => void (await engine.logout())),
    refresh: (seen) =>
      attempt(async () => {
        const result = await engine.refresh(seen);
        if (!result.ok) throw result.error;
        return undefined;
      }),
    accessToken: () => attempt(async () => ({ token: await engine.accessToken() })),
    authorize: (method, url) => attempt(async () => ({ headers: await engine.authorize(method, url) })),
  };
}

/** POSTs the credentials to the first `body` capture endpoint; the engine keeps the tokens. */
async function login(engine: AuthEngine, body: LoginBody): Promise<undefined> {
  const entry = engine.config.capture.find((capture) => capture.from === 'body');
  if (entry === undefined) {
    throw new ConfigError('invalid_config', 'login needs config.capture to name the login endpoint (a URL string or from: "body")');
  }
  const { url, tokenResponse } = entry;
  // A string or URLSearchParams body can be sent again: a DPoP nonce retry rebuilds the request.
  const payload = 'form' in body ? new URLSearchParams(body.form) : JSON.stringify(body.json);
  const type: Record<string, string> = 'form' in body ? {} : { 'Content-Type': 'application/json' };
  const { captured, error, response } = await engine.capture(
    {
      method: 'POST',
      url,
      build: (headers) => new Request(url, { method: 'POST', body: payload, headers: { Accept: 'application/json', ...type, ...headers } }),
      replayable: true,
    },
    tokenResponse,
  );
  if (captured) return undefined;
  if (error !== undefined) throw error;
  if (response.ok)
    throw new TokenResponseError(
      'invalid_token_response',
      `login endpoint answered ${response.status} without a token response (no ${tokenResponse.accessToken})`,
      {
        status: response.status,
      },
    );
  const oauthError = (await readOAuthError(response)) ?? undefined;
  const status = response.status;
  const named = oauthError === undefined ? '' : ` ${oauthError}`;
  throw new LoginError(
    'login_failed',
    `login endpoint answered ${status}${named}`,
    oauthError === undefined ? { status } : { status, oauthError },
  );
}
