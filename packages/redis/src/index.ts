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
import { createHash } from 'node:crypto';
import { type ClientSettings, refreshThroughStore, type StoredToken, type TokenStore } from '@codex/core';
import type { Cluster, Redis } from 'ioredis';
import { connection as connect } from './connection';
import { redisRefreshLock } from './refresh-lock';
import { redisSharedQuota } from './shared-quota';

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
   * Longest wait, until the connection is first ready (a Cluster discovers its slots first), for
   * it to be ready and a command to answer, in ms, so that processes that start at once share
   * their first token and quota too. Holds with ioredis's `enableOfflineQueue` on or off: with it
   * off, commands wait for the connection's `ready` rather than being refused.
   * @default 3000
   */
  startTimeout?: number;
};

/** What `redisSharing` returns: Client options, to spread into `new Client({...})`. */
export type RedisSharing = Required<Pick<ClientSettings, 'tokenStore' | 'coordinateRefresh' | 'sharedQuota'>>;

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
  // Keys hold a hash of the SDK's key, never a secret. The quota's key is the base URL and the
  // identity (`<baseUrl>|<clientId>`: the API's limit is per client ID); a token's key starts
  // with it, then a digest of the credential and the scope (`<baseUrl>|<clientId>#<digest>|<scope>`).
  // The hash tag (in braces) is a hash of that common start, so that all of one key's keys share
  // a Cluster slot (issue 19: the token and its lock lived in another slot than the quota); the
  // whole key's hash follows it when it differs. Hashed once per SDK key: the quota's keys are
  // needed on every request.
  const names = new Map<string, string>();
  const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
  const keyOf = (key: string, kind: 'token' | 'lock' | 'quota' | 'members') => {
    let name = names.get(key);
    if (!name) {
      // Up to the second '|', then up to the first '#': the same for a token's key as for its quota's.
      const tag = digest(key.split('|').slice(0, 2).join('|').split('#')[0] as string);
      const hash = digest(key);
      name = `${prefix}:{${tag}}${hash === tag ? '' : `:${hash}`}`;
      names.set(key, name);
    }
    return `${name}:${kind}`;
  };
  const connection = connect(redis, { timeout, startTimeout, retryAfter });
  const { command, failed } = connection;

  // Best effort: a failure is reported once and the Client keeps the token in memory.
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

  const refreshThroughRedis = refreshThroughStore(
    tokenStore,
    redisRefreshLock(redis, connection, (key) => keyOf(key, 'lock')),
  );
  const coordinateRefresh: RedisSharing['coordinateRefresh'] = (key, fetchToken, context) => {
    connection.logger ??= context?.logger;
    return refreshThroughRedis(key, fetchToken, context);
  };

  return { tokenStore, coordinateRefresh, sharedQuota: redisSharedQuota(connection, keyOf) };
}
