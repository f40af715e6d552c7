/**
 * Ingram Micro look-alike (node:http, from the Marketplace API spec: POST /orders with `type: change`, orders
 * complete later, GET /subscriptions/{id} shows `products[].quantity`). One mode reads the order quantity as
 * the new total (what the SDK sends, docs/providers/ingram.md "Seat quantity"); the other reads it as a
 * difference, as the order read-back suggests. The post-order check must catch the second: never `applied`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/events.js';
import { createIngramClient } from '../../../src/providers/ingram/index.js';
import { type LookAlike, send, startLookAlike } from './lookalike.js';

const CUSTOMER = 'C-1001';
// A fresh subscription per test: the base client remembers pending changes per subscription (process-wide).
let SUB = 'S-2001';
let ref = { customerId: CUSTOMER, subscriptionId: SUB };
let next = 2001;

type Orders = Record<string, { id: string; type: string; status: string; products: { quantity: number }[] }>;
const state = { quantity: 5, orders: {} as Orders, changeOrders: 0, salesOrders: 0 };
let reading: 'total' | 'delta' = 'total';
let completes: 'at-once' | 'later' = 'at-once';
let orderAnswer: 'ok' | '429' | '401' = 'ok';
let vendor: LookAlike;

beforeAll(async () => {
  vendor = await startLookAlike((req, res) => {
    if (req.method === 'POST' && req.path === '/token')
      return send(res, 200, { token: `tok-${Math.random()}`, expiresInSeconds: 1500 });
    if (req.method === 'GET' && req.path === `/subscriptions/${SUB}`) {
      return send(res, 200, {
        id: SUB,
        customerId: CUSTOMER,
        name: 'Microsoft 365 Business Premium',
        status: 'active',
        billingPeriod: { type: 'month', duration: 1 },
        subscriptionPeriod: { type: 'month', duration: 1 },
        products: [{ mpn: 'MPN-M365BP_MONTHLY', vendor: 'Microsoft', quantity: state.quantity }],
      });
    }
    if (req.method === 'GET' && req.path === '/products') {
      const data = [
        {
          mpn: 'MPN-M365BP_MONTHLY',
          name: 'M365 BP',
          vendor: 'Microsoft',
          subscriptionPeriod: { type: 'month', duration: 1 },
        },
      ];
      return send(res, 200, { data, pagination: { offset: 0, limit: 10, total: 1 } });
    }
    if (req.method === 'GET' && req.path === '/orders') {
      const data = Object.values(state.orders);
      return send(res, 200, { data, pagination: { offset: 0, limit: 20, total: data.length } });
    }
    if (req.method === 'GET' && req.path.startsWith('/orders/')) {
      const order = state.orders[req.path.slice('/orders/'.length)];
      if (!order) return send(res, 404, { message: 'no such order' });
      order.status = 'completed';
      return send(res, 200, order);
    }
    if (req.method === 'POST' && req.path === '/orders') {
      const body = req.json as { type: string; products: { quantity: number }[] };
      if (body.type === 'sales') {
        state.salesOrders += 1;
        if (orderAnswer === '429')
          return send(res, 429, { status: 429, message: 'Too Many Requests' }, { 'retry-after': '0' });
        if (orderAnswer === '401') return send(res, 401, { status: 401, message: 'Unauthorized' });
        return send(res, 201, { id: 'O-sales', type: 'sales', status: 'completed', products: body.products });
      }
      state.changeOrders += 1;
      const sent = body.products[0]!.quantity;
      const delta = reading === 'total' ? sent - state.quantity : sent;
      state.quantity += delta;
      const id = `O-${state.changeOrders}`;
      // Read back, a change order shows the signed difference.
      state.orders[id] = {
        id,
        type: 'change',
        status: completes === 'at-once' ? 'completed' : 'processing',
        products: [{ quantity: delta }],
      };
      return send(res, 201, state.orders[id]);
    }
    return send(res, 404, { message: `no route ${req.method} ${req.path}` });
  });
});
afterAll(() => vendor.close());
afterEach(() => {
  Object.assign(state, { quantity: 5, orders: {}, changeOrders: 0, salesOrders: 0 });
  next += 1;
  SUB = `S-${next}`;
  ref = { customerId: CUSTOMER, subscriptionId: SUB };
});

function client() {
  const c = createIngramClient({
    credentials: { username: 'money.API', password: `pw-${Math.random()}`, subscriptionKey: 'key-money' },
    marketplace: 'us',
    baseUrl: vendor.url,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });
  const audits: AuditEvent[] = [];
  c.on('audit', (e) => audits.push(e));
  return { c, audits };
}

describe('Ingram: the post-order check catches a quantity read as a difference', () => {
  it('delta reading, order completes at once: setSeats(6) on 5 -> 11 is a typed error, never applied', async () => {
    reading = 'delta';
    completes = 'at-once';
    const { c, audits } = client();
    const error = await c.setSeats(ref, 6).catch((e: unknown) => e);
    expect(state.quantity).toBe(11);
    expect(error).toMatchObject({ kind: 'write-outcome-unknown', before: 5, expected: 6, observed: 11 });
    expect(audits.map((a) => a.outcome)).toEqual(['unknown']);
  });

  it('delta reading, order completes later: waitForCompletion throws the typed error', async () => {
    reading = 'delta';
    completes = 'later';
    const { c } = client();
    const r = await c.setSeats(ref, 6);
    expect(r.outcome).toBe('pending');
    const error = await r
      .operation!.waitForCompletion({ pollIntervalMs: 1, timeoutMs: 5_000 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'write-outcome-unknown', before: 5, expected: 6, observed: 11 });
  });

  it('total reading (the documented one): applied, and a later completion verifies', async () => {
    reading = 'total';
    completes = 'at-once';
    const { c } = client();
    expect(await c.setSeats(ref, 6)).toMatchObject({ outcome: 'applied', before: 5, after: 6 });
    completes = 'later';
    const r = await c.setSeats(ref, 8);
    const done = await r.operation!.waitForCompletion({ pollIntervalMs: 1, timeoutMs: 5_000 });
    expect(done.status).toBe('succeeded');
    expect(state.quantity).toBe(8);
  });
});

describe('Ingram: a sales order is sent once', () => {
  for (const answer of ['429', '401'] as const) {
    it(`answered ${answer} after placing -> one order, WriteOutcomeUnknownError`, async () => {
      orderAnswer = answer;
      const { c, audits } = client();
      const error = await c
        .purchase({ customerId: CUSTOMER, productId: 'MPN-M365BP_MONTHLY', quantity: 2, billingTerm: 'monthly' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'write-outcome-unknown', operation: 'purchase' });
      expect(state.salesOrders).toBe(1);
      expect(audits.map((a) => a.outcome)).toEqual(['unknown']);
    });
  }
});
