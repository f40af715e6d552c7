/**
 * Partner Center look-alike (node:http, from Microsoft's REST docs: partnercenter-graph.md 2.3 and the headers table)
 * whose cart checkout places the order and then loses the answer (the socket is destroyed). Microsoft documents
 * `MS-RequestId` as the idempotency key: "reuse the same value when retrying after a timeout", and a repeated id is
 * answered with the first result. The SDK may retry a checkout only with the same MS-RequestId, must never place
 * a second order, and must report the purchase recovered (the first result) or unknown, never failed.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/events.js';
import { createPartnerCenterClient } from '../../../src/providers/partner-center/index.js';
import { type LookAlikeServer, loseAnswer, send, startLookAlike } from '../../helpers/lookalike.js';

const CUSTOMER = '7e1c2d3f-0000-4000-8000-00000000c0de';
const run = randomUUID();

/** How the look-alike treats a checkout of a cart it already ordered. */
type Repeat =
  /** As documented: the same MS-RequestId gets the first result; every answer lost (`lose-all`) or only the first. */
  | 'idempotent'
  | 'lose-all'
  /** A vendor that ignores the key: the retry is refused as a cart already ordered (400). */
  | 'refuse-ordered-cart';

const vendor = {
  repeat: 'idempotent' as Repeat,
  ordersPlaced: 0,
  checkoutIds: [] as string[],
  carts: new Map<string, { status: 'Active' | 'Ordered'; result?: unknown; requestId?: string }>(),
};
let server: LookAlikeServer;

beforeAll(async () => {
  server = await startLookAlike([
    {
      method: 'POST',
      path: '/token',
      handle: (_req, res) =>
        send(res, 200, {
          token_type: 'Bearer',
          expires_in: '3599',
          access_token: `at-${run}`,
          refresh_token: `rt-${run}`,
        }),
    },
    {
      method: 'GET',
      path: '/v1/products/CFQ7TTC0LH18/skus/0001/availabilities',
      handle: (_req, res) =>
        send(res, 200, {
          totalCount: 1,
          items: [
            {
              id: 'AV01',
              productId: 'CFQ7TTC0LH18',
              skuId: '0001',
              catalogItemId: 'CFQ7TTC0LH18:0001:AV01',
              terms: [{ duration: 'P1M', billingCycle: 'Monthly', description: '1 month' }],
            },
          ],
        }),
    },
    {
      method: 'POST',
      path: `/v1/customers/${CUSTOMER}/carts`,
      handle: (req, res) => {
        const id = `cart-${vendor.carts.size + 1}`;
        vendor.carts.set(id, { status: 'Active' });
        const body = req.json as { lineItems: object[] };
        return send(res, 201, { id, status: 'Active', lineItems: body.lineItems });
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/customers/${CUSTOMER}/carts/([^/]+)/checkout$`),
      handle: (req, res, match) => {
        const requestId = String(req.headers['ms-requestid'] ?? '');
        vendor.checkoutIds.push(requestId);
        const cart = vendor.carts.get(match![1]!);
        if (!cart) return send(res, 404, { code: 800002, description: 'Cart not found' });
        if (cart.status === 'Ordered') {
          if (vendor.repeat === 'refuse-ordered-cart' || cart.requestId !== requestId)
            return send(res, 400, {
              code: 800008,
              description: 'The cart has already been checked out',
              source: 'PartnerFD',
            });
          // Same MS-RequestId: the first result, nothing placed again.
          if (vendor.repeat === 'lose-all') return loseAnswer(res);
          return send(res, 200, cart.result);
        }
        vendor.ordersPlaced += 1;
        cart.status = 'Ordered';
        cart.requestId = requestId;
        cart.result = {
          orders: [
            {
              id: `order-${vendor.ordersPlaced}`,
              status: 'completed',
              lineItems: [
                { lineItemNumber: 0, offerId: 'CFQ7TTC0LH18:0001:AV01', subscriptionId: randomUUID(), quantity: 2 },
              ],
            },
          ],
          orderErrors: [],
        };
        return loseAnswer(res); // placed; the answer never arrives
      },
    },
  ]);
});
afterAll(() => server.close());
beforeEach(() => {
  vendor.ordersPlaced = 0;
  vendor.checkoutIds.length = 0;
});

function client() {
  return createPartnerCenterClient({
    credentials: {
      tenantId: '7e1c2d3f-0000-4000-8000-0000000000aa',
      clientId: `app-${run}`,
      clientSecret: 'secret-money-test',
      refreshToken: `rt-${run}-0`,
    },
    baseUrl: `${server.url}/v1`,
    tokenUrl: `${server.url}/token`,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    pollIntervalMs: 1,
  });
}

async function buy(repeat: Repeat) {
  vendor.repeat = repeat;
  const c = client();
  const audits: AuditEvent[] = [];
  c.on('audit', (e) => audits.push(e));
  const outcome = await c
    .purchase({ customerId: CUSTOMER, productId: 'CFQ7TTC0LH18:0001', quantity: 2, billingTerm: 'monthly' })
    .then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error: error as { kind?: string } }),
    );
  return { ...outcome, audits };
}

describe('Partner Center: a checkout answer lost after the order was placed', () => {
  it('documented idempotency: the retry carries the same MS-RequestId and recovers the first order; one order', async () => {
    const { result, error, audits } = await buy('idempotent');
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ outcome: 'ordered', orderId: 'order-1' });
    expect(vendor.ordersPlaced).toBe(1);
    expect(vendor.checkoutIds.length).toBeGreaterThanOrEqual(2);
    expect(new Set(vendor.checkoutIds).size).toBe(1);
    expect(audits.map((a) => a.outcome)).toEqual(['applied']);
  });

  it('every answer lost: WriteOutcomeUnknownError, one order, every attempt with the same MS-RequestId', async () => {
    const { error, audits } = await buy('lose-all');
    expect(error).toMatchObject({ kind: 'write-outcome-unknown', operation: 'purchase' });
    expect(vendor.ordersPlaced).toBe(1);
    expect(new Set(vendor.checkoutIds).size).toBe(1);
    expect(audits.map((a) => a.outcome)).toEqual(['unknown']);
  });

  it('a vendor refusing the retry as an already-ordered cart: unknown, never failed; one order', async () => {
    const { error, audits } = await buy('refuse-ordered-cart');
    expect(vendor.ordersPlaced).toBe(1);
    expect(new Set(vendor.checkoutIds).size).toBe(1);
    expect(error).toMatchObject({ kind: 'write-outcome-unknown', operation: 'purchase' });
    expect(audits.map((a) => a.outcome)).toEqual(['unknown']);
  });
});
