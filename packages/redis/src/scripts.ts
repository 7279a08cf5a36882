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
//
// Fields: limit (the server's), remaining, resetAt and windowMs (ms, on Redis's clock), `guessed`
// (1 after a rollover the server has not confirmed), and:
// - `late`: slots taken in the last second of a window. Those requests may reach the server after
//   its window ended, and count in its next one: the next window starts without them.
// - `early` (over the last 10 s): slots taken before the server said its limit. Those requests may
//   still be in flight when the first answer comes, and the first window starts without them (six
//   processes started at once otherwise over-send by up to one each).
// - `pending`: slots taken in this window and not answered yet, `carried`: those of the window
//   before (each answer takes one off, the older first). A request may reach the server seconds
//   after its slot was taken (a fleet opening hundreds of connections at once: the bench's many
//   keys, 150 to 250 × 429, all in the keys' second window), so in the server's next window: a new
//   window starts without the slots still in flight (or the `late` ones, if more). A slot never
//   answered (a timed-out request, an answer without X-RateLimit-*) is held back from the next
//   window only, and from none after a whole window without a request.
// - `queued`: slots of the next window promised to callers that found this one used up (TAKE).
//   They are sent at its start without asking again: a wait costs no round trip (issue 19: ≤ 2
//   commands per API call; asking again at the window's start cost the bench's many keys 3 script
//   runs per call, and a herd of every waiter at once). The next window starts without them.
// Otherwise the same rules as @codex/core's RateLimiter, fleet-wide.
const READ = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function int(v, lo, hi)
  local n = tonumber(v)
  if n and n == math.floor(n) and n >= lo and n <= hi then return n end
end
local FIELDS = { 'limit', 'remaining', 'resetAt', 'windowMs', 'guessed', 'late', 'early', 'earlySince', 'pending', 'carried', 'queued' }
local function quota(key)
  local h = redis.call('HMGET', key, unpack(FIELDS))
  local q = { guessed = h[5] == '1' and 1 or 0 }
  q.limit = int(h[1], 1, ${MAX_LIMIT})
  q.windowMs = int(h[4], 1000, ${MAX_WINDOW_MS})
  q.remaining = q.limit and int(h[2], 0, q.limit)
  q.resetAt = q.windowMs and int(h[3], 0, now + q.windowMs + 1000)
  q.late = int(h[6] or 0, 0, q.limit or 0)
  q.early = int(h[7] or 0, 0, ${MAX_LIMIT})
  q.earlySince = int(h[8] or 0, 0, now + 1000)
  q.pending = int(h[9] or 0, 0, q.limit or 0)
  q.carried = int(h[10] or 0, 0, q.limit or 0)
  q.queued = int(h[11] or 0, 0, q.limit or 0)
  local any = h[1] or h[2] or h[3] or h[4]
  local whole = q.limit and q.remaining and q.resetAt and q.windowMs
  if (any and not whole) or not (q.late and q.early and q.earlySince and q.pending and q.carried and q.queued) then
    redis.call('DEL', key)
    return { late = 0, early = 0, earlySince = 0, pending = 0, carried = 0, queued = 0, guessed = 0 }, 1
  end
  return q, 0
end
-- A window that ended rolls over, on a guessed end (the server's next answer says the true one):
-- it starts without the slots still in flight or taken late, and with the slots promised to it.
-- After a whole window without a request, nothing is in flight or promised any more.
local function roll(q)
  if not (q.limit and q.resetAt) or now < q.resetAt then return end
  local idle = now >= q.resetAt + q.windowMs
  local pending = idle and 0 or q.pending
  local promised = idle and 0 or q.queued
  q.remaining = math.max(0, q.limit - math.max(q.late, pending) - promised)
  q.late, q.carried, q.pending, q.queued = 0, pending, promised, 0
  q.resetAt, q.guessed = now + q.windowMs, 1
end
local function save(key, q)
  local values = {}
  for i, name in ipairs(FIELDS) do
    if q[name] then
      values[#values + 1] = name
      values[#values + 1] = q[name]
    end
  end
  redis.call('HSET', key, unpack(values))
  redis.call('PEXPIRE', key, (q.windowMs or 30000) * 2 + 60000)
end
`;

// KEYS: the quota hash, the fleet's members (a sorted set: member id -> Redis time last seen).
// ARGV: this process's member id, the longest the caller waits for a slot (ms). Answers { wait,
// bad, limit, remaining, resetIn, windowMs, members, promised }: ms to wait (0: the slot is taken
// now), 1 when the hash was out of bounds and rewritten, then the window as it stands (limit 0
// while the server has not said it) and the fleet's size, which the process keeps to pace at its
// share while Redis is away; `promised` is 1 when the slot is taken in the next window, which
// starts in `wait` ms: the caller sends then, without asking again. A slot is promised only on an
// end the server confirmed (a guessed one may be early), within the caller's longest wait, and
// while the next window has room; else the caller asks again after `wait`.
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
  return { 0, bad, 0, 0, 0, 0, members, 0 }
end
roll(q)
local wait, promised = 0, 0
if q.remaining >= 1 then
  q.remaining = q.remaining - 1
  q.pending = math.min(q.pending + 1, q.limit)
  if q.resetAt - now < 1000 then q.late = q.late + 1 end
else
  wait = q.resetAt - now
  if q.guessed == 0 and wait <= tonumber(ARGV[2]) and q.queued + q.late < q.limit then
    q.queued, promised = q.queued + 1, 1
  end
end
save(KEYS[1], q)
return { wait, bad, q.limit, q.remaining, q.resetAt - now, q.windowMs, members, promised }`);

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
// Within the current window, what is left is the least of ours and the server's: every slot taken
// in it is either counted by the server already or still to come, and the window started without
// the ones carried from the window before (so the server's count is not lowered by them again:
// that held back one or two slots a window, 13 of 15 sent).
// An answer from a window this hash does not know yet (the first ever, or the server's next one
// before this hash rolled over) says nothing of requests still in flight: the slots that may be
// (`early` ones but the answered one, or `late`, pending or promised ones) are not given again.
export const OBSERVE = script(`${READ}
local q, bad = quota(KEYS[1])
local said, left, resetMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
q.limit = said > 0 and said or q.limit
if not q.limit then return bad end
roll(q)
-- This answer's slot is no longer in flight: the oldest one's, as far as can be told.
if q.carried > 0 then q.carried = q.carried - 1 else q.pending = math.max(0, q.pending - 1) end
q.windowMs = math.max(q.windowMs or 0, resetMs, 1000)
local estimate = now + resetMs
local margin = math.max(q.windowMs / 2, 1500)
if q.resetAt and estimate < q.resetAt - margin then
  save(KEYS[1], q)
  return bad
end
if not q.resetAt then
  q.remaining, q.resetAt, q.late = math.max(0, left - math.max(0, q.early - 1)), estimate, 0
elseif estimate > q.resetAt + margin then
  q.remaining = math.max(0, left - math.max(q.late, q.pending) - q.queued)
  q.resetAt, q.late, q.pending, q.carried, q.queued = estimate, 0, q.queued, q.pending, 0
else
  q.remaining = math.min(q.remaining, left)
  if q.guessed == 1 then q.resetAt = estimate else q.resetAt = math.min(q.resetAt, estimate) end
end
q.remaining, q.late = math.min(q.remaining, q.limit), math.min(q.late, q.limit)
q.pending, q.carried = math.min(q.pending, q.limit), math.min(q.carried, q.limit)
q.guessed, q.early = 0, 0
save(KEYS[1], q)
return bad`);

/** KEYS: the lock. ARGV: its owner. Lets go of the lock if this owner still holds it. */
export const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** KEYS: the lock. ARGV: its owner, a TTL in ms. Extends the lock if this owner still holds it. */
export const RENEW = script(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`,
);
