import { matchesPrefix } from './prefix.js';
import { isInvalidTokenChallenge } from './www-authenticate.js';

/** Where the pipeline gets tokens; the AuthEngine in practice. */
export interface TokenSource {
  tokenForRequest(): Promise<string | null>;
  /** `sentAt`: when the rejected request was sent (so a refresh that failed since is not retried for it). */
  tokenAfterRejection(rejected: string, sentAt?: number): Promise<string | null>;
  /** When the token last handed out expires (local ms), for the debug log. */
  expiresAt?(): number | null;
  /** The API accepted (`true`) or rejected as invalid (`false`) a request sent with `token`. */
  tokenVerdict(token: string, accepted: boolean): void;
}

/**
 * A request the proxy may have to send twice (a replay, a DPoP nonce retry): `build` makes a
 * fresh copy with extra headers (the credential) and may be called again only when `replayable`.
 */
export interface OutgoingRequest {
  method: string;
  url: string;
  build: (headers: Record<string, string>) => Request;
  replayable: boolean;
}

/** How a token goes on a request, and which `WWW-Authenticate` scheme answers for it (lower case). */
export interface TokenPresenter {
  scheme: string;
  send(outgoing: OutgoingRequest, token: string): Promise<Response>;
}

/** [RFC 6750 §2.1](https://www.rfc-editor.org/rfc/rfc6750#section-2.1): the token goes in the Authorization header, never the URL. */
function bearer(fetch: (request: Request) => Promise<Response>): TokenPresenter {
  return { scheme: 'bearer', send: (outgoing, token) => fetch(outgoing.build({ Authorization: `Bearer ${token}` })) };
}

/** What the pipeline sends with: tokens, the network, and how much body it may buffer for a replay. */
export interface Pipeline {
  tokens: TokenSource;
  fetch: (request: Request) => Promise<Response>;
  replayBodyLimit: number;
  /** Default: Bearer. Under DPoP every send carries a fresh proof. */
  presenter?: TokenPresenter;
  /** The debug log: one line per decision, never a token. */
  log?: ((message: string) => void) | undefined;
  now?: () => number;
  /** The API prefixes: a response redirected outside them says nothing about the token. */
  api: readonly string[];
}

/** A body too large (or unreadable) to keep for a replay: the request is sent once, as is. */
const NOT_REPLAYABLE = Symbol('not replayable');
type BufferedBody = ArrayBuffer | null | typeof NOT_REPLAYABLE;

/**
 * inject → send → on a 401 that blames the token, get a fresh one (shared refresh) →
 * replay once. Never more than one replay per request, so no loop is possible.
 */
export async function sendWithToken(request: Request, pipeline: Pipeline): Promise<Response> {
  const { tokens, fetch } = pipeline;
  const log = (message: string): void => pipeline.log?.(`${request.method} ${new URL(request.url).pathname}: ${message}`);
  // Buffer before the first send: once sent, a streamed body is gone.
  const body = await bufferBody(request, pipeline.replayBodyLimit);
  const sentAt = pipeline.now?.() ?? Number.NEGATIVE_INFINITY;
  const token = await tokens.tokenForRequest();
  if (token === null) {
    log('no session, sent without a token');
    return fetch(request);
  }
  if (pipeline.log !== undefined) log(`token added${expiresIn(pipeline)}`);
  const presenter = pipeline.presenter ?? bearer(fetch);
  const outgoing = toOutgoing(request, body);
  const response = await presenter.send(outgoing, token);
  if (!fromApi(response, pipeline.api)) {
    log(`redirected to ${new URL(response.url).origin}, outside the api prefixes: passed to the page as it is`);
    return response;
  }
  if (!isInvalidTokenChallenge(response, presenter.scheme)) return report(tokens, token, response, presenter.scheme);
  // Refresh even when the body cannot be replayed, so the app's own retry succeeds.
  const fresh = await tokens.tokenAfterRejection(token, sentAt);
  if (fresh === null || fresh === token) {
    log('401 invalid_token → no fresh token; the 401 goes to the page');
    return response;
  }
  if (body === NOT_REPLAYABLE) {
    log(`401 invalid_token → refreshed; body over replayBodyLimit, not replayed`);
    return response;
  }
  await response.body?.cancel();
  log('401 invalid_token → refreshed → replayed');
  const replayed = await presenter.send(outgoing, fresh);
  return fromApi(replayed, pipeline.api) ? report(tokens, fresh, replayed, presenter.scheme) : replayed;
}

/**
 * False for a response the browser fetched, after a redirect, from outside the API prefixes:
 * the browser removes Authorization on a redirect to another origin, and a resource outside
 * the prefixes is not the API, so its 401 is no reason to refresh or replay.
 */
function fromApi(response: Response, api: readonly string[]): boolean {
  return !response.redirected || matchesPrefix(response.url, api);
}

/**
 * Tells the token source what the API made of `token` (the circuit breaker counts refreshed
 * tokens rejected before they were ever accepted): rejected on an invalid-token challenge,
 * accepted on any other status below 500 but 401 (a 403 is a valid token without the right).
 * A 5xx or a step-up 401 says nothing about the token.
 */
function report(tokens: TokenSource, token: string, response: Response, scheme: string): Response {
  if (isInvalidTokenChallenge(response, scheme)) tokens.tokenVerdict(token, false);
  else if (response.status < 500 && response.status !== 401) tokens.tokenVerdict(token, true);
  return response;
}

function expiresIn({ tokens, now }: Pipeline): string {
  const at = tokens.expiresAt?.() ?? null;
  return at === null || now === undefined ? '' : ` (expires in ${Math.round((at - now()) / 1000)} s)`;
}

/** `request` buffered for sending more than once, when its body fits in `limit` bytes. */
export async function replayable(request: Request, limit: number): Promise<OutgoingRequest> {
  return toOutgoing(request, await bufferBody(request, limit));
}

function toOutgoing(request: Request, body: BufferedBody): OutgoingRequest {
  return {
    method: request.method,
    url: request.url,
    build: (headers) => rebuild(request, body, headers),
    replayable: body !== NOT_REPLAYABLE,
  };
}

/** `request` with `headers` set (itself when there are none), for a request the proxy built (its body is not a stream). */
export function withHeaders(request: Request, headers: Record<string, string>): Request {
  return Object.keys(headers).length === 0 ? request : rebuild(request, null, headers);
}

function rebuild(request: Request, body: BufferedBody, extra: Record<string, string>): Request {
  const headers = new Headers(request.headers);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  // A no-cors request's headers only take CORS-safelisted names: media (same-origin only)
  // goes out as same-origin, which keeps Authorization (and DPoP) and gives the same response.
  const init: RequestInit = request.mode === 'no-cors' ? { headers, mode: 'same-origin' } : { headers };
  if (body === NOT_REPLAYABLE) {
    // The original stream goes out once; `duplex` is required to forward a stream body.
    return new Request(request, { ...init, duplex: 'half' } as RequestInit);
  }
  return new Request(request, body === null ? init : { ...init, body });
}

/** The request body as bytes, null when it has none, or NOT_REPLAYABLE past `limit`. */
async function bufferBody(request: Request, limit: number): Promise<BufferedBody> {
  if (request.method === 'GET' || request.method === 'HEAD') return null;
  const copy = request.clone();
  // Firefox has no Request.prototype.body: the body is only readable whole.
  if (copy.body === undefined) return bufferWhole(copy, limit);
  if (copy.body === null) return null;
  const reader = copy.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        // Not awaited: a tee's cancel settles only when the other branch (the original
        // request, not yet sent) is done too.
        reader.cancel().catch(() => undefined);
        return NOT_REPLAYABLE;
      }
      chunks.push(value);
    }
  } catch {
    return NOT_REPLAYABLE;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes.buffer;
}

/** Engines without request streams (Firefox) hold the whole body already; keep the same limit. */
async function bufferWhole(copy: Request, limit: number): Promise<BufferedBody> {
  try {
    const bytes = await copy.arrayBuffer();
    if (bytes.byteLength === 0) return null;
    return bytes.byteLength > limit ? NOT_REPLAYABLE : bytes;
  } catch {
    return NOT_REPLAYABLE;
  }
}
