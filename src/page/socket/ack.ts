/** The `ack` option as a predicate over incoming frames; null when the handshake alone counts as accepted. */
export function ackPredicate(ack: boolean | ((data: unknown) => boolean)): ((data: unknown) => boolean) | null {
  if (typeof ack === 'function') return ack;
  return ack ? isJsonAuthenticated : null;
}

/** The default acknowledgement: a JSON text frame `{"type":"authenticated", ...}`. */
function isJsonAuthenticated(data: unknown): boolean {
  if (typeof data !== 'string') return false;
  try {
    return (JSON.parse(data) as { type?: unknown } | null)?.type === 'authenticated';
  } catch {
    return false;
  }
}
