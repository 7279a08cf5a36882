import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Clock } from './clock';
import { RateLimiter } from './rate-limiter';

/** A clock whose sleep advances time instead of waiting. */
function virtualClock(): Clock & { slept: number } {
  let now = 0;
  const clock = {
    slept: 0,
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      clock.slept += ms;
    },
  };
  return clock;
}

const serverHeaders = (limit: number, remaining: number, reset: number) =>
  new Headers({
    'X-RateLimit-Limit': String(limit),
    'X-RateLimit-Remaining': String(remaining),
    'X-RateLimit-Reset': String(reset),
  });

describe('RateLimiter', () => {
  it('lets `limit` requests go at once, then paces the rest at limit/window', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 10, windowMs: 1000 });
    const sentAt: number[] = [];
    for (let i = 0; i < 20; i++) {
      await limiter.acquire();
      sentAt.push(clock.now());
      limiter.settle();
    }
    expect(sentAt.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(sentAt.slice(10)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  });

  it('waits for the server window when X-RateLimit-Remaining says 0', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 1000, windowMs: 60_000 });
    await limiter.acquire();
    limiter.settle(serverHeaders(5, 0, 7));
    await limiter.acquire();
    expect(clock.now()).toBe(7000);
  });

  it('counts requests in flight against what the server says is left', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 1000, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) await limiter.acquire();
    // First answer: 3 left, but two more requests are on their way.
    limiter.settle(serverHeaders(10, 3, 30));
    await limiter.acquire();
    expect(clock.now()).toBe(0);
    await limiter.acquire();
    expect(clock.now()).toBe(30_000);
  });

  it('after the server window, allows the server limit again', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 1000, windowMs: 60_000 });
    await limiter.acquire();
    limiter.settle(serverHeaders(3, 0, 2));
    const sentAt: number[] = [];
    for (let i = 0; i < 6; i++) {
      await limiter.acquire();
      sentAt.push(clock.now());
    }
    expect(sentAt).toEqual([2000, 2000, 2000, 4000, 4000, 4000]);
  });

  it('takes the earliest end the server states for its window (X-RateLimit-Reset is rounded up to seconds)', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 1000, windowMs: 60_000 });
    const at = async (ms: number) => clock.sleep(ms - clock.now());
    // The server's window opened at 0 and ends at 3,000; answers at 10 and 800 ms both say "3".
    await limiter.acquire();
    await limiter.acquire();
    await at(10);
    limiter.settle(serverHeaders(2, 1, 3));
    await at(800);
    limiter.settle(serverHeaders(2, 0, 3));
    await limiter.acquire();
    expect(clock.now()).toBe(3010); // not 3,800: the answer at 10 ms bounds the end more closely
    // The next window opened at the server on that request (3,010, so it ends at 6,010). The
    // client's guess after the rollover was 3,010 + 3,000; the first answer replaces it, even later.
    await at(3100);
    limiter.settle(serverHeaders(2, 0, 3));
    await limiter.acquire();
    expect(clock.now()).toBe(6100);
  });

  it('an answer from the window before, arriving after the rollover, does not reopen the current one', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 1000, windowMs: 60_000 });
    const at = async (ms: number) => clock.sleep(ms - clock.now());
    // The server's window [0, 3,000) takes 10 requests; one of them is still in flight at its end.
    for (let i = 0; i < 10; i++) await limiter.acquire();
    for (let i = 0; i < 9; i++) limiter.settle(serverHeaders(10, 0, 3));
    // The next window: 4 requests go as it opens (3,000).
    const sentAt: number[] = [];
    for (let i = 0; i < 4; i++) {
      await limiter.acquire();
      sentAt.push(clock.now());
    }
    // At 3,050 the late one's answer comes: the server gave it at 2,999 ("0 left, reset in 1 s").
    await at(3050);
    limiter.settle(serverHeaders(10, 0, 1));
    // It says nothing of the window that opened at 3,000: 6 more requests, not 10, may go in it.
    while (clock.now() < 6000) {
      await limiter.acquire();
      sentAt.push(clock.now());
    }
    expect(sentAt.filter((t) => t >= 3000 && t < 6000)).toHaveLength(10);
  });

  it('with a shared quota, concurrent callers still pass this process’s check one at a time', async () => {
    // A clock whose waits never end: what goes at once is what acquire lets through.
    const clock = { now: () => 0, sleep: () => new Promise<void>(() => {}) };
    const limiter = new RateLimiter(clock, { limit: 1000, windowMs: 60_000 });
    // A shared quota that always says go (as when Redis is down): pacing must stay per process.
    limiter.share({ take: async () => 0, observe: () => {} }, 'k', undefined);
    await limiter.acquire();
    limiter.settle(serverHeaders(100, 3, 60)); // the server: 3 left in this minute
    let went = 0;
    for (let i = 0; i < 20; i++) limiter.acquire().then(() => went++);
    await new Promise((r) => setTimeout(r, 20));
    expect(went).toBe(3);
  });

  it('aborts a wait with the signal', async () => {
    const limiter = new RateLimiter(
      {
        now: () => 0,
        sleep: (_ms, signal) =>
          new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
      },
      { limit: 1, windowMs: 1000 },
    );
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });

  it('never sends more than limit + limit * t / window in any span t (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 100, max: 10_000 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 200 }),
        async (limit, windowMs, gaps) => {
          const clock = virtualClock();
          const limiter = new RateLimiter(clock, { limit, windowMs });
          const sentAt: number[] = [];
          for (const gap of gaps) {
            await clock.sleep(gap);
            await limiter.acquire();
            sentAt.push(clock.now());
            limiter.settle();
          }
          for (let i = 0; i < sentAt.length; i++) {
            for (let j = i; j < sentAt.length; j++) {
              const span = (sentAt[j] as number) - (sentAt[i] as number);
              expect(j - i + 1).toBeLessThanOrEqual(limit + Math.ceil((limit * span) / windowMs) + 1);
            }
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('RateLimiter follows the server (issue 10)', () => {
  it('adopts X-RateLimit-Limit and the window of X-RateLimit-Reset as soon as a response carries them', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 10, windowMs: 1000 });
    await limiter.acquire();
    limiter.settle(serverHeaders(100_000, 99_999, 60));
    // A generous key: 5,000 requests at once, no waiting on the assumed 10 a second.
    for (let i = 0; i < 5_000; i++) {
      await limiter.acquire();
      limiter.settle();
    }
    expect(clock.slept).toBe(0);
  });

  it('a tight server slows a generous assumption down to its own rate', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 1000, windowMs: 60_000 });
    await limiter.acquire();
    limiter.settle(serverHeaders(50, 49, 2));
    const sentAt: number[] = [];
    for (let i = 0; i < 150; i++) {
      await limiter.acquire();
      sentAt.push(clock.now());
      limiter.settle();
    }
    // 49 left in the first window, then 50 per 2 s.
    expect(sentAt.filter((t) => t < 2000)).toHaveLength(49);
    expect(sentAt.filter((t) => t >= 2000 && t < 4000).length).toBeLessThanOrEqual(50);
  });

  it('Clients that disagree: the lower assumed rate wins until the server says, then the server', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 100, windowMs: 1000 });
    limiter.assume({ limit: 10, windowMs: 1000 });
    limiter.assume({ limit: 1000, windowMs: 1000 }); // higher: ignored
    for (let i = 0; i < 11; i++) await limiter.acquire();
    expect(clock.now()).toBe(100);
    limiter.settle(serverHeaders(1000, 990, 1));
    limiter.assume({ limit: 1, windowMs: 1000 }); // after the server: ignored
    const before = clock.now();
    for (let i = 0; i < 100; i++) await limiter.acquire();
    expect(clock.now()).toBe(before);
  });

  it("'count' (pacing: false) never waits, but counts", async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(clock, { limit: 2, windowMs: 1000 });
    for (let i = 0; i < 5; i++) await limiter.acquire(undefined, 'count');
    expect(clock.now()).toBe(0);
    await limiter.acquire();
    expect(clock.now()).toBeGreaterThan(0); // the others wait for what it used
  });

  it('caps requests in flight: calls wait in line, in order, and leave the line on abort', async () => {
    const limiter = new RateLimiter(virtualClock());
    limiter.limitInFlight(2);
    limiter.limitInFlight(5); // the smallest cap wins
    expect(limiter.enter()).toBeUndefined();
    expect(limiter.enter()).toBeUndefined();
    const order: string[] = [];
    const a = limiter.enter()?.then(() => order.push('a'));
    const controller = new AbortController();
    const b = limiter.enter(controller.signal)?.then(
      () => order.push('b'),
      () => order.push('b aborted'),
    );
    const c = limiter.enter()?.then(() => order.push('c'));
    controller.abort();
    await b;
    limiter.leave();
    await a;
    limiter.leave();
    await c;
    expect(order).toEqual(['b aborted', 'a', 'c']);
  });
});
