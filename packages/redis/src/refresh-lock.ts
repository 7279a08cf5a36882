// The fleet's refresh lock: one key per SDK key, held by one process while it requests a token.
import { randomUUID } from 'node:crypto';
import { type RefreshLock, RefreshLockBusy } from '@codex/core';
import type { Cluster, Redis } from 'ioredis';
import type { Connection } from './connection';
import { RENEW, UNLOCK } from './scripts';

/**
 * The lock's TTL. Short, and renewed while the holder's token request runs: a holder that died
 * (SIGKILL, a crashed machine) makes the others wait at most this long (issue 19, item 3: with a
 * 15-s lock, up to 15 s).
 */
export const LOCK_MS = 1500;
/** How often the holder renews its lock: three chances before it would expire. */
const RENEW_MS = 400;
/** Longest a refresh waits for another process's (then it goes ahead: no call fails for Redis's sake). */
const LOCK_WAIT_MS = 20_000;
/**
 * Waiters poll the lock from every 50 ms up to every 250 ms (doubling, jittered): a fleet of many
 * keys waiting at once polled 7,000 times a second at a fixed 50 ms (the bench's many keys), which
 * slowed the token requests they waited for.
 */
const LOCK_POLL_MS = 50;
const LOCK_POLL_MAX_MS = 250;

/**
 * A RefreshLock in Redis (`SET lock owner NX PX LOCK_MS`):
 * - The holder renews it every RENEW_MS while its request runs (PEXPIRE, only if it still owns
 *   it), and deletes it when done (only if it still owns it).
 * - The others poll it (LOCK_POLL_MS, backing off to LOCK_POLL_MAX_MS), then read the token the
 *   holder wrote.
 * - A holder whose event loop stalls past LOCK_MS loses the lock: another process may then
 *   request a token too, which costs a token request, never a call.
 * - Without Redis, the refresh goes ahead without the lock (reported once by the connection).
 */
export function redisRefreshLock(redis: Redis | Cluster, connection: Connection, lockKey: (key: string) => string) {
  const lock: RefreshLock = async (key, wait, fn) => {
    const name = lockKey(key);
    const owner = randomUUID();
    const giveUpAt = Date.now() + LOCK_WAIT_MS;
    let poll = LOCK_POLL_MS;
    for (;;) {
      let taken: unknown;
      let setting: Promise<unknown> | undefined;
      try {
        taken = await connection.command(() => {
          setting = redis.set(name, owner, 'PX', LOCK_MS, 'NX');
          return setting;
        });
      } catch (error) {
        // ioredis may still send it later (its offline queue): let go of a lock taken that late.
        setting?.then((late) => late === 'OK' && redis.eval(UNLOCK, 1, name, owner)).catch(() => {});
        // No lock to be had: refresh without it (reported once).
        connection.failed(error);
        return fn();
      }
      if (taken === 'OK') break;
      if (!wait || Date.now() > giveUpAt) throw new RefreshLockBusy();
      // The holder writes the token, then lets go: the next try finds the lock free and the
      // token in Redis (refreshThroughStore reads it before fetching).
      await new Promise((resolve) => setTimeout(resolve, poll * (0.5 + Math.random() / 2)));
      poll = Math.min(LOCK_POLL_MAX_MS, poll * 2);
    }
    let renewing = false;
    const renewal = setInterval(() => {
      if (renewing) return;
      renewing = true;
      connection
        .run(RENEW, [name], owner, LOCK_MS)
        .catch(connection.failed)
        .finally(() => {
          renewing = false;
        });
    }, RENEW_MS);
    // A background refresh must not hold the process open for its lock's sake.
    renewal.unref?.();
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      await connection.command(() => redis.eval(UNLOCK, 1, name, owner)).catch(() => {});
    }
  };
  return lock;
}
