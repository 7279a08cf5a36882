import Redis from 'ioredis';
import { afterEach } from 'vitest';
// @ts-expect-error: a plain .mjs module of the repository's scripts, without types.
import { cli as redisCli, startRedisCluster as start } from '../../../scripts/redis-cluster.mjs';
import { closing } from './fleet';

// A real Redis Cluster (scripts/redis-cluster.mjs), and what a test does to it while a fleet
// (./fleet's `fleet`, given the cluster) runs on it: move a slot, fail a master over.

export type ClusterNode = { port: number; url: string; kill(): Promise<void> };
export type RunningCluster = {
  nodes: ClusterNode[];
  /** The first node's port. */
  port: number;
  startupNodes: Array<{ host: string; port: number }>;
  stop(): Promise<void>;
};

const running: RunningCluster[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

/** `masters` masters with `replicas` replicas each, cluster-node-timeout 1 s; stopped after the test. */
export async function startCluster(options: { masters?: number; replicas?: number } = {}): Promise<RunningCluster> {
  const cluster: RunningCluster = await start(options);
  running.push(cluster);
  return cluster;
}

export const cli = (port: number, ...args: Array<string | number>): Promise<string> =>
  redisCli(port, ...args.map(String));

/** An ioredis Cluster client on `cluster`, default settings, dropped after the test. */
export function connectCluster(cluster: RunningCluster, Implementation: typeof Redis = Redis) {
  const client = new Implementation.Cluster(cluster.startupNodes);
  client.on('error', () => {});
  closing.push(() => client.disconnect());
  return client;
}

type NodeInfo = { id: string; port: number; master: boolean; masterId: string; slots: Array<[number, number]> };

/** The cluster as the node on `port` sees it (CLUSTER NODES); failed nodes left out. */
export async function clusterNodes(port: number): Promise<NodeInfo[]> {
  return (await cli(port, 'CLUSTER', 'NODES'))
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, , flags]) => !flags?.includes('fail'))
    .map(([id = '', address = '', flags = '', masterId = '', , , , , ...slots]) => ({
      id,
      port: Number(address.split(/[:@]/)[1]),
      master: flags.includes('master'),
      masterId,
      slots: slots
        .filter((range) => !range.startsWith('['))
        .map((range) => range.split('-').map(Number) as [number, number?])
        .map(([from, to = from]) => [from, to] as [number, number]),
    }));
}

/** The master that serves `slot`, as the node on `port` sees it. */
export async function masterOf(port: number, slot: number) {
  const owner = (await clusterNodes(port)).find((n) => n.master && n.slots.some(([a, b]) => slot >= a && slot <= b));
  if (!owner) throw new Error(`no master serves slot ${slot}`);
  return owner;
}

/** Every key named `pattern` on the cluster's masters (as the node on `port` sees them), and where it is. */
export async function keysOn(port: number, pattern: string) {
  const found: Array<{ key: string; port: number }> = [];
  for (const node of await clusterNodes(port)) {
    if (!node.master) continue;
    const keys = (await cli(node.port, 'KEYS', pattern)).split('\n').filter(Boolean);
    for (const key of keys) found.push({ key, port: node.port });
  }
  return found;
}

/**
 * Moves `slot` to another master, as `redis-cli --cluster reshard` does (Redis Cluster
 * specification, "Cluster live reconfiguration"): IMPORTING on the target, MIGRATING on the
 * source, MIGRATE its keys, then SETSLOT NODE on both. Commands sent meanwhile get ASK, those
 * sent after it MOVED. Answers the source and the target.
 */
export async function moveSlot(cluster: RunningCluster, slot: number) {
  const nodes = await clusterNodes(cluster.port);
  const source = await masterOf(cluster.port, slot);
  const target = nodes.find((n) => n.master && n.id !== source.id);
  if (!target) throw new Error('no other master');
  await cli(target.port, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.id);
  await cli(source.port, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.id);
  for (;;) {
    const keys = (await cli(source.port, 'CLUSTER', 'GETKEYSINSLOT', slot, 100)).split('\n').filter(Boolean);
    if (keys.length === 0) break;
    await cli(source.port, 'MIGRATE', '127.0.0.1', target.port, '', 0, 5000, 'KEYS', ...keys);
  }
  await cli(target.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', target.id);
  await cli(source.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', target.id);
  return { source, target };
}

/** How many times the node on `port` answered `error` (CROSSSLOT...): INFO errorstats. */
export async function errorCount(port: number, error: string) {
  const stats = await cli(port, 'INFO', 'errorstats');
  return Number(new RegExp(`errorstat_${error}:count=(\\d+)`).exec(stats)?.[1] ?? 0);
}

/** How many times the node on `port` ran `command` (eval, evalsha, get...): INFO commandstats. */
export async function commandCount(port: number, command: string) {
  const stats = await cli(port, 'INFO', 'commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
}
