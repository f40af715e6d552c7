/**
 * Sherweb on its fake (no credentials, no network): list Contoso's Microsoft 365 subscriptions, add a seat to
 * the monthly one and wait for Sherweb's asynchronous amendment, then show a refused decrease and a dry-run order.
 * Run: npx tsx examples/sherweb.ts
 */
import { setupServer } from 'msw/node';
import { MarketplaceError, createSherwebClient } from '../src/providers/sherweb/index.js';
import { SHERWEB_SEED_IDS, createSherwebFake, sherwebSku } from '../src/testing/sherweb/index.js';

// The fake completes tracked requests 1.5 s after they are accepted (Sherweb takes longer in real life).
const fake = createSherwebFake({ processingMs: 1_500 });
const server = setupServer(...fake.handlers);
server.listen({ onUnhandledRequest: 'error' });

try {
  const sherweb = createSherwebClient({
    credentials: { ...fake.credentials },
    baseUrl: fake.baseUrl,
    tokenUrl: fake.tokenUrl,
    actor: 'example',
    pollIntervalMs: 500,
  });
  sherweb.on('audit', (e) => {
    if (e.subscriptionId) {
      console.log(`  audit: ${e.operation} ${e.outcome} (${String(e.before)} -> ${String(e.after ?? e.requested)})`);
    } else console.log(`  audit: ${e.operation} ${e.outcome}`);
  });

  const customerId = SHERWEB_SEED_IDS.contoso;
  const company = await sherweb.getCustomer(customerId);
  console.log(`\n${company.name} on Sherweb: Microsoft 365 subscriptions\n`);
  const subs = [];
  for await (const s of sherweb.listSubscriptions({ customerId })) {
    if (/microsoft 365|exchange/i.test(s.name)) subs.push(s);
  }
  console.table(
    subs.map((s) => ({
      name: s.name,
      sku: s.sku,
      term: s.billingTerm,
      seats: s.quantity,
      renews: s.renewalDate?.slice(0, 10) ?? '-',
      'can decrease now': s.constraints.canDecrease ?? 'unknown',
    })),
  );

  const monthly = subs.find((s) => /business premium/i.test(s.name) && s.billingTerm === 'monthly');
  if (!monthly) throw new Error('seed has no monthly Business Premium subscription');
  console.log(`\nAdding one seat to the monthly Business Premium subscription (${monthly.quantity} seats):`);
  const change = await sherweb.addSeats({ customerId, subscriptionId: monthly.id }, 1, {
    ifCurrent: monthly.quantity,
  });
  console.log(`  Sherweb accepted it (${change.outcome}, tracking id ${change.operation?.id}); waiting...`);
  const state = await change.operation?.waitForCompletion({
    timeoutMs: 30_000,
    onProgress: (s) => console.log(`  status: ${s.rawStatus}`),
  });
  const after = await sherweb.getSubscription({ customerId, subscriptionId: monthly.id });
  console.log(`  ${state?.status}: the subscription now has ${after.quantity} seats`);

  console.log('\nRemoving 10 seats from the annual subscription (outside its grace window):');
  try {
    await sherweb.removeSeats({ customerId, subscriptionId: SHERWEB_SEED_IDS.contosoM365BusinessPremiumAnnual }, 10);
  } catch (error) {
    if (!(error instanceof MarketplaceError)) throw error;
    console.log(`  ${error.kind}: ${error.message}\n  hint: ${error.hint}`);
  }

  console.log('\nDry-run order of 3 Business Standard seats (monthly commitment), validated by Sherweb:');
  const order = await sherweb.purchase({
    customerId,
    productId: sherwebSku('M365BS', 'Monthly'),
    quantity: 3,
    billingTerm: 'monthly',
    dryRun: true,
  });
  console.log(`  ${order.outcome}: ${order.lines.map((l) => `${l.quantity} x ${l.productId}`).join(', ')}`);
} finally {
  server.close();
}
