import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  PARTNER_CENTER_SEED_IDS,
  type PartnerCenterFake,
  type PartnerCenterFakeOptions,
  createPartnerCenterFake,
} from '../../src/testing/partner-center/index.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const START = Date.parse('2025-06-02T09:00:00Z');
const ids = PARTNER_CENTER_SEED_IDS;
const contoso = ids.contoso;
const subs = ids.subscriptions;

interface Harness {
  fake: PartnerCenterFake;
  clock: { t: number; advance(ms: number): void };
  token(form?: Record<string, string>): Promise<Response>;
  bearer(): Promise<string>;
  api(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
}

function setup(options: PartnerCenterFakeOptions = {}): Harness {
  const clock = {
    t: START,
    advance(ms: number) {
      clock.t += ms;
    },
  };
  const fake = createPartnerCenterFake({ now: () => new Date(clock.t), ...options });
  server.use(...fake.handlers);
  const token = (form: Record<string, string> = {}) =>
    fetch(fake.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: fake.credentials.clientId,
        client_secret: fake.credentials.clientSecret,
        resource: 'https://api.partnercenter.microsoft.com',
        ...form,
      }),
    });
  let cached: string | undefined;
  const bearer = async () => {
    if (!cached) cached = ((await (await token()).json()) as { access_token: string }).access_token;
    return cached;
  };
  const api = async (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    fetch(`${fake.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        Authorization: `Bearer ${await bearer()}`,
        Accept: 'application/json',
        'MS-RequestId': crypto.randomUUID(),
        'MS-CorrelationId': crypto.randomUUID(),
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  return { fake, clock, token, bearer, api };
}

type Json = Record<string, unknown>;
const json = async (res: Response) => (await res.json()) as Json;

describe('Partner Center fake: Entra v1 token endpoint', () => {
  it('issues app-only tokens with v1 string numbers', async () => {
    const h = setup();
    const res = await h.token();
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe('3599');
    expect(body.resource).toBe('https://api.partnercenter.microsoft.com');
    expect(typeof body.access_token).toBe('string');
    expect(h.fake.issuedTokens).toBe(1);
  });

  it('refuses a wrong secret, client id, tenant and grant the Entra way', async () => {
    const h = setup();
    const bad = await h.token({ client_secret: 'nope' });
    expect(bad.status).toBe(401);
    const badBody = await json(bad);
    expect(badBody.error).toBe('invalid_client');
    expect(badBody.error_codes).toEqual([7000215]);
    expect(String(badBody.error_description)).toMatch(/^AADSTS7000215:/);

    expect((await json(await h.token({ client_id: 'other' }))).error).toBe('unauthorized_client');
    expect((await json(await h.token({ grant_type: 'password' }))).error).toBe('unsupported_grant_type');
    expect((await json(await h.token({ resource: 'https://example.com' }))).error).toBe('invalid_resource');
    const wrongTenant = await fetch(h.fake.tokenUrl.replace('fake-partner-tenant', 'someone-else'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(wrongTenant.status).toBe(400);
    expect((await json(wrongTenant)).error_codes).toEqual([90002]);
    expect(h.fake.issuedTokens).toBe(0);
  });

  it('exchanges the app+user refresh token and hands out a new one', async () => {
    const h = setup();
    const res = await h.token({ grant_type: 'refresh_token', refresh_token: h.fake.credentials.refreshToken });
    const body = await json(res);
    expect(res.status).toBe(200);
    expect(body.scope).toBe('user_impersonation');
    expect(body.refresh_token).toMatch(/^fake-pc-refresh-/);
    const again = await h.token({ grant_type: 'refresh_token', refresh_token: String(body.refresh_token) });
    expect(again.status).toBe(200);
    const bad = await h.token({ grant_type: 'refresh_token', refresh_token: 'stolen' });
    expect((await json(bad)).error).toBe('invalid_grant');
  });
});

describe('Partner Center fake: API auth and headers', () => {
  it('answers 401 without a token, after expiry and after expireAllTokens()', async () => {
    const h = setup();
    const none = await fetch(`${h.fake.baseUrl}/customers`);
    expect(none.status).toBe(401);
    expect(none.headers.get('WWW-Authenticate')).toMatch(/^OAuth realm=/);
    expect((await h.api('/customers')).status).toBe(200);
    h.clock.advance(3599 * 1000);
    const expired = await h.api('/customers');
    expect(expired.status).toBe(401);
    expect((await json(expired)).description).toMatch(/expired/);

    const h2 = setup();
    expect((await h2.api('/customers')).status).toBe(200);
    h2.fake.expireAllTokens();
    expect((await h2.api('/customers')).status).toBe(401);
  });

  it('refuses tokens for the retired AAD Graph audience', async () => {
    const h = setup();
    const token = (await json(await h.token({ resource: 'https://graph.windows.net' }))).access_token;
    const res = await fetch(`${h.fake.baseUrl}/customers`, { headers: { Authorization: `Bearer ${String(token)}` } });
    expect(res.status).toBe(401);
  });

  it('echoes MS-RequestId and MS-CorrelationId; strictHeaders refuses calls without them', async () => {
    const h = setup();
    const res = await h.api('/customers', { headers: { 'MS-RequestId': 'req-1', 'MS-CorrelationId': 'corr-1' } });
    expect(res.headers.get('MS-RequestId')).toBe('req-1');
    expect(res.headers.get('MS-CorrelationId')).toBe('corr-1');

    const strict = setup({ strictHeaders: true });
    const bare = await fetch(`${strict.fake.baseUrl}/customers`, {
      headers: { Authorization: `Bearer ${await strict.bearer()}` },
    });
    expect(bare.status).toBe(400);
    expect((await json(bare)).code).toBe(800002);
    expect((await strict.api('/customers')).status).toBe(200);
  });
});

describe('Partner Center fake: customers', () => {
  it('pages with size, links.next and the MS-ContinuationToken header', async () => {
    const h = setup();
    const seen: string[] = [];
    let res = await h.api('/customers?size=10');
    let pages = 0;
    for (;;) {
      const body = await json(res);
      pages += 1;
      const items = body.items as { id: string }[];
      expect(body.totalCount).toBe(items.length);
      expect((body.attributes as Json).objectType).toBe('Collection');
      seen.push(...items.map((c) => c.id));
      const next = (body.links as { next?: { uri: string; headers: { key: string; value: string }[] } }).next;
      if (!next) {
        expect(body.continuationToken).toBeUndefined();
        break;
      }
      expect(next.uri).toBe('/customers?size=10&seekOperation=Next');
      expect(body.continuationToken).toBe(next.headers[0]?.value);
      const headers = Object.fromEntries(next.headers.map((x) => [x.key, x.value]));
      res = await h.api(next.uri, { headers });
    }
    expect(pages).toBe(4);
    expect(seen).toHaveLength(31);
    expect(new Set(seen).size).toBe(31);
    expect(seen).toContain(contoso);
  });

  it('refuses a seek without or with a bad continuation token', async () => {
    const h = setup();
    const missing = await h.api('/customers?seekOperation=Next');
    expect(missing.status).toBe(400);
    const body = await json(missing);
    expect(body).toMatchObject({ code: 800002, source: 'PartnerFD' });
    expect(typeof body.description).toBe('string');
    const bad = await h.api('/customers?seekOperation=Next', { headers: { 'MS-ContinuationToken': 'forged' } });
    expect(bad.status).toBe(400);
  });

  it('filters by company name prefix and gets one customer with its billing profile', async () => {
    const h = setup();
    const filter = encodeURIComponent(
      JSON.stringify({ Field: 'CompanyName', Value: 'conto', Operator: 'starts_with' }),
    );
    const list = await json(await h.api(`/customers?size=0&filter=${filter}`));
    expect((list.items as Json[]).map((c) => (c.companyProfile as Json).companyName)).toEqual(['Contoso Ltd']);
    const one = await json(await h.api(`/customers/${contoso}`));
    expect(one.id).toBe(contoso);
    expect((one.companyProfile as Json).tenantId).toBe(contoso);
    expect(one.billingProfile).toBeDefined();
    expect(one.relationshipToPartner).toBe('reseller');
    const missing = await h.api('/customers/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect((await json(missing)).code).toBe(1000);
  });
});

describe('Partner Center fake: subscriptions', () => {
  it('lists the Contoso 80/20 Business Premium split with new-commerce fields', async () => {
    const h = setup();
    const list = await json(await h.api(`/customers/${contoso}/subscriptions`));
    const items = list.items as Json[];
    expect(items).toHaveLength(5);
    expect(list.links).not.toHaveProperty('next');
    const annual = items.find((s) => s.id === subs.contosoBusinessPremiumAnnual) as Json;
    const monthly = items.find((s) => s.id === subs.contosoBusinessPremiumMonthly) as Json;
    expect(annual).toMatchObject({
      offerId: ids.catalogItems.businessPremium,
      quantity: 80,
      termDuration: 'P1Y',
      billingCycle: 'annual',
      status: 'active',
      autoRenewEnabled: true,
      productType: { id: 'OnlineServicesNCE' },
      refundableQuantity: { totalQuantity: 5 },
    });
    expect(monthly).toMatchObject({ quantity: 20, termDuration: 'P1M', billingCycle: 'monthly' });
    expect((monthly.refundableQuantity as Json).totalQuantity).toBe(0);
    expect(annual.commitmentEndDate).toMatch(/T00:00:00Z$/);
    expect(typeof annual.cancellationAllowedUntilDate).toBe('string');
    expect((annual.attributes as Json).objectType).toBe('Subscription');
    const legacy = items.find((s) => s.id === subs.contosoLegacyOffice365E3) as Json;
    expect(legacy.productType).toMatchObject({ id: 'OnlineServices' });
    expect(legacy).not.toHaveProperty('cancellationAllowedUntilDate');
    expect(h.fake.state.subscriptions.size).toBeGreaterThanOrEqual(100);
  });

  it('gets one subscription; unknown ones are 404 with code 20003', async () => {
    const h = setup();
    const one = await json(await h.api(`/customers/${contoso}/subscriptions/${subs.contosoBusinessPremiumMonthly}`));
    expect(one.quantity).toBe(20);
    const missing = await h.api(`/customers/${contoso}/subscriptions/11111111-1111-4111-8111-111111111111`);
    expect(missing.status).toBe(404);
    expect((await json(missing)).code).toBe(20003);
  });

  it('pages subscriptions when subscriptionPageSize is set', async () => {
    const h = setup({ subscriptionPageSize: 2 });
    const first = await json(await h.api(`/customers/${contoso}/subscriptions`));
    expect((first.items as Json[]).length).toBe(2);
    const next = (first.links as { next: { uri: string; headers: { key: string; value: string }[] } }).next;
    const second = await json(
      await h.api(next.uri, { headers: { 'MS-ContinuationToken': next.headers[0]?.value ?? '' } }),
    );
    expect((second.items as Json[]).length).toBe(2);
  });
});

describe('Partner Center fake: seat changes', () => {
  const monthlyPath = `/customers/${contoso}/subscriptions/${subs.contosoBusinessPremiumMonthly}`;
  const annualPath = `/customers/${contoso}/subscriptions/${subs.contosoBusinessPremiumAnnual}`;

  it('adds seats (full object PATCH) and opens a new refundable batch', async () => {
    const h = setup();
    const current = await json(await h.api(monthlyPath));
    const res = await h.api(monthlyPath, { method: 'PATCH', body: { ...current, quantity: 21 } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.quantity).toBe(21);
    expect(body.refundableQuantity).toMatchObject({ totalQuantity: 1 });
    expect((body.attributes as Json).etag).not.toBe((current.attributes as Json).etag);
    expect(h.fake.appliedWrites).toHaveLength(1);
  });

  it('refuses a decrease beyond the refundable quantity with the Partner Center error body', async () => {
    const h = setup();
    const refused = await h.api(annualPath, { method: 'PATCH', body: { quantity: 74 } });
    expect(refused.status).toBe(400);
    expect(await json(refused)).toMatchObject({
      code: 800090,
      errorName: 'QuantityCannotBeDecreased',
      isRetryable: false,
      source: 'PartnerFD',
    });
    const ok = await h.api(annualPath, { method: 'PATCH', body: { Quantity: 75 } });
    expect(ok.status).toBe(200);
    expect(await json(ok)).toMatchObject({ quantity: 75, refundableQuantity: { totalQuantity: 0 } });
    const monthly = await h.api(monthlyPath, { method: 'PATCH', body: { quantity: 19 } });
    expect((await json(monthly)).code).toBe(800090);
    expect(h.fake.appliedWrites).toHaveLength(1);
  });

  it('lets the reduction window close as the clock moves', async () => {
    const h = setup();
    h.clock.advance(6 * 86_400_000);
    const refused = await h.api(annualPath, { method: 'PATCH', body: { quantity: 79 } });
    expect(refused.status).toBe(400);
  });

  it('refuses quantities outside the SKU range with 2002', async () => {
    const h = setup();
    const res = await h.api(monthlyPath, { method: 'PATCH', body: { quantity: 301 } });
    expect(res.status).toBe(400);
    expect((await json(res)).code).toBe(2002);
  });

  it('refuses a stale If-Match', async () => {
    const h = setup();
    const res = await h.api(monthlyPath, { method: 'PATCH', body: { quantity: 22 }, headers: { 'If-Match': 'stale' } });
    expect(res.status).toBe(412);
  });

  it('applies a repeated MS-RequestId once and answers the same result again', async () => {
    const h = setup();
    const headers = { 'MS-RequestId': '5b0e4b61-3c2f-4c55-9a0e-6f3d0b3a0001' };
    const first = await h.api(monthlyPath, { method: 'PATCH', body: { quantity: 25 }, headers });
    const second = await h.api(monthlyPath, { method: 'PATCH', body: { quantity: 25 }, headers });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual(await first.json());
    expect(h.fake.appliedWrites).toHaveLength(1);
    expect(h.fake.replayedWrites).toBe(1);
    const refund = (h.fake.subscription(subs.contosoBusinessPremiumMonthly)?.refundableQuantity ?? {}) as Json;
    expect(refund.totalQuantity).toBe(5);
  });

  it('response-lost: the PATCH is applied, the client sees a network error, a retry with the same MS-RequestId is safe', async () => {
    const h = setup();
    h.fake.faults.add({ kind: 'response-lost', method: 'PATCH', path: '/customers/', times: 1 });
    const headers = { 'MS-RequestId': '5b0e4b61-3c2f-4c55-9a0e-6f3d0b3a0002' };
    await expect(h.api(monthlyPath, { method: 'PATCH', body: { quantity: 21 }, headers })).rejects.toThrow();
    expect(h.fake.state.subscriptions.get(subs.contosoBusinessPremiumMonthly)?.subscription.quantity).toBe(21);
    expect(h.fake.faults.fired.map((f) => f.kind)).toEqual(['response-lost']);
    const retry = await h.api(monthlyPath, { method: 'PATCH', body: { quantity: 21 }, headers });
    expect(retry.status).toBe(200);
    expect((await json(retry)).quantity).toBe(21);
    expect(h.fake.appliedWrites).toHaveLength(1);
    expect(h.fake.state.subscriptions.get(subs.contosoBusinessPremiumMonthly)?.refundBatches).toHaveLength(1);
  });

  it('asyncSubscriptionUpdates: 202 + Location, pending until the clock passes or completeAll()', async () => {
    const h = setup({ asyncSubscriptionUpdates: { delayMs: 10_000 } });
    const res = await h.api(monthlyPath, { method: 'PATCH', body: { quantity: 23 } });
    expect(res.status).toBe(202);
    expect(res.headers.get('Location')).toBe(`${h.fake.baseUrl}${monthlyPath}`);
    expect((await json(await h.api(monthlyPath))).quantity).toBe(20);
    expect((await json(await h.api(`${monthlyPath}/provisioningstatus`))).status).toBe('pending');
    const busy = await h.api(monthlyPath, { method: 'PATCH', body: { quantity: 24 } });
    expect(busy.status).toBe(409);
    h.clock.advance(10_000);
    expect((await json(await h.api(monthlyPath))).quantity).toBe(23);
    expect((await json(await h.api(`${monthlyPath}/provisioningstatus`))).status).toBe('success');

    expect((await h.api(monthlyPath, { method: 'PATCH', body: { quantity: 30 } })).status).toBe(202);
    expect(h.fake.pendingOperations()).toHaveLength(1);
    expect(h.fake.completeAll()).toBe(1);
    expect((await json(await h.api(monthlyPath))).quantity).toBe(30);

    expect((await h.api(monthlyPath, { method: 'PATCH', body: { quantity: 31 } })).status).toBe(202);
    expect(h.fake.failAll()).toBe(1);
    expect((await json(await h.api(monthlyPath))).quantity).toBe(30);
    expect((await json(await h.api(`${monthlyPath}/provisioningstatus`))).status).toBe('failed');
  });
});

describe('Partner Center fake: suspend and cancel', () => {
  const path = (id: string) => `/customers/${contoso}/subscriptions/${id}`;

  it('cancels new commerce with status deleted inside the window only', async () => {
    const h = setup();
    const ok = await h.api(path(subs.contosoExchangeOnlinePlan1), { method: 'PATCH', body: { status: 'deleted' } });
    expect(ok.status).toBe(200);
    expect(await json(ok)).toMatchObject({ status: 'deleted', autoRenewEnabled: false });
    const again = await h.api(path(subs.contosoExchangeOnlinePlan1), { method: 'PATCH', body: { quantity: 3 } });
    expect((await json(again)).code).toBe(2011);

    const late = await h.api(path(subs.contosoBusinessPremiumMonthly), {
      method: 'PATCH',
      body: { status: 'deleted' },
    });
    expect(late.status).toBe(400);
    expect(await json(late)).toMatchObject({ errorName: 'CancellationWindowExpired' });
  });

  it('closes the cancellation window as the clock moves', async () => {
    const h = setup();
    h.clock.advance(5 * 86_400_000);
    const late = await h.api(path(subs.contosoExchangeOnlinePlan1), { method: 'PATCH', body: { status: 'deleted' } });
    expect(late.status).toBe(400);
  });

  it('suspends and reactivates legacy subscriptions; refuses deleted and unknown statuses', async () => {
    const h = setup();
    const legacy = path(subs.contosoLegacyOffice365E3);
    expect((await h.api(legacy, { method: 'PATCH', body: { status: 'deleted' } })).status).toBe(400);
    const suspended = await h.api(legacy, { method: 'PATCH', body: { status: 'suspended' } });
    expect(await json(suspended)).toMatchObject({ status: 'suspended', suspensionReasons: ['CustomerCancellation'] });
    const seat = await h.api(legacy, { method: 'PATCH', body: { quantity: 4 } });
    expect((await json(seat)).code).toBe(800091);
    expect((await json(await h.api(legacy, { method: 'PATCH', body: { status: 'active' } }))).status).toBe('active');
    const unknown = await h.api(path(subs.contosoExchangeOnlinePlan1), {
      method: 'PATCH',
      body: { status: 'cancelled' },
    });
    expect(unknown.status).toBe(400);
  });
});

describe('Partner Center fake: catalog', () => {
  it('requires country and targetView and walks products, SKUs and availabilities', async () => {
    const h = setup();
    expect((await h.api('/products?targetView=OnlineServices')).status).toBe(400);
    const products = await json(await h.api('/products?country=US&targetView=OnlineServices'));
    expect((products.items as Json[]).length).toBe(8);
    const skus = await json(await h.api(`/products/${ids.products.businessPremium}/skus?country=US`));
    const sku = (skus.items as Json[])[0] as Json;
    expect(sku).toMatchObject({ id: '0002', minimumQuantity: 1, maximumQuantity: 300 });
    const avail = await json(
      await h.api(`/products/${ids.products.businessPremium}/skus/0002/availabilities?country=US`),
    );
    const first = (avail.items as Json[])[0] as Json;
    expect(first.catalogItemId).toBe(ids.catalogItems.businessPremium);
    expect((first.terms as Json[]).map((t) => `${t.duration}/${t.billingCycle}`)).toContain('P1Y/annual');
    expect((await h.api('/products/NOPE?country=US')).status).toBe(404);
  });
});

describe('Partner Center fake: carts and orders', () => {
  const cartBody = {
    lineItems: [
      {
        id: 0,
        catalogItemId: ids.catalogItems.businessBasic,
        quantity: 3,
        billingCycle: 'monthly',
        termDuration: 'P1M',
      },
      { id: 1, catalogItemId: 'NOPE:0001:NOPE', quantity: 1, billingCycle: 'monthly', termDuration: 'P1M' },
    ],
  };

  it('creates a cart and checks it out into an order with a new subscription', async () => {
    const h = setup();
    const created = await h.api(`/customers/${contoso}/carts`, { method: 'POST', body: cartBody });
    expect(created.status).toBe(201);
    const cart = await json(created);
    expect(cart.status).toBe('Active');
    const lines = cart.lineItems as Json[];
    expect(lines[1]?.error).toMatchObject({ errorCode: 10001 });
    const res = await h.api(`/customers/${contoso}/carts/${String(cart.id)}/checkout`, { method: 'POST' });
    expect(res.status).toBe(201);
    const result = await json(res);
    const orders = result.orders as Json[];
    expect(orders).toHaveLength(1);
    expect(orders[0]?.status).toBe('completed');
    expect(result.orderErrors).toEqual([{ orderGroupId: '0', code: 10001, description: expect.any(String) }]);
    const subscriptionId = String(((orders[0] as Json).lineItems as Json[])[0]?.subscriptionId);
    const sub = await json(await h.api(`/customers/${contoso}/subscriptions/${subscriptionId}`));
    expect(sub).toMatchObject({
      status: 'active',
      quantity: 3,
      termDuration: 'P1M',
      offerId: ids.catalogItems.businessBasic,
    });
    expect(sub.cancellationAllowedUntilDate).toBe(new Date(START + 7 * 86_400_000).toISOString());
    const order = await h.api(`/customers/${contoso}/orders/${String(orders[0]?.id)}`);
    expect(order.status).toBe(200);
    const twice = await h.api(`/customers/${contoso}/carts/${String(cart.id)}/checkout`, { method: 'POST' });
    expect(twice.status).toBe(400);
  });

  it('refuses to check out an expired cart', async () => {
    const h = setup();
    const cart = await json(await h.api(`/customers/${contoso}/carts`, { method: 'POST', body: cartBody }));
    h.clock.advance(16 * 60_000);
    const res = await h.api(`/customers/${contoso}/carts/${String(cart.id)}/checkout`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect((await json(res)).errorName).toBe('CartExpired');
  });

  it('asyncOrders: pending order and subscription until completion', async () => {
    const h = setup({ asyncOrders: true });
    const cart = await json(await h.api(`/customers/${contoso}/carts`, { method: 'POST', body: cartBody }));
    const result = await json(
      await h.api(`/customers/${contoso}/carts/${String(cart.id)}/checkout`, { method: 'POST' }),
    );
    const order = (result.orders as Json[])[0] as Json;
    expect(order.status).toBe('pending');
    const subscriptionId = String(((order.lineItems as Json[])[0] as Json).subscriptionId);
    const subPath = `/customers/${contoso}/subscriptions/${subscriptionId}`;
    expect((await json(await h.api(subPath))).status).toBe('pending');
    expect(h.fake.completeAll()).toBe(1);
    expect((await json(await h.api(subPath))).status).toBe('active');
    expect((await json(await h.api(`/customers/${contoso}/orders/${String(order.id)}`))).status).toBe('completed');
  });
});

describe('Partner Center fake: throttling', () => {
  it('answers 429 with Retry-After and the documented body over the limit', async () => {
    const h = setup({ rateLimit: { limit: 2, windowMs: 60_000 } });
    expect((await h.api('/customers')).status).toBe(200);
    expect((await h.api('/customers')).status).toBe(200);
    const res = await h.api('/customers');
    expect(res.status).toBe(429);
    expect(res.headers.get('Retry-After')).toBe('60');
    expect(await json(res)).toEqual({ statusCode: 429, message: 'Rate limit is exceeded. Try again in 60 seconds.' });
    expect(h.fake.rateLimited).toBe(1);
    h.clock.advance(60_000);
    expect((await h.api('/customers')).status).toBe(200);
  });
});
