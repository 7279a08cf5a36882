// Debian's redis-server on a free port of 127.0.0.1, persistence off, for tests and examples.
// `stop()` kills it; `start()` starts it again on the same port (to test Redis going away).
// Every redis-server of scripts/redis-*.mjs is started by `spawnRedis`: killed when the process
// that started it dies, however it dies (a test run interrupted, a vitest worker killed).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Spawns `redis-server args...` under a small `sh` that watches the pipe of its stdin: when the
 * pipe closes (`child.stdin.end()`, or this process dying, even by SIGKILL) it kills redis-server
 * (SIGKILL, as a crash would) and exits once it is gone, with its status. The sh also exits when
 * redis-server exits on its own. So: stop it with `stopRedis(child)`, never `child.kill()` (which
 * would kill only the sh).
 */
export function spawnRedis(args, { stderr = 'pipe' } = {}) {
  const watch =
    'exec 3<&0; redis-server "$@" </dev/null & r=$!; (read _ <&3; kill -9 $r 2>/dev/null) & w=$!; ' +
    'wait $r 2>/dev/null; s=$?; kill $w 2>/dev/null; exit $s';
  const child = spawn('sh', ['-c', watch, 'sh', ...args], { stdio: ['pipe', 'ignore', stderr] });
  child.stdin.on('error', () => {});
  return child;
}

/** Kills the redis-server of `spawnRedis` (SIGKILL) and resolves once it is gone. */
export async function stopRedis(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin.end();
  await exited;
}

/** Free ports of 127.0.0.1, all different. */
export async function freePorts(count) {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer();
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** A command of redis-cli to the redis-server (or sentinel) on `port`: its output. */
export async function cli(port, ...args) {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

/** Polls `check` every 50 ms until it is true, or throws `what` after `ms`. */
export async function until(check, what, ms = 20_000) {
  const giveUpAt = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > giveUpAt) throw new Error(`${what} within ${ms} ms`);
    await sleep(50);
  }
}

/** Resolves once something accepts TCP connections on `port` (or rejects after 10 s). */
function accepting(port, child) {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const fail = (message) => {
      clearInterval(probe);
      clearTimeout(timer);
      reject(new Error(message));
    };
    const timer = setTimeout(() => fail(`redis-server did not start: ${output}`), 10_000);
    // Ready when it answers PING with +PONG: a PING, not just a connection, so that a test never
    // takes another program that got the port for this redis-server.
    const probe = setInterval(() => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (data) => {
        socket.destroy();
        if (!String(data).startsWith('+PONG') || child.exitCode !== null) return;
        clearInterval(probe);
        clearTimeout(timer);
        resolve();
      });
      socket.on('error', () => socket.destroy());
    }, 20);
    child.on('error', (error) => fail(`redis-server could not start: ${error.message}`));
    child.on('exit', (code) =>
      fail(`redis-server exited with ${code} (is Debian's redis-server installed?): ${output}`),
    );
  });
}

/** `{ cluster: true }`: a one-node Redis Cluster (the caller assigns it the slots: CLUSTER ADDSLOTSRANGE 0 16383). */
export async function startRedis({ cluster = false } = {}) {
  const [port] = await freePorts(1);
  const clusterArgs = cluster
    ? [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(mkdtempSync(join(tmpdir(), 'codex-redis-')), 'nodes.conf'),
        // A lone node does not learn its own address: without this, CLUSTER SLOTS names it ''.
        '--cluster-announce-ip',
        '127.0.0.1',
      ]
    : [];
  let child;
  const redis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawnRedis([
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--loglevel',
        'warning',
        ...clusterArgs,
      ]);
      await accepting(port, child);
    },
    async stop() {
      const stopping = child;
      child = undefined;
      await stopRedis(stopping);
    },
  };
  await redis.start();
  return redis;
}
