import { describe, expect, it } from 'vitest';
import { decideRetry, type RetryState } from './retry-policy';

// decideRetry is pure: every retry decision, tested without HTTP or time.
const state = (over: Partial<RetryState> = {}): RetryState => ({
  retries: 0,
  maxRetries: 2,
  replayed: false,
  sentToken: true,
  now: 1_000_000,
  deadlineAt: Infinity,
  maxRetryDelay: 60_000,
  random: () => 0.5,
  ...over,
});
const status = (code: number, headers: Record<string, string> = {}, errorCode?: string) => ({
  kind: 'status' as const,
  status: code,
  headers: new Headers(headers),
  code: errorCode,
});

describe('decideRetry', () => {
  it('replays a 401 invalid_token once, at once, without using a retry', () => {
    expect(decideRetry(status(401, {}, 'invalid_token'), state())).toEqual({
      retry: true,
      delay: 0,
      reason: 'token rejected',
      counts: false,
      dropToken: true,
    });
    expect(decideRetry(status(401, {}, 'invalid_token'), state({ replayed: true })).retry).toBe(false);
    expect(decideRetry(status(401, {}, 'invalid_token'), state({ sentToken: false })).retry).toBe(false);
    expect(decideRetry(status(401, {}, 'invalid_client'), state()).retry).toBe(false);
  });

  it('retries connection errors, timeouts and 408/429/5xx with full-jitter backoff, up to maxRetries', () => {
    for (const outcome of [{ kind: 'connection' as const }, { kind: 'timeout' as const }, status(503), status(408)]) {
      expect(decideRetry(outcome, state())).toMatchObject({ retry: true, delay: 250, counts: true });
      expect(decideRetry(outcome, state({ retries: 1 }))).toMatchObject({ retry: true, delay: 500 });
      expect(decideRetry(outcome, state({ retries: 2 })).retry).toBe(false);
    }
  });

  it('never retries other 4xx', () => {
    for (const code of [400, 403, 404, 409, 413, 415, 422])
      expect(decideRetry(status(code), state()).retry).toBe(false);
  });

  it('waits Retry-After, unless over maxRetryDelay or past the deadline', () => {
    expect(decideRetry(status(429, { 'Retry-After': '12' }), state())).toMatchObject({ retry: true, delay: 12_000 });
    const over = decideRetry(status(429, { 'Retry-After': '120' }), state());
    expect(over).toMatchObject({ retry: false });
    expect(over.reason).toMatch(/^Retry-After 120 s/);
    expect(decideRetry(status(429, { 'Retry-After': '5' }), state({ deadlineAt: 1_004_000 })).retry).toBe(false);
  });

  it('stops when the backoff would end past the deadline', () => {
    expect(decideRetry({ kind: 'connection' }, state({ deadlineAt: 1_000_100 })).retry).toBe(false);
  });
});
