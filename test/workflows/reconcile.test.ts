/**
 * Reconciliation, rightsizing plan and renewals on the built-in fakes (createMockMarketplace): the demo company
 * (Contoso at Pax8, its Microsoft tenant in the Graph fake), Partner Center joined to Graph by Graph's own
 * subscription ids, flagged records, and the decrease-window rules on hand-made records.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMarketplaceClient } from '../../src/index.js';
import { createGraphClient } from '../../src/graph/index.js';
import type { Subscription } from '../../src/model/subscription.js';
import {
  GRAPH_SEED_IDS,
  PAX8_SEED_IDS,
  PARTNER_CENTER_SEED_IDS,
  createMockMarketplace,
} from '../../src/testing/index.js';
import {
  Marketplaces,
  buildRightsizingPlan,
  changeAutoRenew,
  decreaseWindowOf,
  executePlan,
  parseMarketplaceIds,
  reconcileLicenses,
  renewalCalendar,
} from '../../src/workflows/index.js';

// One msw server at a time: each test starts its own fakes (fresh state) and stops them.
let mock = createMockMarketplace();
beforeEach(() => {
  mock = createMockMarketplace();
  mock.start();
});
afterEach(() => mock.stop());

const fast = { rateLimit: false as const, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } };
const CONTOSO = {
  name: 'Contoso Ltd',
  marketplaceIds: parseMarketplaceIds(
    `PAX8:${PAX8_SEED_IDS.contoso};MICROSOFT_PARTNER_CENTER:${GRAPH_SEED_IDS.contosoTenant}`,
  ),
};

function pax8World() {
  const pax8 = createMarketplaceClient({ provider: 'pax8', ...mock.clientOptions('pax8'), ...fast });
  const graph = createGraphClient({ ...mock.graphClientOptions(), ...fast });
  return { marketplaces: new Marketplaces([pax8]), company: CONTOSO, graph };
}

describe('reconcileLicenses on the fakes', () => {
  it('the demo company: unused seats, their cost, and when each can be released', async () => {
    const r = await reconcileLicenses({ ...pax8World(), costPeriod: { pax8: 'billing-period' } });
    expect(r.tenantId).toBe(GRAPH_SEED_IDS.contosoTenant);
    const bp = r.licenses.find((l) => l.graph?.skuPartNumber === 'SPB')!;
    // 80 annual + 20 monthly bought at Pax8; 98 assigned in Graph.
    expect([bp.bought, bp.assigned, bp.unused, bp.releasableNow]).toEqual([100, 98, 2, 2]);
    expect(bp.releases).toHaveLength(1);
    expect(bp.releases[0]).toMatchObject({ when: 'now', seats: 2, currentSeats: 20 });
    expect(bp.unusedMonthlyCost).toEqual([{ amount: 44.88, currency: 'USD' }]);
    const annual = bp.subscriptions.find((s) => s.commitmentTerm === 'P1Y')!;
    expect(annual.window.state).toBe('closed');
    expect(annual.unitCost).toMatchObject({ source: 'subscription', monthly: 18.7 });

    // Exchange: 15 bought, 7 assigned: 8 unused, only at the term end of the annual subscription.
    const exo = r.licenses.find((l) => l.graph?.skuPartNumber === 'EXCHANGESTANDARD')!;
    expect([exo.unused, exo.releasableNow]).toEqual([8, 0]);
    expect(exo.releases[0]).toMatchObject({ when: 'term-end', seats: 8 });
    expect(exo.releases[0]!.costUntilRelease!.amount).toBeGreaterThan(0);

    // Microsoft 365 E3 is not in the tenant: assigned unknown, no decision.
    const e3 = r.licenses.find((l) => l.label === 'Microsoft 365 E3')!;
    expect([e3.assigned, e3.unused, e3.decidable]).toEqual([null, null, false]);
    expect(r.graphOnly.map((g) => g.skuPartNumber).sort()).toEqual(['AAD_PREMIUM', 'ENTERPRISEPACK', 'FLOW_FREE']);
    expect(r.totals.releasableNow).toBe(2);
  });

  it('without costPeriod an annual cost is shown as given, its monthly amount unknown', async () => {
    const r = await reconcileLicenses(pax8World());
    const exo = r.licenses.find((l) => l.graph?.skuPartNumber === 'EXCHANGESTANDARD')!;
    expect(exo.subscriptions[0]!.unitCost).toMatchObject({ amount: 40.8, monthly: null });
    expect(exo.releases[0]!.monthlyCost).toBeNull();
    expect(exo.costComplete).toBe(false);
  });

  it('Partner Center subscriptions join Graph through its subscription ids; the NCE window caps the release', async () => {
    const pc = createMarketplaceClient({
      provider: 'partner-center',
      ...mock.clientOptions('partner-center'),
      ...fast,
    });
    const graph = createGraphClient({ ...mock.graphClientOptions(), ...fast });
    const company = {
      name: 'Contoso Ltd',
      marketplaceIds: parseMarketplaceIds(`MICROSOFT_PARTNER_CENTER:${PARTNER_CENTER_SEED_IDS.contoso}`),
    };
    const r = await reconcileLicenses({ marketplaces: new Marketplaces([pc]), company, graph });
    const bp = r.licenses.find((l) => l.graph?.skuPartNumber === 'SPB')!;
    expect(bp.subscriptions.map((s) => s.joinedBy)).toEqual(['microsoft-product', 'microsoft-product']);
    expect([bp.bought, bp.assigned, bp.unused]).toEqual([100, 98, 2]);
    const now = bp.releases.filter((x) => x.when === 'now');
    // Only the annual subscription has seats inside their 7-day window (5 refundable); the monthly one's closed.
    expect(now.map((x) => x.subscriptionId)).toEqual([
      PARTNER_CENTER_SEED_IDS.subscriptions.contosoBusinessPremiumAnnual,
    ]);
    for (const s of bp.subscriptions) {
      expect(s.unitCost === null || s.unitCost.source === 'product-pricing').toBe(true);
    }
  });

  it('a flagged record is reported, never used for a decision', async () => {
    const local = mock;
    {
      const sub = local.pax8
        .subscriptionsOf(PAX8_SEED_IDS.contoso)
        .find((s) => s.billingTerm === 'Monthly' && /business premium/i.test(s.productName ?? ''))!;
      (sub as { quantity: unknown }).quantity = 'twenty';
      const pax8 = createMarketplaceClient({ provider: 'pax8', ...local.clientOptions('pax8'), ...fast });
      const graph = createGraphClient({ ...local.graphClientOptions(), ...fast });
      const marketplaces = new Marketplaces([pax8]);
      const r = await reconcileLicenses({ marketplaces, company: CONTOSO, graph });
      const bp = r.licenses.find((l) => l.graph?.skuPartNumber === 'SPB')!;
      expect(bp.flagged.map((f) => f.id)).toEqual([sub.id]);
      expect(bp.decidable).toBe(false);
      expect(bp.releases).toEqual([]);
      expect(r.flagged.map((f) => f.id)).toContain(sub.id);
      const plan = await buildRightsizingPlan(r, { marketplaces });
      expect(plan.changes.filter((c) => c.license === bp.label)).toEqual([]);
      expect(plan.skipped.map((s) => s.license)).toContain(bp.label);
    }
  });

  it("without a cost on the subscription, the product's published pricing is used and named as the source", async () => {
    for (const sub of mock.pax8.subscriptionsOf(PAX8_SEED_IDS.contoso)) {
      (sub as { partnerCost?: unknown }).partnerCost = null;
    }
    const r = await reconcileLicenses(pax8World());
    const bp = r.licenses.find((l) => l.graph?.skuPartNumber === 'SPB')!;
    const monthly = bp.subscriptions.find((s) => s.commitmentTerm === 'P1M')!;
    expect(monthly.unitCost).toMatchObject({ source: 'product-pricing', amount: 22.44, monthly: 22.44 });
    expect(bp.unusedMonthlyCost.map((m) => m.amount)).toEqual([44.88]);
    const pricing = await reconcileLicenses({ ...pax8World(), pricing: false });
    expect(pricing.licenses.find((l) => l.graph?.skuPartNumber === 'SPB')!.subscriptions[1]!.unitCost).toBeNull();
  });

  it('refuses bad input before any call', async () => {
    const w = pax8World();
    await expect(reconcileLicenses({ ...w, costPeriod: 'yearly' as never })).rejects.toMatchObject({
      kind: 'validation',
    });
    await expect(reconcileLicenses({ ...w, graf: w.graph } as never)).rejects.toThrow(/did you mean "graph"/);
  });
});

describe('rightsizing plan on the fakes', () => {
  it('dry-runs each change through setSeats, then executes only with confirm', async () => {
    const local = mock;
    {
      const pax8 = createMarketplaceClient({ provider: 'pax8', ...local.clientOptions('pax8'), ...fast });
      const graph = createGraphClient({ ...local.graphClientOptions(), ...fast });
      const marketplaces = new Marketplaces([pax8]);
      const audits: unknown[] = [];
      pax8.on('audit', (e) => audits.push(e));
      const r = await reconcileLicenses({ marketplaces, company: CONTOSO, graph });
      const plan = await buildRightsizingPlan(r, { marketplaces, actor: 'test' });
      expect(plan.changes).toHaveLength(1);
      const c = plan.changes[0]!;
      expect([c.from, c.to, c.check.ok, c.check.checkedBy]).toEqual([20, 18, true, 'sdk']);
      expect(plan.later.map((x) => x.license)).toContain('Exchange Online (Plan 1)');
      const monthly = () => local.pax8.subscriptionsOf(PAX8_SEED_IDS.contoso).find((s) => s.id === c.subscriptionId)!;
      expect(monthly().quantity).toBe(20);
      await expect(executePlan(plan, { marketplaces } as never)).rejects.toMatchObject({ kind: 'validation' });
      expect(monthly().quantity).toBe(20);
      const done = await executePlan(plan, { confirm: true, marketplaces, actor: 'test' });
      expect(done.map((d) => d.outcome)).toEqual(['applied']);
      expect(monthly().quantity).toBe(18);
      expect(audits.some((e) => (e as { dryRun: boolean; outcome: string }).outcome === 'applied')).toBe(true);
      // The same plan again: the seats are no longer 20, so ifCurrent refuses it and nothing changes.
      const again = await executePlan(plan, { confirm: true, marketplaces });
      expect(again[0]).toMatchObject({ outcome: 'failed', error: { kind: 'conflict' } });
      expect(monthly().quantity).toBe(18);
      await expect(
        executePlan(plan, { confirm: true, marketplaces, now: () => Date.now() + 2 * 3_600_000 }),
      ).rejects.toThrow(/old/);
    }
  });
});

describe('renewal calendar on the fakes', () => {
  it('every subscription by term end, with auto-renew and window; auto-renew helper answers unsupported honestly', async () => {
    const w = pax8World();
    const cal = await renewalCalendar({ marketplaces: w.marketplaces, companies: [CONTOSO] });
    expect(cal.entries.length).toBeGreaterThanOrEqual(4);
    const ends = cal.entries.map((e) => Date.parse(e.termEnd ?? '9999-01-01'));
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
    const first = cal.entries[0]!;
    const r = await changeAutoRenew(w.marketplaces, first, false);
    if (first.canSetAutoRenew) expect(r).toMatchObject({ supported: true, outcome: 'dry-run' });
    else expect(r).toMatchObject({ supported: false });
    const soon = await renewalCalendar({ marketplaces: w.marketplaces, companies: [CONTOSO], withinDays: 0 });
    expect(soon.entries.every((e) => e.daysLeft === 0)).toBe(true);
  });
});

describe('auto-renew where the vendor supports it', () => {
  it('Partner Center: a dry run by default, the state unchanged; dryRun: false turns it off', async () => {
    const pc = createMarketplaceClient({
      provider: 'partner-center',
      ...mock.clientOptions('partner-center'),
      ...fast,
    });
    const marketplaces = new Marketplaces([pc]);
    const company = {
      name: 'Contoso Ltd',
      marketplaceIds: parseMarketplaceIds(`MICROSOFT_PARTNER_CENTER:${PARTNER_CENTER_SEED_IDS.contoso}`),
    };
    const cal = await renewalCalendar({ marketplaces, companies: [company] });
    const entry = cal.entries.find((e) => e.autoRenew === true && e.canSetAutoRenew)!;
    expect(entry).toBeDefined();
    const dry = await changeAutoRenew(marketplaces, entry, false);
    expect(dry).toMatchObject({ supported: true, outcome: 'dry-run' });
    expect(
      (await pc.getSubscription({ customerId: entry.customerId, subscriptionId: entry.subscriptionId })).autoRenew,
    ).toBe(true);
    const real = await changeAutoRenew(marketplaces, entry, false, { dryRun: false });
    expect(real).toMatchObject({ supported: true, requested: false });
    expect(
      (await pc.getSubscription({ customerId: entry.customerId, subscriptionId: entry.subscriptionId })).autoRenew,
    ).toBe(false);
  });
});

describe('decreaseWindowOf (never a decrease outside a window)', () => {
  const NOW = new Date('2026-06-01T12:00:00.000Z');
  const base = (
    over: Omit<Partial<Subscription>, 'constraints'> & { constraints?: Partial<Subscription['constraints']> },
  ): Subscription => ({
    provider: 'pax8',
    id: 's1',
    customerId: 'c1',
    productId: null,
    sku: null,
    name: 'X',
    status: 'active',
    rawStatus: null,
    quantity: 10,
    billingTerm: 'annual',
    rawBillingTerm: null,
    commitment: { term: 'P1Y', endDate: '2027-01-01T00:00:00.000Z' },
    startDate: '2026-01-01T00:00:00.000Z',
    renewalDate: '2027-01-01T00:00:00.000Z',
    endDate: null,
    autoRenew: true,
    price: null,
    cost: null,
    raw: {},
    ...over,
    constraints: {
      canIncrease: true,
      canDecrease: null,
      decreaseAllowedUntil: null,
      canCancel: null,
      refundableQuantity: null,
      notes: [],
      ...over.constraints,
    },
  });

  it('a window that closed yesterday is closed, even when canDecrease still says true', () => {
    const w = decreaseWindowOf(
      base({ constraints: { canDecrease: true, decreaseAllowedUntil: '2026-05-31T12:00:00.000Z' } }),
      NOW,
    );
    expect(w).toMatchObject({ state: 'closed', earliest: '2027-01-01T00:00:00.000Z' });
  });

  it('unknown constraints are not an open window (NCE date only mentioned)', () => {
    const w = decreaseWindowOf(base({ startDate: '2026-05-30T00:00:00.000Z' }), NOW);
    expect(w.state).toBe('unknown');
    expect(w.reason).toMatch(/did not confirm/);
  });

  it('an open window with a deadline, a refusal, auto-renew off and pending-cancel', () => {
    expect(
      decreaseWindowOf(base({ constraints: { decreaseAllowedUntil: '2026-06-03T00:00:00.000Z' } }), NOW),
    ).toMatchObject({ state: 'open', openUntil: '2026-06-03T00:00:00.000Z' });
    expect(decreaseWindowOf(base({ constraints: { canDecrease: false } }), NOW).state).toBe('closed');
    expect(decreaseWindowOf(base({ autoRenew: false, constraints: { canDecrease: false } }), NOW).state).toBe('ending');
    expect(
      decreaseWindowOf(base({ status: 'pending-cancel', endDate: '2026-07-01T00:00:00.000Z' }), NOW),
    ).toMatchObject({ state: 'ending', earliest: '2026-07-01T00:00:00.000Z' });
    expect(decreaseWindowOf(base({ status: 'suspended' }), NOW).state).toBe('none');
  });
});
