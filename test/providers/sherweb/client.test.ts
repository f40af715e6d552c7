import { inspect } from 'node:util';
import { http, HttpResponse } from 'msw';
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
import type { RequestEvent, RetryEvent, WarningEvent } from '../../../src/core/events.js';
import { type SherwebClientOptions, createSherwebClient } from '../../../src/providers/sherweb/index.js';
import {
  SHERWEB_SEED_IDS,
  type SherwebFake,
  type SherwebFakeOptions,
  createSherwebFake,
  sherwebSku,
} from '../../../src/testing/sherweb/index.js';
import { useMswServer } from '../../helpers/msw.js';

const server = useMswServer();
let fake: SherwebFake;

const SECRET = 'sherweb-very-secret-value-123';
const KEY = 'sherweb-subscription-key-456';

function start(options: SherwebFakeOptions = {}): SherwebFake {
  fake = createSherwebFake({ credentials: { clientSecret: SECRET, subscriptionKey: KEY }, ...options });
  server.use(...fake.handlers);
  return fake;
}

function client(extra: Partial<SherwebClientOptions> = {}) {
  return createSherwebClient({
    credentials: { ...fake.credentials },
    baseUrl: fake.baseUrl,
    tokenUrl: fake.tokenUrl,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    pollIntervalMs: 5,
    ...extra,
  });
}

const contoso = SHERWEB_SEED_IDS.contoso;
const monthlyRef = { customerId: contoso, subscriptionId: SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly };
const annualRef = { customerId: contoso, subscriptionId: SHERWEB_SEED_IDS.contosoM365BusinessPremiumAnnual };
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

const api = (path: string, method?: string) =>
  fake.requests.filter((r) => r.path.startsWith(path) && (!method || r.method === method));
/** A fetch that records each request's URL and headers, then sends it on (to msw). */
function recordingFetch(log: Array<{ url: string; headers: Record<string, string> }>): typeof fetch {
  return async (input, init) => {
    const req = new Request(input, init);
    const headers: Record<string, string> = {};
    req.headers.forEach((value, name) => {
      headers[name] = value;
    });
    log.push({ url: req.url, headers });
    return fetch(req);
  };
}
const quantityOf = (id: string) => fake.state.subscriptions.get(id)!.subscription.quantity;

beforeEach(() => {
  defaultTokenCache.clear();
  start();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Sherweb reads', () => {
  it('lists every customer in one page and gets one from the list', async () => {
    const c = client();
    const pages = [];
    for await (const page of c.listCustomers().byPage()) pages.push(page);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.items.length).toBe(fake.state.customers.size);
    expect(pages[0]!.nextCursor).toBeUndefined();
    const one = await c.getCustomer(contoso.toUpperCase());
    expect(one).toMatchObject({ provider: 'sherweb', id: contoso, name: 'Contoso Ltd', status: 'active' });
    expect(api('/customers')).toHaveLength(2);
    const suspended = pages[0]!.items.filter((x) => x.status === 'inactive');
    expect(suspended.length).toBe(2);
    await expect(c.getCustomer(UNKNOWN)).rejects.toThrow(NotFoundError);
  });

  it('sends the subscription key on every API call and Accept-Language when set', async () => {
    const log: Array<{ url: string; headers: Record<string, string> }> = [];
    const c = client({ acceptLanguage: 'fr-CA, fr;q=0.8', fetch: recordingFetch(log) });
    await c.getSubscription(monthlyRef);
    await c.listProducts({ customerId: contoso }).toArray({ limit: 1 });
    const token = log.filter((r) => r.url === fake.tokenUrl);
    expect(token).toHaveLength(1);
    expect(token[0]!.headers['content-type']).toContain('application/x-www-form-urlencoded');
    const apiCalls = log.filter((r) => r.url.startsWith(fake.baseUrl));
    expect(apiCalls.length).toBe(2);
    for (const r of apiCalls) {
      expect(r.headers['ocp-apim-subscription-key']).toBe(KEY);
      expect(r.headers['accept-language']).toBe('fr-CA, fr;q=0.8');
    }
  });

  it('maps the 80/20 split: annual (no decrease) and monthly (in grace)', async () => {
    const c = client();
    const annual = await c.getSubscription(annualRef);
    const monthly = await c.getSubscription(monthlyRef);
    expect(annual).toMatchObject({ quantity: 80, billingTerm: 'annual', commitment: { term: 'P1Y' }, autoRenew: true });
    expect(annual.constraints.canDecrease).toBe(false);
    expect(monthly).toMatchObject({ quantity: 20, billingTerm: 'monthly', commitment: { term: 'P1M' } });
    expect(monthly.constraints.canDecrease).toBe(true);
    expect(api('/billing/subscriptions')).toHaveLength(2);
  });

  it('lists one customer with local filters, or every customer one page each', async () => {
    const c = client();
    const all = await c.listSubscriptions({ customerId: contoso }).toArray({ limit: Number.POSITIVE_INFINITY });
    expect(all).toHaveLength(5);
    expect(all.every((s) => s.customerId === contoso && s.status === 'active')).toBe(true);
    const monthly = await c
      .listSubscriptions({ customerId: contoso, billingTerm: 'monthly' })
      .toArray({ limit: Number.POSITIVE_INFINITY });
    expect(monthly.map((s) => s.id)).toContain(monthlyRef.subscriptionId);
    expect(monthly.every((s) => s.billingTerm === 'monthly')).toBe(true);
    const bySku = await c
      .listSubscriptions({ customerId: contoso, productId: sherwebSku('M365BP', 'Annual') })
      .toArray({ limit: 10 });
    expect(bySku.map((s) => s.id)).toEqual([annualRef.subscriptionId]);

    fake.requests.length = 0;
    let pages = 0;
    let total = 0;
    for await (const page of c.listSubscriptions().byPage()) {
      pages += 1;
      total += page.items.length;
    }
    expect(pages).toBe(fake.state.customers.size);
    const live = [...fake.state.subscriptions.values()].filter((r) => r.cancelledOn === null).length;
    expect(total).toBe(live);
    expect(api('/customers')).toHaveLength(1);
    expect(api('/billing/subscriptions')).toHaveLength(fake.state.customers.size);
  });

  it('resumes a cross-customer listing from a cursor', async () => {
    const c = client();
    const it = c.listSubscriptions().byPage();
    const first = (await it.next()).value!;
    const rest = [];
    for await (const page of c.listSubscriptions().byPage({ cursor: first.nextCursor })) rest.push(page);
    expect(rest).toHaveLength(fake.state.customers.size - 1);
  });

  it('unknown customer and unknown subscription are NotFoundError with hints', async () => {
    const c = client();
    const err = (await c
      .getSubscription({ customerId: UNKNOWN, subscriptionId: UNKNOWN })
      .catch((e) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.hint).toMatch(/customer/);
    const missing = (await c
      .getSubscription({ customerId: contoso, subscriptionId: UNKNOWN })
      .catch((e) => e)) as MarketplaceError;
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.hint).toMatch(/cancelled/);
  });

  it('lists a customer catalog (products are SKUs), filtered by search', async () => {
    const c = client();
    const products = await c.listProducts({ customerId: contoso }).toArray({ limit: 1000 });
    expect(products.length).toBe(fake.state.catalog.length);
    const bp = await c.listProducts({ customerId: contoso, search: 'business premium' }).toArray({ limit: 10 });
    expect(bp.map((p) => p.id).sort()).toEqual(
      [sherwebSku('M365BP', 'Annual'), sherwebSku('M365BP', 'Monthly')].sort(),
    );
    const withDefault = client({ catalogCustomerId: contoso });
    expect(await withDefault.listProducts().toArray({ limit: 1 })).toHaveLength(1);
    expect(() => c.listProducts()).toThrow(ValidationError);
  });

  it('verifies the connection', async () => {
    const report = await client().verifyConnection();
    expect(report).toMatchObject({ ok: true, customers: fake.state.customers.size, subscriptions: null });
  });
});

describe('Sherweb seat changes (asynchronous amendments)', () => {
  it('sends an absolute newQuantity and returns a pending operation that completes', async () => {
    const c = client();
    const r = await c.addSeats(monthlyRef, 2);
    expect(r).toMatchObject({ before: 20, requested: 22, after: null, outcome: 'pending' });
    expect(fake.appliedWrites).toHaveLength(1);
    expect(fake.appliedWrites[0]!.body).toEqual({
      subscriptionAmendmentParameters: [{ subscriptionId: monthlyRef.subscriptionId, newQuantity: 22 }],
    });
    expect(fake.appliedWrites[0]!.query).toContain(`customerId=${contoso}`);
    const op = r.operation!;
    expect(op.kind).toBe('seat-change');
    const seen: string[] = [];
    const waiting = op.waitForCompletion({ onProgress: (s) => seen.push(s.rawStatus ?? '') });
    await new Promise((res) => setTimeout(res, 20));
    fake.advance(5_000);
    const done = await waiting;
    expect(done.status).toBe('succeeded');
    expect(seen.at(-1)).toBe('Success');
    expect(seen).toContain('Queued');
    expect(quantityOf(monthlyRef.subscriptionId)).toBe(22);
    expect((await c.getSubscription(monthlyRef)).quantity).toBe(22);
  });

  for (const shape of ['nested', 'top-level'] as const) {
    it(`accepts the ${shape} tracking-id shape`, async () => {
      start({ trackingIdShape: shape });
      const c = client();
      const r = await c.setSeats(monthlyRef, 21);
      const op = r.operation!;
      expect(op.id).toBe(fake.pendingOperations()[0]!.trackingId);
      fake.completeAll();
      await expect(op.waitForCompletion()).resolves.toMatchObject({ status: 'succeeded' });
      expect(api('/tracking').length).toBeGreaterThan(0);
    });
  }

  it('falls back on the amendment status route when tracking is unavailable', async () => {
    server.use(
      http.get(`${fake.baseUrl}/tracking/:id`, () =>
        HttpResponse.json({ statusCode: 404, message: 'Resource not found' }, { status: 404 }),
      ),
    );
    const c = client();
    const op = (await c.setSeats(monthlyRef, 23)).operation!;
    fake.completeAll();
    await expect(op.waitForCompletion()).resolves.toMatchObject({ status: 'succeeded', rawStatus: 'Success' });
    expect(api('/billing/subscriptions/amendments/', 'GET').length).toBeGreaterThan(0);
  });

  it('reports a failed amendment with the vendor message', async () => {
    const c = client();
    fake.markFailing(monthlyRef.subscriptionId);
    const op = (await c.setSeats(monthlyRef, 24)).operation!;
    fake.completeAll();
    const state = await op.waitForCompletion();
    expect(state.status).toBe('failed');
    expect(state.message).toMatch(/could not be processed/);
    expect(quantityOf(monthlyRef.subscriptionId)).toBe(20);
  });

  it('times out with TimeoutError, and an abort stops waiting at once', async () => {
    const c = client();
    const op = (await c.setSeats(monthlyRef, 25)).operation!;
    const err = await op.waitForCompletion({ timeoutMs: 40, pollIntervalMs: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).message).toContain(op.id);
    const controller = new AbortController();
    const started = Date.now();
    const waiting = op.waitForCompletion({ pollIntervalMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 10);
    await expect(waiting).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses a decrease outside the commitment window (BusinessRuleError), also in dry run without a write', async () => {
    const c = client();
    const err = (await c.removeSeats(annualRef, 5).catch((e: unknown) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect(err.hint).toMatch(/grace window/);
    const dry = (await c.removeSeats(annualRef, 5, { dryRun: true }).catch((e: unknown) => e)) as MarketplaceError;
    expect(dry).toBeInstanceOf(BusinessRuleError);
    const ok = await c.removeSeats(monthlyRef, 5, { dryRun: true });
    expect(ok.outcome).toBe('dry-run');
    expect(fake.appliedWrites).toHaveLength(0);
  });

  it('a fixed-quantity product and a change while one is in progress are refused with hints', async () => {
    const c = client();
    const azure = (await c.listSubscriptions({ customerId: contoso }).toArray({ limit: 10 })).find((s) =>
      s.name.startsWith('Azure'),
    )!;
    const locked = (await c
      .addSeats({ customerId: contoso, subscriptionId: azure.id }, 1)
      .catch((e: unknown) => e)) as MarketplaceError;
    expect(locked).toBeInstanceOf(BusinessRuleError);
    expect(locked.hint).toMatch(/fixed quantity/);
    const first = await c.setSeats(monthlyRef, 26);
    const busy = (await c.setSeats(monthlyRef, 27).catch((e: unknown) => e)) as MarketplaceError;
    expect(busy).toBeInstanceOf(BusinessRuleError);
    expect(busy.hint).toContain(first.operation!.id);
  });

  it('an amendment whose answer is lost is awaited, not sent twice', async () => {
    const c = client();
    const warnings: WarningEvent[] = [];
    c.on('warning', (w) => warnings.push(w));
    fake.faults.add({ kind: 'response-lost', method: 'POST', path: '/billing/subscriptions/amendments', times: 1 });
    const r = await c.setSeats(monthlyRef, 28);
    expect(r.outcome).toBe('pending');
    expect(fake.appliedWrites).toHaveLength(1);
    expect(r.operation!.id).toBe(fake.appliedWrites[0]!.trackingId);
    expect(warnings.map((w) => w.code)).toContain('awaiting-request-in-progress');
    fake.completeAll();
    await expect(r.operation!.waitForCompletion()).resolves.toMatchObject({ status: 'succeeded' });
    expect(quantityOf(monthlyRef.subscriptionId)).toBe(28);
  });

  it('after an ambiguous failure, a change this client started and still in flight is awaited', async () => {
    const c = client();
    const first = await c.setSeats(monthlyRef, 29);
    fake.faults.add({ kind: 'http-503', method: 'POST', path: '/billing/subscriptions/amendments', times: 1 });
    const second = await c.setSeats(monthlyRef, 29 + 1);
    expect(second.outcome).toBe('pending');
    expect(second.operation!.id).toBe(first.operation!.id);
    expect(fake.appliedWrites).toHaveLength(1);
  });

  it('a write refused by 429 is retried after the wait and applied once', async () => {
    const c = client();
    fake.faults.add({
      kind: 'http-429',
      method: 'POST',
      path: '/billing/subscriptions/amendments',
      times: 1,
      retryAfterSeconds: 0,
    });
    const r = await c.setSeats(monthlyRef, 19);
    expect(r.outcome).toBe('pending');
    expect(fake.appliedWrites).toHaveLength(1);
  });

  it('ifCurrent mismatch is a ConflictError and nothing is sent', async () => {
    const c = client();
    await expect(c.addSeats(monthlyRef, 1, { ifCurrent: 19 })).rejects.toThrow(ConflictError);
    expect(api('/billing/subscriptions/amendments')).toHaveLength(0);
  });
});

describe('Sherweb cancellations and purchases', () => {
  it('cancels in the grace window as a batch request; the subscription then leaves the list', async () => {
    const c = client();
    const r = await c.cancelSubscription(monthlyRef);
    expect(r.outcome).toBe('pending');
    expect(fake.appliedWrites[0]!.body).toEqual({ subscriptionIds: [monthlyRef.subscriptionId] });
    expect(r.operation!.kind).toBe('cancel');
    fake.advance(5_000);
    await expect(r.operation!.waitForCompletion()).resolves.toMatchObject({ status: 'succeeded' });
    await expect(c.getSubscription(monthlyRef)).rejects.toThrow(NotFoundError);
  });

  it('a committed subscription outside its window cannot be cancelled; scheduled cancels are unsupported', async () => {
    const c = client();
    await expect(c.cancelSubscription(annualRef)).rejects.toThrow(BusinessRuleError);
    await expect(c.cancelSubscription(monthlyRef, { effectiveDate: '2099-01-31' })).rejects.toThrow(
      UnsupportedOperationError,
    );
    const dry = await c.cancelSubscription(monthlyRef, { dryRun: true });
    expect(dry.outcome).toBe('dry-run');
    expect(fake.appliedWrites).toHaveLength(0);
  });

  it('a cancellation whose answer is lost is awaited, not sent twice', async () => {
    const c = client();
    fake.faults.add({ kind: 'response-lost', method: 'POST', path: '/billing/subscriptions/cancellations', times: 1 });
    const r = await c.cancelSubscription(monthlyRef);
    expect(r.outcome).toBe('pending');
    expect(fake.appliedWrites).toHaveLength(1);
  });

  it('dry-run purchase validates with the vendor; a real one is pending until the order completes', async () => {
    const c = client({ actor: 'tester' });
    const sku = sherwebSku('M365BS', 'Monthly');
    const dry = await c.purchase({
      customerId: contoso,
      productId: sku,
      quantity: 3,
      billingTerm: 'monthly',
      dryRun: true,
    });
    expect(dry.outcome).toBe('dry-run');
    expect(api('/orders/validate')).toHaveLength(1);
    expect(fake.appliedWrites).toHaveLength(0);
    const real = await c.purchase({ customerId: contoso, productId: sku, quantity: 3, billingTerm: 'monthly' });
    expect(real).toMatchObject({ outcome: 'pending', lines: [{ productId: sku, quantity: 3, subscriptionId: null }] });
    expect(fake.appliedWrites[0]!.body).toEqual({ cartItems: [{ sku, quantity: 3 }], orderedBy: 'tester' });
    fake.completeAll();
    await expect(real.operation!.waitForCompletion()).resolves.toMatchObject({ status: 'succeeded' });
    const subs = await c.listSubscriptions({ customerId: contoso, productId: sku }).toArray({ limit: 10 });
    expect(subs).toHaveLength(1);
    expect(subs[0]!.quantity).toBe(3);
  });

  it('refuses a SKU of another term, or one not in the catalog, before ordering', async () => {
    const c = client();
    const err = (await c
      .purchase({ customerId: contoso, productId: sherwebSku('M365BP', 'Annual'), quantity: 1, billingTerm: 'monthly' })
      .catch((e: unknown) => e)) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain(sherwebSku('M365BP', 'Monthly'));
    await expect(
      c.purchase({ customerId: contoso, productId: 'NO-SUCH-SKU', quantity: 1, billingTerm: 'monthly' }),
    ).rejects.toThrow(NotFoundError);
    await expect(
      c.purchase({
        customerId: contoso,
        productId: sherwebSku('M365BP', 'Annual'),
        quantity: 1,
        billingTerm: 'annual',
        commitmentTerm: 'P3Y',
      }),
    ).rejects.toThrow(ValidationError);
    expect(api('/orders')).toHaveLength(0);
  });

  it('a purchase whose answer is lost is WriteOutcomeUnknownError and is not resent', async () => {
    const c = client();
    fake.faults.add({ kind: 'response-lost', method: 'POST', path: '/orders', times: 1 });
    const err = (await c
      .purchase({
        customerId: contoso,
        productId: sherwebSku('M365BB', 'Monthly'),
        quantity: 1,
        billingTerm: 'monthly',
      })
      .catch((e: unknown) => e)) as MarketplaceError;
    expect(err.kind).toBe('write-outcome-unknown');
    expect(api('/orders', 'POST')).toHaveLength(1);
  });
});

describe('Sherweb tokens, keys and rate limits', () => {
  it('fetches one token for concurrent calls and refreshes once after expiry', async () => {
    const c = client();
    await Promise.all(Array.from({ length: 50 }, () => c.getCustomer(contoso)));
    expect(fake.issuedTokens).toBe(1);
    fake.expireAllTokens();
    await c.getCustomer(contoso);
    expect(fake.issuedTokens).toBe(2);
    fake.advance(3_601_000);
    await c.getSubscription(monthlyRef);
    expect(fake.issuedTokens).toBe(3);
  });

  it('a wrong subscription key is an AuthenticationError saying so, without a token refresh loop', async () => {
    const wrongKey = 'not-the-right-key-789';
    const c = client({ credentials: { ...fake.credentials, subscriptionKey: wrongKey } });
    const err = (await c.getCustomer(contoso).catch((e: unknown) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.hint).toMatch(/subscription key/i);
    expect(fake.issuedTokens).toBe(1);
    expect(api('/customers')).toHaveLength(1);
    expect(JSON.stringify(err) + inspect(err, { depth: 5 })).not.toContain(wrongKey);
  });

  it('a missing subscription key is a ConfigurationError before any request', () => {
    const { clientId, clientSecret } = fake.credentials;
    const err = (() => {
      try {
        createSherwebClient({ credentials: { clientId, clientSecret } as never });
      } catch (e) {
        return e as MarketplaceError;
      }
    })()!;
    expect(err).toBeInstanceOf(ConfigurationError);
    expect(err.message).toContain('subscriptionKey');
    expect(err.hint).toMatch(/Subscription Key/);
    expect(JSON.stringify(err)).not.toContain(clientSecret);
    expect(fake.requests).toHaveLength(0);
  });

  it('wrong client secret: AuthenticationError with a hint; no secret in errors, events or the client', async () => {
    const secret = 'totally-wrong-secret-xyz';
    const c = client({ credentials: { ...fake.credentials, clientSecret: secret } });
    const events: RequestEvent[] = [];
    c.on('request', (e) => events.push(e));
    const err = (await c.getCustomer(contoso).catch((e: unknown) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.operation).toBe('token');
    expect(err.hint).toMatch(/client id\/secret/i);
    const dump = [
      err.message,
      JSON.stringify(err),
      inspect(err, { depth: 5 }),
      inspect(c, { depth: 5 }),
      JSON.stringify(c),
      JSON.stringify(events),
    ];
    for (const text of dump) {
      for (const s of [secret, KEY, encodeURIComponent(secret)]) expect(text).not.toContain(s);
    }
  });

  it('the subscription key and tokens never appear in request events', async () => {
    const c = client();
    const events: RequestEvent[] = [];
    c.on('request', (e) => events.push(e));
    await c.getSubscription(monthlyRef);
    const text = JSON.stringify(events);
    expect(text).not.toContain(KEY);
    expect(text).not.toMatch(/fake-sherweb-token-/);
  });

  it('429 waits the "try again in N seconds" of the detail, then succeeds', async () => {
    start({ rateLimit: { limit: 2, windowMs: 10_000 } });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const c = client();
    const retries: RetryEvent[] = [];
    c.on('retry', (e) => retries.push(e));
    await c.getCustomer(contoso);
    await c.getCustomer(contoso);
    let done = false;
    const p = c.getCustomer(contoso).then((r) => {
      done = true;
      return r;
    });
    await vi.advanceTimersByTimeAsync(50);
    expect(retries).toHaveLength(1);
    expect(retries[0]!.delayMs).toBe(10_000);
    expect(retries[0]!.status).toBe(429);
    fake.advance(10_000);
    await vi.advanceTimersByTimeAsync(9_000);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1_100);
    await expect(p).resolves.toMatchObject({ id: contoso });
    expect(fake.rateLimited).toBe(1);
  });

  it('429 with Retry-After waits that', async () => {
    start({ rateLimit: { limit: 1, windowMs: 3_000, retryAfter: true } });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const c = client();
    const retries: RetryEvent[] = [];
    c.on('retry', (e) => retries.push(e));
    await c.getCustomer(contoso);
    const p = c.getCustomer(contoso);
    await vi.advanceTimersByTimeAsync(50);
    expect(retries[0]!.delayMs).toBe(3_000);
    fake.advance(3_000);
    await vi.advanceTimersByTimeAsync(3_100);
    await expect(p).resolves.toMatchObject({ id: contoso });
  });
});

describe('Sherweb refuses before the network', () => {
  const bad: Array<[string, (c: ReturnType<typeof client>) => Promise<unknown>]> = [
    ['negative seats', (c) => c.setSeats(monthlyRef, -1)],
    ['zero seats', (c) => c.setSeats(monthlyRef, 0)],
    ['fractional seats', (c) => c.setSeats(monthlyRef, 1.5)],
    ['zero delta', (c) => c.addSeats(monthlyRef, 0)],
    ['non-uuid customer', (c) => c.getCustomer('contoso')],
    ['non-uuid subscription', (c) => c.getSubscription({ customerId: contoso, subscriptionId: 'sub-1' })],
    ['empty subscription id', (c) => c.setSeats({ customerId: contoso, subscriptionId: ' ' }, 3)],
    ['bad effective date', (c) => c.cancelSubscription(monthlyRef, { effectiveDate: '31/01/2099' })],
    [
      'non-uuid purchase customer',
      (c) => c.purchase({ customerId: 'x', productId: 'p', quantity: 1, billingTerm: 'monthly' }),
    ],
    ['listSubscriptions non-uuid', async (c) => c.listSubscriptions({ customerId: 'nope' })],
    ['listProducts without customer', async (c) => c.listProducts()],
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
      c.setSeats(monthlyRef, 3),
      c.addSeats(monthlyRef, 1),
      c.removeSeats(monthlyRef, 1),
      c.cancelSubscription(monthlyRef),
      c.purchase({ customerId: contoso, productId: 'p', quantity: 1, billingTerm: 'monthly' }),
    ];
    for (const w of writes) await expect(w).rejects.toThrow(ReadOnlyError);
    expect(fake.requests).toHaveLength(0);
  });

  it('configuration errors name the field and never the secret', () => {
    const creds = { clientId: 'a', clientSecret: 's3cr3t-value', subscriptionKey: 'k3y-value' };
    expect(() => createSherwebClient({ credentials: { ...creds, clientSecret: '' } })).toThrow(ConfigurationError);
    expect(() => createSherwebClient({ credentials: { ...creds, clientId: '' } })).toThrow(/clientId/);
    expect(() => createSherwebClient({ credentials: creds, baseUrl: 'http://evil.example.com' })).toThrow(
      ConfigurationError,
    );
    expect(() => createSherwebClient({ credentials: creds, acceptLanguage: 'en\r\nX-Evil: 1' })).toThrow(
      ConfigurationError,
    );
    expect(() => createSherwebClient({ credentials: creds, scope: ' ' })).toThrow(ConfigurationError);
    expect(() => createSherwebClient({ credentials: creds, catalogCustomerId: 'contoso' })).toThrow(ValidationError);
    expect(() => createSherwebClient({ credentials: creds, rateLimit: { requests: 0, perMs: 1 } })).toThrow(
      ValidationError,
    );
    expect(inspect(createSherwebClient({ credentials: creds }))).toBe(
      "SherwebClient { provider: 'sherweb', readOnly: false }",
    );
  });
});
