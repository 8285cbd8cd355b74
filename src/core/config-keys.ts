import { ConfigError } from './errors.js';

/**
 * The known option names, as a tree: `true` is a leaf; an object lists the keys it allows; a
 * one-element array means "an array whose object entries have this shape". A key that is not
 * here is a mistake (a typo or an option of another library), so it is an error, never ignored.
 */
export type KeyShape = true | { readonly [key: string]: KeyShape } | readonly [KeyShape];

/** Fails on the first key of `value` that `shape` does not know, naming it and the closest known option. */
export function checkKeys(value: unknown, shape: KeyShape, path: string, root: { shape: KeyShape; path: string } = { shape, path }): void {
  if (shape === true || typeof value !== 'object' || value === null) return;
  if (Array.isArray(shape)) {
    if (Array.isArray(value)) {
      for (const [index, entry] of value.entries()) checkKeys(entry, shape[0] as KeyShape, `${path}[${index}]`, root);
    }
    return;
  }
  if (Array.isArray(value)) return;
  const known = shape as { readonly [key: string]: KeyShape };
  for (const key of Object.keys(value)) {
    const next = known[key];
    if (!Object.hasOwn(known, key) || next === undefined) {
      const guess = closest(`${path}.${key}`, paths(root.shape, root.path));
      const hint = guess === null ? '' : `; did you mean ${guess}?`;
      throw new ConfigError('invalid_config', `${path}.${key} is not an option${hint}`);
    }
    checkKeys((value as Record<string, unknown>)[key], next, `${path}.${key}`, root);
  }
}

/** Every option path under `shape` (`config.refresh.url`, …). */
function paths(shape: KeyShape, prefix: string): string[] {
  if (shape === true) return [prefix];
  if (Array.isArray(shape)) return paths(shape[0] as KeyShape, prefix);
  return Object.entries(shape).flatMap(([key, inner]) => [`${prefix}.${key}`, ...paths(inner, `${prefix}.${key}`)]);
}

/**
 * The known path nearest to `wrong`, compared without case or dots (`refreshUrl` → `refresh.url`),
 * or by its last name alone (a known key at the wrong depth), if near enough.
 */
function closest(wrong: string, candidates: string[]): string | null {
  const flat = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, '');
  const leaf = (text: string): string => flat(text.slice(text.lastIndexOf('.') + 1));
  const target = flat(wrong);
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(target.length / 4)) + 1;
  for (const candidate of candidates) {
    const distance = Math.min(editDistance(target, flat(candidate)), editDistance(leaf(wrong), leaf(candidate)) + 1);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length] as number;
}
