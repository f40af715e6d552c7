import { describe, expect, it } from 'vitest';
import {
  idFromName,
  mapCatalogProduct,
  mapCustomer,
  mapOrderState,
  mapSubscription,
  parseProductKey,
  planTerm,
} from '../../../src/providers/td-synnex/map.js';

const ctx = { provider: 'td-synnex', operation: 'test' };

const sub = (over: Record<string, unknown> = {}) => ({
  id: '2277242',
  customerId: '306870',
  subscriptionId: 'a2d1c6e0-0000-4000-a000-000000000001',
  subscriptionName: 'Microsoft 365 Business Premium',
  ccpProductId: 'Microsoft365EandFNCE-demonce',
  ccpSkuId: 'Business-Premium',
  ccpPlanId: 'Monthly-n69',
  subscriptionTotalLicenses: '3',
  subscriptionStatus: 'active',
  subscriptionBillingCycle: 'monthly',
  subscriptionBillingTerm: 'P1Y',
  subscriptionStartDate: '2024-01-03T16:29:10.491Z',
  subscriptionEndDate: '2025-01-03T16:29:10Z',
  cancellationAllowedUntilDate: '2024-01-10T16:29:10.491Z',
  renewalDate: '2025-01-03T16:29:10Z',
  autoRenew: true,
  isTrial: false,
  price: 22,
  cost: 17.6,
  currency: 'SEK',
  ...over,
});

describe('td-synnex map', () => {
  it('takes the customer id from name', () => {
    expect(idFromName('accounts/10001/customers/500100')).toBe('500100');
    const c = mapCustomer(
      {
        name: 'accounts/10001/customers/500100',
        customerOrganization: 'Contoso',
        customerStatus: 'ACTIVE',
        customerAddress: { country: 'US' },
      },
      ctx,
    );
    expect(c).toMatchObject({ provider: 'td-synnex', id: '500100', name: 'Contoso', status: 'active', country: 'US' });
    expect(mapCustomer({ name: 'accounts/1/customers/2', customerStatus: 'WEIRD' }, ctx)).toMatchObject({
      status: 'unknown',
      rawStatus: 'WEIRD',
    });
  });

  it('maps a subscription: seats from a string, lower-case status, commitment and window', () => {
    const s = mapSubscription(sub(), ctx, Date.parse('2024-01-05T00:00:00Z'));
    expect(s).toMatchObject({
      id: '2277242',
      customerId: '306870',
      productId: 'Microsoft365EandFNCE-demonce/Business-Premium',
      sku: 'Business-Premium',
      quantity: 3,
      status: 'active',
      rawStatus: 'active',
      billingTerm: 'monthly',
      commitment: { term: 'P1Y', endDate: '2025-01-03T16:29:10.000Z' },
      price: { amount: 22, currency: 'SEK' },
      constraints: { canDecrease: true, canCancel: false, decreaseAllowedUntil: '2024-01-10T16:29:10.491Z' },
    });
    const late = mapSubscription(sub(), ctx, Date.parse('2024-03-01T00:00:00Z'));
    expect(late.constraints.canDecrease).toBe(false);
  });

  it.each([
    ['ACTIVE', 'active'],
    ['active', 'active'],
    ['Suspended', 'suspended'],
    ['CANCELLED', 'cancelled'],
    ['in_progress', 'pending'],
    ['IN-PROGRESS', 'pending'],
    ['EXPIRED', 'expired'],
    ['FAILED', 'unknown'],
    ['something new', 'unknown'],
  ])('normalizes status %s -> %s', (raw, status) => {
    expect(mapSubscription(sub({ subscriptionStatus: raw }), ctx)).toMatchObject({ status, rawStatus: raw });
  });

  it('flags a seat count that is not a number, and a bad date (issue #17), never throwing', () => {
    expect(mapSubscription(sub({ subscriptionTotalLicenses: 'three' }), ctx).problems).toEqual([
      { field: 'quantity', message: 'subscriptionTotalLicenses is not a seat count (text that is not a number)' },
    ]);
    expect(mapSubscription(sub({ subscriptionStartDate: 'yesterday' }), ctx).problems).toEqual([
      { field: 'startDate', message: 'subscriptionStartDate is not a date' },
    ]);
  });

  it('maps catalog products per SKU with plans and terms', () => {
    const skus = mapCatalogProduct(
      {
        name: 'accounts/10001/products/M365',
        marketing: { displayName: 'Microsoft 365' },
        definition: {
          skus: [
            {
              id: 'BP',
              displayName: 'Business Premium',
              productCloudProviderName: 'AZURE',
              plans: [
                { id: 'Annual-n41', displayName: 'BP (annual commitment, billed monthly)', billingPeriod: 'MONTHLY' },
                { id: 'Monthly-n42', displayName: 'BP (monthly commitment)', billingPeriod: 'MONTHLY' },
              ],
            },
          ],
        },
      },
      ctx,
    );
    expect(skus).toHaveLength(1);
    expect(skus[0]!.product).toMatchObject({ id: 'M365/BP', name: 'Business Premium', vendorName: 'AZURE' });
    expect(skus[0]!.plans.map((p) => [p.id, p.billingTerm, p.commitmentTerm])).toEqual([
      ['Annual-n41', 'monthly', 'P1Y'],
      ['Monthly-n42', 'monthly', 'P1M'],
    ]);
    expect(planTerm('CFQ7TTC0LH18:0001:P3Y:Y')).toBe('P3Y');
    expect(parseProductKey('a/b/c')).toEqual({ productId: 'a', skuId: 'b', planId: 'c' });
    expect(parseProductKey('a')).toBeUndefined();
  });

  it('maps order states and errors', () => {
    expect(mapOrderState({ name: 'accounts/1/customers/2/orders/90001', status: 'NEW' }, ctx)).toMatchObject({
      id: '90001',
      status: 'pending',
    });
    expect(
      mapOrderState(
        { orderId: '5', status: 'ERROR', errors: [{ code: 'X', detail: 'refused' }], orderItems: [{ errors: [] }] },
        ctx,
      ),
    ).toMatchObject({ status: 'failed', message: 'X: refused' });
    expect(mapOrderState({ orderId: '5', status: 'COMPLETED' }, ctx).status).toBe('succeeded');
    expect(mapOrderState({ orderId: '5', status: 'CANCELED' }, ctx).status).toBe('cancelled');
  });
});
