import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { readJsonObject, withoutRefreshToken } from './capture.js';
import type { ResolvedConfig } from './config.js';
import type { Dpop } from './dpop.js';
import { AuthProxyError, NotAuthenticatedError, RefreshError, TokenResponseError, type SerializedAuthProxyError } from './errors.js';
import { isDueForRefresh } from './expiry.js';
import type { RefreshLock } from './lock.js';
import { classifyRefreshFailure, classifyRefreshResponse, type RefreshOutcome } from './refresh-outcome.js';
import { withHeaders, type OutgoingRequest } from './pipeline.js';
import { buildRefreshRequest, buildRevocationRequest } from './refresh-request.js';
import { STATE_MESSAGE, type AuthorizationHeaders, type StateMessage } from './protocol.js';
import { deriveState, type SessionEvent, type SessionState } from './session-state.js';
import { looksLikeTokenResponse, mergeRotatedTokens, parseTokenResponse, type TokenSet, type TokenType } from './token-response.js';
import type { TokenMapping } from './token-mapping.js';
import type { KeyPair, TokenVault, VaultRecord } from './vault.js';

/** Everything the engine needs from its host; nothing is reached globally. */
export interface EngineHost {
  config: ResolvedConfig;
  fetch: (request: Request) => Promise<Response>;
  vault: TokenVault;
  lock: RefreshLock;
  now: () => number;
  random: () => number;
  /** An AbortSignal that aborts after `ms`. */
  timeout: (ms: number) => AbortSignal;
  publish: (message: StateMessage) => void;
  backoff?: BackoffPolicy;
  /** Opt-in diagnostics. Messages never contain tokens. */
  log?: (message: string) => void;
  /** Present under DPoP (`config.dpop`): token requests carry proofs from the session's key. */
  dpop?: Dpop;
}

export type RefreshResult = { ok: true; tokens: TokenSet } | { ok: false; error: AuthProxyError };

/**
 * The last refresh failure: when a retry that can wait may start (`retryAt`, the backoff), and
 * when one that cannot may (`neededRetryAt`: the backoff up to its base, and the server's `Retry-After` in full).
 */
interface Failure {
  error: AuthProxyError;
  unavailable: boolean;
  attempt: number;
  retryAt: number;
  neededRetryAt: number;
  /** When it happened. */
  at: number;
}

/**
 * A refresh rejected while an earlier refresh's answer never arrived: most likely the server
 * rotated the refresh token then (the answer died with the worker or the connection) and now
 * treats the old one as reused ([RFC 9700 §4.14.2](https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2)).
 * No client can recover an answer it never received; it can say so instead of a plain invalid_grant.
 */
function explainLostResponse(outcome: RefreshOutcome): RefreshOutcome {
  if (outcome.kind !== 'rejected') return outcome;
  const { error } = outcome;
  const details = {
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.oauthError === undefined ? {} : { oauthError: error.oauthError }),
  };
  const message = `${error.message}, after an earlier refresh's answer was lost (the worker stopped or the connection dropped after sending it): the server probably rotated the refresh token then and now sees it reused; a short reuse grace period at the server prevents this`;
  return { kind: 'rejected', error: new RefreshError('refresh_response_lost', message, details) };
}

/** A captured response: the page's copy, and whether it started a session. */
export interface CaptureResult {
  response: Response;
  captured: boolean;
  error?: AuthProxyError;
}

function notAuthenticated(): NotAuthenticatedError {
  return new NotAuthenticatedError('not_authenticated', 'There is no session: log in first.');
}

/**
 * The circuit breaker: after this many futile refreshes in a window — a refreshed token the
 * API rejected before it ever accepted it — 401s pass through without a refresh. Successful
 * recoveries (revoked, refreshed, accepted again) never count, however many there are.
 */
const BREAKER = { limit: 3, windowMs: 60_000 };

/**
 * The one brain: holds the session, refreshes single-flight, captures token responses,
 * logs out. Hosted by the service worker (or an in-page fallback) with injected I/O.
 */
export class AuthEngine {
  readonly #host: EngineHost;
  #record: VaultRecord | null = null;
  #inFlight: Promise<RefreshResult> | null = null;
  #refreshing = false;
  #failure: Failure | null = null;
  /** When futile refreshes happened (newest last), for the breaker. */
  #futileRefreshes: number[] = [];
  /** The access token of the last refresh, until the API accepts or rejects it. */
  #unproven: string | null = null;
  #revision = 0;
  #lastPublished: StateMessage | null = null;

  constructor(host: EngineHost) {
    this.#host = host;
  }

  get config(): ResolvedConfig {
    return this.#host.config;
  }

  /** Drop the cached record: another context (another worker version) changed the vault. */
  forget(): void {
    this.#record = null;
  }

  async state(): Promise<SessionState> {
    return this.#derive(await this.#current());
  }

  /** The last published message while it is still current, so callers see the event that caused it. */
  async snapshot(): Promise<StateMessage> {
    const record = await this.#current();
    const last = this.#lastPublished;
    if (last !== null && JSON.stringify(last.state) === JSON.stringify(this.#derive(record))) return last;
    return this.#message(record, { type: 'snapshot' });
  }

  /** The token for an outgoing API request: refreshed first when it is due (preemptive refresh). */
  async tokenForRequest(): Promise<string | null> {
    const { tokens } = await this.#current();
    if (tokens === null) return null;
    if (!this.#isDue(tokens) || this.#holdsOff(this.#isExpired(tokens))) return tokens.accessToken;
    const result = await this.#refreshTokens(tokens);
    return result.ok ? result.tokens.accessToken : ((await this.#current()).tokens?.accessToken ?? null);
  }

  /**
   * After a 401 to a request sent with `rejected`: the token to replay with, or null to let
   * the 401 through. Reuses a refresh that happened since the request was sent.
   */
  async tokenAfterRejection(rejected: string, sentAt = Number.NEGATIVE_INFINITY): Promise<string | null> {
    this.tokenVerdict(rejected, false);
    const { tokens } = await this.#current();
    if (tokens === null) return null;
    if (tokens.accessToken !== rejected) return tokens.accessToken;
    // A refresh that already failed since this request was sent would fail again now (one in
    // flight started after that failure, so it is still worth joining).
    const failedSince = this.#failure !== null && this.#failure.at >= sentAt && this.#inFlight === null;
    if (failedSince || this.#holdsOff(true) || this.#breakerOpen()) return null;
    const result = await this.#refreshTokens(tokens, { afterRejection: true });
    return result.ok ? result.tokens.accessToken : null;
  }
  /**
   * What the API said to a request sent with `token` (accepted, or rejected as invalid): a
   * refreshed token rejected before it was ever accepted makes that refresh futile, which the
   * circuit breaker counts. Synchronous and cheap: the pipeline reports every API response.
   */
  tokenVerdict(token: string, accepted: boolean): void {
    if (token !== this.#unproven) return;
    this.#unproven = null;
    if (accepted) return;
    this.#futileRefreshes.push(this.#host.now());
    this.#host.log?.('circuit breaker: a refreshed token was rejected before it was ever accepted');
  }

  /** When the cached access token expires (local ms), or null. */
  expiresAt(): number | null {
    return this.#record?.tokens?.expiresAt ?? null;
  }

  /** A valid access token for the app, refreshing if due. Throws when there is none. */
  async accessToken(): Promise<string> {
    const { tokens } = await this.#current();
    if (tokens === null) throw notAuthenticated();
    if (!this.#isDue(tokens)) return tokens.accessToken;
    const failure = this.#holdsOff(this.#isExpired(tokens)) ? this.#failure : null;
    const result = failure === null ? await this.#refreshTokens(tokens) : { ok: false as const, error: failure.error };
    if (result.ok) return result.tokens.accessToken;
    // Refresh failed but the token has not expired yet: it is still valid to use.
    if (tokens.expiresAt !== null && tokens.expiresAt > this.#host.now()) return tokens.accessToken;
    throw result.error;
  }

  /**
   * The header values for a request the proxy does not send itself: Bearer, or under DPoP the
   * token with a proof for `method` and `url` ([RFC 9449 §7.1](https://www.rfc-editor.org/rfc/rfc9449#section-7.1)).
   */
  async authorize(method: string, url: string): Promise<AuthorizationHeaders> {
    const token = await this.accessToken();
    const { dpop } = this.#host;
    if (dpop === undefined) return { authorization: `Bearer ${token}`, dpop: null };
    // `htm` must be the method the request will go with, and fetch upper-cases these ones.
    const upper = method.toUpperCase();
    const htm = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'].includes(upper) ? upper : method;
    return { authorization: `DPoP ${token}`, dpop: await dpop.proof(await this.proofKey(), htm, url, token) };
  }

  /** The session's DPoP key pair; null without DPoP or without a session. */
  async proofKey(): Promise<KeyPair | null> {
    return (await this.#current()).key ?? null;
  }

  /**
   * A forced refresh (the app asked), ignoring backoff. `seen` is what the caller knew: when
   * the stored tokens already differ from it, a refresh happened since (another tab, or this
   * very call delivered again after a worker restart) and spending the refresh token again
   * would only rotate it twice.
   */
  async refresh(seen?: { tokens: number | null }): Promise<RefreshResult> {
    this.forget();
    const { tokens } = await this.#current();
    if (tokens === null) return { ok: false, error: notAuthenticated() };
    if (seen !== undefined && seen.tokens !== (tokens.receivedAt ?? null)) return { ok: true, tokens };
    return this.#refreshTokens(tokens);
  }

  /**
   * Single flight: every caller in this context shares one refresh, which runs inside the
   * cross-context lock so two worker versions cannot both spend the same refresh token.
   */
  #refreshTokens(stale: TokenSet, { afterRejection = false } = {}): Promise<RefreshResult> {
    this.#inFlight ??= this.#host.lock
      .run(() => this.#refreshUnderLock(stale, afterRejection))
      .finally(() => {
        this.#inFlight = null;
      });
    return this.#inFlight;
  }

  async #refreshUnderLock(stale: TokenSet, afterRejection: boolean): Promise<RefreshResult> {
    // Re-read: whoever held the lock before us may have rotated the tokens already.
    this.forget();
    const before = await this.#current();
    if (before.tokens === null) return { ok: false, error: notAuthenticated() };
    if (before.tokens.accessToken !== stale.accessToken) {
      this.#host.log?.('refresh: another context already rotated the tokens; using them');
      return { ok: true, tokens: before.tokens };
    }
    const endpoint = this.#host.config.refresh;
    if (endpoint === null || (before.tokens.refreshToken === null && endpoint.format !== 'cookie')) {
      return {
        ok: false,
        error: new RefreshError('refresh_rejected', 'no refresh endpoint or refresh token: the session cannot be extended'),
      };
    }
    this.#startRefreshing(before);
    this.#host.log?.(`refresh: started${afterRejection ? ' (after a 401)' : ''}`);
    // Recorded before sending, so a restarted worker knows its refresh token may be spent.
    const lostBefore = (before.refreshSentAt ?? null) !== null;
    await this.#writeIfSameEpoch(before.epoch, (current) => ({ ...current, refreshSentAt: this.#host.now() }));
    const { outcome, answered } = await this.#requestRefresh(endpoint, before);
    this.#refreshing = false;
    return this.#applyOutcome(lostBefore ? explainLostResponse(outcome) : outcome, before, answered);
  }

  async #requestRefresh(
    endpoint: NonNullable<ResolvedConfig['refresh']>,
    record: VaultRecord,
  ): Promise<{ outcome: RefreshOutcome; answered: boolean }> {
    const signal = this.#host.timeout(endpoint.timeoutMs);
    const tokens = record.tokens as TokenSet;
    let response: Response;
    try {
      response = await this.#toServer(
        {
          method: 'POST',
          url: endpoint.url,
          build: (headers) => withHeaders(buildRefreshRequest(endpoint, this.#host.config.clientId, tokens, signal), headers),
          replayable: true,
        },
        record.key,
      );
    } catch (cause) {
      // A DPoP proof that could not be made means the request was never sent: nothing was rotated.
      return { outcome: classifyRefreshFailure(cause, signal.aborted), answered: cause instanceof AuthProxyError };
    }
    return {
      outcome: await classifyRefreshResponse(response, this.#host.now(), this.#host.config.tokenResponse, this.#tokenType()),
      answered: true,
    };
  }

  async #applyOutcome(outcome: RefreshOutcome, before: VaultRecord, answered: boolean): Promise<RefreshResult> {
    const previous = before.tokens as TokenSet;
    if (outcome.kind === 'success') {
      const tokens = mergeRotatedTokens(previous, outcome.tokens);
      const stored = await this.#writeIfSameEpoch(before.epoch, (current) => ({ ...current, tokens, refreshSentAt: null }));
      if (!stored) return this.#sessionChanged();
      const wasUnavailable = this.#failure?.unavailable ?? false;
      this.#failure = null;
      this.#unproven = tokens.accessToken;
      this.#host.log?.(`refresh: succeeded${tokens.refreshToken === previous.refreshToken ? '' : ', refresh token rotated'}`);
      this.#publish({ type: 'refreshed' }, ...(wasUnavailable ? [{ type: 'online' } as const] : []));
      return { ok: true, tokens };
    }
    const { error } = outcome;
    this.#host.log?.(`refresh failed: ${error.code}: ${error.message}`);
    if (outcome.kind === 'rejected') {
      if (!(await this.#writeIfSameEpoch(before.epoch, endSession('expired')))) return this.#sessionChanged();
      this.#failure = { error, unavailable: false, attempt: 0, retryAt: 0, neededRetryAt: 0, at: this.#host.now() };
      this.#resetBreaker();
      this.#publish({ type: 'refresh-failed', kind: 'rejected', error: error.toJSON() }, { type: 'expired', error: error.toJSON() });
      return { ok: false, error };
    }
    // An answer that is not a success means nothing was rotated; without an answer, nobody knows.
    if (answered) await this.#writeIfSameEpoch(before.epoch, (current) => ({ ...current, refreshSentAt: null }));
    // A failure from before a logout/login says nothing about the session we have now.
    if ((await this.#host.vault.read()).epoch !== before.epoch) return this.#sessionChanged();
    const wasUnavailable = this.#failure?.unavailable ?? false;
    const unavailable = outcome.kind === 'unavailable';
    const attempt = (this.#failure?.attempt ?? -1) + 1;
    const policy = this.#host.backoff ?? DEFAULT_BACKOFF;
    const retryAfterMs = unavailable ? outcome.retryAfterMs : null;
    const delay = backoffDelay(attempt, policy, this.#host.random, retryAfterMs);
    const at = this.#host.now();
    const neededRetryAt = at + Math.max(retryAfterMs ?? 0, Math.min(delay, policy.baseMs));
    this.#failure = { error, unavailable, attempt, retryAt: at + delay, neededRetryAt, at };
    const failed: SessionEvent = { type: 'refresh-failed', kind: unavailable ? 'network' : 'config', error: error.toJSON() };
    this.#publish(failed, ...(unavailable && !wasUnavailable ? [{ type: 'offline', error: error.toJSON() } as const] : []));
    return { ok: false, error };
  }

  /**
   * Sends a login or code-exchange request and captures its token response (below). Under DPoP
   * it carries a proof from a new key pair, which becomes the new session's ([RFC 9449 §5](https://www.rfc-editor.org/rfc/rfc9449#section-5)).
   */
  async capture(outgoing: OutgoingRequest, mapping: TokenMapping = this.#host.config.tokenResponse): Promise<CaptureResult> {
    const { dpop } = this.#host;
    const key = dpop === undefined ? null : await dpop.newKey();
    return this.captureTokenResponse(await this.#toServer(outgoing, key), mapping, key);
  }

  /**
   * Stores the tokens of a captured token response (a login or code exchange;
   * [RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1) or where `mapping` says)
   * as a new session, with the DPoP `key` its request was sent with, and returns the page's copy
   * without the refresh token. Other responses pass.
   */
  async captureTokenResponse(
    response: Response,
    mapping: TokenMapping = this.#host.config.tokenResponse,
    key: KeyPair | null = null,
  ): Promise<CaptureResult> {
    const body = response.ok ? await readJsonObject(response) : null;
    if (body === null || !looksLikeTokenResponse(body, mapping)) return { response, captured: false };
    const visible = withoutRefreshToken(response, body, mapping);
    const error = await this.#storeCaptured(body, mapping, response.headers.get('date'), key);
    return error === null ? { response: visible, captured: true } : { response: visible, captured: false, error };
  }

  /**
   * Stores tokens captured outside a response — from a callback URL — as a new session.
   * Resolves to the reason when they are unusable (the session is then left as it was).
   */
  captureTokens(body: Record<string, unknown>, mapping: TokenMapping): Promise<AuthProxyError | null> {
    return this.#storeCaptured(body, mapping, null, null);
  }

  /** Parses and stores captured tokens as a new session; the parse error when they are unusable. */
  async #storeCaptured(
    body: unknown,
    mapping: TokenMapping,
    dateHeader: string | null,
    key: KeyPair | null,
  ): Promise<AuthProxyError | null> {
    let tokens: TokenSet;
    try {
      // Tokens requested without our proof (a callback URL's) are not bound to our key.
      if (this.#host.dpop !== undefined && key === null)
        throw new TokenResponseError(
          'invalid_token_response',
          'tokens captured without a DPoP proof (from a callback URL) are not bound to the key (RFC 9449): capture a code exchange instead',
        );
      tokens = parseTokenResponse(body, this.#host.now(), dateHeader, { mapping, tokenType: this.#tokenType() });
    } catch (error) {
      if (!(error instanceof AuthProxyError)) throw error;
      this.#host.log?.(`captured response rejected: ${error.message}`);
      this.#failure = { error, unavailable: false, attempt: 0, retryAt: 0, neededRetryAt: 0, at: this.#host.now() };
      this.#publish({ type: 'refresh-failed', kind: 'config', error: error.toJSON() });
      return error;
    }
    this.#record = await this.#host.vault.update((current) => ({ epoch: current.epoch + 1, tokens, ended: null, key }));
    this.#failure = null;
    this.#resetBreaker();
    this.#host.log?.('capture: token response stored; the page gets it without the refresh token');
    this.#publish({ type: 'session-created' });
    return null;
  }

  /** Ends the session here first, then revokes at the server; revocation failures never block logout. */
  async logout(): Promise<SessionState> {
    const { tokens, key } = await this.#current();
    this.#record = await this.#host.vault.update(endSession(null));
    this.#failure = null;
    this.#resetBreaker();
    this.#host.log?.(`logout: session ended${tokens !== null && this.#host.config.logout !== null ? '; revoking at the server' : ''}`);
    this.#publish({ type: 'logged-out' });
    if (tokens !== null && this.#host.config.logout !== null) await this.#revoke(this.#host.config.logout, tokens, key);
    return this.state();
  }

  async #revoke(logout: NonNullable<ResolvedConfig['logout']>, tokens: TokenSet, key: KeyPair | null | undefined): Promise<void> {
    const { config } = this.#host;
    const signal = this.#host.timeout(config.refresh?.timeoutMs ?? 10_000);
    try {
      const response = await this.#toServer(
        {
          method: 'POST',
          url: logout.url,
          build: (headers) => withHeaders(buildRevocationRequest(logout, config.refresh, config.clientId, tokens, signal), headers),
          replayable: true,
        },
        key,
        // The JSON body names the session with its access token, which under DPoP needs a proof (RFC 9449 §7.1).
        config.refresh?.format === 'form' ? undefined : tokens.accessToken,
      );
      await response.body?.cancel();
      if (!response.ok) this.#host.log?.(`revocation answered ${response.status}; logged out locally anyway`);
    } catch {
      this.#host.log?.('revocation failed (network); logged out locally anyway');
    }
  }

  /** A request to the token or revocation endpoint: under DPoP, with a proof from `key`. */
  #toServer(outgoing: OutgoingRequest, key: KeyPair | null | undefined, accessToken?: string): Promise<Response> {
    const { dpop, fetch } = this.#host;
    return dpop === undefined ? fetch(outgoing.build({})) : dpop.send(outgoing, key, fetch, accessToken);
  }

  #tokenType(): TokenType {
    return this.#host.dpop === undefined ? 'Bearer' : 'DPoP';
  }

  async #current(): Promise<VaultRecord> {
    this.#record ??= await this.#host.vault.read();
    return this.#record;
  }

  /** Writes only if no login/logout/expiry happened since `epoch` was read (stale writes, docs/ARCHITECTURE.md). */
  async #writeIfSameEpoch(epoch: number, change: (current: VaultRecord) => VaultRecord): Promise<boolean> {
    let applied = false;
    this.#record = await this.#host.vault.update((current) => {
      if (current.epoch !== epoch) return current;
      applied = true;
      return change(current);
    });
    return applied;
  }

  #sessionChanged(): RefreshResult {
    return {
      ok: false,
      error: new RefreshError('session_changed', 'the session was logged out or replaced while refreshing; the result was discarded'),
    };
  }

  #isDue(tokens: TokenSet): boolean {
    return isDueForRefresh(tokens.expiresAt, this.#host.now(), this.#host.config.refreshAheadMs);
  }

  /**
   * True when no refresh should start now (backoff after a failure) and none is running to
   * join: a refresh already in flight — e.g. the page's `online` nudge — is always worth waiting for.
   * Backoff spares the endpoint refreshes that can wait (a token that is still valid). A request
   * whose token is expired or was just rejected (`needed`) would otherwise reach the app as a
   * 401, and after a long outage the backoff outgrows the token's lifetime: such a request tries
   * while the endpoint is only unavailable, without waiting out more of the backoff than its base
   * (1 s), nor less than the server's `Retry-After`: once the backoff has grown past a token's
   * lifetime an endpoint that fails fast still gets about one attempt a second, not one per
   * request (single flight alone would let the traffic set the rate).
   */
  #holdsOff(needed = false): boolean {
    if (this.#inFlight !== null || !this.#inBackoff()) return false;
    const failure = this.#failure as Failure;
    return !(needed && failure.unavailable && this.#host.now() >= failure.neededRetryAt);
  }

  #isExpired(tokens: TokenSet): boolean {
    return tokens.expiresAt !== null && tokens.expiresAt <= this.#host.now();
  }

  #inBackoff(): boolean {
    return this.#failure !== null && this.#host.now() < this.#failure.retryAt;
  }

  #breakerOpen(): boolean {
    const since = this.#host.now() - BREAKER.windowMs;
    this.#futileRefreshes = this.#futileRefreshes.filter((at) => at > since);
    return this.#futileRefreshes.length >= BREAKER.limit;
  }

  /** A new or ended session starts with a closed breaker. */
  #resetBreaker(): void {
    this.#futileRefreshes = [];
    this.#unproven = null;
  }

  #startRefreshing(record: VaultRecord): void {
    this.#refreshing = true;
    this.#send(this.#message(record, { type: 'refreshing' }));
  }

  #derive(record: VaultRecord): SessionState {
    const error: SerializedAuthProxyError | null = this.#failure?.error.toJSON() ?? null;
    return deriveState(record, { refreshing: this.#refreshing, unavailable: this.#failure?.unavailable ?? false, error });
  }

  #message(record: VaultRecord, event: SessionEvent): StateMessage {
    this.#revision = Math.max(this.#revision + 1, this.#host.now());
    return { type: STATE_MESSAGE, revision: this.#revision, state: this.#derive(record), event, tokens: record.tokens?.receivedAt ?? null };
  }

  #publish(...events: SessionEvent[]): void {
    const record = this.#record;
    if (record !== null) for (const event of events) this.#send(this.#message(record, event));
  }

  #send(message: StateMessage): void {
    this.#lastPublished = message;
    this.#host.publish(message);
  }
}

function endSession(ended: VaultRecord['ended']): (current: VaultRecord) => VaultRecord {
  return (current) => ({ epoch: current.epoch + 1, tokens: null, ended });
}
