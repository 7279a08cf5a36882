import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type RunningServer, startServer } from '@codex/dev-server';
import Redis, { type RedisOptions } from 'ioredis';
import type Redis6 from 'ioredis6';
import { afterEach } from 'vitest';

// Fleets of worker processes (test/worker.mjs) on one key of the dev server, each with its own
// ioredis client on a redis-server, a Redis Cluster or a Sentinel deployment; and what a test may
// run beside them (CPU hogs). The workers import the built packages (dist): build @codex/core,
// @codex/node and @codex/redis first.

export const KEY = { clientId: 'cdx_id_fleet', clientSecret: 'cdx_sk_fleet_secret' };
export const API_KEY = `${KEY.clientId}:${KEY.clientSecret}`;
const WORKER = new URL('./worker.mjs', import.meta.url).pathname;

/** Run after each test: servers to close, processes to kill, connections to drop. */
export const closing: Array<() => unknown> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
});

export async function devServer(settings: {
  tokenLifetimeSeconds?: number;
  rateLimit?: { limit: number; windowSeconds: number };
}) {
  const server: RunningServer = await startServer({ port: 0, keys: [KEY], ...settings });
  closing.push(() => server.close());
  return server;
}

/** An ioredis connection to `url`, dropped after the test. */
export function connect(
  url: string,
  Implementation: typeof Redis | typeof Redis6 = Redis,
  options: RedisOptions = {},
): Redis {
  const redis = new (Implementation as typeof Redis)(url, options);
  redis.on('error', () => {});
  closing.push(() => redis.disconnect());
  return redis;
}

export const tokenRequests = (server: RunningServer) =>
  server.admin.requests().filter((r) => r.operationId === 'issueToken').length;

export type WorkerResult = { failed: number; errors: string[]; warnings: string[] };

type Address = { host: string; port: number };
/**
 * Where the workers' ioredis clients connect, as ./redis-server, ./redis-cluster and
 * ./redis-sentinel hand it: a redis-server's URL (`new Redis(url)`), a Redis Cluster's nodes
 * (`new Redis.Cluster(startupNodes)`), or sentinels and their master's name (`new Redis({
 * sentinels, name })`).
 */
export type RedisTarget = { url: string } | { startupNodes: Address[] } | { sentinels: Address[]; name: string };

export type Worker = {
  child: ChildProcess;
  /** Its result; undefined when it was killed (SIGKILL). Rejects if it failed otherwise. */
  exited: Promise<WorkerResult | undefined>;
};

/**
 * `workers` processes of test/worker.mjs on one key, each making `calls` calls with its own
 * ioredis client on `redis` (`env`: more of the worker's settings, e.g. OFFLINE_QUEUE=off). They
 * start their calls at one instant (each says "ready" once its Client exists; all are told "go"
 * together), as the processes of a deploy do: the moment when they race for the first token and
 * the first slots of the quota. Handed back as they run, so that a test can kill one; killed
 * (SIGKILL) after the test, and each exits by itself if this process dies.
 */
export async function startWorkers(
  server: RunningServer,
  redis: RedisTarget,
  workers: number,
  calls: number,
  env: Record<string, string> = {},
): Promise<Worker[]> {
  const where =
    'startupNodes' in redis
      ? { cluster: redis.startupNodes }
      : 'sentinels' in redis
        ? { sentinels: redis.sentinels, name: redis.name }
        : { url: redis.url };
  const settings = {
    ...process.env,
    REDIS: JSON.stringify(where),
    CODEX_API_KEY: API_KEY,
    CODEX_BASE_URL: server.url,
    CALLS: String(calls),
    ...env,
  };
  const started = Array.from({ length: workers }, () => {
    // A minute at most: a worker that hangs fails its test rather than the whole run.
    const child = spawn(process.execPath, [WORKER], {
      env: settings,
      stdio: ['pipe', 'pipe', 'inherit'],
      timeout: 60_000,
    });
    closing.push(() => child.kill('SIGKILL'));
    child.stdin.on('error', () => {});
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.startsWith('ready\n')) resolve();
      });
    });
    const exited = once(child, 'exit').then(([code, signal]) => {
      child.stdin.destroy();
      if (signal === 'SIGKILL') return undefined;
      if (code !== 0) throw new Error(`a worker exited with ${code ?? signal}: ${stdout}`);
      return JSON.parse(stdout.slice('ready\n'.length)) as WorkerResult;
    });
    // Handled here too: a test awaits it only after it has killed what it meant to kill.
    exited.catch(() => {});
    return { child, ready: Promise.race([ready, exited.then(() => {})]), exited };
  });
  await Promise.all(started.map((w) => w.ready));
  // "go", with stdin left open: a worker exits when it closes (this process gone).
  for (const { child } of started) child.stdin.write('go\n');
  return started.map(({ child, exited }) => ({ child, exited }));
}

/** `startWorkers`, awaited: every worker's result (rejects if one fails or is killed). */
export async function fleet(
  server: RunningServer,
  redis: RedisTarget,
  workers: number,
  calls: number,
  env: Record<string, string> = {},
): Promise<WorkerResult[]> {
  const started = await startWorkers(server, redis, workers, calls, env);
  return Promise.all(
    started.map(async ({ exited }) => {
      const result = await exited;
      if (!result) throw new Error('a worker was killed (SIGKILL)');
      return result;
    }),
  );
}

/** What a fleet's run looked like from the server: 429s, token requests, seconds from first to last request. */
export function summary(server: RunningServer, results: WorkerResult[]) {
  const requests = server.admin.requests();
  // From the first request the server saw to the last (process start-up left out).
  const times = requests.map((r) => Date.parse(r.at));
  const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
  return {
    failed: results.map((r) => r.failed),
    errors: results.flatMap((r) => r.errors),
    warnings: results.flatMap((r) => r.warnings),
    tooMany: requests.filter((r) => r.status === 429).length,
    tokens: tokenRequests(server),
    requests: requests.length,
    seconds,
  };
}

/** Resolves once the server has received `count` requests (polled every 5 ms). */
export async function requestsReach(server: RunningServer, count: number): Promise<void> {
  while (server.admin.requests().length < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

/**
 * `n` processes that spin, as other work on a busy machine does: on CI's two cores, two of them
 * take every core the fleet has. Killed (SIGKILL) after the test; each stops by itself once this
 * process is gone (its parent changes, every 10 million turns).
 */
export async function cpuHogs(n: number): Promise<void> {
  const spin = 'const p = process.ppid; for (let i = 1; ; i++) if (i % 1e7 === 0 && process.ppid !== p) break;';
  const hogs = Array.from({ length: n }, () => spawn(process.execPath, ['-e', spin], { stdio: 'ignore' }));
  closing.push(() =>
    Promise.all(
      hogs.map((hog) => {
        if (hog.exitCode !== null || hog.signalCode !== null) return undefined;
        const exited = once(hog, 'exit');
        hog.kill('SIGKILL');
        return exited;
      }),
    ),
  );
  await Promise.all(hogs.map((hog) => once(hog, 'spawn')));
}
