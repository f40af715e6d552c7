/**
 * Issue #17, money safety of tolerant mapping: when a seat change's answer is lost, the SDK settles it by reading
 * the subscription. A read it cannot fully read (the seat count flagged, a placeholder 0 in `quantity`) settles
 * nothing: it must not be taken as "nothing changed" (which would resend) nor as "the target is there".
 * Against a Pax8 look-alike (plain node:http) that applies the change, loses the answer, then answers reads with a
 * seat count that is not a number.
 */
import { describe, expect, it } from 'vitest';
import { WriteOutcomeUnknownError, createPax8Client } from '../../src/index.js';
import { loseAnswer, send, useLookAlike } from '../helpers/lookalike.js';

const CUSTOMER = '0b6f2c1e-7a51-4c2e-9d3a-6f1e2d3c4b5a';
const SUB = '5a5b6c7d-1e2f-4a3b-8c4d-5e6f7a8b9c0d';

let quantity: unknown = 0;
let garbled = false;
let writes = 0;

const vendor = useLookAlike((req, res) => {
  if (req.method === 'POST' && req.path === '/token') {
    return send(res, 200, { access_token: 'settle-token', token_type: 'Bearer', expires_in: 3600 });
  }
  if (req.path === `/subscriptions/${SUB}`) {
    if (req.method === 'PUT') {
      writes += 1;
      quantity = (req.json as { quantity?: unknown }).quantity;
      garbled = true; // from now on the vendor's reads carry a seat count the SDK cannot read
      return loseAnswer(res);
    }
    return send(res, 200, {
      id: SUB,
      companyId: CUSTOMER,
      productId: 'p-1',
      productName: 'Microsoft 365 Business Basic',
      quantity: garbled ? `${String(quantity)} seats` : quantity,
      status: 'Active',
      billingTerm: 'Monthly',
      startDate: '2026-01-10T00:00:00Z',
      commitmentTerm: null,
    });
  }
  return send(res, 404, { message: 'Not found' });
});

describe('a lost seat-change answer settled by a read the SDK cannot read', () => {
  it('is reported unknown, never resent, never applied (subscription at 0 seats, add 2)', async () => {
    quantity = 0;
    garbled = false;
    writes = 0;
    const c = createPax8Client({
      credentials: { clientId: 'settle-id', clientSecret: 'settle-secret-value' },
      baseUrl: vendor.current.url,
      rateLimit: false,
      retry: { retries: 0 },
    });
    const outcome = await c.addSeats({ customerId: CUSTOMER, subscriptionId: SUB }, 2).then(
      (r) => r,
      (e: unknown) => e,
    );
    // Before the fix the flagged read's placeholder 0 equalled the count read before (0): "untouched", resent.
    expect(writes).toBe(1);
    expect(outcome).toBeInstanceOf(WriteOutcomeUnknownError);
  });
});
