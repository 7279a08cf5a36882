// Debian's redis-server on a free port of 127.0.0.1, persistence off, for tests and examples.
// `stop()` kills it; `start()` starts it again on the same port (to test Redis going away).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
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
    child.on('error', (error) =>
      fail(`redis-server could not start (is Debian's redis-server installed?): ${error.message}`),
    );
  });
}

/** `{ cluster: true }`: a one-node Redis Cluster (the caller assigns it the slots: CLUSTER ADDSLOTSRANGE 0 16383). */
export async function startRedis({ cluster = false } = {}) {
  const port = await freePort();
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
      child = spawn(
        'redis-server',
        [
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
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      await accepting(port, child);
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
  return redis;
}
