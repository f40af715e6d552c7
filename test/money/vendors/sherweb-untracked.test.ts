/**
 * Sherweb look-alike (node:http, from the Service Provider API docs: amendments, cancellations and orders are
 * accepted and applied later) that accepts a request WITHOUT a tracking id. An accepted request is never
 * reported failed: it is pending, and it settles by re-reading the subscription.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/events.js';
import { createSherwebClient } from '../../../src/providers/sherweb/index.js';
import { type LookAlike, send, startLookAlike } from './lookalike.js';

const CUSTOMER = '5d1f0a0e-0000-4000-8000-00000000c001';
const SUB = '5d1f0a0e-0000-4000-8000-00000000a001';
const SKU = 'MS-365-BP-MONTHLY';

const state = {
  quantity: 5,
  live: true,
  /** Reads left before a queued change shows. */
  delay: 0,
  queued: undefined as undefined | (() => void),
  amendments: 0,
  orders: 0,
  orderPosts: 0,
};
let orderAnswer: 'no-id' | '429' | '401' = 'no-id';
let vendor: LookAlike;

function read() {
  if (state.queued) {
    if (state.delay === 0) {
      state.queued();
      state.queued = undefined;
    } else state.delay -= 1;
  }
}

beforeAll(async () => {
  vendor = await startLookAlike((req, res) => {
    if (req.method === 'POST' && req.path === '/auth/token') {
      return send(res, 200, { access_token: `tok-${Math.random()}`, expires_in: 3600, token_type: 'Bearer' });
    }
    if (req.method === 'GET' && req.path === '/billing/subscriptions') {
      read();
      const items = state.live
        ? [
            {
              id: SUB,
              productName: 'Microsoft 365 Business Premium',
              sku: SKU,
              quantity: state.quantity,
              billingCycle: 'Monthly',
              purchaseDate: '2026-01-05T00:00:00Z',
              commitmentTerm: null,
            },
          ]
        : [];
      return send(res, 200, { items });
    }
    if (req.method === 'POST' && req.path === '/billing/subscriptions/amendments') {
      state.amendments += 1;
      const wanted = (req.json as { subscriptionAmendmentParameters: { newQuantity: number }[] })
        .subscriptionAmendmentParameters[0]!.newQuantity;
      state.delay = 2;
      state.queued = () => {
        state.quantity = wanted;
      };
      // Accepted, but no tracking id and no amendment id in the receipt.
      return send(res, 200, {});
    }
    if (req.method === 'POST' && req.path === '/billing/subscriptions/cancellations') {
      state.delay = 1;
      state.queued = () => {
        state.live = false;
      };
      return res.writeHead(202).end();
    }
    if (req.method === 'GET' && req.path === `/customer-catalogs/${CUSTOMER}`) {
      return send(res, 200, {
        catalogItems: [
          { sku: SKU, name: 'Microsoft 365 Business Premium', billingCycle: 'Monthly', commitmentTerm: null },
        ],
      });
    }
    if (req.method === 'POST' && req.path === '/orders') {
      state.orderPosts += 1;
      state.orders += 1;
      if (orderAnswer === '429') return send(res, 429, { title: 'Too many requests' }, { 'retry-after': '0' });
      if (orderAnswer === '401') return send(res, 401, { title: 'Unauthorized' });
      return send(res, 200, {});
    }
    return send(res, 404, { title: `no route ${req.method} ${req.path}` });
  });
});
afterAll(() => vendor.close());
afterEach(() => {
  Object.assign(state, {
    quantity: 5,
    live: true,
    delay: 0,
    queued: undefined,
    amendments: 0,
    orders: 0,
    orderPosts: 0,
  });
});

function client() {
  const c = createSherwebClient({
    credentials: { clientId: 'money-test', clientSecret: `secret-${Math.random()}`, subscriptionKey: 'key-money-test' },
    baseUrl: vendor.url,
    tokenUrl: `${vendor.url}/auth/token`,
    rateLimit: false,
    pollIntervalMs: 1,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });
  const audits: AuditEvent[] = [];
  c.on('audit', (e) => audits.push(e));
  return { c, audits };
}

describe('Sherweb: accepted without a tracking id', () => {
  it('a seat change is pending (never failed) and settles when the subscription shows the target', async () => {
    const { c, audits } = client();
    const r = await c.setSeats({ customerId: CUSTOMER, subscriptionId: SUB }, 7);
    expect(r.outcome).toBe('pending');
    expect(audits.map((a) => a.outcome)).toEqual(['pending']);
    expect(state.amendments).toBe(1);
    const done = await r.operation!.waitForCompletion({ pollIntervalMs: 1, timeoutMs: 5_000 });
    expect(done.status).toBe('succeeded');
    expect(state.quantity).toBe(7);
    expect(state.amendments).toBe(1);
  });

  it('a cancellation is pending and settles once the subscription is gone', async () => {
    const { c, audits } = client();
    const r = await c.cancelSubscription({ customerId: CUSTOMER, subscriptionId: SUB });
    expect(r.outcome).toBe('pending');
    expect(audits.map((a) => a.outcome)).toEqual(['pending']);
    const done = await r.operation!.waitForCompletion({ pollIntervalMs: 1, timeoutMs: 5_000 });
    expect(done.status).toBe('succeeded');
    expect(state.live).toBe(false);
  });

  it('an order is pending (orderId null), placed once', async () => {
    orderAnswer = 'no-id';
    const { c, audits } = client();
    const r = await c.purchase({ customerId: CUSTOMER, productId: SKU, quantity: 2, billingTerm: 'monthly' });
    expect(r).toMatchObject({ outcome: 'pending', orderId: null });
    expect(audits.map((a) => a.outcome)).toEqual(['pending']);
    expect(state.orders).toBe(1);
  });

  for (const answer of ['429', '401'] as const) {
    it(`an order answered ${answer} after it was placed is not resent: exactly one order, outcome unknown`, async () => {
      orderAnswer = answer;
      const { c, audits } = client();
      const error = await c
        .purchase({ customerId: CUSTOMER, productId: SKU, quantity: 2, billingTerm: 'monthly' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'write-outcome-unknown', operation: 'purchase' });
      expect(state.orderPosts).toBe(1);
      expect(audits.map((a) => a.outcome)).toEqual(['unknown']);
    });
  }
});
