// The fleet's request quota: one window per key in Redis (./scripts), and each process's share of
// it while Redis is away (./outage-share).
import { randomUUID } from 'node:crypto';
import type { QuotaContext, SharedQuota } from '@codex/core';
import type { Connection } from './connection';
import { type Seen, type Share, shareOf, takeShare } from './outage-share';
import { MAX_LIMIT, MAX_WINDOW_MS, OBSERVE, TAKE } from './scripts';

/**
 * Per key: the window Redis last told of and the outage share, and until when (this process's
 * clock) Redis said the next window's slots are all promised: callers that come before then wait
 * without asking again (each would run TAKE for nothing).
 */
type KeyState = { seen?: Seen; share?: Share | undefined; fullUntil?: number };

const isInt = (value: unknown, min: number, max: number): value is number =>
  Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;

/** TAKE's answer, checked: undefined when it is not what the script answers. */
function readTake(reply: unknown) {
  if (!Array.isArray(reply) || reply.length !== 8) return undefined;
  const [wait, bad, limit, remaining, resetIn, windowMs, members, promised] = reply as unknown[];
  if (!isInt(limit, 0, MAX_LIMIT) || !isInt(windowMs, 0, MAX_WINDOW_MS) || !isInt(members, 1, MAX_LIMIT))
    return undefined;
  if (!isInt(wait, 0, windowMs + 1000) || !isInt(remaining, 0, limit) || !isInt(resetIn, 0, windowMs + 1000))
    return undefined;
  return { wait, bad: bad === 1, limit, remaining, resetIn, windowMs, members, promised: promised === 1 };
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * A SharedQuota in Redis, keys from `keyOf(key, kind)` (one hash tag per key):
 * - Every slot is taken by TAKE, which also keeps this process in the fleet's members (a sorted
 *   set, entries older than MEMBER_TTL_MS dropped). When the window is used up, TAKE promises a
 *   slot of the next one if it can: `take` waits for it and answers 0, without asking again. A
 *   caller that aborts meanwhile leaves its slot unused (the window sends one less).
 * - Every answer's X-RateLimit-* (checked by @codex/core, and again here) goes to OBSERVE.
 * - A quota hash out of bounds is rewritten by the scripts, and told to the logger (once at warn,
 *   then at debug).
 * - While Redis fails, a slot comes from this process's share of the last window Redis told it
 *   of: 1 / members of the limit (./outage-share). Before Redis ever answered, slots are free
 *   (pacing is per process, as without sharing).
 */
export function redisSharedQuota(
  connection: Connection,
  keyOf: (key: string, kind: 'quota' | 'members') => string,
): SharedQuota {
  const member = randomUUID();
  const keys = new Map<string, KeyState>();
  let warnedOfHash = false;
  const badHash = (key: string, context: QuotaContext) => {
    const { logger } = context;
    (warnedOfHash ? logger?.debug : logger?.warn)?.call(
      logger,
      `codex: the shared quota in Redis (${keyOf(key, 'quota')}) held values out of bounds; it was reset, and follows the API's answers again`,
    );
    warnedOfHash = true;
  };

  return {
    async take(key, context) {
      connection.logger ??= context.logger;
      const state = keys.get(key) ?? {};
      keys.set(key, state);
      const full = (state.fullUntil ?? 0) - Date.now();
      if (full > 0) return full;
      try {
        // The longest wait a slot may be promised for: the caller's, in whole ms Redis can read.
        const maxWait = Math.floor(Math.min(Math.max(context.maxWait ?? 0, 0), MAX_WINDOW_MS));
        const reply = await connection.run(TAKE, [keyOf(key, 'quota'), keyOf(key, 'members')], member, maxWait);
        const answer = readTake(reply);
        if (!answer) throw new Error('the quota script answered something unexpected');
        if (answer.bad) badHash(key, context);
        state.share = undefined;
        // On this process's clock, from the answer's arrival: the window ends no earlier than Redis said.
        const { limit, remaining, resetIn, windowMs, members, wait, promised } = answer;
        if (limit > 0) state.seen = { limit, remaining, resetAt: Date.now() + resetIn, windowMs, members };
        if (!promised) {
          // Within the caller's wait, no slot was to be had before then.
          if (wait > 0 && wait <= maxWait) state.fullUntil = Date.now() + wait;
          return wait;
        }
        context.logger?.debug?.(`codex: pacing waits ${wait} ms (shared quota: a slot of the next window)`);
        await sleep(wait, context.signal);
        return 0;
      } catch (error) {
        connection.failed(error);
        if (!state.seen) return 0;
        state.share ??= shareOf(state.seen);
        return takeShare(state.share, Date.now());
      }
    },
    observe(key, headers, context) {
      connection.logger ??= context.logger;
      const field = (name: string) => Number(headers.get(name) ?? Number.NaN);
      const limit = headers.get('x-ratelimit-limit') === null ? 0 : field('x-ratelimit-limit');
      const remaining = field('x-ratelimit-remaining');
      const resetMs = Math.round(field('x-ratelimit-reset') * 1000);
      // @codex/core passes only answers it checked; checked again where they enter Redis.
      if (!isInt(limit, 0, MAX_LIMIT) || !isInt(remaining, 0, limit || MAX_LIMIT) || !isInt(resetMs, 0, MAX_WINDOW_MS))
        return;
      connection
        .run(OBSERVE, [keyOf(key, 'quota')], limit, remaining, resetMs)
        .then((bad) => bad === 1 && badHash(key, context))
        .catch(connection.failed);
    },
  };
}
