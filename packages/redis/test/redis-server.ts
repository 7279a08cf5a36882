import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach } from 'vitest';

/** A free TCP port on 127.0.0.1 (released just before use). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export type RunningRedis = { url: string; port: number; stop(): Promise<void>; start(): Promise<void> };

const running: RunningRedis[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

/**
 * Debian's redis-server on a free port of 127.0.0.1, persistence off; stopped after the test.
 * `stop` and `start` again (same port) to test what happens while Redis is away.
 */
export async function startRedis(): Promise<RunningRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const redis: RunningRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      const started = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = started;
      await new Promise<void>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
        const probe = setInterval(async () => {
          const socket = (await import('node:net')).connect(port, '127.0.0.1');
          socket.on('connect', () => {
            socket.destroy();
            clearInterval(probe);
            clearTimeout(timer);
            resolve();
          });
          socket.on('error', () => socket.destroy());
        }, 20);
        started.stderr?.on('data', (chunk) => {
          output += chunk;
        });
        started.on('error', (error) => {
          clearInterval(probe);
          clearTimeout(timer);
          reject(new Error(`redis-server could not start (is Debian's redis-server installed?): ${error.message}`));
        });
      });
    },
    async stop() {
      const stopping = child;
      child = undefined;
      if (!stopping || stopping.exitCode !== null) return;
      await new Promise((resolve) => {
        stopping.once('exit', resolve);
        stopping.kill('SIGKILL');
      });
    },
  };
  await redis.start();
  running.push(redis);
  return redis;
}
