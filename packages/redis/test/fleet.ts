import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { type RunningServer, startServer } from '@codex/dev-server';
import Redis from 'ioredis';
import type Redis6 from 'ioredis6';
import { afterEach } from 'vitest';

// A fleet of worker processes (test/worker.mjs) on one key of the dev server. The workers import
// the built packages (dist): build @codex/core, @codex/node and @codex/redis first.

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
export function connect(url: string, Implementation: typeof Redis | typeof Redis6 = Redis): Redis {
  const redis = new (Implementation as typeof Redis)(url);
  redis.on('error', () => {});
  closing.push(() => redis.disconnect());
  return redis;
}

export const tokenRequests = (server: RunningServer) =>
  server.admin.requests().filter((r) => r.operationId === 'issueToken').length;

export type WorkerResult = { failed: number; errors: string[]; warnings: string[] };

/**
 * `workers` processes of test/worker.mjs on one key. They start their calls at one instant (each
 * says "ready" once its Client exists; all are told "go" together), as the processes of a deploy
 * do: the moment when they race for the first token and the first slots of the quota.
 */
export async function fleet(
  server: RunningServer,
  redisUrl: string,
  workers: number,
  calls: number,
  env: Record<string, string> = {},
): Promise<WorkerResult[]> {
  const settings = {
    ...process.env,
    REDIS_URL: redisUrl,
    CODEX_API_KEY: API_KEY,
    CODEX_BASE_URL: server.url,
    CALLS: String(calls),
    START: 'barrier',
    ...env,
  };
  const children = Array.from({ length: workers }, () => {
    const child = spawn(process.execPath, [WORKER], {
      env: settings,
      stdio: ['pipe', 'pipe', 'inherit'],
      timeout: 60_000,
    });
    closing.push(() => child.kill());
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.startsWith('ready\n')) resolve();
      });
    });
    const exited = once(child, 'exit').then(([code]) => {
      if (code !== 0) throw new Error(`a worker exited with ${code}: ${stdout}`);
      return JSON.parse(stdout.slice('ready\n'.length)) as WorkerResult;
    });
    return { child, ready: Promise.race([ready, exited.then(() => {})]), exited };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const { child } of children) child.stdin.end('go\n');
  return Promise.all(children.map((c) => c.exited));
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
