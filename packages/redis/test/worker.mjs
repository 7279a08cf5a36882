// One worker of a fleet (test/fleet.ts's `startWorkers`), as a user would write it: @codex/node
// with redisSharing and ioredis's default settings, on what REDIS (JSON) says:
//   { "url": "redis://..." }                             new Redis(url)
//   { "cluster": [{ host, port }, ...] }                 new Redis.Cluster(nodes)
//   { "sentinels": [{ host, port }, ...], "name": "..." } new Redis({ sentinels, name })
// With OFFLINE_QUEUE=off, `enableOfflineQueue: false` (as many production guides recommend).
// Says "ready" once its Client exists and makes its first call on "go" (stdin), so that the fleet
// starts at one instant, as processes of a deploy do; makes CALLS calls one after another, then
// prints what happened as JSON. Exits at once if its stdin closes before (the test process gone).
import { once } from 'node:events';
import { Client } from '@codex/node';
import { redisSharing } from '@codex/redis';
import Redis from 'ioredis';

const where = JSON.parse(process.env.REDIS);
const options = { enableOfflineQueue: process.env.OFFLINE_QUEUE !== 'off' };
const redis = where.cluster
  ? new Redis.Cluster(where.cluster, options)
  : where.sentinels
    ? new Redis({ sentinels: where.sentinels, name: where.name, ...options })
    : new Redis(where.url, options);
redis.on('error', () => {}); // ioredis reports reconnects and lost nodes here; the SDK carries on without Redis
const warnings = [];
const client = new Client({
  apiKey: process.env.CODEX_API_KEY,
  baseUrl: process.env.CODEX_BASE_URL,
  logger: { warn: (message) => warnings.push(message) },
  ...redisSharing(redis),
});
process.stdin.on('end', () => process.exit(2));
process.stdout.write('ready\n');
await once(process.stdin, 'data');
// Still read (for its end), but no longer what keeps the process running.
process.stdin.resume();
process.stdin.unref();
let failed = 0;
const errors = [];
const fail = (error) => {
  failed++;
  errors.push(`${error.name}: ${error.message}`);
};
if (process.env.CREATES) {
  // CREATES=n: n single creates at once, as an import written as single calls (issue 20).
  const title = (i) => `${process.pid} ${i}`;
  await Promise.all(
    Array.from({ length: Number(process.env.CREATES) }, (_, i) =>
      client.documents.create({ title: title(i), content: '' }).catch(fail),
    ),
  );
}
for (let i = 0; i < Number(process.env.CALLS); i++) {
  try {
    await client.documents.list({ limit: 1 });
  } catch (error) {
    fail(error);
  }
}
redis.disconnect();
console.log(JSON.stringify({ failed, errors: errors.slice(0, 3), warnings }));
// The process should end here by itself. A Cluster client disconnected while a failover is under
// way can keep a reconnect timer of ioredis's for a while: after 5 s, say what still holds the
// process (on stderr, in the test's output) and exit, rather than being killed by the harness's
// one-minute timeout, which fails a run whose calls all succeeded (seen once in CI, loaded).
setTimeout(() => {
  console.error(
    `worker ${process.pid}: still running 5 s after its last call: ${process.getActiveResourcesInfo().join(', ')}`,
  );
  process.exit(0);
}, 5_000).unref();
