import { Client } from '@codex/node';
import Redis from 'ioredis';
import Redis6 from 'ioredis6';
import { describe, expect, it } from 'vitest';
import { redisSharing } from '../src/index';
import { API_KEY, devServer, fleet, requestsReach, summary, tokenRequests } from './fleet';
import { cli, commandCount } from './redis-cluster';
import { connectSentinel, type RunningSentinel, startSentinel } from './redis-sentinel';

// Redis Sentinel, which the README called untested: a master, a replica, and three sentinels
// (quorum 2, down-after-milliseconds 1 s) of Debian's redis-server. Each worker process has its
// own `new Redis({ sentinels, name })` (default settings), as with a lone Redis or a Cluster in
// redis.test.ts and cluster.test.ts, at the same scale: 60 requests per 3 s, 5-second tokens.

const QUOTA = { limit: 60, windowSeconds: 3 };

describe.each([
  ['ioredis 5.9.2', Redis],
  ['ioredis 6.0.0', Redis6],
])('redisSharing with a Sentinel client of %s', (_, Implementation) => {
  it('shares one token through the master the sentinels name', async () => {
    const sentinel = await startSentinel();
    const server = await devServer({});
    const clients = [1, 2, 3].map(
      () =>
        new Client({
          apiKey: API_KEY,
          baseUrl: server.url,
          env: {},
          ...redisSharing(connectSentinel(sentinel, Implementation as typeof Redis)),
        }),
    );
    await Promise.all(clients.map((c) => c.documents.list()));
    await Promise.all(clients.map((c) => c.documents.list()));
    expect(tokenRequests(server)).toBe(1);
    const keys = (await cli(sentinel.master.port, 'KEYS', 'codex:*')).split('\n');
    expect(keys).toHaveLength(3);
  });
});

/**
 * Six processes, `calls` calls each, on `sentinel`, with tokens of `lifetimeS`. With `kill`, its
 * master is killed (SIGKILL) as the server's second window opens (64 requests seen): while the
 * fleet sends that window's burst.
 */
async function run(
  sentinel: RunningSentinel,
  { calls, lifetimeS, kill = false }: { calls: number; lifetimeS: number; kill?: boolean },
) {
  const server = await devServer({ tokenLifetimeSeconds: lifetimeS, rateLimit: QUOTA });
  const running = fleet(server, sentinel, 6, calls);
  // Awaited below; a failure meanwhile must not leave it unhandled.
  running.catch(() => {});
  let killedAt: number | undefined;
  if (kill) {
    await requestsReach(server, 64);
    killedAt = server.admin.requests().length;
    await sentinel.master.kill();
  }
  const results = await running;
  // A token is refreshed in its last 10% (jittered): one refresh each 0.9 lifetime at most.
  return { ...summary(server, results), killedAt, refreshEveryS: lifetimeS * 0.9 };
}

/** What every run holds to, as the cluster's (cluster.test.ts): an outage is a warning per process. */
function expectShared(result: Awaited<ReturnType<typeof run>>, why: string) {
  expect(result.failed, why).toEqual([0, 0, 0, 0, 0, 0]);
  expect(result.errors, why).toEqual([]);
  expect(result.tooMany, why).toBeLessThanOrEqual(result.warnings.length ? 3 : 1);
  // One token for the fleet per lifetime; a process that met the outage requests its own when its
  // token is due meanwhile.
  const lifetimes = Math.floor(result.seconds / result.refreshEveryS);
  expect(result.tokens, why).toBeLessThanOrEqual(1 + lifetimes + result.warnings.length);
}

describe('a fleet of processes on one key, through Redis Sentinel (a master, a replica, three sentinels)', () => {
  it('shares the token and the quota through the master, with no warning', async () => {
    const sentinel = await startSentinel();
    const result = await run(sentinel, { calls: 30, lifetimeS: 5 });
    const ideal = Math.floor((result.requests - 1) / QUOTA.limit) * QUOTA.windowSeconds;
    const why = JSON.stringify({ ...result, ideal });
    console.log(`sentinel fleet: ${why}`);
    expectShared(result, why);
    expect(result.warnings, why).toEqual([]);
    expect(result.seconds, why).toBeLessThanOrEqual(ideal * 1.3);
    // Through the master, which its replica follows.
    const keys = (await cli(sentinel.master.port, 'KEYS', 'codex:*')).split('\n').filter(Boolean);
    const names = keys.map((k) => k.replace(/\{[0-9a-f]{32}\}/, '{hash}')).sort();
    expect(names).toEqual(expect.arrayContaining(['codex:{hash}:members', 'codex:{hash}:quota']));
  }, 60_000);

  it('the master SIGKILLed mid-run, the sentinels failing over to its replica: no call fails', async () => {
    const sentinel = await startSentinel();
    const [replica] = sentinel.replicas as [RunningSentinel['master']];
    // 40 calls each (about 12 s): sharing resumes on the new master (a process leaves Redis alone
    // for 5 s after a failure) before the run ends. 10-s tokens: a process's outage (from its
    // first failed command to 5 s later) spans at most one refresh, its own token, whatever the
    // timing (5-s tokens refreshed each 4.5 s, their second refresh may fall in it too).
    const result = await run(sentinel, { calls: 40, lifetimeS: 10, kill: true });
    const why = `${JSON.stringify(result)}\n${sentinel.logs()}`;
    console.log(`sentinel fleet, master killed: ${JSON.stringify({ ...result, warnings: result.warnings.length })}`);
    expectShared(result, why);
    // A killed master leaves the fleet without Redis until a sentinel promotes the replica and
    // ioredis, which asks the sentinels again at each reconnection, reaches it: each process
    // meets that outage at most once (a warning), and paces at its share meanwhile.
    for (const warning of result.warnings) expect(warning, why).toMatch(/^codex: Redis failed/);
    expect(result.warnings.length, why).toBeLessThanOrEqual(6);
    await expect.poll(() => sentinel.masterPort(), { timeout: 10_000 }).toBe(replica.port);
    expect(await cli(replica.port, 'ROLE')).toMatch(/^master\n/);
    // The fleet shared again through the new master: it ran the quota's script there (a replica
    // applies a script's writes, not the script).
    const scripts = (await commandCount(replica.port, 'eval')) + (await commandCount(replica.port, 'evalsha'));
    expect(scripts, why).toBeGreaterThan(0);
  }, 60_000);
});
