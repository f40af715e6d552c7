/**
 * Offboarding: take the license away from a departing user, then release the seat at the marketplace when the
 * policy and the commitment allow; otherwise report why it stays. Running it twice never releases two seats.
 * Run: npx tsx examples/workflows/offboard-user.ts
 */
import { GRAPH_SEED_IDS } from '../../src/testing/graph/index.js';
import { offboardUser, preferBillingTerm } from '../../src/workflows/index.js';
import { BUSINESS_PREMIUM, CONTOSO, startFakes } from './fakes.js';

const fakes = startFakes();
const input = {
  marketplaces: fakes.marketplaces,
  graph: fakes.graph,
  company: CONTOSO,
  license: BUSINESS_PREMIUM,
  userId: GRAPH_SEED_IDS.users.licensed,
  actor: 'offboarding-example',
};

const first = await offboardUser(input);
console.log(`First run : ${first.outcome}; seat released: ${first.seat.released} (${first.seat.reason})`);
const second = await offboardUser(input);
console.log(`Second run: ${second.outcome}; seat released: ${second.seat.released} (${second.seat.reason})`);

// Another user, but this time the policy insists on the annual subscription, which is outside its NCE window.
const other = fakes.graphFake
  .tenant()
  .users.find((u) => u.id !== input.userId && u.assignedLicenses.some((l) => l.skuId === BUSINESS_PREMIUM.skuId));
const annual = await offboardUser({
  ...input,
  userId: other!.id,
  policy: { name: 'annual-first', require: { decreasable: true }, prefer: [preferBillingTerm('annual')] },
});
console.log(`Annual    : ${annual.outcome}; seat released: ${annual.seat.released}\n  ${annual.seat.reason}`);
fakes.stop();
