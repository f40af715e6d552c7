import { beforeEach, describe, expect, it } from 'vitest';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import { ReadOnlyError, UnsupportedOperationError, ValidationError } from '../../../src/core/errors.js';
import type { AuditEvent, WarningEvent } from '../../../src/core/events.js';
import {
  type PartnerCenterClientOptions,
  createPartnerCenterClient,
} from '../../../src/providers/partner-center/index.js';
import {
  PARTNER_CENTER_SEED_IDS,
  type PartnerCenterFake,
  createPartnerCenterFake,
} from '../../../src/testing/partner-center/index.js';
import { useMswServer } from '../../helpers/msw.js';

const server = useMswServer();
let fake: PartnerCenterFake;
const ids = PARTNER_CENTER_SEED_IDS;
const contoso = ids.contoso;
const subs = ids.subscriptions;

beforeEach(() => {
  defaultTokenCache.clear();
  fake = createPartnerCenterFake();
  server.use(...fake.handlers);
});

function client(extra: Partial<PartnerCenterClientOptions> = {}) {
  return createPartnerCenterClient({
    credentials: { ...fake.credentials },
    baseUrl: fake.baseUrl,
    tokenUrl: fake.tokenUrl,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    pollIntervalMs: 5,
    ...extra,
  });
}

const apiRequests = (path: string) => fake.requests.filter((r) => r.path.startsWith(path));

describe('Partner Center billing reads against the fake', () => {
  it('lists the partner invoices (every customer on each) and filters them by invoice date', async () => {
    const c = client();
    const invoices = await c.listInvoices().toArray({ limit: 100 });
    expect(invoices).toHaveLength(12);
    expect(invoices[0]).toMatchObject({ provider: 'partner-center', customerId: null, status: 'open' });
    expect(invoices[1]).toMatchObject({ status: 'paid', balance: { amount: 0, currency: 'USD' } });
    expect(invoices[0]!.periodStart).toMatch(/T00:00:00.000Z$/);
    const day = invoices[2]!.invoiceDate!.slice(0, 10);
    const one = await c.listInvoices({ from: day, to: day }).toArray({ limit: 100 });
    expect(one.map((i) => i.id)).toEqual([invoices[2]!.id]);
  });

  it("reads an invoice's reconciliation lines across pages (new commerce and legacy), one customer's too", async () => {
    const c = client();
    const [invoice] = await c.listInvoices().toArray({ limit: 1 });
    const pages: number[] = [];
    for await (const page of c.listInvoiceLines({ invoiceId: invoice!.id }).byPage()) pages.push(page.items.length);
    expect(pages.filter((n) => n > 0).length).toBeGreaterThan(2);
    const next = apiRequests(`/invoices/${invoice!.id}/lineitems`).filter((r) => /seekOperation=Next/i.test(r.query));
    expect(next.length).toBeGreaterThan(0);
    expect(next.every((r) => /provider=onetime/.test(r.query) || r.path.includes('/office/'))).toBe(true);
    const all = await c.listInvoiceLines({ invoiceId: invoice!.id }).toArray({ limit: Number.POSITIVE_INFINITY });
    const total = all.reduce((s, l) => s + (l.total?.amount ?? 0), 0);
    expect(total).toBeCloseTo(invoice!.total!.amount, 2);
    const mine = await c.listInvoiceLines({ invoiceId: invoice!.id, customerId: contoso }).toArray({ limit: 100 });
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((l) => l.customerId === contoso)).toBe(true);
    const monthly = mine.find((l) => l.subscriptionId === subs.contosoBusinessPremiumMonthly);
    expect(monthly).toMatchObject({
      quantity: 20,
      billingTerm: 'monthly',
      chargeType: 'recurring',
      unitPrice: null,
      unitCost: { amount: 26.4, currency: 'USD' },
      total: { amount: 528, currency: 'USD' },
      license: { microsoftProductId: 'CFQ7TTC0LCHC', microsoftSkuId: '0002' },
      productId: 'CFQ7TTC0LCHC:0002',
    });
    const legacy = mine.find((l) => l.subscriptionId === subs.contosoLegacyOffice365E3);
    expect(legacy).toMatchObject({ quantity: 3, chargeType: 'recurring', total: { amount: 60, currency: 'USD' } });
  });

  it('reads the unbilled lines of the current period, taking the currency from the newest invoice', async () => {
    const c = client();
    const lines = await c.listInvoiceLines({ draft: true, customerId: contoso }).toArray({ limit: 100 });
    expect(lines.map((l) => l.subscriptionId)).toContain(subs.contosoBusinessPremiumMonthly);
    expect(lines.every((l) => l.invoiceId === null && l.customerId === contoso)).toBe(true);
    const unbilled = apiRequests('/invoices/unbilled/lineitems')[0]!;
    const q = new URLSearchParams(unbilled.query);
    expect([q.get('currencycode'), q.get('period'), q.get('provider')]).toEqual(['USD', 'current', 'onetime']);
    fake.requests.length = 0;
    await client({ billingCurrency: 'usd' }).listInvoiceLines({ draft: true }).toArray({ limit: 1 });
    expect(apiRequests('/invoices').map((r) => r.path)).toEqual(['/invoices/unbilled/lineitems']);
  });

  it("lists a customer's orders, and every customer's", async () => {
    const c = client();
    await c.purchase({
      customerId: contoso,
      productId: ids.catalogItems.teamsEssentials,
      quantity: 2,
      billingTerm: 'monthly',
    });
    const orders = await c.listOrders({ customerId: contoso }).toArray({ limit: 10 });
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.at(-1)).toMatchObject({ provider: 'partner-center', customerId: contoso });
    expect(orders.at(-1)!.lines[0]).toMatchObject({
      productId: ids.catalogItems.teamsEssentials,
      quantity: 2,
      billingTerm: 'monthly',
    });
    const everyone = await c.listOrders().toArray({ limit: 1000 });
    expect(everyone.map((o) => o.id)).toEqual(expect.arrayContaining(orders.map((o) => o.id)));
  });

  it('refuses what it does not have before any request', async () => {
    const c = client();
    // Usage covers the current billing period only: a date range is refused, not silently ignored.
    expect(() => c.listUsage({ customerId: contoso, to: '2026-10-31' })).toThrow(ValidationError);
    await expect(c.getProductPricing(ids.products.businessPremium)).rejects.toThrow(UnsupportedOperationError);
    expect(() => c.listOrders({ customerId: 'not-a-guid' })).toThrow(ValidationError);
    expect(() => c.listInvoiceLines({ invoiceId: 'x', draft: true })).toThrow(ValidationError);
    expect(() =>
      createPartnerCenterClient({ credentials: { ...fake.credentials }, billingCurrency: 'dollars' }),
    ).toThrow(/billingCurrency/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('Partner Center setAutoRenew against the fake', () => {
  const ref = { customerId: contoso, subscriptionId: subs.contosoBusinessPremiumAnnual };

  it('turns auto-renew off and on, verified by the answer, with an audit event', async () => {
    const c = client();
    const audits: AuditEvent[] = [];
    c.on('audit', (a) => audits.push(a));
    const off = await c.setAutoRenew(ref, false, { actor: 'tester' });
    expect(off).toMatchObject({ before: true, requested: false, after: false, outcome: 'applied' });
    expect(fake.subscription(ref.subscriptionId)?.autoRenewEnabled).toBe(false);
    const again = await c.setAutoRenew(ref, false);
    expect(again.outcome).toBe('unchanged');
    const on = await c.setAutoRenew(ref, true);
    expect(on).toMatchObject({ before: false, after: true, outcome: 'applied' });
    expect(audits.map((a) => a.outcome)).toEqual(['applied', 'unchanged', 'applied']);
    expect(audits[0]).toMatchObject({ operation: 'setAutoRenew', actor: 'tester', requested: false });
    const patch = fake.requests.find((r) => r.method === 'PATCH');
    expect(patch?.body).toMatchObject({ autoRenewEnabled: false });
  });

  it('dry run sends nothing; read-only is refused before any request', async () => {
    const c = client();
    const dry = await c.setAutoRenew(ref, false, { dryRun: true });
    expect(dry).toMatchObject({ outcome: 'dry-run', after: null, checked: { checkedBy: 'sdk' } });
    expect(fake.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
    expect(fake.subscription(ref.subscriptionId)?.autoRenewEnabled).toBe(true);
    fake.requests.length = 0;
    await expect(client({ readOnly: true }).setAutoRenew(ref, false)).rejects.toThrow(ReadOnlyError);
    expect(fake.requests).toHaveLength(0);
  });

  it('warns about invoice lines it does not read', async () => {
    const c = client();
    const warnings: WarningEvent[] = [];
    c.on('warning', (w) => warnings.push(w));
    const [invoice] = await c.listInvoices().toArray({ limit: 1 });
    const { http, HttpResponse } = await import('msw');
    server.use(
      http.get(`${fake.baseUrl}/invoices/${invoice!.id}`, () =>
        HttpResponse.json({
          ...(invoice!.raw as object),
          invoiceDetails: [
            { invoiceLineItemType: 'billing_line_items', billingProvider: 'one_time' },
            { invoiceLineItemType: 'usage_line_items', billingProvider: 'azure' },
          ],
        }),
      ),
    );
    const lines = await c.listInvoiceLines({ invoiceId: invoice!.id }).toArray({ limit: Number.POSITIVE_INFINITY });
    expect(lines.length).toBeGreaterThan(0);
    expect(warnings.map((w) => w.code)).toEqual(['lines-not-read']);
    expect(warnings[0]!.message).toMatch(/azure usage_line_items/);
  });
});
