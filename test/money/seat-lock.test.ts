/**
 * The seat lock in one process (no `redis`): concurrent changes of one subscription are serialized under its
 * canonical key (mixed-case UUIDs are one subscription), a vendor's queued amendments are the base of the next
 * change, the wait for the lock is bounded, and seat counts are bounded integers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../src/core/keyed-mutex.js';
import {
  ConflictError,
  NetworkError,
  SeatChangeNotObservedError,
  ValidationError,
  createPax8Client,
  createSherwebClient,
} from '../../src/index.js';
import {
  LOOKALIKE_CUSTOMER,
  type Pax8LookAlike,
  type SherwebLookAlike,
  startPax8LookAlike,
  startSherwebLookAlike,
} from './lookalikes.js';

const SUB = 'bbbbbbbb-0000-4000-8000-00000000000a';
let pax8: Pax8LookAlike;

function pax8Client(extra: { seatLockWaitMs?: number } = {}) {
  return createPax8Client({
    credentials: { clientId: 'lock-id', clientSecret: 'lock-secret-value' },
    baseUrl: pax8.url,
    rateLimit: false,
    ...extra,
  });
}

beforeAll(async () => {
  pax8 = await startPax8LookAlike({ [SUB]: 5, 'cccccccc-0000-4000-8000-00000000000b': 99_999 });
});
afterAll(() => pax8.close());

describe('seat lock in one process', () => {
  it('says its scope: process without redis, fleet with redis', () => {
    expect(pax8Client().capabilities.seatLockScope).toBe('process');
    const fleet = createPax8Client({
      credentials: { clientId: 'lock-id', clientSecret: 'lock-secret-value' },
      baseUrl: pax8.url,
      redis: 'redis://127.0.0.1:1',
    });
    expect(fleet.capabilities.seatLockScope).toBe('fleet');
  });

  it('60 concurrent addSeats(+1) from two clients, ids in upper and lower case, end exactly +60', async () => {
    const a = pax8Client();
    const b = pax8Client();
    pax8.latencyMs = 1;
    const start = pax8.seats.get(SUB)!;
    const refs = [
      { customerId: LOOKALIKE_CUSTOMER, subscriptionId: SUB },
      { customerId: LOOKALIKE_CUSTOMER, subscriptionId: SUB.toUpperCase() },
    ];
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).addSeats(refs[i % 2]!, 1)));
    pax8.latencyMs = 0;
    expect(results.every((r) => r.outcome === 'applied' && r.after === r.requested)).toBe(true);
    expect(new Set(results.map((r) => r.requested)).size).toBe(60);
    expect(pax8.seats.get(SUB)).toBe(start + 60);
  });

  it('a wait for the lock is bounded: ConflictError SEAT_LOCK_TIMEOUT, nothing sent', async () => {
    const c = pax8Client({ seatLockWaitMs: 20 });
    const ref = { customerId: LOOKALIKE_CUSTOMER, subscriptionId: SUB };
    pax8.latencyMs = 60;
    const received = pax8.writesReceived;
    const [first, second] = await Promise.allSettled([c.addSeats(ref, 1), c.addSeats(ref, 1)]);
    pax8.latencyMs = 0;
    expect(first.status, String((first as PromiseRejectedResult).reason)).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const error = (second as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe('SEAT_LOCK_TIMEOUT');
    expect(pax8.writesReceived - received).toBe(1);
  });

  it('with redis unreachable a seat change fails with NetworkError before anything is sent (no in-process fallback)', async () => {
    const c = createPax8Client({
      credentials: { clientId: 'lock-id', clientSecret: 'lock-secret-value' },
      baseUrl: pax8.url,
      rateLimit: false,
      redis: 'redis://127.0.0.1:1',
      redisFallback: 'in-process',
    });
    const received = pax8.writesReceived;
    const error = await c.addSeats({ customerId: LOOKALIKE_CUSTOMER, subscriptionId: SUB }, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(pax8.writesReceived).toBe(received);
  });

  it('KeyedMutex: a waiter that times out keeps the order of the others and never runs', async () => {
    const m = new KeyedMutex();
    const order: string[] = [];
    let release!: () => void;
    const first = m.run('k', () => new Promise<void>((r) => (release = r)).then(() => order.push('first')));
    const late = m.run('k', async () => order.push('late'), { waitMs: 5, timeoutError: () => new Error('timeout') });
    const third = m.run('k', async () => order.push('third'));
    await expect(late).rejects.toThrow('timeout');
    release();
    await Promise.all([first, third]);
    expect(order).toEqual(['first', 'third']);
  });
});

describe('seat counts are bounded integers', () => {
  const ref = { customerId: LOOKALIKE_CUSTOMER, subscriptionId: SUB };
  for (const bad of [1e300, 2 ** 53, 2 ** 53 + 1, Number.NaN, 1.5, Number.POSITIVE_INFINITY, -1, 100_001]) {
    it(`setSeats(${bad}) and addSeats(${bad}) are ValidationErrors before any request`, async () => {
      const c = pax8Client();
      const received = pax8.writesReceived;
      await expect(c.setSeats(ref, bad)).rejects.toBeInstanceOf(ValidationError);
      await expect(c.addSeats(ref, bad)).rejects.toBeInstanceOf(ValidationError);
      expect(pax8.writesReceived).toBe(received);
    });
  }

  it('addSeats refuses a result above 100,000 seats (never rounds to unchanged)', async () => {
    const c = pax8Client();
    const near = { customerId: LOOKALIKE_CUSTOMER, subscriptionId: 'cccccccc-0000-4000-8000-00000000000b' };
    const received = pax8.writesReceived;
    const error = await c.addSeats(near, 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/100000/);
    expect(pax8.writesReceived).toBe(received);
    expect((await c.addSeats(near, 1)).outcome).toBe('applied');
    expect(pax8.seats.get(near.subscriptionId)).toBe(100_000);
  });
});

describe('an asynchronous vendor that queues amendments', () => {
  const CUSTOMER = 'dddddddd-0000-4000-8000-00000000000c';
  const SW_SUB = 'eeeeeeee-0000-4000-8000-00000000000d';
  let sherweb: SherwebLookAlike;
  beforeAll(async () => {
    sherweb = await startSherwebLookAlike(CUSTOMER, { [SW_SUB]: 3 });
  });
  afterAll(() => sherweb.close());

  it('10 concurrent addSeats(+1), ids in mixed case, each computed from the pending target: exactly +10', async () => {
    const c = createSherwebClient({
      credentials: { clientId: 'sw-id', clientSecret: 'sw-secret-value', subscriptionKey: 'sw-key-value' },
      baseUrl: sherweb.url,
      tokenUrl: `${sherweb.url}/token`,
      rateLimit: false,
    });
    const refs = [
      { customerId: CUSTOMER, subscriptionId: SW_SUB },
      { customerId: CUSTOMER.toUpperCase(), subscriptionId: SW_SUB.toUpperCase() },
    ];
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => c.addSeats(refs[i % 2]!, 1)));
    expect(results.map((r) => r.outcome)).toEqual(Array(10).fill('pending'));
    expect(results.map((r) => r.requested).sort((x, y) => x - y)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(sherweb.seats.get(SW_SUB)).toBe(3); // nothing applied yet: the vendor queues
    sherweb.drain();
    expect(sherweb.seats.get(SW_SUB)).toBe(13);
    // Each operation then verifies against a read: 13 is its own target or that of a change stacked on it.
    const wait = { pollIntervalMs: 1, timeoutMs: 2_000 };
    const states = await Promise.all(results.map((r) => r.operation!.waitForCompletion(wait)));
    expect(states.map((x) => x.status)).toEqual(Array(10).fill('succeeded'));
    // Once landed, the next change starts from the vendor's count again.
    const next = await c.addSeats(refs[1]!, 1);
    expect(next).toMatchObject({ before: 13, requested: 14, outcome: 'pending' });
    sherweb.drain();
    expect(sherweb.seats.get(SW_SUB)).toBe(14);
    await expect(next.operation!.waitForCompletion({ pollIntervalMs: 1 })).resolves.toMatchObject({
      status: 'succeeded',
    });
  });

  it('a queued change the vendor reports done with another count: waitForCompletion throws SeatChangeNotObservedError', async () => {
    const c = createSherwebClient({
      credentials: { clientId: 'sw-id', clientSecret: 'sw-secret-value', subscriptionKey: 'sw-key-value' },
      baseUrl: sherweb.url,
      tokenUrl: `${sherweb.url}/token`,
      rateLimit: false,
    });
    const ref = { customerId: CUSTOMER, subscriptionId: SW_SUB };
    const before = sherweb.seats.get(SW_SUB)!;
    const r = await c.setSeats(ref, before + 1);
    // Read as a delta (as Ingram's own read-back might suggest), the vendor lands on before + before + 1.
    sherweb.drain(2 * before + 1);
    const error = await r.operation!.waitForCompletion({ pollIntervalMs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeatChangeNotObservedError);
    expect(error).toMatchObject({ before, requested: before + 1, observed: 2 * before + 1 });
  });
});
