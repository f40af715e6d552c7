/**
 * Onboarding: give a new user Microsoft 365 Business Premium. Contoso has no free seat, so one seat is added to
 * the monthly Pax8 subscription (conditional on the count just read), the run waits until Microsoft 365 shows
 * the seat, then assigns it. Running it again does nothing.
 * Run: npx tsx examples/workflows/onboard-user.ts
 */
import { GRAPH_SEED_IDS } from '../../src/testing/graph/index.js';
import { onboardUser } from '../../src/workflows/index.js';
import { BUSINESS_PREMIUM, CONTOSO, startFakes } from './fakes.js';

const fakes = startFakes({ propagationMs: 1500 });
// Use up the two free seats of the seed, so the run has to buy one.
const sku = fakes.graphFake.sku(GRAPH_SEED_IDS.skus.businessPremium);
sku.consumedUnits = sku.prepaidUnits.enabled;

const input = {
  marketplaces: fakes.marketplaces,
  graph: fakes.graph,
  company: CONTOSO,
  license: BUSINESS_PREMIUM,
  userId: GRAPH_SEED_IDS.users.unlicensedWithUsageLocation,
  pollIntervalMs: 500,
  waitTimeoutMs: 30_000,
  actor: 'onboarding-example',
  onProgress: (e: { step: string; message: string }) => console.log(`  [${e.step}] ${e.message}`),
};

console.log('Dry run:');
const plan = await onboardUser({ ...input, dryRun: true });
console.log(`  -> ${plan.plan}: ${plan.reason}\n`);

console.log('Onboarding:');
const result = await onboardUser(input);
console.log(`  -> ${result.outcome}: ${result.reason}\n`);

console.log('Again (idempotent):');
const again = await onboardUser(input);
console.log(`  -> ${again.outcome}: ${again.reason}`);
fakes.stop();
