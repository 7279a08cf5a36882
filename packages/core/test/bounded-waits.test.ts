import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Clock, clampTimer, MAX_TIMER_MS, systemClock } from '../src/clock';
import { isRateLimitError, RateLimitError } from '../src/errors';
import { Client } from '../src/index';
import { RateLimiter } from '../src/rate-limiter';
import { virtualClock as realTimeVirtualClock } from './helpers';
import { json, rawServer, tokenAnswer } from './raw-server';

// Issue 18, item 1: X-RateLimit-* answers (and a shared quota's waits, and extreme `pacing`
// options) are bounded where they enter, and no client-side wait is longer than `maxWait`
// (the Client's `maxRetryDelay`): a call that would wait longer fails at once, nothing sent.

const MAX_RETRY_DELAY = 60_000;

/**
 * A clock whose sleep advances time instead of waiting, recording each sleep; it refuses a
 * 1,001st sleep, so that a limiter that spins fails its test instead of running forever.
 */
function virtualClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      if (sleeps.length === 1000) throw new Error(`spin: 1,000 sleeps (${sleeps.slice(-3).join(', ')}...)`);
      sleeps.push(ms);
      now += ms;
    },
  };
}

const answer = (fields: { limit?: string; remaining?: string; reset?: string }) => {
  const headers = new Headers();
  if (fields.limit !== undefined) headers.set('X-RateLimit-Limit', fields.limit);
  if (fields.remaining !== undefined) headers.set('X-RateLimit-Remaining', fields.remaining);
  if (fields.reset !== undefined) headers.set('X-RateLimit-Reset', fields.reset);
  return headers;
};

/** A limiter that has sent one request, answered with `fields`. */
async function answered(fields: Parameters<typeof answer>[0], clock = virtualClock()) {
  const limiter = new RateLimiter(clock);
  await limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY);
  limiter.settle(answer(fields));
  return { limiter, clock };
}

describe('X-RateLimit-* answers out of bounds are ignored', () => {
  it('Remaining: 0 with Reset: 3600 (an hour: 60 of the contract’s minute windows) holds nothing back', async () => {
    const { limiter, clock } = await answered({ limit: '1000', remaining: '0', reset: '3600' });
    await limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY);
    expect(clock.sleeps).toEqual([]);
  });

  it('Reset: 1e9 and 999999999 (a timer overflow) hold nothing back', async () => {
    for (const reset of ['1e9', '999999999', '1e400', 'Infinity']) {
      const { limiter, clock } = await answered({ limit: '1000', remaining: '0', reset });
      await limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY);
      expect(clock.sleeps, reset).toEqual([]);
    }
  });

  it('Limit: 0.001 (not a positive integer) is not adopted: calls go at the assumed rate', async () => {
    const { limiter, clock } = await answered({ limit: '0.001', remaining: '5', reset: '30' });
    for (let i = 0; i < 10; i++) await limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY);
    expect(clock.sleeps).toEqual([]);
  });

  it('a limit of 0, negative, hex, exponent or past 2^31 - 1 is not adopted', async () => {
    for (const limit of ['0', '-5', '0x10', '1e1', '2147483648', '9'.repeat(40), '', 'abc', '5, 5']) {
      const { limiter, clock } = await answered({ limit, remaining: '0', reset: '30' });
      await limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY);
      expect(clock.sleeps, JSON.stringify(limit)).toEqual([]);
    }
  });

  // `pnpm bench` found it: a bound of a million ignored a generous key's 1e9, which held its
  // calls to the assumed 1,000 a minute (60 ms a call).
  it("a generous key's limit is adopted: calls are not held to the assumed 1,000 a minute", async () => {
    const { limiter, clock } = await answered({ limit: '1000000000', remaining: '999999999', reset: '60' });
    for (let i = 0; i < 5000; i++) await limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY);
    expect(clock.sleeps).toEqual([]);
  });

  it('a remaining above the limit, or not an integer, is ignored with its answer', async () => {
    for (const fields of [
      { limit: '10', remaining: '50', reset: '30' },
      { limit: '10', remaining: '0.5', reset: '30' },
      { limit: '10', remaining: '-1', reset: '30' },
    ]) {
      const { limiter, clock } = await answered(fields);
      for (let i = 0; i < 20; i++) await limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY);
      expect(clock.sleeps, JSON.stringify(fields)).toEqual([]);
    }
  });

  it('answers within bounds still rule (a 5 s window, 0 left: wait for its end)', async () => {
    const { limiter, clock } = await answered({ limit: '5', remaining: '0', reset: '5' });
    await limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY);
    expect(clock.sleeps).toEqual([5000]);
  });

  it('a longer assumed window (pacing.windowMs of an hour) lets hourly resets in', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 2, windowMs: 3_600_000 });
    await limiter.acquire();
    limiter.settle(answer({ limit: '2', remaining: '0', reset: '3000' }));
    await expect(limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY)).rejects.toMatchObject({
      retryAfter: 3_000_000,
    });
  });

  it('a shared quota sees only answers within bounds', async () => {
    const observed: Array<string | null> = [];
    const limiter = new RateLimiter(virtualClock());
    limiter.share(
      { take: async () => 0, observe: (_, h) => observed.push(h.get('x-ratelimit-reset')) },
      'k',
      undefined,
    );
    for (const reset of ['3600', '30']) {
      await limiter.acquire();
      limiter.settle(answer({ limit: '1000', remaining: '0', reset }));
    }
    expect(observed).toEqual(['30']);
  });
});

describe('no pacing wait is longer than maxWait', () => {
  it('a wait over maxWait rejects at once, nothing slept, with a RateLimitError saying how long', async () => {
    // 4 minutes: within bounds (5 of the contract's windows), over maxRetryDelay.
    const { limiter, clock } = await answered({ limit: '1000', remaining: '0', reset: '240' });
    const error = await limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY).catch((e: unknown) => e);
    expect(clock.sleeps).toEqual([]);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(isRateLimitError(error)).toBe(true);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 240_000, requestId: undefined });
    expect((error as Error).message).toMatch(/240 s/);
    expect((error as Error).message).toMatch(/maxRetryDelay \(60 s\)/);
    expect((error as Error).message).toMatch(/nothing was sent/);
    // It took no slot: once the window is over, the next call goes.
    await clock.sleep(240_000);
    await limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY);
    expect(clock.sleeps).toEqual([240_000]);
  });

  it('a wait of exactly maxWait is waited; 1 ms more is not', async () => {
    const { limiter, clock } = await answered({ limit: '5', remaining: '0', reset: '7' });
    await expect(limiter.acquire(undefined, 'wait', undefined, 6_999)).rejects.toMatchObject({ retryAfter: 7000 });
    await limiter.acquire(undefined, 'wait', undefined, 7000);
    expect(clock.sleeps).toEqual([7000]);
  });

  it('maxRetryDelay 0: any pacing wait fails at once', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 1, windowMs: 1000 });
    await limiter.acquire(undefined, 'wait', undefined, 0);
    await expect(limiter.acquire(undefined, 'wait', undefined, 0)).rejects.toMatchObject({ retryAfter: 1000 });
    expect(clock.sleeps).toEqual([]);
  });

  it("a background refresh's maxWait 0 never waits, and 'count' never waits", async () => {
    const { limiter, clock } = await answered({ limit: '1000', remaining: '0', reset: '240' });
    const error = await limiter.acquire(undefined, 'wait', undefined, 0).catch((e: unknown) => e);
    expect(isRateLimitError(error)).toBe(true);
    await limiter.acquire(undefined, 'count', undefined, MAX_RETRY_DELAY);
    expect(clock.sleeps).toEqual([]);
  });

  it('extreme pacing options (1e-300 a minute) give a finite wait, refused at once', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 1e-300, windowMs: 60_000 });
    await limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY);
    const error = await limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(Number.isFinite((error as RateLimitError).retryAfter)).toBe(true);
    expect(clock.sleeps).toEqual([]);
  });

  it('a pacing limit under 1 (0.5 a minute) is 1 in 2 minutes, not a bucket that never holds a request', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 0.5, windowMs: 60_000 });
    await limiter.acquire(undefined, 'wait', undefined, 200_000);
    await limiter.acquire(undefined, 'wait', undefined, 200_000);
    expect(clock.sleeps).toEqual([120_000]);
  });

  it('a wait longer than a timer can hold is asked of the clock in parts of at most MAX_TIMER_MS', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 1, windowMs: 5e9 });
    await limiter.acquire();
    await limiter.acquire(undefined, 'wait', undefined, 1e10);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(MAX_TIMER_MS);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(5e9);
  });
});

describe("a shared quota's waits are bounded", () => {
  const sharing = (waits: number[]) => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock);
    limiter.share({ take: async () => waits.shift() ?? 0, observe: () => {} }, 'k', undefined);
    return { limiter, clock };
  };

  it('NaN, negative, Infinity and 9e15 are no waits (as when the store fails: per-process pacing)', async () => {
    const { limiter, clock } = sharing([Number.NaN, -5, Number.POSITIVE_INFINITY, 9e15]);
    for (let i = 0; i < 4; i++) await limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY);
    expect(clock.sleeps).toEqual([]);
  });

  it('a wait within bounds but over maxWait rejects at once', async () => {
    const { limiter, clock } = sharing([120_000]);
    await expect(limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY)).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfter: 120_000,
    });
    expect(clock.sleeps).toEqual([]);
  });

  it('a fractional wait sleeps whole ms, never 0', async () => {
    const { limiter, clock } = sharing([0.25]);
    await limiter.acquire(undefined, 'wait', undefined, MAX_RETRY_DELAY);
    expect(clock.sleeps).toEqual([1]);
  });
});

describe('a shared quota that holds a slot for later (issue 19: no second take after the wait)', () => {
  it("is told the call's signal and longest wait, and its 0 after waiting is the slot: taken once", async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock);
    const contexts: unknown[] = [];
    limiter.share(
      {
        take: async (_key, context) => {
          contexts.push(context);
          return 0;
        },
        observe: () => {},
      },
      'k',
      undefined,
    );
    const controller = new AbortController();
    await limiter.acquire(controller.signal, 'wait', undefined, MAX_RETRY_DELAY);
    expect(contexts).toEqual([{ logger: undefined, signal: controller.signal, maxWait: MAX_RETRY_DELAY }]);
  });

  it('a background refresh (maxWait 0) asks for a slot now only, and fails at once when told to wait', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock);
    const waits: Array<number | undefined> = [];
    const answers = [0, 500];
    limiter.share(
      {
        take: async (_key, { maxWait }) => {
          waits.push(maxWait);
          return answers.shift() ?? 0;
        },
        observe: () => {},
      },
      'k',
      undefined,
    );
    await limiter.acquire(undefined, 'wait', undefined, 0);
    await expect(limiter.acquire(undefined, 'wait', undefined, 0)).rejects.toMatchObject({ code: 'rate_limited' });
    expect(waits).toEqual([0, 0]);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('systemClock timers stay below 2^31 - 1 ms', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('clampTimer: NaN and negatives give 0, huge values give MAX_TIMER_MS', () => {
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
    expect([Number.NaN, -1, 0, 5.5, 2 ** 31, Number.POSITIVE_INFINITY].map(clampTimer)).toEqual([
      0,
      0,
      0,
      6,
      MAX_TIMER_MS,
      MAX_TIMER_MS,
    ]);
  });

  it('a sleep longer than a timer holds neither overflows into 1 ms nor warns', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      let ended = false;
      const sleeping = systemClock.sleep(1e9 * 1000, controller.signal).then(
        () => {
          ended = true;
        },
        () => {},
      );
      await new Promise((r) => setTimeout(r, 50));
      expect(ended).toBe(false);
      controller.abort();
      await sleeping;
      await new Promise((r) => setImmediate(r));
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('sleeps the whole of a long wait, in timers of at most MAX_TIMER_MS', async () => {
    vi.useFakeTimers();
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    let ended = false;
    const sleeping = systemClock.sleep(2 * MAX_TIMER_MS + 1000).then(() => {
      ended = true;
    });
    await vi.advanceTimersByTimeAsync(2 * MAX_TIMER_MS);
    expect(ended).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    await sleeping;
    expect(ended).toBe(true);
    const delays = setTimeoutSpy.mock.calls.map((call) => call[1] as number);
    expect(delays).toEqual([MAX_TIMER_MS, MAX_TIMER_MS, 1000]);
  });

  it('NaN and negative sleeps end at once', async () => {
    await systemClock.sleep(Number.NaN);
    await systemClock.sleep(-1);
  });
});

describe('end to end: a Client, a raw server and its X-RateLimit-* answers', () => {
  /** A raw server whose list answers carry `reset`, with 0 left. */
  async function serverSaying(reset: string) {
    return rawServer((req, res) => {
      if (req.url === '/v1/auth/token') return tokenAnswer(res);
      res.setHeader('X-RateLimit-Limit', '1000');
      res.setHeader('X-RateLimit-Remaining', '0');
      res.setHeader('X-RateLimit-Reset', reset);
      json(res, 200, { data: [], next_cursor: null });
    });
  }
  const listRequests = (server: Awaited<ReturnType<typeof serverSaying>>) =>
    server.requests.filter((r) => r.url.includes('/documents')).length;

  it('Remaining: 0, Reset: 3600 on a 200: the next call goes at once (the answer is out of bounds)', async () => {
    const server = await serverSaying('3600');
    const clock = realTimeVirtualClock();
    const client = new Client({ apiKey: 'cdx_id_raw:cdx_sk_raw', baseUrl: server.url, clock });
    await client.documents.list();
    await client.documents.list();
    expect(listRequests(server)).toBe(2);
    expect(clock.waits).toEqual([]);
  });

  it('Remaining: 0, Reset: 240 on a 200: the next call, of any Client of the key, fails at once with RateLimitError, nothing sent', async () => {
    const server = await serverSaying('240');
    const clock = realTimeVirtualClock();
    const options = { apiKey: 'cdx_id_raw:cdx_sk_raw', baseUrl: server.url, clock };
    const client = new Client(options);
    await client.documents.list();
    const started = Date.now();
    for (const caller of [client, new Client(options)]) {
      const error = await caller.documents.list().catch((e: unknown) => e);
      expect(isRateLimitError(error)).toBe(true);
      expect(error).toMatchObject({ status: 429, code: 'rate_limited' });
      expect((error as RateLimitError).retryAfter).toBeGreaterThan(MAX_RETRY_DELAY);
      expect((error as RateLimitError).retryAfter).toBeLessThanOrEqual(240_000);
    }
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(listRequests(server)).toBe(1);
    expect(clock.waits).toEqual([]);
  });
});
