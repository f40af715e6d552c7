import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import {
  AuthenticationError,
  BusinessRuleError,
  ConfigurationError,
  ConflictError,
  type MarketplaceError,
  NotFoundError,
  ReadOnlyError,
  TimeoutError,
  UnsupportedOperationError,
  ValidationError,
} from '../../../src/core/errors.js';
import type { RetryEvent } from '../../../src/core/events.js';
import {
  PARTNER_CENTER_DEFAULTS,
  type PartnerCenterClientOptions,
  createPartnerCenterClient,
} from '../../../src/providers/partner-center/index.js';
import {
  PARTNER_CENTER_SEED_IDS,
  type PartnerCenterFake,
  type PartnerCenterFakeOptions,
  createPartnerCenterFake,
} from '../../../src/testing/partner-center/index.js';
import { useMswServer } from '../../helpers/msw.js';

const server = useMswServer();
let fake: PartnerCenterFake;
const clock = { t: Date.now() };

const SECRET = 'pc-very-secret-app-key-123';
const REFRESH = 'pc-refresh-token-secret-456';
const ids = PARTNER_CENTER_SEED_IDS;
const contoso = ids.contoso;
const subs = ids.subscriptions;
const annualRef = { customerId: contoso, subscriptionId: subs.contosoBusinessPremiumAnnual };
const monthlyRef = { customerId: contoso, subscriptionId: subs.contosoBusinessPremiumMonthly };
const exchangeRef = { customerId: contoso, subscriptionId: subs.contosoExchangeOnlinePlan1 };
const legacyRef = { customerId: contoso, subscriptionId: subs.contosoLegacyOffice365E3 };
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

function start(options: PartnerCenterFakeOptions = {}): PartnerCenterFake {
  clock.t = Date.now();
  fake = createPartnerCenterFake({
    now: () => new Date(clock.t),
    credentials: { clientSecret: SECRET, refreshToken: REFRESH },
    ...options,
  });
  server.use(...fake.handlers);
  return fake;
}

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

type Logged = { method: string; url: string; headers: Record<string, string>; body: string | undefined };
/** A fetch that records each request, then sends it on (to msw). */
function recordingFetch(log: Logged[]): typeof fetch {
  return async (input, init) => {
    const req = new Request(input, init);
    const headers: Record<string, string> = {};
    req.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const body = req.method === 'GET' ? undefined : await req.clone().text();
    log.push({ method: req.method, url: req.url, headers, body });
    return fetch(req);
  };
}
const api = (path: string, method?: string) =>
  fake.requests.filter((r) => r.path.startsWith(path) && (!method || r.method === method));
const quantityOf = (id: string) => fake.state.subscriptions.get(id)!.subscription.quantity;
const tokenGrants = () =>
  fake.requests
    .filter((r) => r.path.endsWith('/oauth2/token'))
    .map((r) => (r.body as Record<string, string>).grant_type);

beforeEach(() => {
  defaultTokenCache.clear();
  start();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Partner Center reads', () => {
  it('lists customers page by page with size and MS-ContinuationToken, and resumes from a cursor', async () => {
    const log: Logged[] = [];
    const c = client({ customerPageSize: 10, fetch: recordingFetch(log) });
    const pages = [];
    for await (const page of c.listCustomers().byPage()) pages.push(page);
    expect(pages.map((p) => p.items.length)).toEqual([10, 10, 10, 1]);
    const calls = log.filter((r) => r.url.startsWith(`${fake.baseUrl}/customers`));
    expect(new URL(calls[0]!.url).searchParams.get('size')).toBe('10');
    expect(calls[1]!.url).toContain('seekOperation=Next');
    expect(calls[1]!.headers['ms-continuationtoken']).toMatch(/^fake-ct-/);
    const all = pages.flatMap((p) => p.items.map((x) => x.id));
    expect(new Set(all).size).toBe(31);
    const resumed = [];
    for await (const page of c.listCustomers().byPage({ cursor: pages[2]!.nextCursor })) resumed.push(...page.items);
    expect(resumed.map((x) => x.id)).toEqual(pages[3]!.items.map((x) => x.id));
    await expect(c.listCustomers().byPage({ cursor: 'garbage' }).next()).rejects.toThrow(ValidationError);
  });

  it('gets a customer (id = tenant id); unknown ones are NotFoundError with a hint', async () => {
    const c = client();
    const one = await c.getCustomer(contoso);
    expect(one).toMatchObject({ provider: 'partner-center', id: contoso, name: 'Contoso Ltd', tenantId: contoso });
    const err = (await c.getCustomer(UNKNOWN).catch((e: unknown) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.hint).toBeTruthy();
  });

  it('maps the 80/20 split with new-commerce constraints, and the legacy subscription', async () => {
    const c = client();
    const list = await c.listSubscriptions({ customerId: contoso }).toArray({ limit: Infinity });
    const byId = new Map(list.map((s) => [s.id, s]));
    const annual = byId.get(annualRef.subscriptionId)!;
    expect(annual).toMatchObject({
      quantity: 80,
      billingTerm: 'annual',
      commitment: { term: 'P1Y' },
      status: 'active',
    });
    expect(annual.constraints).toMatchObject({ canDecrease: true, refundableQuantity: 5, canCancel: false });
    expect(annual.constraints.decreaseAllowedUntil).not.toBeNull();
    const monthly = byId.get(monthlyRef.subscriptionId)!;
    expect(monthly).toMatchObject({ quantity: 20, billingTerm: 'monthly', commitment: { term: 'P1M' } });
    expect(monthly.constraints).toMatchObject({ canDecrease: false, refundableQuantity: 0 });
    expect(byId.get(exchangeRef.subscriptionId)!.constraints.canCancel).toBe(true);
    expect(byId.get(legacyRef.subscriptionId)!.constraints.notes.join(' ')).toMatch(/legacy/);
    const monthlyOnly = await c
      .listSubscriptions({ customerId: contoso, billingTerm: 'monthly', productId: ids.products.businessPremium })
      .toArray({ limit: 10 });
    expect(monthlyOnly.map((s) => s.id)).toEqual([monthlyRef.subscriptionId]);
    const got = await c.getSubscription(annualRef);
    expect(got.id).toBe(annualRef.subscriptionId);
    await expect(c.getSubscription({ customerId: contoso, subscriptionId: UNKNOWN })).rejects.toThrow(NotFoundError);
  });

  it('lists the subscriptions of every customer, one customer per page', async () => {
    const c = client({ customerPageSize: 20 });
    const pages = [];
    for await (const page of c.listSubscriptions().byPage()) pages.push(page);
    expect(pages).toHaveLength(31);
    expect(pages.reduce((n, p) => n + p.items.length, 0)).toBe(fake.state.subscriptions.size);
    const active = await c.listSubscriptions({ status: 'cancelled' }).toArray({ limit: Infinity });
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((s) => s.status === 'cancelled')).toBe(true);
  });

  it('lists the catalog of the country, filtered by search; verifies the connection', async () => {
    const c = client();
    const all = await c.listProducts().toArray({ limit: Infinity });
    expect(all).toHaveLength(8);
    const bp = await c.listProducts({ search: 'business premium' }).toArray({ limit: 10 });
    expect(bp.map((p) => p.id)).toEqual([ids.products.businessPremium]);
    expect(api('/products')[0]!.query).toContain('country=US');
    const report = await c.verifyConnection();
    expect(report).toMatchObject({ provider: 'partner-center', ok: true, details: { appUser: true } });
  });

  it('sends MS-CorrelationId (per client, configurable) and a new MS-RequestId per call', async () => {
    start({ strictHeaders: true });
    const log: Logged[] = [];
    const c = client({ fetch: recordingFetch(log), correlationId: 'b4f0a0f8-0000-4000-8000-00000000c0de' });
    await c.getCustomer(contoso);
    await c.getSubscription(annualRef);
    const calls = log.filter((r) => r.url.startsWith(fake.baseUrl));
    expect(calls.map((r) => r.headers['ms-correlationid'])).toEqual([c.correlationId, c.correlationId]);
    expect(c.correlationId).toBe('b4f0a0f8-0000-4000-8000-00000000c0de');
    expect(calls[0]!.headers['ms-requestid']).not.toBe(calls[1]!.headers['ms-requestid']);
    expect(client().correlationId).not.toBe(client().correlationId);
  });
});

describe('Partner Center seat changes', () => {
  it('PATCHes the whole subscription with the new quantity (200) and reports the result', async () => {
    const log: Logged[] = [];
    const c = client({ fetch: recordingFetch(log) });
    const r = await c.addSeats(annualRef, 2);
    expect(r).toMatchObject({ outcome: 'applied', before: 80, after: 82 });
    expect(r.subscription?.constraints.refundableQuantity).toBe(7);
    expect(quantityOf(annualRef.subscriptionId)).toBe(82);
    const patch = log.find((x) => x.method === 'PATCH')!;
    const body = JSON.parse(patch.body!) as Record<string, unknown>;
    expect(body).toMatchObject({ id: annualRef.subscriptionId, quantity: 82, offerId: expect.any(String) });
    expect(r.requestId).toBe(patch.headers['ms-requestid']);
    const partial = client({ fullPatchBody: false, fetch: recordingFetch(log) });
    await partial.setSeats(annualRef, 83);
    expect(JSON.parse(log.filter((x) => x.method === 'PATCH')[1]!.body!)).toEqual({ quantity: 83 });
  });

  it('MS-RequestId is identical across retries of one PATCH and different between calls', async () => {
    const log: Logged[] = [];
    const c = client({ fetch: recordingFetch(log) });
    const retries: RetryEvent[] = [];
    c.on('retry', (e) => retries.push(e));
    fake.faults.add({ kind: 'response-lost', method: 'PATCH', path: '/customers/', times: 1 });
    const r = await c.setSeats(annualRef, 84);
    expect(r.outcome).toBe('applied');
    expect(retries).toHaveLength(1);
    const first = log.filter((x) => x.method === 'PATCH');
    expect(first).toHaveLength(2);
    expect(first[0]!.headers['ms-requestid']).toBe(first[1]!.headers['ms-requestid']);
    expect(fake.replayedWrites).toBe(1);
    expect(fake.appliedWrites).toHaveLength(1);
    expect(quantityOf(annualRef.subscriptionId)).toBe(84);
    await c.setSeats(annualRef, 85);
    const all = log.filter((x) => x.method === 'PATCH');
    expect(all).toHaveLength(3);
    expect(all[2]!.headers['ms-requestid']).not.toBe(first[0]!.headers['ms-requestid']);
    expect(fake.appliedWrites).toHaveLength(2);
  });

  it('if every retry is lost, write safety re-reads and resends with the same MS-RequestId', async () => {
    const log: Logged[] = [];
    const c = client({ fetch: recordingFetch(log), retry: { retries: 0 } });
    fake.faults.add({ kind: 'reset', method: 'PATCH', path: '/customers/', times: 1 });
    const r = await c.setSeats(annualRef, 86);
    expect(r.outcome).toBe('applied');
    const patches = log.filter((x) => x.method === 'PATCH');
    expect(patches).toHaveLength(2);
    expect(patches[0]!.headers['ms-requestid']).toBe(patches[1]!.headers['ms-requestid']);
    expect(fake.appliedWrites).toHaveLength(1);
  });

  it('a decrease outside the window is a BusinessRuleError with a hint; dry run refuses without a write', async () => {
    const c = client();
    const err = (await c.removeSeats(monthlyRef, 1).catch((e: unknown) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect(err.hint).toMatch(/7 days/);
    const dry = (await c.removeSeats(annualRef, 6, { dryRun: true }).catch((e: unknown) => e)) as MarketplaceError;
    expect(dry).toBeInstanceOf(BusinessRuleError);
    expect((await c.removeSeats(annualRef, 5, { dryRun: true })).outcome).toBe('dry-run');
    expect(fake.appliedWrites).toHaveLength(0);
    expect((await c.removeSeats(annualRef, 5)).after).toBe(75);
    await expect(c.setSeats(annualRef, 100_000)).rejects.toThrow(ValidationError);
  });

  it('202 + Location is a pending operation that completes, or fails', async () => {
    start({ asyncSubscriptionUpdates: true });
    const c = client();
    const r = await c.setSeats(annualRef, 90);
    expect(r.outcome).toBe('pending');
    expect(r.operation!.kind).toBe('seat-change');
    expect(quantityOf(annualRef.subscriptionId)).toBe(80);
    const seen: string[] = [];
    const waiting = r.operation!.waitForCompletion({ onProgress: (s) => seen.push(s.status) });
    setTimeout(() => fake.completeAll(), 20);
    await expect(waiting).resolves.toMatchObject({ status: 'succeeded' });
    expect(seen).toContain('pending');
    expect(quantityOf(annualRef.subscriptionId)).toBe(90);
    const again = await c.setSeats(monthlyRef, 25);
    fake.failAll();
    await expect(again.operation!.waitForCompletion()).resolves.toMatchObject({ status: 'failed' });
    expect(quantityOf(monthlyRef.subscriptionId)).toBe(20);
  });

  it('a pending operation times out with TimeoutError, and an abort stops waiting at once', async () => {
    start({ asyncSubscriptionUpdates: true });
    const c = client();
    const op = (await c.setSeats(annualRef, 91)).operation!;
    const err = await op.waitForCompletion({ timeoutMs: 40, pollIntervalMs: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    const controller = new AbortController();
    const started = Date.now();
    const waiting = op.waitForCompletion({ pollIntervalMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 10);
    await expect(waiting).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('after an ambiguous failure, a change still provisioning is awaited, not sent again', async () => {
    start({ asyncSubscriptionUpdates: true });
    const c = client({ retry: { retries: 0 } });
    fake.faults.add({ kind: 'response-lost', method: 'PATCH', path: '/customers/', times: 1 });
    const r = await c.setSeats(annualRef, 92);
    expect(r.outcome).toBe('pending');
    expect(fake.appliedWrites).toHaveLength(1);
    fake.completeAll();
    await expect(r.operation!.waitForCompletion()).resolves.toMatchObject({ status: 'succeeded' });
    expect(quantityOf(annualRef.subscriptionId)).toBe(92);
  });

  it('a change while another is provisioning is a ConflictError with a hint; ifCurrent mismatch sends nothing', async () => {
    start({ asyncSubscriptionUpdates: true });
    const c = client();
    await c.setSeats(annualRef, 93);
    const busy = (await c.setSeats(annualRef, 94).catch((e: unknown) => e)) as MarketplaceError;
    expect(busy).toBeInstanceOf(ConflictError);
    expect(busy.hint).toMatch(/provisioned/);
    await expect(c.addSeats(monthlyRef, 1, { ifCurrent: 19 })).rejects.toThrow(ConflictError);
    expect(api(`/customers/${contoso}/subscriptions/${monthlyRef.subscriptionId}`, 'PATCH')).toHaveLength(0);
  });

  it('a PATCH refused by 429 is retried after the wait and applied once', async () => {
    const c = client();
    fake.faults.add({ kind: 'http-429', method: 'PATCH', path: '/customers/', times: 1, retryAfterSeconds: 0 });
    await expect(c.setSeats(annualRef, 81)).resolves.toMatchObject({ outcome: 'applied' });
    expect(fake.appliedWrites).toHaveLength(1);
  });
});

describe('Partner Center cancellations and purchases', () => {
  it('cancels new commerce with status deleted inside the window; outside it is a BusinessRuleError', async () => {
    const log: Logged[] = [];
    const c = client({ fetch: recordingFetch(log) });
    const r = await c.cancelSubscription(exchangeRef);
    expect(r.outcome).toBe('cancelled');
    expect(r.subscription?.status).toBe('cancelled');
    expect(JSON.parse(log.find((x) => x.method === 'PATCH')!.body!).status).toBe('deleted');
    const again = await c.cancelSubscription(exchangeRef);
    expect(again.requestId).toBeNull();
    const err = (await c.cancelSubscription(annualRef).catch((e: unknown) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect(err.hint).toMatch(/auto-renew/);
    await expect(c.cancelSubscription(monthlyRef, { effectiveDate: '2099-01-01' })).rejects.toThrow(
      UnsupportedOperationError,
    );
    // The monthly term's cancellation window has passed: the dry run refuses it as the real PATCH would.
    const dry = (await c.cancelSubscription(monthlyRef, { dryRun: true }).catch((e: unknown) => e)) as MarketplaceError;
    expect(dry).toBeInstanceOf(BusinessRuleError);
    expect(dry.hint).toMatch(/auto-renew/);
    await expect(c.cancelSubscription(monthlyRef)).rejects.toBeInstanceOf(BusinessRuleError);
  });

  it('cancels a legacy subscription by suspending it, once', async () => {
    const log: Logged[] = [];
    const c = client({ fetch: recordingFetch(log) });
    const r = await c.cancelSubscription(legacyRef);
    expect(r.subscription?.status).toBe('suspended');
    expect(JSON.parse(log.find((x) => x.method === 'PATCH')!.body!).status).toBe('suspended');
    await c.cancelSubscription(legacyRef);
    expect(log.filter((x) => x.method === 'PATCH')).toHaveLength(1);
  });

  it('dry-run purchase creates the cart (the vendor validates) and stops before checkout', async () => {
    const c = client();
    const orders = fake.state.orders.size;
    const r = await c.purchase({
      customerId: contoso,
      productId: ids.products.businessBasic,
      quantity: 3,
      billingTerm: 'annual',
      dryRun: true,
    });
    expect(r).toMatchObject({
      outcome: 'dry-run',
      orderId: null,
      lines: [{ productId: ids.catalogItems.businessBasic, quantity: 3 }],
    });
    expect(api(`/customers/${contoso}/carts`, 'POST')).toHaveLength(1);
    expect(api('/customers/', 'POST').some((x) => x.path.endsWith('/checkout'))).toBe(false);
    expect(fake.state.orders.size).toBe(orders);
  });

  it('buys through cart + checkout with the app+user token; the new subscription is listed', async () => {
    const refreshed: string[] = [];
    const c = client({ onRefreshToken: (t) => refreshed.push(t) });
    const r = await c.purchase({
      customerId: contoso,
      productId: `${ids.products.businessStandard}:0001`,
      quantity: 4,
      billingTerm: 'monthly',
      commitmentTerm: 'P1Y',
    });
    expect(r.outcome).toBe('ordered');
    const sub = r.lines[0]!.subscriptionId!;
    const got = await c.getSubscription({ customerId: contoso, subscriptionId: sub });
    expect(got).toMatchObject({ quantity: 4, billingTerm: 'monthly', commitment: { term: 'P1Y' } });
    expect(tokenGrants()).toEqual(expect.arrayContaining(['refresh_token', 'client_credentials']));
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]).toMatch(/^fake-pc-refresh-/);
  });

  it('an asynchronous order is a pending operation until it completes', async () => {
    start({ asyncOrders: true });
    const c = client();
    const r = await c.purchase({
      customerId: contoso,
      productId: ids.catalogItems.entraIdP1,
      quantity: 2,
      billingTerm: 'monthly',
    });
    expect(r.outcome).toBe('pending');
    setTimeout(() => fake.completeAll(), 20);
    await expect(r.operation!.waitForCompletion()).resolves.toMatchObject({ status: 'succeeded' });
  });

  it('refuses a term that is not offered before any cart, and a cart line error with a typed error', async () => {
    const c = client();
    const err = (await c
      .purchase({
        customerId: contoso,
        productId: ids.products.exchangeOnlinePlan1,
        quantity: 1,
        billingTerm: 'triennial',
      })
      .catch((e: unknown) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/offered: .*P1Y/);
    expect(api(`/customers/${contoso}/carts`, 'POST')).toHaveLength(0);
    const big = (await c
      .purchase({ customerId: contoso, productId: ids.products.businessBasic, quantity: 301, billingTerm: 'monthly' })
      .catch((e: unknown) => e)) as MarketplaceError;
    expect(big).toBeInstanceOf(ValidationError);
    expect(big.code).toBe('10015');
    await expect(
      c.purchase({ customerId: contoso, productId: 'a:b:c:d', quantity: 1, billingTerm: 'monthly' }),
    ).rejects.toThrow(ValidationError);
  });

  it('a checkout whose answer is lost is retried with the same MS-RequestId and buys once', async () => {
    const c = client();
    const before = fake.state.orders.size;
    fake.faults.add({ kind: 'response-lost', method: 'POST', path: /\/checkout$/, times: 1 });
    const r = await c.purchase({
      customerId: contoso,
      productId: ids.products.businessBasic,
      quantity: 1,
      billingTerm: 'monthly',
    });
    expect(r.outcome).toBe('ordered');
    expect(fake.state.orders.size).toBe(before + 1);
    expect(fake.replayedWrites).toBe(1);
  });
});

describe('Partner Center tokens and rate limits', () => {
  it('fetches one token for concurrent calls and refreshes once after expiry (401)', async () => {
    const c = client();
    await Promise.all([c.getCustomer(contoso), c.getSubscription(annualRef), c.getSubscription(monthlyRef)]);
    expect(fake.issuedTokens).toBe(1);
    fake.expireAllTokens();
    await c.getCustomer(contoso);
    expect(fake.issuedTokens).toBe(2);
    expect(tokenGrants()).toEqual(['client_credentials', 'client_credentials']);
  });

  it('a wrong secret is an AuthenticationError with a hint; no secret in errors, events or the client', async () => {
    const events: unknown[] = [];
    const c = client({ credentials: { ...fake.credentials, clientSecret: 'wrong-secret-value-789' } });
    c.on('request', (e) => events.push(e));
    c.on('response', (e) => events.push(e));
    const err = (await c.getCustomer(contoso).catch((e: unknown) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.hint).toMatch(/client secret/);
    const text = `${err.message} ${JSON.stringify(err)} ${inspect(err)} ${JSON.stringify(events)} ${inspect(c)}`;
    expect(text).not.toContain('wrong-secret-value-789');
    expect(text).not.toContain(REFRESH);
    const good = client();
    const seen: unknown[] = [];
    good.on('request', (e) => seen.push(e));
    await good.purchase({
      customerId: contoso,
      productId: ids.products.businessBasic,
      quantity: 1,
      billingTerm: 'monthly',
      dryRun: true,
    });
    const all = JSON.stringify(seen);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(REFRESH);
    expect(all).not.toMatch(/fake-pc-access-/);
  });

  it('a bad refresh token is an AuthenticationError-like failure with the consent hint', async () => {
    const c = client({ credentials: { ...fake.credentials, refreshToken: 'stolen-refresh-token' } });
    const err = (await c
      .purchase({ customerId: contoso, productId: ids.products.businessBasic, quantity: 1, billingTerm: 'monthly' })
      .catch((e: unknown) => e)) as MarketplaceError;
    expect(err.hint).toMatch(/Secure Application Model/);
    expect(err.message).not.toContain('stolen-refresh-token');
  });

  it('429 with Retry-After waits that long, then succeeds', async () => {
    start({ rateLimit: { limit: 2, windowMs: 3_000 } });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const c = client();
    const retries: RetryEvent[] = [];
    c.on('retry', (e) => retries.push(e));
    await c.getCustomer(contoso);
    await c.getCustomer(contoso);
    const p = c.getCustomer(contoso);
    await vi.advanceTimersByTimeAsync(50);
    expect(retries).toHaveLength(1);
    expect(retries[0]!.status).toBe(429);
    expect(retries[0]!.delayMs).toBe(3_000);
    clock.t += 3_000;
    await vi.advanceTimersByTimeAsync(3_100);
    await expect(p).resolves.toMatchObject({ id: contoso });
    expect(fake.rateLimited).toBe(1);
  });

  it('429 without Retry-After waits the "Try again in N seconds" of the body', async () => {
    start({ rateLimit: { limit: 1, windowMs: 5_000, retryAfter: false } });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const c = client();
    const retries: RetryEvent[] = [];
    c.on('retry', (e) => retries.push(e));
    await c.getCustomer(contoso);
    const p = c.getCustomer(contoso);
    await vi.advanceTimersByTimeAsync(50);
    expect(retries[0]!.delayMs).toBe(5_000);
    clock.t += 5_000;
    await vi.advanceTimersByTimeAsync(5_100);
    await expect(p).resolves.toMatchObject({ id: contoso });
  });

  it('defaults to the documented 500 requests per minute', () => {
    expect(PARTNER_CENTER_DEFAULTS.rateLimit).toMatchObject({ requests: 500, perMs: 60_000 });
    expect(PARTNER_CENTER_DEFAULTS.baseUrl).toBe('https://api.partnercenter.microsoft.com/v1');
  });
});

describe('Partner Center refuses before the network', () => {
  const bad: Array<[string, (c: ReturnType<typeof client>) => Promise<unknown>]> = [
    ['negative seats', (c) => c.setSeats(annualRef, -1)],
    ['zero seats', (c) => c.setSeats(annualRef, 0)],
    ['fractional seats', (c) => c.setSeats(annualRef, 1.5)],
    ['zero delta', (c) => c.addSeats(annualRef, 0)],
    ['non-guid customer', (c) => c.getCustomer('contoso')],
    ['non-guid subscription', (c) => c.getSubscription({ customerId: contoso, subscriptionId: 'sub-1' })],
    ['non-guid subscription on write', (c) => c.setSeats({ customerId: contoso, subscriptionId: 'sub-1' }, 3)],
    ['empty subscription id', (c) => c.setSeats({ customerId: contoso, subscriptionId: ' ' }, 3)],
    ['bad effective date', (c) => c.cancelSubscription(annualRef, { effectiveDate: '31/01/2099' })],
    [
      'non-guid purchase customer',
      (c) => c.purchase({ customerId: 'x', productId: 'p', quantity: 1, billingTerm: 'monthly' }),
    ],
    ['trial purchase', (c) => c.purchase({ customerId: contoso, productId: 'p', quantity: 1, billingTerm: 'trial' })],
    ['listSubscriptions non-guid', async (c) => c.listSubscriptions({ customerId: 'nope' })],
  ];
  for (const [name, call] of bad) {
    it(`${name} -> ValidationError, no request`, async () => {
      const c = client();
      await expect(call(c)).rejects.toThrow(ValidationError);
      expect(fake.requests).toHaveLength(0);
    });
  }

  it('read-only refuses every write', async () => {
    const c = client({ readOnly: true });
    const writes = [
      c.setSeats(annualRef, 3),
      c.addSeats(annualRef, 1),
      c.removeSeats(annualRef, 1),
      c.cancelSubscription(annualRef),
      c.purchase({ customerId: contoso, productId: 'p', quantity: 1, billingTerm: 'monthly' }),
    ];
    for (const w of writes) await expect(w).rejects.toThrow(ReadOnlyError);
    expect(fake.requests).toHaveLength(0);
  });

  it('configuration errors name the field and never the secret', () => {
    const creds = { tenantId: 't', clientId: 'a', clientSecret: 's3cr3t-value', refreshToken: 'r3fr3sh-value' };
    const attempts = [
      () => createPartnerCenterClient({ credentials: { ...creds, clientSecret: '' } }),
      () => createPartnerCenterClient({ credentials: { ...creds, tenantId: '' } }),
      () => createPartnerCenterClient({ credentials: { ...creds, refreshToken: ' ' } }),
      () => createPartnerCenterClient({ credentials: creds, baseUrl: 'http://evil.example.com' }),
      () => createPartnerCenterClient({ credentials: creds, correlationId: 'a\r\nX-Evil: 1' }),
      () => createPartnerCenterClient({ credentials: creds, country: 'USA' }),
    ];
    for (const attempt of attempts) {
      let error: unknown;
      try {
        attempt();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(JSON.stringify(error) + String(error)).not.toMatch(/s3cr3t-value|r3fr3sh-value/);
    }
    expect(() => createPartnerCenterClient({ credentials: { ...creds, clientId: '' } })).toThrow(/clientId/);
    expect(() => createPartnerCenterClient({ credentials: creds, customerPageSize: 0 })).toThrow(ValidationError);
    expect(() => createPartnerCenterClient({ credentials: creds, pollIntervalMs: 0 })).toThrow(ValidationError);
    expect(inspect(createPartnerCenterClient({ credentials: creds }))).toBe(
      "PartnerCenterClient { provider: 'partner-center', readOnly: false }",
    );
  });
});
