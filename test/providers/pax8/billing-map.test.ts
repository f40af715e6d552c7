import { describe, expect, it } from 'vitest';
import {
  mapPax8Invoice,
  mapPax8InvoiceItem,
  mapPax8Order,
  mapPax8Pricing,
  mapPax8UsageLine,
  mapPax8UsageSummary,
} from '../../../src/providers/pax8/billing-map.js';

describe('Pax8 billing mappers: odd but legal vendor values', () => {
  it('invoices: every status spelling, offsets without a colon, numbers as text, no status, no id', () => {
    const statuses = ['Unpaid', 'Carried', 'Paid', 'Nothing Due', 'Void', 'Credited', 'Disputed'].map(
      (status) => mapPax8Invoice({ id: 'i', status }, '#1').value.status,
    );
    expect(statuses).toEqual(['open', 'open', 'paid', 'paid', 'void', 'void', 'unknown']);
    const m = mapPax8Invoice(
      {
        id: 'i1',
        invoiceDate: '2026-03-01T00:00:00.000-0700',
        dueDate: '2026-03-31',
        total: '1,234.50',
        balance: 0,
        currencyCode: 'GBP',
      },
      '#1',
    );
    expect(m.problems).toEqual([]);
    expect(m.value).toMatchObject({
      invoiceDate: '2026-03-01T07:00:00.000Z',
      dueDate: '2026-03-31',
      total: { amount: 1234.5, currency: 'GBP' },
      balance: { amount: 0, currency: 'GBP' },
      status: 'unknown',
      rawStatus: null,
      customerId: null,
    });
    const noId = mapPax8Invoice({ total: 5 }, '#7');
    expect(noId.value.id).toBe('(no invoice id: #7)');
    expect(noId.problems).toEqual(['id is missing']);
  });

  it('invoice items: terms as Pax8 spells them on items, types, usage in arrears, credits', () => {
    const terms = [
      '3 Year',
      '2 Year',
      'Annual',
      'Monthly',
      'One-time',
      'One-Time',
      'Activation',
      'Trial',
      'Rebate',
      'Arrears',
    ];
    expect(terms.map((term) => mapPax8InvoiceItem({ term }, null).value.billingTerm)).toEqual([
      'triennial',
      'biennial',
      'annual',
      'monthly',
      'one-time',
      'one-time',
      'one-time',
      'trial',
      'unknown',
      'unknown',
    ]);
    const types = ['subscription', 'prorate', 'one-time', 'rebate', 'invoice-credit', 'service-charge', undefined];
    expect(types.map((type) => mapPax8InvoiceItem({ type }, 'inv').value.chargeType)).toEqual([
      'recurring',
      'prorated',
      'one-time',
      'credit',
      'credit',
      'other',
      'other',
    ]);
    expect(mapPax8InvoiceItem({ type: 'subscription', term: 'Arrears' }, 'inv').value.chargeType).toBe('usage');
    // A BitTitan migration item has no subscription (the spec says null).
    const item = mapPax8InvoiceItem(
      {
        id: 'x',
        subscriptionId: null,
        quantity: '3',
        price: 10,
        cost: 8,
        costTotal: 24,
        currencyCode: 'CAD',
        productName: 'MigrationWiz',
      },
      'inv',
    );
    expect(item.problems).toEqual([]);
    expect(item.value).toMatchObject({
      subscriptionId: null,
      quantity: 3,
      description: 'MigrationWiz',
      unitPrice: { amount: 10, currency: 'CAD' },
      unitCost: { amount: 8, currency: 'CAD' },
      total: { amount: 24, currency: 'CAD' },
    });
  });

  it('an unreadable item is still a line: what could be read, the problems, raw', () => {
    const raw = { quantity: [], startPeriod: 'yesterday', price: 'n/a', companyId: 7, description: { x: 1 } };
    const m = mapPax8InvoiceItem(raw, 'inv');
    expect(m.value).toMatchObject({
      quantity: null,
      periodStart: null,
      unitPrice: null,
      customerId: '7',
      description: '',
    });
    expect(m.value.raw).toBe(raw);
    expect(m.problems).toEqual([
      'description is not text',
      'startPeriod is not a date',
      'quantity is not a number',
      'price is not a number',
    ]);
    expect(mapPax8InvoiceItem('garbage', null).problems[0]).toMatch(/not an object/);
  });

  it('pricing: tiers, open ranges, commitment from months only, rates missing', () => {
    const m = mapPax8Pricing(
      {
        content: [
          {
            billingTerm: 'Annual',
            commitmentTerm: '1-Year',
            rates: [
              { partnerBuyRate: 18, suggestedRetailPrice: 22, startQuantityRange: 1, endQuantityRange: 300 },
              { partnerBuyRate: 17, suggestedRetailPrice: 21, startQuantityRange: 301, endQuantityRange: null },
            ],
          },
          { billingTerm: 'Monthly', commitmentTermInMonths: 1, rates: [{ partnerBuyRate: 20 }] },
          { billingTerm: 'Quarterly', rates: null },
        ],
      },
      'p1',
      null,
    );
    expect(m.problems).toEqual([]);
    expect(m.value.prices).toEqual([
      {
        billingTerm: 'annual',
        commitmentTerm: 'P1Y',
        price: { amount: 22, currency: null },
        cost: { amount: 18, currency: null },
        minQuantity: 1,
        maxQuantity: 300,
      },
      {
        billingTerm: 'annual',
        commitmentTerm: 'P1Y',
        price: { amount: 21, currency: null },
        cost: { amount: 17, currency: null },
        minQuantity: 301,
        maxQuantity: null,
      },
      {
        billingTerm: 'monthly',
        commitmentTerm: 'P1M',
        price: null,
        cost: { amount: 20, currency: null },
        minQuantity: 0,
        maxQuantity: null,
      },
    ]);
    expect(mapPax8Pricing({ content: 'none' }, 'p1', null).problems).toEqual(['content is not a list']);
  });

  it('usage summaries and lines; orders with and without a schedule', () => {
    const s = mapPax8UsageSummary(
      { companyId: 'c', productId: 'p', currentCharges: 12.5, partnerTotal: '10', currencyCode: 'USD' },
      'sub',
    );
    expect(s.value).toMatchObject({
      subscriptionId: 'sub',
      price: { amount: 12.5, currency: 'USD' },
      cost: { amount: 10, currency: 'USD' },
      periodStart: null,
    });
    const l = mapPax8UsageLine(
      { usageDate: '2026-03-04', quantity: 0.75, unitOfMeasure: 'GB', partnerTotal: 0.03 },
      { subscriptionId: 'sub', customerId: 'c' },
    );
    expect(l.value).toMatchObject({
      periodStart: '2026-03-04',
      periodEnd: '2026-03-04',
      quantity: 0.75,
      unit: 'GB',
      customerId: 'c',
    });
    const o = mapPax8Order(
      {
        id: 'o',
        companyId: 'c',
        createdDate: '2026-03-04',
        lineItems: [{ productId: 'p', quantity: 2, billingTerm: '2-Year' }],
      },
      '#1',
    );
    expect(o.value).toMatchObject({
      status: 'completed',
      createdAt: '2026-03-04',
      lines: [{ productId: 'p', quantity: 2, billingTerm: 'biennial', subscriptionId: null }],
    });
    expect(mapPax8Order({ id: 'o', isScheduled: true }, '#1').value.status).toBe('pending');
    expect(mapPax8Order({ id: 'o', lineItems: {} }, '#1').problems).toEqual(['lineItems is not a list']);
  });
});
