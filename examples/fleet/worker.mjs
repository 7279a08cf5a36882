// One worker of the fleet: imports its share of the documents with documents.batch, through a
// Client that shares the key's token and quota with the other workers through Redis. Reports
// progress to the parent (run.mjs) over IPC. With REDIS_NODES (run.mjs --cluster), through an
// ioredis Cluster started from those nodes, default settings.
import { Client } from '@codex/node';
import { redisSharing } from '@codex/redis';
import Redis from 'ioredis';

const { REDIS_URL, REDIS_NODES, CODEX_API_KEY, CODEX_BASE_URL, WORKER, DOCUMENTS } = process.env;
const redis = REDIS_NODES ? new Redis.Cluster(JSON.parse(REDIS_NODES)) : new Redis(REDIS_URL);
redis.on('error', () => {}); // the SDK carries on without Redis; ioredis reconnects
const client = new Client({ apiKey: CODEX_API_KEY, baseUrl: CODEX_BASE_URL, ...redisSharing(redis) });
process.send?.({ ready: true });
const operations = Array.from({ length: Number(DOCUMENTS) }, (_, i) => ({
  op: 'create',
  document: { title: `worker ${WORKER} document ${i}`, content: 'imported by a fleet' },
}));
let reported = 0;
const outcomes = await client.documents.batch(operations, {
  onProgress: (done) => {
    process.send?.({ progress: done - reported });
    reported = done;
  },
});
process.send?.({ failed: outcomes.filter((o) => o.status < 200 || o.status >= 300).length });
redis.disconnect();
process.disconnect?.();
