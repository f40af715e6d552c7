/**
 * The fleet test of issue 6: 4 processes share one Pax8 credential through Redis against a fake that enforces
 * 120 requests per rolling 10 s window. Needs a real redis-server at REDIS_URL (`.ci/run` starts one); the
 * restart test starts (and kills) a redis-server of its own. Run apart from the other test files
 * (`vitest run --project scale`, see docs/scaling.md): it measures timing across processes.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type FakeVendor, startFakeVendor } from './fake-vendor.js';
import { runFleet, waitFor } from './fleet.js';
import { haveRedisServer, startOwnRedis } from './own-redis.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('test/scale: REDIS_URL is not set, skipping the Redis fleet tests (see README)');
const canRestart = haveRedisServer();
if (REDIS_URL && !canRestart) {
  console.warn('test/scale: redis-server is not on PATH, skipping the Redis restart test');
}

const LIMIT = { requests: 120, perMs: 10_000, maxConcurrent: 10 };
const fakes: FakeVendor[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

async function fake(): Promise<FakeVendor> {
  const f = await startFakeVendor({ limit: LIMIT.requests, windowMs: LIMIT.perMs });
  fakes.push(f);
  return f;
}

async function flush(url: string): Promise<void> {
  const admin = new Redis(url);
  await admin.flushdb();
  admin.disconnect();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

describe.skipIf(!REDIS_URL)('fleet of 4 processes on one credential', () => {
  it('cold start makes 1 token request; holds the limit with 0 × 429 and >= 90% utilisation', async () => {
    await flush(REDIS_URL!);
    const f = await fake();
    let go = 0;
    let first = 0;
    const reports = await runFleet({
      workers: 4,
      baseUrl: f.baseUrl,
      redisUrl: REDIS_URL!,
      rateLimit: LIMIT,
      // Run until the window that starts with the first accepted request is over, however long the start took.
      until: async (startedAt) => {
        go = startedAt;
        await waitFor(() => f.accepted.length > 0, 30_000, 'the first accepted request');
        first = f.accepted[0]!;
        await sleep(first + LIMIT.perMs + 500 - Date.now());
      },
    });
    const inFirstWindow = f.accepted.filter((t) => t < first + LIMIT.perMs).length;
    const utilisation = inFirstWindow / LIMIT.requests;
    console.info(
      `fleet: ${f.accepted.length} accepted, ${f.rejected} × 429, first accepted ${first - go} ms after go, ` +
        `${inFirstWindow} in the first window (${(utilisation * 100).toFixed(1)}%), max ${f.maxInWindow()} in any ` +
        `window, ${f.tokenRequests} token request(s), per worker ${reports.map((r) => r.ok).join('/')}`,
    );
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    expect(f.tokenRequests).toBe(1);
    expect(reports.reduce((n, r) => n + r.tokensFetched, 0)).toBe(1);
    expect(f.rejected).toBe(0);
    expect(f.maxInWindow()).toBeLessThanOrEqual(LIMIT.requests);
    expect(utilisation).toBeGreaterThanOrEqual(0.9);
    expect(reports.every((r) => r.ok > 0)).toBe(true);
  }, 60_000);

  it.skipIf(!canRestart)(
    'survives a Redis restart mid-run (SHUTDOWN NOSAVE, started again on the same port)',
    async () => {
      // A server of its own: this test kills it, and must know how to start it again.
      const own = await startOwnRedis();
      try {
        const f = await fake();
        let shutdownAt = 0;
        let restartedAt = 0;
        const reports = await runFleet({
          workers: 4,
          baseUrl: f.baseUrl,
          redisUrl: own.url,
          rateLimit: LIMIT,
          until: async () => {
            // Mid-run: every worker has had calls accepted (connected, token shared, limiter state in Redis).
            await waitFor(() => f.acceptedBy.size >= 4 && f.accepted.length >= 20, 30_000, 'every worker to run');
            shutdownAt = Date.now();
            await own.restart(300);
            restartedAt = Date.now();
            await sleep(4_500);
          },
        });
        const before = f.accepted.filter((t) => t < shutdownAt).length;
        const after = f.accepted.filter((t) => t > restartedAt + 500).length;
        console.info(
          `restart: ${f.accepted.length} accepted, ${f.rejected} × 429, ${before} before the shutdown, ` +
            `down ${restartedAt - shutdownAt} ms, ${after} from 0.5 s after the restart (4 s), ` +
            `max ${f.maxInWindow()} in any window, ${f.tokenRequests} token request(s)`,
        );
        expect(reports.flatMap((r) => r.errors)).toEqual([]);
        expect(after).toBeGreaterThan(20);
        expect(f.rejected).toBe(0);
        expect(f.maxInWindow()).toBeLessThanOrEqual(LIMIT.requests);
      } finally {
        await own.stop();
      }
    },
    60_000,
  );
});
