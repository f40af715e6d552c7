/**
 * One fleet worker process (run with `node --import tsx`), for test/fleet and bench/fleet-sync.ts: a
 * `createSyncFleet` worker whose clients are Pax8 clients on the look-alike (`/a/<account>/v1`), synced per
 * customer, sharing limits and tokens through Redis, writing JSON lines under `SINK_DIR`. It reports `ready` once
 * warm: its lazily loaded modules (ioredis, the Redis connections) loaded by one call of a throw-away client on an
 * uncounted path of the look-alike (a 404), so a run measures the fleet, not module loading; every account's token
 * cache is still cold.
 */
import { closeRedisConnections } from '../../src/core/redis.js';
import { createSyncFleet, jsonLinesSink } from '../../src/fleet/index.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';

const env = process.env;
const fleet = await createSyncFleet({
  redis: env.REDIS_URL!,
  queue: env.FLEET_QUEUE!,
  lockDurationMs: Number(env.LOCK_MS ?? 1_000),
});
const rateLimit = JSON.parse(env.RATE_LIMIT ?? '{"requests":100000,"perMs":1000,"maxConcurrent":4}');
const clientOf = (account: string, origin: string) =>
  createPax8Client({
    credentials: { clientId: account, clientSecret: `${env.SECRET_PREFIX ?? 'fleet'}-${account}` },
    baseUrl: `${origin}/v1`,
    tokenUrl: `${origin}/v1/token`,
    rateLimit,
    ...(env.FLEET_LOCAL_LIMITS === '1' ? {} : { redis: env.REDIS_URL! }),
    retry: { retries: 2, baseDelayMs: 50, maxDelayMs: 200 },
    // A killed worker's limiter slots expire after the window + this + 5 s (core/redis-limiter.ts holdMs).
    timeoutMs: Number(env.TIMEOUT_MS ?? 2_000),
  });
// Warm-up: the look-alike answers `/warm-up/...` with an uncounted 404 (no token is fetched for any account).
await clientOf(`warm-up-${process.pid}`, `${env.ORIGIN}/warm-up`)
  .listCustomers()
  .byPage()
  [Symbol.asyncIterator]()
  .next()
  .catch(() => undefined);
const worker = await fleet.work({
  concurrency: Number(env.JOBS_PER_WORKER ?? 2),
  ...(env.CHECKPOINT_MS === undefined ? {} : { checkpointIntervalMs: Number(env.CHECKPOINT_MS) }),
  sink: jsonLinesSink(env.SINK_DIR!),
  client: ({ account }) => {
    const client = clientOf(account, `${env.ORIGIN}/a/${account}`);
    // Synced per customer (one listing per customer), the case the fleet's checkpoints have most of. Methods are
    // bound once (the sync calls them per customer).
    const capabilities = { ...client.capabilities, listAllSubscriptionsNative: false };
    const bound = new Map<string | symbol, unknown>();
    return new Proxy(client, {
      get(target, key) {
        if (key === 'capabilities') return capabilities;
        const value = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        let fn = bound.get(key);
        if (fn === undefined) {
          fn = value.bind(target);
          bound.set(key, fn);
        }
        return fn;
      },
    });
  },
});
process.on('message', async (m: { type: string }) => {
  if (m.type !== 'stop') return;
  // CPU this process spent since it was ready (the bench reports it per API request).
  const cpu = process.cpuUsage(readyCpu);
  process.send?.({ type: 'cpu', us: cpu.user + cpu.system });
  await profiler?.();
  await worker.close();
  await fleet.close();
  await closeRedisConnections();
  process.disconnect?.();
});
// FLEET_CPU_PROF=<file prefix> (bench development only): a CPU profile from ready to stop, without start-up.
const profiler = env.FLEET_CPU_PROF ? await startProfile() : undefined;
const readyCpu = process.cpuUsage();
process.send?.({ type: 'ready' });

async function startProfile() {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${env.FLEET_CPU_PROF}-${process.pid}.cpuprofile`, JSON.stringify(profile));
  };
}
