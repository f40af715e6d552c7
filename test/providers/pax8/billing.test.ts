import { beforeEach, describe, expect, it } from 'vitest';
import { UnsupportedOperationError, ValidationError, type WarningEvent } from '../../../src/index.js';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import { createPax8Client } from '../../../src/providers/pax8/index.js';
import { PAX8_SEED_IDS, type Pax8Fake, createPax8Fake } from '../../../src/testing/index.js';
import { useMswServer } from '../../helpers/msw.js';

const server = useMswServer();
let fake: Pax8Fake;

function client() {
  return createPax8Client({
    credentials: fake.credentials,
    baseUrl: fake.baseUrl,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
}

const contoso = PAX8_SEED_IDS.contoso;
const ids = PAX8_SEED_IDS.subscriptions;
const apiRequests = (path: string) => fake.requests.filter((r) => r.path.startsWith(path));

beforeEach(() => {
  defaultTokenCache.clear();
  fake = createPax8Fake();
  server.use(...fake.handlers);
});

describe('Pax8 billing reads against the fake', () => {
  it('lists invoices across several pages, newest first, and filters by customer and dates', async () => {
    const c = client();
    const pages: number[] = [];
    for await (const page of c.listInvoices().byPage()) pages.push(page.items.length);
    expect(pages.length).toBeGreaterThan(1);
    expect(apiRequests('/invoices').map((r) => new URLSearchParams(r.query).get('page'))).toEqual(
      pages.map((_, i) => String(i)),
    );
    const all = await c.listInvoices().toArray({ limit: Number.POSITIVE_INFINITY });
    expect(new Set(all.map((i) => i.id)).size).toBe(all.length);
    const mine = await c.listInvoices({ customerId: contoso }).toArray({ limit: 100 });
    expect(mine).toHaveLength(4);
    expect(mine.every((i) => i.customerId === contoso)).toBe(true);
    expect(mine.map((i) => i.invoiceDate)).toEqual([...mine.map((i) => i.invoiceDate)].sort().reverse());
    expect(mine[0]).toMatchObject({ provider: 'pax8', status: 'open', rawStatus: 'Unpaid' });
    expect(mine[1]).toMatchObject({ status: 'paid', balance: { amount: 0, currency: 'USD' } });
    const newest = mine[0]!.invoiceDate!;
    const only = await c.listInvoices({ customerId: contoso, from: newest, to: newest }).toArray({ limit: 10 });
    expect(only.map((i) => i.invoiceDate)).toEqual([newest]);
    const q = new URLSearchParams(apiRequests('/invoices').at(-1)!.query);
    expect(q.get('invoiceDateRangeStart')).toBe(newest);
    expect(q.get('companyId')).toBe(contoso);
  });

  it("lists an invoice's lines matching the customer's subscriptions (quantity, price, cost)", async () => {
    const c = client();
    const [invoice] = await c.listInvoices({ customerId: contoso }).toArray({ limit: 1 });
    const lines = await c.listInvoiceLines({ invoiceId: invoice!.id }).toArray({ limit: 100 });
    const annual = lines.find((l) => l.subscriptionId === ids.contosoBusinessPremiumAnnual);
    const sub = fake.getSubscription(ids.contosoBusinessPremiumAnnual)!;
    expect(annual).toMatchObject({
      provider: 'pax8',
      invoiceId: invoice!.id,
      customerId: contoso,
      customerName: 'Contoso Ltd',
      chargeType: 'recurring',
      quantity: 80,
      billingTerm: 'annual',
      unitPrice: { amount: sub.price, currency: 'USD' },
      unitCost: { amount: sub.partnerCost, currency: 'USD' },
    });
    expect(annual!.total!.amount).toBeCloseTo(sub.partnerCost * 80, 2);
    const total = lines.reduce((s, l) => s + (l.total?.amount ?? 0), 0);
    expect(total).toBeCloseTo(invoice!.total!.amount, 2);
  });

  it('lists the draft lines of the current month, for every customer (several pages) or one', async () => {
    const c = client();
    const pages: number[] = [];
    for await (const page of c.listInvoiceLines({ draft: true }).byPage()) pages.push(page.items.length);
    expect(pages.length).toBeGreaterThan(1);
    const mine = await c.listInvoiceLines({ draft: true, customerId: contoso }).toArray({ limit: 100 });
    expect(mine.map((l) => l.subscriptionId).sort()).toEqual(
      [
        ids.contosoBusinessPremiumAnnual,
        ids.contosoBusinessPremiumMonthly,
        ids.contosoExchangeOnlinePlan1,
        ids.contosoE3,
      ].sort(),
    );
    expect(mine.every((l) => l.invoiceId === null)).toBe(true);
    const q = new URLSearchParams(apiRequests('/invoices/draftItems').at(-1)!.query);
    expect(q.get('monthOffset')).toBe('0');
    expect(q.get('companyId')).toBe(contoso);
  });

  it("reads a product's pricing per billing term, commitment and quantity range", async () => {
    const pricing = await client().getProductPricing(PAX8_SEED_IDS.products.businessPremium, { customerId: contoso });
    expect(pricing).toMatchObject({
      provider: 'pax8',
      productId: PAX8_SEED_IDS.products.businessPremium,
      customerId: contoso,
    });
    expect(pricing.prices.length).toBeGreaterThan(0);
    const terms = new Set(pricing.prices.map((p) => `${p.billingTerm}/${p.commitmentTerm}`));
    expect(terms.has('annual/P1Y')).toBe(true);
    const sub = fake.getSubscription(ids.contosoBusinessPremiumAnnual)!;
    const annual = pricing.prices.find((p) => p.billingTerm === 'annual' && p.commitmentTerm === 'P1Y');
    expect(annual?.cost?.amount).toBe(sub.partnerCost);
    expect(annual?.price?.amount).toBe(sub.price);
    expect(new URLSearchParams(apiRequests('/products').at(-1)!.query).get('companyId')).toBe(contoso);
  });

  it('lists orders, and one customer’s orders', async () => {
    const c = client();
    await c.purchase({
      customerId: contoso,
      productId: PAX8_SEED_IDS.products.teamsEssentials,
      quantity: 3,
      billingTerm: 'monthly',
    });
    const orders = await c.listOrders({ customerId: contoso }).toArray({ limit: 10 });
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ provider: 'pax8', customerId: contoso, status: 'completed' });
    expect(orders[0]!.lines[0]).toMatchObject({
      productId: PAX8_SEED_IDS.products.teamsEssentials,
      quantity: 3,
      billingTerm: 'monthly',
    });
    expect(new URLSearchParams(apiRequests('/orders').at(-1)!.query).get('companyId')).toBe(contoso);
  });

  it('lists usage summaries of a customer (subscription by subscription) and daily lines for a range', async () => {
    const c = client();
    const usageSub = fake.subscriptions.find(
      (s) => fake.getProduct(s.productId)?.product.vendorName === 'Acronis' && s.status === 'Active',
    )!;
    const summaries = await c.listUsage({ customerId: usageSub.companyId }).toArray({ limit: 100 });
    expect(summaries.some((u) => u.subscriptionId === usageSub.id)).toBe(true);
    expect(summaries.every((u) => u.customerId === usageSub.companyId)).toBe(true);
    const today = new Date().toISOString().slice(0, 10);
    const lines = await c.listUsage({ subscriptionId: usageSub.id, from: today, to: today }).toArray({ limit: 10 });
    expect(lines).toEqual([
      expect.objectContaining({
        subscriptionId: usageSub.id,
        periodStart: today,
        unit: 'GB',
        quantity: usageSub.quantity * 10,
      }),
    ]);
    const lineReq = apiRequests('/usage-summaries').at(-1)!;
    expect(new URLSearchParams(lineReq.query).get('usageDate')).toBe(today);
  });

  it('refuses usage reads it cannot scope, before any request', async () => {
    const c = client();
    expect(() => c.listUsage()).toThrow(ValidationError);
    expect(() => c.listUsage({ subscriptionId: ids.contosoE3, from: '2026-01-01', to: '2026-03-01' })).toThrow(
      /at most 31 days/,
    );
    expect(() => c.listUsage({ subscriptionId: ids.contosoE3, from: '2026-01-01' })).toThrow(ValidationError);
    await expect(c.setAutoRenew({ customerId: contoso, subscriptionId: ids.contosoE3 }, false)).rejects.toThrow(
      UnsupportedOperationError,
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('returns an odd invoice line with what could be read and warns, without failing the page', async () => {
    const c = client();
    const warnings: WarningEvent[] = [];
    c.on('warning', (w) => warnings.push(w));
    const [invoice] = await c.listInvoices({ customerId: contoso }).toArray({ limit: 1 });
    const { http, HttpResponse } = await import('msw');
    server.use(
      http.get(`${fake.baseUrl}/invoices/:id/items`, () =>
        HttpResponse.json({
          content: [
            {
              id: 'a',
              quantity: 'lots',
              price: 5,
              currencyCode: 'EUR',
              startPeriod: 'soon',
              term: 'Biennial-ish',
              // An answer echoing the client's credentials: the flagged record's raw must not hand them over.
              description: `echo ${fake.credentials.clientSecret}`,
            },
            { id: 'b', quantity: 2, price: '7.5', cost: 6, currencyCode: 'EUR', type: 'subscription', term: 'Monthly' },
          ],
          page: { size: 200, totalElements: 2, totalPages: 1, number: 0 },
        }),
      ),
    );
    const lines = await c.listInvoiceLines({ invoiceId: invoice!.id }).toArray({ limit: 10 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      id: 'a',
      quantity: null,
      periodStart: null,
      billingTerm: 'unknown',
      unitPrice: { amount: 5, currency: 'EUR' },
    });
    expect(lines[1]).toMatchObject({
      id: 'b',
      quantity: 2,
      unitPrice: { amount: 7.5, currency: 'EUR' },
      chargeType: 'recurring',
    });
    expect(warnings.filter((w) => w.code === 'odd-record')).toHaveLength(1);
    // Reported once: the provider's generic pager, seeing the flag, does not warn about the same line again.
    expect(warnings.filter((w) => w.code === 'record-unreadable')).toHaveLength(0);
    // The odd line itself is flagged (as subscriptions are), the readable one is not.
    expect(lines[0]!.problems?.map((p) => p.field)).toEqual(expect.arrayContaining(['quantity', 'startPeriod']));
    expect(lines[1]).not.toHaveProperty('problems');
    expect(JSON.stringify(lines[0]!.raw)).not.toContain(fake.credentials.clientSecret);
    expect(JSON.stringify(lines[0]!.raw)).toContain('[REDACTED]');
    expect(warnings[0]!.message).toMatch(
      /an invoice item \(a\) the SDK could only partly read: startPeriod is not a date; quantity is not a number/,
    );
  });
});
