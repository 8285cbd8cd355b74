import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, parseRetryAfter } from '../../src/core/backoff.js';
import { T0 } from './helpers.js';

const policy = { baseMs: 1_000, maxMs: 60_000 };
const fixed = (value: number) => (): number => value;
/** Largest double below 1, the top of Math.random()'s range. */
const ALMOST_ONE = 1 - Number.EPSILON / 2;

describe('backoffDelay', () => {
  it('has sensible defaults', () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 1_000, maxMs: 60_000 });
  });

  it('full jitter: the delay lies in [0, base * 2^attempt)', () => {
    for (let attempt = 0; attempt <= 5; attempt++) {
      const ceiling = 1_000 * 2 ** attempt;
      expect(backoffDelay(attempt, policy, fixed(0))).toBe(0);
      expect(backoffDelay(attempt, policy, fixed(0.5))).toBe(ceiling / 2);
      const top = backoffDelay(attempt, policy, fixed(ALMOST_ONE));
      expect(top).toBeLessThan(ceiling);
      expect(top).toBeGreaterThanOrEqual(ceiling - 1);
    }
  });

  it('draws a fresh random number for every delay', () => {
    const values = [0.1, 0.9];
    const random = (): number => values.shift() ?? 0;
    expect(backoffDelay(3, policy, random)).toBe(800);
    expect(backoffDelay(3, policy, random)).toBe(7_200);
  });

  it('caps the ceiling at maxMs', () => {
    expect(backoffDelay(6, policy, fixed(0.5))).toBe(30_000); // 64 s capped at 60 s
    expect(backoffDelay(20, policy, fixed(ALMOST_ONE))).toBeLessThan(60_000);
    expect(backoffDelay(20, policy, fixed(0.5))).toBe(30_000);
  });

  it('does not overflow for huge attempt numbers', () => {
    const delay = backoffDelay(10_000, policy, fixed(0.5));
    expect(Number.isFinite(delay)).toBe(true);
    expect(delay).toBe(30_000);
  });

  it('treats Retry-After as a floor', () => {
    expect(backoffDelay(0, policy, fixed(0), 5_000)).toBe(5_000);
    expect(backoffDelay(5, policy, fixed(0.5), 5_000)).toBe(16_000);
  });

  it('never shortens Retry-After, even past maxMs', () => {
    expect(backoffDelay(10, policy, fixed(ALMOST_ONE), 300_000)).toBe(300_000);
  });

  it('ignores a null Retry-After', () => {
    expect(backoffDelay(1, policy, fixed(0.25), null)).toBe(500);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', T0)).toBe(120_000);
    expect(parseRetryAfter('0', T0)).toBe(0);
    expect(parseRetryAfter(' 7 ', T0)).toBe(7_000);
  });

  it('reads an HTTP-date as the time from now until then', () => {
    expect(parseRetryAfter(new Date(T0 + 30_000).toUTCString(), T0)).toBe(30_000);
    expect(parseRetryAfter('Wed, 15 Jan 2025 12:01:00 GMT', T0)).toBe(60_000);
  });

  it('clamps an HTTP-date in the past to zero', () => {
    expect(parseRetryAfter(new Date(T0 - 30_000).toUTCString(), T0)).toBe(0);
  });

  it('is null when absent or unreadable', () => {
    expect(parseRetryAfter(null, T0)).toBeNull();
    expect(parseRetryAfter('soon', T0)).toBeNull();
    expect(parseRetryAfter('', T0)).toBeNull();
  });
});
