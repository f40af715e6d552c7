/**
 * Drives every operation of a MarketplaceClient once (reads, dry runs, writes), labelling the requests each one
 * sends. Outcomes (including refusals by the fake's business rules) are kept: the contract is about what is sent.
 */
import type { MarketplaceClient } from '../../src/core/marketplace-client.js';
import type { RecordedRequest } from './harness.js';

/** What to drive with. */
export interface DriveInput {
  customerId: string;
  /** A subscription whose seats can change (monthly, inside its window). */
  subscriptionId: string;
  /** A subscription to cancel (real cancel last). */
  cancelSubscriptionId?: string;
  purchase: Parameters<MarketplaceClient['purchase']>[0];
  /** listProducts needs the customer (Sherweb's catalog is per customer). */
  productsNeedCustomer?: boolean;
  /** Finishes the fake's asynchronous work after a write, so the next write is not refused as busy. */
  settle?: () => void;
  /** Extra vendor-only operations (e.g. TD SYNNEX order cancel), run after the common ones. */
  extra?: (client: MarketplaceClient, label: (name: string) => void) => Promise<void>;
}

/** One driven SDK operation: how many requests it sent and how it ended. */
export interface Driven {
  name: string;
  requests: number;
  outcome: string;
}

/** The label the recording fetch attaches to requests. */
export interface Labeller {
  current: string;
}

export async function driveAll(
  client: MarketplaceClient,
  input: DriveInput,
  label: Labeller,
  log: RecordedRequest[],
): Promise<Driven[]> {
  const driven: Driven[] = [];
  const run = async (name: string, fn: () => Promise<unknown>, write = false) => {
    label.current = name;
    const before = log.length;
    let outcome = 'ok';
    try {
      await fn();
    } catch (e) {
      outcome = `error ${(e as { kind?: string }).kind ?? (e as Error).name}: ${(e as Error).message.slice(0, 160)}`;
    }
    if (write) input.settle?.();
    driven.push({ name, requests: log.length - before, outcome });
  };
  const ref = { customerId: input.customerId, subscriptionId: input.subscriptionId };
  await run('verifyConnection', () => client.verifyConnection());
  await run('listCustomers', () => client.listCustomers().toArray({ limit: 50 }));
  await run('getCustomer', () => client.getCustomer(input.customerId));
  await run('listProducts', () =>
    (client.listProducts as (o: { customerId?: string }) => ReturnType<MarketplaceClient['listProducts']>)(
      input.productsNeedCustomer ? { customerId: input.customerId } : {},
    ).toArray({ limit: 20 }),
  );
  await run('listSubscriptions', () =>
    client.listSubscriptions({ customerId: input.customerId }).toArray({ limit: 50 }),
  );
  if (client.capabilities.listAllSubscriptions)
    await run('listSubscriptions (all customers)', () => client.listSubscriptions({}).toArray({ limit: 50 }));
  await run('getSubscription', () => client.getSubscription(ref));
  let quantity = 0;
  await run('setSeats (dry run)', async () => {
    const sub = await client.getSubscription(ref);
    quantity = sub.quantity;
    return client.setSeats(ref, quantity + 1, { dryRun: true });
  });
  await run('addSeats', () => client.addSeats(ref, 1), true);
  await run('removeSeats', () => client.removeSeats(ref, 1), true);
  await run('purchase (dry run)', () => client.purchase({ ...input.purchase, dryRun: true }));
  await run('purchase', () => client.purchase(input.purchase), true);
  const cancelRef = {
    customerId: input.customerId,
    subscriptionId: input.cancelSubscriptionId ?? input.subscriptionId,
  };
  await run('cancelSubscription (dry run)', () => client.cancelSubscription(cancelRef, { dryRun: true }));
  await run('cancelSubscription', () => client.cancelSubscription(cancelRef));
  // Billing reads and auto-renew (issue 18, H6), where the provider has them.
  const caps = client.capabilities;
  let invoiceId: string | undefined;
  if (caps.invoices) {
    await run('listInvoices', async () => {
      invoiceId = (await client.listInvoices({ customerId: input.customerId }).toArray({ limit: 1 }))[0]?.id;
    });
    if (invoiceId) await run('listInvoiceLines', () => client.listInvoiceLines({ invoiceId }).toArray({ limit: 50 }));
  }
  if (caps.draftInvoiceLines)
    await run('listInvoiceLines (draft)', () =>
      client.listInvoiceLines({ draft: true, customerId: input.customerId }).toArray({ limit: 50 }),
    );
  if (caps.usage)
    await run('listUsage', () => client.listUsage({ subscriptionId: input.subscriptionId }).toArray({ limit: 50 }));
  if (caps.productPricing)
    await run('getProductPricing', () =>
      client.getProductPricing(input.purchase.productId, { customerId: input.customerId }),
    );
  if (caps.listOrders)
    await run('listOrders', () => client.listOrders({ customerId: input.customerId }).toArray({ limit: 50 }));
  if (caps.setAutoRenew) {
    await run('setAutoRenew (dry run)', () => client.setAutoRenew(ref, false, { dryRun: true }));
    await run('setAutoRenew', () => client.setAutoRenew(ref, false), true);
  }
  if (input.extra)
    await input.extra(client, (name) => {
      label.current = name;
    });
  if (input.extra)
    driven.push({
      name: 'vendor-only operations',
      requests: log.filter((r) => !driven.some((d) => d.name === r.sdkOperation)).length,
      outcome: 'see log',
    });
  return driven;
}
