// A real Redis Cluster of Debian's redis-server on free ports of 127.0.0.1, persistence off, for
// tests and examples: `masters` masters, each with `replicas` replicas, made one cluster by
// `redis-cli --cluster create`. `stop()` kills every node and removes their nodes.conf files.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Free ports of 127.0.0.1, all different (each node needs two: clients, and the cluster bus). */
async function freePorts(count) {
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

/** A command of redis-cli to the node on `port`: its output. */
export async function cli(port, ...args) {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

/** Polls `check` every 50 ms until it is true, or throws `what` after `ms`. */
async function until(check, what, ms = 20_000) {
  const giveUpAt = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > giveUpAt) throw new Error(`Redis Cluster: ${what} within ${ms} ms`);
    await sleep(50);
  }
}

/**
 * Starts the cluster and resolves once every node says `cluster_state:ok`, knows every other
 * node, and each replica is in sync with its master. `nodeTimeout` (cluster-node-timeout, ms) is
 * low, so that a killed master is replaced by its replica within a few seconds.
 */
export async function startRedisCluster({ masters = 3, replicas = 0, nodeTimeout = 1000 } = {}) {
  const count = masters * (1 + replicas);
  const dir = mkdtempSync(join(tmpdir(), 'codex-redis-cluster-'));
  const ports = await freePorts(count * 2);
  const nodes = Array.from({ length: count }, (_, i) => {
    const port = ports[i];
    let child;
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      start() {
        child = spawn(
          'redis-server',
          [
            '--port',
            String(port),
            // The cluster bus on a port of its own: port + 10000 may be taken, or above 65535.
            '--cluster-port',
            String(ports[count + i]),
            '--bind',
            '127.0.0.1',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
            '--cluster-node-timeout',
            String(nodeTimeout),
            '--dir',
            dir,
            '--save',
            '',
            '--appendonly',
            'no',
            // A replica syncs at once rather than after the default 5 s.
            '--repl-diskless-sync-delay',
            '0',
            '--loglevel',
            'warning',
          ],
          { stdio: ['ignore', 'ignore', 'inherit'] },
        );
        child.on('error', () => {});
      },
      /** Kills the node (SIGKILL), as a crash would. */
      async kill() {
        const stopping = child;
        child = undefined;
        if (!stopping || stopping.exitCode !== null || stopping.signalCode !== null) return;
        await new Promise((resolve) => {
          stopping.once('exit', resolve);
          stopping.kill('SIGKILL');
        });
      },
    };
  });
  const cluster = {
    nodes,
    /** The first node's port: where to ask the cluster's state while that node is up. */
    port: nodes[0].port,
    /** Where an ioredis Cluster starts: `new Redis.Cluster(cluster.startupNodes)`. */
    startupNodes: nodes.map(({ port }) => ({ host: '127.0.0.1', port })),
    async stop() {
      await Promise.all(nodes.map((node) => node.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    for (const node of nodes) node.start();
    await Promise.all(
      nodes.map(({ port }) =>
        until(
          async () => (await cli(port, 'PING')) === 'PONG',
          `127.0.0.1:${port} did not start (is Debian's redis-server installed?)`,
          10_000,
        ),
      ),
    );
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map(({ port }) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    );
    await until(async () => {
      for (const { port } of nodes) {
        const info = await cli(port, 'CLUSTER', 'INFO');
        if (!info.includes('cluster_state:ok') || !info.includes(`cluster_known_nodes:${count}`)) return false;
        const replication = await cli(port, 'INFO', 'replication');
        if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return false;
      }
      return true;
    }, 'not every node said cluster_state:ok');
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
