import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_BACKOFF_DELAY } from '../src/backoff';
import { type Clock, MAX_TIMER_MS, systemClock } from '../src/clock';
import { isRateLimitError } from '../src/errors';
import { RateLimiter } from '../src/rate-limiter';
import { parseRetryAfter } from '../src/retry-after';
import { decideRetry, RETRYABLE_STATUSES } from '../src/retry-policy';

// Issue 18, item 1, gate: whatever the API (or a proxy, or Redis) answers, and whatever `pacing`
// and `maxRetryDelay` say, no client-side wait is longer than `maxRetryDelay` (a longer one fails
// at once with a RateLimitError), no timer is longer than 2^31 - 1 ms, and nothing spins. On an
// injected clock: no real sleeping.

const NUM_RUNS = 300;

// ---- Hostile header values ----------------------------------------------------------------

const absurd = fc.constantFrom(
  '',
  '0',
  '1',
  '-1',
  '-0',
  '+5',
  '0.001',
  '0.5',
  '1.5',
  '.5',
  '5.',
  '00042',
  '1e3',
  '1e9',
  '1e400',
  '0x10',
  'Infinity',
  '-Infinity',
  'NaN',
  'abc',
  '5, 5',
  '60',
  '240',
  '300',
  '301',
  '3600',
  '86400',
  '999999999',
  '1000000',
  '1000001',
  '9'.repeat(400),
);
const headerValue = fc.oneof(
  { weight: 3, arbitrary: absurd },
  { weight: 3, arbitrary: fc.nat({ max: 400 }).map(String) }, // plausible: within a few windows
  { weight: 2, arbitrary: fc.integer({ min: -10, max: 2_000_000 }).map(String) },
  { weight: 2, arbitrary: fc.double().map(String) }, // NaN, ±Infinity, -0, 5e-324, 1.7e308...
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'0123456789.-+eEx ,'), maxLength: 8 }) },
);
const answer = fc.record({
  limit: fc.option(headerValue, { nil: undefined }),
  remaining: fc.option(headerValue, { nil: undefined }),
  reset: fc.option(headerValue, { nil: undefined }),
});
const toHeaders = (fields: Record<string, string | undefined>) => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(fields))
    if (value !== undefined) headers.set(`x-ratelimit-${name}`, value);
  return headers;
};

const step = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('acquire' as const),
      // 'background': a background refresh's acquire, which never waits (maxWait 0).
      mode: fc.constantFrom('wait', 'wait', 'wait', 'background', 'count'),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('settle' as const), answer: fc.option(answer, { nil: undefined }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.oneof(fc.nat({ max: 2_000 }), fc.nat({ max: 600_000 })),
    }),
  },
);

// What Clients may configure (checked by the Client as numbers >= Number.MIN_VALUE), and what
// Redis may answer (anything a number can be).
const pacingNumber = (max: number) =>
  fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.double({ min: Number.MIN_VALUE, max, noNaN: true }));
const pacing = fc.record({ limit: pacingNumber(1e7), windowMs: pacingNumber(1e12) }, { requiredKeys: [] });
const maxWait = fc.oneof(fc.constant(60_000), fc.nat({ max: 120_000 }), fc.double({ min: 0, max: 1e12, noNaN: true }));
const sharedWaits = fc.option(
  fc.array(fc.oneof(fc.double(), fc.constantFrom(Number.NaN, -1, 0.25, 120_000, 9e15, Number.POSITIVE_INFINITY)), {
    maxLength: 10,
  }),
  { nil: undefined },
);

/** An injected clock that checks every sleep asked of it, and refuses to spin. */
function checkingClock(maxWait: number): Clock & { sleepsThisAcquire: number; advance(ms: number): void } {
  let now = 1_700_000_000_000;
  const clock = {
    sleepsThisAcquire: 0,
    /** Time passing between calls. */
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
    sleep: async (ms: number) => {
      // Whole ms, at least 1 (a sleep of 0 or less would be asked again and again: a spin), no
      // longer than maxWait and than a timer holds.
      if (!(Number.isInteger(ms) && ms >= 1 && ms <= maxWait && ms <= MAX_TIMER_MS))
        throw new Error(`bad sleep: ${ms} ms (maxWait ${maxWait})`);
      // One acquire's wait is at most maxWait (1e12 here), in timers of MAX_TIMER_MS: < 500 sleeps.
      if (++clock.sleepsThisAcquire > 1_000) throw new Error('spin: over 1,000 sleeps in one acquire');
      now += ms;
    },
  };
  return clock;
}

describe('X-RateLimit-* answers never make a wait over maxWait, a timer over 2^31 - 1 ms, or a spin (property)', () => {
  it('any sequence of answers, acquires and clock advances', async () => {
    await fc.assert(
      fc.asyncProperty(
        pacing,
        maxWait,
        sharedWaits,
        fc.array(step, { maxLength: 60 }),
        async (options, cap, waits, steps) => {
          const clock = checkingClock(cap);
          const limiter = new RateLimiter(clock, options);
          if (waits) {
            const answers = [...waits];
            limiter.share({ take: async () => answers.shift() ?? 0, observe: () => {} }, 'k', undefined);
          }
          for (const s of steps) {
            if (s.kind === 'advance') clock.advance(s.ms);
            else if (s.kind === 'settle') limiter.settle(s.answer && toHeaders(s.answer));
            else {
              clock.sleepsThisAcquire = 0;
              const mode = s.mode === 'background' ? 'wait' : s.mode;
              const outcome = await limiter.acquire(undefined, mode, undefined, s.mode === 'background' ? 0 : cap).then(
                () => undefined,
                (error: unknown) => error,
              );
              if (outcome === undefined) continue;
              // Otherwise only the refusal of a wait over maxWait, which says how long (finite, whole ms).
              expect(isRateLimitError(outcome), String(outcome)).toBe(true);
              expect(outcome).toMatchObject({ status: 429, code: 'rate_limited' });
              const retryAfter = (outcome as { retryAfter: number }).retryAfter;
              expect(Number.isSafeInteger(retryAfter) && retryAfter > (s.mode === 'background' ? 0 : cap)).toBe(true);
            }
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('the answer that held a key for an hour, among any others, never makes a call wait over maxWait', async () => {
    // Issue 18's scenario as a property: `Remaining: 0, Reset: <anything>` after any answers.
    await fc.assert(
      fc.asyncProperty(fc.array(answer, { maxLength: 10 }), headerValue, maxWait, async (before, reset, cap) => {
        const clock = checkingClock(cap);
        const limiter = new RateLimiter(clock);
        for (const fields of [...before, { limit: '1000', remaining: '0', reset }]) {
          await limiter.acquire(undefined, 'count');
          limiter.settle(toHeaders(fields));
        }
        clock.sleepsThisAcquire = 0;
        await limiter.acquire(undefined, 'wait', undefined, cap).catch((error: unknown) => {
          expect(isRateLimitError(error), String(error)).toBe(true);
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('Retry-After never makes a retry wait over maxRetryDelay (property, through decideRetry)', () => {
  const retryAfter = fc.oneof(
    headerValue,
    fc
      .date({ min: new Date(0), max: new Date(8.64e15) })
      .map((d) => (Number.isNaN(d.getTime()) ? '' : d.toUTCString())),
    fc.constantFrom('Wed, 21 Oct 2026 07:28:00 GMT', 'Sun, 06 Nov 1994 08:49:37 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT'),
  );
  it('any Retry-After / retry-after-ms, status and maxRetryDelay', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...RETRYABLE_STATUSES), fc.integer({ min: 400, max: 599 })),
        fc.option(retryAfter, { nil: undefined }),
        fc.option(headerValue, { nil: undefined }),
        fc.double({ min: 0, max: 1e12, noNaN: true }),
        fc.nat({ max: 5 }),
        fc.option(fc.nat({ max: 1e9 }), { nil: undefined }),
        (status, after, afterMs, maxRetryDelay, retries, deadline) => {
          const headers = new Headers();
          if (after !== undefined) headers.set('retry-after', after);
          if (afterMs !== undefined) headers.set('retry-after-ms', afterMs);
          const now = 1_700_000_000_000;
          const deadlineAt = deadline === undefined ? Number.POSITIVE_INFINITY : now + deadline;
          const decision = decideRetry(
            { kind: 'status', status, headers, code: undefined },
            {
              retries,
              maxRetries: 5,
              replayed: false,
              sentToken: true,
              now,
              deadlineAt,
              maxRetryDelay,
              random: Math.random,
            },
          );
          if (!decision.retry) return;
          expect(Number.isFinite(decision.delay) && decision.delay >= 0).toBe(true);
          expect(now + decision.delay).toBeLessThanOrEqual(deadlineAt);
          // No wait is over maxRetryDelay, the server's or backoff's (which also has its own cap).
          const asked = parseRetryAfter(headers, now);
          expect(decision.delay).toBeLessThanOrEqual(maxRetryDelay);
          if (asked === undefined) expect(decision.delay).toBeLessThanOrEqual(MAX_BACKOFF_DELAY);
        },
      ),
      { numRuns: NUM_RUNS * 3 },
    );
  });
});

describe('systemClock never arms a timer over 2^31 - 1 ms (property, fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('any delay: NaN, negative, fractional, huge, Infinity', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.double(), fc.double({ min: 0, max: 1e12, noNaN: true }), fc.nat({ max: 5_000 })),
        async (ms) => {
          vi.useFakeTimers();
          const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
          try {
            const controller = new AbortController();
            let ended = false;
            const sleeping = systemClock.sleep(ms, controller.signal).then(
              () => {
                ended = true;
              },
              () => {},
            );
            // Finite delays end when their time has passed (not before); longer ones are aborted.
            const finite = !(ms > 1e12);
            if (finite && ms >= 2) {
              await vi.advanceTimersByTimeAsync(Math.floor(ms) - 1);
              expect(ended).toBe(false);
            }
            await vi.advanceTimersByTimeAsync(finite ? 2 : 1e12);
            if (finite) expect(ended).toBe(true);
            controller.abort();
            await sleeping;
            for (const call of setTimeoutSpy.mock.calls) {
              const delay = call[1] as number;
              expect(delay >= 0 && delay <= MAX_TIMER_MS, String(delay)).toBe(true);
            }
          } finally {
            vi.useRealTimers();
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
