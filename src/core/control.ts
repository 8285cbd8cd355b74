import type { AuthEngine } from './engine.js';
import { AuthProxyError, ConfigError, LoginError, TokenResponseError } from './errors.js';
import { readOAuthError } from './oauth-error.js';
import type { ControlApi, ControlResult, LoginBody } from './protocol.js';

export function createControlApi(engine: AuthEngine, fetch: (request: Request) => Promise<Response>): ControlApi {
  const answer = async (error: unknown, token?: string): Promise<ControlResult> => {
    if (error !== null && !(error instanceof AuthProxyError)) throw error;
    const result: ControlResult = { ...(await engine.snapshot()), error: error === null ? null : error.toJSON() };
    if (token !== undefined) result.token = token;
    return result;
  };
  const attempt = async (task: () => Promise<unknown>): Promise<ControlResult> => {
    try {
      await task();
      return await answer(null);
    } catch (error) {
      return answer(error);
    }
  };
  return {
    snapshot: () => answer(null),
    login: (body) => attempt(() => login(engine, fetch, body)),
    logout: () => attempt(() => engine.logout()),
    refresh: (seen) =>
      attempt(async () => {
        const result = await engine.refresh(seen);
        if (!result.ok) throw result.error;
      }),
    accessToken: async () => {
      try {
        return await answer(null, await engine.accessToken());
      } catch (error) {
        return answer(error);
      }
    },
  };
}

/** POSTs the credentials to the first `body` capture endpoint; the engine keeps the tokens. */
async function login(engine: AuthEngine, fetch: (request: Request) => Promise<Response>, body: LoginBody): Promise<void> {
  const entry = engine.config.capture.find((capture) => capture.from === 'body');
  if (entry === undefined) {
    throw new ConfigError('invalid_config', 'login needs config.capture to name the login endpoint (a URL string or from: "body")');
  }
  const { url, tokenResponse } = entry;
  const request =
    'form' in body
      ? new Request(url, { method: 'POST', body: new URLSearchParams(body.form), headers: { Accept: 'application/json' } })
      : new Request(url, {
          method: 'POST',
          body: JSON.stringify(body.json),
          headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
        });
  const response = await fetch(request);
  const { captured, error } = await engine.captureTokenResponse(response, tokenResponse);
  if (captured) return;
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
