/**
 * One process of the seat-lock fleet (run with `node --import tsx`): a Pax8 client on the shared Redis that, on
 * the parent's `go`, starts `CALLS` concurrent `addSeats(+1)` on one subscription and reports every result.
 * Warm before `ready` (modules loaded, Redis connected, a token fetched), so the run measures the lock.
 */
import { closeRedisConnections } from '../../src/core/redis.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';

const env = process.env;
const client = createPax8Client({
  credentials: { clientId: 'seat-fleet', clientSecret: 'seat-fleet-secret-value' },
  baseUrl: env.BASE_URL!,
  rateLimit: false,
  redis: env.REDIS_URL!,
  seatLockWaitMs: 120_000,
});
const ref = { customerId: env.CUSTOMER_ID!, subscriptionId: env.SUBSCRIPTION_ID! };
// Half the calls name the subscription in upper case: one subscription, one lock.
const refUpper = { ...ref, subscriptionId: ref.subscriptionId.toUpperCase() };

process.on('message', async (msg: { type: string }) => {
  if (msg.type !== 'go') return;
  const calls = Number(env.CALLS);
  const settled = await Promise.allSettled(
    Array.from({ length: calls }, (_, i) => client.addSeats(i % 2 ? refUpper : ref, 1)),
  );
  const applied: Array<{ before: number; requested: number; after: number | null }> = [];
  const errors: string[] = [];
  for (const s of settled) {
    if (s.status === 'fulfilled' && s.value.outcome === 'applied') {
      applied.push({ before: s.value.before, requested: s.value.requested, after: s.value.after });
    } else if (s.status === 'fulfilled') errors.push(`outcome ${s.value.outcome}`);
    else errors.push(s.reason instanceof Error ? `${s.reason.name}: ${s.reason.message}` : String(s.reason));
  }
  process.send?.({ type: 'done', applied, errors });
  await closeRedisConnections();
  process.disconnect?.();
});

// Warm up: a read (token, HTTP stack, modules) and the Redis connection through one uncontended change of nothing.
await client.getSubscription(ref);
await client.setSeats(ref, (await client.getSubscription(ref)).quantity);
process.send?.({ type: 'ready' });
