/**
 * Ingram Micro Cloud Marketplace on the built-in fake (no credentials, no network): resolve the endpoint
 * from a control-panel URL, list Contoso's subscriptions with their seats, add a seat (an asynchronous
 * change order) and wait for it, see the conflict while it provisions, and dry-run a purchase.
 * Run: npx tsx examples/ingram.ts
 */
import { setupServer } from 'msw/node';
import { MarketplaceError, createIngramClient, resolveIngramEndpoint } from '../src/providers/ingram/index.js';
import { INGRAM_SEED_IDS, createIngramFake } from '../src/testing/ingram/index.js';

// The fake answers at https://api.cloud.im/marketplace/na, marketplace "us".
const fake = createIngramFake({ region: 'na', provisioningMs: 1_500 });
const server = setupServer(...fake.handlers);
server.listen({ onUnhandledRequest: 'error' });

try {
  // What the user has: the control-panel URL they log in with.
  const endpoint = resolveIngramEndpoint({ controlPanelUrl: 'https://cp.us.na.cloud.im' });
  console.log(`Endpoint: ${endpoint.baseUrl} (region ${endpoint.region}, marketplace ${endpoint.marketplace})`);

  const ingram = createIngramClient({
    credentials: {
      username: fake.credentials.username, // the dedicated ".API" user, not the XVantage login
      password: fake.credentials.password,
      subscriptionKey: fake.credentials.subscriptionKey,
    },
    controlPanelUrl: 'cp.us.na.cloud.im',
    actor: 'example',
  });
  ingram.on('audit', (e) => console.log(`  audit: ${e.operation} ${e.outcome}`));

  const customerId = INGRAM_SEED_IDS.contoso;
  const company = await ingram.getCustomer(customerId);
  console.log(`\n${company.name} on Ingram Micro — subscriptions (each row needs one detail call for its seats)\n`);
  const subs = await ingram.listSubscriptions({ customerId, status: 'active' }).toArray({ limit: 100 });
  console.table(
    subs.map((s) => ({
      name: s.name,
      id: s.id,
      billing: s.billingTerm,
      seats: s.quantity,
      renews: s.renewalDate?.slice(0, 10) ?? '-',
      'can decrease now': s.constraints.canDecrease ?? 'unknown',
    })),
  );

  const monthly = subs.find((s) => /business premium/i.test(s.name) && s.billingTerm === 'monthly');
  if (!monthly) throw new Error('seed has no monthly Business Premium subscription');
  const ref = { customerId, subscriptionId: monthly.id };

  console.log(`\nAdding one seat to ${monthly.name} (monthly, ${monthly.quantity} seats): a change order`);
  const change = await ingram.addSeats(ref, 1, { ifCurrent: monthly.quantity });
  console.log(`  ${change.outcome}: order ${change.operation?.id}, requested ${change.requested}`);

  console.log('\nAnother change while that order provisions:');
  try {
    await ingram.addSeats(ref, 1);
  } catch (error) {
    if (!(error instanceof MarketplaceError)) throw error;
    console.log(`  ${error.kind}: ${error.message}\n  hint: ${error.hint}`);
  }

  const state = await change.operation?.waitForCompletion({
    pollIntervalMs: 500,
    timeoutMs: 30_000,
    onProgress: (s) => console.log(`  order ${s.id}: ${s.rawStatus}`),
  });
  console.log(`  finished: ${state?.status}; seats now ${(await ingram.getSubscription(ref)).quantity}`);

  console.log('\nDry-run purchase of 5 seats of Microsoft 365 Business Basic, monthly (POST /orders/estimate):');
  const basic = (await ingram.listProducts({ search: 'Business Basic' }).toArray({ limit: 10 })).find((p) =>
    p.id.endsWith('_MONTHLY'),
  );
  if (!basic) throw new Error('seed has no monthly Business Basic product');
  const dry = await ingram.purchase({
    customerId,
    productId: basic.id,
    quantity: 5,
    billingTerm: 'monthly',
    dryRun: true,
  });
  console.log(`  ${dry.outcome}: ${dry.lines.map((l) => `${l.quantity} x ${l.productId}`).join(', ')}`);

  console.log('\nA seat decrease on the annual subscription, outside its 7-day window:');
  try {
    await ingram.removeSeats({ customerId, subscriptionId: INGRAM_SEED_IDS.contosoM365BusinessPremiumAnnual }, 5);
  } catch (error) {
    if (!(error instanceof MarketplaceError)) throw error;
    console.log(`  ${error.kind} (${error.requestId}): ${error.message}\n  hint: ${error.hint}`);
  }
} finally {
  server.close();
}
