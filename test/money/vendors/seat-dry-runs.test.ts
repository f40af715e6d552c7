/**
 * Seat dry runs of Sherweb and TD SYNNEX (neither vendor offers a seat dry run: the SDK checks the subscription's
 * constraints) against look-alikes written from the vendors' contracts, not our fakes:
 * - Sherweb (sherweb.json SubscriptionCommitmentTerm.committedMinimalQuantities, RFC 7807 problems in ASP.NET's
 *   top-level form): an amendment below the committed minimum while its window is open, or any decrease once the
 *   window has closed, is refused with a commitment-term-violation problem.
 * - TD SYNNEX Ion (tdsynnex.yaml / dandh-tdsynnex.md: `cancellationAllowedUntilDate`, UPDATE orders that end in
 *   status ERROR with `errors[] {code, detail}`): a decrease after the cancellation window fails the order.
 * A dry run must refuse exactly the changes the real write is refused, accept the others, and send no write.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSherwebClient } from '../../../src/providers/sherweb/index.js';
import { createTdSynnexClient } from '../../../src/providers/td-synnex/index.js';
import { type LookAlikeServer, send, startLookAlike } from '../../helpers/lookalike.js';

const DAY = 86_400_000;
const iso = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString();
/** A request that could change something at the vendor (token requests change nothing). */
const isWrite = (r: { method: string; path: string }) =>
  r.method !== 'GET' && r.method !== 'HEAD' && !/\/(auth|oauth)\/token$/.test(r.path);
const kindOf = (e: unknown) => (e as { kind?: string } | undefined)?.kind;

// ---- Sherweb ---------------------------------------------------------------------------------------------------

const SW_CUSTOMER = '5d1f0a0e-0000-4000-8000-00000000c0d1';
const SW_SUB = '5d1f0a0e-0000-4000-8000-00000000a0d1';
const sw = { quantity: 10, minimals: [] as { committedUntil: string; quantity: number }[], amendments: 0 };
let sherweb: LookAlikeServer;

/** The lowest count Sherweb allows now (the open windows' minimum; the current count once every window closed). */
const sherwebFloor = () => {
  const open = sw.minimals.filter((m) => Date.parse(m.committedUntil) > Date.now());
  return open.length ? Math.min(...open.map((m) => m.quantity)) : sw.quantity;
};

beforeAll(async () => {
  sherweb = await startLookAlike([
    {
      method: 'POST',
      path: '/auth/token',
      handle: (_r, res) =>
        send(res, 200, { access_token: `sw-${randomUUID()}`, expires_in: 3600, token_type: 'Bearer' }),
    },
    {
      method: 'GET',
      path: '/billing/subscriptions',
      handle: (req, res) => {
        if (req.query.get('customerId')?.toLowerCase() !== SW_CUSTOMER)
          return send(res, 404, { title: 'Customer not found', status: 404 });
        return send(res, 200, {
          items: [
            {
              id: SW_SUB,
              productName: 'Microsoft 365 Business Premium',
              sku: 'MS-365-BP-ANNUAL-MONTHLY',
              quantity: sw.quantity,
              billingCycle: 'Monthly',
              purchaseDate: iso(-200),
              commitmentTerm: {
                type: 'Annual',
                termEndDate: iso(165).slice(0, 10),
                renewalConfiguration: { renewalDate: iso(166).slice(0, 10), scheduledQuantity: null },
                committedMinimalQuantities: sw.minimals,
              },
            },
          ],
        });
      },
    },
    {
      method: 'POST',
      path: '/billing/subscriptions/amendments',
      handle: (req, res) => {
        sw.amendments += 1;
        const wanted = (req.json as { subscriptionAmendmentParameters: { newQuantity: number }[] })
          .subscriptionAmendmentParameters[0]!.newQuantity;
        if (wanted < sw.quantity && wanted < sherwebFloor()) {
          return send(
            res,
            400,
            {
              type: 'https://api.sherweb.com/problems/commitment-term-violation',
              title: 'Commitment term violation',
              status: 400,
              detail: `The quantity cannot be lowered below ${sherwebFloor()} before the end of the commitment term.`,
              traceId: randomUUID(),
            },
            { 'content-type': 'application/problem+json' },
          );
        }
        sw.quantity = wanted;
        const id = randomUUID();
        return send(res, 200, { subscriptionsAmendmentId: id, requestTrackingId: id });
      },
    },
    { method: 'GET', path: /^\/tracking\/[^/]+$/, handle: (_r, res) => send(res, 200, { status: 'Success' }) },
  ]);
});
afterAll(() => sherweb.close());

function sherwebClient() {
  return createSherwebClient({
    credentials: { clientId: 'dry-run-test', clientSecret: `secret-${randomUUID()}`, subscriptionKey: 'key-dry-run' },
    baseUrl: sherweb.url,
    tokenUrl: `${sherweb.url}/auth/token`,
    rateLimit: false,
    pollIntervalMs: 1,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });
}

/** Runs the dry run, then the real write, from the same state; returns both outcomes and the writes each sent. */
async function sherwebBoth(target: number) {
  const state = { quantity: sw.quantity, minimals: [...sw.minimals] };
  const c = sherwebClient();
  const ref = { customerId: SW_CUSTOMER, subscriptionId: SW_SUB };
  const before = sherweb.seen.length;
  const dry = await c.setSeats(ref, target, { dryRun: true }).catch((e: unknown) => e);
  const dryWrites = sherweb.seen.slice(before).filter(isWrite).length;
  Object.assign(sw, state);
  const real = await c.setSeats(ref, target).catch((e: unknown) => e);
  return { dry, dryWrites, real };
}

describe('Sherweb: a seat dry run refuses exactly what the amendment is refused, and writes nothing', () => {
  beforeEach(() => {
    sw.quantity = 10;
    sw.amendments = 0;
  });
  const cases = [
    {
      name: 'every grace window closed, decrease',
      minimals: () => [{ committedUntil: iso(-30), quantity: 10 }],
      target: 8,
      refused: true,
    },
    {
      name: 'window open, decrease below its minimum',
      minimals: () => [{ committedUntil: iso(3), quantity: 9 }],
      target: 8,
      refused: true,
    },
    {
      name: 'window open, decrease to its minimum',
      minimals: () => [{ committedUntil: iso(3), quantity: 8 }],
      target: 8,
      refused: false,
    },
    {
      name: 'every grace window closed, increase',
      minimals: () => [{ committedUntil: iso(-30), quantity: 10 }],
      target: 12,
      refused: false,
    },
  ];
  for (const k of cases) {
    it(`${k.name}: ${k.refused ? 'both refused' : 'both accepted'}`, async () => {
      sw.minimals = k.minimals();
      const { dry, dryWrites, real } = await sherwebBoth(k.target);
      expect(dryWrites).toBe(0);
      if (k.refused) {
        expect(kindOf(dry)).toBe('business-rule');
        expect(kindOf(real)).toBe('business-rule');
        expect(dry).toMatchObject({ provider: 'sherweb', operation: 'setSeats' });
        expect(real).toMatchObject({ provider: 'sherweb', operation: 'setSeats' });
        for (const e of [dry, real])
          expect((e as { code?: string }).code).toMatch(/commitment[-_ ]?term[-_ ]?violation/i);
        expect(sw.quantity).toBe(10);
      } else {
        expect(dry).toMatchObject({ outcome: 'dry-run' });
        expect(kindOf(real)).toBeUndefined();
        expect(sw.quantity).toBe(k.target);
      }
      expect(sw.amendments).toBe(1); // the real write only
    });
  }
});

// ---- TD SYNNEX -------------------------------------------------------------------------------------------------

const ACCOUNT = '10001';
const TD_CUSTOMER = '501';
const TD_SUB = '7001';
const td = { quantity: 10, windowEnd: iso(-5), orders: new Map<string, Record<string, unknown>>(), posts: 0 };
let ion: LookAlikeServer;

const tdSubscription = () => ({
  id: TD_SUB,
  customerId: TD_CUSTOMER,
  subscriptionId: 'ms-sub-7001',
  ccpProductId: 'MS-NCE',
  ccpSkuId: 'M365-BP',
  ccpPlanId: 'P1Y-MONTHLY',
  subscriptionName: 'Microsoft 365 Business Premium',
  subscriptionStatus: 'ACTIVE',
  subscriptionTotalLicenses: String(td.quantity),
  subscriptionBillingCycle: 'MONTHLY',
  subscriptionBillingTerm: 'P1Y',
  subscriptionStartDate: iso(-20),
  subscriptionEndDate: iso(345),
  cancellationAllowedUntilDate: td.windowEnd,
  renewalDate: iso(345),
  autoRenew: true,
});

beforeAll(async () => {
  const base = `/api/v3/accounts/${ACCOUNT}/customers/${TD_CUSTOMER}`;
  ion = await startLookAlike([
    {
      method: 'POST',
      path: '/oauth/token',
      handle: (_r, res) =>
        send(res, 200, { access_token: `at-${randomUUID()}`, refresh_token: `rt-${randomUUID()}`, expires_in: 7200 }),
    },
    { method: 'GET', path: `${base}/subscriptions/${TD_SUB}`, handle: (_r, res) => send(res, 200, tdSubscription()) },
    { method: 'GET', path: `${base}/orders`, handle: (_r, res) => send(res, 200, { orders: [] }) },
    {
      method: 'POST',
      path: `${base}/orders`,
      handle: (req, res) => {
        td.posts += 1;
        const item = (req.json as { orderItems: { action: string; resourceId: string; quantity: number }[] })
          .orderItems[0]!;
        const orderId = String(9000 + td.posts);
        const order: Record<string, unknown> = {
          name: `accounts/${ACCOUNT}/customers/${TD_CUSTOMER}/orders/${orderId}`,
          orderId,
          customerId: TD_CUSTOMER,
          status: 'NEW',
          orderItems: [{ ...item, status: 'NEW' }],
        };
        // Ion validates provisioning asynchronously: the order is accepted, then ends COMPLETED or ERROR.
        const outside = item.quantity < td.quantity && Date.now() > Date.parse(td.windowEnd);
        td.orders.set(orderId, {
          ...order,
          status: outside ? 'ERROR' : 'COMPLETED',
          errors: outside
            ? [{ code: 'COMM-PR-010', detail: 'Seat count cannot be reduced after the cancellation window' }]
            : [],
        });
        if (!outside) td.quantity = item.quantity;
        return send(res, 200, order);
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^${base}/orders/(\\d+)$`),
      handle: (_r, res, m) => send(res, 200, td.orders.get(m![1]!) ?? { error: 'NOT_FOUND' }),
    },
  ]);
});
afterAll(() => ion.close());

function tdClient() {
  return createTdSynnexClient({
    credentials: { refreshToken: `rt-${randomUUID()}` },
    accountId: ACCOUNT,
    baseUrl: ion.url,
    rateLimit: false,
    pollIntervalMs: 1,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });
}

async function tdBoth(target: number) {
  const start = td.quantity;
  const c = tdClient();
  const ref = { customerId: TD_CUSTOMER, subscriptionId: TD_SUB };
  const before = ion.seen.length;
  const dry = await c.setSeats(ref, target, { dryRun: true }).catch((e: unknown) => e);
  const dryWrites = ion.seen.slice(before).filter(isWrite).length;
  td.quantity = start;
  const real = await c
    .setSeats(ref, target)
    .then(async (r) =>
      r.operation ? { result: r, final: await r.operation.waitForCompletion({ timeoutMs: 2000 }) } : { result: r },
    )
    .catch((e: unknown) => e);
  return { dry, dryWrites, real };
}

describe('TD SYNNEX: a seat dry run refuses exactly what the UPDATE order is refused, and writes nothing', () => {
  beforeEach(() => {
    td.quantity = 10;
    td.posts = 0;
    td.orders.clear();
  });
  const cases = [
    { name: 'cancellation window closed, decrease', windowEnd: () => iso(-5), target: 8, refused: true },
    { name: 'cancellation window open, decrease', windowEnd: () => iso(5), target: 8, refused: false },
    { name: 'cancellation window closed, increase', windowEnd: () => iso(-5), target: 12, refused: false },
  ];
  for (const k of cases) {
    it(`${k.name}: ${k.refused ? 'both refused' : 'both accepted'}`, async () => {
      td.windowEnd = k.windowEnd();
      const { dry, dryWrites, real } = await tdBoth(k.target);
      expect(dryWrites).toBe(0);
      expect(td.posts).toBe(1); // the real write only
      if (k.refused) {
        expect(dry).toMatchObject({ kind: 'business-rule', provider: 'td-synnex', operation: 'setSeats' });
        // The real write is accepted as an order and ends failed with Ion's reason; the seats never change.
        expect(real).toMatchObject({ final: { status: 'failed', rawStatus: 'ERROR' } });
        expect((real as { final: { message: string } }).final.message).toMatch(/cancellation window/);
        expect(td.quantity).toBe(10);
      } else {
        expect(dry).toMatchObject({ outcome: 'dry-run' });
        expect(kindOf(real)).toBeUndefined();
        expect(td.quantity).toBe(k.target);
      }
    });
  }
});
