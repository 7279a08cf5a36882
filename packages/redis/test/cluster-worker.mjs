// One worker of a fleet on a Redis Cluster (test/worker.mjs, with an ioredis Cluster): default
// Cluster settings, started from every node of REDIS_NODES (JSON: [{ host, port }]). Makes CALLS
// calls one after another, then prints what happened as JSON. Says "ready" once its Client exists
// and makes its first call on "go" (stdin), so that the fleet starts at one instant.
import { once } from 'node:events';
import { Client } from '@codex/node';
import { redisSharing } from '@codex/redis';
import Redis from 'ioredis';

const redis = new Redis.Cluster(JSON.parse(process.env.REDIS_NODES));
redis.on('error', () => {}); // ioredis reports lost nodes here; the SDK carries on without Redis
const warnings = [];
const client = new Client({
  apiKey: process.env.CODEX_API_KEY,
  baseUrl: process.env.CODEX_BASE_URL,
  logger: { warn: (message) => warnings.push(message) },
  ...redisSharing(redis),
});
process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.destroy();
let failed = 0;
const errors = [];
for (let i = 0; i < Number(process.env.CALLS); i++) {
  try {
    await client.documents.list({ limit: 1 });
  } catch (error) {
    failed++;
    errors.push(`${error.name}: ${error.message}`);
  }
}
redis.disconnect();
console.log(JSON.stringify({ failed, errors: errors.slice(0, 3), warnings }));
