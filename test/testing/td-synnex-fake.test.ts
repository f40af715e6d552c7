import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  TD_SYNNEX_CATALOG,
  TD_SYNNEX_DEFAULT_BASE_URL,
  TD_SYNNEX_SEED_IDS,
  type IonCustomer,
  type IonOrder,
  type IonSubscription,
  type TdSynnexFake,
  createTdSynnexFake,
} from '../../src/testing/td-synnex/index.js';

const BASE = TD_SYNNEX_DEFAULT_BASE_URL;
const START = Date.parse('2025-03-10T12:00:00Z');
let t = START;
let fake: TdSynnexFake;
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
afterEach(() => server.resetHandlers());

function makeFake(opts: Parameters<typeof createTdSynnexFake>[0] = {}): TdSynnexFake {
  t = START;
  const f = createTdSynnexFake({ now: () => new Date(t), ...opts });
  server.use(...f.handlers);
  return f;
}

beforeEach(() => {
  fake = makeFake();
});

async function refresh(refreshToken: string): Promise<Response> {
  return fetch(`${BASE}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });
}

async function accessToken(): Promise<string> {
  const res = await refresh(fake.currentRefreshToken());
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

const A = () => `${BASE}/api/v3/accounts/${fake.credentials.accountId}`;

async function api(token: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return fetch(`${A()}${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

const seatOrder = (
  resourceId: string,
  planId: string,
  quantity: number,
  extra: { name: string; value: string }[] = [],
) => ({
  orderItems: [
    {
      action: 'UPDATE',
      resourceId,
      productId: TD_SYNNEX_CATALOG.microsoft365,
      skuId: TD_SYNNEX_CATALOG.businessPremium,
      planId,
      quantity,
      attributes: [{ name: 'operations', value: 'updatesubscription' }, ...extra],
    },
  ],
});

async function getSub(token: string, id: string): Promise<IonSubscription> {
  const res = await api(token, `/customers/${TD_SYNNEX_SEED_IDS.contoso}/subscriptions/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as IonSubscription;
}

describe('TD SYNNEX fake: OAuth refresh-token rotation', () => {
  it('returns a new access token and a new refresh token; the old refresh token is single-use', async () => {
    const first = fake.credentials.refreshToken;
    const res = await refresh(first);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ expires_in: 7200, token_type: 'Bearer' });
    expect(body.refresh_token).not.toBe(first);
    expect(fake.currentRefreshToken()).toBe(body.refresh_token);
    const reused = await refresh(first);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toEqual({ error: 'cannot validate token: redis: nil' });
    expect((await refresh(String(body.refresh_token))).status).toBe(200);
    expect(fake.refreshCount).toBe(2);
    expect(fake.issuedTokens).toBe(2);
  });

  it('refuses a JSON body and a wrong grant type', async () => {
    const json = await fetch(`${BASE}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: fake.currentRefreshToken() }),
    });
    expect(json.status).toBe(400);
    const grant = await fetch(`${BASE}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(grant.status).toBe(400);
    expect(fake.refreshCount).toBe(0);
  });

  it('expires access tokens after 7200 s and refresh tokens after 32 days', async () => {
    const token = await accessToken();
    t += 7_199_000;
    expect((await api(token, '/customers?pageSize=1')).status).toBe(200);
    t += 2_000;
    const expired = await api(token, '/customers?pageSize=1');
    expect(expired.status).toBe(403);
    expect(await expired.json()).toMatchObject({ error: 'PERMISSION_DENIED', code: 403 });
    t += 32 * 86_400_000;
    expect((await refresh(fake.currentRefreshToken())).status).toBe(400);
  });

  it('reports token lifetimes on validateAccess', async () => {
    const token = await accessToken();
    t += 1_000;
    const res = await fetch(`${BASE}/oauth/validateAccess`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: token }).toString(),
    });
    expect(await res.json()).toEqual({ access_expires_in: 7199, refresh_expires_in: 32 * 86_400 - 1 });
  });

  it('refuses a missing bearer, a foreign account, and can answer 401 instead of 403', async () => {
    const token = await accessToken();
    const none = await fetch(`${A()}/customers?pageSize=5`);
    expect(none.status).toBe(403);
    const other = await fetch(`${BASE}/api/v3/accounts/99999/customers?pageSize=5`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(await other.json()).toMatchObject({ message: 'permission denied to access accounts/99999' });
    fake = makeFake({ authFailureStatus: 401 });
    const res = await fetch(`${A()}/customers?pageSize=5`, { headers: { Authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
  });

  it('expireAllTokens() ends access tokens but a refresh still works', async () => {
    const token = await accessToken();
    fake.expireAllTokens();
    expect((await api(token, '/customers?pageSize=1')).status).toBe(403);
    const again = await accessToken();
    expect((await api(again, '/customers?pageSize=1')).status).toBe(200);
  });
});

describe('TD SYNNEX fake: reads and paging', () => {
  it('requires pageSize or pageToken on customers', async () => {
    const token = await accessToken();
    const res = await api(token, '/customers');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: 'INVALID_REQUEST',
      message: 'At least one of page_size and page_token must be present',
      code: 400,
      details: [{ '@type': 'type.googleapis.com/google.rpc.RequestInfo' }],
    });
  });

  it('pages customers with pageToken; ids come from name', async () => {
    const token = await accessToken();
    const all: IonCustomer[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const qs = new URLSearchParams({ pageSize: '10', ...(pageToken ? { pageToken } : {}) });
      const body = (await (await api(token, `/customers?${qs}`)).json()) as {
        customers: IonCustomer[];
        nextPageToken: string;
      };
      all.push(...body.customers);
      pageToken = body.nextPageToken;
      pages += 1;
    } while (pageToken);
    expect(all).toHaveLength(31);
    expect(pages).toBe(4);
    const contoso = all.find((c) => c.customerOrganization === 'Contoso Ltd')!;
    expect(contoso.name).toBe(`accounts/${fake.credentials.accountId}/customers/${TD_SYNNEX_SEED_IDS.contoso}`);
    expect('id' in contoso).toBe(false);
    expect((await api(token, '/customers?pageToken=garbage')).status).toBe(400);
    expect((await api(token, '/customers/123')).status).toBe(404);
  });

  it('pages subscriptions with offset; seats are strings, statuses lower case', async () => {
    const token = await accessToken();
    const first = (await (await api(token, '/subscriptions?pagination.limit=40&pagination.offset=0')).json()) as {
      items: IonSubscription[];
      totalCount: string;
      paginationResponse: { totalSize: number };
    };
    expect(first.items).toHaveLength(40);
    expect(first.paginationResponse.totalSize).toBeGreaterThanOrEqual(100);
    expect(first.totalCount).toBe(String(first.paginationResponse.totalSize));
    const contoso = (await (await api(token, `/subscriptions?customerId=${TD_SYNNEX_SEED_IDS.contoso}`)).json()) as {
      items: IonSubscription[];
    };
    const annual = contoso.items.find((s) => s.id === TD_SYNNEX_SEED_IDS.contosoBusinessPremiumAnnual)!;
    const monthly = contoso.items.find((s) => s.id === TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthly)!;
    expect(annual).toMatchObject({
      subscriptionTotalLicenses: '80',
      subscriptionBillingTerm: 'P1Y',
      subscriptionStatus: 'active',
    });
    expect(monthly).toMatchObject({ subscriptionTotalLicenses: '20', subscriptionBillingTerm: 'P1M' });
    const cancelled = (await (await api(token, '/subscriptions?subscriptionStatus=CANCELLED')).json()) as {
      items: IonSubscription[];
    };
    expect(cancelled.items.length).toBeGreaterThan(0);
    expect(cancelled.items.every((s) => s.subscriptionStatus === 'cancelled')).toBe(true);
  });

  it('gets one subscription by its internal id, with activity logs; 404 otherwise', async () => {
    const token = await accessToken();
    const sub = (await getSub(token, TD_SYNNEX_SEED_IDS.contosoBusinessPremiumAnnual)) as IonSubscription & {
      activityLogs: { totalCount: string; items: unknown[] };
    };
    expect(sub.subscriptionId).toBe(TD_SYNNEX_SEED_IDS.contosoBusinessPremiumAnnualResourceId);
    expect(sub.activityLogs.totalCount).toBe('1');
    const missing = await api(token, `/customers/${TD_SYNNEX_SEED_IDS.contoso}/subscriptions/1`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'NOT_FOUND', message: 'Subscription 1 not found' });
  });

  it('lists products with token paging and an mfgPartNumber filter', async () => {
    const token = await accessToken();
    const res = (await (await api(token, '/products?pageSize=1')).json()) as {
      products: { name: string; definition: { skus: { id: string; plans: { id: string }[] }[] } }[];
      nextPageToken: string;
    };
    expect(res.products).toHaveLength(1);
    expect(res.nextPageToken).not.toBe('');
    const byMpn = (await (
      await api(token, '/products?pageSize=10&filter.mfgPartNumber=CFQ7TTC0LCHC:0002:P1Y:M')
    ).json()) as {
      products: { name: string }[];
    };
    expect(byMpn.products.map((p) => p.name)).toEqual([
      `accounts/${fake.credentials.accountId}/products/${TD_SYNNEX_CATALOG.microsoft365}`,
    ]);
  });
});

describe('TD SYNNEX fake: orders', () => {
  it('changes seats through an UPDATE order that completes per clock', async () => {
    fake = makeFake({ orderStartMs: 1_000, orderCompletionMs: 10_000 });
    const token = await accessToken();
    const res = await api(token, `/customers/${TD_SYNNEX_SEED_IDS.contoso}/orders`, {
      method: 'POST',
      body: seatOrder(
        TD_SYNNEX_SEED_IDS.contosoBusinessPremiumAnnualResourceId,
        TD_SYNNEX_CATALOG.businessPremiumAnnualPlan,
        85,
      ),
    });
    expect(res.status).toBe(200);
    const order = (await res.json()) as IonOrder;
    expect(order.status).toBe('NEW');
    expect(order.name).toBe(
      `accounts/${fake.credentials.accountId}/customers/${TD_SYNNEX_SEED_IDS.contoso}/orders/${order.orderId}`,
    );
    expect(fake.quantityOf(TD_SYNNEX_SEED_IDS.contosoBusinessPremiumAnnual)).toBe(80);
    t += 2_000;
    const mid = (await (await api(token, `/customers/-/orders/${order.orderId}`)).json()) as IonOrder;
    expect(mid.status).toBe('IN_PROGRESS');
    t += 9_000;
    const done = (await (
      await api(token, `/customers/${TD_SYNNEX_SEED_IDS.contoso}/orders/${order.orderId}`)
    ).json()) as IonOrder;
    expect(done.status).toBe('COMPLETED');
    expect((await getSub(token, TD_SYNNEX_SEED_IDS.contosoBusinessPremiumAnnual)).subscriptionTotalLicenses).toBe('85');
    expect(fake.appliedWrites).toEqual([expect.objectContaining({ operation: 'CreateOrder', orderId: order.orderId })]);
  });

  it('validates orders with gRPC code 3 and COMM-VL errors', async () => {
    const token = await accessToken();
    const path = `/customers/${TD_SYNNEX_SEED_IDS.contoso}/orders`;
    const noResource = seatOrder('', TD_SYNNEX_CATALOG.businessPremiumAnnualPlan, 85);
    const res = await api(token, path, { method: 'POST', body: noResource });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: number; details: { errors: { code: string }[] }[] };
    expect(body.code).toBe(3);
    expect(body.details[0]?.errors.map((e) => e.code)).toContain('COMM-VL-003');
    const noProduct = { orderItems: [{ action: 'CREATE', skuId: 'x', planId: 'y', quantity: 1, attributes: [] }] };
    const r2 = (await (await api(token, path, { method: 'POST', body: noProduct })).json()) as typeof body;
    expect(r2.details[0]?.errors.map((e) => e.code)).toEqual(['COMM-VL-001']);
    const create = {
      orderItems: [
        {
          action: 'CREATE',
          productId: TD_SYNNEX_CATALOG.microsoft365,
          skuId: TD_SYNNEX_CATALOG.businessPremium,
          planId: TD_SYNNEX_CATALOG.businessPremiumMonthlyPlan,
          quantity: 3,
          providerName: 'AZURE',
          attributes: [],
        },
      ],
    };
    const r3 = (await (await api(token, path, { method: 'POST', body: create })).json()) as typeof body;
    expect(r3.details[0]?.errors.map((e) => e.code)).toEqual(['COMM-VL-004']);
    const cancelAttempt = seatOrder(
      TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthlyResourceId,
      TD_SYNNEX_CATALOG.businessPremiumMonthlyPlan,
      20,
    );
    cancelAttempt.orderItems[0]!.attributes = [{ name: 'operations', value: 'cancelsubscription' }];
    const r4 = (await (await api(token, path, { method: 'POST', body: cancelAttempt })).json()) as typeof body;
    expect(r4.details[0]?.errors.map((e) => e.code)).toEqual(['COMM-VL-002']);
    expect(fake.appliedWrites).toEqual([]);
  });

  it('purchases with a CREATE order that yields a new subscription', async () => {
    const token = await accessToken();
    const res = await api(token, `/customers/${TD_SYNNEX_SEED_IDS.contoso}/orders`, {
      method: 'POST',
      body: {
        referenceId: 'ref-1',
        orderItems: [
          {
            action: 'CREATE',
            productId: TD_SYNNEX_CATALOG.microsoft365,
            skuId: 'Microsoft-365-E3-n1',
            planId: 'Annual-n31',
            quantity: 4,
            attributes: [{ name: 'domainName', value: 'contosoltd' }],
          },
        ],
      },
    });
    const order = (await res.json()) as IonOrder;
    expect(fake.completeAll()).toBe(1);
    const done = (await (await api(token, `/customers/-/orders/${order.orderId}`)).json()) as IonOrder;
    expect(done.status).toBe('COMPLETED');
    const resourceId = done.orderItems[0]?.resourceId;
    const list = (await (await api(token, `/subscriptions?subscriptionId=${resourceId}`)).json()) as {
      items: IonSubscription[];
    };
    expect(list.items[0]).toMatchObject({ subscriptionTotalLicenses: '4', subscriptionBillingTerm: 'P1Y' });
    expect(done.orderItems[0]?.attributes.some((a) => a.name === 'userName')).toBe(true);
  });

  it('ends a late seat decrease in ERROR; allows it inside the window', async () => {
    const token = await accessToken();
    const path = `/customers/${TD_SYNNEX_SEED_IDS.contoso}/orders`;
    const late = (await (
      await api(token, path, {
        method: 'POST',
        body: seatOrder(
          TD_SYNNEX_SEED_IDS.contosoBusinessPremiumAnnualResourceId,
          TD_SYNNEX_CATALOG.businessPremiumAnnualPlan,
          70,
        ),
      })
    ).json()) as IonOrder;
    const failed = fake.completeOrder(late.orderId);
    expect(failed.status).toBe('ERROR');
    expect(failed.errors[0]?.code).toBe('SEAT_DECREASE_NOT_ALLOWED');
    expect(fake.quantityOf(TD_SYNNEX_SEED_IDS.contosoBusinessPremiumAnnual)).toBe(80);
    const early = (await (
      await api(token, path, {
        method: 'POST',
        body: seatOrder(
          TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthlyResourceId,
          TD_SYNNEX_CATALOG.businessPremiumMonthlyPlan,
          15,
          [{ name: 'renewalSetting', value: 'auto-off' }],
        ),
      })
    ).json()) as IonOrder;
    expect(fake.completeOrder(early.orderId).status).toBe('COMPLETED');
    const monthly = await getSub(token, TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthly);
    expect(monthly).toMatchObject({
      subscriptionTotalLicenses: '15',
      autoRenew: false,
      subscriptionRenewStatus: 'DISABLED',
    });
  });

  it('refuses a second order on the same subscription while one is pending; failOrder() ends it', async () => {
    const token = await accessToken();
    const path = `/customers/${TD_SYNNEX_SEED_IDS.contoso}/orders`;
    const body = seatOrder(
      TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthlyResourceId,
      TD_SYNNEX_CATALOG.businessPremiumMonthlyPlan,
      25,
    );
    const first = (await (await api(token, path, { method: 'POST', body })).json()) as IonOrder;
    const second = await api(token, path, { method: 'POST', body });
    expect(second.status).toBe(412);
    const failed = fake.failOrder(first.orderId, 'Microsoft rejected the request');
    expect(failed).toMatchObject({ status: 'ERROR', errors: [{ detail: 'Microsoft rejected the request' }] });
    expect(fake.quantityOf(TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthly)).toBe(20);
  });

  it('cancels an order only while NEW or ON_HOLD', async () => {
    const token = await accessToken();
    const path = `/customers/${TD_SYNNEX_SEED_IDS.contoso}/orders`;
    const body = seatOrder(
      TD_SYNNEX_SEED_IDS.contosoBusinessPremiumAnnualResourceId,
      TD_SYNNEX_CATALOG.businessPremiumAnnualPlan,
      90,
    );
    const a = (await (await api(token, path, { method: 'POST', body })).json()) as IonOrder;
    fake.holdOrder(a.orderId);
    const cancelled = await api(token, `${path}/${a.orderId}:cancel`, { method: 'POST', body: {} });
    expect(((await cancelled.json()) as IonOrder).status).toBe('CANCELED');
    const b = (await (await api(token, path, { method: 'POST', body })).json()) as IonOrder;
    fake.startOrder(b.orderId);
    const refused = await api(token, `${path}/${b.orderId}:cancel`, { method: 'POST', body: {} });
    expect(refused.status).toBe(412);
    expect(fake.quantityOf(TD_SYNNEX_SEED_IDS.contosoBusinessPremiumAnnual)).toBe(80);
    const list = (await (await api(token, `${path}?pageSize=10`)).json()) as { orders: IonOrder[] };
    expect(list.orders.map((o) => o.orderId)).toEqual([b.orderId, a.orderId]);
    expect((await api(token, `${path}/424242`)).status).toBe(404);
  });

  it('applies an order whose response is lost (client sees a network error)', async () => {
    const token = await accessToken();
    fake.faults.add({ kind: 'response-lost', method: 'POST', path: /\/orders$/, times: 1 });
    await expect(
      api(token, `/customers/${TD_SYNNEX_SEED_IDS.contoso}/orders`, {
        method: 'POST',
        body: seatOrder(
          TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthlyResourceId,
          TD_SYNNEX_CATALOG.businessPremiumMonthlyPlan,
          21,
        ),
      }),
    ).rejects.toThrow();
    expect(fake.appliedWrites).toHaveLength(1);
    const listed = (await (await api(token, '/orders?pageSize=5')).json()) as { orders: IonOrder[] };
    expect(listed.orders).toHaveLength(1);
    fake.completeAll();
    expect(fake.quantityOf(TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthly)).toBe(21);
  });

  it('cancelSubscription() (portal-side) shows up as cancelled', async () => {
    const token = await accessToken();
    fake.cancelSubscription(TD_SYNNEX_SEED_IDS.contosoExchange);
    expect((await getSub(token, TD_SYNNEX_SEED_IDS.contosoExchange)).subscriptionStatus).toBe('cancelled');
  });
});

describe('TD SYNNEX fake: rate limit', () => {
  it('answers 429 RESOURCE_EXHAUSTED with Retry-After once over the limit', async () => {
    fake = makeFake({ rateLimit: { limit: 2, windowMs: 10_000, retryAfter: true } });
    const token = await accessToken();
    expect((await api(token, '/customers?pageSize=1')).status).toBe(200);
    const limited = await api(token, '/customers?pageSize=1');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('10');
    expect(await limited.json()).toMatchObject({ error: 'RESOURCE_EXHAUSTED', code: 429 });
    t += 10_000;
    expect((await api(token, '/customers?pageSize=1')).status).toBe(200);
  });
});
