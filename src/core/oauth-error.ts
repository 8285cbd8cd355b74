import { asObject, readJson } from './json.js';

/**
 * The [RFC 6749 §5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2) `error` code of an error response, or null. Reads a clone, so the
 * response stays readable. §5.2 limits codes to printable ASCII; anything else is ignored.
 */
export async function readOAuthError(response: Response): Promise<string | null> {
  // Not JSON: only the status speaks.
  const error = asObject(await readJson(response))?.error;
  return typeof error === 'string' && /^[\x20-\x7e]{1,64}$/.test(error) ? error : null;
}
