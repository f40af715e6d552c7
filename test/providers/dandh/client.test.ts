import { inspect } from 'node:util';
import { http } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import {
  AuthenticationError,
  BusinessRuleError,
  ConfigurationError,
  ConflictError,
  type MarketplaceError,
  NotFoundError,
  RateLimitError,
  ReadOnlyError,
  TimeoutError,
  UnsupportedOperationError,
  ValidationError,
  WriteOutcomeUnknownError,
} from '../../../src/core/errors.js';
import { type DandhClientOptions, createDandhClient } from '../../../src/providers/dandh/index.js';
import {
  DANDH_DEFAULT_BASE_URL,
  DANDH_MFA_USERNAME,
  DANDH_SEED_IDS,
  DANDH_SERVICES,
  type DandhFake,
  createDandhFake,
  dandhFault,
} from '../../../src/testing/dandh/index.js';
import { useMswServer } from '../../helpers/msw.js';

const server = useMswServer();
const BASE = DANDH_DEFAULT_BASE_URL;
const PASSWORD = 'dandh-very-secret-password-987';
// The fake's clock starts at the real time (the mapper computes NCE windows from the real clock) and moves by hand.
let START = Date.now();
let t = START;
let fake: DandhFake;

const contoso = String(DANDH_SEED_IDS.contoso);
const monthlyRef = { customerId: contoso, subscriptionId: String(DANDH_SEED_IDS.contosoBusinessPremiumMonthly) };
const annualRef = { customerId: contoso, subscriptionId: String(DANDH_SEED_IDS.contosoBusinessPremiumAnnual) };
const exchangeRef = { customerId: contoso, subscriptionId: String(DANDH_SEED_IDS.contosoExchange) };
const tenantRef = { customerId: contoso, subscriptionId: String(DANDH_SEED_IDS.contosoTenant) };

function client(extra: Partial<DandhClientOptions> = {}) {
  return createDandhClient({
    credentials: { username: fake.credentials.username, password: fake.credentials.password },
    accountId: fake.credentials.accountId,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    pollIntervalMs: 1,
    ...extra,
  });
}

/** The error a call fails with (fails the test when it succeeds). */
async function failure(p: Promise<unknown>): Promise<MarketplaceError> {
  try {
    await p;
  } catch (error) {
    return error as MarketplaceError;
  }
  throw new Error('expected the call to fail');
}

const calls = (method: string) => fake.requests.filter((r) => r.path === `/${method}`);

beforeEach(() => {
  defaultTokenCache.clear();
  START = Date.now();
  t = START;
  fake = createDandhFake({ now: () => new Date(t), credentials: { password: PASSWORD } });
  server.use(...fake.handlers);
});
afterEach(() => {
  t = START;
});

describe('D&H configuration', () => {
  it('refuses missing credentials and a non-numeric accountId before any request', () => {
    expect(() => createDandhClient({ credentials: { username: 'u', password: '' }, accountId: 1 })).toThrow(
      ConfigurationError,
    );
    const e = (() => {
      try {
        createDandhClient({ credentials: { username: 'u', password: 'p' }, accountId: 'abc' });
      } catch (error) {
        return error as ConfigurationError;
      }
    })();
    expect(e).toBeInstanceOf(ConfigurationError);
    expect(e?.hint).toContain('portal URL');
    expect(() => client({ baseUrl: 'http://example.com/x' })).toThrow(ConfigurationError);
    expect(fake.requests).toHaveLength(0);
  });

  it('declares honest capabilities', () => {
    expect(client().capabilities).toMatchObject({
      scheduledCancel: false,
      asyncWrites: true,
      dryRunSeats: 'vendor',
      dryRunPurchase: 'vendor',
      purchase: true,
    });
  });
});

describe('D&H session auth', () => {
  it('logs in once and sends Authenticate: CCPSessionId <token> on every POST', async () => {
    const seen: Array<{ auth: string | null; method: string; type: string | null }> = [];
    server.use(
      http.all(`${BASE}/*`, ({ request }) => {
        seen.push({
          auth: request.headers.get('authenticate'),
          method: request.method,
          type: request.headers.get('content-type'),
        });
      }),
    );
    const c = client();
    await c.getCustomer(contoso);
    await c.getSubscription(monthlyRef);
    expect(fake.issuedTokens).toBe(1);
    expect(seen.every((s) => s.method === 'POST' && s.type?.includes('application/json'))).toBe(true);
    const authed = seen.filter((s) => s.auth);
    expect(authed.length).toBeGreaterThanOrEqual(2);
    expect(authed.every((s) => /^CCPSessionId \S+$/.test(s.auth!))).toBe(true);
    expect(calls('GetSessionToken')[0]!.body).toEqual({ username: fake.credentials.username, password: PASSWORD });
  });

  it('logs in again and retries exactly once when a fault says the session expired', async () => {
    const c = client();
    const retries: string[] = [];
    c.on('retry', (e) => retries.push(e.reason));
    await c.getCustomer(contoso);
    expect(fake.issuedTokens).toBe(1);
    fake.expireAllTokens();
    const sub = await c.getSubscription(monthlyRef);
    expect(sub.quantity).toBe(20);
    expect(fake.issuedTokens).toBe(2);
    expect(calls('GetSubscription')).toHaveLength(2);
    expect(retries).toEqual([expect.stringContaining('session expired')]);
  });

  it('re-logs in once for a write too, and the write is applied once', async () => {
    const c = client();
    await c.getCustomer(contoso);
    fake.expireAllTokens();
    const r = await c.setSeats(monthlyRef, 22);
    expect(r.requested).toBe(22);
    expect(fake.issuedTokens).toBe(2);
    expect(fake.appliedWrites).toHaveLength(1);
    expect(fake.quantityOf(DANDH_SEED_IDS.contosoBusinessPremiumMonthly)).toBe(22);
  });

  it('gives up after one re-login when the session keeps expiring', async () => {
    let hits = 0;
    server.use(
      http.post(`${BASE}/GetCompany`, () => {
        hits += 1;
        return dandhFault('Session expired. Please log in again.', { sessionExpired: true });
      }),
    );
    const c = client();
    const e = await failure(c.getCustomer(contoso));
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.code).toBe('SESSION_EXPIRED');
    expect(e.hint).toBeTruthy();
    expect(hits).toBe(2);
    expect(fake.issuedTokens).toBe(2);
  });

  it('maps bad credentials (HTTP 500 fault) to AuthenticationError with a hint and no secret', async () => {
    const c = createDandhClient({
      credentials: { username: fake.credentials.username, password: `${PASSWORD}-wrong` },
      accountId: fake.credentials.accountId,
      rateLimit: false,
    });
    const e = await failure(c.getCustomer(contoso));
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.status).toBe(500);
    expect(e.hint).toMatch(/username/);
    expect(calls('GetSessionToken')).toHaveLength(1);
    const dump = `${e.message} ${JSON.stringify(e)} ${inspect(e)} ${inspect(c)} ${JSON.stringify(c)}`;
    expect(dump).not.toContain(PASSWORD);
  });

  it('explains that MFA users cannot use the API', async () => {
    const c = createDandhClient({
      credentials: { username: DANDH_MFA_USERNAME, password: PASSWORD },
      accountId: fake.credentials.accountId,
      rateLimit: false,
    });
    const e = await failure(c.verifyConnection());
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.code).toBe('MFA_NOT_SUPPORTED');
    expect(e.hint).toMatch(/MFA disabled/);
  });

  it('keeps the session token out of events', async () => {
    const c = client();
    const events: unknown[] = [];
    c.on('request', (e) => events.push(e));
    c.on('response', (e) => events.push(e));
    await c.getCustomer(contoso);
    const token = [...fake.state.sessions.keys()][0]!;
    expect(JSON.stringify(events)).not.toContain(token);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });
});

describe('D&H reads', () => {
  it('verifies the connection', async () => {
    const r = await client().verifyConnection();
    expect(r).toMatchObject({ provider: 'dandh', ok: true, baseUrl: BASE });
    // The same walk as listCustomers: companies under sub-resellers count too.
    expect(r).toMatchObject({ customers: 31, customersExact: true, subscriptions: null, subscriptionsExact: false });
    expect(calls('PingPong')).toHaveLength(1);
  });

  it('lists companies including those under sub-resellers, and gets one', async () => {
    const c = client();
    const all = await c.listCustomers().toArray({ limit: Number.POSITIVE_INFINITY });
    expect(all).toHaveLength(31);
    expect(new Set(all.map((x) => x.id)).size).toBe(31);
    expect(calls('GetResellers').length).toBeGreaterThanOrEqual(2);
    const flat = await client({ includeSubResellers: false }).listCustomers().toArray({ limit: 100 });
    expect(flat).toHaveLength(28);
    const one = await c.getCustomer(contoso);
    expect(one).toMatchObject({ provider: 'dandh', id: contoso, name: 'Contoso Ltd', status: 'active' });
  });

  it('answers not found for an account outside the tree', async () => {
    await expect(client().getCustomer('999999')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists the catalog and searches it', async () => {
    const c = client();
    const all = await c.listProducts().toArray({ limit: 100 });
    expect(all).toHaveLength(Object.keys(DANDH_SERVICES).length);
    const bp = await c.listProducts({ search: 'business premium' }).toArray({ limit: 100 });
    expect(bp.map((p) => p.id).sort()).toEqual(
      [DANDH_SERVICES.businessPremiumAnnual, DANDH_SERVICES.businessPremiumMonthly].sort(),
    );
    expect(bp[0]).toMatchObject({ provider: 'dandh', vendorName: 'Microsoft' });
  });

  it("lists a company's subscriptions with quantities from each service's own field", async () => {
    const subs = await client().listSubscriptions({ customerId: contoso }).toArray({ limit: 100 });
    const byId = new Map(subs.map((s) => [s.id, s]));
    expect(byId.get(annualRef.subscriptionId)).toMatchObject({
      quantity: 80,
      billingTerm: 'monthly',
      commitment: { term: 'P1Y' },
      status: 'active',
      autoRenew: true,
      price: { currency: 'USD' },
    });
    expect(byId.get(annualRef.subscriptionId)!.constraints.canDecrease).toBe(false);
    expect(byId.get(monthlyRef.subscriptionId)).toMatchObject({ quantity: 20, commitment: { term: 'P1M' } });
    expect(byId.get(monthlyRef.subscriptionId)!.constraints.canDecrease).toBe(true);
    expect(byId.get(exchangeRef.subscriptionId)).toMatchObject({ quantity: 10, commitment: null });
    expect(byId.get(tenantRef.subscriptionId)).toMatchObject({ quantity: 0 });
    const filtered = await client()
      .listSubscriptions({ customerId: contoso, productId: DANDH_SERVICES.businessPremiumMonthly })
      .toArray({ limit: 10 });
    expect(filtered.map((s) => s.id)).toEqual([monthlyRef.subscriptionId]);
  });

  it('lists every subscription across all companies, one page per company', async () => {
    const c = client();
    const pages: number[] = [];
    for await (const p of c.listSubscriptions().byPage()) pages.push(p.items.length);
    expect(pages).toHaveLength(31);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(fake.state.subscriptions.size);
    const cancelled = await client().listSubscriptions({ status: 'cancelled' }).toArray({ limit: 1000 });
    expect(cancelled.length).toBeGreaterThan(0);
  });

  it('refuses a subscription that belongs to another customer', async () => {
    await expect(
      client().getSubscription({ customerId: '100201', subscriptionId: monthlyRef.subscriptionId }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('retries reads on 429 and on a 5xx fault', async () => {
    fake.faults.add({ kind: 'http-429', path: '/GetSubscription', times: 1 });
    fake.faults.add({ kind: 'http-500', path: '/GetCompany', times: 1 });
    const c = client();
    expect((await c.getSubscription(monthlyRef)).quantity).toBe(20);
    expect((await c.getCustomer(contoso)).id).toBe(contoso);
    expect(fake.faults.fired.map((f) => f.kind)).toEqual(['http-429', 'http-500']);
  });

  it('surfaces a persistent 429 as RateLimitError', async () => {
    fake.faults.add({ kind: 'http-429', path: '/GetCompany' });
    const e = await failure(client({ retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 } }).getCustomer(contoso));
    expect(e).toBeInstanceOf(RateLimitError);
  });
});

describe('D&H bad input', () => {
  it('sends nothing for non-numeric ids or bad seat counts', async () => {
    const c = client();
    await expect(c.getSubscription({ customerId: 'abc', subscriptionId: '1' })).rejects.toBeInstanceOf(ValidationError);
    await expect(c.setSeats({ customerId: contoso, subscriptionId: 'x-1' }, 3)).rejects.toBeInstanceOf(ValidationError);
    await expect(c.setSeats(monthlyRef, -1)).rejects.toBeInstanceOf(ValidationError);
    await expect(c.getCustomer('12a')).rejects.toBeInstanceOf(ValidationError);
    expect(() => c.listSubscriptions({ customerId: 'nope' })).toThrow(ValidationError);
    await expect(
      c.purchase({ customerId: contoso, productId: '', quantity: 1, billingTerm: 'monthly' }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses writes on a read-only client', async () => {
    await expect(client({ readOnly: true }).setSeats(monthlyRef, 5)).rejects.toBeInstanceOf(ReadOnlyError);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('D&H seat changes', () => {
  it("writes the service's quantity field and returns a pending operation that completes", async () => {
    const c = client();
    const r = await c.addSeats(monthlyRef, 5);
    expect(r).toMatchObject({ before: 20, requested: 25, outcome: 'pending' });
    const body = calls('UpdateSubscription')[0]!.body;
    expect(body).toEqual({
      subscription: {
        AccountId: DANDH_SEED_IDS.contosoBusinessPremiumMonthly,
        ServiceName: DANDH_SERVICES.businessPremiumMonthly,
        Fields: [{ name: 'Quantity', value: '25' }],
      },
    });
    t += 61_000;
    const progress: string[] = [];
    const done = await r.operation!.waitForCompletion({ onProgress: (s) => progress.push(s.status) });
    expect(done.status).toBe('succeeded');
    expect(progress).toEqual(['succeeded']);
    expect((await c.getSubscription(monthlyRef)).quantity).toBe(25);
  });

  it('uses NumberofCSPlicenses for the legacy service, as its order form declares', async () => {
    const r = await client().setSeats(exchangeRef, 12);
    expect(r.requested).toBe(12);
    const body = calls('UpdateSubscription')[0]!.body as { subscription: { Fields: unknown[] } };
    expect(body.subscription.Fields).toEqual([{ name: 'NumberofCSPlicenses', value: '12' }]);
    expect(calls('GetFieldsForService').length).toBeGreaterThan(0);
    expect(fake.quantityOf(DANDH_SEED_IDS.contosoExchange)).toBe(12);
  });

  it("looks a service's quantity field up once when several reads need it at once (single flight)", async () => {
    const c = client();
    const before = calls('GetFieldsForService').length;
    // The tenant subscription has no UDRC quantity field: reading it asks for the service's order form.
    const tenantRef = { customerId: contoso, subscriptionId: String(DANDH_SEED_IDS.contosoTenant) };
    await Promise.all([c.getSubscription(tenantRef), c.getSubscription(tenantRef), c.getSubscription(tenantRef)]);
    expect(calls('GetFieldsForService').length - before).toBe(1);
  });

  it('honours a configured quantity field', async () => {
    await client({ quantityFields: { [DANDH_SERVICES.exchangePlan1Legacy]: 'NumberofCSPlicenses' } }).setSeats(
      exchangeRef,
      11,
    );
    expect(calls('GetFieldsForService')).toHaveLength(0);
    expect(fake.quantityOf(DANDH_SEED_IDS.contosoExchange)).toBe(11);
  });

  it('reports a provisioning failure through the pending operation', async () => {
    const r = await client().setSeats(monthlyRef, 30);
    fake.fail(DANDH_SEED_IDS.contosoBusinessPremiumMonthly, 'Partner Center said no');
    const done = await r.operation!.waitForCompletion();
    expect(done).toMatchObject({ status: 'failed', message: 'Partner Center said no' });
  });

  it('times out and aborts a wait promptly', async () => {
    const r = await client().setSeats(monthlyRef, 31);
    await expect(r.operation!.waitForCompletion({ timeoutMs: 20, pollIntervalMs: 5 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
    const ac = new AbortController();
    const started = Date.now();
    const wait = r.operation!.waitForCompletion({ pollIntervalMs: 60_000, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('stop')), 10);
    await expect(wait).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('maps a decrease outside the NCE window to a business-rule error with a hint', async () => {
    const e = await failure(client().removeSeats(annualRef, 1));
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect(e.hint).toMatch(/7 days/);
    expect(fake.appliedWrites).toHaveLength(0);
  });

  it('dry-runs through ValidateFields without writing', async () => {
    const c = client();
    const ok = await c.setSeats(monthlyRef, 40, { dryRun: true });
    expect(ok.outcome).toBe('dry-run');
    expect(calls('ValidateFields')).toHaveLength(1);
    await expect(c.setSeats(annualRef, 70, { dryRun: true })).rejects.toBeInstanceOf(BusinessRuleError);
    expect(fake.appliedWrites).toHaveLength(0);
  });

  it('refuses seats on a service without a quantity field, and checks ifCurrent', async () => {
    const c = client();
    await expect(c.setSeats(tenantRef, 2)).rejects.toBeInstanceOf(UnsupportedOperationError);
    await expect(c.setSeats(monthlyRef, 21, { ifCurrent: 19 })).rejects.toBeInstanceOf(ConflictError);
    expect(fake.appliedWrites).toHaveLength(0);
  });

  it('retries a write refused with 429 (nothing was applied)', async () => {
    fake.faults.add({ kind: 'http-429', path: '/UpdateSubscription', times: 1 });
    const r = await client().setSeats(monthlyRef, 23);
    expect(r.requested).toBe(23);
    expect(fake.appliedWrites).toHaveLength(1);
  });

  it('awaits the in-flight change after a lost answer instead of resending', async () => {
    fake.faults.add({ kind: 'response-lost', path: '/UpdateSubscription', times: 1 });
    const r = await client().setSeats(monthlyRef, 24);
    expect(r.outcome).toBe('pending');
    expect(fake.appliedWrites).toHaveLength(1);
    fake.completeAll();
    expect((await r.operation!.waitForCompletion()).status).toBe('succeeded');
  });

  it('does not resend after a 5xx that was in fact applied', async () => {
    fake.faults.add({ kind: 'applied-then-500', path: '/UpdateSubscription', times: 1 });
    const r = await client().setSeats(monthlyRef, 26);
    // The change is found in flight (quantity already at the target): awaited, never sent twice.
    expect(r.outcome).toBe('pending');
    expect(fake.appliedWrites).toHaveLength(1);
  });
});

describe('D&H cancel', () => {
  it('terminates a subscription inside its window', async () => {
    const r = await client().cancelSubscription(monthlyRef);
    expect(r.outcome).toBe('cancelled');
    expect(r.subscription?.status).toBe('cancelled');
    expect(calls('TerminateAccount')[0]!.body).toEqual({ accountId: DANDH_SEED_IDS.contosoBusinessPremiumMonthly });
  });

  it('refuses termination outside the window, or ends at term end when configured', async () => {
    const e = await failure(client().cancelSubscription(annualRef));
    expect(e).toBeInstanceOf(BusinessRuleError);
    const r = await client({ cancelAtTermEndWhenRefused: true, terminationReason: 'offboarding' }).cancelSubscription(
      annualRef,
    );
    expect(r.outcome).toBe('scheduled');
    expect(r.subscription?.autoRenew).toBe(false);
    expect(fake.state.subscriptions.get(DANDH_SEED_IDS.contosoBusinessPremiumAnnual)!.AdvancePeriodEndAction).toBe(
      'Terminate',
    );
    expect(calls('TerminateAccount')[1]!.body).toMatchObject({ terminationReason: 'offboarding' });
  });

  it('has no scheduled cancel, and dry-runs without a request to TerminateAccount', async () => {
    const c = client();
    await expect(c.cancelSubscription(monthlyRef, { effectiveDate: '2030-01-01' })).rejects.toBeInstanceOf(
      UnsupportedOperationError,
    );
    const r = await c.cancelSubscription(monthlyRef, { dryRun: true });
    expect(r.outcome).toBe('dry-run');
    expect(calls('TerminateAccount')).toHaveLength(0);
  });
});

describe('D&H purchase', () => {
  it('validates on dry run and buys as a pending operation', async () => {
    const c = client();
    const dry = await c.purchase({
      customerId: contoso,
      productId: DANDH_SERVICES.businessBasicMonthly,
      quantity: 3,
      billingTerm: 'monthly',
      dryRun: true,
    });
    expect(dry.outcome).toBe('dry-run');
    expect(calls('ValidateFields')).toHaveLength(1);
    expect(calls('CreateSubscription')).toHaveLength(0);
    const r = await c.purchase({
      customerId: contoso,
      productId: DANDH_SERVICES.businessBasicMonthly,
      quantity: 3,
      billingTerm: 'monthly',
    });
    expect(r.outcome).toBe('pending');
    expect(calls('CreateSubscription')[0]!.body).toEqual({
      subscriptionAccount: {
        ParentAccountId: DANDH_SEED_IDS.contoso,
        ServiceName: DANDH_SERVICES.businessBasicMonthly,
        Fields: { Quantity: '3' },
      },
    });
    const id = r.lines[0]!.subscriptionId!;
    fake.complete(Number(id));
    expect((await r.operation!.waitForCompletion()).status).toBe('succeeded');
    expect((await c.getSubscription({ customerId: contoso, subscriptionId: id })).quantity).toBe(3);
  });

  it('refuses a billing term the service does not have, and a service without seats', async () => {
    const c = client();
    await expect(
      c.purchase({ customerId: contoso, productId: DANDH_SERVICES.e3Annual, quantity: 1, billingTerm: 'monthly' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      c.purchase({ customerId: contoso, productId: DANDH_SERVICES.tenant, quantity: 1, billingTerm: 'monthly' }),
    ).rejects.toBeInstanceOf(UnsupportedOperationError);
    await expect(
      c.purchase({ customerId: contoso, productId: 'nope', quantity: 1, billingTerm: 'monthly' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(calls('CreateSubscription')).toHaveLength(0);
  });

  it('never resends a purchase whose answer was lost', async () => {
    fake.faults.add({ kind: 'response-lost', path: '/CreateSubscription', times: 1 });
    await expect(
      client().purchase({
        customerId: contoso,
        productId: DANDH_SERVICES.businessBasicMonthly,
        quantity: 2,
        billingTerm: 'monthly',
      }),
    ).rejects.toBeInstanceOf(WriteOutcomeUnknownError);
    expect(fake.appliedWrites.filter((w) => w.operation === 'CreateSubscription')).toHaveLength(1);
  });
});
