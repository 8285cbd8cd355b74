/**
 * The RFC 6749 §5.2 `error` code of an error response, or null. Reads a clone, so the
 * response stays readable. §5.2 limits codes to printable ASCII; anything else is ignored.
 */
export async function readOAuthError(response: Response): Promise<string | null> {
  try {
    const body: unknown = await response.clone().json();
    if (
      typeof body === 'object' &&
      body !== null &&
      'error' in body &&
      typeof body.error === 'string' &&
      /^[\x20-\x7e]{1,64}$/.test(body.error)
    ) {
      return body.error;
    }
  } catch {
    // Not JSON: only the status speaks.
  }
  return null;
}
