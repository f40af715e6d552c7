import { describe, expect, it } from 'vitest';
import {
  invoiceDetailsOf,
  mapPartnerCenterInvoice,
  mapPartnerCenterLine,
  mapPartnerCenterOrder,
} from '../../../src/providers/partner-center/billing-map.js';

describe('Partner Center billing mappers: odd but legal vendor values', () => {
  it('invoices: status derived from charges and payments; credit notes; no payment field', () => {
    const paid = mapPartnerCenterInvoice({ id: 'D1', totalCharges: 100, paidAmount: -100, currencyCode: 'EUR' }, '#1');
    expect(paid.value).toMatchObject({ status: 'paid', balance: { amount: 0, currency: 'EUR' }, customerId: null });
    const open = mapPartnerCenterInvoice({ id: 'D2', totalCharges: 100, paidAmount: -40.5 }, '#2');
    expect(open.value).toMatchObject({ status: 'open', balance: { amount: 59.5, currency: null } });
    const credit = mapPartnerCenterInvoice(
      { id: 'C1', totalCharges: -20, paidAmount: 0, documentType: 'CreditNote' },
      '#3',
    );
    expect(credit.value).toMatchObject({ status: 'void', rawStatus: 'CreditNote' });
    const unknown = mapPartnerCenterInvoice({ id: 'D3', totalCharges: 10, invoiceDate: '2026-02-08T00:00:00Z' }, '#4');
    expect(unknown.value).toMatchObject({ status: 'unknown', balance: null, invoiceDate: '2026-02-08T00:00:00.000Z' });
    expect(
      invoiceDetailsOf({
        invoiceDetails: [{ billingProvider: 'one_time', invoiceLineItemType: 'billing_line_items' }, { x: 1 }],
      }),
    ).toEqual([{ provider: 'one_time', lineItemType: 'billing_line_items' }]);
  });

  it('new-commerce lines: cost after discount, licence identity, frequencies, charge types', () => {
    const m = mapPartnerCenterLine(
      {
        customerId: 'c1',
        customerName: 'Contoso',
        subscriptionId: 's1',
        productId: 'CFQ7TTC0LCHC',
        skuId: '0002',
        skuName: 'Microsoft 365 Business Premium',
        chargeType: 'cycleCharge',
        unitPrice: 22,
        effectiveUnitPrice: 19.8,
        quantity: 10,
        subtotal: 198,
        currency: 'USD',
        billingFrequency: 'Monthly',
        chargeStartDate: '2026-03-01T00:00:00',
        chargeEndDate: '2026-03-31T00:00:00',
        referenceId: 'r1',
      },
      'G1',
    );
    expect(m.problems).toEqual([]);
    expect(m.value).toMatchObject({
      invoiceId: 'G1',
      id: 'r1',
      productId: 'CFQ7TTC0LCHC:0002',
      license: { microsoftProductId: 'CFQ7TTC0LCHC', microsoftSkuId: '0002', graphSkuId: null },
      unitPrice: null,
      unitCost: { amount: 19.8, currency: 'USD' },
      total: { amount: 198, currency: 'USD' },
      billingTerm: 'monthly',
      chargeType: 'recurring',
      periodStart: '2026-03-01T00:00:00.000Z',
    });
    const kinds = [
      'new',
      'renew',
      'addQuantity',
      'removeQuantity',
      'cancelImmediate',
      'customerCredit',
      'Prorate fees when purchase',
      'Cycle fee',
      'somethingNew',
    ];
    expect(kinds.map((chargeType) => mapPartnerCenterLine({ chargeType }, null).value.chargeType)).toEqual([
      'recurring',
      'recurring',
      'prorated',
      'prorated',
      'credit',
      'credit',
      'prorated',
      'recurring',
      'other',
    ]);
    const freq = [
      { billingFrequency: 'Annual' },
      { billingFrequency: 'OneTime' },
      { termAndBillingCycle: 'One Year Commitment for Yearly Billing' },
      { billingCycleType: 'Monthly' },
      {},
    ];
    expect(freq.map((f) => mapPartnerCenterLine(f, null).value.billingTerm)).toEqual([
      'annual',
      'one-time',
      'annual',
      'monthly',
      'unknown',
    ]);
  });

  it('legacy licence lines and odd values: what could be read, with problems', () => {
    const legacy = mapPartnerCenterLine(
      { offerId: 'O365E3', offerName: 'Office 365 E3', amount: 60, quantity: 3, unitPrice: 20, currency: 'USD' },
      'G1',
    );
    expect(legacy.value).toMatchObject({
      productId: 'O365E3',
      sku: 'Office 365 E3',
      total: { amount: 60, currency: 'USD' },
      unitCost: { amount: 20, currency: 'USD' },
      license: { microsoftProductId: null },
    });
    const odd = mapPartnerCenterLine({ quantity: 'three', chargeStartDate: 'soon', subtotal: true }, null);
    expect(odd.value).toMatchObject({ quantity: null, periodStart: null, total: null });
    expect(odd.problems).toEqual([
      'quantity is not a number',
      'subtotal is not a number',
      'chargeStartDate is not a date',
    ]);
  });

  it('orders: statuses, billing cycle, customer from the path when not on the order', () => {
    const m = mapPartnerCenterOrder(
      {
        id: 'o1',
        status: 'Completed',
        billingCycle: 'one_time',
        creationDate: '2026-03-01T10:00:00Z',
        lineItems: [{ offerId: 'A:B:C', subscriptionId: 's', quantity: 1, friendlyName: 'F' }],
      },
      'cust',
      '#1',
    );
    expect(m.value).toMatchObject({
      customerId: 'cust',
      status: 'completed',
      lines: [{ productId: 'A:B:C', billingTerm: 'one-time', description: 'F' }],
    });
    expect(mapPartnerCenterOrder({ id: 'o', status: 'onHold' }, 'c', '#1').value.status).toBe('unknown');
  });
});
