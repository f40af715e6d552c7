/**
 * The fleet test of issue 6: 4 processes share one Pax8 credential through Redis against a fake that enforces
 * 120 requests per rolling 10 s window. Needs a real redis-server at REDIS_URL (`.ci/run` starts one).
 */
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type FakeVendor, startFakeVendor } from './fake-vendor.js';
import { runFleet } from './fleet.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('test/scale: REDIS_URL is not set, skipping the Redis fleet tests (see README)');
const restartable =
  process.env.REDIS_RESTARTABLE === '1' && /^redis:\/\/(127\.0\.0\.1|localhost)[:/]/.test(REDIS_URL ?? '');
if (REDIS_URL && !restartable) {
  console.warn('test/scale: set REDIS_RESTARTABLE=1 (a throwaway loopback Redis) to run the Redis restart test');
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

describe.skipIf(!REDIS_URL)('fleet of 4 processes on one credential', () => {
  it('cold start makes 1 token request; holds the limit with 0 × 429 and >= 90% utilisation', async () => {
    await flush(REDIS_URL!);
    const f = await fake();
    const reports = await runFleet({
      workers: 4,
      baseUrl: f.baseUrl,
      redisUrl: REDIS_URL!,
      rateLimit: LIMIT,
      durationMs: LIMIT.perMs + 1_000,
    });
    const first = f.accepted[0]!;
    const inFirstWindow = f.accepted.filter((t) => t < first + LIMIT.perMs).length;
    const utilisation = inFirstWindow / LIMIT.requests;
    console.info(
      `fleet: ${f.accepted.length} accepted, ${f.rejected} × 429, ${inFirstWindow} in the first window ` +
        `(${(utilisation * 100).toFixed(1)}%), max ${f.maxInWindow()} in any window, ${f.tokenRequests} token request(s)`,
    );
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    expect(f.tokenRequests).toBe(1);
    expect(reports.reduce((n, r) => n + r.tokensFetched, 0)).toBe(1);
    expect(f.rejected).toBe(0);
    expect(f.maxInWindow()).toBeLessThanOrEqual(LIMIT.requests);
    expect(utilisation).toBeGreaterThanOrEqual(0.9);
    expect(reports.every((r) => r.ok > 0)).toBe(true);
  }, 40_000);

  it.skipIf(!restartable)(
    'survives a Redis restart mid-run (SHUTDOWN NOSAVE, started again on the same port)',
    async () => {
      await flush(REDIS_URL!);
      const f = await fake();
      const port = Number(new URL(REDIS_URL!).port || 6379);
      let restartedAt = 0;
      const reports = await runFleet({
        workers: 4,
        baseUrl: f.baseUrl,
        redisUrl: REDIS_URL!,
        rateLimit: LIMIT,
        durationMs: 7_000,
        during: async (startedAt) => {
          await new Promise((r) => setTimeout(r, startedAt + 2_500 - Date.now()));
          const admin = new Redis(REDIS_URL!, { retryStrategy: () => null });
          admin.on('error', () => undefined);
          await admin.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
          admin.disconnect();
          await new Promise((r) => setTimeout(r, 300));
          const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'];
          const dir = `/tmp/msp-redis-${port}`;
          spawnSync('mkdir', ['-p', dir]);
          const started = spawnSync('redis-server', [
            ...args,
            '--daemonize',
            'yes',
            '--dir',
            dir,
            '--pidfile',
            `${dir}/redis.pid`,
            '--logfile',
            `${dir}/redis.log`,
          ]);
          expect(started.status).toBe(0);
          restartedAt = Date.now();
        },
      });
      const after = f.accepted.filter((t) => t > restartedAt + 500).length;
      console.info(
        `restart: ${f.accepted.length} accepted, ${f.rejected} × 429, ${after} after the restart, ` +
          `max ${f.maxInWindow()} in any window, ${f.tokenRequests} token request(s)`,
      );
      expect(reports.flatMap((r) => r.errors)).toEqual([]);
      expect(after).toBeGreaterThan(20);
      expect(f.maxInWindow()).toBeLessThanOrEqual(LIMIT.requests);
    },
    40_000,
  );
});
