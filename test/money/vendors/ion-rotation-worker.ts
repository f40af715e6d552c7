/**
 * One process of the Ion rotation test (run with `node --import tsx`): a TD SYNNEX client on a shared Redis,
 * no explicit token store (the `redis` option alone must put the rotating refresh token in Redis), calling
 * `getCustomer` CALLS times from the parent's `go`, then reporting.
 */
import { closeRedisConnections, redisBackend } from '../../../src/core/redis.js';
import { createTdSynnexClient } from '../../../src/providers/td-synnex/index.js';

const env = process.env;
const client = createTdSynnexClient({
  credentials: { refreshToken: env.ION_REFRESH_TOKEN! },
  accountId: '10001',
  baseUrl: env.BASE_URL!,
  redis: env.REDIS_URL!,
  rateLimit: false,
  retry: { baseDelayMs: 5, maxDelayMs: 20 },
});

process.on('message', async (msg: { type: string }) => {
  if (msg.type !== 'go') return;
  let ok = 0;
  const errors: string[] = [];
  for (let i = 0; i < Number(env.CALLS ?? 10); i++) {
    // Spread over more than one access-token life (2 s, refreshed after 1 s), so the chain rotates several
    // times whatever the machine's speed: 30 calls x >= 100 ms.
    await new Promise((resolve) => setTimeout(resolve, 60));
    try {
      await client.getCustomer('501');
      ok += 1;
    } catch (error) {
      errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  }
  process.send?.({ type: 'done', ok, errors });
  await closeRedisConnections();
  process.disconnect?.();
});

await redisBackend(env.REDIS_URL!).client();
process.send?.({ type: 'ready' });
