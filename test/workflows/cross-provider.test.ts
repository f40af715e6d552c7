/** Workflows on the real Pax8, Sherweb and Ingram clients (no stand-ins), all against the fakes. */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMarketplaceClient } from '../../src/index.js';
import {
  DANDH_SEED_IDS,
  INGRAM_SEED_IDS,
  PARTNER_CENTER_SEED_IDS,
  PAX8_SEED_IDS,
  SHERWEB_SEED_IDS,
  TD_SYNNEX_SEED_IDS,
  createMockMarketplace,
} from '../../src/testing/index.js';
import { createGraphClient } from '../../src/graph/index.js';
import {
  DEFAULT_ADD_POLICY,
  Marketplaces,
  listLicenseSubscriptions,
  matchesLicense,
  parseMarketplaceIds,
  selectSubscription,
  syncAll,
} from '../../src/workflows/index.js';

const mock = createMockMarketplace();
const server = setupServer(...mock.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

function marketplaces() {
  const fast = { rateLimit: false as const, retry: { baseDelayMs: 1, maxDelayMs: 5 } };
  return new Marketplaces([
    createMarketplaceClient({ provider: 'pax8', ...mock.clientOptions('pax8'), ...fast }),
    createMarketplaceClient({ provider: 'sherweb', ...mock.clientOptions('sherweb'), ...fast }),
    createMarketplaceClient({ provider: 'ingram', ...mock.clientOptions('ingram'), region: 'eu', ...fast }),
    createMarketplaceClient({ provider: 'dandh', ...mock.clientOptions('dandh'), ...fast }),
    createMarketplaceClient({ provider: 'partner-center', ...mock.clientOptions('partner-center'), ...fast }),
    createMarketplaceClient({ provider: 'td-synnex', ...mock.clientOptions('td-synnex'), ...fast }),
  ]);
}

const contoso = {
  name: 'Contoso Ltd',
  marketplaceIds: parseMarketplaceIds(
    [
      `PAX8:${PAX8_SEED_IDS.contoso}`,
      `SHERWEB:${SHERWEB_SEED_IDS.contoso}`,
      `INGRAM_MICRO:${INGRAM_SEED_IDS.contoso}`,
      `D_AND_H:${DANDH_SEED_IDS.contoso}`,
      `MICROSOFT_PARTNER_CENTER:${PARTNER_CENTER_SEED_IDS.contoso}`,
      `TD_SYNNEX:${TD_SYNNEX_SEED_IDS.contoso}`,
    ].join(';'),
  ),
};

const ALL = ['pax8', 'dandh', 'ingram', 'sherweb', 'partner-center', 'td-synnex'] as const;

describe('workflows across real providers', () => {
  it('routes by the default preference and lists one license on every mapped marketplace', async () => {
    const m = marketplaces();
    expect(m.forCompany(contoso).client.provider).toBe('pax8');
    expect(m.forCompany(contoso, { preference: ['sherweb'] }).client.provider).toBe('sherweb');
    const found = await listLicenseSubscriptions(m, contoso, 'Microsoft 365 Business Premium');
    const byProvider = new Map<string, number[]>();
    for (const s of found.subscriptions)
      byProvider.set(s.provider, [...(byProvider.get(s.provider) ?? []), s.quantity]);
    for (const p of ALL) expect(byProvider.get(p)?.sort((a, b) => a - b)).toEqual([20, 80]);
    expect(found.failures).toEqual([]);
  });

  it('the default add policy picks the monthly subscription on each marketplace', async () => {
    const m = marketplaces();
    const found = await listLicenseSubscriptions(m, contoso, 'Microsoft 365 Business Premium');
    for (const provider of ALL) {
      const choice = selectSubscription(
        found.subscriptions.filter((s) => s.provider === provider),
        DEFAULT_ADD_POLICY,
      );
      expect(choice.subscription).toMatchObject({ billingTerm: 'monthly', quantity: 20 });
      expect(choice.reason).toMatch(/monthly/i);
    }
  });

  it('the Graph fake from the mock marketplace answers the Graph client', async () => {
    const graph = createGraphClient({ ...mock.graphClientOptions(), rateLimit: false });
    const skus = await graph.listSubscribedSkus();
    expect(skus.length).toBeGreaterThan(0);
  });

  it('syncs every customer and subscription of all six providers', async () => {
    const seen = new Map<string, number>();
    for await (const record of syncAll(marketplaces())) {
      seen.set(`${record.provider}:${record.type}`, (seen.get(`${record.provider}:${record.type}`) ?? 0) + 1);
    }
    for (const p of ALL) {
      expect(seen.get(`${p}:customer`)).toBeGreaterThan(10);
      expect(seen.get(`${p}:subscription`)).toBeGreaterThan(50);
      expect(seen.get(`${p}:error`)).toBeUndefined();
    }
  });

  it('matches a name with a trailing qualifier, never a longer product name', () => {
    const sub = (name: string) =>
      ({ name, sku: null, productId: null }) as unknown as Parameters<typeof matchesLicense>[0];
    expect(
      matchesLicense(sub('Microsoft 365 Business Premium (NCE, annual commitment)'), 'Microsoft 365 Business Premium'),
    ).toBe(true);
    expect(matchesLicense(sub('Microsoft 365 Business-Premium'), 'microsoft 365 business premium')).toBe(true);
    expect(matchesLicense(sub('Microsoft 365 Business Premium and Defender'), 'Microsoft 365 Business Premium')).toBe(
      false,
    );
    expect(
      matchesLicense(sub('Microsoft 365 Business Premium Trial (monthly)'), 'Microsoft 365 Business Premium'),
    ).toBe(false);
  });
});
