/** Workflows on the real Pax8, Sherweb and Ingram clients (no stand-ins), all against the fakes. */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMarketplaceClient } from '../../src/index.js';
import { INGRAM_SEED_IDS, PAX8_SEED_IDS, SHERWEB_SEED_IDS, createMockMarketplace } from '../../src/testing/index.js';
import {
  DEFAULT_ADD_POLICY,
  Marketplaces,
  listLicenseSubscriptions,
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
  ]);
}

const contoso = {
  name: 'Contoso Ltd',
  marketplaceIds: parseMarketplaceIds(
    `PAX8:${PAX8_SEED_IDS.contoso};SHERWEB:${SHERWEB_SEED_IDS.contoso};INGRAM_MICRO:${INGRAM_SEED_IDS.contoso}`,
  ),
};

describe('workflows across real providers', () => {
  it('routes by the default preference and lists one license on every mapped marketplace', async () => {
    const m = marketplaces();
    expect(m.forCompany(contoso).client.provider).toBe('pax8');
    expect(m.forCompany(contoso, { preference: ['sherweb'] }).client.provider).toBe('sherweb');
    const found = await listLicenseSubscriptions(m, contoso, 'Microsoft 365 Business Premium');
    const byProvider = new Map<string, number[]>();
    for (const s of found.subscriptions)
      byProvider.set(s.provider, [...(byProvider.get(s.provider) ?? []), s.quantity]);
    for (const p of ['pax8', 'sherweb', 'ingram']) expect(byProvider.get(p)?.sort((a, b) => a - b)).toEqual([20, 80]);
    expect(found.failures).toEqual([]);
  });

  it('the default add policy picks the monthly subscription on each marketplace', async () => {
    const m = marketplaces();
    const found = await listLicenseSubscriptions(m, contoso, 'Microsoft 365 Business Premium');
    for (const provider of ['pax8', 'sherweb', 'ingram'] as const) {
      const choice = selectSubscription(
        found.subscriptions.filter((s) => s.provider === provider),
        DEFAULT_ADD_POLICY,
      );
      expect(choice.subscription).toMatchObject({ billingTerm: 'monthly', quantity: 20 });
      expect(choice.reason).toMatch(/monthly/i);
    }
  });

  it('syncs every customer and subscription of the three providers', async () => {
    const seen = new Map<string, number>();
    for await (const record of syncAll(marketplaces())) {
      seen.set(`${record.provider}:${record.type}`, (seen.get(`${record.provider}:${record.type}`) ?? 0) + 1);
    }
    for (const p of ['pax8', 'sherweb', 'ingram']) {
      expect(seen.get(`${p}:customer`)).toBeGreaterThan(10);
      expect(seen.get(`${p}:subscription`)).toBeGreaterThan(50);
      expect(seen.get(`${p}:error`)).toBeUndefined();
    }
  });
});
