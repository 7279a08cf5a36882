// The Lua scripts of the shared quota and the refresh lock. Each runs atomically on Redis, on its
// clock (TIME), so that machines whose clocks differ agree. Every script touches only keys of one
// hash tag (`<prefix>:{<hash>}:…`), so they run on a Redis Cluster too.
import { createHash } from 'node:crypto';

export type Script = { source: string; sha: string };
const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') });

/** Largest limit believed, as for X-RateLimit-Limit (@codex/core's MAX_LIMIT). */
export const MAX_LIMIT = 2 ** 31 - 1;
/** Longest window believed: the longest X-RateLimit-Reset @codex/core ever believes, a day. */
export const MAX_WINDOW_MS = 86_400_000;
/** A process counts in the fleet's size while it took a slot within this long (issue 19, item 4). */
export const MEMBER_TTL_MS = 30_000;

// The quota hash is input like a server's answer (issue 19, item 2: `HSET … limit 1 remaining 0
// resetAt 9e15` held every call). Read through `quota()`, it is deleted and read as absent (`bad`
// is 1; the next answer writes it anew) when it holds a limit that is not an integer in
// 1..MAX_LIMIT, a remaining outside 0..limit, a window outside 1 s..a day, a reset further from
// now than its window and a second (no script writes one: a reset is now plus a reset or a
// window), or only part of a window. A reset in the past is a window that rolled over.
const READ = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function int(v, lo, hi)
  local n = tonumber(v)
  if n and n == math.floor(n) and n >= lo and n <= hi then return n end
end
local function quota(key)
  local h = redis.call('HMGET', key, 'limit', 'remaining', 'resetAt', 'windowMs', 'guessed', 'late', 'early', 'earlySince', 'pending', 'carried')
  local q = { guessed = h[5] == '1' }
  q.limit = int(h[1], 1, ${MAX_LIMIT})
  q.windowMs = int(h[4], 1000, ${MAX_WINDOW_MS})
  q.remaining = q.limit and int(h[2], 0, q.limit)
  q.resetAt = q.windowMs and int(h[3], 0, now + q.windowMs + 1000)
  q.late = int(h[6] or 0, 0, q.limit or 0)
  q.early = int(h[7] or 0, 0, ${MAX_LIMIT})
  q.earlySince = int(h[8] or 0, 0, now + 1000)
  q.pending = int(h[9] or 0, 0, q.limit or 0)
  q.carried = int(h[10] or 0, 0, q.limit or 0)
  local any = h[1] or h[2] or h[3] or h[4]
  local whole = q.limit and q.remaining and q.resetAt and q.windowMs
  if (any and not whole) or not q.late or not q.early or not q.earlySince or not q.pending or not q.carried then
    redis.call('DEL', key)
    return { late = 0, early = 0, earlySince = 0, pending = 0, carried = 0, guessed = false }, 1
  end
  return q, 0
end
`;

// KEYS: the quota hash, the fleet's members (a sorted set: member id -> Redis time last seen).
// ARGV: this process's member id. Answers { wait, bad, limit, remaining, resetIn, windowMs,
// members }: ms to wait (0: the slot is taken), 1 when the hash was out of bounds and rewritten,
// then the window as it stands (limit 0 while the server has not said it) and the fleet's size,
// which the process keeps to pace at its share while Redis is away.
// Windowed quota in one hash per key: limit (the server's), remaining, resetAt and windowMs (ms,
// on Redis's clock), `guessed` (1 after a rollover the server has not confirmed), and `late`:
// slots taken in the last second of a window. Those requests may reach the server after its window
// ended, and count in its next one: the next window starts without them. Otherwise the same rules
// as @codex/core's RateLimiter, fleet-wide. Before the server has said its limit, a slot is free,
// but counted in `early` (over the last 10 s): those requests may still be in flight when the
// first answer comes, and the first window starts without them (six processes started at once
// otherwise over-send by up to one each).
// And `pending`: slots taken in this window and not answered yet, `carried`: those of the window
// before (each answer takes one off, the older first). A request may reach the server seconds
// after its slot was taken (a fleet opening hundreds of connections at once: the bench's many
// keys, 150 to 250 × 429, all in the keys' second window), so in the server's next window: a new
// window starts without the slots still in flight (or the `late` ones, if more), as @codex/core's
// RateLimiter does with its own, and answers in it count the carried ones as still to come. A slot
// never answered (a timed-out request, an answer without X-RateLimit-*) is held back from the next
// window only, and from none after a whole window without a request.
export const TAKE = script(`${READ}
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - ${MEMBER_TTL_MS})
redis.call('PEXPIRE', KEYS[2], ${MEMBER_TTL_MS})
local members = redis.call('ZCARD', KEYS[2])
local q, bad = quota(KEYS[1])
if not q.limit then
  local early, since = q.early, q.earlySince
  if now - since > 10000 then early, since = 0, now end
  redis.call('HSET', KEYS[1], 'early', math.min(early + 1, ${MAX_LIMIT}), 'earlySince', since)
  redis.call('PEXPIRE', KEYS[1], 60000)
  return { 0, bad, 0, 0, 0, 0, members }
end
local limit, remaining, resetAt, windowMs, late = q.limit, q.remaining, q.resetAt, q.windowMs, q.late
local pending, carried = q.pending, q.carried
if now >= resetAt then
  if now >= resetAt + windowMs then pending = 0 end
  remaining = math.max(0, limit - math.max(late, pending))
  late, pending, carried = 0, 0, pending
  resetAt = now + windowMs
  redis.call('HSET', KEYS[1], 'guessed', 1)
end
local wait = 0
if remaining >= 1 then
  remaining = remaining - 1
  pending = math.min(pending + 1, limit)
  if resetAt - now < 1000 then late = late + 1 end
else
  wait = resetAt - now
end
redis.call('HSET', KEYS[1], 'remaining', remaining, 'resetAt', resetAt, 'late', late, 'pending', pending, 'carried', carried)
redis.call('PEXPIRE', KEYS[1], windowMs * 2 + 60000)
return { wait, bad, limit, remaining, resetAt - now, windowMs, members }`);

// KEYS: the quota hash. ARGV: the server's limit (0 when it did not say), remaining, and ms to its
// window's reset (checked by @codex/core and again by the caller). Answers 1 when the hash was
// out of bounds and rewritten, else 0.
// The reset is in whole seconds rounded up: each answer bounds the window's end from above, so
// within a window the earliest bound wins; after a rollover, the first answer replaces the guess.
// Which window an answer is from, by the end it states (as in @codex/core's RateLimiter): within
// half a window of resetAt, the current one (answers read late by a busy process state later
// ends); half a window later, the next; half a window earlier, the one before (sent before the
// rollover, answered after), which is left out: its "0 left, reset in 1 s" would end the current
// window early and give a whole limit more.
// An answer from a window this hash does not know yet (the first ever, or the server's next one
// before this hash rolled over) says nothing of requests still in flight: the slots that may be
// (`early` ones but the answered one, or `late` ones) are not given again.
export const OBSERVE = script(`${READ}
local q, bad = quota(KEYS[1])
local said, left, resetMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local limit = said > 0 and said or q.limit
if not limit then return bad end
local remaining, resetAt, late = q.remaining, q.resetAt, q.late
-- This answer's slot is no longer in flight: the oldest one's, as far as can be told.
local pending, carried = q.pending, q.carried
if carried > 0 then carried = carried - 1 else pending = math.max(0, pending - 1) end
local windowMs = math.max(q.windowMs or 0, resetMs, 1000)
local estimate = now + resetMs
local margin = math.max(windowMs / 2, 1500)
if resetAt and estimate < resetAt - margin then return bad end
if not resetAt then
  remaining, resetAt, late = math.max(0, left - math.max(0, q.early - 1)), estimate, 0
elseif estimate > resetAt + margin then
  remaining, resetAt, late = math.max(0, left - math.max(late, pending)), estimate, 0
  pending, carried = 0, pending
else
  remaining = math.min(remaining, math.max(0, left - pending - carried))
  if q.guessed then resetAt = estimate else resetAt = math.min(resetAt, estimate) end
end
remaining, late = math.min(remaining, limit), math.min(late, limit)
pending, carried = math.min(pending, limit), math.min(carried, limit)
redis.call('HSET', KEYS[1], 'limit', limit, 'remaining', remaining, 'resetAt', resetAt, 'windowMs', windowMs, 'guessed', 0, 'late', late, 'early', 0, 'pending', pending, 'carried', carried)
redis.call('PEXPIRE', KEYS[1], windowMs * 2 + 60000)
return bad`);

/** KEYS: the lock. ARGV: its owner. Lets go of the lock if this owner still holds it. */
export const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** KEYS: the lock. ARGV: its owner, a TTL in ms. Extends the lock if this owner still holds it. */
export const RENEW = script(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`,
);
