/**
 * The whole page ↔ worker wire vocabulary: every message name, message shape and type guard
 * that crosses a BroadcastChannel, a control port or the baked-config global. Both sides import
 * it from here, so a rename cannot leave one side speaking an old word.
 */
import type { SerializedAuthProxyError } from './errors.js';
import type { SessionEvent, SessionState } from './session-state.js';

/** The BroadcastChannel every tab and the worker share. */
export const CHANNEL_NAME = 'sw-auth-proxy';
/** Posted on the channel to every tab after every change. */
export const STATE_MESSAGE = 'sw-auth-proxy:state';
/** What a page posts to the worker, with a MessagePort, to open a comlink connection. */
export const CONNECT_MESSAGE = 'sw-auth-proxy:connect';
/** What a page posts, with a MessagePort, while a call is pending: does this worker know the call? */
export const PROBE_MESSAGE = 'sw-auth-proxy:probe';
/** What a page posts when it is not controlled (after a hard reload): asks the worker to claim it. */
export const CLAIM_MESSAGE = 'sw-auth-proxy:claim';
/**
 * A GET the worker answers itself, at this path under its scope, with {@link INTERCEPTION_HEADER}:
 * a page that is controlled yet whose requests bypass the worker gets the server's answer instead.
 */
export const INTERCEPTION_PROBE_PATH = 'sw-auth-proxy-probe';
/** The header on the worker's own answer to the interception probe. */
export const INTERCEPTION_HEADER = 'x-sw-auth-proxy';
/** The global a baked worker's first line sets to its config (the Vite plugin writes it). */
export const BAKED_CONFIG_GLOBAL = '__SW_AUTH_PROXY_CONFIG__';

/** Posted on the BroadcastChannel to every tab. `revision` orders snapshots. */
export interface StateMessage {
  type: typeof STATE_MESSAGE;
  revision: number;
  state: SessionState;
  event: SessionEvent;
  /** Which token set the state describes (its receipt time), or null: lets a forced refresh tell whether one happened since. */
  tokens: number | null;
}

export interface ConnectMessage {
  type: typeof CONNECT_MESSAGE;
  /** The call's id, the same on every delivery of one call. */
  id?: string;
}

export interface ProbeMessage {
  type: typeof PROBE_MESSAGE;
  id: string;
}

/** The worker's answer to a probe: false from a worker instance that never received the call. */
export interface ProbeReply {
  known: boolean;
}

export interface ClaimMessage {
  type: typeof CLAIM_MESSAGE;
}

/** A login body: JSON by default; `form` sends application/x-www-form-urlencoded (OAuth password grant). */
export type LoginBody = { json: unknown } | { form: string };

/** Header values that authorize one request the worker does not send (`auth.authorize`). */
export interface AuthorizationHeaders {
  /** `Bearer <token>`, or `DPoP <token>` under DPoP. */
  authorization: string;
  /** The `DPoP` proof for that method and URL ([RFC 9449 §4](https://www.rfc-editor.org/rfc/rfc9449#section-4)), or null without DPoP. */
  dpop: string | null;
}

/** Every control call answers with the state after it, and an error if it failed. */
export interface ControlResult extends StateMessage {
  error: SerializedAuthProxyError | null;
  token?: string;
  headers?: AuthorizationHeaders;
  /** True when the worker binds its tokens to a DPoP key (`config.dpop`). */
  dpop?: boolean;
}

/** The surface the worker exposes to pages over comlink. Plain data in and out. */
export interface ControlApi {
  snapshot(): Promise<ControlResult>;
  login(body: LoginBody): Promise<ControlResult>;
  logout(): Promise<ControlResult>;
  /**
   * A forced refresh. `seen`: the `tokens` of the last state the caller heard; when the stored
   * tokens already differ from them, a refresh has happened since, and none is sent.
   */
  refresh(seen?: { tokens: number | null }): Promise<ControlResult>;
  accessToken(): Promise<ControlResult>;
  authorize(method: string, url: string): Promise<ControlResult>;
}

function hasType(data: unknown, type: string): boolean {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === type;
}

export function isStateMessage(data: unknown): data is StateMessage {
  return hasType(data, STATE_MESSAGE);
}

export function isConnectMessage(data: unknown): data is ConnectMessage {
  return hasType(data, CONNECT_MESSAGE);
}

export function isProbeMessage(data: unknown): data is ProbeMessage {
  return hasType(data, PROBE_MESSAGE) && typeof (data as { id?: unknown }).id === 'string';
}

export function isClaimMessage(data: unknown): data is ClaimMessage {
  return hasType(data, CLAIM_MESSAGE);
}
