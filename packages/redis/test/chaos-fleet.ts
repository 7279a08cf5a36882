import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { RunningServer } from '@codex/dev-server';
import { API_KEY, closing, type WorkerResult } from './fleet';

// What chaos.test.ts adds to the fleet of ./fleet: busy CPUs, and workers that may be killed.

const WORKER = new URL('./worker.mjs', import.meta.url).pathname;

/**
 * `n` processes that spin (`node -e 'for(;;){}'`), as other work on a busy machine does: on CI's
 * two cores, two of them take every core the fleet has. Killed (SIGKILL) after the test.
 */
export async function cpuHogs(n: number): Promise<void> {
  const hogs = Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
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

export type Worker = {
  child: ChildProcess;
  /** Its result; undefined when it was killed (by a signal). Rejects if it failed otherwise. */
  exited: Promise<WorkerResult | undefined>;
};

/**
 * `workers` processes of test/worker.mjs on one key, as ./fleet's `fleet` starts them (all ready,
 * then "go" at one instant), but handed back as they run, so that a test can kill one.
 */
export async function startFleet(
  server: RunningServer,
  redisUrl: string,
  workers: number,
  calls: number,
  env: Record<string, string> = {},
): Promise<Worker[]> {
  const settings = {
    ...process.env,
    REDIS_URL: redisUrl,
    CODEX_API_KEY: API_KEY,
    CODEX_BASE_URL: server.url,
    CALLS: String(calls),
    START: 'barrier',
    ...env,
  };
  const started = Array.from({ length: workers }, () => {
    const child = spawn(process.execPath, [WORKER], { env: settings, stdio: ['pipe', 'pipe', 'inherit'] });
    closing.push(() => child.kill('SIGKILL'));
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.startsWith('ready\n')) resolve();
      });
    });
    const exited = once(child, 'exit').then(([code, signal]) => {
      if (signal === 'SIGKILL') return undefined;
      if (code !== 0) throw new Error(`a worker exited with ${code ?? signal}: ${stdout}`);
      return JSON.parse(stdout.slice('ready\n'.length)) as WorkerResult;
    });
    // Handled here too: a test awaits it only after it has killed what it meant to kill.
    exited.catch(() => {});
    return { child, ready: Promise.race([ready, exited.then(() => {})]), exited };
  });
  await Promise.all(started.map((w) => w.ready));
  for (const { child } of started) child.stdin?.end('go\n');
  return started.map(({ child, exited }) => ({ child, exited }));
}

/** Resolves once the server has received `count` requests (polled every 5 ms). */
export async function requestsReach(server: RunningServer, count: number): Promise<void> {
  while (server.admin.requests().length < count) await new Promise((resolve) => setTimeout(resolve, 5));
}
