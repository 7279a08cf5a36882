import { afterEach } from 'vitest';
// @ts-expect-error: a plain .mjs module of the repository's scripts, without types.
import { startRedis as start } from '../../../scripts/redis-server.mjs';

export type RunningRedis = { url: string; port: number; stop(): Promise<void>; start(): Promise<void> };

const running: RunningRedis[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

/** Debian's redis-server on a free port of 127.0.0.1 (scripts/redis-server.mjs); stopped after the test. */
export async function startRedis(options: { cluster?: boolean } = {}): Promise<RunningRedis> {
  const redis: RunningRedis = await start(options);
  running.push(redis);
  return redis;
}
