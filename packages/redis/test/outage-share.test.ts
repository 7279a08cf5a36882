import { describe, expect, it } from 'vitest';
import { shareOf, takeShare } from '../src/outage-share';

// Issue 19, item 4: while Redis is away, each process paces at its share of the last known limit.

/** Takes slots at `now` until one would wait: how many went, and the wait. */
const drain = (share: ReturnType<typeof shareOf>, now: number) => {
  for (let n = 0; ; n++) {
    const wait = takeShare(share, now);
    if (wait > 0) return { n, wait };
  }
};

describe('a process’s share of the quota while Redis is away', () => {
  const seen = { limit: 60, remaining: 25, resetAt: 10_000, windowMs: 3000, members: 6 };

  it('of what is left in the current window, then of each window’s limit', () => {
    const share = shareOf(seen);
    // (25 - 5) / 6, rounded down: the 5 others may each have taken one since this process's last reading.
    expect(drain(share, 9000)).toEqual({ n: 3, wait: 1000 });
    // The window as the server's opens: at the first request after the last one ended.
    expect(drain(share, 10_500)).toEqual({ n: 10, wait: 3000 });
    expect(drain(share, 13_499)).toEqual({ n: 0, wait: 1 });
    expect(drain(share, 13_500)).toEqual({ n: 10, wait: 3000 });
  });

  it('after a window Redis said ended, a whole share', () => {
    expect(drain(shareOf(seen), 12_000)).toEqual({ n: 10, wait: 3000 });
  });

  it('one request a window at least, in a fleet larger than its limit', () => {
    const share = shareOf({ ...seen, limit: 4, remaining: 0, members: 6 });
    expect(drain(share, 9000)).toEqual({ n: 0, wait: 1000 });
    expect(drain(share, 10_000)).toEqual({ n: 1, wait: 3000 });
  });
});
