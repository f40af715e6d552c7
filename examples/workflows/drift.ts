/**
 * Drift: snapshot every subscription, compare with last week's snapshot (seat changes, new/removed
 * subscriptions, status changes), and reconcile a company's purchases with Microsoft 365 (unused seats to
 * release, users without seats).
 * Run: npx tsx examples/workflows/drift.ts
 */
import { PAX8_SEED_IDS } from '../../src/testing/index.js';
import {
  createSnapshot,
  diffSnapshots,
  listLicenseSubscriptions,
  reconcileWithGraph,
  syncAll,
} from '../../src/workflows/index.js';
import { BUSINESS_PREMIUM, CONTOSO, startFakes } from './fakes.js';

const fakes = startFakes();
const lastWeek = await createSnapshot(syncAll(fakes.marketplaces), { takenAt: '2026-03-01T00:00:00Z' });

// A week of changes made outside the SDK (someone used the vendor portal).
const ids = PAX8_SEED_IDS.subscriptions;
fakes.mock.pax8.getSubscription(ids.contosoBusinessPremiumMonthly)!.quantity = 24;
fakes.mock.pax8.getSubscription(ids.contosoExchangeOnlinePlan1)!.status = 'Cancelled';

const today = await createSnapshot(syncAll(fakes.marketplaces), { takenAt: '2026-03-08T00:00:00Z' });
const diff = diffSnapshots(lastWeek, today);
console.log('Week over week:', diff.summary);
for (const c of diff.seatChanges)
  console.log(`  seats ${c.entry.name} (${c.entry.customerId.slice(0, 8)}…): ${c.before} -> ${c.after}`);
for (const c of diff.statusChanges) console.log(`  status ${c.entry.name}: ${c.before} -> ${c.after}`);

const { subscriptions } = await listLicenseSubscriptions(fakes.marketplaces, CONTOSO, BUSINESS_PREMIUM);
const rec = await reconcileWithGraph({
  subscriptions,
  graph: fakes.graph,
  licenses: [{ license: BUSINESS_PREMIUM, skuId: BUSINESS_PREMIUM.skuId }],
  includeUnlicensedUsers: true,
});
for (const l of rec.licenses) {
  console.log(`\n${l.label}: purchased ${l.purchased}, enabled ${l.enabled}, assigned ${l.consumed}`);
  for (const note of l.notes) console.log(`  - ${note}`);
}
console.log(`Enabled users without any license: ${rec.unlicensedUsers?.length ?? 0}`);
fakes.stop();
