import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Client } from '@codex/node';
import { describe, expect, it } from 'vitest';
import { redisSharing } from '../src/index';
import { API_KEY, closing, connect, devServer, fleet, summary } from './fleet';
import { startRedis } from './redis-server';

// Issue 19: a fleet that holds in real deployments (items 2 to 4; item 1, `enableOfflineQueue:
// false`, is a case of the fleet test in redis.test.ts).

const LOCK_HOLDER = new URL('./lock-holder.mjs', import.meta.url).pathname;
const keyOf = (key: string, kind: string) =>
  `codex:{${createHash('sha256').update(key).digest('hex').slice(0, 32)}}:${kind}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a quota hash out of bounds (hostile or corrupt)', () => {
  const hour = () => Date.now() + 3_600_000;
  it.each([
    ['a reset 9e15 ms away, no window', () => ['limit', 1, 'remaining', 0, 'resetAt', 9e15]],
    ['a reset 9e15 ms away', () => ['limit', 1, 'remaining', 0, 'resetAt', 9e15, 'windowMs', 60_000]],
    ['a reset 4 windows away', () => ['limit', 1, 'remaining', 0, 'resetAt', Date.now() + 240_000, 'windowMs', 60_000]],
    ['a reset beyond a window of a day', () => ['limit', 1, 'remaining', 0, 'resetAt', hour(), 'windowMs', 1e9]],
    ['a limit that is not a number', () => ['limit', 'abc', 'remaining', 0, 'resetAt', hour(), 'windowMs', 3000]],
    ['a limit over a million', () => ['limit', 1e9, 'remaining', 0, 'resetAt', hour(), 'windowMs', 3000]],
    ['a remaining over the limit', () => ['limit', 10, 'remaining', -1, 'resetAt', hour(), 'windowMs', 3000]],
    ['a start of the first slots in the future', () => ['early', 1e6, 'earlySince', 9e15]],
  ])('%s: is ignored and rewritten, with one warning', async (_, fields) => {
    const redis = connect((await startRedis()).url);
    const { sharedQuota } = redisSharing(redis);
    const logs: string[] = [];
    const logger = { warn: (m: string) => logs.push(`warn ${m}`), debug: (m: string) => logs.push(`debug ${m}`) };
    await redis.hset(keyOf('k', 'quota'), ...fields());
    // No wait: the hash is read as absent, a slot before the first answer is free (and counted).
    expect(await sharedQuota.take('k', { logger })).toBe(0);
    expect(await redis.hgetall(keyOf('k', 'quota'))).toEqual({ early: '1', earlySince: expect.any(String) });
    // An answer writes the window anew.
    sharedQuota.observe(
      'k',
      new Headers({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59', 'x-ratelimit-reset': '3' }),
      {
        logger,
      },
    );
    await redis.ping();
    expect(await redis.hmget(keyOf('k', 'quota'), 'limit', 'remaining', 'windowMs')).toEqual(['60', '59', '3000']);
    // Again: told at debug, not at warn again.
    await redis.hset(keyOf('k', 'quota'), ...fields());
    expect(await sharedQuota.take('k', { logger })).toBe(0);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatch(
      /^warn codex: the shared quota in Redis \(codex:\{[0-9a-f]{32}\}:quota\) held values out of bounds/,
    );
    expect(logs[1]).toMatch(/^debug /);
  });

  it('does not hold or fail the calls of a Client: `limit 1 remaining 0`, reset 4 windows away', async () => {
    const redis = connect((await startRedis()).url);
    const server = await devServer({});
    const warnings: string[] = [];
    const client = new Client({
      apiKey: API_KEY,
      baseUrl: server.url,
      env: {},
      logger: { warn: (m) => warnings.push(m) },
      ...redisSharing(redis),
    });
    await client.documents.list();
    const [quota] = await redis.keys('codex:*:quota');
    // Until now: a wait of 4 minutes, which (over maxRetryDelay) failed every call at once.
    await redis.hset(quota as string, 'limit', 1, 'remaining', 0, 'resetAt', Date.now() + 240_000, 'windowMs', 60_000);
    const started = Date.now();
    await client.documents.list();
    await client.documents.list();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/held values out of bounds/);
    // The answers rewrote it: the server's limit, a reset within its window.
    const [limit, resetAt] = await redis.hmget(quota as string, 'limit', 'resetAt');
    expect(limit).toBe('1000');
    expect(Number(resetAt)).toBeLessThanOrEqual(Date.now() + 61_000);
  });
});

describe('the refresh lock', () => {
  it('of a holder killed (SIGKILL) mid-request holds the next process up for under 2 s', async () => {
    const redis = await startRedis();
    const holder = spawn(process.execPath, [LOCK_HOLDER], {
      env: { ...process.env, REDIS_URL: redis.url, LOCK_KEY: 'lock-test' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    closing.push(() => holder.kill('SIGKILL'));
    holder.stdout.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (chunk: string) => chunk.includes('holding') && resolve());
      holder.on('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)));
    });
    const inspect = connect(redis.url);
    // Held past its TTL: the holder renews the lock while its request runs.
    await sleep(2500);
    expect(await inspect.get(keyOf('lock-test', 'lock'))).not.toBeNull();

    // Another process (its own connection) needs a token meanwhile: it waits for the lock.
    const { coordinateRefresh } = redisSharing(connect(redis.url));
    let fetchedAt = 0;
    const refresh = coordinateRefresh(
      'lock-test',
      async () => {
        fetchedAt = Date.now();
        return { accessToken: 'tok_after_the_crash_0123456789', expiresIn: 60 };
      },
      {},
    );
    const refreshing = refresh();
    await sleep(500);
    expect(fetchedAt).toBe(0);
    const exited = once(holder, 'exit');
    holder.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    expect((await refreshing).accessToken).toBe('tok_after_the_crash_0123456789');
    const waited = fetchedAt - killedAt;
    console.log(`refresh lock: the next process waited ${waited} ms after its holder was killed`);
    expect(waited).toBeLessThan(2000);
  });
});

describe('Redis lost mid-run', () => {
  it('six processes at 60 requests per 3 s, Redis killed (SIGKILL) in the second window: no failure, at most one 429', async () => {
    const redis = await startRedis();
    const server = await devServer({ tokenLifetimeSeconds: 5, rateLimit: { limit: 60, windowSeconds: 3 } });
    const running = fleet(server, redis, 6, 30);
    // The fleet has sent the first window's 60 and some of the second's.
    while (server.admin.requests().length < 75) await sleep(5);
    await redis.stop();
    const redisLostAt = Date.now();
    const results = await running;
    const run = summary(server, results);
    const times = server.admin.requests().map((r) => Date.parse(r.at));
    const [start, end] = [Math.min(...times), Math.max(...times)];
    const tokens = server.admin
      .requests()
      .filter((r) => r.operationId === 'issueToken')
      .map((r) => Date.parse(r.at));
    const why = JSON.stringify({
      ...run,
      warnings: run.warnings.length,
      redisLostAt: ((redisLostAt - start) / 1000).toFixed(2),
      tokensAt: tokens.map((t) => ((t - start) / 1000).toFixed(2)),
    });
    console.log(`fleet, Redis lost: ${why}`);
    expect(run.failed, why).toEqual([0, 0, 0, 0, 0, 0]);
    expect(run.tooMany, why).toBeLessThanOrEqual(1);
    // One warning per process that met the outage.
    for (const { warnings } of results) expect(warnings.length, why).toBeLessThanOrEqual(1);
    // The 5-s token is due after Redis is lost (the chaos test's 60-s tokens outlive its run):
    // one token per lifetime for the fleet while Redis shares it, then one per lifetime for each
    // process on its own.
    const lifetimes = (from: number, to: number) => Math.floor((to - from) / 1000 / 5);
    const shared = tokens.filter((t) => t < redisLostAt).length;
    expect(shared, why).toBeLessThanOrEqual(1 + lifetimes(start, redisLostAt));
    expect(tokens.length - shared, why).toBeLessThanOrEqual(6 * (1 + lifetimes(redisLostAt, end)));
  }, 90_000);
});
