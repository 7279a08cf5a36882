// How redisSharing talks to Redis: each command within a deadline, Redis left alone for a while
// after a failure, scripts by their SHA-1, and one warning per outage-prone instance.
import type { Logger } from '@codex/core';
import type { Cluster, Redis } from 'ioredis';
import type { Script } from './scripts';

export type Connection = {
  /** A Redis command within its deadline; rejects at once while Redis is left alone after a failure. */
  command<T>(send: () => Promise<T>): Promise<T>;
  /** A script of ./scripts on keys of one hash tag, within its deadline. */
  run(script: Script, keys: string[], ...args: Array<string | number>): Promise<unknown>;
  /** Tells the Client's logger once, whichever part (token, lock, quota) meets a failure first. */
  failed(error: unknown): void;
  /** The Client's logger, learnt from the first coordinateRefresh or quota call (before any failure). */
  logger: Logger | undefined;
};

type Settings = { timeout: number; startTimeout: number; retryAfter: number };

export function connection(redis: Redis | Cluster, { timeout, startTimeout, retryAfter }: Settings): Connection {
  let downUntil = 0;
  let ready = false;
  let readying: Promise<void> | undefined;
  // Until the connection is first ready, a command must wait for it (up to `startTimeout`): with
  // `enableOfflineQueue: false` ioredis refuses commands sent before then, and processes started
  // at once would each fall back to their own token and their whole quota (issue 19, item 1: 9 ×
  // 429 and 8 token requests instead of 0 and 3). With its offline queue (the default) ioredis
  // waits itself, and keeps the order of all commands sent on the connection, the caller's too.
  const queues = (redis as { options?: { enableOfflineQueue?: boolean } }).options?.enableOfflineQueue !== false;
  const whenReady = () => {
    readying ??= new Promise<void>((resolve) => {
      redis.once('ready', () => resolve());
      // A lazyConnect instance connects on its first command, as ioredis does on its own.
      if (redis.status === 'wait') redis.connect().catch(() => {});
    });
    return readying;
  };

  const command = async <T>(send: () => Promise<T>): Promise<T> => {
    if (Date.now() < downUntil) throw new Error('Redis failed a moment ago');
    ready ||= redis.status === 'ready';
    const starting = !ready;
    // A connection closed for good ('end') fails its commands at once: nothing to wait for.
    const waiting = starting && !queues && redis.status !== 'end';
    // Every timer of the SDK is clamped below 2^31 - 1 ms: a longer one fires at once (issue 18).
    const limit = Math.min(starting ? Math.max(timeout, startTimeout) : timeout, 2 ** 31 - 1);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let late = false;
    try {
      return await Promise.race([
        // Not sent once its deadline has passed: nothing reaches Redis after the caller gave up.
        waiting ? whenReady().then(() => (late ? Promise.reject(new Error('late')) : send())) : send(),
        new Promise<never>((_, reject) => {
          // After the poll phase (setImmediate): an event loop that was busy past the deadline
          // (a loaded machine) reads an answer already there before calling it a timeout.
          timer = setTimeout(
            () =>
              setImmediate(() => {
                late = true;
                reject(new Error(`Redis did not answer within ${limit} ms`));
              }),
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

  // A script by its SHA-1 (EVALSHA): the quota's run on every request. Sent in full (EVAL) the
  // first time, so that it runs in order with the commands sent after it (the first answer's
  // OBSERVE before the token written next: a falling back EVAL would come after it), and when
  // Redis no longer has it (NOSCRIPT: restarted).
  const sent = new Set<string>();
  const run = (script: Script, keys: string[], ...args: Array<string | number>) =>
    command(() => {
      if (!sent.has(script.sha)) {
        sent.add(script.sha);
        return redis.eval(script.source, keys.length, ...keys, ...args);
      }
      return redis.evalsha(script.sha, keys.length, ...keys, ...args).catch((error: Error) => {
        if (!String(error?.message).startsWith('NOSCRIPT')) throw error;
        return redis.eval(script.source, keys.length, ...keys, ...args);
      });
    });

  let warned = false;
  const self: Connection = {
    command,
    run,
    logger: undefined,
    failed(error) {
      if (warned) return;
      warned = true;
      self.logger?.warn?.(
        `codex: Redis failed (${(error as Error)?.message}); tokens and pacing are per process until it answers`,
      );
    },
  };
  return self;
}
