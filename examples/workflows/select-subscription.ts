/**
 * Subscription targeting: which subscription gets a new seat, which one gives a seat back, and custom policies
 * with fallbacks. Every choice comes with a reason; when nothing qualifies the error says why.
 * Run: npx tsx examples/workflows/select-subscription.ts
 */
import {
  DEFAULT_ADD_POLICY,
  DEFAULT_REMOVE_POLICY,
  NoEligibleSubscriptionError,
  type SelectionPolicy,
  listLicenseSubscriptions,
  monthlyCommitment,
  mostSeats,
  preferBillingTerm,
  selectSubscription,
  soonestRenewal,
} from '../../src/workflows/index.js';
import { CONTOSO, startFakes } from './fakes.js';

const fakes = startFakes();
const { subscriptions } = await listLicenseSubscriptions(fakes.marketplaces, CONTOSO, 'Microsoft 365 Business Premium');

console.log('Adding a seat  :', selectSubscription(subscriptions, DEFAULT_ADD_POLICY).reason);
// The MSP rule "always add seats to the monthly subscription": a P1M commitment is required, not preferred.
console.log('Monthly rule   :', selectSubscription(subscriptions, monthlyCommitment()).reason);
console.log('Removing a seat:', selectSubscription(subscriptions, DEFAULT_REMOVE_POLICY).reason);

const annualThenRenewal: SelectionPolicy = {
  name: 'annual-only',
  require: { commitmentTerm: 'P1Y' },
  prefer: [soonestRenewal()],
  fallbacks: [{ name: 'biggest', prefer: [preferBillingTerm('monthly'), mostSeats()] }],
};
console.log('Custom policy  :', selectSubscription(subscriptions, annualThenRenewal).reason);

try {
  selectSubscription(subscriptions, { name: 'impossible', require: { minSeats: 1000 } });
} catch (error) {
  if (!(error instanceof NoEligibleSubscriptionError)) throw error;
  console.log(`No choice      : [${error.kind}] ${error.message}\n                 hint: ${error.hint}`);
}
fakes.stop();
