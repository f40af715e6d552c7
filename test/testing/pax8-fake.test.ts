import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PAX8_LEGACY_TOKEN_URL,
  PAX8_SEED_IDS,
  type Pax8Fake,
  type Pax8Order,
  type Pax8Subscription,
  createPax8Fake,
} from '../../src/testing/pax8/index.js';

const BASE = 'https://api.pax8.com/v1';
const DAY = 86_400_000;
const server = setupServer();

let clock: Date;
let fake: Pax8Fake;

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function useFake(options: Parameters<typeof createPax8Fake>[0] = {}): Pax8Fake {
  fake = createPax8Fake({ now: () => clock, ...options });
  server.resetHandlers(...fake.handlers);
  return fake;
}

beforeEach(() => {
  clock = new Date('2026-03-01T12:00:00.000Z');
  useFake();
});

const advance = (ms: number): void => {
  clock = new Date(clock.getTime() + ms);
};

async function getToken(url = `${BASE}/token`, overrides: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: 'fake-pax8-client-id',
      client_secret: 'fake-pax8-client-secret',
      audience: 'https://api.pax8.com',
      grant_type: 'client_credentials',
      ...overrides,
    }),
  });
}

async function token(): Promise<string> {
  const res = await getToken();
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

async function api(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<Response> {
  const bearer = init.token ?? fake.mintToken();
  return fetch(`${BASE}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

const annualId = PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumAnnual;
const monthlyId = PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly;

describe('tokens', () => {
  it('issues an opaque bearer token for the right credentials', async () => {
    const res = await getToken();
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ expires_in: 86400, token_type: 'Bearer' });
    expect(typeof body.access_token).toBe('string');
    expect(fake.issuedTokens).toBe(1);
    const list = await api('/companies', { token: String(body.access_token) });
    expect(list.status).toBe(200);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/token' });
  });

  it('refuses wrong credentials with the OAuth-style 401', async () => {
    const res = await getToken(undefined, { client_secret: 'nope' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'access_denied', error_description: 'Unauthorized' });
    expect(fake.issuedTokens).toBe(0);
  });

  it('refuses a bad grant type or audience with 400', async () => {
    const grant = await getToken(undefined, { grant_type: 'password' });
    expect(grant.status).toBe(400);
    expect(((await grant.json()) as { error: string }).error).toBe('unsupported_grant_type');
    const aud = await getToken(undefined, { audience: 'api://usage' });
    expect(aud.status).toBe(400);
    expect(((await aud.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('accepts the legacy token URL and audience', async () => {
    useFake({ tokenUrl: PAX8_LEGACY_TOKEN_URL });
    const res = await getToken(PAX8_LEGACY_TOKEN_URL, { audience: 'api://p8p.client' });
    expect(res.status).toBe(200);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: '/token' });
    fake.faults.add({ kind: 'http-503', path: '/token', times: 1 });
    expect((await getToken(PAX8_LEGACY_TOKEN_URL)).status).toBe(503);
  });

  it('expires tokens by the clock, on demand and on revocation', async () => {
    const t = await token();
    advance(86_399_000);
    expect((await api('/companies', { token: t })).status).toBe(200);
    advance(2000);
    const expired = await api('/companies', { token: t });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ type: 'UNAUTHORIZED', status: 401, details: [] });

    const t2 = await token();
    fake.expireAllTokens();
    expect((await api('/companies', { token: t2 })).status).toBe(401);
    const t3 = await token();
    fake.revokeToken(t3);
    expect((await api('/companies', { token: t3 })).status).toBe(401);
  });

  it('requires a bearer token on API calls', async () => {
    const res = await fetch(`${BASE}/companies`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'UNAUTHORIZED', instance: '/v1/companies', status: 401 });
  });
});

describe('reads', () => {
  it('serves the seed', async () => {
    expect(fake.subscriptions.length).toBeGreaterThanOrEqual(300);
    expect(fake.companies.length).toBeGreaterThanOrEqual(61);
    const res = await api(`/companies/${PAX8_SEED_IDS.contoso}`);
    expect(await res.json()).toMatchObject({ name: 'Contoso Ltd', status: 'Active' });
    const annual = (await (await api(`/subscriptions/${annualId}`)).json()) as Pax8Subscription;
    expect(annual).toMatchObject({ quantity: 80, billingTerm: 'Annual', commitmentTerm: { term: '1-Year' } });
    expect(annual.vendorSkuId).toBe('cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46');
    const monthly = (await (await api(`/subscriptions/${monthlyId}`)).json()) as Pax8Subscription;
    expect(monthly).toMatchObject({ quantity: 20, billingTerm: 'Monthly', commitmentTerm: null });
  });

  it('is deterministic for the same base date', () => {
    const other = createPax8Fake({ now: () => clock });
    expect(other.subscriptions.map((s) => [s.id, s.quantity, s.status])).toEqual(
      fake.subscriptions.map((s) => [s.id, s.quantity, s.status]),
    );
  });

  it('pages a 450-subscription company', async () => {
    const big = fake.addCompany({ name: 'Big Co' });
    for (let i = 0; i < 450; i += 1) {
      fake.addSubscription({ companyId: big.id, productId: PAX8_SEED_IDS.products.businessBasic, quantity: 1 });
    }
    const first = (await (await api(`/subscriptions?companyId=${big.id}`)).json()) as {
      content: unknown[];
      page: Record<string, number>;
    };
    expect(first.content).toHaveLength(10);
    expect(first.page).toEqual({ size: 10, totalElements: 450, totalPages: 45, number: 0 });
    const last = (await (await api(`/subscriptions?companyId=${big.id}&page=2&size=200`)).json()) as typeof first;
    expect(last.content).toHaveLength(50);
    expect(last.page).toEqual({ size: 200, totalElements: 450, totalPages: 3, number: 2 });
    const beyond = (await (await api(`/subscriptions?companyId=${big.id}&page=3&size=200`)).json()) as typeof first;
    expect(beyond.content).toHaveLength(0);
    for (const bad of ['size=201', 'size=0', 'page=-1', 'size=abc']) {
      const res = await api(`/subscriptions?companyId=${big.id}&${bad}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ type: 'BAD_REQUEST', status: 400 });
    }
  });

  it('filters subscriptions, companies and products', async () => {
    const bp = PAX8_SEED_IDS.products.businessPremium;
    const res = await api(`/subscriptions?companyId=${PAX8_SEED_IDS.contoso}&productId=${bp}&size=200`);
    const body = (await res.json()) as { content: Pax8Subscription[] };
    expect(body.content.map((s) => s.id).sort()).toEqual([annualId, monthlyId].sort());
    const annual = (await (
      await api(`/subscriptions?companyId=${PAX8_SEED_IDS.contoso}&billingTerm=Annual&size=200`)
    ).json()) as { content: Pax8Subscription[] };
    expect(annual.content.every((s) => s.billingTerm === 'Annual')).toBe(true);
    expect(annual.content).toHaveLength(3);
    const cancelled = (await (await api('/subscriptions?status=Cancelled&size=200')).json()) as {
      content: Pax8Subscription[];
    };
    expect(cancelled.content.length).toBeGreaterThan(0);
    expect(cancelled.content.every((s) => s.status === 'Cancelled')).toBe(true);

    const unknown = await api('/subscriptions?companyId=00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(403);
    expect(await unknown.json()).toMatchObject({ type: 'FORBIDDEN', message: 'Invalid companyId' });

    const inactive = (await (await api('/companies?status=Inactive&size=200')).json()) as {
      content: Array<{ status: string }>;
    };
    expect(inactive.content.length).toBeGreaterThan(0);
    expect(inactive.content.every((c) => c.status === 'Inactive')).toBe(true);

    const ms = (await (await api('/products?vendorName=Microsoft&size=50')).json()) as {
      content: Array<{ vendorName: string }>;
      page: { totalElements: number };
    };
    expect(ms.page.totalElements).toBe(8);
    const search = (await (await api('/products?search=MST-MCB-PRE')).json()) as { content: Array<{ id: string }> };
    expect(search.content.map((p) => p.id)).toEqual([bp]);
    const deps = (await (await api(`/products/${bp}/dependencies`)).json()) as {
      commitmentDependencies: Array<{ term: string }>;
      productDependencies: unknown[];
    };
    expect(deps.commitmentDependencies.map((c) => c.term)).toEqual(['Monthly', '1-Year', '3-Year']);
    const pricing = (await (await api(`/products/${bp}/pricing`)).json()) as { content: unknown[] };
    expect(pricing.content.length).toBeGreaterThan(0);
    const prov = (await (await api(`/products/${bp}/provision-details`)).json()) as { content: unknown[] };
    expect(prov.content.length).toBeGreaterThan(0);
  });

  it('answers 404 with the Pax8 envelope', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    const res = await api(`/companies/${id}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      type: 'NOT_FOUND',
      message: `Company Not Found: ${id}`,
      instance: `/v1/companies/${id}`,
      status: 404,
      details: [],
    });
    expect((await api('/nothing-here')).status).toBe(404);
    expect((await api(`/subscriptions/${id}`)).status).toBe(404);
  });
});

describe('seat changes', () => {
  it('accepts an increase and refuses a decrease outside the window', async () => {
    const up = await api(`/subscriptions/${monthlyId}`, { method: 'PUT', body: { quantity: 21 } });
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ quantity: 21, updatedDate: clock.toISOString() });

    const down = await api(`/subscriptions/${annualId}`, { method: 'PUT', body: { quantity: 79 } });
    expect(down.status).toBe(422);
    expect(await down.json()).toMatchObject({
      type: 'UNPROCESSABLE_ENTITY',
      message: 'Quantity decrease is not allowed outside the cancellation window',
      status: 422,
    });
    expect(fake.getSubscription(annualId)?.quantity).toBe(80);
    expect(fake.appliedWrites).toHaveLength(1);

    // The monthly subscription has no commitment: decreases are fine.
    const monthlyDown = await api(`/subscriptions/${monthlyId}`, { method: 'PUT', body: { quantity: 15 } });
    expect(monthlyDown.status).toBe(200);
  });

  it('allows a decrease within 7 days of an increase, not after', async () => {
    expect((await api(`/subscriptions/${annualId}`, { method: 'PUT', body: { quantity: 85 } })).status).toBe(200);
    advance(3 * DAY);
    const down = await api(`/subscriptions/${annualId}`, { method: 'PUT', body: { quantity: 82 } });
    expect(down.status).toBe(200);
    expect(fake.getSubscription(annualId)?.quantity).toBe(82);
    advance(5 * DAY);
    expect((await api(`/subscriptions/${annualId}`, { method: 'PUT', body: { quantity: 81 } })).status).toBe(422);
  });

  it('validates the body', async () => {
    for (const body of [{}, { quantity: 0 }, { quantity: 2.5 }, { quantity: '3' }, { billingTerm: 'Weekly' }]) {
      const res = await api(`/subscriptions/${monthlyId}`, { method: 'PUT', body });
      expect(res.status).toBe(422);
    }
    expect(fake.appliedWrites).toHaveLength(0);
  });
});

describe('cancel', () => {
  it('cancels now or at a future date', async () => {
    const res = await api(`/subscriptions/${monthlyId}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(fake.getSubscription(monthlyId)).toMatchObject({ status: 'Cancelled', endDate: clock.toISOString() });

    const e3 = PAX8_SEED_IDS.subscriptions.contosoE3;
    const termEnd = fake.getSubscription(e3)?.commitmentTerm?.endDate ?? '';
    const future = await api(`/subscriptions/${e3}?cancelDate=${encodeURIComponent(termEnd)}`, { method: 'DELETE' });
    expect(future.status).toBe(204);
    expect(fake.getSubscription(e3)).toMatchObject({ status: 'PendingCancel', endDate: termEnd });
    expect(fake.appliedWrites.map((w) => w.method)).toEqual(['DELETE', 'DELETE']);
  });

  it('refuses an invalid cancelDate and early cancellation of an annual commitment', async () => {
    const bad = await api(`/subscriptions/${monthlyId}?cancelDate=tomorrow`, { method: 'DELETE' });
    expect(bad.status).toBe(400);
    const early = await api(`/subscriptions/${annualId}`, { method: 'DELETE' });
    expect(early.status).toBe(422);
    expect(await early.json()).toMatchObject({ type: 'UNPROCESSABLE_ENTITY', status: 422 });
    expect(fake.getSubscription(annualId)?.status).toBe('Active');
    expect(fake.appliedWrites).toHaveLength(0);
  });
});

describe('orders', () => {
  const bp = PAX8_SEED_IDS.products.businessPremium;
  const order = {
    companyId: PAX8_SEED_IDS.contoso,
    lineItems: [
      {
        productId: bp,
        lineItemNumber: 1,
        quantity: 5,
        billingTerm: 'Annual',
        commitmentTermId: PAX8_SEED_IDS.commitments.businessPremium1Year,
      },
    ],
  };

  it('isMock validates and changes nothing', async () => {
    const before = fake.subscriptions.length;
    const res = await api('/orders?isMock=true', { method: 'POST', body: order });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Pax8Order;
    expect(body.lineItems[0]).toMatchObject({ productId: bp, quantity: 5, billingTerm: 'Annual' });
    expect(fake.subscriptions.length).toBe(before);
    expect(fake.orders).toHaveLength(0);
    expect(fake.appliedWrites).toHaveLength(0);
  });

  it('a real order creates active subscriptions', async () => {
    const res = await api('/orders', { method: 'POST', body: order });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Pax8Order;
    const subId = body.lineItems[0]?.subscriptionId ?? '';
    expect(fake.getSubscription(subId)).toMatchObject({
      companyId: PAX8_SEED_IDS.contoso,
      quantity: 5,
      status: 'Active',
      billingTerm: 'Annual',
      commitmentTerm: { id: PAX8_SEED_IDS.commitments.businessPremium1Year, term: '1-Year' },
    });
    expect((await api(`/orders/${body.id}`)).status).toBe(200);
    expect(fake.appliedWrites).toEqual([{ method: 'POST', path: '/orders', query: '', body: order }]);
    // Freshly bought seats can be removed within 7 days.
    expect((await api(`/subscriptions/${subId}`, { method: 'PUT', body: { quantity: 4 } })).status).toBe(200);
  });

  it('refuses invalid orders with 422 and details', async () => {
    const res = await api('/orders?isMock=true', {
      method: 'POST',
      body: {
        companyId: PAX8_SEED_IDS.contoso,
        lineItems: [
          { productId: bp, quantity: 0, billingTerm: 'Annual' },
          { productId: '00000000-0000-4000-8000-000000000002', lineItemNumber: 2, quantity: 1, billingTerm: 'Monthly' },
        ],
      },
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { type: string; details: Array<{ instance: string }> };
    expect(body.type).toBe('UNPROCESSABLE_ENTITY');
    expect(body.details.map((d) => d.instance)).toEqual([
      'lineItems[0].lineItemNumber',
      'lineItems[0].quantity',
      'lineItems[0].commitmentTermId',
      'lineItems[1].productId',
    ]);
    const inactive = fake.companies.find((c) => c.status === 'Inactive');
    const res2 = await api('/orders', { method: 'POST', body: { ...order, companyId: inactive?.id } });
    expect(res2.status).toBe(422);
    expect(fake.appliedWrites).toHaveLength(0);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After when asked', async () => {
    useFake({ rateLimit: { perMinute: 3, retryAfter: true } });
    for (let i = 0; i < 3; i += 1) expect((await api('/companies')).status).toBe(200);
    const res = await api('/companies');
    expect(res.status).toBe(429);
    expect(res.headers.get('Retry-After')).toBe('60');
    expect(await res.json()).toMatchObject({ type: 'TOO_MANY_REQUESTS', status: 429, details: [] });
    advance(60_000);
    expect((await api('/companies')).status).toBe(200);
  });

  it('answers 429 without Retry-After by default', async () => {
    useFake({ rateLimit: { perMinute: 1 } });
    expect((await api('/companies')).status).toBe(200);
    const res = await api('/companies');
    expect(res.status).toBe(429);
    expect(res.headers.get('Retry-After')).toBeNull();
    expect(fake.rateWindow?.rejected).toBe(1);
  });
});

describe('faults', () => {
  const put = () => api(`/subscriptions/${monthlyId}`, { method: 'PUT', body: { quantity: 25 } });
  const quantity = () => fake.getSubscription(monthlyId)?.quantity;

  it.each(['http-500', 'http-502', 'http-503'] as const)('%s is not applied', async (kind) => {
    fake.faults.add({ kind, method: 'PUT', path: '/subscriptions/' });
    expect((await put()).status).toBe(Number(kind.slice(5)));
    expect(quantity()).toBe(20);
    expect(fake.appliedWrites).toHaveLength(0);
  });

  it('http-429 with and without Retry-After', async () => {
    fake.faults.add({ kind: 'http-429', path: '/companies', times: 1, retryAfterSeconds: 7 });
    fake.faults.add({ kind: 'http-429', path: '/companies', times: 1 });
    const a = await api('/companies');
    expect(a.status).toBe(429);
    expect(a.headers.get('Retry-After')).toBe('7');
    const b = await api('/companies');
    expect(b.status).toBe(429);
    expect(b.headers.get('Retry-After')).toBeNull();
    expect((await api('/companies')).status).toBe(200);
  });

  it('reset rejects the fetch and does not apply the write', async () => {
    fake.faults.add({ kind: 'reset', method: 'PUT' });
    await expect(put()).rejects.toThrow();
    expect(quantity()).toBe(20);
    expect(fake.appliedWrites).toHaveLength(0);
  });

  it('timeout rejects the fetch and does not apply the write', async () => {
    fake.faults.add({ kind: 'timeout', method: 'PUT', latencyMs: 10 });
    await expect(put()).rejects.toThrow();
    expect(quantity()).toBe(20);
  });

  it('latency delays, then serves', async () => {
    fake.faults.add({ kind: 'latency', method: 'PUT', latencyMs: 40 });
    const start = Date.now();
    expect((await put()).status).toBe(200);
    expect(Date.now() - start).toBeGreaterThanOrEqual(30);
    expect(quantity()).toBe(25);
  });

  it('response-lost applies the write but the fetch rejects', async () => {
    fake.faults.add({ kind: 'response-lost', method: 'PUT', times: 1 });
    await expect(put()).rejects.toThrow();
    expect(quantity()).toBe(25);
    expect(fake.appliedWrites).toHaveLength(1);
    expect(fake.faults.fired).toEqual([{ kind: 'response-lost', method: 'PUT', path: `/subscriptions/${monthlyId}` }]);
  });

  it('truncated applies the write and cuts the body', async () => {
    fake.faults.add({ kind: 'truncated', method: 'PUT' });
    const res = await put();
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
    expect(quantity()).toBe(25);
  });

  it('applied-then-500 applies the write and answers 500', async () => {
    fake.faults.add({ kind: 'applied-then-500', method: 'PUT' });
    expect((await put()).status).toBe(500);
    expect(quantity()).toBe(25);
    expect(fake.appliedWrites).toHaveLength(1);
  });

  it('faults apply to the token endpoint', async () => {
    fake.faults.add({ kind: 'reset', path: '/token', times: 1 });
    await expect(getToken()).rejects.toThrow();
    expect(fake.issuedTokens).toBe(0);
    expect((await getToken()).status).toBe(200);
  });
});
