/**
 * Reconciliation, rightsizing and renewals against look-alikes of Pax8, Sherweb and Microsoft Graph written here
 * with plain node:http (test/helpers/lookalike.ts), from the vendors' docs, with odd-but-legal answers: one license
 * bought at two marketplaces (Sherweb gives no license identity: joined by name), a subscription without a cost, a
 * Sherweb grace window that closed yesterday, a Graph SKU with more seats assigned than bought, Graph SKUs on two
 * pages (`@odata.nextLink`) with an upper-case skuId.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryTokenCache } from '../../src/core/auth/token-provider.js';
import { createGraphClient } from '../../src/graph/index.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';
import { createSherwebClient } from '../../src/providers/sherweb/index.js';
import {
  Marketplaces,
  buildRightsizingPlan,
  executePlan,
  marginOf,
  parseMarketplaceIds,
  reconcileLicenses,
  renewalCalendar,
} from '../../src/workflows/index.js';
import { type LookAlikeServer, type SeenRequest, loseAnswer, send, startLookAlike } from '../helpers/lookalike.js';

const DAY = 86_400_000;
const NOW = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();

const PAX8_COMPANY = '11111111-2222-4333-8444-555555555555';
const SHERWEB_CUSTOMER = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const TENANT = 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff';
const BP = 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46';
const EXO = '4b9405b0-7788-4568-add1-99614e613b69';
const ENTRA = '078d2b04-f1bd-4111-bbd4-b4b1b354cef4';

const PAX8_BP = 'a0000000-0000-4000-8000-000000000001';
const PAX8_EXO = 'a0000000-0000-4000-8000-000000000002';
const PAX8_ENTRA = 'a0000000-0000-4000-8000-000000000003';
const SHERWEB_BP = 'b0000000-0000-4000-8000-000000000001';

/** Pax8 subscriptions as Pax8 sends them (no productId: no commitment rules look-up). */
function pax8Subscriptions(): Record<string, Record<string, unknown>> {
  const common = { companyId: PAX8_COMPANY, status: 'Active', billingTerm: 'Monthly', startDate: iso(NOW - 40 * DAY) };
  return {
    // Bought at Pax8 and Sherweb; month-to-month: Pax8 applies no decrease window.
    [PAX8_BP]: {
      ...common,
      id: PAX8_BP,
      productName: 'Microsoft 365 Business Premium',
      vendorSkuId: BP,
      quantity: 3,
      price: 25,
      partnerCost: 20,
      currencyCode: 'EUR',
    },
    // No price and no partner cost: the cost is unknown, never assumed.
    [PAX8_EXO]: { ...common, id: PAX8_EXO, productName: 'Exchange Online (Plan 1)', vendorSkuId: EXO, quantity: 5 },
    // Graph shows more assigned than bought here.
    [PAX8_ENTRA]: {
      ...common,
      id: PAX8_ENTRA,
      productName: 'Microsoft Entra ID P1',
      vendorSkuId: ENTRA.toUpperCase(),
      quantity: 2,
      partnerCost: 5,
      currencyCode: 'EUR',
    },
  };
}

let pax8Subs = pax8Subscriptions();
/** Pax8 applies the next PUT and loses its answer (the connection drops). */
let loseNextPut = false;
let pax8: LookAlikeServer;
let sherweb: LookAlikeServer;
let graph: LookAlikeServer;
const writes = (s: LookAlikeServer): SeenRequest[] =>
  s.seen.filter((r) => r.method !== 'GET' && !r.path.endsWith('/token'));
const token = { access_token: 'look-alike-token', token_type: 'Bearer', expires_in: 3600 };

beforeAll(async () => {
  pax8 = await startLookAlike([
    { method: 'POST', path: '/token', handle: (_q, res) => send(res, 200, token) },
    {
      method: 'GET',
      path: '/subscriptions',
      handle: (req, res) => {
        const content = Object.values(pax8Subs).filter((s) => s.companyId === req.query.get('companyId'));
        send(res, 200, { content, page: { size: 200, totalElements: content.length, totalPages: 1, number: 0 } });
      },
    },
    {
      path: /^\/subscriptions\/([^/]+)$/,
      handle: (req, res, m) => {
        const sub = pax8Subs[m![1]!];
        if (!sub) return send(res, 404, { message: 'Not found' });
        if (req.method === 'PUT') {
          sub.quantity = (req.json as { quantity: number }).quantity;
          if (loseNextPut) {
            loseNextPut = false;
            return loseAnswer(res);
          }
        }
        return send(res, 200, sub);
      },
    },
  ]);
  sherweb = await startLookAlike([
    { method: 'POST', path: '/token', handle: (_q, res) => send(res, 200, token) },
    {
      method: 'GET',
      path: '/billing/subscriptions',
      handle: (req, res) => {
        if (req.query.get('customerId') !== SHERWEB_CUSTOMER) return send(res, 200, { items: [] });
        // Same license as Pax8's, but no Microsoft SKU id, no price; the grace window closed yesterday.
        send(res, 200, {
          items: [
            {
              id: SHERWEB_BP,
              productName: 'Microsoft 365 Business Premium',
              sku: 'SHW-M365-BP-ANNUAL',
              quantity: 6,
              billingCycle: 'Monthly',
              purchaseDate: iso(NOW - 165 * DAY),
              commitmentTerm: {
                type: 'Annual',
                termEndDate: iso(NOW + 200 * DAY),
                renewalConfiguration: { renewalDate: iso(NOW + 200 * DAY) },
                committedMinimalQuantities: [{ committedUntil: iso(NOW - DAY), quantity: 6 }],
              },
            },
          ],
        });
      },
    },
  ]);
  const sku = (skuId: string, part: string, enabled: number, consumed: number) => ({
    id: `${TENANT}_${skuId}`,
    skuId,
    skuPartNumber: part,
    capabilityStatus: 'Enabled',
    appliesTo: 'User',
    consumedUnits: consumed,
    prepaidUnits: { enabled, suspended: 0, warning: 0 },
  });
  graph = await startLookAlike([
    { method: 'POST', path: /\/token$/, handle: (_q, res) => send(res, 200, token) },
    {
      method: 'GET',
      path: '/v1.0/subscribedSkus',
      handle: (req, res) =>
        req.query.get('page') === '2'
          ? send(res, 200, { value: [sku(ENTRA, 'AAD_PREMIUM', 2, 4)] })
          : send(res, 200, {
              value: [sku(BP.toUpperCase(), 'SPB', 9, 4), sku(EXO, 'EXCHANGESTANDARD', 5, 5)],
              '@odata.nextLink': `${graph.url}/v1.0/subscribedSkus?page=2`,
            }),
    },
  ]);
});

afterAll(async () => {
  await Promise.all([pax8?.close(), sherweb?.close(), graph?.close()]);
});

beforeEach(() => {
  pax8Subs = pax8Subscriptions();
  loseNextPut = false;
});

function world() {
  const fast = { rateLimit: false as const, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } };
  const pax8Client = createPax8Client({
    ...fast,
    credentials: { clientId: 'look-alike', clientSecret: 'look-alike-secret' },
    baseUrl: pax8.url,
    tokenCache: new MemoryTokenCache(),
  });
  const sherwebClient = createSherwebClient({
    ...fast,
    credentials: { clientId: 'look-alike', clientSecret: 'look-alike-secret', subscriptionKey: 'look-alike-key' },
    baseUrl: sherweb.url,
    tokenUrl: `${sherweb.url}/token`,
    tokenCache: new MemoryTokenCache(),
  });
  const graphClient = createGraphClient({
    ...fast,
    credentials: { tenantId: TENANT, clientId: 'look-alike', clientSecret: 'look-alike-secret' },
    baseUrl: `${graph.url}/v1.0`,
    authorityUrl: graph.url,
    tokenCache: new MemoryTokenCache(),
  });
  const marketplaces = new Marketplaces([pax8Client, sherwebClient]);
  const company = {
    name: 'Look-alike Ltd',
    marketplaceIds: parseMarketplaceIds(`PAX8:${PAX8_COMPANY};SHERWEB:${SHERWEB_CUSTOMER}`),
  };
  return { marketplaces, company, graph: graphClient };
}

describe('reconcileLicenses against look-alikes', () => {
  it('joins one license across two marketplaces and Graph (both Graph pages), and says when each seat can go', async () => {
    const w = world();
    const r = await reconcileLicenses({ ...w, now: new Date(NOW) });
    expect(r.failures).toEqual([]);
    const bp = r.licenses.find((l) => l.graph?.skuPartNumber === 'SPB')!;
    expect(bp.subscriptions.map((s) => [s.provider, s.joinedBy])).toEqual([
      ['pax8', 'graph-sku-id'],
      ['sherweb', 'name'],
    ]);
    expect([bp.bought, bp.assigned, bp.unused]).toEqual([9, 4, 5]);
    // Pax8 month-to-month: 2 now (one seat stays); Sherweb's window closed yesterday: 3 at its term end, not now.
    expect(bp.releases.map((x) => [x.provider, x.when, x.seats])).toEqual([
      ['pax8', 'now', 2],
      ['sherweb', 'term-end', 3],
    ]);
    expect(bp.releasableNow).toBe(2);
    const sw = bp.subscriptions.find((s) => s.provider === 'sherweb')!;
    expect(sw.window.state).toBe('closed');
    expect(sw.unitCost).toBeNull();
    expect(bp.releases[1]!.monthlyCost).toBeNull();
    expect(bp.costComplete).toBe(false);
    expect(bp.unusedMonthlyCost).toEqual([{ amount: 40, currency: 'EUR' }]);

    const exo = r.licenses.find((l) => l.graph?.skuPartNumber === 'EXCHANGESTANDARD')!;
    expect([exo.bought, exo.assigned, exo.unused]).toEqual([5, 5, 0]);
    expect(exo.subscriptions[0]!.unitCost).toBeNull();

    // On Graph's second page, skuId in another case: still joined; more assigned than bought: nothing to release.
    const entra = r.licenses.find((l) => l.graph?.skuPartNumber === 'AAD_PREMIUM')!;
    expect([entra.bought, entra.assigned, entra.unused, entra.overAssigned]).toEqual([2, 4, 0, 2]);
    expect(entra.releases).toEqual([]);
    expect(entra.notes.join(' ')).toMatch(/more seat\(s\) assigned than bought/);
    expect(r.graphOnly).toEqual([]);
  });

  it('plans only the decrease inside an open window, dry-run checked; the closed window is for later', async () => {
    const w = world();
    const r = await reconcileLicenses({ ...w, now: new Date(NOW) });
    const before = writes(pax8).length + writes(sherweb).length;
    const plan = await buildRightsizingPlan(r, { marketplaces: w.marketplaces });
    expect(plan.changes.map((c) => [c.provider, c.subscriptionId, c.from, c.to])).toEqual([['pax8', PAX8_BP, 3, 1]]);
    expect(plan.changes[0]!.check).toMatchObject({ ok: true, checkedBy: 'sdk' });
    expect(plan.changes.some((c) => c.provider === 'sherweb')).toBe(false);
    expect(plan.later.map((x) => [x.provider, x.seats])).toEqual([['sherweb', 3]]);
    expect(plan.totals.monthlySavingNow).toEqual([{ amount: 40, currency: 'EUR' }]);
    // Building the plan (dry runs included) wrote nothing.
    expect(writes(pax8).length + writes(sherweb).length).toBe(before);
  });

  it('executing without confirm sends nothing; with confirm it sends the absolute target with ifCurrent', async () => {
    const w = world();
    const r = await reconcileLicenses({ ...w, now: new Date(NOW) });
    const plan = await buildRightsizingPlan(r, { marketplaces: w.marketplaces });
    const seenBefore = pax8.seen.length + sherweb.seen.length;
    await expect(
      executePlan(plan, { confirm: false, marketplaces: w.marketplaces } as unknown as Parameters<
        typeof executePlan
      >[1]),
    ).rejects.toMatchObject({ kind: 'validation' });
    await expect(
      executePlan(plan, { marketplaces: w.marketplaces } as unknown as Parameters<typeof executePlan>[1]),
    ).rejects.toMatchObject({ kind: 'validation' });
    expect(pax8.seen.length + sherweb.seen.length).toBe(seenBefore);

    const done = await executePlan(plan, { confirm: true, marketplaces: w.marketplaces, actor: 'test' });
    expect(done.map((d) => [d.change.subscriptionId, d.outcome])).toEqual([[PAX8_BP, 'applied']]);
    expect(writes(pax8).at(-1)).toMatchObject({
      method: 'PUT',
      path: `/subscriptions/${PAX8_BP}`,
      json: { quantity: 1 },
    });
    expect(writes(sherweb)).toEqual([]);
  });

  it('a plan whose seats changed meanwhile is refused by ifCurrent, nothing is written', async () => {
    const w = world();
    const r = await reconcileLicenses({ ...w, now: new Date(NOW) });
    const plan = await buildRightsizingPlan(r, { marketplaces: w.marketplaces });
    pax8Subs[PAX8_BP]!.quantity = 4; // someone added a seat after the plan
    const puts = writes(pax8).length;
    const done = await executePlan(plan, { confirm: true, marketplaces: w.marketplaces });
    expect(done[0]).toMatchObject({ outcome: 'failed', error: { kind: 'conflict' } });
    expect(writes(pax8).length).toBe(puts);
    expect(pax8Subs[PAX8_BP]!.quantity).toBe(4);
  });

  it('a change applied whose answer is lost settles by re-reading: applied once, never sent twice', async () => {
    const w = world();
    const plan = await buildRightsizingPlan(await reconcileLicenses({ ...w, now: new Date(NOW) }), {
      marketplaces: w.marketplaces,
    });
    const puts = writes(pax8).length;
    loseNextPut = true;
    const done = await executePlan(plan, { confirm: true, marketplaces: w.marketplaces });
    expect(done.map((d) => d.outcome)).toEqual(['applied']);
    expect(writes(pax8).length - puts).toBe(1);
    expect(pax8Subs[PAX8_BP]!.quantity).toBe(1);
  });

  it('margin where price and cost are known, the rest listed with the reason', async () => {
    const w = world();
    const m = marginOf(await reconcileLicenses({ ...w, now: new Date(NOW) }));
    const bp = m.licenses.find((l) => l.license === 'Microsoft 365 Business Premium')!;
    expect(bp.margin).toEqual([{ amount: 15, currency: 'EUR' }]);
    expect(bp.unknown.map((u) => u.provider)).toEqual(['sherweb']);
    expect(m.complete).toBe(false);
  });

  it('renewal calendar: sorted by term end, with the decrease window of each', async () => {
    const w = world();
    const cal = await renewalCalendar({ marketplaces: w.marketplaces, companies: [w.company], now: new Date(NOW) });
    const sw = cal.entries.find((e) => e.provider === 'sherweb')!;
    expect(sw.window.state).toBe('closed');
    // Sherweb's term end is a date: 199 or 200 whole days ahead depending on the time of day.
    expect([199, 200]).toContain(sw.daysLeft);
    expect(sw.canSetAutoRenew).toBe(false);
    const ends = cal.entries.map((e) => (e.termEnd ? Date.parse(e.termEnd) : Number.POSITIVE_INFINITY));
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
  });
});
