/**
 * D&H Cloud Marketplace on its fake (no credentials, no network): list Contoso's subscriptions (the seat count
 * lives in a per-service field), add a seat to the monthly Business Premium and wait for provisioning, show the
 * legacy service whose quantity field has another name, a refused decrease, a session that expires mid-run,
 * and a dry-run purchase.
 * Run: npx tsx examples/dandh.ts
 */
import { setupServer } from 'msw/node';
import { MarketplaceError, createDandhClient } from '../src/providers/dandh/index.js';
import { DANDH_SEED_IDS, DANDH_SERVICES, createDandhFake } from '../src/testing/dandh/index.js';

// The fake finishes provisioning 1.5 s after a change is accepted (D&H/Microsoft take longer in real life).
const fake = createDandhFake({ provisioningMs: 1_500 });
const server = setupServer(...fake.handlers);
server.listen({ onUnhandledRequest: 'error' });

try {
  const dandh = createDandhClient({
    credentials: { username: fake.credentials.username, password: fake.credentials.password },
    accountId: fake.credentials.accountId,
    baseUrl: fake.baseUrl,
    actor: 'example',
    pollIntervalMs: 500,
  });
  dandh.on('audit', (e) => console.log(`  audit: ${e.operation} ${e.outcome}`));
  dandh.on('retry', (e) => console.log(`  retry: ${e.reason}`));

  const customers = await dandh.listCustomers().toArray({ limit: Number.POSITIVE_INFINITY });
  console.log(`\n${customers.length} companies visible (sub-reseller companies included)`);

  const customerId = String(DANDH_SEED_IDS.contoso);
  const company = await dandh.getCustomer(customerId);
  console.log(`\n${company.name} on D&H: subscriptions\n`);
  const subs = await dandh.listSubscriptions({ customerId }).toArray({ limit: 100 });
  console.table(
    subs.map((s) => ({
      id: s.id,
      name: s.name,
      commitment: s.commitment?.term ?? '-',
      billed: s.billingTerm,
      seats: s.quantity,
      'can decrease now': s.constraints.canDecrease ?? 'unknown',
    })),
  );

  const monthly = { customerId, subscriptionId: String(DANDH_SEED_IDS.contosoBusinessPremiumMonthly) };
  console.log('\nAdding one seat to the monthly Business Premium (field "Quantity"):');
  const change = await dandh.addSeats(monthly, 1);
  console.log(`  ${change.outcome}: ${change.before} -> ${change.requested}; waiting for provisioning...`);
  const state = await change.operation?.waitForCompletion({
    timeoutMs: 30_000,
    onProgress: (s) => console.log(`  provisioning: ${s.rawStatus}`),
  });
  console.log(`  ${state?.status ?? change.outcome}`);

  const exchange = { customerId, subscriptionId: String(DANDH_SEED_IDS.contosoExchange) };
  const legacy = await dandh.setSeats(exchange, 12);
  console.log(`\nExchange Online (legacy, field "NumberofCSPlicenses"): ${legacy.before} -> ${legacy.requested}`);

  console.log('\nThe session expires; the next call logs in again once:');
  fake.expireAllTokens();
  const again = await dandh.getSubscription(monthly);
  console.log(`  still works: ${again.quantity} seats (logins so far: ${fake.issuedTokens})`);

  console.log('\nRemoving a seat from the annual subscription (outside the 7-day window):');
  try {
    await dandh.removeSeats({ customerId, subscriptionId: String(DANDH_SEED_IDS.contosoBusinessPremiumAnnual) }, 1);
  } catch (error) {
    if (!(error instanceof MarketplaceError)) throw error;
    console.log(`  refused (${error.kind}): ${error.message}\n  hint: ${error.hint}`);
  }

  const dry = await dandh.purchase({
    customerId,
    productId: DANDH_SERVICES.businessBasicMonthly,
    quantity: 5,
    billingTerm: 'monthly',
    dryRun: true,
  });
  console.log(`\nDry-run purchase of 5 x Business Basic: ${dry.outcome} (validated by D&H's ValidateFields)`);
} finally {
  server.close();
}
