/**
 * One process of the fleet (run with `node --import tsx`): a Pax8 client on a shared Redis, calling
 * `getCustomer(c-<pid>)` with `CONCURRENCY` loops from the parent's `go` until its `stop`, then reporting.
 *
 * Before it reports `ready` the process is warm but its token cache is cold: modules loaded (tsx transpiles
 * on first import, which took seconds on a busy 2-core CI machine), the Redis connections open (ioredis is
 * imported lazily on first use) and the HTTP stack used once. A long-running worker is in
 * that state; the measured run then shows the limiter and the token single-flight, not module loading.
 */
import { closeRedisConnections, redisBackend } from '../../src/core/redis.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';

const env = process.env;
const client = createPax8Client({
  credentials: { clientId: 'fleet-client', clientSecret: env.FLEET_SECRET ?? 'fleet-secret-value' },
  baseUrl: env.BASE_URL!,
  rateLimit: JSON.parse(env.RATE_LIMIT!),
  redis: env.REDIS_URL!,
  retry: { maxDelayMs: 2_000 },
});
const warnings: string[] = [];
let tokensFetched = 0;
client.on('warning', (w) => warnings.push(w.code));
client.on('token', (t) => {
  if (t.action === 'fetched') tokensFetched += 1;
});

let stopped = false;
process.on('message', async (msg: { type: string }) => {
  if (msg.type === 'stop') stopped = true;
  if (msg.type !== 'go') return;
  let ok = 0;
  const errors: string[] = [];
  const loop = async () => {
    while (!stopped) {
      try {
        await client.getCustomer(`c-${process.pid}`);
        ok += 1;
      } catch (error) {
        errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Number(env.CONCURRENCY ?? 4) }, loop));
  process.send?.({ type: 'done', ok, errors, warnings, tokensFetched });
  await closeRedisConnections();
  process.disconnect?.();
});

// Warm up (the same backend the client uses: one per URL and process), then report ready.
await redisBackend(env.REDIS_URL!).subscriber();
await (await fetch(`${env.BASE_URL}/warm-up`)).text();
process.send?.({ type: 'ready' });
