#!/usr/bin/env node
// A fleet on one API key: starts @codex/dev-server under a scaled quota (60 requests per 3 s,
// 5-second tokens), a redis-server, and WORKERS processes (default 6) that import DOCUMENTS
// documents between them with @codex/redis sharing the key's token and quota. One progress bar
// for the whole import, then a summary. Exits non-zero on failed operations (429s are reported:
// packages/redis's tests hold the fleet to at most a couple).
// With --cluster, the same import on a local Redis Cluster of three masters (each worker with an
// ioredis Cluster client) instead of one redis-server.
import { fork } from 'node:child_process';
import { startServer } from '@codex/dev-server';
import { startRedisCluster } from '../../scripts/redis-cluster.mjs';
import { startRedis } from '../../scripts/redis-server.mjs';

const CLUSTER = process.argv.includes('--cluster');
const WORKERS = Number(process.env.WORKERS ?? 6);
const DOCUMENTS = Number(process.env.DOCUMENTS ?? 18_000);
const LIMIT = 60;
const WINDOW_SECONDS = 3;
const key = { clientId: 'cdx_id_fleet_demo', clientSecret: 'cdx_sk_fleet_demo_secret' };
// Progress goes to stderr (the summary to stdout) from the first second, terminal or not: redrawn
// in place on a terminal, at every message and every second; elsewhere (a pipe, a file, CI logs)
// one line a second, so the output moves while the servers and the workers start.
const tty = process.stderr.isTTY;
const launched = performance.now();
const servers = `@codex/dev-server (${LIMIT} requests per ${WINDOW_SECONDS} s, 5-second tokens) and ${CLUSTER ? 'a Redis Cluster of three masters' : 'redis-server'}`;
let started; // when the workers are forked: the summary's clock
let done = 0;
let failed = 0;
let ready = 0;
const bar = () => {
  const since = (t) => ((performance.now() - t) / 1000).toFixed(1);
  let line = `Starting ${servers}… ${since(launched)} s`;
  if (started !== undefined) {
    const width = 30;
    const filled = Math.round((done / DOCUMENTS) * width);
    const starting = ready < WORKERS ? ` (${ready}/${WORKERS} workers started)` : '';
    line = `${WORKERS} workers [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${DOCUMENTS} documents, ${since(started)} s${starting}`;
  }
  process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
};
const ticker = setInterval(bar, 1000).unref();
bar();
const server = await startServer({
  port: 0,
  keys: [key],
  tokenLifetimeSeconds: 5,
  rateLimit: { limit: LIMIT, windowSeconds: WINDOW_SECONDS },
});
const redis = CLUSTER ? await startRedisCluster({ masters: 3 }) : await startRedis();
// Where each worker's ioredis connects: a redis-server's URL, or the cluster's nodes.
const redisEnv = CLUSTER ? { REDIS_NODES: JSON.stringify(redis.startupNodes) } : { REDIS_URL: redis.url };
const share = Math.ceil(DOCUMENTS / WORKERS);
if (tty) process.stderr.write('\n');
started = performance.now();
bar();
try {
  await Promise.all(
    Array.from({ length: WORKERS }, (_, i) => {
      const count = Math.min(share, DOCUMENTS - i * share);
      const child = fork(new URL('./worker.mjs', import.meta.url), {
        env: {
          ...process.env,
          ...redisEnv,
          CODEX_API_KEY: `${key.clientId}:${key.clientSecret}`,
          CODEX_BASE_URL: server.url,
          WORKER: String(i + 1),
          DOCUMENTS: String(count),
        },
      });
      child.on('message', (message) => {
        if (message.ready) ready += 1;
        if (message.progress) done += message.progress;
        if (message.failed) failed += message.failed;
        if (tty) bar();
      });
      return new Promise((resolve, reject) =>
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${i + 1} exited with ${code}`)))),
      );
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(ticker);
  bar();
  if (tty) process.stderr.write('\n');
  const requests = server.admin.requests();
  const first = Math.min(...requests.map((r) => Date.parse(r.at)));
  // Throughput from the first request the server saw (process start-up left out) to the end.
  const busy = (Date.now() - first) / 1000;
  const tooMany = requests.filter((r) => r.status === 429);
  const late = tooMany.filter((r) => Date.parse(r.at) - first >= WINDOW_SECONDS * 1000);
  const tokens = requests.filter((r) => r.operationId === 'issueToken').length;
  const ceiling = (LIMIT * 100) / WINDOW_SECONDS; // operations per second: 100 per batch request
  const rate = DOCUMENTS / busy;
  console.log(
    `${failed ? '✗' : '✓'} ${WORKERS} processes, one key${CLUSTER ? ', a three-master Redis Cluster' : ''}: ${DOCUMENTS} documents in ${seconds.toFixed(1)} s; ` +
      `${requests.length} requests, ${tooMany.length} × 429 (${late.length} after the first window), ${tokens} token requests (${Math.ceil(seconds / 5)} token lifetimes); ` +
      `${Math.round(rate)} documents/s from the first request = ${((rate / ceiling) * 100).toFixed(0)}% of the quota's ${ceiling}; ${failed} failed`,
  );
  if (failed) process.exitCode = 1;
} finally {
  clearInterval(ticker);
  await redis.stop();
  await server.close();
}
