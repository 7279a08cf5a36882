// A process's share of the fleet's quota while Redis is away (issue 19, item 4: every survivor
// took the whole quota for itself, 3 to 9 × 429 a run). Pure: the clock is an argument.

/** The window as Redis last said it (on this process's clock), and how many processes share it. */
export type Seen = { limit: number; remaining: number; resetAt: number; windowMs: number; members: number };

/** This process's share: `perWindow` slots a window, `left` in the current one, which ends at `resetAt`. */
export type Share = { perWindow: number; left: number; resetAt: number; windowMs: number };

/**
 * The share when Redis is lost: of what was left in the window (less one for each other member,
 * which may have taken one since this process last asked), and of each later
 * window's limit, this process takes 1 / members (rounded down; at least one a window, so that
 * calls go on in a fleet larger than its limit). The other processes do the same: the fleet
 * stays within the limit, as each window opens the way the server's does, at its first request
 * after the last one ended.
 */
export function shareOf(seen: Seen): Share {
  const perWindow = Math.max(1, Math.floor(seen.limit / seen.members));
  return {
    perWindow,
    // `remaining` is this process's last reading: each other member may have taken one since.
    left: Math.floor(Math.max(0, seen.remaining - (seen.members - 1)) / seen.members),
    resetAt: seen.resetAt,
    windowMs: seen.windowMs,
  };
}

/** Takes one slot of the share: 0 when the request may go now (and counts it), else ms to wait. */
export function takeShare(share: Share, now: number): number {
  if (now >= share.resetAt) {
    share.left = share.perWindow;
    share.resetAt = now + share.windowMs;
  }
  if (share.left >= 1) {
    share.left -= 1;
    return 0;
  }
  return share.resetAt - now;
}
