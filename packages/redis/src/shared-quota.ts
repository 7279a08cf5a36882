// The fleet's request quota: one window per key in Redis (./scripts), and each process's share of
// it while Redis is away (./outage-share).
import { randomUUID } from 'node:crypto';
import type { QuotaContext, SharedQuota } from '@codex/core';
import type { Connection } from './connection';
import { type Seen, type Share, shareOf, takeShare } from './outage-share';
import { MAX_LIMIT, MAX_WINDOW_MS, OBSERVE, TAKE } from './scripts';

type KeyState = { seen?: Seen; share?: Share | undefined };

const isInt = (value: unknown, min: number, max: number): value is number =>
  Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;

/** TAKE's answer, checked: undefined when it is not what the script answers. */
function readTake(reply: unknown) {
  if (!Array.isArray(reply) || reply.length !== 7) return undefined;
  const [wait, bad, limit, remaining, resetIn, windowMs, members] = reply as unknown[];
  if (!isInt(limit, 0, MAX_LIMIT) || !isInt(windowMs, 0, MAX_WINDOW_MS) || !isInt(members, 1, MAX_LIMIT))
    return undefined;
  if (!isInt(wait, 0, windowMs + 1000) || !isInt(remaining, 0, limit) || !isInt(resetIn, 0, windowMs + 1000))
    return undefined;
  return { wait, bad: bad === 1, limit, remaining, resetIn, windowMs, members };
}

/**
 * A SharedQuota in Redis, keys from `keyOf(key, kind)` (one hash tag per key):
 * - Every slot is taken by TAKE, which also keeps this process in the fleet's members (a sorted
 *   set, entries older than MEMBER_TTL_MS dropped).
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
      try {
        const reply = await connection.run(TAKE, [keyOf(key, 'quota'), keyOf(key, 'members')], member);
        const answer = readTake(reply);
        if (!answer) throw new Error('the quota script answered something unexpected');
        if (answer.bad) badHash(key, context);
        state.share = undefined;
        // On this process's clock, from the answer's arrival: the window ends no earlier than Redis said.
        const { limit, remaining, resetIn, windowMs, members } = answer;
        if (limit > 0) state.seen = { limit, remaining, resetAt: Date.now() + resetIn, windowMs, members };
        return answer.wait;
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
