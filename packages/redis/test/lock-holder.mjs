// A process that takes a key's refresh lock through redisSharing and holds it: its token request
// never ends. It prints "holding" once the request has started; the test then kills it (SIGKILL),
// as a crash would, to see how long the lock outlives its holder.
import { redisSharing } from '@codex/redis';
import Redis from 'ioredis';

const redis = new Redis(process.env.REDIS_URL);
redis.on('error', () => {});
const { coordinateRefresh } = redisSharing(redis);
const refresh = coordinateRefresh(
  process.env.LOCK_KEY,
  () => {
    process.stdout.write('holding\n');
    return new Promise(() => {});
  },
  {},
);
refresh();
