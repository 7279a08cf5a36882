/**
 * @codex/redis: one Codex API key's token and request quota, shared by every process that uses
 * the key, on any number of machines, through Redis.
 *
 * ```js
 * const client = new Client({ apiKey: process.env.CODEX_API_KEY, ...redisSharing(new Redis(process.env.REDIS_URL)) });
 * ```
 *
 * @module @codex/redis
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type ClientSettings,
  type Logger,
  type QuotaContext,
  RefreshLockBusy,
  refreshThroughStore,
  type SharedQuota,
  type StoredToken,
  type TokenStore,
} from '@codex/core';
import type { Cluster, Redis } from 'ioredis';

export type RedisSharingOptions = {
  /** Prefix of every key written (`<prefix>:{<hash>}:token`...), so that apps can share a Redis. @default 'codex' */
  prefix?: string;
  /**
   * Longest wait for one Redis command, in ms. Past it (or on any Redis error) the call goes on
   * with this process's own token and pacing, and Redis is left alone for `retryAfter` ms.
   * @default 1000
   */
  timeout?: number;
  /** How long to leave Redis alone after a failure, in ms (then sharing resumes if it answers). @default 5000 */
  retryAfter?: number;
  /**
   * Longest wait for a command while the connection is first being made (a Cluster discovers its
   * slots first), in ms, so that processes that start at once share their first token too.
   * @default 3000
   */
  startTimeout?: number;
};

/** What `redisSharing` returns: Client options, to spread into `new Client({...})`. */
export type RedisSharing = Required<Pick<ClientSettings, 'tokenStore' | 'coordinateRefresh' | 'sharedQuota'>>;

/** Longest a refresh holds the lock (a token request with its retries); a holder that died frees it then. */
const LOCK_MS = 15_000;
/** Longest a refresh waits for another process's (then it goes ahead: no call fails for Redis's sake). */
const LOCK_WAIT_MS = 20_000;
const LOCK_POLL_MS = 50;

// Windowed quota in one hash per key: limit (the server's), remaining, resetAt and windowMs (ms,
// on Redis's clock, so that machines whose clocks differ agree), `guessed` (1 after a rollover
// the server has not confirmed), and `late`: slots taken in the last second of a window. Those
// requests may reach the server after its window ended, and count in its next one: the next
// window starts without them. Otherwise the same rules as @codex/core's RateLimiter, fleet-wide.
// Before the server has said its limit, a slot is free, but counted in `early` (over the last
// 10 s): those requests may still be in flight when the first answer comes, and the first window
// starts without them (six processes started at once otherwise over-send by up to one each).
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h = redis.call('HMGET', KEYS[1], 'limit', 'remaining', 'resetAt', 'windowMs', 'late', 'early', 'earlySince')
local limit = tonumber(h[1])
if not limit then
  local early, since = tonumber(h[6]) or 0, tonumber(h[7]) or 0
  if now - since > 10000 then early, since = 0, now end
  redis.call('HSET', KEYS[1], 'early', early + 1, 'earlySince', since)
  redis.call('PEXPIRE', KEYS[1], 60000)
  return 0
end
local remaining, resetAt, windowMs, late = tonumber(h[2]), tonumber(h[3]), tonumber(h[4]), tonumber(h[5]) or 0
if now >= resetAt then
  remaining = math.max(0, limit - late)
  late = 0
  resetAt = now + windowMs
  redis.call('HSET', KEYS[1], 'guessed', 1)
end
local wait = 0
if remaining >= 1 then
  remaining = remaining - 1
  if resetAt - now < 1000 then late = late + 1 end
else
  wait = resetAt - now
end
redis.call('HSET', KEYS[1], 'remaining', remaining, 'resetAt', resetAt, 'late', late)
redis.call('PEXPIRE', KEYS[1], windowMs * 2 + 60000)
return wait`;

// ARGV: the server's limit (0 when it did not say), remaining, and ms to its window's reset. The
// reset is in whole seconds rounded up: each answer bounds the window's end from above, so within
// a window the earliest bound wins; after a rollover, the first answer replaces the guess.
// Which window an answer is from, by the end it states (as in @codex/core's RateLimiter): within
// half a window of resetAt, the current one (answers read late by a busy process state later
// ends); half a window later, the next; half a window earlier, the one before (sent before the
// rollover, answered after), which is left out: its "0 left, reset in 1 s" would end the current
// window early and give a whole limit more.
// An answer from a window this hash does not know yet (the first ever, or the server's next one
// before this hash rolled over) says nothing of requests still in flight: the slots that may be
// (`early` ones but the answered one, or `late` ones) are not given again.
const OBSERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h = redis.call('HMGET', KEYS[1], 'limit', 'remaining', 'resetAt', 'windowMs', 'guessed', 'late', 'early')
local said, left, resetMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local limit = said > 0 and said or tonumber(h[1])
if not limit then return 0 end
local remaining, resetAt, late = tonumber(h[2]), tonumber(h[3]), tonumber(h[6]) or 0
local windowMs = math.max(tonumber(h[4]) or 0, resetMs, 1000)
local estimate = now + resetMs
local margin = math.max(windowMs / 2, 1500)
if resetAt and estimate < resetAt - margin then return 0 end
if not resetAt then
  remaining, resetAt, late = math.max(0, left - math.max(0, (tonumber(h[7]) or 0) - 1)), estimate, 0
elseif estimate > resetAt + margin then
  remaining, resetAt, late = math.max(0, left - late), estimate, 0
else
  remaining = math.min(remaining, left)
  if h[5] == '1' then resetAt = estimate else resetAt = math.min(resetAt, estimate) end
end
redis.call('HSET', KEYS[1], 'limit', limit, 'remaining', remaining, 'resetAt', resetAt, 'windowMs', windowMs, 'guessed', 0, 'late', late, 'early', 0)
redis.call('PEXPIRE', KEYS[1], windowMs * 2 + 60000)
return 0`;

const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');
const TAKE_SHA = sha1(TAKE);
const OBSERVE_SHA = sha1(OBSERVE);

const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Client options that share, through `redis` (an ioredis `Redis` or `Cluster`), one key's token
 * (one refresh for the whole fleet, under a Redis lock) and its request quota (a window in Redis
 * that follows the API's X-RateLimit-* answers). If Redis is unreachable or slow, calls go on with
 * per-process tokens and pacing, a warning goes to the Client's logger once, and sharing resumes
 * when Redis answers again: no call fails because of Redis.
 */
export function redisSharing(redis: Redis | Cluster, options: RedisSharingOptions = {}): RedisSharing {
  // A second: a loaded machine (a busy event loop) is not mistaken for a Redis outage; during one,
  // a call pays it once per `retryAfter`.
  const { prefix = 'codex', timeout = 1000, retryAfter = 5000, startTimeout = 3000 } = options;
  if (typeof prefix !== 'string' || !/^[\w.:-]{1,64}$/.test(prefix))
    throw new TypeError('prefix must be 1 to 64 letters, digits, or any of _ . : -');
  if (!redis || typeof (redis as Redis).eval !== 'function' || typeof (redis as Redis).set !== 'function')
    throw new TypeError('redisSharing(redis): redis must be an ioredis Redis or Cluster instance.');
  // Keys hold a hash of the SDK's key (base URL, client ID, a digest of the credential, scope),
  // never a secret; in braces, a hash tag, so that a key's token and lock share a Cluster slot.
  // Hashed once per SDK key: the quota's keys are needed on every request.
  const hashes = new Map<string, string>();
  const keyOf = (key: string, kind: 'token' | 'lock' | 'quota') => {
    let hash = hashes.get(key);
    if (!hash) {
      hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
      hashes.set(key, hash);
    }
    return `${prefix}:{${hash}}:${kind}`;
  };
  // A script by its SHA-1 (EVALSHA): TAKE and OBSERVE run on every request. Sent in full (EVAL)
  // the first time, so that it runs in order with the commands sent after it (the first answer's
  // OBSERVE before the token written next: a falling back EVAL would come after it), and when
  // Redis no longer has it (NOSCRIPT: restarted).
  const sent = new Set<string>();
  const run = (script: string, sha: string, key: string, ...args: Array<string | number>) => {
    if (!sent.has(sha)) {
      sent.add(sha);
      return redis.eval(script, 1, key, ...args);
    }
    return redis.evalsha(sha, 1, key, ...args).catch((error: Error) => {
      if (!String(error?.message).startsWith('NOSCRIPT')) throw error;
      return redis.eval(script, 1, key, ...args);
    });
  };

  let downUntil = 0;
  let ready = false;
  /** A Redis command within `timeout`; rejects at once while Redis is left alone after a failure. */
  const command = async <T>(run: () => Promise<T>): Promise<T> => {
    if (Date.now() < downUntil) throw new Error('Redis failed a moment ago');
    ready ||= redis.status === 'ready';
    // Every timer of the SDK is clamped below 2^31 - 1 ms: a longer one fires at once (issue 18).
    const limit = Math.min(ready ? timeout : Math.max(timeout, startTimeout), 2 ** 31 - 1);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        run(),
        new Promise<never>((_, reject) => {
          // After the poll phase (setImmediate): an event loop that was busy past the deadline
          // (a loaded machine) reads an answer already there before calling it a timeout.
          timer = setTimeout(
            () => setImmediate(() => reject(new Error(`Redis did not answer within ${limit} ms`))),
            limit,
          );
        }),
      ]);
    } catch (error) {
      downUntil = Date.now() + retryAfter;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  // One warning per outage-prone instance, whichever part meets the failure first: the Client's
  // logger is learnt from the first coordinateRefresh or quota call, which come before any failure.
  let logger: Logger | undefined;
  let warned = false;
  const failed = (error: unknown) => {
    if (warned) return;
    warned = true;
    logger?.warn?.(
      `codex: Redis failed (${(error as Error)?.message}); tokens and pacing are per process until it answers`,
    );
  };

  // Best effort: a failure is reported once (above) and the Client keeps the token in memory.
  const tokenStore: TokenStore = {
    async get(key) {
      const text = await command(() => redis.get(keyOf(key, 'token'))).catch(failed);
      if (!text) return undefined;
      try {
        return JSON.parse(text) as StoredToken;
      } catch {
        return undefined;
      }
    },
    async set(key, token) {
      // Gone from Redis before it expires: a process never reads a token about to be refused.
      const ttl = Math.floor(token.expiresAt - Date.now() - Math.min(30_000, token.lifetimeMs * 0.05));
      if (ttl <= 0) return;
      await command(() => redis.set(keyOf(key, 'token'), JSON.stringify(token), 'PX', ttl)).catch(failed);
    },
    async delete(key) {
      await command(() => redis.del(keyOf(key, 'token'))).catch(failed);
    },
  };

  const refreshThroughRedis = refreshThroughStore(tokenStore, async (key, wait, fn) => {
    const lock = keyOf(key, 'lock');
    const owner = randomUUID();
    const giveUpAt = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      let taken: unknown;
      let setting: Promise<unknown> | undefined;
      try {
        taken = await command(() => {
          setting = redis.set(lock, owner, 'PX', LOCK_MS, 'NX');
          return setting;
        });
      } catch (error) {
        // ioredis may still send it later (its offline queue): let go of a lock taken that late.
        setting?.then((late) => late === 'OK' && redis.eval(UNLOCK, 1, lock, owner)).catch(() => {});
        // No lock to be had: refresh without it (reported once, above).
        failed(error);
        return fn();
      }
      if (taken === 'OK') break;
      if (!wait || Date.now() > giveUpAt) throw new RefreshLockBusy();
      // The holder writes the token, then lets go: the next try finds the lock free and the
      // token in Redis (refreshThroughStore reads it before fetching).
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
    try {
      return await fn();
    } finally {
      await command(() => redis.eval(UNLOCK, 1, lock, owner)).catch(() => {});
    }
  });
  const coordinateRefresh: RedisSharing['coordinateRefresh'] = (key, fetchToken, context) => {
    logger ??= context?.logger;
    return refreshThroughRedis(key, fetchToken, context);
  };

  const sharedQuota: SharedQuota = {
    async take(key: string, context: QuotaContext) {
      logger ??= context.logger;
      try {
        const wait = Number(await command(() => run(TAKE, TAKE_SHA, keyOf(key, 'quota'))));
        return wait > 0 ? wait : 0;
      } catch (error) {
        failed(error);
        return 0;
      }
    },
    observe(key: string, headers: Headers) {
      const remaining = Number(headers.get('x-ratelimit-remaining') ?? Number.NaN);
      const reset = Number(headers.get('x-ratelimit-reset') ?? Number.NaN);
      if (!(remaining >= 0) || !(reset >= 0)) return;
      const limit = Number(headers.get('x-ratelimit-limit'));
      command(() =>
        run(OBSERVE, OBSERVE_SHA, keyOf(key, 'quota'), limit > 0 ? limit : 0, remaining, Math.round(reset * 1000)),
      ).catch(failed);
    },
  };

  return { tokenStore, coordinateRefresh, sharedQuota };
}
