import { inspect } from 'node:util';
import { HttpResponse, http } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AuditEvent,
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
  type WarningEvent,
} from '../../../src/core/public.js';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import { type IngramClientOptions, createIngramClient } from '../../../src/providers/ingram/index.js';
import {
  INGRAM_FAKE_CREDENTIALS,
  INGRAM_SEED_IDS,
  type IngramFake,
  type IngramFakeOptions,
  createIngramFake,
} from '../../../src/testing/ingram/index.js';
import { useMswServer } from '../../helpers/msw.js';

const server = useMswServer();
let fake: IngramFake;

const PASSWORD = 'ingram-very-secret-password-42';
const KEY = 'ingram-very-secret-subscription-key-42';

function start(options: IngramFakeOptions = {}): IngramFake {
  fake = createIngramFake({
    credentials: { password: PASSWORD, subscriptionKey: KEY },
    ...options,
  });
  server.use(...fake.handlers);
  return fake;
}

function client(extra: Partial<IngramClientOptions> = {}) {
  return createIngramClient({
    credentials: { username: fake.credentials.username, password: PASSWORD, subscriptionKey: KEY },
    marketplace: fake.credentials.marketplace,
    region: fake.region,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

const contoso = INGRAM_SEED_IDS.contoso;
const monthlyRef = { customerId: contoso, subscriptionId: INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly };
const annualRef = { customerId: contoso, subscriptionId: INGRAM_SEED_IDS.contosoM365BusinessPremiumAnnual };
const seats = (id: string) => fake.state.subscriptions.get(id)!.subscription.products[0]!.quantity;
const api = (method: string, path: string | RegExp) =>
  fake.requests.filter(
    (r) => r.method === method && (typeof path === 'string' ? r.path.startsWith(path) : path.test(r.path)),
  );
/** Polls quickly and moves the fake's clock past provisioning on each poll. */
const fast = { pollIntervalMs: 2, onProgress: () => fake.advance(20_000) };

beforeEach(() => {
  defaultTokenCache.clear();
  start();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Ingram reads', () => {
  it('lists customers with offset/limit paging and gets one', async () => {
    const c = client({ pageSize: 7 });
    const all = await c.listCustomers().toArray({ limit: Number.POSITIVE_INFINITY });
    expect(all.length).toBe(fake.state.customers.size);
    expect(new Set(all.map((x) => x.id)).size).toBe(all.length);
    const pages = api('GET', '/customers');
    expect(pages.length).toBe(Math.ceil(all.length / 7));
    expect(pages[1]!.query).toContain('offset=7');
    expect(pages[1]!.query).toContain('limit=7');
    const one = await c.getCustomer(contoso);
    expect(one).toMatchObject({
      provider: 'ingram',
      id: contoso,
      name: 'Contoso Ltd',
      status: 'active',
      country: 'NL',
    });
  });

  it('every listed subscription has its seats: one detail call per row, at most 5 at once', async () => {
    const c = client();
    let inFlight = 0;
    let peak = 0;
    c.on('request', (e) => {
      if (/\/subscriptions\/\d+/.test(e.url)) peak = Math.max(peak, ++inFlight);
    });
    c.on('response', (e) => {
      if (/\/subscriptions\/\d+/.test(e.url)) inFlight--;
    });
    const subs = await c.listSubscriptions({ customerId: contoso }).toArray({ limit: 100 });
    expect(subs.map((s) => s.id).sort()).toEqual(['2005001', '2005002', '2005003', '2005004', '2005005']);
    const annual = subs.find((s) => s.id === annualRef.subscriptionId)!;
    expect(annual).toMatchObject({ quantity: 80, billingTerm: 'annual', commitment: { term: 'P1Y' } });
    expect(subs.find((s) => s.id === monthlyRef.subscriptionId)).toMatchObject({
      quantity: 20,
      billingTerm: 'monthly',
    });
    expect(api('GET', /^\/subscriptions\/\d+$/)).toHaveLength(5);
    expect(api('GET', /^\/subscriptions\/?$/)[0]!.query).toContain(`customerId=${contoso}`);
    expect(peak).toBeLessThanOrEqual(5);
    expect(peak).toBeGreaterThan(1);
  });

  it('detailConcurrency bounds the detail calls', async () => {
    const c = client({ detailConcurrency: 2 });
    let inFlight = 0;
    let peak = 0;
    c.on('request', (e) => {
      if (/\/subscriptions\/\d+/.test(e.url)) peak = Math.max(peak, ++inFlight);
    });
    c.on('response', (e) => {
      if (/\/subscriptions\/\d+/.test(e.url)) inFlight--;
    });
    const all = await c.listSubscriptions().toArray({ limit: Number.POSITIVE_INFINITY });
    expect(all.length).toBe(fake.state.subscriptions.size);
    expect(peak).toBe(2);
  });

  it('filters status on the rows before fetching details, billing term and product too', async () => {
    const c = client();
    const cancelled = await c.listSubscriptions({ status: 'cancelled' }).toArray({ limit: 1000 });
    expect(cancelled.length).toBeGreaterThan(0);
    expect(cancelled.every((s) => s.status === 'cancelled')).toBe(true);
    expect(api('GET', /^\/subscriptions\/\d+$/)).toHaveLength(cancelled.length);
    fake.requests.length = 0;
    const active = await c
      .listSubscriptions({ customerId: contoso, status: 'active', billingTerm: 'monthly' })
      .toArray({ limit: 100 });
    expect(api('GET', /^\/subscriptions\/?$/)[0]!.query).toContain('status=active');
    expect(active.every((s) => s.billingTerm === 'monthly')).toBe(true);
    const byProduct = await c
      .listSubscriptions({
        customerId: contoso,
        productId: fake.state.subscriptions.get('2005002')!.subscription.products[0]!.mpn,
      })
      .toArray({ limit: 100 });
    expect(byProduct.map((s) => s.id)).toEqual(['2005002']);
  });

  it('lists products by MPN and verifies the connection', async () => {
    const c = client();
    const products = await c.listProducts({ search: 'Business Premium' }).toArray({ limit: 100 });
    expect(products.length).toBe(2);
    expect(products[0]!.id).toMatch(/_(ANNUAL|MONTHLY)$/);
    const report = await c.verifyConnection();
    expect(report).toMatchObject({
      ok: true,
      customers: fake.state.customers.size,
      subscriptions: fake.state.subscriptions.size,
      baseUrl: 'https://api.cloud.im/marketplace/eu',
      details: { region: 'eu', marketplace: 'eu' },
    });
  });

  it('gets a subscription, refuses one of another customer, maps 404 with the region hint', async () => {
    const c = client();
    expect(await c.getSubscription(annualRef)).toMatchObject({ quantity: 80, autoRenew: true });
    await expect(
      c.getSubscription({ customerId: '1002002', subscriptionId: annualRef.subscriptionId }),
    ).rejects.toThrow(NotFoundError);
    const err = (await c
      .getSubscription({ customerId: contoso, subscriptionId: '999' })
      .catch((e: unknown) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.requestId).toMatch(/^a8n-/);
    expect(err.hint).toMatch(/region/);
  });
});

describe('Ingram tokens and headers', () => {
  it('gets a token with Basic auth, the key and the marketplace; sends Bearer and the key after', async () => {
    const c = client();
    const headers: Array<Record<string, string>> = [];
    c.on('request', (e) => headers.push(e.headers));
    await c.getCustomer(contoso);
    const token = fake.requests.find((r) => r.path === '/token')!;
    expect(token.method).toBe('POST');
    expect(token.body).toEqual({ marketplace: 'eu' });
    expect(fake.issuedTokens).toBe(1);
    // events show the headers redacted
    expect(headers.at(-1)).toMatchObject({ authorization: '[REDACTED]', 'x-subscription-key': '[REDACTED]' });
  });

  it('concurrent cold calls make one token request; a 401 mid-run refreshes once', async () => {
    const c = client();
    await Promise.all(Array.from({ length: 50 }, () => c.getCustomer(contoso)));
    expect(fake.issuedTokens).toBe(1);
    fake.expireAllTokens();
    await Promise.all(Array.from({ length: 10 }, () => c.getCustomer(contoso)));
    expect(fake.issuedTokens).toBe(2);
  });

  it('refreshes the ~25 minute token before it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const c = client();
    await c.getCustomer(contoso);
    vi.setSystemTime(Date.now() + 20 * 60_000);
    await c.getCustomer(contoso);
    expect(fake.issuedTokens).toBe(1);
    vi.setSystemTime(Date.now() + 3 * 60_000); // 23 min: inside the refresh margin, before expiry
    await c.getCustomer(contoso);
    expect(fake.issuedTokens).toBe(2);
    expect(fake.requests.filter((r) => r.path !== '/token').length).toBe(3);
  });

  it('wrong password: AuthenticationError on the token with the .API hint; no secret anywhere', async () => {
    const c = createIngramClient({
      credentials: { username: 'someone@xvantage', password: 'totally-wrong-password-xyz', subscriptionKey: KEY },
      marketplace: 'eu',
      region: 'eu',
      rateLimit: false,
    });
    const err = (await c.getCustomer(contoso).catch((e: unknown) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.operation).toBe('token');
    expect(err.hint).toMatch(/XVantage/);
    const dump = [
      err.message,
      JSON.stringify(err),
      inspect(err, { depth: 5 }),
      inspect(c, { depth: 5 }),
      JSON.stringify(c),
    ];
    for (const text of dump) {
      for (const secret of [
        'totally-wrong-password-xyz',
        KEY,
        Buffer.from(`someone@xvantage:totally-wrong-password-xyz`).toString('base64'),
      ]) {
        expect(text).not.toContain(secret);
      }
    }
  });

  it('wrong subscription key and wrong marketplace say so', async () => {
    const wrongKey = createIngramClient({
      credentials: { username: fake.credentials.username, password: PASSWORD, subscriptionKey: 'another-key-value' },
      marketplace: 'eu',
      region: 'eu',
      rateLimit: false,
    });
    const e1 = (await wrongKey.getCustomer(contoso).catch((e: unknown) => e)) as MarketplaceError;
    expect(e1).toBeInstanceOf(AuthenticationError);
    expect(e1.hint).toMatch(/X-Subscription-Key/);
    expect(JSON.stringify(e1)).not.toContain('another-key-value');
    const wrongMarket = client({ marketplace: 'de' });
    const e2 = (await wrongMarket.getCustomer(contoso).catch((e: unknown) => e)) as MarketplaceError;
    expect(e2).toBeInstanceOf(AuthenticationError);
    expect(e2.hint).toMatch(/"de"/);
  });

  it('a wrong region answers 404 with a hint that says so', async () => {
    // a server that knows no such region: every path below /marketplace/apac is unknown
    start({ baseUrl: 'https://api.cloud.im/marketplace' });
    const c = client({ region: undefined, baseUrl: 'https://api.cloud.im/marketplace/apac', marketplace: 'sg' });
    const err = (await c.getCustomer(contoso).catch((e: unknown) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.operation).toBe('token');
    expect(err.hint).toMatch(/region is probably wrong/);
    expect(err.hint).toMatch(/marketplace\/apac/);
  });
});

describe('Ingram retries', () => {
  it('429 waits Retry-After, then succeeds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const c = client();
    await c.getCustomer(contoso);
    fake.faults.add({ kind: 'http-429', path: '/customers', times: 1, retryAfterSeconds: 30 });
    let done = false;
    const p = c.getCustomer(contoso).then((r) => {
      done = true;
      return r;
    });
    await vi.advanceTimersByTimeAsync(29_000);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1_500);
    await expect(p).resolves.toMatchObject({ id: contoso });
  });

  it("429 without Retry-After waits the message's seconds (the fake's own rate window)", async () => {
    start({ rateLimit: { limit: 3, windowMs: 60_000, retryAfter: false } });
    const c = client({ retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 120_000 } });
    const retries: number[] = [];
    c.on('retry', (e) => {
      retries.push(e.delayMs);
      fake.advance(e.delayMs);
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const p = Promise.all([c.getCustomer(contoso), c.getCustomer(contoso), c.getCustomer(contoso)]);
    await vi.advanceTimersByTimeAsync(120_000);
    await expect(p).resolves.toHaveLength(3);
    expect(fake.rateLimited).toBeGreaterThan(0);
    expect(retries.every((d) => d >= 1000)).toBe(true);
  });

  it('retries 5xx on reads', async () => {
    const c = client();
    fake.faults.add({ kind: 'http-503', path: '/subscriptions', times: 2 });
    expect((await c.getSubscription(monthlyRef)).quantity).toBe(20);
  });
});

describe('Ingram seat changes (change orders)', () => {
  it('sends the new total as a change order and returns a pending operation that completes', async () => {
    const c = client({ actor: 'tester' });
    const audits: AuditEvent[] = [];
    c.on('audit', (e) => audits.push(e));
    const r = await c.addSeats(monthlyRef, 2);
    expect(r).toMatchObject({ outcome: 'pending', before: 20, requested: 22, after: null });
    expect(r.requestId).toMatch(/^a8n-/);
    const body = api('POST', /^\/orders$/)[0]!.body as { type: string; products: Array<Record<string, unknown>> };
    expect(body.type).toBe('change');
    expect(body.products[0]).toMatchObject({ subscriptionId: monthlyRef.subscriptionId, quantity: 22 });
    expect(body.products[0]!.mpn).toMatch(/_MONTHLY$/);
    expect(audits[0]).toMatchObject({ outcome: 'pending', actor: 'tester', requested: 22 });
    const states: string[] = [];
    const final = await r.operation!.waitForCompletion({
      ...fast,
      onProgress: (s) => {
        states.push(s.status);
        fake.advance(20_000);
      },
    });
    expect(final.status).toBe('succeeded');
    expect(states.at(-1)).toBe('succeeded');
    expect(seats(monthlyRef.subscriptionId)).toBe(22);
    expect((await c.getSubscription(monthlyRef)).quantity).toBe(22);
  });

  it('setSeats and removeSeats send absolute totals; same count is unchanged with no order', async () => {
    const c = client();
    const r = await c.setSeats(monthlyRef, 15);
    await r.operation!.waitForCompletion(fast);
    const r2 = await c.removeSeats(monthlyRef, 5);
    expect(r2).toMatchObject({ before: 15, requested: 10 });
    await r2.operation!.waitForCompletion(fast);
    expect(seats(monthlyRef.subscriptionId)).toBe(10);
    const same = await c.setSeats(monthlyRef, 10);
    expect(same.outcome).toBe('unchanged');
    expect(
      fake.appliedWrites.map((w) => (w.body as { products: Array<{ quantity: number }> }).products[0]!.quantity),
    ).toEqual([15, 10]);
  });

  it('a failed order ends as failed with a message', async () => {
    const c = client();
    fake.markFailing(monthlyRef.subscriptionId);
    const r = await c.addSeats(monthlyRef, 1);
    const final = await r.operation!.waitForCompletion(fast);
    expect(final).toMatchObject({ status: 'failed', rawStatus: 'error' });
    expect(final.message).toMatch(/control panel/);
    expect(seats(monthlyRef.subscriptionId)).toBe(20);
  });

  it('waiting times out with TimeoutError while the order still provisions', async () => {
    const c = client();
    const r = await c.addSeats(monthlyRef, 1);
    const err = await r.operation!.waitForCompletion({ timeoutMs: 40, pollIntervalMs: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).message).toMatch(/processing/);
    fake.completeAll();
    expect((await r.operation!.waitForCompletion({ pollIntervalMs: 1 })).status).toBe('succeeded');
  });

  it('waiting stops promptly on abort', async () => {
    const c = client();
    const r = await c.addSeats(monthlyRef, 1);
    const ac = new AbortController();
    const started = Date.now();
    const p = r.operation!.waitForCompletion({ pollIntervalMs: 60_000, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('stop')), 10);
    await expect(p).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a change while another order provisions is a ConflictError and nothing is sent', async () => {
    const c = client();
    await c.addSeats(monthlyRef, 1);
    const err = (await c.addSeats(monthlyRef, 1).catch((e: unknown) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.hint).toMatch(/wait/);
    expect(fake.appliedWrites).toHaveLength(1);
    const cancel = await c.cancelSubscription(monthlyRef).catch((e: unknown) => e);
    expect(cancel).toBeInstanceOf(ConflictError);
  });

  it("the vendor's own conflict answer (a 500) is a ConflictError too", async () => {
    const c = client();
    await client().addSeats(monthlyRef, 1); // someone else's order, still provisioning
    // our pre-check sees an empty orders list (as if the order were placed right after it)
    server.use(
      http.get(`${fake.baseUrl}/orders`, () =>
        HttpResponse.json({ data: [], pagination: { offset: 0, limit: 20, total: 0 } }),
      ),
    );
    const err = (await c.addSeats(monthlyRef, 1).catch((e: unknown) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.status).toBe(500);
    expect(err.message).toMatch(/conflicting order/);
    expect(fake.appliedWrites).toHaveLength(1);
  });

  it('a change whose answer is lost is awaited, not resent', async () => {
    const c = client();
    fake.faults.add({ kind: 'response-lost', method: 'POST', path: /^\/orders$/, times: 1 });
    const r = await c.addSeats(monthlyRef, 3);
    expect(r.outcome).toBe('pending');
    expect(fake.appliedWrites).toHaveLength(1);
    expect((await r.operation!.waitForCompletion(fast)).status).toBe('succeeded');
    expect(seats(monthlyRef.subscriptionId)).toBe(23);
  });

  it('a change refused before being applied is sent once more', async () => {
    const c = client();
    fake.faults.add({ kind: 'http-503', method: 'POST', path: /^\/orders$/, times: 1 });
    const r = await c.addSeats(monthlyRef, 1);
    expect(r.outcome).toBe('pending');
    expect(fake.appliedWrites).toHaveLength(1);
  });

  it('a decrease outside the NCE window is a BusinessRuleError with a hint', async () => {
    const err = (await client()
      .removeSeats(annualRef, 5)
      .catch((e: unknown) => e)) as MarketplaceError;
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect(err.hint).toMatch(/7 days/);
  });

  it('dryRun estimates with /orders/estimate and orders nothing', async () => {
    const c = client();
    const r = await c.addSeats(monthlyRef, 4, { dryRun: true });
    expect(r.outcome).toBe('dry-run');
    expect(api('POST', '/orders/estimate')).toHaveLength(1);
    expect(fake.appliedWrites).toHaveLength(0);
    // the vendor's check runs: a decrease outside the window fails the dry run too
    await expect(c.removeSeats(annualRef, 1, { dryRun: true })).rejects.toThrow(BusinessRuleError);
  });

  it('ifCurrent mismatch is a ConflictError and nothing is sent', async () => {
    const c = client();
    await expect(c.addSeats(monthlyRef, 1, { ifCurrent: 19 })).rejects.toThrow(ConflictError);
    expect(api('POST', '/orders')).toHaveLength(0);
  });
});

describe('Ingram cancellation and purchase', () => {
  it('cancels with a cancellation order; waiting ends with the subscription terminated', async () => {
    const c = client();
    const r = await c.cancelSubscription(monthlyRef);
    expect(r.outcome).toBe('pending');
    expect(api('POST', /^\/orders$/)[0]!.body).toEqual({
      type: 'cancellation',
      customerId: contoso,
      subscriptionId: monthlyRef.subscriptionId,
    });
    expect((await r.operation!.waitForCompletion(fast)).status).toBe('succeeded');
    const after = await c.getSubscription(monthlyRef);
    expect(after).toMatchObject({ status: 'cancelled', rawStatus: 'terminated' });
    const again = await c.cancelSubscription(monthlyRef);
    expect(again.outcome).toBe('cancelled');
    expect(fake.appliedWrites).toHaveLength(1);
  });

  it('refuses a scheduled cancellation: Ingram has no effective date', async () => {
    await expect(client().cancelSubscription(monthlyRef, { effectiveDate: '2099-01-31' })).rejects.toThrow(
      UnsupportedOperationError,
    );
    expect(api('POST', '/orders')).toHaveLength(0);
  });

  it('purchases by MPN: dry run estimates, a real one is a pending sales order', async () => {
    const c = client();
    const mpn = fake.state.products.find((p) => p.mpn.endsWith('_MONTHLY') && p.name.includes('Business Basic'))!.mpn;
    const dry = await c.purchase({
      customerId: contoso,
      productId: mpn,
      quantity: 3,
      billingTerm: 'monthly',
      dryRun: true,
    });
    expect(dry).toMatchObject({ outcome: 'dry-run', orderId: null });
    expect(fake.appliedWrites).toHaveLength(0);
    const real = await c.purchase({ customerId: contoso, productId: mpn, quantity: 3, billingTerm: 'monthly' });
    expect(real.outcome).toBe('pending');
    expect(real.orderId).toBeTruthy();
    expect(real.lines[0]).toMatchObject({ productId: mpn, quantity: 3 });
    expect(real.lines[0]!.subscriptionId).toBeTruthy();
    expect(fake.state.subscriptions.get(real.lines[0]!.subscriptionId!)!.subscription.customerId).toBe(contoso);
    expect(api('POST', /^\/orders$/)[0]!.body).toEqual({
      type: 'sales',
      customerId: contoso,
      products: [{ mpn, quantity: 3 }],
    });
    expect((await real.operation!.waitForCompletion(fast)).status).toBe('succeeded');
    const sub = await c.getSubscription({ customerId: contoso, subscriptionId: real.lines[0]!.subscriptionId! });
    expect(sub).toMatchObject({ status: 'active', quantity: 3 });
  });

  it('refuses a term that does not match the MPN, and an unknown MPN, before ordering', async () => {
    const c = client();
    const annual = fake.state.products.find((p) => p.mpn.endsWith('_ANNUAL'))!.mpn;
    await expect(
      c.purchase({ customerId: contoso, productId: annual, quantity: 1, billingTerm: 'monthly' }),
    ).rejects.toThrow(/sold as annual/);
    await expect(
      c.purchase({ customerId: contoso, productId: 'NOPE', quantity: 1, billingTerm: 'monthly' }),
    ).rejects.toThrow(ValidationError);
    expect(api('POST', '/orders')).toHaveLength(0);
  });

  it('a purchase whose answer is lost is WriteOutcomeUnknownError and is not resent', async () => {
    const c = client();
    const mpn = fake.state.products.find((p) => p.mpn.endsWith('_MONTHLY'))!.mpn;
    fake.faults.add({ kind: 'response-lost', method: 'POST', path: /^\/orders$/, times: 1 });
    const err = (await c
      .purchase({ customerId: contoso, productId: mpn, quantity: 1, billingTerm: 'monthly' })
      .catch((e: unknown) => e)) as MarketplaceError;
    expect(err.kind).toBe('write-outcome-unknown');
    expect(api('POST', /^\/orders$/)).toHaveLength(1);
  });
});

describe('Ingram regions and configuration', () => {
  it('an inferred region works and warns on the first call, with how to override', async () => {
    start({ region: 'uk', credentials: { marketplace: 'uk', password: PASSWORD, subscriptionKey: KEY } });
    const c = client({ region: 'uk', marketplace: 'uk' });
    const warnings: WarningEvent[] = [];
    c.on('warning', (w) => warnings.push(w));
    expect(c.endpoint).toMatchObject({ region: 'uk', baseUrl: 'https://api.cloud.im/marketplace/uk' });
    await c.getCustomer(contoso);
    await c.getCustomer(contoso);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'inferred-base-url' });
    expect(warnings[0]!.message).toMatch(/baseUrl/);
  });

  it('the control-panel URL gives region and marketplace', async () => {
    start({ region: 'na', credentials: { marketplace: 'us', password: PASSWORD, subscriptionKey: KEY } });
    const c = client({ region: undefined, marketplace: undefined, controlPanelUrl: 'cp.us.na.cloud.im' });
    expect((await c.getCustomer(contoso)).id).toBe(contoso);
    expect(fake.requests.find((r) => r.path === '/token')!.body).toEqual({ marketplace: 'us' });
  });

  it('refuses bad configuration before any request, never echoing a secret', () => {
    const creds = { username: 'u.API', password: PASSWORD, subscriptionKey: KEY };
    const cases: Array<[Partial<IngramClientOptions>, RegExp]> = [
      [{ credentials: creds, region: 'eu' }, /marketplace is required/],
      [{ credentials: creds, marketplace: 'nl' }, /no region/],
      [{ credentials: { ...creds, password: '' }, marketplace: 'nl', region: 'eu' }, /password/],
      [{ credentials: { ...creds, subscriptionKey: ' ' }, marketplace: 'nl', region: 'eu' }, /subscriptionKey/],
      [{ credentials: { ...creds, marketplace: 'de' }, marketplace: 'nl', region: 'eu' }, /differ/],
      [{ credentials: creds, marketplace: 'nl', baseUrl: 'http://api.cloud.im/marketplace/eu' }, /https/],
    ];
    for (const [opts, message] of cases) {
      let err: unknown;
      try {
        createIngramClient(opts as IngramClientOptions);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigurationError);
      expect((err as Error).message).toMatch(message);
      expect(JSON.stringify(err)).not.toContain(PASSWORD);
      expect(JSON.stringify(err)).not.toContain(KEY);
    }
    expect(() =>
      createIngramClient({ credentials: creds, marketplace: 'nl', region: 'eu', detailConcurrency: 0 }),
    ).toThrow(ValidationError);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('Ingram refuses bad input before the network', () => {
  const bad: Array<[string, (c: ReturnType<typeof client>) => Promise<unknown>]> = [
    ['negative seats', (c) => c.setSeats(monthlyRef, -1)],
    ['fractional seats', (c) => c.setSeats(monthlyRef, 1.5)],
    ['NaN seats', (c) => c.addSeats(monthlyRef, Number.NaN)],
    ['zero delta', (c) => c.addSeats(monthlyRef, 0)],
    ['empty subscription id', (c) => c.setSeats({ customerId: contoso, subscriptionId: ' ' }, 3)],
    ['empty customer id', (c) => c.getCustomer('')],
    ['bad effective date', (c) => c.cancelSubscription(monthlyRef, { effectiveDate: '31/01/2099' })],
    [
      'zero purchase quantity',
      (c) => c.purchase({ customerId: contoso, productId: 'x', quantity: 0, billingTerm: 'monthly' }),
    ],
    ['unknown option', (c) => c.setSeats(monthlyRef, 3, { ifCurent: 3 } as unknown as { ifCurrent: number })],
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

  it('prints without secrets', () => {
    const c = client();
    expect(inspect(c)).toBe("IngramClient { provider: 'ingram', readOnly: false }");
    expect(JSON.stringify(c)).not.toContain(PASSWORD);
    expect(INGRAM_FAKE_CREDENTIALS.username).toMatch(/\.API$/);
  });
});
