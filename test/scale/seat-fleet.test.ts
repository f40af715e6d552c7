/**
 * The fleet seat lock against a real redis-server at REDIS_URL: 2 and 4 processes, each with 200 concurrent
 * `addSeats(+1)` on one subscription of a Pax8 look-alike (plain node:http, in this process), end exactly +400 /
 * +800, and every `applied` result is a write the vendor really applied (its target, once). Also: a holder whose
 * lock was taken from it (lease gone) sends nothing.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedisConnections } from '../../src/core/redis.js';
import { ConflictError, createPax8Client, createSherwebClient } from '../../src/index.js';
import {
  LOOKALIKE_CUSTOMER,
  type Pax8LookAlike,
  startPax8LookAlike,
  startSherwebLookAlike,
} from '../money/lookalikes.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('test/scale/seat-fleet: REDIS_URL is not set, skipping the fleet seat-lock tests');

const workerPath = fileURLToPath(new URL('./seat-worker.ts', import.meta.url));
const SUB = 'f1f1f1f1-0000-4000-8000-000000000001';

interface Report {
  applied: Array<{ before: number; requested: number; after: number | null }>;
  errors: string[];
}

async function runSeatFleet(
  vendorUrl: string,
  workers: number,
  calls: number,
): Promise<{ reports: Report[]; ms: number }> {
  const children: ChildProcess[] = [];
  try {
    const ready: Promise<void>[] = [];
    const done: Promise<Report>[] = [];
    for (let i = 0; i < workers; i++) {
      const child = fork(workerPath, [], {
        execArgv: ['--import', 'tsx'],
        env: {
          ...process.env,
          BASE_URL: vendorUrl,
          REDIS_URL,
          CUSTOMER_ID: LOOKALIKE_CUSTOMER,
          SUBSCRIPTION_ID: SUB,
          CALLS: String(calls),
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      const exited = new Promise<never>((_, reject) =>
        child.once('exit', (code) => reject(new Error(`seat worker exited with ${code} before reporting`))),
      );
      ready.push(
        Promise.race([
          new Promise<void>((r) => child.on('message', (m: { type: string }) => m.type === 'ready' && r())),
          exited,
        ]),
      );
      done.push(
        Promise.race([
          new Promise<Report>((r) => child.on('message', (m: { type: string } & Report) => m.type === 'done' && r(m))),
          exited,
        ]),
      );
    }
    await Promise.all(ready);
    const started = Date.now();
    for (const c of children) c.send({ type: 'go' });
    const reports = await Promise.all(done);
    return { reports, ms: Date.now() - started };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
  }
}

describe.skipIf(!REDIS_URL)('fleet seat lock on Redis', () => {
  let vendor: Pax8LookAlike;
  const applied: number[] = [];
  beforeAll(async () => {
    vendor = await startPax8LookAlike({ [SUB]: 100 });
  });
  afterAll(async () => {
    await vendor.close();
    await closeRedisConnections();
  });

  for (const workers of [2, 4]) {
    it(`${workers} processes x 200 concurrent addSeats(+1): the count ends exactly +${workers * 200}, every applied real`, async () => {
      const start = vendor.seats.get(SUB)!;
      const writesBefore = vendor.writesApplied;
      const { reports, ms } = await runSeatFleet(vendor.url, workers, 200);
      const results = reports.flatMap((r) => r.applied);
      const errors = reports.flatMap((r) => r.errors);
      console.info(`seat fleet: ${workers} processes x 200 addSeats(+1) in ${ms} ms, ${errors.length} errors`);
      applied.push(ms);
      expect(errors).toEqual([]);
      expect(results).toHaveLength(workers * 200);
      // Every applied result is its own +1 on top of the one before it: targets start+1 .. start+N, each once.
      const targets = results.map((r) => r.requested).sort((a, b) => a - b);
      expect(targets).toEqual(Array.from({ length: workers * 200 }, (_, i) => start + i + 1));
      expect(results.every((r) => r.after === r.requested && r.requested === r.before + 1)).toBe(true);
      expect(vendor.seats.get(SUB)).toBe(start + workers * 200);
      expect(vendor.writesApplied - writesBefore).toBe(workers * 200);
    });
  }

  it('a holder whose lease was taken away sends nothing (fencing): ConflictError SEAT_LOCK_LOST', async () => {
    const admin = new Redis(REDIS_URL!);
    try {
      const client = createPax8Client({
        credentials: { clientId: 'fence-id', clientSecret: 'fence-secret-value' },
        baseUrl: vendor.url,
        rateLimit: false,
        redis: REDIS_URL!,
      });
      const ref = { customerId: LOOKALIKE_CUSTOMER, subscriptionId: SUB };
      await client.getSubscription(ref); // token and connection warm
      const received = vendor.writesReceived;
      // While the holder reads, its lease vanishes and another process takes the lock (a new fencing token).
      vendor.onRead = async () => {
        vendor.onRead = undefined;
        const [lockKey] = await admin.keys('msp:seat:*:lock');
        await admin.set(lockKey!, 'someone-else', 'PX', 5_000);
        const holderKey = lockKey!.replace(/:lock$/, ':holder');
        await admin.incr(lockKey!.replace(/:lock$/, ':fence'));
        await admin.set(holderKey, '999999');
      };
      const error = await client.addSeats(ref, 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).code).toBe('SEAT_LOCK_LOST');
      expect(vendor.writesReceived).toBe(received);
      const [lockKey] = await admin.keys('msp:seat:*:lock');
      if (lockKey) await admin.del(lockKey);
    } finally {
      admin.disconnect();
    }
  });

  it('an asynchronous vendor, two lock holders that share only Redis, mixed-case ids: 10 addSeats(+1) end exactly +10', async () => {
    // Fresh ids each run: a pending record of an earlier run (30 min in Redis) must not meet this one.
    const customer = randomUUID();
    const sub = randomUUID();
    const sherweb = await startSherwebLookAlike(customer, { [sub]: 7 });
    // A URL and an ioredis client are two separate seat locks in this process (each with its own local queue),
    // as two processes would be: only Redis holds them together.
    const own = new Redis(REDIS_URL!);
    try {
      const make = (redis: string | Redis) =>
        createSherwebClient({
          credentials: { clientId: 'sw-id', clientSecret: 'sw-fleet-secret', subscriptionKey: 'sw-fleet-key' },
          baseUrl: sherweb.url,
          tokenUrl: `${sherweb.url}/token`,
          rateLimit: false,
          redis,
        });
      const a = make(REDIS_URL!);
      const b = make(own);
      const refs = [
        { customerId: customer, subscriptionId: sub },
        { customerId: customer.toUpperCase(), subscriptionId: sub.toUpperCase() },
      ];
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).addSeats(refs[i % 2]!, 1)),
      );
      expect(results.map((r) => r.outcome)).toEqual(Array(10).fill('pending'));
      expect(results.map((r) => r.requested).sort((x, y) => x - y)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
      sherweb.drain();
      expect(sherweb.seats.get(sub)).toBe(17);
    } finally {
      own.disconnect();
      await sherweb.close();
    }
  });
});
