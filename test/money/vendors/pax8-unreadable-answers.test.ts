/**
 * Pax8 look-alike (node:http, from Pax8's Partner API docs: PUT /subscriptions/{id} answers the subscription,
 * POST /orders places an order) that applies a change and then answers something the SDK cannot read, or
 * places an order and then answers 429/401. Applied writes must end `applied` after a re-read (never `failed`),
 * with no double application; an order is never sent twice.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/events.js';
import { createPax8Client } from '../../../src/providers/pax8/index.js';
import { type LookAlike, send, startLookAlike } from './lookalike.js';

const COMPANY = '0b6f1c1e-0000-4000-8000-00000000c001';
const SUB = '0b6f1c1e-0000-4000-8000-00000000a001';
const PRODUCT = '0b6f1c1e-0000-4000-8000-00000000b001';

type PutAnswer = 'empty-object' | 'empty-200' | '204' | 'wrong-count' | 'ignore-and-empty';
type OrderAnswer = 'ok' | '429' | '401';

const state = { quantity: 5, puts: 0, applied: 0, orders: 0, orderPosts: 0 };
let putAnswer: PutAnswer = 'empty-object';
let orderAnswer: OrderAnswer = 'ok';
let vendor: LookAlike;

const subscription = () => ({
  id: SUB,
  companyId: COMPANY,
  productId: PRODUCT,
  productName: 'Microsoft 365 Business Premium',
  quantity: state.quantity,
  status: 'Active',
  billingTerm: 'Monthly',
  commitmentTerm: null,
});

beforeAll(async () => {
  vendor = await startLookAlike((req, res) => {
    if (req.method === 'POST' && req.path === '/token') {
      return send(res, 200, { access_token: `tok-${Math.random()}`, expires_in: 3600, token_type: 'Bearer' });
    }
    if (req.method === 'GET' && req.path === `/subscriptions/${SUB}`) return send(res, 200, subscription());
    if (req.method === 'PUT' && req.path === `/subscriptions/${SUB}`) {
      state.puts += 1;
      const wanted = (req.json as { quantity: number }).quantity;
      if (putAnswer !== 'ignore-and-empty') {
        state.quantity = wanted;
        state.applied += 1;
      }
      if (putAnswer === 'empty-object' || putAnswer === 'ignore-and-empty') return send(res, 200, {});
      if (putAnswer === 'empty-200') return res.writeHead(200, { 'content-type': 'application/json' }).end();
      if (putAnswer === '204') return send(res, 204);
      // Applied, but the answer shows another count (a stale read inside Pax8).
      return send(res, 200, { ...subscription(), quantity: wanted - 1 });
    }
    if (req.method === 'GET' && req.path === `/products/${PRODUCT}`) {
      return send(res, 200, { id: PRODUCT, name: 'Microsoft 365 Business Premium', requiresCommitment: false });
    }
    if (req.method === 'POST' && req.path === '/orders') {
      state.orderPosts += 1;
      state.orders += 1; // placed before answering, whatever the answer says
      if (orderAnswer === '429') return send(res, 429, { message: 'Too Many Requests' }, { 'retry-after': '0' });
      if (orderAnswer === '401') return send(res, 401, { message: 'Unauthorized' });
      return send(res, 200, { id: 'order-1', companyId: COMPANY, lineItems: [] });
    }
    return send(res, 404, { message: `no route ${req.method} ${req.path}` });
  });
});
afterAll(() => vendor.close());
afterEach(() => {
  Object.assign(state, { quantity: 5, puts: 0, applied: 0, orders: 0, orderPosts: 0 });
});

function client() {
  const c = createPax8Client({
    credentials: { clientId: 'money-test', clientSecret: `secret-${Math.random()}` },
    baseUrl: vendor.url,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });
  const audits: AuditEvent[] = [];
  c.on('audit', (e) => audits.push(e));
  return { c, audits };
}

describe('Pax8: a seat change applied but answered unreadably settles by re-reading', () => {
  for (const answer of ['empty-object', 'empty-200', '204', 'wrong-count'] as const) {
    it(`${answer} after applying -> applied after the re-read, applied once`, async () => {
      putAnswer = answer;
      const { c, audits } = client();
      const r = await c.addSeats({ customerId: COMPANY, subscriptionId: SUB }, 1);
      expect(r.outcome).toBe('applied');
      expect(r.before).toBe(5);
      expect(r.after).toBe(6);
      expect(state.quantity).toBe(6);
      expect(state.applied).toBe(1);
      expect(state.puts).toBe(1);
      expect(audits.map((a) => a.outcome)).toEqual(['applied']);
    });
  }

  it('answered {} but never applied -> a typed error with before/requested/observed, never applied or failed', async () => {
    putAnswer = 'ignore-and-empty';
    const { c, audits } = client();
    const error = await c.setSeats({ customerId: COMPANY, subscriptionId: SUB }, 6).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'write-outcome-unknown', before: 5, expected: 6, observed: 5 });
    expect(state.puts).toBe(1);
    expect(state.quantity).toBe(5);
    expect(audits.map((a) => a.outcome)).toEqual(['unknown']);
  });
});

describe('Pax8: an order is sent once, even when answered 429 or 401 after it was placed', () => {
  for (const answer of ['429', '401'] as const) {
    it(`${answer} after placing -> exactly one order, WriteOutcomeUnknownError, audit unknown`, async () => {
      orderAnswer = answer;
      const { c, audits } = client();
      const error = await c
        .purchase({ customerId: COMPANY, productId: PRODUCT, quantity: 3, billingTerm: 'monthly' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'write-outcome-unknown', operation: 'purchase', status: Number(answer) });
      expect(state.orders).toBe(1);
      expect(state.orderPosts).toBe(1);
      expect(audits.map((a) => a.outcome)).toEqual(['unknown']);
    });
  }

  it('a plain order still works', async () => {
    orderAnswer = 'ok';
    const { c } = client();
    const r = await c.purchase({ customerId: COMPANY, productId: PRODUCT, quantity: 3, billingTerm: 'monthly' });
    expect(r.outcome).toBe('ordered');
    expect(state.orders).toBe(1);
  });
});
