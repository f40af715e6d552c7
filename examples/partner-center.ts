/**
 * Microsoft Partner Center on its fake (no credentials, no network): list Contoso's subscriptions with their
 * new-commerce windows, add a seat to the monthly Business Premium subscription (answered 202 and awaited), show
 * a refused decrease, and a dry-run purchase through a cart.
 * Run: npx tsx examples/partner-center.ts
 */
import { setupServer } from 'msw/node';
import { MarketplaceError, createPartnerCenterClient } from '../src/providers/partner-center/index.js';
import { PARTNER_CENTER_SEED_IDS, createPartnerCenterFake } from '../src/testing/partner-center/index.js';

// Seat changes answer 202 + Location and finish 1.5 s later (Partner Center answers 200 unless a change is slow).
const fake = createPartnerCenterFake({ asyncSubscriptionUpdates: { delayMs: 1_500 } });
const server = setupServer(...fake.handlers);
server.listen({ onUnhandledRequest: 'error' });

try {
  const pc = createPartnerCenterClient({
    credentials: { ...fake.credentials },
    baseUrl: fake.baseUrl,
    tokenUrl: fake.tokenUrl,
    actor: 'example',
    pollIntervalMs: 500,
  });
  pc.on('audit', (e) => {
    if (e.subscriptionId) {
      console.log(`  audit: ${e.operation} ${e.outcome} (${String(e.before)} -> ${String(e.after ?? e.requested)})`);
    } else console.log(`  audit: ${e.operation} ${e.outcome}`);
  });

  const customerId = PARTNER_CENTER_SEED_IDS.contoso;
  const company = await pc.getCustomer(customerId);
  console.log(
    `\n${company.name} (tenant ${company.tenantId}) in Partner Center (MS-CorrelationId ${pc.correlationId})\n`,
  );
  const subs = await pc.listSubscriptions({ customerId }).toArray({ limit: 100 });
  console.table(
    subs.map((s) => ({
      name: s.name,
      status: s.status,
      term: s.commitment?.term ?? '-',
      billed: s.billingTerm,
      seats: s.quantity,
      'removable now': s.constraints.refundableQuantity ?? 'n/a',
      'cancellable now': s.constraints.canCancel ?? 'unknown',
    })),
  );

  const monthlyRef = {
    customerId,
    subscriptionId: PARTNER_CENTER_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly,
  };
  const monthly = await pc.getSubscription(monthlyRef);
  console.log(`\nAdding one seat to the monthly Business Premium subscription (${monthly.quantity} seats):`);
  const change = await pc.addSeats(monthlyRef, 1, { ifCurrent: monthly.quantity });
  console.log(`  Partner Center answered ${change.outcome} (MS-RequestId ${change.requestId}); waiting...`);
  const state = await change.operation?.waitForCompletion({
    timeoutMs: 30_000,
    onProgress: (s) => console.log(`  provisioning: ${s.rawStatus}`),
  });
  const after = await pc.getSubscription(monthlyRef);
  console.log(`  ${state?.status ?? change.outcome}: the subscription now has ${after.quantity} seats`);

  console.log('\nRemoving 2 seats from it (the new seat is refundable, the older ones are past their 7 days):');
  try {
    await pc.removeSeats(monthlyRef, 2);
  } catch (error) {
    if (!(error instanceof MarketplaceError)) throw error;
    console.log(`  refused (${error.kind}): ${error.message}\n  hint: ${error.hint}`);
  }

  console.log('\nDry-run purchase of 5 Microsoft 365 Business Basic seats, P1Y billed monthly (cart only):');
  const dry = await pc.purchase({
    customerId,
    productId: PARTNER_CENTER_SEED_IDS.products.businessBasic,
    quantity: 5,
    billingTerm: 'monthly',
    commitmentTerm: 'P1Y',
    dryRun: true,
  });
  console.log(`  ${dry.outcome}: catalog item ${dry.lines[0]?.productId}, nothing was checked out`);
} finally {
  server.close();
}
