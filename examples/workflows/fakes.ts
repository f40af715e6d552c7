/**
 * Shared setup of the workflow examples: the Pax8 and Microsoft Graph fakes on one msw server (no credentials,
 * no network), a Pax8 client, a Graph client for Contoso's tenant and a `Marketplaces` registry.
 * Real code builds the same objects with real credentials instead.
 */
import { setupServer } from 'msw/node';
import { createGraphClient } from '../../src/graph/index.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';
import { GRAPH_SEED_IDS, createGraphFake } from '../../src/testing/graph/index.js';
import { PAX8_SEED_IDS, createMockMarketplace } from '../../src/testing/index.js';
import { type Company, Marketplaces, parseMarketplaceIds } from '../../src/workflows/index.js';

/** Starts the fakes; call `stop()` at the end. */
export function startFakes(options: { propagationMs?: number } = {}) {
  const mock = createMockMarketplace();
  const graphFake = createGraphFake();
  const server = setupServer(...mock.handlers, ...graphFake.handlers);
  server.listen({ onUnhandledRequest: 'error' });

  const pax8 = createPax8Client({ ...mock.clientOptions('pax8'), actor: 'example' });
  const graph = createGraphClient({ credentials: graphFake.credentials, actor: 'example' });
  const marketplaces = new Marketplaces([pax8]);

  // What Microsoft does after a marketplace seat change: the tenant's enabled seats follow, a little later.
  pax8.on('audit', (e) => {
    if (e.outcome !== 'applied' || !/Seats$/.test(e.operation)) return;
    const seats = mock.pax8
      .subscriptionsOf(PAX8_SEED_IDS.contoso)
      .filter((s) => s.productId === PAX8_SEED_IDS.products.businessPremium && s.status === 'Active')
      .reduce((n, s) => n + s.quantity, 0);
    graphFake.scheduleEnabledUnits(GRAPH_SEED_IDS.skus.businessPremium, seats, options.propagationMs ?? 1500);
  });

  return { mock, graphFake, pax8, graph, marketplaces, stop: () => server.close() };
}

/** Contoso as the MSP's CRM knows it: mapped to Pax8 and to its Microsoft tenant. */
export const CONTOSO: Company = {
  name: 'Contoso Ltd',
  marketplaceIds: parseMarketplaceIds(
    `PAX8:${PAX8_SEED_IDS.contoso};MICROSOFT_PARTNER_CENTER:${GRAPH_SEED_IDS.contosoTenant}`,
  ),
};

/** Microsoft 365 Business Premium: the marketplace name and the Graph SKU it is assigned with. */
export const BUSINESS_PREMIUM = {
  match: 'Microsoft 365 Business Premium',
  skuId: GRAPH_SEED_IDS.skus.businessPremium,
} as const;
