// A Redis Sentinel deployment of Debian's redis-server on free ports of 127.0.0.1, persistence
// off, for tests and examples: a master, `replicas` replicas of it, and `sentinels` sentinels
// (`redis-server <sentinel.conf> --sentinel`) that monitor it as `name` with a quorum of `quorum`.
// `downAfter` (down-after-milliseconds) is short, so that a killed master is replaced by a replica
// within a few seconds. `stop()` kills every process and removes their files; each is killed too
// if the process that started it dies (./redis-server.mjs's `spawnRedis`).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, freePorts, spawnRedis, stopRedis, until } from './redis-server.mjs';

/** The fields of a reply of redis-cli that alternates names and values (SENTINEL MASTER). */
const fields = (reply) => {
  const lines = reply.split('\n');
  return Object.fromEntries(lines.flatMap((line, i) => (i % 2 ? [] : [[line, lines[i + 1]]])));
};

/**
 * Starts the deployment and resolves once each replica is in sync with the master and every
 * sentinel knows the master, every replica, and every other sentinel (they find each other
 * through the master's `__sentinel__:hello` channel, every 2 s): ready to fail over.
 */
export async function startRedisSentinel({
  name = 'mymaster',
  replicas = 1,
  sentinels = 3,
  quorum = 2,
  downAfter = 1000,
  // The longest a failover may take before it is abandoned (and retried after twice as long).
  failoverTimeout = 5000,
} = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'codex-redis-sentinel-'));
  const ports = await freePorts(1 + replicas + sentinels);
  const spawned = (port, args) => {
    let child;
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      start() {
        child = spawnRedis(args(port), { stderr: 'inherit' });
        child.on('error', () => {});
      },
      /** Kills the process (SIGKILL), as a crash would. */
      async kill() {
        const stopping = child;
        child = undefined;
        await stopRedis(stopping);
      },
      /** What it logged (its log file). */
      log() {
        try {
          return readFileSync(join(dir, `${port}.log`), 'utf8');
        } catch {
          return '';
        }
      },
    };
  };
  /** The arguments of a redis-server (master or replica) on `port`. */
  const server =
    (...more) =>
    (port) => [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--dbfilename',
      `dump-${port}.rdb`,
      '--logfile',
      `${port}.log`,
      '--save',
      '',
      '--appendonly',
      'no',
      // A replica syncs at once rather than after the default 5 s, and from memory, not a file.
      '--repl-diskless-sync-delay',
      '0',
      '--repl-diskless-load',
      'on-empty-db',
      '--loglevel',
      'warning',
      ...more,
    ];
  const [masterPort = 0] = ports;
  const master = spawned(masterPort, server());
  const replicaNodes = ports
    .slice(1, 1 + replicas)
    .map((port) => spawned(port, server('--replicaof', '127.0.0.1', String(masterPort))));
  const sentinelNodes = ports.slice(1 + replicas).map((port) =>
    spawned(port, () => {
      // A sentinel rewrites its configuration file (what it learns of the others): one each.
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `logfile ${port}.log`,
          'loglevel notice',
          `sentinel monitor ${name} 127.0.0.1 ${masterPort} ${quorum}`,
          `sentinel down-after-milliseconds ${name} ${downAfter}`,
          `sentinel failover-timeout ${name} ${failoverTimeout}`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      return [conf, '--sentinel'];
    }),
  );
  const nodes = [master, ...replicaNodes];
  const deployment = {
    name,
    /** The master it started with (after a failover, a replica of the new one, or dead). */
    master,
    replicas: replicaNodes,
    nodes,
    sentinelNodes,
    /** Where an ioredis client finds the master: `new Redis({ sentinels, name })`. */
    sentinels: sentinelNodes.map(({ port }) => ({ host: '127.0.0.1', port })),
    /** The master's port, as the first sentinel that answers says (SENTINEL GET-MASTER-ADDR-BY-NAME). */
    async masterPort() {
      for (const { port } of sentinelNodes) {
        const reply = await cli(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name).catch(() => '');
        const [, masterPort] = reply.split('\n');
        if (masterPort) return Number(masterPort);
      }
      throw new Error('Redis Sentinel: no sentinel answered');
    },
    /** Every process's log, for a test's failure message. */
    logs() {
      return [...nodes, ...sentinelNodes].map((node) => `--- ${node.port}\n${node.log()}`).join('\n');
    },
    async stop() {
      await Promise.all([...nodes, ...sentinelNodes].map((node) => node.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    for (const node of nodes) node.start();
    await Promise.all(
      nodes.map(({ port }) =>
        until(
          async () => (await cli(port, 'PING')) === 'PONG',
          `Redis Sentinel: 127.0.0.1:${port} did not start (is Debian's redis-server installed?)`,
          10_000,
        ),
      ),
    );
    // In sync before the sentinels start: their first INFO of the master lists the replicas (else
    // they learn of them at the next, 10 s later).
    await until(async () => {
      const info = await cli(masterPort, 'INFO', 'replication');
      if (!info.includes(`connected_slaves:${replicas}`)) return false;
      for (const { port } of replicaNodes)
        if (!(await cli(port, 'INFO', 'replication')).includes('master_link_status:up')) return false;
      return true;
    }, 'Redis Sentinel: the replicas did not sync');
    for (const node of sentinelNodes) node.start();
    await until(async () => {
      for (const { port } of sentinelNodes) {
        const state = fields(await cli(port, 'SENTINEL', 'MASTER', name));
        if (state.flags !== 'master') return false;
        if (Number(state['num-slaves']) !== replicas) return false;
        if (Number(state['num-other-sentinels']) !== sentinels - 1) return false;
      }
      return true;
    }, 'Redis Sentinel: the sentinels did not all know the master, its replicas and each other');
    return deployment;
  } catch (error) {
    await deployment.stop();
    throw error;
  }
}
