import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, ValidationError } from '../../src/core/errors.js';
import { PAX8_SEED_IDS } from '../../src/testing/pax8/index.js';
import {
  DEFAULT_PROVIDER_PREFERENCE,
  Marketplaces,
  listLicenseSubscriptions,
  matchesLicense,
  normalizeLicenseKey,
  parseMarketplaceIds,
  summarizeSubscription,
} from '../../src/workflows/index.js';
import { AsProvider, BP_SKU, CONTOSO, type World, createWorld, server } from './fixtures.js';

let world: World;
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  world = createWorld();
});

describe('Marketplaces', () => {
  it('picks by the default preference order and says why', () => {
    const m = new Marketplaces([new AsProvider(world.pax8, 'sherweb'), world.pax8]);
    const company = {
      name: 'X',
      marketplaceIds: parseMarketplaceIds(`SHERWEB:1;TD_SYNNEX:2;PAX8:${PAX8_SEED_IDS.contoso}`),
    };
    const choice = m.forCompany(company);
    expect(choice.provider).toBe('pax8');
    expect(choice.customerId).toBe(PAX8_SEED_IDS.contoso);
    expect(choice.reason).toMatch(/pax8 is the most preferred/);
    expect(choice.reason).toMatch(/skipped TD_SYNNEX:2 \(no client configured\)/);
    expect(choice.reason).toMatch(/also mapped: SHERWEB:1/);
    expect(m.providers).toEqual(['pax8', 'sherweb']);
    expect(DEFAULT_PROVIDER_PREFERENCE).toEqual(['pax8', 'dandh', 'ingram', 'sherweb', 'partner-center', 'td-synnex']);
  });

  it('takes a preference override per registry and per call', () => {
    const m = new Marketplaces(
      { pax8: world.pax8, sherweb: new AsProvider(world.pax8, 'sherweb') },
      { preference: ['sherweb'] },
    );
    const company = { marketplaceIds: parseMarketplaceIds(`PAX8:${PAX8_SEED_IDS.contoso} SHERWEB:1`) };
    expect(m.forCompany(company).provider).toBe('sherweb');
    expect(m.forCompany(company, { preference: ['pax8'] }).provider).toBe('pax8');
    expect(m.preference).toEqual(['sherweb', 'pax8', 'dandh', 'ingram', 'partner-center', 'td-synnex']);
    expect(m.allForCompany(company).map((c) => c.provider)).toEqual(['sherweb', 'pax8']);
  });

  it('errors: no ids, nothing configured, bad preference, duplicate clients', () => {
    const m = new Marketplaces([world.pax8]);
    expect(() => m.forCompany({ name: 'Empty', marketplaceIds: [] })).toThrow(ValidationError);
    expect(() => m.forCompany({ marketplaceIds: parseMarketplaceIds('SHERWEB:1') })).toThrow(ConfigurationError);
    expect(() => m.require('dandh')).toThrow(/No dandh client is configured/);
    expect(() => new Marketplaces([], { preference: ['pax8', 'pax8'] })).toThrow(/listed twice/);
    expect(() => new Marketplaces([], { preference: ['nope' as 'pax8'] })).toThrow(ValidationError);
    expect(() => new Marketplaces([world.pax8, world.pax8])).toThrow(/two clients for pax8/);
  });
});

describe('listLicenseSubscriptions', () => {
  it('lists the 80/20 Business Premium split of Contoso by name, SKU or product id, any case and punctuation', async () => {
    for (const license of [
      'microsoft 365 business-premium!',
      'CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46', // the subscription's SKU (Microsoft's SKU id at Pax8)
      PAX8_SEED_IDS.products.businessPremium.toUpperCase(),
    ]) {
      const r = await listLicenseSubscriptions(world.marketplaces, CONTOSO, license);
      expect(r.subscriptions.map((s) => [s.billingTerm, s.quantity]).sort()).toEqual([
        ['annual', 80],
        ['monthly', 20],
      ]);
      expect(r.searched).toEqual([{ provider: 'pax8', customerId: PAX8_SEED_IDS.contoso }]);
    }
    const r = await listLicenseSubscriptions(world.marketplaces, CONTOSO, { match: ['nothing', 'Business Premium'] });
    expect(r.subscriptions).toHaveLength(0);
    const bySkuId = await listLicenseSubscriptions(world.marketplaces, CONTOSO, { match: 'x', skuId: BP_SKU });
    expect(bySkuId.subscriptions).toHaveLength(2);
  });

  it('summarizes ids, terms, seats, renewal and constraints', async () => {
    const r = await listLicenseSubscriptions(world.marketplaces, CONTOSO, 'Microsoft 365 Business Premium');
    const annual = r.subscriptions.map(summarizeSubscription).find((s) => s.billingTerm === 'annual');
    expect(annual).toMatchObject({
      provider: 'pax8',
      seats: 80,
      commitmentTerm: 'P1Y',
      subscriptionId: expect.any(String),
    });
    expect(annual?.renewalDate).toMatch(/^\d{4}-/);
  });

  it('searches every mapped marketplace; a failing one throws, or is skipped on request', async () => {
    const m = new Marketplaces([world.pax8, new AsProvider(world.pax8, 'sherweb')]);
    const company = {
      marketplaceIds: parseMarketplaceIds(`PAX8:${PAX8_SEED_IDS.contoso};SHERWEB:${PAX8_SEED_IDS.contoso}`),
    };
    const both = await listLicenseSubscriptions(m, company, 'Microsoft 365 Business Premium');
    expect(both.subscriptions).toHaveLength(4);
    world.pax8Fake.faults.add({ kind: 'http-500', path: '/subscriptions', times: 100 });
    await expect(listLicenseSubscriptions(m, company, 'Microsoft 365 Business Premium')).rejects.toMatchObject({
      kind: 'server',
    });
    const skipped = await listLicenseSubscriptions(m, company, 'Microsoft 365 Business Premium', { onError: 'skip' });
    expect(skipped.failures.map((f) => f.provider).sort()).toEqual(['pax8', 'sherweb']);
  });

  it('refuses an empty license', async () => {
    await expect(listLicenseSubscriptions(world.marketplaces, CONTOSO, ' - ')).rejects.toThrow(ValidationError);
    expect(normalizeLicenseKey('Exchange Online (Plan 1)')).toBe('exchangeonlineplan1');
    expect(normalizeLicenseKey('Café')).toBe('cafe');
    const [s] = (await listLicenseSubscriptions(world.marketplaces, CONTOSO, 'Exchange Online Plan 1')).subscriptions;
    expect(s && matchesLicense(s, 'exchange online (plan 1)')).toBe(true);
  });
});
