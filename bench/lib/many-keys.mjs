// Many keys in one Redis (issue 19): a platform with KEYS API keys, each its own quota, and
// WORKERS processes that each use all of them through one ioredis connection and one
// redisSharing. For WINDOWS windows every worker keeps one call at a time going on every key.
// Measured: each key's pacing (429s, its calls in its own windows), token requests per key, Redis
// round trips per API call (INFO commandstats, before and after), and the calls served as a share
// of the keys' ceilings (limit per window, each key).
// Run directly with `worker` as argument, this file is one worker process.
import { spawn } from 'node:child_process';
import { once, setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const MANY_KEYS = { keys: 50, workers: 8, limit: 15, windowSeconds: 3, windows: 4, lifetimeSeconds: 5 };

const SELF = fileURLToPath(import.meta.url);
// @codex/redis and ioredis as packages/redis resolves them (its dist, its ioredis peer).
const REDIS_PACKAGE = new URL('../../packages/redis/package.json', import.meta.url);
const redisDist = fileURLToPath(new URL('../../packages/redis/dist/index.js', import.meta.url));
const fromRedisPackage = createRequire(REDIS_PACKAGE);

// Commands only the scripts run inside Redis (TAKE, OBSERVE, RENEW): counted by commandstats, but
// no round trip. GET and DEL are also run by the unlock script (one each per refresh): counted,
// so the figure is at most that much too high.
const INSIDE_SCRIPTS = new Set(['time', 'hmget', 'hset', 'pexpire', 'zadd', 'zremrangebyscore', 'zcard']);
// The benchmark's own commands.
const MEASURING = new Set(['info', 'config|resetstat']);

async function commandStats(redis) {
  const stats = {};
  for (const line of String(await redis.info('commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match) stats[match[1]] = Number(match[2]);
  }
  return stats;
}

async function runWorker() {
  const { Client } = await import('@codex/node');
  const { redisSharing } = await import(redisDist);
  const { default: Redis } = await import(fromRedisPackage.resolve('ioredis'));
  const redis = new Redis(process.env.REDIS_URL);
  redis.on('error', () => {});
  // Each command this process sends, by what it is for: the quota (TAKE and OBSERVE, on the
  // `…:quota` key: the hot path) or a token refresh (the lock, the token). A script sent again
  // after NOSCRIPT counts twice, as it is two round trips.
  const sent = { quota: 0, refresh: 0, other: 0 };
  const kindOf = (key) => (/:quota$/.test(key) ? 'quota' : /:(lock|token)$/.test(key) ? 'refresh' : 'other');
  for (const name of ['eval', 'evalsha']) {
    const send = redis[name].bind(redis);
    redis[name] = (script, count, key, ...rest) => {
      sent[kindOf(String(key))]++;
      return send(script, count, key, ...rest);
    };
  }
  for (const name of ['get', 'set', 'del']) {
    const send = redis[name].bind(redis);
    redis[name] = (key, ...rest) => {
      sent[kindOf(String(key))]++;
      return send(key, ...rest);
    };
  }
  // One connection and one redisSharing for the process, as an app with many keys would have.
  const sharing = redisSharing(redis);
  const clients = JSON.parse(process.env.API_KEYS).map(
    (apiKey) => new Client({ apiKey, baseUrl: process.env.CODEX_BASE_URL, env: {}, ...sharing }),
  );
  await redis.ping();
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  process.stdin.destroy();
  Object.assign(sent, { quota: 0, refresh: 0, other: 0 });
  // Calls still waiting for a window when the run ends are aborted, not counted.
  const signal = AbortSignal.timeout(Number(process.env.DURATION_MS));
  // Every call listens to it.
  setMaxListeners(clients.length + 10, signal);
  let calls = 0;
  let failed = 0;
  let unsent = 0;
  const errors = new Set();
  await Promise.all(
    clients.map(async (client) => {
      while (!signal.aborted) {
        try {
          await client.documents.list({ limit: 1 }, { signal });
          calls++;
        } catch (error) {
          if (signal.aborted) {
            // Waiting for its slot when the run ended: its TAKE counts, and no request was sent.
            unsent++;
            break;
          }
          failed++;
          errors.add(`${error.code ?? error.name}: ${error.message}`);
        }
      }
    }),
  );
  redis.disconnect();
  console.log(JSON.stringify({ calls, failed, unsent, errors: [...errors].slice(0, 3), sent }));
  process.exit(0);
}

function startWorker(env) {
  const child = spawn(process.execPath, [SELF, 'worker'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  process.once('exit', () => child.kill('SIGKILL'));
  let stdout = '';
  child.stdout.setEncoding('utf8');
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.startsWith('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`a worker exited with ${code} before it was ready`)));
  });
  const exited = once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`a worker exited with ${code}: ${stdout}`);
    return JSON.parse(stdout.slice('ready\n'.length));
  });
  exited.catch(() => {});
  return { child, ready, exited };
}

/** Each key's calls in its first `windows` server windows (each opens at its first request after the last ended). */
function perKey(requests, clientIds, { limit, windowSeconds, windows }) {
  return clientIds.map((clientId) => {
    const mine = requests.filter((r) => r.clientId === clientId).map((r) => ({ ...r, t: Date.parse(r.at) }));
    mine.sort((a, b) => a.t - b.t);
    let opened = -Infinity;
    let window = 0;
    let served = 0;
    let most = 0;
    let inWindow = 0;
    let servedAfterFirst = 0;
    let tokensInWindows = 0;
    for (const r of mine) {
      if (r.t >= opened + windowSeconds * 1000) {
        opened = r.t;
        window++;
        inWindow = 0;
      }
      if (r.status !== 429) inWindow++;
      most = Math.max(most, inWindow);
      if (window > windows) continue;
      if (r.operationId === 'issueToken') tokensInWindows++;
      else if (r.status === 200) {
        served++;
        if (window > 1) servedAfterFirst++;
      }
    }
    return {
      served,
      servedAfterFirst,
      tokensInWindows,
      share: served / (windows * limit),
      tooMany: mine.filter((r) => r.status === 429).length,
      tokens: mine.filter((r) => r.operationId === 'issueToken').length,
      mostInAWindow: most,
    };
  });
}

export async function measureManyKeys(startDevServer) {
  if (!existsSync(redisDist)) throw new Error('packages/redis/dist is missing: pnpm --filter @codex/redis build');
  const { keys, workers, limit, windowSeconds, windows, lifetimeSeconds } = MANY_KEYS;
  const { startRedis } = await import('../../scripts/redis-server.mjs');
  const { default: Redis } = await import(fromRedisPackage.resolve('ioredis'));
  const redisServer = await startRedis();
  const names = Array.from({ length: keys }, (_, i) => `many${i}`);
  const server = await startDevServer({
    keyNames: names,
    settings: { tokenLifetimeSeconds: lifetimeSeconds, rateLimit: { limit, windowSeconds } },
  });
  const admin = new Redis(redisServer.url);
  admin.on('error', () => {});
  try {
    const env = {
      ...process.env,
      REDIS_URL: redisServer.url,
      CODEX_BASE_URL: server.url,
      API_KEYS: JSON.stringify(names.map((name) => server.apiKey(name))),
      DURATION_MS: String(windows * windowSeconds * 1000),
    };
    const fleet = Array.from({ length: workers }, () => startWorker(env));
    await Promise.all(fleet.map((w) => w.ready));
    await admin.config('RESETSTAT');
    const start = performance.now();
    for (const { child } of fleet) child.stdin.end('go\n');
    const results = await Promise.all(fleet.map((w) => w.exited));
    const seconds = (performance.now() - start) / 1000;
    const stats = await commandStats(admin);
    const { requests } = await server.admin('GET', '/requests');
    const apiCalls = requests.filter((r) => r.operationId !== 'issueToken').length;
    const sent = Object.entries(stats).filter(([name]) => !INSIDE_SCRIPTS.has(name) && !MEASURING.has(name));
    const roundTrips = sent.reduce((sum, [, n]) => sum + n, 0);
    const byKey = perKey(
      requests,
      names.map((name) => server.keys[name].clientId),
      MANY_KEYS,
    );
    const served = byKey.reduce((sum, k) => sum + k.served, 0);
    const sum = (field) => results.reduce((total, r) => total + r.sent[field], 0);
    const requestsSent = requests.length;
    const tokenRequests = requests.length - apiCalls;
    return {
      ...MANY_KEYS,
      seconds,
      calls: results.reduce((sum, r) => sum + r.calls, 0),
      failed: results.reduce((sum, r) => sum + r.failed, 0),
      errors: results.flatMap((r) => r.errors).slice(0, 3),
      apiCalls,
      roundTrips,
      roundTripsPerCall: roundTrips / apiCalls,
      commands: Object.fromEntries(sent),
      served,
      share: served / (keys * windows * limit),
      // Token requests count in the keys' windows too: the most calls that could be served.
      bestShare: 1 - byKey.reduce((total, k) => total + k.tokensInWindows, 0) / (keys * windows * limit),
      // After the first window: the fleet's start (8 processes × 50 Clients opening connections
      // and fetching 50 tokens at once on the bench's machine) is over.
      shareAfterFirst: byKey.reduce((total, k) => total + k.servedAfterFirst, 0) / (keys * (windows - 1) * limit),
      // Counted by each worker (see runWorker): quota scripts per request sent or still waiting for
      // its slot when the run ended (the hot path), and
      // refresh commands (lock, token) per token request.
      quotaPerRequest: sum('quota') / (requestsSent + results.reduce((total, r) => total + r.unsent, 0)),
      refreshPerToken: sum('refresh') / tokenRequests,
      otherCommands: sum('other'),
      minKeyShare: Math.min(...byKey.map((k) => k.share)),
      tooMany: byKey.reduce((sum, k) => sum + k.tooMany, 0),
      mostInAWindow: Math.max(...byKey.map((k) => k.mostInAWindow)),
      tokens: byKey.reduce((sum, k) => sum + k.tokens, 0),
      mostTokensPerKey: Math.max(...byKey.map((k) => k.tokens)),
      // The first token, then one per lifetime: refreshed in its last 10%.
      tokensAllowedPerKey: 1 + Math.floor((windows * windowSeconds) / (lifetimeSeconds * 0.9)),
    };
  } finally {
    admin.disconnect();
    await server.stop();
    await redisServer.stop();
  }
}

if (process.argv[1] === SELF && process.argv[2] === 'worker') await runWorker();
