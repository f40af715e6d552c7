import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createIngramFake,
  INGRAM_FAKE_CREDENTIALS,
  INGRAM_SEED_IDS,
  type IngramFake,
  type IngramFakeOptions,
  type IngramOrder,
  type IngramSubscriptionDetailed,
} from '../../src/testing/ingram/index.js';

const T0 = Date.parse('2026-03-02T12:00:00.000Z');
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function start(options: IngramFakeOptions = {}): IngramFake {
  const fake = createIngramFake({ now: () => new Date(T0), ...options });
  server.use(...fake.handlers);
  return fake;
}

const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

function tokenRequest(
  fake: IngramFake,
  opts: { body?: unknown; key?: string | null; auth?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Authorization: opts.auth ?? basic(fake.credentials.username, fake.credentials.password),
  };
  const key = opts.key === undefined ? fake.credentials.subscriptionKey : opts.key;
  if (key !== null) headers['X-Subscription-Key'] = key;
  return fetch(`${fake.baseUrl}/token`, {
    method: 'POST',
    headers,
    body: JSON.stringify(opts.body === undefined ? { marketplace: fake.credentials.marketplace } : opts.body),
  });
}

async function token(fake: IngramFake): Promise<string> {
  return ((await (await tokenRequest(fake)).json()) as { token: string }).token;
}

async function call(
  fake: IngramFake,
  path: string,
  opts: { method?: string; body?: unknown; token?: string | null; key?: string | null } = {},
): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = opts.key === undefined ? fake.credentials.subscriptionKey : opts.key;
  if (key !== null) headers['X-Subscription-Key'] = key;
  const bearer = opts.token === undefined ? await token(fake) : opts.token;
  if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(fake.baseUrl + path, {
    method: opts.method ?? 'GET',
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
}

async function subscription(fake: IngramFake, id: string): Promise<IngramSubscriptionDetailed> {
  const res = await call(fake, `/subscriptions/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as IngramSubscriptionDetailed;
}

function changeOrder(fake: IngramFake, subscriptionId: string, quantity: number, path = '/orders') {
  return call(fake, path, {
    method: 'POST',
    body: { type: 'change', customerId: INGRAM_SEED_IDS.contoso, products: [{ subscriptionId, quantity }] },
  });
}

describe('ingram fake: auth and headers', () => {
  it('serves the eu region by default and na on request', () => {
    expect(createIngramFake().baseUrl).toBe('https://api.cloud.im/marketplace/eu');
    const na = createIngramFake({ region: 'na' });
    expect(na.baseUrl).toBe('https://api.cloud.im/marketplace/na');
    expect(na.credentials.marketplace).toBe('us');
    expect(INGRAM_FAKE_CREDENTIALS.username).toMatch(/^fake-.*\.API$/);
  });

  it('issues 25-minute tokens for Basic auth + subscription key + marketplace', async () => {
    const fake = start();
    const res = await tokenRequest(fake);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-correlation-id')).toMatch(/^a8n-[0-9a-f-]{36}$/);
    const body = (await res.json()) as { token: string; expiresInSeconds: number };
    expect(body.expiresInSeconds).toBe(1500);
    expect(body.token).toMatch(/^fake-ingram-token-/);
    expect(fake.issuedTokens).toBe(1);
  });

  it('refuses a token request without marketplace, with a wrong one, bad password or no key', async () => {
    const fake = start();
    const noMarketplace = await tokenRequest(fake, { body: {} });
    expect(noMarketplace.status).toBe(401);
    const body = (await noMarketplace.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 401, message: 'Marketplace is not specified', path: '/marketplace/eu/token' });
    expect(body.correlationId).toBe(noMarketplace.headers.get('x-correlation-id'));
    expect((await tokenRequest(fake, { body: { marketplace: 'us' } })).status).toBe(401);
    expect((await tokenRequest(fake, { auth: basic(fake.credentials.username, 'nope') })).status).toBe(401);
    const noKey = await tokenRequest(fake, { key: null });
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { message: string }).message).toContain('missing subscription key');
    expect(fake.issuedTokens).toBe(0);
  });

  it('needs Bearer and X-Subscription-Key on every call; tokens expire after 1500 s', async () => {
    const fake = start();
    const t = await token(fake);
    expect((await call(fake, '/customers', { token: t })).status).toBe(200);
    expect((await call(fake, '/customers', { token: t, key: null })).status).toBe(401);
    expect((await call(fake, '/customers', { token: t, key: 'fake-other' })).status).toBe(401);
    const noBearer = await call(fake, '/customers', { token: null });
    expect(noBearer.status).toBe(401);
    expect(noBearer.headers.get('x-correlation-id')).toBeTruthy();
    fake.advance(1499_000);
    expect((await call(fake, '/customers', { token: t })).status).toBe(200);
    fake.advance(1000);
    expect((await call(fake, '/customers', { token: t })).status).toBe(401);
    const t2 = await token(fake);
    fake.expireAllTokens();
    expect((await call(fake, '/customers', { token: t2 })).status).toBe(401);
  });

  it('answers unknown routes and bad paging with the framework error shape', async () => {
    const fake = start();
    const t = await token(fake);
    const unknown = await call(fake, '/nothing-here', { token: t });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ status: 404, error: 'Not Found', correlationId: expect.any(String) });
    const bad = await call(fake, '/customers?limit=abc', { token: t });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'Bad Request' });
    expect((await call(fake, '/customers?limit=0', { token: t })).status).toBe(400);
  });
});

describe('ingram fake: reads', () => {
  it('pages with offset/limit (default 10) in a data/pagination envelope', async () => {
    const fake = start();
    const t = await token(fake);
    const first = (await (await call(fake, '/customers', { token: t })).json()) as {
      data: { id: string }[];
      pagination: { offset: number; limit: number; total: number };
    };
    expect(first.data).toHaveLength(10);
    expect(first.pagination).toEqual({ offset: 0, limit: 10, total: 31 });
    const seen = new Set<string>();
    for (let offset = 0; offset < first.pagination.total; offset += 7) {
      const res = await call(fake, `/customers?offset=${offset}&limit=7`, { token: t });
      for (const c of ((await res.json()) as { data: { id: string }[] }).data) seen.add(c.id);
    }
    expect(seen.size).toBe(31);
    const contoso = await call(fake, '/customers?name=contoso', { token: t });
    expect(((await contoso.json()) as { data: { id: string; name: string }[] }).data).toEqual([
      expect.objectContaining({ id: INGRAM_SEED_IDS.contoso, name: 'Contoso Ltd', status: 'active' }),
    ]);
  });

  it('gets one customer and answers 404 for unknown ones', async () => {
    const fake = start();
    const t = await token(fake);
    const res = await call(fake, `/customers/${INGRAM_SEED_IDS.contoso}`, { token: t });
    expect(await res.json()).toMatchObject({ name: 'Contoso Ltd', address: { countryCode: 'NL' }, language: 'en' });
    const missing = await call(fake, '/customers/999', { token: t });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: 404, message: expect.stringContaining('not found') });
  });

  it('lists subscription rows without quantity; details carry products[].quantity', async () => {
    const fake = start();
    const t = await token(fake);
    const res = await call(fake, `/subscriptions?customerId=${INGRAM_SEED_IDS.contoso}&limit=100`, { token: t });
    const list = (await res.json()) as { data: Record<string, unknown>[]; pagination: { total: number } };
    expect(list.pagination.total).toBe(5);
    const row = list.data.find((s) => s.id === INGRAM_SEED_IDS.contosoM365BusinessPremiumAnnual);
    expect(row).toMatchObject({
      name: 'Microsoft 365 Business Premium',
      status: 'active',
      subscriptionPeriod: { type: 'year', duration: 1 },
      billingPeriod: { type: 'month', duration: 1 },
    });
    expect(row).not.toHaveProperty('products');
    expect(row).not.toHaveProperty('quantity');
    const annual = await subscription(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumAnnual);
    expect(annual.products[0]).toMatchObject({ quantity: 80, unitPrice: { currency: 'USD', amount: '22.00' } });
    const monthly = await subscription(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly);
    expect(monthly.products[0]?.quantity).toBe(20);
    expect(monthly.subscriptionPeriod).toEqual({ type: 'month', duration: 1 });
    expect(fake.state.subscriptions.size).toBeGreaterThanOrEqual(100);
    expect((await call(fake, '/subscriptions/0', { token: t })).status).toBe(404);
  });

  it('filters subscriptions by one status and refuses a list of statuses', async () => {
    const fake = start();
    const t = await token(fake);
    const res = await call(fake, '/subscriptions?status=terminated&limit=500', { token: t });
    const body = (await res.json()) as { data: { status: string }[] };
    expect(body.data.every((s) => s.status === 'terminated')).toBe(true);
    expect((await call(fake, '/subscriptions?status=active,terminated', { token: t })).status).toBe(400);
  });

  it('lists products with string quantities and string prices', async () => {
    const fake = start();
    const res = await call(fake, '/products?name=business%20premium');
    const body = (await res.json()) as { data: { mpn: string; maximumQuantity: string; prices: unknown[] }[] };
    expect(body.data).toHaveLength(2);
    expect(body.data[0]?.mpn).toMatch(/^CBDC14AB-.*_(ANNUAL|MONTHLY)$/);
    expect(body.data[0]?.maximumQuantity).toBe('300');
    expect(body.data[0]?.prices[0]).toMatchObject({ currency: 'USD', amount: expect.any(String), type: 'recurring' });
  });
});

describe('ingram fake: orders', () => {
  it('changes seats with a change order carrying the new total, asynchronously', async () => {
    const fake = start();
    const res = await changeOrder(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly, 25);
    expect(res.status).toBe(201);
    const order = (await res.json()) as IngramOrder;
    expect(order).toMatchObject({ type: 'change', status: 'processing', customerId: INGRAM_SEED_IDS.contoso });
    expect(order.products?.[0]?.quantity).toBe(5);
    expect(fake.appliedWrites).toHaveLength(1);
    expect((await subscription(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly)).products[0]?.quantity).toBe(
      20,
    );

    fake.advance(9_000);
    expect(((await (await call(fake, `/orders/${order.id}`)).json()) as IngramOrder).status).toBe('processing');
    fake.advance(1_000);
    const done = (await (await call(fake, `/orders/${order.id}`)).json()) as IngramOrder;
    expect(done).toMatchObject({ status: 'completed', statusCode: 'CP' });
    expect((await subscription(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly)).products[0]?.quantity).toBe(
      25,
    );
  });

  it('refuses a second change while one is provisioning, as the vendor does', async () => {
    const fake = start();
    expect((await changeOrder(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly, 21)).status).toBe(201);
    const conflict = await changeOrder(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly, 22);
    expect(conflict.status).toBe(500);
    expect(((await conflict.json()) as { message: string }).message).toMatch(
      /Please either cancel conflicting order or wait/,
    );
    fake.completeAll();
    expect((await changeOrder(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly, 22)).status).toBe(201);
  });

  it('refuses a seat decrease outside the change window, and allows one inside it', async () => {
    const fake = start();
    const refused = await changeOrder(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumAnnual, 70);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(/within 7 days/);
    expect((await changeOrder(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumAnnual, 90)).status).toBe(201);
    expect((await changeOrder(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly, 15)).status).toBe(201);
    expect(fake.appliedWrites).toHaveLength(2);
  });

  it('refuses quantities out of range and unchanged totals', async () => {
    const fake = start();
    expect((await changeOrder(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly, 301)).status).toBe(400);
    expect((await changeOrder(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly, 20)).status).toBe(400);
    expect((await changeOrder(fake, '2005004', 2)).status).toBe(400);
    expect((await changeOrder(fake, '999', 2)).status).toBe(404);
  });

  it('estimates without applying anything', async () => {
    const fake = start();
    const res = await changeOrder(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly, 25, '/orders/estimate');
    expect(res.status).toBe(200);
    const body = (await res.json()) as IngramOrder;
    expect(body.total).toEqual({ currency: 'USD', amount: '132.00' });
    expect(body).not.toHaveProperty('id');
    expect(fake.appliedWrites).toHaveLength(0);
    expect(fake.pendingOrders()).toHaveLength(0);
    expect(
      (await changeOrder(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumAnnual, 1, '/orders/estimate')).status,
    ).toBe(400);
  });

  it('buys with a sales order: the subscription is pending until the order completes', async () => {
    const fake = start();
    const products = (await (await call(fake, '/products?name=business%20standard')).json()) as {
      data: { mpn: string }[];
    };
    const mpn = products.data[0]?.mpn ?? '';
    const res = await call(fake, '/orders', {
      method: 'POST',
      body: { type: 'sales', customerId: INGRAM_SEED_IDS.contoso, poNumber: 'PO-1', products: [{ mpn, quantity: 4 }] },
    });
    const order = (await res.json()) as IngramOrder;
    const subId = order.products?.[0]?.subscriptionId ?? '';
    expect((await subscription(fake, subId)).status).toBe('pending');
    fake.completeAll();
    const sub = await subscription(fake, subId);
    expect(sub).toMatchObject({ status: 'active', customerId: INGRAM_SEED_IDS.contoso });
    expect(sub.products[0]?.quantity).toBe(4);
    const unknown = await call(fake, '/orders', {
      method: 'POST',
      body: { type: 'sales', customerId: INGRAM_SEED_IDS.contoso, products: [{ mpn: 'NOPE', quantity: 1 }] },
    });
    expect(unknown.status).toBe(400);
  });

  it('cancels with a cancellation order (no products or details), within the window only', async () => {
    const fake = start();
    const refused = await call(fake, '/orders', {
      method: 'POST',
      body: {
        type: 'cancellation',
        customerId: INGRAM_SEED_IDS.contoso,
        subscriptionId: INGRAM_SEED_IDS.contosoM365BusinessPremiumAnnual,
      },
    });
    expect(refused.status).toBe(400);
    const res = await call(fake, '/orders', {
      method: 'POST',
      body: {
        type: 'cancellation',
        customerId: INGRAM_SEED_IDS.contoso,
        subscriptionId: INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly,
      },
    });
    const order = (await res.json()) as IngramOrder;
    expect(order).toMatchObject({
      type: 'cancellation',
      subscriptionId: INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly,
    });
    expect(order).not.toHaveProperty('products');
    expect(order.details).toEqual([]);
    fake.completeAll();
    expect((await subscription(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly)).status).toBe('terminated');
  });

  it('ends orders in error or cancelled on request', async () => {
    const fake = start();
    fake.markFailing(INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly);
    const order = (await (
      await changeOrder(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly, 30)
    ).json()) as IngramOrder;
    fake.advance(10_000);
    expect(((await (await call(fake, `/orders/${order.id}`)).json()) as IngramOrder).status).toBe('error');
    expect((await subscription(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly)).products[0]?.quantity).toBe(
      20,
    );

    const second = (await (
      await changeOrder(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly, 30)
    ).json()) as IngramOrder;
    expect(fake.completeOrder(second.id, 'cancelled').status).toBe('cancelled');
    const listed = await call(fake, `/orders?subscriptionId=${INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly}`);
    const body = (await listed.json()) as { data: IngramOrder[] };
    expect(body.data.map((o) => o.status)).toEqual(['cancelled', 'error']);
  });
});

describe('ingram fake: limits and faults', () => {
  it('answers 429 with Retry-After when over the budget', async () => {
    const fake = start({ rateLimit: { limit: 2, windowMs: 30_000 } });
    const t = await token(fake); // the token call counts too
    expect((await call(fake, '/customers', { token: t })).status).toBe(200);
    const limited = await call(fake, '/customers', { token: t });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(limited.headers.get('x-correlation-id')).toBeTruthy();
    expect(await limited.json()).toMatchObject({ status: 429, message: expect.stringContaining('Try again in 30') });
    expect(fake.rateLimited).toBe(1);
    fake.advance(30_000);
    expect((await call(fake, '/customers', { token: t })).status).toBe(200);
  });

  it('applies an order whose answer is lost', async () => {
    const fake = start();
    const t = await token(fake);
    fake.faults.add({ kind: 'response-lost', method: 'POST', path: '/orders', times: 1 });
    await expect(
      call(fake, '/orders', {
        method: 'POST',
        token: t,
        body: {
          type: 'change',
          customerId: INGRAM_SEED_IDS.contoso,
          products: [{ subscriptionId: INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly, quantity: 24 }],
        },
      }),
    ).rejects.toThrow();
    expect(fake.appliedWrites).toHaveLength(1);
    expect(fake.pendingOrders()).toHaveLength(1);
    fake.completeAll();
    expect((await subscription(fake, INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly)).products[0]?.quantity).toBe(
      24,
    );
  });
});
