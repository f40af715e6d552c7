/**
 * TD SYNNEX StreamOne Ion on its fake (no credentials, no network): the refresh token rotates on every refresh
 * and is kept in a file store; list Contoso's subscriptions, add a seat through an UPDATE order and wait for it,
 * then a dry-run purchase and the documented "cancel is unsupported" answer.
 * Run: npx tsx examples/td-synnex.ts
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { FileTokenStore, MarketplaceError, createTdSynnexClient } from '../src/providers/td-synnex/index.js';
import { TD_SYNNEX_CATALOG, TD_SYNNEX_SEED_IDS, createTdSynnexFake } from '../src/testing/td-synnex/index.js';

// Orders complete 2 s after they are placed (Ion takes longer in real life).
const fake = createTdSynnexFake({ orderStartMs: 500, orderCompletionMs: 2_000 });
const server = setupServer(...fake.handlers);
server.listen({ onUnhandledRequest: 'error' });
const dir = await mkdtemp(join(tmpdir(), 'ion-example-'));

try {
  const ion = createTdSynnexClient({
    credentials: { refreshToken: fake.credentials.refreshToken },
    accountId: fake.credentials.accountId,
    baseUrl: fake.baseUrl,
    tokenStore: new FileTokenStore(join(dir, 'ion-tokens.json')),
    pollIntervalMs: 500,
    actor: 'example',
  });
  ion.on('token', (e) => console.log(`  token: ${e.action}`));
  ion.on('audit', (e) =>
    console.log(
      e.subscriptionId
        ? `  audit: ${e.operation} ${e.outcome} (${String(e.before)} -> ${String(e.requested)})`
        : `  audit: ${e.operation} ${e.outcome}`,
    ),
  );

  const customerId = TD_SYNNEX_SEED_IDS.contoso;
  const company = await ion.getCustomer(customerId);
  console.log(`\n${company.name} on TD SYNNEX (customer ${company.id})\n`);
  const subs = await ion.listSubscriptions({ customerId }).toArray({ limit: 50 });
  console.table(
    subs.map((s) => ({ id: s.id, name: s.name, seats: s.quantity, status: s.status, term: s.commitment?.term })),
  );
  const stored = JSON.parse(await readFile(join(dir, 'ion-tokens.json'), 'utf8'));
  console.log(`rotated refresh token saved (${Object.keys(stored).length} key) before the first API call\n`);

  const ref = { customerId, subscriptionId: TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthly };
  const change = await ion.addSeats(ref, 1);
  console.log(`order ${change.operation?.id} placed: ${change.before} -> ${change.requested}, waiting...`);
  const done = await change.operation!.waitForCompletion({
    timeoutMs: 30_000,
    onProgress: (s) => console.log(`  order status: ${s.rawStatus}`),
  });
  console.log(`order ${done.status}; seats now ${(await ion.getSubscription(ref)).quantity}\n`);

  const dry = await ion.purchase({
    customerId,
    productId: `${TD_SYNNEX_CATALOG.microsoft365}/${TD_SYNNEX_CATALOG.businessPremium}`,
    quantity: 3,
    billingTerm: 'monthly',
    commitmentTerm: 'P1Y',
    attributes: [{ name: 'domainName', value: 'contoso' }],
    dryRun: true,
  });
  console.log(`dry-run purchase would order plan ${dry.lines[0]?.productId}\n`);

  try {
    await ion.cancelSubscription(ref);
  } catch (error) {
    if (!(error instanceof MarketplaceError)) throw error;
    console.log(`cancelSubscription: ${error.kind}: ${error.message}\n  hint: ${error.hint}`);
  }
} finally {
  server.close();
  await rm(dir, { recursive: true, force: true });
}
