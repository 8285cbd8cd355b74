import { describe, expect, it } from 'vitest';
import { DpopError, RefreshError, TokenResponseError } from '../../src/core/errors.js';
import { classifyRefreshFailure, classifyRefreshResponse, type RefreshOutcome } from '../../src/core/refresh-outcome.js';
import { RFC6749_MAPPING } from '../../src/core/token-mapping.js';
import { T0, jsonResponse, tokenBody } from './helpers.js';

function expectKind<K extends RefreshOutcome['kind']>(outcome: RefreshOutcome, kind: K): Extract<RefreshOutcome, { kind: K }> {
  expect(outcome.kind).toBe(kind);
  return outcome as Extract<RefreshOutcome, { kind: K }>;
}

describe('classifyRefreshResponse', () => {
  it('200 with a valid token response is a success carrying the parsed tokens', async () => {
    const outcome = expectKind(await classifyRefreshResponse(jsonResponse(tokenBody()), T0), 'success');
    expect(outcome.tokens.accessToken).toBe('access-opaque-1');
    expect(outcome.tokens.refreshToken).toBe('refresh-opaque-1');
    expect(outcome.tokens.expiresAt).toBe(T0 + 3_600_000);
  });

  it('uses the response Date header for the clock offset', async () => {
    const response = jsonResponse(tokenBody(), { headers: { Date: new Date(T0 + 600_000).toUTCString() } });
    const outcome = expectKind(await classifyRefreshResponse(response, T0), 'success');
    expect(outcome.tokens.clockOffset).toBe(600_000);
  });

  it('accepts JSON media types with parameters or a +json suffix', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/vnd.example+json']) {
      const response = new Response(JSON.stringify(tokenBody()), { headers: { 'Content-Type': type } });
      expectKind(await classifyRefreshResponse(response, T0), 'success');
    }
  });

  it('200 with an HTML page (a proxy or captive portal) is unavailable, not a logout', async () => {
    const response = new Response('<!doctype html><title>Login to Wi-Fi</title>', {
      status: 200,
      headers: { 'Content-Type': 'text/html' },
    });
    const outcome = expectKind(await classifyRefreshResponse(response, T0), 'unavailable');
    expect(outcome.error).toBeInstanceOf(TokenResponseError);
    expect(outcome.error.code).toBe('invalid_token_response');
    expect(outcome.error.status).toBe(200);
    expect(outcome.retryAfterMs).toBeNull();
  });

  it('200 with truncated JSON is unavailable', async () => {
    const response = new Response('{"access_token":"abc","token_ty', { status: 200, headers: { 'Content-Type': 'application/json' } });
    const outcome = expectKind(await classifyRefreshResponse(response, T0), 'unavailable');
    expect(outcome.error.code).toBe('invalid_token_response');
    expect(outcome.error.message).toMatch(/malformed JSON/);
  });

  it('200 with JSON that is not a token response is unavailable', async () => {
    const outcome = expectKind(await classifyRefreshResponse(jsonResponse({ ok: true }), T0), 'unavailable');
    expect(outcome.error.code).toBe('invalid_token_response');
  });

  it('400 invalid_grant is rejected: the session has ended', async () => {
    const outcome = expectKind(
      await classifyRefreshResponse(jsonResponse({ error: 'invalid_grant', error_description: 'revoked' }, { status: 400 }), T0),
      'rejected',
    );
    expect(outcome.error).toBeInstanceOf(RefreshError);
    expect(outcome.error.code).toBe('refresh_rejected');
    expect(outcome.error.oauthError).toBe('invalid_grant');
    expect(outcome.error.status).toBe(400);
  });

  it('401 with no body is rejected', async () => {
    const outcome = expectKind(await classifyRefreshResponse(new Response(null, { status: 401 }), T0), 'rejected');
    expect(outcome.error.code).toBe('refresh_rejected');
    expect(outcome.error.status).toBe(401);
    expect(outcome.error.oauthError).toBeUndefined();
  });

  it('400 with a non-JSON body is rejected', async () => {
    const outcome = expectKind(await classifyRefreshResponse(new Response('Bad Request', { status: 400 }), T0), 'rejected');
    expect(outcome.error.code).toBe('refresh_rejected');
  });

  it('403 without a configuration error code is rejected', async () => {
    expectKind(await classifyRefreshResponse(new Response(null, { status: 403 }), T0), 'rejected');
  });

  it.each([
    'invalid_client',
    'unauthorized_client',
    'unsupported_grant_type',
    'invalid_scope',
    'invalid_request',
    'invalid_dpop_proof',
    'use_dpop_nonce',
  ])('400 %s is misconfigured: the session is kept', async (oauthError) => {
    const outcome = expectKind(await classifyRefreshResponse(jsonResponse({ error: oauthError }, { status: 400 }), T0), 'misconfigured');
    expect(outcome.error.code).toBe('refresh_misconfigured');
    expect(outcome.error.oauthError).toBe(oauthError);
    expect(outcome.error.status).toBe(400);
  });

  it('401 invalid_client (RFC 6749 §5.2 allows 401 for it) is misconfigured', async () => {
    expectKind(await classifyRefreshResponse(jsonResponse({ error: 'invalid_client' }, { status: 401 }), T0), 'misconfigured');
  });

  it('404 (wrong refresh.url) is misconfigured', async () => {
    const outcome = expectKind(await classifyRefreshResponse(new Response('Not Found', { status: 404 }), T0), 'misconfigured');
    expect(outcome.error.code).toBe('refresh_misconfigured');
    expect(outcome.error.status).toBe(404);
  });

  it('ignores an error code that is not printable ASCII', async () => {
    const outcome = expectKind(
      await classifyRefreshResponse(jsonResponse({ error: 'invalid_client\u0000' }, { status: 400 }), T0),
      'rejected',
    );
    expect(outcome.error.oauthError).toBeUndefined();
  });

  it('429 with Retry-After seconds is unavailable with the server delay', async () => {
    const response = jsonResponse({ error: 'slow_down' }, { status: 429, headers: { 'Retry-After': '120' } });
    const outcome = expectKind(await classifyRefreshResponse(response, T0), 'unavailable');
    expect(outcome.retryAfterMs).toBe(120_000);
    expect(outcome.error.code).toBe('refresh_unavailable');
    expect(outcome.error.status).toBe(429);
  });

  it('503 with an HTTP-date Retry-After is unavailable with the delay until that date', async () => {
    const response = new Response(null, { status: 503, headers: { 'Retry-After': new Date(T0 + 45_000).toUTCString() } });
    const outcome = expectKind(await classifyRefreshResponse(response, T0), 'unavailable');
    expect(outcome.retryAfterMs).toBe(45_000);
  });

  it.each([500, 502, 503, 504, 408])('%i is unavailable without a server delay', async (status) => {
    const outcome = expectKind(await classifyRefreshResponse(new Response('oops', { status }), T0), 'unavailable');
    expect(outcome.error.code).toBe('refresh_unavailable');
    expect(outcome.error.status).toBe(status);
    expect(outcome.retryAfterMs).toBeNull();
  });

  it('a 500 carrying invalid_grant in its body is still unavailable (a server error is not a verdict)', async () => {
    expectKind(await classifyRefreshResponse(jsonResponse({ error: 'invalid_grant' }, { status: 500 }), T0), 'unavailable');
  });
});

describe('classifyRefreshFailure', () => {
  it('a network error is unavailable, with the cause kept', () => {
    const cause = new TypeError('fetch failed');
    const outcome = expectKind(classifyRefreshFailure(cause, false), 'unavailable');
    expect(outcome.retryAfterMs).toBeNull();
    expect(outcome.error.code).toBe('refresh_unavailable');
    expect(outcome.error.cause).toBe(cause);
    expect(outcome.error.message).toMatch(/could not be reached/);
  });

  it('a timeout is unavailable and says so', () => {
    const outcome = expectKind(classifyRefreshFailure(new DOMException('aborted', 'AbortError'), true), 'unavailable');
    expect(outcome.error.code).toBe('refresh_unavailable');
    expect(outcome.error.message).toMatch(/did not answer in time/);
  });
});

describe('classifyRefreshResponse under DPoP', () => {
  it('takes a DPoP token response, and treats any other token_type as an unusable answer that keeps the session', async () => {
    const ok = expectKind(
      await classifyRefreshResponse(jsonResponse(tokenBody({ token_type: 'DPoP' })), T0, RFC6749_MAPPING, 'DPoP'),
      'success',
    );
    expect(ok.tokens.accessToken).toBe('access-opaque-1');
    const bearer = expectKind(await classifyRefreshResponse(jsonResponse(tokenBody()), T0, RFC6749_MAPPING, 'DPoP'), 'unavailable');
    expect(bearer.error.code).toBe('invalid_token_response');
  });

  it('a proof that could not be made is misconfigured, not a network failure', () => {
    const error = new DpopError('dpop_failed', 'could not sign a DPoP proof');
    expect(classifyRefreshFailure(error, false)).toEqual({ kind: 'misconfigured', error });
  });
});
