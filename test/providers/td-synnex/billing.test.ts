import { beforeEach, describe, expect, it } from 'vitest';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import { defaultTokenStore } from '../../../src/core/auth/token-store.js';
import { UnsupportedOperationError, ValidationError } from '../../../src/core/errors.js';
import { mapIonOrder } from '../../../src/providers/td-synnex/billing-map.js';
import { createTdSynnexClient } from '../../../src/providers/td-synnex/index.js';
import { TD_SYNNEX_SEED_IDS, type TdSynnexFake, createTdSynnexFake } from '../../../src/testing/td-synnex/index.js';
import { useMswServer } from '../../helpers/msw.js';

const server = useMswServer();
let fake: TdSynnexFake;
const REFRESH = 'ion-initial-refresh-token-SECRET-1234';
const contoso = TD_SYNNEX_SEED_IDS.contoso;

beforeEach(() => {
  defaultTokenCache.clear();
  defaultTokenStore.clear();
  fake = createTdSynnexFake({ credentials: { refreshToken: REFRESH } });
  server.use(...fake.handlers);
});

function client(pageSize = 100) {
  return createTdSynnexClient({
    credentials: { refreshToken: REFRESH },
    accountId: fake.credentials.accountId,
    baseUrl: fake.baseUrl,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    pollIntervalMs: 1,
    pageSize,
  });
}

describe('TD SYNNEX orders', () => {
  it("lists a customer's orders with pageSize/pageToken, and every customer's account-wide", async () => {
    const c = client(1);
    await c
      .addSeats({ customerId: contoso, subscriptionId: TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthly }, 1)
      .catch(() => undefined);
    fake.completeAll();
    await c
      .addSeats({ customerId: contoso, subscriptionId: TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthly }, 1)
      .catch(() => undefined);
    const mine = await c.listOrders({ customerId: contoso }).toArray({ limit: 100 });
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine.every((o) => o.provider === 'td-synnex' && o.customerId === contoso)).toBe(true);
    expect(mine[0]!.lines[0]).toMatchObject({ quantity: expect.any(Number) });
    const listing = fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/customers/${contoso}/orders`));
    expect(listing.length).toBeGreaterThanOrEqual(2);
    expect(listing.every((r) => new URLSearchParams(r.query).get('pageSize') === '1')).toBe(true);
    const all = await client().listOrders().toArray({ limit: 1000 });
    expect(all.map((o) => o.id)).toEqual(expect.arrayContaining(mine.map((o) => o.id)));
  });

  it('refuses a bad customer id and what Ion does not give the SDK, before any request', async () => {
    const c = client();
    const before = fake.requests.length;
    expect(() => c.listOrders({ customerId: 'abc' })).toThrow(ValidationError);
    expect(() => c.listInvoices()).toThrow(UnsupportedOperationError);
    expect(() => c.listInvoiceLines({ draft: true })).toThrow(UnsupportedOperationError);
    await expect(c.getProductPricing('x')).rejects.toThrow(UnsupportedOperationError);
    expect(fake.requests.length).toBe(before);
  });

  it('maps odd but legal orders: id from name, every status, lines without a plan', () => {
    const m = mapIonOrder(
      {
        name: 'accounts/1/customers/2/orders/77',
        status: 'on_hold',
        createTime: '2026-03-01T10:00:00Z',
        orderItems: [{ productId: 'P', skuId: 'S', resourceId: 'R', quantity: '3', action: 'UPDATE' }],
      },
      '#1',
    );
    expect(m.problems).toEqual([]);
    expect(m.value).toMatchObject({
      id: '77',
      status: 'pending',
      lines: [{ productId: 'P/S', subscriptionId: 'R', quantity: 3 }],
    });
    const statuses = ['NEW', 'COMPLETED', 'ERROR', 'CANCELED', 'PAUSED'].map(
      (status) => mapIonOrder({ orderId: '1', status }, '#1').value.status,
    );
    expect(statuses).toEqual(['pending', 'completed', 'failed', 'cancelled', 'unknown']);
    expect(mapIonOrder({}, '#9').value.id).toBe('(no order id: #9)');
  });
});
