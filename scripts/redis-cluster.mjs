// A real Redis Cluster of Debian's redis-server on free ports of 127.0.0.1, persistence off, for
// tests and examples: `masters` masters, each with `replicas` replicas, made one cluster by
// `redis-cli --cluster create`. `stop()` kills every node and removes their nodes.conf files.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cli, freePorts, spawnRedis, stopRedis, until } from './redis-server.mjs';

const run = promisify(execFile);

export { cli };

/**
 * Starts the cluster and resolves once every node says `cluster_state:ok`, knows every other
 * node, and each replica is in sync with its master. `nodeTimeout` (cluster-node-timeout, ms) is
 * low, so that a killed master is replaced by its replica within a few seconds.
 */
export async function startRedisCluster({ masters = 3, replicas = 0, nodeTimeout = 1000 } = {}) {
  const count = masters * (1 + replicas);
  const dir = mkdtempSync(join(tmpdir(), 'codex-redis-cluster-'));
  // Two ports a node: clients, and the cluster bus.
  const ports = await freePorts(count * 2);
  const nodes = Array.from({ length: count }, (_, i) => {
    const port = ports[i];
    let child;
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      start() {
        child = spawnRedis(
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
          { stderr: 'inherit' },
        );
        child.on('error', () => {});
      },
      /** Kills the node (SIGKILL), as a crash would. */
      async kill() {
        const stopping = child;
        child = undefined;
        await stopRedis(stopping);
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
          `Redis Cluster: 127.0.0.1:${port} did not start (is Debian's redis-server installed?)`,
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
    }, 'Redis Cluster: not every node said cluster_state:ok');
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
