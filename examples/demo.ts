/**
 * The main job, on the built-in fakes (no credentials, no network): list a company's Microsoft 365
 * subscriptions, pick the one to change by the MSP's rule ("always add seats to the monthly subscription") with
 * selectSubscription, add a seat, show the rule refusing an annual-only license, a dry-run purchase and a typed error,
 * and end with the monthly billing review: the company's licenses reconciled with Microsoft 365 (unused seats, their
 * cost, and when each can be released) and the rightsizing plan, dry-run only.
 * Run: npm run demo
 */
import { MarketplaceError, createMarketplaceClient } from '../src/index.js';
import { createGraphClient } from '../src/graph/index.js';
import {
  DEFAULT_ADD_POLICY,
  Marketplaces,
  NoEligibleSubscriptionError,
  buildRightsizingPlan,
  formatMoneyTotals,
  monthlyCommitment,
  parseMarketplaceIds,
  reconcileLicenses,
  selectSubscription,
} from '../src/workflows/index.js';
import {
  GRAPH_SEED_IDS,
  INGRAM_SEED_IDS,
  PAX8_SEED_IDS,
  SHERWEB_SEED_IDS,
  createMockMarketplace,
} from '../src/testing/index.js';

const mock = createMockMarketplace();
mock.start();

const pax8 = createMarketplaceClient({ provider: 'pax8', ...mock.clientOptions('pax8'), actor: 'demo' });
pax8.on('audit', (e) => {
  const seats =
    typeof e.requested === 'number' ? ` seats ${String(e.before)} -> ${String(e.after ?? e.requested)}` : '';
  console.log(`  audit: ${e.operation} ${e.outcome}${seats} by ${e.actor ?? 'unknown'}`);
});

const companyId = PAX8_SEED_IDS.contoso;
const company = await pax8.getCustomer(companyId);
console.log(`\n${company.name} on Pax8 — Microsoft 365 subscriptions\n`);

const subs = [];
for await (const s of pax8.listSubscriptions({ customerId: companyId })) {
  if (/microsoft 365|exchange/i.test(s.name) && s.status === 'active') subs.push(s);
}
console.table(
  subs.map((s) => ({
    name: s.name,
    id: `…${s.id.slice(-8)}`,
    billing: s.billingTerm,
    commitment: s.commitment?.term ?? 'none',
    seats: s.quantity,
    renews: s.renewalDate?.slice(0, 10) ?? '-',
    'can decrease now': s.constraints.canDecrease ?? 'unknown',
  })),
);

// The MSP rule "always add seats to the monthly subscription": a one-month commitment (P1M), not "billed monthly"
// (an annual P1Y subscription is often billed monthly). monthlyCommitment() requires it; nothing else is chosen.
const businessPremium = subs.filter((s) => /business premium/i.test(s.name));
const choice = selectSubscription(businessPremium, monthlyCommitment());
const monthly = choice.subscription;
console.log(`\nThe MSP rule picks: ${choice.reason}`);
console.log(`Adding one seat to it (${monthly.quantity} seats):`);
const change = await pax8.addSeats({ customerId: companyId, subscriptionId: monthly.id }, 1, {
  ifCurrent: monthly.quantity,
});
console.log(`  before ${change.before} -> after ${change.after} (${change.outcome})`);

console.log('\nThe same rule for Exchange Online (Plan 1), which this company has only on an annual commitment:');
const exchange = subs.filter((s) => /exchange online \(plan 1\)/i.test(s.name));
try {
  selectSubscription(exchange, monthlyCommitment());
} catch (error) {
  if (!(error instanceof NoEligibleSubscriptionError)) throw error;
  console.log(`  ${error.kind}: ${error.message}\n  hint: ${error.hint}`);
}
const fallback = selectSubscription(exchange, DEFAULT_ADD_POLICY);
for (const w of fallback.warnings) console.log(`  the default add policy would pick it, with a warning: ${w.message}`);

console.log('\nDry-run purchase of 5 seats of Microsoft 365 Business Basic, monthly:');
const order = await pax8.purchase({
  customerId: companyId,
  productId: PAX8_SEED_IDS.products.businessBasic,
  quantity: 5,
  billingTerm: 'monthly',
  dryRun: true,
});
console.log(`  ${order.outcome}: Pax8 validated ${order.lines.length} line(s); nothing was bought`);

console.log('\nWhat a typed error looks like (removing seats from the annual subscription outside the NCE window):');
const annual = subs.find((s) => /business premium/i.test(s.name) && s.billingTerm === 'annual');
try {
  await pax8.removeSeats({ customerId: companyId, subscriptionId: annual!.id }, 5);
} catch (error) {
  if (!(error instanceof MarketplaceError)) throw error;
  console.log(`  kind: ${error.kind}\n  status: ${error.status}\n  message: ${error.message}\n  hint: ${error.hint}`);
}

console.log('\nThe same company on three marketplaces (one contract, normalized model):');
const elsewhere = [
  {
    client: createMarketplaceClient({ provider: 'pax8', ...mock.clientOptions('pax8') }),
    customerId: PAX8_SEED_IDS.contoso,
  },
  {
    client: createMarketplaceClient({ provider: 'sherweb', ...mock.clientOptions('sherweb') }),
    customerId: SHERWEB_SEED_IDS.contoso,
  },
  {
    client: createMarketplaceClient({ provider: 'ingram', ...mock.clientOptions('ingram'), region: 'eu' }),
    customerId: INGRAM_SEED_IDS.contoso,
  },
];
const rows = [];
for (const { client, customerId } of elsewhere) {
  for await (const s of client.listSubscriptions({ customerId })) {
    if (/business premium/i.test(s.name) && s.status === 'active') {
      rows.push({
        marketplace: s.provider,
        billing: s.billingTerm,
        commitment: s.commitment?.term ?? 'none',
        seats: s.quantity,
      });
    }
  }
}
console.table(rows);

// The monthly billing review: what Contoso bought at Pax8 vs what its Microsoft 365 tenant (the Graph fake) assigns.
console.log('\nReconciliation of Contoso: bought at the marketplace vs assigned in Microsoft 365');
const contoso = {
  name: company.name,
  marketplaceIds: parseMarketplaceIds(`PAX8:${companyId};MICROSOFT_PARTNER_CENTER:${GRAPH_SEED_IDS.contosoTenant}`),
};
const marketplaces = new Marketplaces([pax8]);
const reconciliation = await reconcileLicenses({
  marketplaces,
  company: contoso,
  graph: createGraphClient({ ...mock.graphClientOptions() }),
  // The fake's prices are per unit per billing period (an annual price covers 12 months). With a real vendor, say
  // what yours are, or leave it out: annual costs are then shown as given and their monthly amount is unknown.
  costPeriod: { pax8: 'billing-period' },
});
console.table(
  reconciliation.licenses.map((l) => ({
    license: l.label,
    bought: l.bought,
    assigned: l.assigned ?? 'unknown',
    unused: l.unused ?? 'unknown',
    'release now': l.releasableNow,
    'unused cost / month': formatMoneyTotals(l.unusedMonthlyCost),
  })),
);
for (const l of reconciliation.licenses) {
  for (const r of l.releases) {
    const what = `${l.label}: ${r.seats} unused seat(s) of ${r.provider} …${r.subscriptionId.slice(-8)}`;
    const cost = r.monthlyCost ? `${r.monthlyCost.amount.toFixed(2)} ${r.monthlyCost.currency}/month` : 'cost unknown';
    if (r.when === 'now') console.log(`  ${what} (${cost}): can be released now`);
    else {
      const until = r.costUntilRelease
        ? `, ${r.costUntilRelease.amount.toFixed(2)} ${r.costUntilRelease.currency} until then`
        : '';
      console.log(`  ${what} (${cost}): not before the term ends on ${r.at.slice(0, 10)}${until}`);
    }
  }
  if (l.unused === null) console.log(`  ${l.label}: ${l.notes[0]}`);
}
console.log(
  `  total: ${reconciliation.totals.unused} unused seat(s), ${formatMoneyTotals(reconciliation.totals.unusedMonthlyCost)} per month; ${reconciliation.totals.releasableNow} can go now`,
);

console.log(
  '\nThe rightsizing plan (each change dry-run through setSeats; nothing is sent without executePlan(plan, { confirm: true })):',
);
const plan = await buildRightsizingPlan(reconciliation, { marketplaces, actor: 'demo' });
for (const c of plan.changes) {
  const check = c.check.ok ? `dry run OK, checked by ${c.check.checkedBy}` : `refused: ${c.check.error?.message}`;
  console.log(`  ${c.license} …${c.subscriptionId.slice(-8)}: ${c.from} -> ${c.to} seats (${check})`);
}
for (const x of plan.later)
  console.log(`  later: ${x.license}, ${x.seats} seat(s) at the term end ${x.at.slice(0, 10)}`);

mock.stop();
