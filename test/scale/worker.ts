/**
 * One process of the fleet (run with `node --import tsx`): a Pax8 client on a shared Redis, calling
 * `getCustomer` with `CONCURRENCY` loops from the parent's `go` until its deadline, then reporting.
 */
import { closeRedisConnections } from '../../src/core/redis.js';
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

process.on('message', async (msg: { type: string; until: number }) => {
  if (msg.type !== 'go') return;
  let ok = 0;
  const errors: string[] = [];
  const loop = async () => {
    while (Date.now() < msg.until) {
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
process.send?.({ type: 'ready' });
