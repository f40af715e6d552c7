/**
 * D&H SimpleAPI look-alike (node:http, from the SimpleAPI docs: POST-only RPC, UpdateSubscription and
 * TerminateAccount accepted, the state read back with GetSubscription) that accepts a write and then reads
 * back something else. A write ends `applied`/`cancelled` only when the read-back shows it; otherwise a typed
 * error with before/requested/observed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/events.js';
import { createDandhClient } from '../../../src/providers/dandh/index.js';
import { type LookAlike, send, startLookAlike } from './lookalike.js';

const COMPANY = 1001;
const SUB = 2001;
const ref = { customerId: String(COMPANY), subscriptionId: String(SUB) };

const state = {
  quantity: 5,
  accountState: 'Active',
  /** Whether the look-alike applies what it accepts. */
  honest: true,
  updates: 0,
  terminations: 0,
  orders: 0,
  orderPosts: 0,
};
let orderAnswer: 'ok' | '429' | '401' = 'ok';
let vendor: LookAlike;

const subscription = () => ({
  AccountId: SUB,
  ServiceName: 'M365BP',
  CompanyAccountId: COMPANY,
  AccountState: state.accountState,
  Status: state.accountState,
  ProvisioningStatus: 'Completed',
  Fields: [{ Name: 'Users', Value: String(state.quantity) }],
  PriceableItems: [{ FieldName: 'Users', IsUDRCField: true, PrepaidPeriodInMonths: 1 }],
});

beforeAll(async () => {
  vendor = await startLookAlike((req, res) => {
    const body = req.json as Record<string, unknown>;
    switch (req.path) {
      case '/GetSessionToken':
        return send(res, 200, '"session-money-test"');
      case '/GetSubscription':
        return send(res, 200, subscription());
      case '/UpdateSubscription': {
        state.updates += 1;
        const fields = (body.subscription as { Fields: { name: string; value: string }[] }).Fields;
        if (state.honest) state.quantity = Number(fields[0]!.value);
        return send(res, 200, {});
      }
      case '/TerminateAccount':
        state.terminations += 1;
        if (state.honest) state.accountState = 'Terminated';
        return send(res, 200, {});
      case '/GetPossibleServicesForParent':
        return send(res, 200, [{ ProductName: 'M365BP', SimpleProductBillingInfo: [{ FieldName: 'Users' }] }]);
      case '/GetFieldsForService':
        return send(res, 200, { Fields: [{ Name: 'Users', Type: 'Int32', DisplayType: 'Mandatory' }] });
      case '/CreateSubscription':
        state.orderPosts += 1;
        state.orders += 1;
        if (orderAnswer === '429') return send(res, 429, { Message: 'Too many requests' }, { 'retry-after': '0' });
        if (orderAnswer === '401') return send(res, 401, { Message: 'Unauthorized' });
        return send(res, 200, { AccountId: 3001, ServiceName: 'M365BP', ProvisioningStatus: 'Completed' });
      default:
        return send(res, 404, { Message: `no route ${req.path}` });
    }
  });
});
afterAll(() => vendor.close());
afterEach(() => {
  Object.assign(state, {
    quantity: 5,
    accountState: 'Active',
    honest: true,
    updates: 0,
    terminations: 0,
    orders: 0,
    orderPosts: 0,
  });
});

function client() {
  const c = createDandhClient({
    credentials: { username: 'money.API', password: `pw-${Math.random()}` },
    accountId: 1,
    baseUrl: vendor.url,
    rateLimit: false,
    quantityFields: { M365BP: 'Users' },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });
  const audits: AuditEvent[] = [];
  c.on('audit', (e) => audits.push(e));
  return { c, audits };
}

describe('D&H: settled is verified', () => {
  it('setSeats 5 -> 6 read back as 5 is a typed error, never applied', async () => {
    state.honest = false;
    const { c, audits } = client();
    const error = await c.setSeats(ref, 6).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'write-outcome-unknown', before: 5, expected: 6, observed: 5 });
    expect(audits.map((a) => a.outcome)).not.toContain('applied');
    expect(audits.map((a) => a.outcome)).not.toContain('failed');
  });

  it('a cancellation whose read-back says active is not cancelled: pending until it reads Terminated', async () => {
    state.honest = false;
    const { c, audits } = client();
    const r = await c.cancelSubscription(ref);
    expect(r.outcome).toBe('pending');
    expect(audits.map((a) => a.outcome)).toEqual(['pending']);
    const waited = await r.operation!.waitForCompletion({ pollIntervalMs: 1, timeoutMs: 50 }).catch((e: unknown) => e);
    expect(waited).toMatchObject({ kind: 'timeout' });
    expect(state.terminations).toBe(1);
  });

  it('an honest vendor: applied and cancelled as before', async () => {
    const { c } = client();
    const r = await c.setSeats(ref, 6);
    expect(r).toMatchObject({ outcome: 'applied', before: 5, after: 6 });
    const cancel = await c.cancelSubscription(ref);
    expect(cancel.outcome).toBe('cancelled');
  });

  for (const answer of ['429', '401'] as const) {
    it(`an order answered ${answer} after it was placed is sent once`, async () => {
      orderAnswer = answer;
      const { c, audits } = client();
      const error = await c
        .purchase({ customerId: String(COMPANY), productId: 'M365BP', quantity: 2, billingTerm: 'monthly' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'write-outcome-unknown', operation: 'purchase' });
      expect(state.orderPosts).toBe(1);
      expect(audits.map((a) => a.outcome)).toEqual(['unknown']);
    });
  }
});
