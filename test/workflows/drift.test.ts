import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GRAPH_SEED_IDS } from '../../src/testing/graph/index.js';
import { PAX8_SEED_IDS } from '../../src/testing/pax8/index.js';
import {
  Marketplaces,
  type Snapshot,
  createSnapshot,
  diffSnapshots,
  listLicenseSubscriptions,
  reconcileWithGraph,
  syncAll,
} from '../../src/workflows/index.js';
import { AsProvider, BP_SKU, BUSINESS_PREMIUM, CONTOSO, type World, createWorld, server } from './fixtures.js';

let world: World;
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  world = createWorld();
});

const ids = PAX8_SEED_IDS.subscriptions;

describe('snapshots and diffSnapshots', () => {
  it('finds seat changes, new and removed subscriptions and status changes week over week', async () => {
    const before = await createSnapshot(syncAll(world.marketplaces), { takenAt: '2026-03-01T00:00:00Z' });
    expect(before.entries).toHaveLength(world.pax8Fake.subscriptions.length);
    expect(before.completeProviders).toEqual(['pax8']);

    world.pax8Fake.getSubscription(ids.contosoBusinessPremiumMonthly)!.quantity = 23;
    world.pax8Fake.getSubscription(ids.contosoE3)!.quantity = 7;
    world.pax8Fake.getSubscription(ids.contosoExchangeOnlinePlan1)!.status = 'Cancelled';
    const added = world.pax8Fake.addSubscription({
      companyId: PAX8_SEED_IDS.contoso,
      productId: PAX8_SEED_IDS.products.teamsEssentials,
      quantity: 4,
    });
    world.pax8Fake.state.subscriptions.delete(ids.contosoBusinessPremiumAnnual);

    const after = await createSnapshot(syncAll(world.marketplaces), { takenAt: '2026-03-08T00:00:00Z' });
    const diff = diffSnapshots(before, after);
    expect(diff.added.map((e) => e.subscriptionId)).toEqual([added.id]);
    expect(diff.removed.map((e) => e.subscriptionId)).toEqual([ids.contosoBusinessPremiumAnnual]);
    expect(diff.seatChanges.map((c) => [c.entry.subscriptionId, c.before, c.after, c.delta]).sort()).toEqual(
      [
        [ids.contosoBusinessPremiumMonthly, 20, 23, 3],
        [ids.contosoE3, 10, 7, -3],
      ].sort(),
    );
    expect(diff.statusChanges).toEqual([
      expect.objectContaining({
        before: 'active',
        after: 'cancelled',
        entry: expect.objectContaining({ subscriptionId: ids.contosoExchangeOnlinePlan1 }),
      }),
    ]);
    expect(diff.summary).toEqual({ added: 1, removed: 1, seatsAdded: 3, seatsRemoved: 3, statusChanges: 1 });
    expect(diff.from).toBe('2026-03-01T00:00:00.000Z');
    // Snapshots are plain JSON.
    expect(diffSnapshots(JSON.parse(JSON.stringify(before)) as Snapshot, after).summary).toEqual(diff.summary);
  });

  it('does not report the subscriptions of a provider that failed as removed', async () => {
    const m = new Marketplaces([world.pax8, new AsProvider(world.pax8, 'dandh')]);
    const before = await createSnapshot(syncAll(m, { providers: ['pax8'] }));
    world.pax8Fake.faults.add({ kind: 'http-503', path: '/companies' });
    const after = await createSnapshot(syncAll(m));
    expect(after.failedProviders).toEqual(['dandh', 'pax8']);
    const diff = diffSnapshots(before, after);
    expect(diff.removed).toEqual([]);
    expect(diff.incompleteProviders).toEqual(['pax8']);
  });

  it('builds a snapshot from plain subscriptions', async () => {
    const { subscriptions } = await listLicenseSubscriptions(world.marketplaces, CONTOSO, BUSINESS_PREMIUM);
    const snap = await createSnapshot(subscriptions, { takenAt: new Date('2026-01-01') });
    expect(snap.entries.map((e) => e.quantity).sort()).toEqual([20, 80]);
    expect(diffSnapshots(snap, snap).summary).toEqual({
      added: 0,
      removed: 0,
      seatsAdded: 0,
      seatsRemoved: 0,
      statusChanges: 0,
    });
  });
});

describe('reconcileWithGraph', () => {
  it('compares purchased and consumed seats per license: unused seats and users without seats', async () => {
    const { subscriptions } = await listLicenseSubscriptions(world.marketplaces, CONTOSO, {
      match: ['Microsoft 365 Business Premium', 'Exchange Online (Plan 1)'],
    });
    const r = await reconcileWithGraph({
      subscriptions,
      graph: world.graph,
      licenses: [
        { license: BUSINESS_PREMIUM, skuId: BP_SKU },
        { license: 'Exchange Online (Plan 1)', skuPartNumber: 'EXCHANGESTANDARD' },
        { license: 'Microsoft 365 E5', skuId: '06ebc4ee-1bb5-47dd-8120-11324bc54e06' },
      ],
      includeUnlicensedUsers: true,
    });
    expect(r.tenantId).toBe(GRAPH_SEED_IDS.contosoTenant);
    const [bp, exo, e5] = r.licenses;
    expect(bp).toMatchObject({
      purchased: 100,
      enabled: 100,
      consumed: 98,
      unusedSeats: 2,
      usersWithoutSeats: 0,
      pendingOrElsewhere: 0,
    });
    expect(bp?.notes.join(' ')).toMatch(/2 purchased seat\(s\) are not assigned/);
    // Pax8 has 15 Exchange seats, Graph enables 10 with 7 used.
    expect(exo).toMatchObject({
      skuPartNumber: 'EXCHANGESTANDARD',
      purchased: 15,
      enabled: 10,
      consumed: 7,
      unusedSeats: 8,
    });
    expect(exo?.notes.join(' ')).toMatch(/5 seat\(s\) bought but not enabled/);
    expect(e5).toMatchObject({ enabled: null, purchased: 0, consumed: 0 });
    expect(r.unlicensedUsers?.length).toBe(6);
  });

  it('reports users holding seats that were not bought at the marketplaces', async () => {
    const sku = world.graphFake.sku(BP_SKU);
    sku.prepaidUnits.enabled = 110;
    sku.consumedUnits = 105;
    const skus = await world.graph.listSubscribedSkus();
    const { subscriptions } = await listLicenseSubscriptions(world.marketplaces, CONTOSO, BUSINESS_PREMIUM);
    const r = await reconcileWithGraph({
      subscriptions,
      graph: { tenantId: 't', skus },
      licenses: [{ license: BUSINESS_PREMIUM, skuId: BP_SKU }],
    });
    expect(r.licenses[0]).toMatchObject({
      purchased: 100,
      consumed: 105,
      usersWithoutSeats: 5,
      unusedSeats: 0,
      pendingOrElsewhere: -10,
    });
  });
});
