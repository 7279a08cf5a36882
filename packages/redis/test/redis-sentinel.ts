import Redis from 'ioredis';
import { afterEach } from 'vitest';
// @ts-expect-error: a plain .mjs module of the repository's scripts, without types.
import { startRedisSentinel as start } from '../../../scripts/redis-sentinel.mjs';
import { closing } from './fleet';

// A real Redis Sentinel deployment (scripts/redis-sentinel.mjs): a master, its replicas, and
// sentinels that fail it over to a replica when it dies.

export type SentinelNode = { port: number; url: string; kill(): Promise<void> };
export type RunningSentinel = {
  /** The master's name, as the sentinels monitor it. */
  name: string;
  /** The master it started with. */
  master: SentinelNode;
  replicas: SentinelNode[];
  sentinelNodes: SentinelNode[];
  sentinels: Array<{ host: string; port: number }>;
  /** The master's port, as the sentinels say. */
  masterPort(): Promise<number>;
  /** Every process's log. */
  logs(): string;
  stop(): Promise<void>;
};

const running: RunningSentinel[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

/**
 * A master with `replicas` replicas (one by default), watched by three sentinels (quorum 2,
 * down-after-milliseconds 1 s); stopped after the test.
 */
export async function startSentinel(options: { replicas?: number } = {}): Promise<RunningSentinel> {
  const sentinel: RunningSentinel = await start(options);
  running.push(sentinel);
  return sentinel;
}

/** An ioredis client of the master, found through the sentinels, default settings; dropped after the test. */
export function connectSentinel(sentinel: RunningSentinel, Implementation: typeof Redis = Redis): Redis {
  const client = new Implementation({ sentinels: sentinel.sentinels, name: sentinel.name });
  client.on('error', () => {});
  closing.push(() => client.disconnect());
  return client;
}
