/** One challenge of a `WWW-Authenticate` header ([RFC 9110 §11.6.1](https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1)). */
export interface Challenge {
  /** Lower-cased: schemes are case insensitive ([RFC 9110 §11.1](https://www.rfc-editor.org/rfc/rfc9110#section-11.1)). */
  scheme: string;
  /** Parameter names lower-cased; quoted-string values unescaped. */
  params: Record<string, string>;
  token68: string | null;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;
const MAX_HEADER_LENGTH = 8192;

/**
 * Parses a `WWW-Authenticate` header into its challenges. Tolerant: anything it cannot
 * read ends the parse and what was read so far is returned.
 */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  // Real challenges are short; a hostile megabyte header must not cost quadratic time.
  let rest = header.slice(0, MAX_HEADER_LENGTH);
  let current: Challenge | null = null;
  for (;;) {
    rest = rest.replace(/^[\s,]+/, '');
    const name = TOKEN.exec(rest)?.[0];
    if (name === undefined) break;
    const afterName = rest.slice(name.length).replace(/^\s*/, '');
    if (current !== null && afterName.startsWith('=') && !/^=+\s*(,|$)/.test(afterName)) {
      // auth-param: name = ( token / quoted-string )
      const value = readParamValue(afterName.slice(1).replace(/^\s*/, ''));
      if (value === null) break;
      current.params[name.toLowerCase()] = value.value;
      rest = value.rest;
      continue;
    }
    current = { scheme: name.toLowerCase(), params: {}, token68: null };
    challenges.push(current);
    rest = rest.slice(name.length);
    const token68 = /^ +/.test(rest) ? TOKEN68.exec(rest.trimStart())?.[0] : undefined;
    if (token68 !== undefined && /^\s*(,|$)/.test(rest.trimStart().slice(token68.length))) {
      current.token68 = token68;
      rest = rest.trimStart().slice(token68.length);
    }
  }
  return challenges;
}

function readParamValue(input: string): { value: string; rest: string } | null {
  if (!input.startsWith('"')) {
    const token = TOKEN.exec(input)?.[0];
    return token === undefined ? null : { value: token, rest: input.slice(token.length) };
  }
  let value = '';
  for (let i = 1; i < input.length; i++) {
    const char = input[i];
    if (char === '\\') value += input[++i] ?? '';
    else if (char === '"') return { value, rest: input.slice(i + 1) };
    else value += char;
  }
  return null;
}

/** The challenge of `scheme` (lower case) in a response, if it has one. */
export function challengeFor(response: Response, scheme: string): Challenge | null {
  const header = response.headers.get('www-authenticate');
  if (header === null) return null;
  return parseWwwAuthenticate(header).find((challenge) => challenge.scheme === scheme) ?? null;
}

/**
 * True when a 401 means "this access token is no good; a fresh one may work":
 * [RFC 6750 §3.1](https://www.rfc-editor.org/rfc/rfc6750#section-3.1) `error="invalid_token"`, or a challenge with no error code (§3:
 * the request lacked valid credentials). A 401 with no `WWW-Authenticate` at all is
 * treated the same, because many APIs omit it. Other errors — e.g. RFC 9470
 * `insufficient_user_authentication` (step-up) — and challenges of other schemes are not.
 * `scheme` is the one the token was sent with: `dpop` for a DPoP-bound token ([RFC 9449 §7.1](https://www.rfc-editor.org/rfc/rfc9449#section-7.1)).
 */
export function isInvalidTokenChallenge(response: Response, scheme = 'bearer'): boolean {
  if (response.status !== 401) return false;
  if (!response.headers.has('www-authenticate')) return true;
  const params = challengeFor(response, scheme)?.params;
  return params !== undefined && (params.error === undefined || params.error === 'invalid_token');
}
