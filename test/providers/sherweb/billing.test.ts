import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import { ResponseValidationError, UnsupportedOperationError, ValidationError } from '../../../src/core/errors.js';
import type { WarningEvent } from '../../../src/core/events.js';
import { mapSherwebCharge } from '../../../src/providers/sherweb/billing-map.js';
import { createSherwebClient } from '../../../src/providers/sherweb/index.js';
import { SHERWEB_SEED_IDS, type SherwebFake, createSherwebFake } from '../../../src/testing/sherweb/index.js';
import { useMswServer } from '../../helpers/msw.js';

const server = useMswServer();
let fake: SherwebFake;
const contoso = SHERWEB_SEED_IDS.contoso;

beforeEach(() => {
  defaultTokenCache.clear();
  fake = createSherwebFake();
  server.use(...fake.handlers);
});

function client() {
  return createSherwebClient({
    credentials: { ...fake.credentials },
    baseUrl: fake.baseUrl,
    tokenUrl: fake.tokenUrl,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
}

const charges = () => fake.requests.filter((r) => r.path.startsWith('/billing/receivable-charges'));

describe('Sherweb billing reads against the fake', () => {
  it("lists a customer's receivable charges of the current period, matching its subscriptions", async () => {
    const c = client();
    const lines = await c.listInvoiceLines({ draft: true, customerId: contoso }).toArray({ limit: 100 });
    const subs = await c.listSubscriptions({ customerId: contoso }).toArray({ limit: 100 });
    const monthly = subs.find((s) => s.id === SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly)!;
    const line = lines.find((l) => l.sku === monthly.sku && l.quantity === monthly.quantity);
    expect(line).toMatchObject({
      provider: 'sherweb',
      invoiceId: null,
      customerId: contoso,
      chargeType: 'recurring',
      billingTerm: 'monthly',
      unitCost: null,
    });
    expect(line!.unitPrice!.currency).toMatch(/^[A-Z]{3}$/);
    expect(line!.periodStart).toMatch(/^\d{4}-\d{2}-01$/);
    expect(new URLSearchParams(charges()[0]!.query).get('customerId')).toBe(contoso);
  });

  it('without a customer, reads every customer, one page each', async () => {
    const c = client();
    let pages = 0;
    for await (const _ of c.listInvoiceLines({ draft: true }).byPage()) pages += 1;
    const customers = await c.listCustomers().toArray({ limit: 1000 });
    expect(charges()).toHaveLength(customers.length);
    expect(pages).toBeGreaterThanOrEqual(customers.length);
  });

  it('refuses what Sherweb does not publish, before any request', async () => {
    const c = client();
    expect(() => c.listInvoices()).toThrow(UnsupportedOperationError);
    expect(() => c.listInvoiceLines({ invoiceId: 'x' })).toThrow(UnsupportedOperationError);
    expect(() => c.listUsage({ customerId: contoso })).toThrow(UnsupportedOperationError);
    expect(() => c.listOrders()).toThrow(UnsupportedOperationError);
    await expect(c.getProductPricing('sku')).rejects.toThrow(UnsupportedOperationError);
    await expect(c.setAutoRenew({ customerId: contoso, subscriptionId: contoso }, false)).rejects.toThrow(
      UnsupportedOperationError,
    );
    expect(() => c.listInvoiceLines({ draft: true, customerId: 'nope' })).toThrow(ValidationError);
    expect(fake.requests).toHaveLength(0);
  });

  it('an answer without charges (PSA integration on) fails the read with a hint; odd charges are kept', async () => {
    const c = client();
    const warnings: WarningEvent[] = [];
    c.on('warning', (w) => warnings.push(w));
    server.use(http.get(`${fake.baseUrl}/billing/receivable-charges`, () => HttpResponse.json({ message: 'PSA' })));
    await expect(c.listInvoiceLines({ draft: true, customerId: contoso }).toArray({ limit: 1 })).rejects.toThrow(
      ResponseValidationError,
    );
    server.use(
      http.get(`${fake.baseUrl}/billing/receivable-charges`, () =>
        HttpResponse.json({
          periodFrom: '2026-03-01',
          periodTo: '2026-03-31',
          charges: [{ sku: 'X', quantity: 'many', costPrice: 3, currency: 'Undefined', chargeType: 'Usage' }],
        }),
      ),
    );
    const [odd] = await c.listInvoiceLines({ draft: true, customerId: contoso }).toArray({ limit: 1 });
    expect(odd).toMatchObject({
      quantity: null,
      chargeType: 'usage',
      unitPrice: { amount: 3, currency: null },
      total: null,
      periodStart: '2026-03-01',
    });
    expect(warnings.map((w) => w.code)).toEqual(['odd-record']);
  });
});

describe('Sherweb charge mapper', () => {
  it('setup, prorated recurring, yearly and unknown charge types; currencies as Sherweb spells them', () => {
    const m = (raw: Record<string, unknown>) => mapSherwebCharge(raw, 'c', { from: null, to: null }).value;
    expect(m({ chargeType: 'Setup', billingCycleType: 'OneTime' })).toMatchObject({
      chargeType: 'one-time',
      billingTerm: 'one-time',
    });
    expect(
      m({ chargeType: 'Recurring', costPrice: 10, costPriceProrated: 5, quantity: 3, currency: 'Cad' }),
    ).toMatchObject({
      chargeType: 'prorated',
      total: { amount: 15, currency: 'CAD' },
      unitPrice: { amount: 10, currency: 'CAD' },
    });
    expect(m({ chargeType: 'Recurring', billingCycleType: 'Yearly' })).toMatchObject({
      chargeType: 'recurring',
      billingTerm: 'annual',
    });
    expect(m({ chargeType: 'Unknown', productName: 'P', chargeName: 'Fee' })).toMatchObject({
      chargeType: 'other',
      description: 'P - Fee',
    });
  });
});
