import { beforeEach, describe, expect, it } from 'vitest';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import { UnsupportedOperationError, ValidationError } from '../../../src/core/errors.js';
import { mapDandhCharge, mapDandhInvoice } from '../../../src/providers/dandh/billing-map.js';
import { createDandhClient } from '../../../src/providers/dandh/index.js';
import { DANDH_SEED_IDS, type DandhFake, createDandhFake } from '../../../src/testing/dandh/index.js';
import { useMswServer } from '../../helpers/msw.js';

const server = useMswServer();
let fake: DandhFake;
const contoso = String(DANDH_SEED_IDS.contoso);

beforeEach(() => {
  defaultTokenCache.clear();
  fake = createDandhFake();
  server.use(...fake.handlers);
});

function client() {
  return createDandhClient({
    credentials: { username: fake.credentials.username, password: fake.credentials.password },
    accountId: fake.credentials.accountId,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    pollIntervalMs: 1,
  });
}

const calls = (method: string) => fake.requests.filter((r) => r.path === `/${method}`);

describe('D&H billing reads against the fake', () => {
  it("lists last month's invoices, one customer's, and a range month by month", async () => {
    const c = client();
    const last = await c.listInvoices().toArray({ limit: 1000 });
    expect(last.length).toBeGreaterThan(1);
    expect(calls('GetLatestInvoices')).toHaveLength(1);
    const mine = await c.listInvoices({ customerId: contoso }).toArray({ limit: 10 });
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ provider: 'dandh', customerId: contoso, status: 'unknown' });
    expect(mine[0]!.id).toMatch(/@\d{4}-\d{2}$/);
    const now = new Date();
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 3, 1)).toISOString().slice(0, 10);
    const pages: number[] = [];
    for await (const page of c.listInvoices({ customerId: contoso, from, to }).byPage()) pages.push(page.items.length);
    expect(calls('GetLatestInvoicesForPeriod').map((r) => r.body)).toEqual([
      { year: Number(to.slice(0, 4)), month: Number(to.slice(5, 7)) },
      expect.objectContaining({}),
      { year: Number(from.slice(0, 4)), month: Number(from.slice(5, 7)) },
    ]);
    // The generator's end is an empty last page (no request).
    expect(pages.at(-1)).toBe(0);
  });

  it("reads an invoice's charges back by its id, matching the subscriptions, and the current preview", async () => {
    const c = client();
    const [invoice] = await c.listInvoices({ customerId: contoso }).toArray({ limit: 1 });
    const lines = await c.listInvoiceLines({ invoiceId: invoice!.id }).toArray({ limit: 100 });
    expect(lines.length).toBeGreaterThan(0);
    const line = lines.find((l) => l.billingTerm === 'monthly') ?? lines[0]!;
    const sub = await c.getSubscription({ customerId: contoso, subscriptionId: line.subscriptionId! });
    expect(line).toMatchObject({ invoiceId: invoice!.id, customerId: contoso, quantity: sub.quantity });
    expect(line.unitCost!.amount).toBeGreaterThan(0);
    const total = lines.reduce((s, l) => s + (l.total?.amount ?? 0), 0);
    expect(total).toBeCloseTo(invoice!.total!.amount, 2);
    const preview = await c.listInvoiceLines({ draft: true, customerId: contoso }).toArray({ limit: 100 });
    expect(preview.every((l) => l.invoiceId === null && l.customerId === contoso)).toBe(true);
    expect(calls('GetPreviewInvoices')).toHaveLength(1);
  });

  it('refuses bad ids and ranges, and what D&H does not have, before any request', async () => {
    const c = client();
    expect(() => c.listInvoiceLines({ invoiceId: 'INV1' })).toThrow(ValidationError);
    expect(() => c.listInvoices({ from: '2020-01-01', to: '2026-01-01' })).toThrow(/at most 24 months/);
    expect(() => c.listInvoices({ from: '2026-01-01' })).toThrow(ValidationError);
    expect(() => c.listOrders()).toThrow(UnsupportedOperationError);
    expect(() => c.listUsage({ customerId: contoso })).toThrow(UnsupportedOperationError);
    await expect(c.getProductPricing('x')).rejects.toThrow(UnsupportedOperationError);
    expect(fake.requests.filter((r) => r.path !== '/Login' && !/token/i.test(r.path))).toHaveLength(0);
  });
});

describe('D&H billing mappers: odd but legal values', () => {
  it('invoice totals only in one currency; charges with dotted intervals and text parameters', () => {
    const inv = {
      BillingInterval: '2/2026',
      InvoiceNumber: '80684183',
      CompanyAccountId: 7,
      Charges: [
        { Costs: 5.4, Currency: 'EUR' },
        { Costs: 1, Currency: 'USD' },
      ],
    };
    expect(mapDandhInvoice(inv, null).value).toMatchObject({
      id: '80684183@2026-02',
      periodStart: '2026-02-01',
      periodEnd: '2026-02-28',
      total: null,
      customerId: '7',
    });
    const line = mapDandhCharge(
      {
        AccountId: 9,
        ActualChargeInterval: '01.01.2021 - 01.02.2021',
        BillableParameter: 'Billing Type=Monthly Number of CSP licenses=2',
        CostsOfUnit: 2.7,
        Costs: 5.4,
        SalesPriceOfUnit: 3.1,
        UDRCValue: 2,
        Currency: 'EUR',
        PriceableItemType: 'Monthly',
      },
      'x@2021-01',
      inv,
    ).value;
    expect(line).toMatchObject({
      subscriptionId: '9',
      periodStart: '2021-01-01',
      periodEnd: '2021-02-01',
      quantity: 2,
      billingTerm: 'monthly',
      chargeType: 'recurring',
      unitPrice: { amount: 3.1, currency: 'EUR' },
      unitCost: { amount: 2.7, currency: 'EUR' },
    });
    expect(mapDandhCharge({ PriceableItemType: 'Setup', UDRCValue: 'two' }, null, {}).value).toMatchObject({
      chargeType: 'one-time',
      quantity: null,
    });
  });
});
