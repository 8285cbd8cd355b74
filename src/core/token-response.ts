import { TokenResponseError } from './errors.js';
import { computeExpiresAt, estimateClockOffset } from './expiry.js';
import { decodeClaims, type Claims } from './jwt.js';
import { parentOf, readPath, RFC6749_MAPPING, type TokenMapping, type TokenMember } from './token-mapping.js';

/** The `token_type` a client expects: `DPoP` when its token requests carry proofs ([RFC 9449 §5](https://www.rfc-editor.org/rfc/rfc9449#section-5)). */
export type TokenType = 'Bearer' | 'DPoP';

/** What the worker keeps of a token response. Never leaves the worker whole. */
export interface TokenSet {
  accessToken: string;
  /** Null with the `cookie` format, or when the server issued none. */
  refreshToken: string | null;
  /** Local ms timestamp, or null when neither `expires_in` nor a JWT `exp` says. */
  expiresAt: number | null;
  scope: string | null;
  idToken: string | null;
  /** Claims shown to the app: the ID token's if there is one, else the access token's (JWT only). */
  claims: Claims | null;
  /** Server clock minus local clock at receipt, ms. */
  clockOffset: number;
  /** Local ms timestamp of receipt: tells one token set from the next (absent in records stored by older versions). */
  receivedAt?: number;
}

/** How to read one token response: where its members are, and whether it answers a refresh. */
export interface ParseOptions {
  /** Default: RFC 6749 §5.1 member names. */
  mapping?: TokenMapping;
  /** A refresh response may leave out the refresh and ID tokens even when the mapping names them. */
  refresh?: boolean;
  /** The `token_type` expected. Default: Bearer. */
  tokenType?: TokenType;
}

/**
 * Parses a successful token response: [RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1) by default, or wherever `mapping` says the
 * members are. Lenient where real servers differ harmlessly (a missing `token_type` is taken as
 * Bearer, numeric strings are accepted as numbers, as a callback URL carries them); strict where
 * the value would be unusable, and where a member the mapping names is missing. Errors name the
 * member's path, never a token value. `tokenType` is what the client asked for: `DPoP` when its
 * request carried a proof.
 */
export function parseTokenResponse(body: unknown, receivedAt: number, dateHeader: string | null, options: ParseOptions = {}): TokenSet {
  const mapping = options.mapping ?? RFC6749_MAPPING;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TokenResponseError('invalid_token_response', 'token response is not a JSON object');
  }
  const accessToken = readPath(body, mapping.accessToken);
  if (!accessToken.found || typeof accessToken.value !== 'string' || accessToken.value.trim() === '') {
    throw new TokenResponseError('invalid_token_response', `token response has no ${mapping.accessToken} string`);
  }
  if (/[\s"\\]/.test(accessToken.value)) {
    throw new TokenResponseError(
      'invalid_token_response',
      `${mapping.accessToken} contains whitespace, quotes or backslashes (RFC 6750 §2.1 b64token)`,
    );
  }
  // token_type and scope sit beside the access token, wherever the mapping puts it.
  const envelope = parentOf(body, mapping.accessToken) ?? {};
  checkTokenType(envelope.token_type, options.tokenType ?? 'Bearer');
  const member = (name: TokenMember): unknown => {
    const path = mapping[name];
    if (path === null) return undefined;
    const found = readPath(body, path);
    if (found.found) return found.value;
    const optional = options.refresh === true && (name === 'refreshToken' || name === 'idToken');
    if (mapping.named.includes(name) && !optional)
      throw new TokenResponseError('invalid_token_response', `token response has no ${path} (named by the tokenResponse config)`);
    return undefined;
  };
  const refreshToken = optionalString(member('refreshToken'), mapping.refreshToken);
  const idToken = optionalString(member('idToken'), mapping.idToken);
  const expiresIn = parseSeconds(member('expiresIn'), mapping.expiresIn, 'a non-negative number of seconds');
  const expiresAtSeconds = parseSeconds(member('expiresAt'), mapping.expiresAt, 'an epoch time in seconds');
  const accessClaims = decodeClaims(accessToken.value);
  const clockOffset = estimateClockOffset(dateHeader, accessClaims, receivedAt);
  return {
    accessToken: accessToken.value,
    refreshToken,
    expiresAt: computeExpiresAt(expiresIn, accessClaims, receivedAt, clockOffset, expiresAtSeconds),
    scope: optionalString(envelope.scope, 'scope'),
    idToken,
    claims: (idToken === null ? null : decodeClaims(idToken)) ?? accessClaims,
    clockOffset,
    receivedAt,
  };
}

/**
 * True when a parsed JSON body is meant to be a token response, well-formed or not. Any
 * token member counts, so a broken response that carries only a refresh token is still
 * stripped before the page sees it.
 */
export function looksLikeTokenResponse(body: unknown, mapping: TokenMapping = RFC6749_MAPPING): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const paths = [mapping.accessToken, mapping.refreshToken, mapping.idToken].filter((path) => path !== null);
  return paths.some((path) => readPath(body, path).found) || Object.hasOwn(body, 'token_type');
}

/**
 * [RFC 6749 §6](https://www.rfc-editor.org/rfc/rfc6749#section-6): the server MAY issue a new refresh token; when it does not, the client
 * keeps the one it has. Scope stays the same unless the response says otherwise (§5.1).
 */
export function mergeRotatedTokens(previous: TokenSet, next: TokenSet): TokenSet {
  return {
    ...next,
    refreshToken: next.refreshToken ?? previous.refreshToken,
    scope: next.scope ?? previous.scope,
    idToken: next.idToken ?? previous.idToken,
    claims: next.idToken === null && previous.idToken !== null ? previous.claims : next.claims,
  };
}

function checkTokenType(tokenType: unknown, expected: TokenType): void {
  // [RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1): token_type is case insensitive; a missing one is taken as Bearer. [RFC 9449 §5](https://www.rfc-editor.org/rfc/rfc9449#section-5):
  // under DPoP any other type means the token is not bound to the key, and the response is
  // discarded rather than silently losing the protection DPoP was configured for.
  const type = tokenType === undefined ? 'bearer' : typeof tokenType === 'string' ? tokenType.toLowerCase() : null;
  if (type === expected.toLowerCase()) return;
  const why = expected === 'DPoP' ? 'the token is not bound to the key (RFC 9449 §5)' : 'only Bearer (RFC 6750), or DPoP with config.dpop';
  throw new TokenResponseError(
    'invalid_token_response',
    `token_type ${JSON.stringify(String(tokenType)).slice(0, 40)} is not supported: ${why}`,
  );
}

function parseSeconds(value: unknown, path: string | null, what: string): number | null {
  if (value === undefined || value === null) return null;
  const seconds = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new TokenResponseError('invalid_token_response', `${path} is not ${what}`);
  }
  return seconds;
}

function optionalString(value: unknown, path: string | null): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value === '')
    throw new TokenResponseError('invalid_token_response', `${path} is not a non-empty string`);
  return value;
}
