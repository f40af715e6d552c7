import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createSherwebFake,
  SHERWEB_FAKE_CREDENTIALS,
  SHERWEB_SEED_IDS,
  type SherwebFake,
  type SherwebFakeOptions,
  type SherwebSubscription,
} from '../../src/testing/sherweb/index.js';

const T0 = Date.parse('2026-03-02T12:00:00.000Z');
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function start(options: SherwebFakeOptions = {}): SherwebFake {
  const fake = createSherwebFake({ now: () => new Date(T0), ...options });
  server.use(...fake.handlers);
  return fake;
}

function tokenRequest(fake: SherwebFake, fields: Record<string, string> = {}): Promise<Response> {
  return fetch(fake.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: SHERWEB_FAKE_CREDENTIALS.clientId,
      client_secret: SHERWEB_FAKE_CREDENTIALS.clientSecret,
      scope: 'service-provider',
      ...fields,
    }),
  });
}

async function token(fake: SherwebFake, scope = 'service-provider'): Promise<string> {
  const res = await tokenRequest(fake, { scope });
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

interface CallOptions {
  method?: string;
  body?: unknown;
  token?: string | null;
  key?: string | null;
}

async function call(fake: SherwebFake, path: string, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = opts.key === undefined ? SHERWEB_FAKE_CREDENTIALS.subscriptionKey : opts.key;
  if (key !== null) headers['Ocp-Apim-Subscription-Key'] = key;
  const bearer = opts.token === undefined ? await token(fake) : opts.token;
  if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(fake.baseUrl + path, {
    method: opts.method ?? 'GET',
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
}

async function subscriptions(fake: SherwebFake, customerId: string = SHERWEB_SEED_IDS.contoso) {
  const res = await call(fake, `/billing/subscriptions?customerId=${customerId}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: SherwebSubscription[] }).items;
}

function amend(
  fake: SherwebFake,
  subscriptionId: string,
  newQuantity: number,
  customerId: string = SHERWEB_SEED_IDS.contoso,
) {
  return call(fake, `/billing/subscriptions/amendments?customerId=${customerId}`, {
    method: 'POST',
    body: { subscriptionAmendmentParameters: [{ subscriptionId, newQuantity }] },
  });
}

describe('sherweb fake: auth', () => {
  it('issues client-credentials tokens from a form post', async () => {
    const fake = start();
    const res = await tokenRequest(fake);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ expires_in: 3600, token_type: 'Bearer', scope: 'service-provider' });
    expect(String(body.access_token)).toMatch(/^fake-sherweb-token-/);
    expect(fake.issuedTokens).toBe(1);
  });

  it('refuses bad client credentials, grants, scopes and JSON bodies the OAuth way', async () => {
    const fake = start();
    const bad = await tokenRequest(fake, { client_secret: 'nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_client' });
    expect(await (await tokenRequest(fake, { scope: 'everything' })).json()).toEqual({ error: 'invalid_scope' });
    expect(await (await tokenRequest(fake, { grant_type: 'password' })).json()).toEqual({
      error: 'unsupported_grant_type',
    });
    const asJson = await fetch(fake.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(asJson.status).toBe(400);
    expect(fake.issuedTokens).toBe(0);
  });

  it('needs the APIM subscription key on every API call, answering like API Management', async () => {
    const fake = start();
    const missing = await call(fake, '/customers', { key: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      statusCode: 401,
      message: expect.stringContaining('missing subscription key'),
    });
    const wrong = await call(fake, '/customers', { key: 'fake-wrong' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { message: string }).message).toContain('invalid subscription key');
    const viaQuery = await fetch(
      `${fake.baseUrl}/customers?subscription-key=${SHERWEB_FAKE_CREDENTIALS.subscriptionKey}`,
      {
        headers: { Authorization: `Bearer ${await token(fake)}` },
      },
    );
    expect(viaQuery.status).toBe(200);
  });

  it('refuses missing, expired and wrong-scope tokens with problem details', async () => {
    const fake = start();
    const none = await call(fake, '/customers', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(await none.json()).toMatchObject({ status: 401, title: 'Unauthorized' });

    const t = await token(fake);
    expect((await call(fake, '/customers', { token: t })).status).toBe(200);
    fake.advance(3600 * 1000);
    expect((await call(fake, '/customers', { token: t })).status).toBe(401);

    const t2 = await token(fake);
    fake.expireAllTokens();
    expect((await call(fake, '/customers', { token: t2 })).status).toBe(401);

    const distributorOnly = await token(fake, 'distributor');
    expect((await call(fake, '/customers', { token: distributorOnly })).status).toBe(403);
  });

  it('answers unknown routes with the APIM 404', async () => {
    const fake = start();
    const res = await call(fake, '/customers/' + SHERWEB_SEED_IDS.contoso);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ statusCode: 404, message: 'Resource not found' });
  });
});

describe('sherweb fake: reads', () => {
  it('lists every customer at once in an items envelope (no paging)', async () => {
    const fake = start();
    const res = await call(fake, '/customers?page=2&pageSize=5');
    const body = (await res.json()) as { items: { id: string; displayName: string; path: string[] }[] };
    expect(Object.keys(body)).toEqual(['items']);
    expect(body.items.length).toBeGreaterThanOrEqual(31);
    expect(body.items.find((c) => c.id === SHERWEB_SEED_IDS.contoso)).toEqual({
      id: SHERWEB_SEED_IDS.contoso,
      displayName: 'Contoso Ltd',
      path: ['Fake MSP Partner'],
      suspendedOn: null,
    });
  });

  it('seeds Contoso with an 80-seat annual and a 20-seat monthly Business Premium, and 100+ subscriptions', async () => {
    const fake = start();
    const items = await subscriptions(fake);
    const annual = items.find((s) => s.id === SHERWEB_SEED_IDS.contosoM365BusinessPremiumAnnual);
    const monthly = items.find((s) => s.id === SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly);
    expect(annual).toMatchObject({
      productName: 'Microsoft 365 Business Premium',
      quantity: 80,
      billingCycle: 'monthly',
      fees: { recurringFee: 22, setupFee: 0, currency: 'Usd' },
      commitmentTerm: { type: 'Annual', committedMinimalQuantities: [] },
    });
    expect(annual?.purchaseDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    expect(annual?.commitmentTerm?.termEndDate).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(monthly).toMatchObject({ quantity: 20, commitmentTerm: { type: 'Monthly' } });
    expect(monthly?.commitmentTerm?.committedMinimalQuantities).toHaveLength(1);
    expect(fake.state.subscriptions.size).toBeGreaterThanOrEqual(100);
    const details = await call(fake, `/billing/subscriptions/details?customerId=${SHERWEB_SEED_IDS.contoso}`);
    expect(((await details.json()) as { items: unknown[] }).items).toHaveLength(items.length);
  });

  it('is deterministic', () => {
    const a = createSherwebFake({ now: () => new Date(T0) });
    const b = createSherwebFake({ now: () => new Date(T0) });
    expect([...a.state.subscriptions.keys()]).toEqual([...b.state.subscriptions.keys()]);
    expect(createSherwebFake({ seed: false }).state.customers.size).toBe(0);
  });

  it('needs a known customerId', async () => {
    const fake = start();
    const missing = await call(fake, '/billing/subscriptions');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      status: 400,
      extensions: { errors: { customerId: expect.any(Array) } },
    });
    const unknown = await call(fake, '/billing/subscriptions?customerId=00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      type: expect.stringMatching(/customer-not-found$/),
      extensions: { code: 'CustomerNotFound' },
    });
    expect((await call(fake, '/billing/subscriptions?customerId=abc')).status).toBe(400);
  });

  it('serves the customer catalog', async () => {
    const fake = start();
    const res = await call(fake, `/customer-catalogs/${SHERWEB_SEED_IDS.contoso}`);
    const body = (await res.json()) as { customerId: string; catalogItems: { sku: string; name: unknown[] }[] };
    expect(body.customerId).toBe(SHERWEB_SEED_IDS.contoso);
    expect(body.catalogItems.length).toBeGreaterThan(5);
    expect(body.catalogItems[0]?.name).toContainEqual({ culture: 'en', value: 'Microsoft 365 Business Premium' });
    expect((await call(fake, '/customer-catalogs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});

describe('sherweb fake: amendments', () => {
  it('accepts an absolute newQuantity and completes it asynchronously', async () => {
    const fake = start();
    const res = await amend(fake, SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly, 25);
    expect(res.status).toBe(200);
    const receipt = (await res.json()) as {
      subscriptionsAmendmentId: string;
      trackingId: { requestTrackingId: string };
    };
    expect(receipt.subscriptionsAmendmentId).toMatch(/^[0-9a-f-]{36}$/);
    const trackingId = receipt.trackingId.requestTrackingId;
    expect(fake.appliedWrites).toHaveLength(1);

    const status = async () =>
      (await call(fake, `/billing/subscriptions/amendments/${receipt.subscriptionsAmendmentId}/status`)).json();
    const tracking = async () => (await call(fake, `/tracking/${trackingId}`)).json() as Promise<{ status: string }>;
    expect(await status()).toBe('Pending');
    expect((await tracking()).status).toBe('Queued');
    const monthly = () =>
      subscriptions(fake).then((l) => l.find((s) => s.id === SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly));
    expect((await monthly())?.quantity).toBe(20);

    fake.advance(3000);
    expect(await status()).toBe('Processing');
    fake.advance(3000);
    expect(await status()).toBe('Success');
    expect(await tracking()).toMatchObject({ status: 'Success', requestType: 'SubscriptionsAmendment' });
    expect((await monthly())?.quantity).toBe(25);
  });

  it('refuses a decrease below the committed minimum outside the grace window', async () => {
    const fake = start();
    const res = await amend(fake, SHERWEB_SEED_IDS.contosoM365BusinessPremiumAnnual, 70);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: expect.stringMatching(/commitment-term-violation$/),
      extensions: { code: 'CommitmentTermViolation', minimalQuantity: 80, currentQuantity: 80 },
    });
    expect(fake.appliedWrites).toHaveLength(0);
    // increases are fine, and the added seats may be removed again during the grace window
    expect((await amend(fake, SHERWEB_SEED_IDS.contosoM365BusinessPremiumAnnual, 85)).status).toBe(200);
    fake.completeAll();
    expect((await amend(fake, SHERWEB_SEED_IDS.contosoM365BusinessPremiumAnnual, 80)).status).toBe(200);
    fake.completeAll();
    fake.advance(8 * 86_400_000);
    expect((await amend(fake, SHERWEB_SEED_IDS.contosoM365BusinessPremiumAnnual, 79)).status).toBe(400);
  });

  it('allows a decrease inside the grace window (monthly bought 3 days ago)', async () => {
    const fake = start();
    expect((await amend(fake, SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly, 10)).status).toBe(200);
  });

  it('refuses with "quantity cannot be changed" for fixed-quantity products and while a request is pending', async () => {
    const fake = start();
    const azure = (await subscriptions(fake)).find((s) => s.productName === 'Azure plan');
    const locked = await amend(fake, azure?.id ?? '', 2);
    expect(locked.status).toBe(400);
    expect(await locked.json()).toMatchObject({ extensions: { code: 'QuantityCannotBeChanged' } });

    expect((await amend(fake, SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly, 21)).status).toBe(200);
    const busy = await amend(fake, SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly, 22);
    expect(busy.status).toBe(400);
    expect(await busy.json()).toMatchObject({ extensions: { code: 'QuantityCannotBeChanged' } });
  });

  it('answers 404 for a subscription of another customer and 400 for a bad quantity', async () => {
    const fake = start();
    const other = [...fake.state.subscriptions.values()].find((r) => r.customerId !== SHERWEB_SEED_IDS.contoso);
    const res = await amend(fake, other?.subscription.id ?? '', 5);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ extensions: { code: 'SubscriptionNotFound' } });
    expect((await amend(fake, SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly, 0)).status).toBe(400);
    expect((await amend(fake, SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly, 2.5)).status).toBe(400);
  });

  it('ends batches in PartialSuccess or Failure when lines fail', async () => {
    const fake = start();
    const items = await subscriptions(fake);
    const e3 = items.find((s) => s.productName === 'Microsoft 365 E3');
    fake.markFailing(e3?.id ?? '');
    const res = await call(fake, `/billing/subscriptions/amendments?customerId=${SHERWEB_SEED_IDS.contoso}`, {
      method: 'POST',
      body: {
        subscriptionAmendmentParameters: [
          { subscriptionId: SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly, newQuantity: 30 },
          { subscriptionId: e3?.id, newQuantity: 10 },
        ],
      },
    });
    const receipt = (await res.json()) as { subscriptionsAmendmentId: string };
    fake.completeAll();
    const status = await call(fake, `/billing/subscriptions/amendments/${receipt.subscriptionsAmendmentId}/status`);
    expect(await status.json()).toBe('PartialSuccess');
    const after = await subscriptions(fake);
    expect(after.find((s) => s.id === SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly)?.quantity).toBe(30);
    expect(after.find((s) => s.id === e3?.id)?.quantity).toBe(3);

    const again = (await (await amend(fake, SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly, 31)).json()) as {
      trackingId: { requestTrackingId: string };
    };
    const op = fake.complete(again.trackingId.requestTrackingId, 'failure');
    expect(op.status).toBe('Failure');
    expect((await call(fake, `/tracking/${op.trackingId}`).then((r) => r.json())) as unknown).toMatchObject({
      status: 'Failure',
      details: [{ status: 'Failure' }],
    });
  });

  it('answers 404 problems for unknown amendments and tracking ids', async () => {
    const fake = start();
    expect((await call(fake, '/tracking/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect(
      (await call(fake, '/billing/subscriptions/amendments/00000000-0000-4000-8000-000000000000/status')).status,
    ).toBe(404);
  });
});

describe('sherweb fake: cancellations and orders', () => {
  it('cancels in a batch request, refusing committed subscriptions outside the grace window', async () => {
    const fake = start();
    const path = `/billing/subscriptions/cancellations?customerId=${SHERWEB_SEED_IDS.contoso}`;
    const refused = await call(fake, path, {
      method: 'POST',
      body: { subscriptionIds: [SHERWEB_SEED_IDS.contosoM365BusinessPremiumAnnual] },
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ extensions: { code: 'CommitmentTermViolation' } });

    const ok = await call(fake, path, {
      method: 'POST',
      body: { subscriptionIds: [SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly] },
    });
    expect(ok.status).toBe(200);
    const receipt = (await ok.json()) as { requestTrackingId: string };
    expect(receipt.requestTrackingId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await subscriptions(fake)).some((s) => s.id === SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly)).toBe(
      true,
    );
    fake.completeAll();
    expect((await subscriptions(fake)).some((s) => s.id === SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly)).toBe(
      false,
    );
  });

  it('validates and places orders that create subscriptions when complete', async () => {
    const fake = start();
    const catalog = (await (await call(fake, `/customer-catalogs/${SHERWEB_SEED_IDS.contoso}`)).json()) as {
      catalogItems: { sku: string }[];
    };
    const sku = catalog.catalogItems.find((c) => c.sku.includes('M365BS') && c.sku.includes('P1M'))?.sku ?? '';
    const cart = { cartItems: [{ sku, quantity: 4 }], orderedBy: 'fake-test' };
    const path = `?customerId=${SHERWEB_SEED_IDS.contoso}`;
    expect((await call(fake, `/orders/validate${path}`, { method: 'POST', body: cart })).status).toBe(200);
    const invalid = await call(fake, `/orders/validate${path}`, {
      method: 'POST',
      body: { cartItems: [{ sku: 'NOPE', quantity: 1 }] },
    });
    expect(invalid.status).toBe(400);
    expect(fake.appliedWrites).toHaveLength(0);

    const before = (await subscriptions(fake)).length;
    const placed = await call(fake, `/orders${path}`, { method: 'POST', body: cart });
    const receipt = (await placed.json()) as { requestTrackingId: string };
    fake.completeAll();
    const after = await subscriptions(fake);
    expect(after).toHaveLength(before + 1);
    expect(after.find((s) => s.sku === sku)).toMatchObject({ quantity: 4, commitmentTerm: { type: 'Monthly' } });
    const tracking = (await (await call(fake, `/tracking/${receipt.requestTrackingId}`)).json()) as {
      requestType: string;
      details: { subscriptionId: string }[];
    };
    expect(tracking.requestType).toBe('Order');
    expect(tracking.details[0]?.subscriptionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('can answer with the nested tracking id shape everywhere', async () => {
    const fake = start({ trackingIdShape: 'nested' });
    const res = await call(fake, `/billing/subscriptions/cancellations?customerId=${SHERWEB_SEED_IDS.contoso}`, {
      method: 'POST',
      body: { subscriptionIds: [SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly] },
    });
    expect(await res.json()).toEqual({ trackingId: { requestTrackingId: expect.any(String) } });
  });
});

describe('sherweb fake: limits and faults', () => {
  it('answers 429 with "Try again in N seconds", and Retry-After only when asked', async () => {
    const fake = start({ rateLimit: { limit: 2, windowMs: 60_000 } });
    const t = await token(fake);
    expect((await call(fake, '/customers', { token: t })).status).toBe(200);
    expect((await call(fake, '/customers', { token: t })).status).toBe(200);
    const limited = await call(fake, '/customers', { token: t });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeNull();
    const body = (await limited.json()) as { detail: string };
    expect(body.detail).toMatch(/Try again in 60 seconds/);
    expect(fake.rateLimited).toBe(1);
    fake.advance(60_000);
    expect((await call(fake, '/customers', { token: t })).status).toBe(200);

    server.resetHandlers();
    const withHeader = start({ rateLimit: { limit: 0, windowMs: 10_000, retryAfter: true } });
    const res = await call(withHeader, '/customers');
    expect(res.headers.get('retry-after')).toBe('10');
  });

  it('applies a write whose answer is lost', async () => {
    const fake = start();
    const t = await token(fake);
    fake.faults.add({ kind: 'response-lost', method: 'POST', path: '/billing/subscriptions/amendments', times: 1 });
    await expect(
      call(fake, `/billing/subscriptions/amendments?customerId=${SHERWEB_SEED_IDS.contoso}`, {
        method: 'POST',
        token: t,
        body: {
          subscriptionAmendmentParameters: [
            { subscriptionId: SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly, newQuantity: 24 },
          ],
        },
      }),
    ).rejects.toThrow();
    expect(fake.appliedWrites).toHaveLength(1);
    expect(fake.faults.fired).toEqual([
      { kind: 'response-lost', method: 'POST', path: '/billing/subscriptions/amendments' },
    ]);
    fake.completeAll();
    const monthly = (await subscriptions(fake)).find(
      (s) => s.id === SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly,
    );
    expect(monthly?.quantity).toBe(24);
  });
});
