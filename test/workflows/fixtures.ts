/** Shared setup of the workflow tests: the Pax8 and Graph fakes on one msw server, clients, and a fake clock. */
import { setupServer } from 'msw/node';
import { MemoryTokenCache } from '../../src/core/auth/token-provider.js';
import type { MarketplaceClient } from '../../src/core/marketplace-client.js';
import { type GraphClient, createGraphClient } from '../../src/graph/index.js';
import type { ProviderId } from '../../src/model/common.js';
import { type Pax8Client, createPax8Client } from '../../src/providers/pax8/index.js';
import { type GraphFake, GRAPH_SEED_IDS, createGraphFake } from '../../src/testing/graph/index.js';
import { PAX8_SEED_IDS, type Pax8Fake, createPax8Fake } from '../../src/testing/pax8/index.js';
import { type Company, Marketplaces, parseMarketplaceIds } from '../../src/workflows/index.js';

export const server = setupServer();

/** A clock the fakes and the workflows share; `sleep` advances it instead of waiting. */
export class FakeClock {
  t = Date.parse('2026-03-01T12:00:00.000Z');
  now = (): number => this.t;
  date = (): Date => new Date(this.t);
  sleep = async (ms: number): Promise<void> => {
    this.t += ms;
    await Promise.resolve();
  };
}

export const BP_SKU = GRAPH_SEED_IDS.skus.businessPremium;
export const BUSINESS_PREMIUM = { match: 'Microsoft 365 Business Premium', skuId: BP_SKU } as const;
export const CONTOSO: Company = {
  name: 'Contoso Ltd',
  marketplaceIds: parseMarketplaceIds(
    `PAX8:${PAX8_SEED_IDS.contoso};MICROSOFT_PARTNER_CENTER:${GRAPH_SEED_IDS.contosoTenant}`,
  ),
};

export interface World {
  clock: FakeClock;
  pax8Fake: Pax8Fake;
  graphFake: GraphFake;
  pax8: Pax8Client;
  graph: GraphClient;
  marketplaces: Marketplaces;
}

/** Contoso's Business Premium seats at Pax8 (active subscriptions). */
export function pax8BusinessPremiumSeats(fake: Pax8Fake): number {
  return fake
    .subscriptionsOf(PAX8_SEED_IDS.contoso)
    .filter((s) => s.productId === PAX8_SEED_IDS.products.businessPremium && s.status === 'Active')
    .reduce((n, s) => n + s.quantity, 0);
}

/** Fresh fakes and clients. `propagationMs`: how long a Pax8 seat change takes to show in Graph. */
export function createWorld(options: { propagationMs?: number } = {}): World {
  const clock = new FakeClock();
  const pax8Fake = createPax8Fake({ now: clock.date });
  const graphFake = createGraphFake({ now: clock.date });
  server.resetHandlers(...pax8Fake.handlers, ...graphFake.handlers);
  const pax8 = createPax8Client({
    credentials: pax8Fake.credentials,
    baseUrl: pax8Fake.baseUrl,
    tokenUrl: pax8Fake.tokenUrl,
    rateLimit: false,
    retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 },
    tokenCache: new MemoryTokenCache(),
  });
  const graph = createGraphClient({
    credentials: graphFake.credentials,
    rateLimit: false,
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
    tokenCache: new MemoryTokenCache(),
  });
  // What Microsoft does after a marketplace seat change: Graph's enabled seats follow, some time later.
  pax8.on('audit', (e) => {
    if (e.outcome !== 'applied' || !/Seats$/.test(e.operation)) return;
    graphFake.scheduleEnabledUnits(BP_SKU, pax8BusinessPremiumSeats(pax8Fake), options.propagationMs ?? 60_000);
  });
  return { clock, pax8Fake, graphFake, pax8, graph, marketplaces: new Marketplaces([pax8]) };
}

/** Makes every seat of Business Premium taken (consumed = enabled). */
export function useAllSeats(world: World): void {
  const sku = world.graphFake.sku(BP_SKU);
  sku.consumedUnits = sku.prepaidUnits.enabled;
}

/** Adds a user who can receive a license. */
export function addUser(world: World, id: string, name: string): string {
  world.graphFake.addUser({
    id,
    givenName: name,
    surname: 'Test',
    domain: GRAPH_SEED_IDS.contosoDomain,
    usageLocation: 'US',
  });
  return id;
}

/** A MarketplaceClient that presents another client under a different provider id (to have two providers). */
export class AsProvider implements MarketplaceClient {
  readonly capabilities: MarketplaceClient['capabilities'];
  constructor(
    readonly inner: MarketplaceClient,
    readonly provider: ProviderId,
  ) {
    this.capabilities = inner.capabilities;
  }
  verifyConnection: MarketplaceClient['verifyConnection'] = (o) => this.inner.verifyConnection(o);
  listCustomers: MarketplaceClient['listCustomers'] = (o) => this.inner.listCustomers(o);
  getCustomer: MarketplaceClient['getCustomer'] = (id, o) => this.inner.getCustomer(id, o);
  listProducts: MarketplaceClient['listProducts'] = (o) => this.inner.listProducts(o);
  listSubscriptions: MarketplaceClient['listSubscriptions'] = (o) => this.inner.listSubscriptions(o);
  getSubscription: MarketplaceClient['getSubscription'] = (r, o) => this.inner.getSubscription(r, o);
  setSeats: MarketplaceClient['setSeats'] = (r, q, o) => this.inner.setSeats(r, q, o);
  addSeats: MarketplaceClient['addSeats'] = (r, n, o) => this.inner.addSeats(r, n, o);
  removeSeats: MarketplaceClient['removeSeats'] = (r, n, o) => this.inner.removeSeats(r, n, o);
  cancelSubscription: MarketplaceClient['cancelSubscription'] = (r, o) => this.inner.cancelSubscription(r, o);
  purchase: MarketplaceClient['purchase'] = (i) => this.inner.purchase(i);
  listInvoices: MarketplaceClient['listInvoices'] = (o) => this.inner.listInvoices(o);
  listInvoiceLines: MarketplaceClient['listInvoiceLines'] = (o) => this.inner.listInvoiceLines(o);
  listUsage: MarketplaceClient['listUsage'] = (o) => this.inner.listUsage(o);
  getProductPricing: MarketplaceClient['getProductPricing'] = (id, o) => this.inner.getProductPricing(id, o);
  listOrders: MarketplaceClient['listOrders'] = (o) => this.inner.listOrders(o);
  setAutoRenew: MarketplaceClient['setAutoRenew'] = (r, e, o) => this.inner.setAutoRenew(r, e, o);
  on: MarketplaceClient['on'] = (e, l) => this.inner.on(e, l);
}
