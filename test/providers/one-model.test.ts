/**
 * One model across vendors, mapper by mapper: ISO country codes (vendor text kept), a joinable license identity,
 * offered terms on products, `pending-cancel` for "cancelled at term end, still billed", Pax8 NCE monthly = P1M,
 * and the Pax8 commitment verdicts the dry runs and constraints share.
 */
import { describe, expect, it } from 'vitest';
import { licenseFromSku, toCountryCode } from '../../src/model/index.js';
import { ProductSchema } from '../../src/model/product.js';
import { SubscriptionSchema } from '../../src/model/subscription.js';
import * as dandh from '../../src/providers/dandh/map.js';
import * as ingram from '../../src/providers/ingram/map.js';
import * as partnerCenter from '../../src/providers/partner-center/map.js';
import * as pax8 from '../../src/providers/pax8/map.js';
import { pax8Hint } from '../../src/providers/pax8/errors.js';
import * as sherweb from '../../src/providers/sherweb/map.js';
import * as tdSynnex from '../../src/providers/td-synnex/map.js';
import { DANDH_SEED_IDS, createDandhState } from '../../src/testing/dandh/index.js';
import { seedDandh, seedDandhCatalog } from '../../src/testing/dandh/seed.js';

const ctx = (provider: string) => ({ provider, operation: 'test' });
const GRAPH_BP = 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46';

describe('shared model helpers', () => {
  it('reads ISO 3166 alpha-2 codes from codes, alpha-3 codes and English names', () => {
    expect(toCountryCode('United States')).toBe('US');
    expect(toCountryCode('United States of America')).toBe('US');
    expect(toCountryCode('us')).toBe('US');
    expect(toCountryCode('USA')).toBe('US');
    expect(toCountryCode('United Kingdom')).toBe('GB');
    expect(toCountryCode('UK')).toBe('GB');
    expect(toCountryCode('Canada')).toBe('CA');
    expect(toCountryCode('  germany ')).toBe('DE');
    expect(toCountryCode('Côte d’Ivoire')).toBe('CI');
    expect(toCountryCode('Atlantis')).toBeNull();
    expect(toCountryCode('Unknown Region')).toBeNull();
    expect(toCountryCode('')).toBeNull();
    expect(toCountryCode(null)).toBeNull();
  });

  it('reads a license identity from a Graph GUID or a Microsoft catalog id, nothing else', () => {
    expect(licenseFromSku(GRAPH_BP.toUpperCase())).toEqual({
      microsoftProductId: null,
      microsoftSkuId: null,
      graphSkuId: GRAPH_BP,
    });
    expect(licenseFromSku('CFQ7TTC0LCHC:0002:P1Y:M')).toEqual({
      microsoftProductId: 'CFQ7TTC0LCHC',
      microsoftSkuId: '0002',
      graphSkuId: null,
    });
    expect(licenseFromSku('CFQ7TTC0LCHC')).toMatchObject({ microsoftProductId: 'CFQ7TTC0LCHC', microsoftSkuId: null });
    expect(licenseFromSku('MST-MCB-PRE')).toEqual({ microsoftProductId: null, microsoftSkuId: null, graphSkuId: null });
    expect(licenseFromSku(undefined).graphSkuId).toBeNull();
  });
});

describe('Pax8', () => {
  const now = new Date('2026-06-15T00:00:00Z');
  const base = {
    id: 's1',
    companyId: 'c1',
    productId: 'p1',
    productName: 'Microsoft 365 Business Premium',
    vendorSkuId: GRAPH_BP,
    quantity: 10,
    status: 'Active',
    billingTerm: 'Monthly',
    startDate: '2026-01-10T00:00:00Z',
    updatedDate: '2026-02-01T00:00:00Z',
    commitmentTerm: null,
  };
  const deps = [{ term: 'Monthly' }, { term: '1-Year' }];

  it('a monthly subscription of a product offering a Monthly commitment is P1M (Pax8 sends commitmentTerm null)', () => {
    const s = pax8.mapSubscription(base, ctx('pax8'), { now, productCommitments: deps });
    expect(s.commitment).toEqual({ term: 'P1M', endDate: '2026-07-10T00:00:00.000Z' });
    expect(s.license).toEqual({ microsoftProductId: null, microsoftSkuId: null, graphSkuId: GRAPH_BP });
    expect(SubscriptionSchema.parse(s)).toBeTruthy();
    // Without the product's commitments (a non-NCE product) it stays without commitment.
    expect(pax8.mapSubscription(base, ctx('pax8'), { now }).commitment).toBeNull();
    expect(pax8.mapSubscription(base, ctx('pax8'), { now, productCommitments: [] }).commitment).toBeNull();
  });

  it('PendingCancel is pending-cancel: still billed until its end date, not a target for changes', () => {
    const s = pax8.mapSubscription({ ...base, status: 'PendingCancel', endDate: '2026-07-10T00:00:00Z' }, ctx('pax8'), {
      now,
    });
    expect(s).toMatchObject({
      status: 'pending-cancel',
      rawStatus: 'PendingCancel',
      endDate: '2026-07-10T00:00:00.000Z',
    });
    expect(s.constraints).toMatchObject({ canIncrease: false, canDecrease: false, canCancel: false });
  });

  const annual = {
    ...base,
    billingTerm: 'Annual',
    startDate: '2025-03-01T00:00:00Z',
    updatedDate: '2025-03-01T00:00:00Z',
    commitmentTerm: { id: 'k1', term: '1-Year', endDate: '2027-03-01T00:00:00Z' },
  };
  const noDecrease = {
    allowForQuantityDecrease: false,
    allowForEarlyCancellation: false,
    allowForQuantityIncrease: true,
  };

  it('after a renewal the window runs from the start of the current term', () => {
    const renewed = pax8.mapSubscription(annual, ctx('pax8'), {
      now: new Date('2026-03-04T00:00:00Z'),
      rules: noDecrease,
    });
    expect(renewed.constraints).toMatchObject({ canDecrease: true, decreaseAllowedUntil: '2026-03-08T00:00:00.000Z' });
    const later = pax8.mapSubscription(annual, ctx('pax8'), { now, rules: noDecrease });
    expect(later.constraints).toMatchObject({ canDecrease: false, canCancel: false, canIncrease: true });
    expect(later.constraints.notes.join(' ')).toMatch(/allowForQuantityDecrease: false/);
  });

  it('a recent update may have added seats: unknown, never a guess either way', () => {
    const updated = { ...annual, updatedDate: '2026-06-12T00:00:00Z' };
    const v = pax8.pax8DecreaseVerdict(pax8.mapSubscription(updated, ctx('pax8'), { now }), noDecrease, now);
    expect(v.verdict).toBe('unknown');
    expect(pax8.mapSubscription(updated, ctx('pax8'), { now, rules: noDecrease }).constraints.canDecrease).toBeNull();
  });

  it('a product whose commitment allows decreases and early cancellation allows them any time', () => {
    const s = pax8.mapSubscription(annual, ctx('pax8'), {
      now,
      rules: { allowForQuantityDecrease: true, allowForEarlyCancellation: true },
    });
    expect(s.constraints).toMatchObject({ canDecrease: true, canCancel: true });
  });

  it('a cancellation at or after the commitment end is allowed, before it refused', () => {
    const s = pax8.mapSubscription(annual, ctx('pax8'), { now, rules: noDecrease });
    expect(pax8.pax8CancelVerdict(s, noDecrease, now, new Date('2027-03-01T00:00:00Z')).verdict).toBe('allowed');
    expect(pax8.pax8CancelVerdict(s, noDecrease, now, new Date('2027-02-28T00:00:00Z')).verdict).toBe('refused');
    expect(pax8.pax8CancelVerdict(s, undefined, now).verdict).toBe('unknown');
  });

  it('refuses any update of a cancelling or future-dated subscription (stateRule)', () => {
    const s = pax8.mapSubscription({ ...base, status: 'PendingCancel' }, ctx('pax8'), { now });
    expect(pax8.stateRule(s, now)).toMatch(/PendingCancel/);
    const future = pax8.mapSubscription({ ...base, startDate: '2026-07-01T00:00:00Z' }, ctx('pax8'), { now });
    expect(pax8.stateRule(future, now)).toMatch(/future start date/);
    expect(pax8.stateRule(pax8.mapSubscription(base, ctx('pax8'), { now }), now)).toBeUndefined();
  });

  it('chooses the 422 hint by what was refused', () => {
    const decrease = pax8Hint({
      status: 422,
      operation: 'setSeats',
      vendorText: 'Invalid Subscription Update Quantity decrease is not allowed outside the cancellation window',
    });
    expect(decrease).toMatch(/within 7 days/);
    const cancel = pax8Hint({
      status: 422,
      operation: 'cancelSubscription',
      vendorText: 'Early cancellation is not allowed',
    });
    expect(cancel).toMatch(/effectiveDate/);
    expect(cancel).not.toBe(decrease);
    expect(
      pax8Hint({
        status: 422,
        operation: 'setSeats',
        vendorText: 'quantity must be a whole number greater than or equal to 1',
      }),
    ).toMatch(/at least 1 seat/);
    expect(
      pax8Hint({
        status: 422,
        operation: 'setSeats',
        vendorText: 'Subscription s1 is PendingCancel and cannot be updated',
      }),
    ).toMatch(/cancelled or being cancelled/);
    expect(pax8Hint({ status: 422, operation: 'purchase', vendorText: 'Invalid Order' })).toMatch(/order/);
    expect(pax8Hint({ status: 422, operation: 'setSeats', vendorText: 'price must be a number' })).toMatch(
      /see the error details/,
    );
  });

  it('products carry the license identity; offers are null (Pax8 prices per product, not in the listing)', () => {
    const p = pax8.mapProduct({ id: 'p', name: 'BP', vendorName: 'Microsoft', vendorSku: GRAPH_BP }, ctx('pax8'));
    expect(p).toMatchObject({ license: { graphSkuId: GRAPH_BP }, offers: null });
    const other = pax8.mapProduct(
      { id: 'k', name: 'Keeper', vendorName: 'Keeper Security', vendorSku: GRAPH_BP },
      ctx('pax8'),
    );
    expect(other.license?.graphSkuId).toBeNull();
    expect(ProductSchema.parse(p)).toBeTruthy();
    expect(pax8.mapCompany({ id: 'c', name: 'C', address: { country: 'us' } }, ctx('pax8'))).toMatchObject({
      country: 'US',
      rawCountry: 'us',
    });
  });
});

describe('D&H', () => {
  it('maps the country name to its code, the license from the VendorSku, and a term-end termination to pending-cancel', () => {
    const state = createDandhState(100001);
    seedDandhCatalog(state);
    seedDandh(state, Date.parse('2025-03-10T12:00:00Z'));
    const company = dandh.mapCompany(state.accounts.get(DANDH_SEED_IDS.contoso), ctx('dandh'));
    expect(company).toMatchObject({ country: 'US', rawCountry: 'United States' });
    const service = [...state.services.values()].find((s) => /CFQ7/.test(JSON.stringify(s.info)));
    if (service) {
      const p = dandh.mapService(service.info, ctx('dandh'));
      expect(p.license?.microsoftProductId).toMatch(/^[A-Z0-9]{12}$/);
    }
    const now = new Date('2025-03-10T12:00:00Z');
    const raw = state.subscriptions.get(DANDH_SEED_IDS.contosoBusinessPremiumAnnual) as unknown as Record<
      string,
      unknown
    >;
    const active = dandh.mapSubscription(raw, ctx('dandh'), { now });
    expect(active.status).toBe('active');
    const ending = dandh.mapSubscription({ ...raw, AdvancePeriodEndAction: 'Terminate' }, ctx('dandh'), { now });
    expect(ending.status).toBe('pending-cancel');
  });
});

describe('Ingram Micro', () => {
  it('products offer their billing and commitment period with price and cost; the MPN gives the Graph SKU id', () => {
    const p = ingram.mapProduct(
      {
        mpn: `${GRAPH_BP.toUpperCase()}_ANNUAL`,
        name: 'Microsoft 365 Business Premium',
        vendor: 'Microsoft',
        subscriptionPeriod: { type: 'year', duration: 1 },
        billingPeriod: { type: 'month', duration: 1 },
        prices: [{ currency: 'USD', amount: '22.00', type: 'recurring' }],
        costs: [{ currency: 'USD', amount: '18.70', type: 'recurring' }],
      },
      ctx('ingram'),
    );
    expect(p.offers).toEqual([
      {
        billingTerm: 'monthly',
        commitmentTerm: 'P1Y',
        price: { amount: 22, currency: 'USD' },
        cost: { amount: 18.7, currency: 'USD' },
      },
    ]);
    expect(p.license?.graphSkuId).toBe(GRAPH_BP);
    expect(ProductSchema.parse(p)).toBeTruthy();
    expect(ingram.mapCustomer({ id: 1, name: 'C', address: { countryCode: 'us' } }, ctx('ingram')).country).toBe('US');
  });
});

describe('Sherweb', () => {
  it('catalog items offer their term (no price in the catalog) and carry the Graph SKU id', () => {
    const p = sherweb.mapCatalogItem(
      {
        sku: 'MS-NCE-M365BP-P1Y-MONTHLY',
        name: 'Business Premium',
        billingCycle: 'Monthly',
        commitmentTerm: { type: 'Annual' },
        microsoftSkuId: GRAPH_BP,
      },
      ctx('sherweb'),
    );
    expect(p.license?.graphSkuId).toBe(GRAPH_BP);
    expect(p.offers).toHaveLength(1);
    expect(p.offers?.[0]).toMatchObject({ commitmentTerm: 'P1Y', price: null, cost: null });
    expect(ProductSchema.parse(p)).toBeTruthy();
  });
});

describe('Partner Center', () => {
  it('the product id and a new-commerce offer id are Microsoft catalog ids', () => {
    expect(
      partnerCenter.mapProduct({ id: 'CFQ7TTC0LCHC', title: 'Business Premium' }, ctx('partner-center')).license,
    ).toEqual({
      microsoftProductId: 'CFQ7TTC0LCHC',
      microsoftSkuId: null,
      graphSkuId: null,
    });
    const s = partnerCenter.mapSubscription(
      {
        id: 'sub',
        offerId: 'CFQ7TTC0LCHC:0002:CFQ7TTC0LHSF',
        offerName: 'Microsoft 365 Business Premium',
        quantity: 3,
        status: 'active',
        billingCycle: 'monthly',
        termDuration: 'P1M',
        productType: { id: 'OnlineServicesNCE' },
      },
      'cust',
      ctx('partner-center'),
    );
    expect(s.license).toEqual({ microsoftProductId: 'CFQ7TTC0LCHC', microsoftSkuId: '0002', graphSkuId: null });
  });
});

describe('TD SYNNEX', () => {
  it('reads Microsoft catalog ids from the provider offer id or the manufacturer part number', () => {
    expect(tdSynnex.ionLicense('NL,CFQ7TTC0LH18,0001')).toEqual({
      microsoftProductId: 'CFQ7TTC0LH18',
      microsoftSkuId: '0001',
      graphSkuId: null,
    });
    expect(tdSynnex.ionLicense(undefined, 'CFQ7TTC0LH18:000D:P1M:M').microsoftSkuId).toBe('000D');
    expect(tdSynnex.ionLicense('Microsoft365EandFNCE-demonce').microsoftProductId).toBeNull();
  });

  it('catalog SKUs offer one term per plan', () => {
    const [sku] = tdSynnex.mapCatalogProduct(
      {
        name: 'accounts/1/products/M365',
        definition: {
          skus: [
            {
              id: 'bp',
              displayName: 'Business Premium',
              plans: [
                {
                  id: 'Monthly-P1M',
                  displayName: 'Monthly',
                  billingPeriod: 'MONTHLY',
                  mfgPartNumber: 'CFQ7TTC0LCHC:0002:P1M:M',
                },
                {
                  id: 'Annual-P1Y',
                  displayName: '1 Year',
                  billingPeriod: 'MONTHLY',
                  mfgPartNumber: 'CFQ7TTC0LCHC:0002:P1Y:M',
                },
              ],
            },
          ],
        },
      },
      ctx('td-synnex'),
    );
    expect(sku!.product.license).toMatchObject({ microsoftProductId: 'CFQ7TTC0LCHC', microsoftSkuId: '0002' });
    expect(sku!.product.offers?.length).toBe(2);
    expect(sku!.product.offers?.every((o) => o.price === null)).toBe(true);
  });
});
