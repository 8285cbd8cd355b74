import { describe, expect, it } from 'vitest';
import { CLOCK_NOISE_MS, computeExpiresAt, estimateClockOffset, isDueForRefresh } from '../../src/core/expiry.js';
import { T0, seconds } from './helpers.js';

const httpDate = (ms: number): string => new Date(ms).toUTCString();

describe('estimateClockOffset', () => {
  it('reads the server clock from the Date header: server ahead gives a positive offset', () => {
    expect(estimateClockOffset(httpDate(T0 + 300_000), null, T0)).toBe(300_000);
  });

  it('reads a server clock behind the local one as a negative offset', () => {
    expect(estimateClockOffset(httpDate(T0 - 120_000), null, T0)).toBe(-120_000);
  });

  it('takes the later of the Date header and the token iat (both can only lag the server clock)', () => {
    expect(estimateClockOffset(httpDate(T0 + 60_000), { iat: seconds(T0 + 600_000) }, T0)).toBe(600_000);
    expect(estimateClockOffset(httpDate(T0 + 600_000), { iat: seconds(T0 + 60_000) }, T0)).toBe(600_000);
  });

  it('is not fooled by a cached Date header seconds old when the token was issued just now', () => {
    // uvicorn refreshes its Date header about once a second, later when the loop is busy.
    expect(estimateClockOffset(httpDate(T0 - 3_000), { iat: seconds(T0) }, T0 + 20)).toBe(0);
  });

  it('falls back to iat when there is no Date header', () => {
    expect(estimateClockOffset(null, { iat: seconds(T0 + 300_000) }, T0)).toBe(300_000);
  });

  it('falls back to iat when the Date header does not parse', () => {
    expect(estimateClockOffset('not a date', { iat: seconds(T0 - 600_000) }, T0)).toBe(-600_000);
  });

  it('is zero when neither a Date header nor a numeric iat says anything', () => {
    expect(estimateClockOffset(null, null, T0)).toBe(0);
    expect(estimateClockOffset(null, { sub: 'user' }, T0)).toBe(0);
    expect(estimateClockOffset(null, { iat: 'yesterday' }, T0)).toBe(0);
    expect(estimateClockOffset('garbage', null, T0)).toBe(0);
  });

  it('treats offsets below the noise threshold as zero (Date resolution and transit time)', () => {
    expect(CLOCK_NOISE_MS).toBe(2_000);
    // Date header resolution is one second: the header says T0 + 2 s, we received at T0 + 0.5 s.
    expect(estimateClockOffset(httpDate(T0 + 2_000), null, T0 + 500)).toBe(0);
    expect(estimateClockOffset(httpDate(T0), null, T0 + 1_999)).toBe(0);
    expect(estimateClockOffset(null, { iat: seconds(T0) + 1 }, T0)).toBe(0);
  });

  it('keeps offsets at or beyond the noise threshold', () => {
    expect(estimateClockOffset(httpDate(T0 + 2_000), null, T0)).toBe(2_000);
    expect(estimateClockOffset(httpDate(T0), null, T0 + 2_000)).toBe(-2_000);
  });
});

describe('computeExpiresAt', () => {
  it('counts expires_in from local receipt time', () => {
    expect(computeExpiresAt(3600, null, T0, 0)).toBe(T0 + 3_600_000);
  });

  it('lets expires_in win over the JWT exp and ignores the clock offset (it is relative)', () => {
    const claims = { exp: seconds(T0) + 60 };
    expect(computeExpiresAt(900, claims, T0, 300_000)).toBe(T0 + 900_000);
  });

  it('accepts expires_in of zero (already expired) rather than falling back to exp', () => {
    expect(computeExpiresAt(0, { exp: seconds(T0) + 3600 }, T0, 0)).toBe(T0);
  });

  it('uses the JWT exp when there is no expires_in', () => {
    expect(computeExpiresAt(null, { exp: seconds(T0) + 600 }, T0, 0)).toBe(T0 + 600_000);
  });

  it('translates exp to the local clock: a server 5 min ahead means the token expires 5 min earlier locally', () => {
    const serverNow = T0 + 300_000;
    const claims = { exp: seconds(serverNow) + 600 };
    expect(computeExpiresAt(null, claims, T0, 300_000)).toBe(T0 + 600_000);
  });

  it('translates exp for a server clock behind the local one', () => {
    const serverNow = T0 - 300_000;
    const claims = { exp: seconds(serverNow) + 600 };
    expect(computeExpiresAt(null, claims, T0, -300_000)).toBe(T0 + 600_000);
  });

  it('is null for an opaque token without expires_in', () => {
    expect(computeExpiresAt(null, null, T0, 0)).toBeNull();
  });

  it('is null for a JWT without a numeric exp', () => {
    expect(computeExpiresAt(null, { sub: 'user' }, T0, 0)).toBeNull();
    expect(computeExpiresAt(null, { exp: '1700000000' }, T0, 0)).toBeNull();
  });
});

describe('isDueForRefresh', () => {
  const ahead = 30_000;

  it('is false while the token has more than refreshAhead left', () => {
    expect(isDueForRefresh(T0 + 30_001, T0, ahead)).toBe(false);
  });

  it('is true once the token is within refreshAhead of expiry (boundary included)', () => {
    expect(isDueForRefresh(T0 + 30_000, T0, ahead)).toBe(true);
    expect(isDueForRefresh(T0 + 1, T0, ahead)).toBe(true);
  });

  it('is true for an already expired token', () => {
    expect(isDueForRefresh(T0 - 1, T0, ahead)).toBe(true);
  });

  it('with refreshAhead 0, is due exactly at expiry', () => {
    expect(isDueForRefresh(T0 + 1, T0, 0)).toBe(false);
    expect(isDueForRefresh(T0, T0, 0)).toBe(true);
  });

  it('is never due when the expiry is unknown', () => {
    expect(isDueForRefresh(null, T0, ahead)).toBe(false);
    expect(isDueForRefresh(null, Number.MAX_SAFE_INTEGER, ahead)).toBe(false);
  });
});
