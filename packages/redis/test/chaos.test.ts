import { describe, expect, it } from 'vitest';
import { cpuHogs, devServer, fleet, requestsReach, startWorkers, summary } from './fleet';
import { startRedis } from './redis-server';

// Issue 19: the fleet on busy machines, and a chaos run (a worker and Redis killed mid-run).
// Both at the fleet test's scale (redis.test.ts): 60 requests per 3-s window; 5-s tokens on busy
// machines, 60-s tokens in the chaos run (below).

const QUOTA = { limit: 60, windowSeconds: 3 };
const LIFETIME_S = 5;
/** A 5-s token is refreshed in its last 10% (jittered): one refresh each 4.5 s at most. */
const REFRESH_EVERY_S = LIFETIME_S * 0.9;

describe('a fleet on busy machines (two CPU hogs beside it)', () => {
  // "Slots taken late in a window are where it leaks today": on busy CPUs, a process's request
  // leaves (and its answer is read) late, and reaches the server in a window other than the one
  // its slot was counted in.
  it('six processes at 60 requests per 3 s: no failure, at most one 429, one token per lifetime', async () => {
    const redis = await startRedis();
    const server = await devServer({ tokenLifetimeSeconds: LIFETIME_S, rateLimit: QUOTA });
    await cpuHogs(2);
    const results = await fleet(server, redis, 6, 30);
    const run = summary(server, results);
    const ideal = Math.floor((run.requests - 1) / QUOTA.limit) * QUOTA.windowSeconds;
    const why = JSON.stringify({ ...run, ideal });
    console.log(`fleet, busy machines: ${why}`);
    expect(run.failed, why).toEqual([0, 0, 0, 0, 0, 0]);
    expect(run.tooMany, why).toBeLessThanOrEqual(1);
    expect(run.tokens, why).toBeLessThanOrEqual(1 + Math.floor(run.seconds / REFRESH_EVERY_S));
  }, 60_000);
});

describe('chaos', () => {
  // Six workers with `enableOfflineQueue: false`, two CPU hogs; one worker is killed (SIGKILL) a
  // third of the way through the run, Redis two thirds of the way through (not restarted). The
  // issue's bar, over the whole run: survivors fail nothing, at most three 429s, and token
  // requests at most one per lifetime plus one. Tokens last 60 s, longer than the run: the fleet
  // shares one while Redis is up, and each survivor keeps serving the one it holds once Redis is
  // lost. (A token due while Redis is away, each process then requesting its own: fleet-holds.test.ts's
  // "Redis lost mid-run", and the master SIGKILLed in cluster.test.ts and sentinel.test.ts.)
  it('a worker and then Redis killed mid-run, on busy machines: survivors fail nothing, at most three 429s, one token per lifetime plus one', async () => {
    const lifetimeS = 60;
    const redis = await startRedis();
    const server = await devServer({ tokenLifetimeSeconds: lifetimeS, rateLimit: QUOTA });
    await cpuHogs(2);
    // About 15 s of calls at this quota (a third of them after Redis is lost, at 5/6 of the rate).
    const calls = 42;
    const workers = await startWorkers(server, redis, 6, calls, { OFFLINE_QUEUE: 'off' });
    // The requests of the run: the survivors' 5 × calls, and the killed worker's third of its own.
    const total = 5 * calls + calls / 3;
    const [victim, ...survivors] = workers;
    await requestsReach(server, Math.round(total / 3));
    victim?.child.kill('SIGKILL');
    await requestsReach(server, Math.round((total * 2) / 3));
    await redis.stop();
    const redisLostAt = Date.now();
    const results = (await Promise.all(survivors.map((w) => w.exited))).filter((r) => r !== undefined);
    expect(await victim?.exited).toBeUndefined();
    const run = summary(server, results);
    const requests = server.admin.requests();
    const start = Math.min(...requests.map((r) => Date.parse(r.at)));
    const tokens = requests.filter((r) => r.operationId === 'issueToken').map((r) => Date.parse(r.at));
    const at = (times: number[]) => times.map((t) => ((t - start) / 1000).toFixed(2));
    const why = JSON.stringify({
      ...run,
      warnings: run.warnings.length,
      redisLostAt: ((redisLostAt - start) / 1000).toFixed(2),
      tokensAt: at(tokens),
      tooManyAt: at(requests.filter((r) => r.status === 429).map((r) => Date.parse(r.at))),
    });
    console.log(`chaos: ${why}`);
    expect(results, why).toHaveLength(5);
    expect(run.failed, why).toEqual([0, 0, 0, 0, 0]);
    expect(run.tooMany, why).toBeLessThanOrEqual(3);
    expect(run.tokens, why).toBeLessThanOrEqual(1 + Math.floor(run.seconds / lifetimeS) + 1);
    // The run was shorter than a token's life: no token was due, so none was requested after
    // Redis was lost (each survivor served the token it held).
    expect(run.seconds, why).toBeLessThan(lifetimeS * 0.9);
    expect(
      tokens.filter((t) => t >= redisLostAt),
      why,
    ).toEqual([]);
  }, 60_000);
});
