import { TokenResponseError } from './errors.js';
import { computeExpiresAt, estimateClockOffset } from './expiry.js';
import { decodeClaims, type Claims } from './jwt.js';

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

/**
 * Parses an [RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1) successful token response. Lenient where real servers differ
 * harmlessly (a missing `token_type` is taken as Bearer, a numeric-string `expires_in` is
 * accepted); strict where the value would be unusable. Errors never echo token values.
 */
export function parseTokenResponse(body: unknown, receivedAt: number, dateHeader: string | null): TokenSet {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TokenResponseError('invalid_token_response', 'token response is not a JSON object');
  }
  const json = body as Record<string, unknown>;
  const accessToken = json.access_token;
  if (typeof accessToken !== 'string' || accessToken.trim() === '') {
    throw new TokenResponseError('invalid_token_response', 'token response has no access_token string');
  }
  if (/[\s"\\]/.test(accessToken)) {
    throw new TokenResponseError(
      'invalid_token_response',
      'access_token contains whitespace, quotes or backslashes (RFC 6750 §2.1 b64token)',
    );
  }
  checkTokenType(json.token_type);
  const refreshToken = optionalString(json, 'refresh_token');
  const idToken = optionalString(json, 'id_token');
  const expiresIn = parseExpiresIn(json.expires_in);
  const accessClaims = decodeClaims(accessToken);
  const clockOffset = estimateClockOffset(dateHeader, accessClaims, receivedAt);
  return {
    accessToken,
    refreshToken,
    expiresAt: computeExpiresAt(expiresIn, accessClaims, receivedAt, clockOffset),
    scope: optionalString(json, 'scope'),
    idToken,
    claims: (idToken === null ? null : decodeClaims(idToken)) ?? accessClaims,
    clockOffset,
    receivedAt,
  };
}

/**
 * True when a parsed JSON body is meant to be a token response, well-formed or not. Any
 * token member counts, so a broken response that carries only a refresh_token is still
 * stripped before the page sees it.
 */
export function looksLikeTokenResponse(body: unknown): boolean {
  return typeof body === 'object' && body !== null && TOKEN_MEMBERS.some((member) => member in body);
}

const TOKEN_MEMBERS = ['access_token', 'refresh_token', 'id_token', 'token_type'];

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

function checkTokenType(tokenType: unknown): void {
  if (tokenType === undefined) return;
  // [RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1): token_type is case insensitive.
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw new TokenResponseError(
      'invalid_token_response',
      `token_type ${JSON.stringify(String(tokenType)).slice(0, 40)} is not supported (only Bearer, RFC 6750)`,
    );
  }
}

function parseExpiresIn(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const seconds = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new TokenResponseError('invalid_token_response', 'expires_in is not a non-negative number of seconds');
  }
  return seconds;
}

function optionalString(json: Record<string, unknown>, key: string): string | null {
  const value = json[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value === '') throw new TokenResponseError('invalid_token_response', `${key} is not a non-empty string`);
  return value;
}
