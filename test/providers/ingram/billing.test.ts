/** Issue 18: Ingram Micro orders, product pricing and auto-renew, through the public API against the msw fake. */
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import { NotFoundError, UnsupportedOperationError } from '../../../src/core/errors.js';
import { createIngramClient } from '../../../src/providers/ingram/index.js';
import { INGRAM_SEED_IDS, type IngramFake, createIngramFake } from '../../../src/testing/ingram/index.js';
import { useMswServer } from '../../helpers/msw.js';

const server = useMswServer();
let fake: IngramFake;
const contoso = INGRAM_SEED_IDS.contoso;
const annualRef = { customerId: contoso, subscriptionId: INGRAM_SEED_IDS.contosoM365BusinessPremiumAnnual };

function client(pageSize = 100) {
  return createIngramClient({
    credentials: { ...fake.credentials },
    marketplace: fake.credentials.marketplace,
    region: fake.region,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    pageSize,
  });
}

describe('Ingram billing reads against the fake', () => {
  beforeEach(() => {
    defaultTokenCache.clear();
    fake = createIngramFake();
    server.use(...fake.handlers);
  });

  it("lists a customer's orders across pages", async () => {
    const c = client(2);
    await c.addSeats(annualRef, 1).catch(() => undefined);
    const orders = await c.listOrders({ customerId: contoso }).toArray({ limit: 100 });
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.every((o) => o.customerId === contoso && o.provider === 'ingram')).toBe(true);
    const pages = fake.requests.filter(
      (r) => r.method === 'GET' && r.path === '/orders' && /customerId=/.test(r.query),
    );
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(orders.length / 2));
  });

  it("reads one MPN's price and cost; an unknown MPN is NotFoundError", async () => {
    const c = client();
    const [product] = await c.listProducts().toArray({ limit: 1 });
    const pricing = await c.getProductPricing(product!.id);
    expect(pricing).toMatchObject({ provider: 'ingram', productId: product!.id, customerId: null });
    expect(pricing.prices[0]).toMatchObject({
      billingTerm: product!.offers![0]!.billingTerm,
      commitmentTerm: product!.offers![0]!.commitmentTerm,
      price: product!.offers![0]!.price,
      cost: product!.offers![0]!.cost,
    });
    await expect(c.getProductPricing('NO-SUCH-MPN')).rejects.toThrow(NotFoundError);
  });

  it('turns auto-renew off (renewalStatus) and reports invoices and usage unsupported before any request', async () => {
    const c = client();
    const result = await c.setAutoRenew(annualRef, false);
    expect(result).toMatchObject({ provider: 'ingram', before: true, after: false, outcome: 'applied' });
    expect(fake.state.subscriptions.get(annualRef.subscriptionId)!.subscription.renewalStatus).toBe(false);
    fake.requests.length = 0;
    expect(() => c.listInvoices()).toThrow(UnsupportedOperationError);
    expect(() => c.listInvoiceLines({ draft: true })).toThrow(UnsupportedOperationError);
    expect(() => c.listUsage({ customerId: contoso })).toThrow(UnsupportedOperationError);
    expect(fake.requests).toHaveLength(0);
  });
});
