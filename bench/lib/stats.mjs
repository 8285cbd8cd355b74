// @ts-check
/**
 * Small statistics helpers. Quantiles interpolate linearly between order statistics
 * (the "R-7" definition used by numpy and most spreadsheets).
 */

/**
 * @param {readonly number[]} sorted ascending, non-empty
 * @param {number} q 0..1
 * @returns {number}
 */
export function quantileSorted(sorted, q) {
  if (sorted.length === 0) throw new Error('quantile of no values');
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = /** @type {number} */ (sorted[lower]);
  const high = /** @type {number} */ (sorted[upper]);
  return low + (high - low) * (position - lower);
}

/**
 * @param {readonly number[]} values
 * @returns {number[]}
 */
export function sorted(values) {
  return [...values].sort((a, b) => a - b);
}

/**
 * @param {readonly number[]} values non-empty
 * @param {number} q 0..1
 */
export function quantile(values, q) {
  return quantileSorted(sorted(values), q);
}

/** @param {readonly number[]} values non-empty */
export function median(values) {
  return quantile(values, 0.5);
}

/** @param {readonly number[]} values non-empty */
export function mean(values) {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * @typedef {{ n: number, p50: number, p95: number, p99: number, mean: number, min: number, max: number }} Summary
 */

/**
 * @param {readonly number[]} values non-empty
 * @returns {Summary}
 */
export function summarize(values) {
  const s = sorted(values);
  return {
    n: s.length,
    p50: quantileSorted(s, 0.5),
    p95: quantileSorted(s, 0.95),
    p99: quantileSorted(s, 0.99),
    mean: mean(s),
    min: /** @type {number} */ (s[0]),
    max: /** @type {number} */ (s[s.length - 1]),
  };
}

/**
 * The distribution as `points` evenly spaced quantiles (0 %, …, 100 %): enough to draw a CDF.
 * @param {readonly number[]} values non-empty
 * @param {number} [points]
 * @returns {number[]}
 */
export function quantileCurve(values, points = 101) {
  const s = sorted(values);
  return Array.from({ length: points }, (_, i) => quantileSorted(s, i / (points - 1)));
}

/**
 * Rounds for JSON and tables without float noise.
 * @param {number} value
 * @param {number} [digits]
 */
export function round(value, digits = 3) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * The order in which configurations run in round `round`: rotated each round (A B C, B C A,
 * C A B, …) so no configuration always runs first or right after another.
 * @template T
 * @param {readonly T[]} items
 * @param {number} roundIndex
 * @returns {T[]}
 */
export function rotate(items, roundIndex) {
  const shift = roundIndex % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
