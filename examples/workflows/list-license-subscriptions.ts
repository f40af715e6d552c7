/**
 * List License Subscriptions: every subscription of one license for a company, across its marketplaces, with
 * billing term, commitment, seats, renewal date and what can change now.
 * Run: npx tsx examples/workflows/list-license-subscriptions.ts
 */
import { listLicenseSubscriptions, summarizeSubscription } from '../../src/workflows/index.js';
import { CONTOSO, startFakes } from './fakes.js';

const fakes = startFakes();
const result = await listLicenseSubscriptions(fakes.marketplaces, CONTOSO, 'microsoft 365 business-premium');
console.log(`Searched: ${result.searched.map((s) => `${s.provider}:${s.customerId}`).join(', ')}`);
console.table(
  result.subscriptions.map(summarizeSubscription).map((s) => ({
    provider: s.provider,
    id: `${s.subscriptionId.slice(0, 8)}…`,
    billing: s.billingTerm,
    commitment: s.commitmentTerm ?? 'none',
    seats: s.seats,
    renews: s.renewalDate?.slice(0, 10) ?? '-',
    'can decrease': s.canDecrease ?? 'unknown',
  })),
);
fakes.stop();
