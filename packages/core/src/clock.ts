/**
 * Time as the SDK sees it. Injected in tests so expiry, pacing and backoff can be checked
 * without waiting.
 */
export type Clock = {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
};

/**
 * The longest delay a timer takes: `setTimeout` holds it in a signed 32-bit int, and a longer one
 * "overflows" into 1 ms (with a TimeoutOverflowWarning), so a wait of a day would spin (issue 18).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `ms` as a delay `setTimeout` takes as meant: whole ms, rounded up (never early); NaN and
 * negatives give 0; more than `MAX_TIMER_MS` (2^31 - 1 ms) gives that.
 */
export function clampTimer(ms: number): number {
  return ms > 0 ? Math.min(Math.ceil(ms), MAX_TIMER_MS) : 0;
}

/**
 * The real clock. Its only timers are waits that callers await (pacing), cleared on abort, so
 * none outlives the work it belongs to. A sleep longer than `MAX_TIMER_MS` (2^31 - 1 ms) (a `deadline` of
 * weeks) is slept in timers of at most that, one after the other, never as a spin.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const arm = (left: number) => {
        const delay = clampTimer(left);
        timer = setTimeout(() => {
          if (left > delay) return arm(left - delay);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, delay);
      };
      arm(ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
