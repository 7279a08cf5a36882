import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, INITIAL_RETRY_DELAY, MAX_BACKOFF_DELAY } from './backoff';
import { parseRetryAfter } from './retry-after';

const NOW = Date.parse('2026-10-21T07:27:48Z');
const headers = (init: Record<string, string>) => new Headers(init);

describe('parseRetryAfter', () => {
  it('reads the contract examples', () => {
    expect(parseRetryAfter(headers({ 'Retry-After': '12' }), NOW)).toBe(12_000);
    expect(parseRetryAfter(headers({ 'Retry-After': 'Wed, 21 Oct 2026 07:28:00 GMT' }), NOW)).toBe(12_000);
  });

  it('prefers retry-after-ms', () => {
    expect(parseRetryAfter(headers({ 'retry-after-ms': '1500', 'Retry-After': '12' }), NOW)).toBe(1500);
  });

  it('gives undefined without a usable header', () => {
    for (const value of ['', 'soon', '12s', '--1'])
      expect(parseRetryAfter(headers({ 'Retry-After': value }), NOW), value).toBeUndefined();
    expect(parseRetryAfter(headers({}), NOW)).toBeUndefined();
  });

  it('delta-seconds: n -> n * 1000 ms, negatives clamped to 0 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e7 }), (n) => {
        expect(parseRetryAfter(headers({ 'Retry-After': String(n) }), NOW)).toBe(Math.max(0, n * 1000));
      }),
    );
  });

  it('HTTP-date: the time until it, whole seconds, 0 when past (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), (offsetMs) => {
        const date = new Date(NOW + offsetMs);
        const parsed = parseRetryAfter(headers({ 'Retry-After': date.toUTCString() }), NOW);
        const expected = Math.max(0, Math.floor((NOW + offsetMs) / 1000) * 1000 - NOW);
        expect(parsed).toBe(expected);
        expect(parsed).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('never returns a negative or non-finite wait for any header text (property)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        let h: Headers;
        try {
          h = headers({ 'Retry-After': text });
        } catch {
          return; // not a valid header value at all
        }
        const parsed = parseRetryAfter(h, NOW);
        if (parsed !== undefined) {
          expect(Number.isFinite(parsed)).toBe(true);
          expect(parsed).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });
});

describe('backoffDelay (property)', () => {
  it('is full jitter in [0, min(8 s, 500 ms * 2^(n-1)))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, r) => {
          const delay = backoffDelay(retry, () => r);
          const ceiling = Math.min(MAX_BACKOFF_DELAY, INITIAL_RETRY_DELAY * 2 ** (retry - 1));
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling);
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
  });

  it('spans the whole range: 0 at random 0, close to the ceiling near 1', () => {
    expect(backoffDelay(3, () => 0)).toBe(0);
    expect(backoffDelay(3, () => 0.999_999)).toBe(1999);
    expect(backoffDelay(30, () => 0.999_999)).toBe(7999);
  });
});
