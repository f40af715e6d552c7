/**
 * Writes whose answer cannot be read (200 `{}`, an empty 200, a 204, a connection reset or an abort after the
 * vendor applied them) are ambiguous: settled by re-reading, `applied` only when a read shows the target, else
 * `WriteOutcomeUnknownError`; never `failed`, never applied twice. And `applied` means observed: a vendor that
 * answers the target without applying it ends in `SeatChangeNotObservedError`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/core/events.js';
import { SeatChangeNotObservedError, WriteOutcomeUnknownError, createPax8Client } from '../../src/index.js';
import { LOOKALIKE_CUSTOMER, type Pax8LookAlike, type Pax8WriteFault, startPax8LookAlike } from './lookalikes.js';

const SUB = 'aaaaaaaa-0000-4000-8000-000000000001';
const ref = { customerId: LOOKALIKE_CUSTOMER, subscriptionId: SUB };
let vendor: Pax8LookAlike;

function client() {
  const c = createPax8Client({
    credentials: { clientId: 'money-id', clientSecret: 'money-secret-value' },
    baseUrl: vendor.url,
    rateLimit: false,
    retry: { retries: 0 },
  });
  const audits: AuditEvent[] = [];
  c.on('audit', (a) => audits.push(a));
  return { c, audits };
}

beforeAll(async () => {
  vendor = await startPax8LookAlike({ [SUB]: 10 });
});
afterAll(() => vendor.close());

describe('a write whose answer cannot be read is settled by re-reading', () => {
  const faults: Pax8WriteFault[] = ['empty-object', 'empty-200', '204', 'reset-after-apply', 'hang-after-apply'];
  for (const fault of faults) {
    it(`${fault}: 20 addSeats(+1) end applied (read back) or WriteOutcomeUnknownError, never failed or twice`, async () => {
      const { c, audits } = client();
      const start = vendor.seats.get(SUB)!;
      const received = vendor.writesReceived;
      const applied = vendor.writesApplied;
      let appliedResults = 0;
      for (let i = 0; i < 20; i++) {
        vendor.faults = [fault];
        const signal = fault === 'hang-after-apply' ? AbortSignal.timeout(150) : undefined;
        try {
          const r = await c.addSeats(ref, 1, { signal });
          expect(r.outcome).toBe('applied');
          expect(r.after).toBe(r.requested);
          expect(vendor.seats.get(SUB)).toBe(r.requested);
          appliedResults += 1;
        } catch (error) {
          expect(error).toBeInstanceOf(WriteOutcomeUnknownError);
        }
      }
      // Each call sent its write once, the vendor applied each once, and the count is exact.
      expect(vendor.writesReceived - received).toBe(20);
      expect(vendor.writesApplied - applied).toBe(20);
      expect(vendor.seats.get(SUB)).toBe(start + 20);
      expect(appliedResults).toBe(20);
      expect(audits.filter((a) => a.operation === 'addSeats').map((a) => a.outcome)).toEqual(Array(20).fill('applied'));
    });
  }

  it('an abort before anything was sent is a plain abort: no write, no settling, not audited unknown', async () => {
    const { c, audits } = client();
    const received = vendor.writesReceived;
    const controller = new AbortController();
    controller.abort();
    await expect(c.addSeats(ref, 1, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(vendor.writesReceived).toBe(received);
    expect(audits.some((a) => a.outcome === 'unknown' || a.outcome === 'applied')).toBe(false);
  });
});

describe('applied means observed', () => {
  it('a vendor that answers the target without applying it: SeatChangeNotObservedError with before/requested/observed', async () => {
    const { c, audits } = client();
    const start = vendor.seats.get(SUB)!;
    vendor.faults = ['echo-without-apply'];
    const error = await c.setSeats(ref, start + 5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeatChangeNotObservedError);
    expect(error).toBeInstanceOf(WriteOutcomeUnknownError);
    expect(error).toMatchObject({ before: start, requested: start + 5, expected: start + 5, observed: start });
    expect(audits.at(-1)).toMatchObject({ outcome: 'unknown', before: start, requested: start + 5, after: start });
    expect(vendor.seats.get(SUB)).toBe(start);
  });
});

describe('cancelled means observed', () => {
  const CANCEL_SUB = 'aaaaaaaa-0000-4000-8000-0000000000c1';
  it('a 204 that cancelled nothing is WriteOutcomeUnknownError, never cancelled', async () => {
    vendor.seats.set(CANCEL_SUB, 3);
    const { c, audits } = client();
    vendor.cancelFaults = ['ignore'];
    const error = await c.cancelSubscription({ ...ref, subscriptionId: CANCEL_SUB }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteOutcomeUnknownError);
    expect(audits.map((a) => a.outcome)).not.toContain('applied');
  });

  it('a cancellation whose connection is reset after it applied is settled by reading: cancelled, sent once', async () => {
    const { c } = client();
    vendor.cancelFaults = ['reset-after-apply'];
    const r = await c.cancelSubscription({ ...ref, subscriptionId: CANCEL_SUB });
    expect(r.outcome).toBe('cancelled');
    expect(r.subscription?.status).toBe('cancelled');
    expect(vendor.cancelFaults).toEqual([]);
  });
});
