import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AuthenticationError,
  BusinessRuleError,
  ConfigurationError,
  ConflictError,
  type MarketplaceError,
  NotFoundError,
  ReadOnlyError,
  ValidationError,
  type AuditEvent,
} from '../../../src/index.js';
import { type Pax8ClientOptions, createPax8Client } from '../../../src/providers/pax8/index.js';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import { PAX8_SEED_IDS, type Pax8Fake, createPax8Fake } from '../../../src/testing/index.js';
import { useMswServer } from '../../helpers/msw.js';

const server = useMswServer();
let fake: Pax8Fake;

const SECRET = 'pax8-very-secret-value-123';

function client(extra: Partial<Pax8ClientOptions> = {}) {
  return createPax8Client({
    credentials: { clientId: fake.credentials.clientId, clientSecret: fake.credentials.clientSecret },
    baseUrl: fake.baseUrl,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

const contoso = PAX8_SEED_IDS.contoso;
const monthlyRef = { customerId: contoso, subscriptionId: PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly };
const annualRef = { customerId: contoso, subscriptionId: PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumAnnual };

beforeEach(() => {
  defaultTokenCache.clear();
  fake = createPax8Fake({ clientSecret: SECRET });
  server.use(...fake.handlers);
});
afterEach(() => {
  vi.useRealTimers();
});

const apiRequests = (path: string) => fake.requests.filter((r) => r.path.startsWith(path));

describe('Pax8 reads', () => {
  it('lists customers lazily and gets one', async () => {
    const c = client();
    const first = await c.listCustomers().toArray({ limit: 5 });
    expect(first).toHaveLength(5);
    expect(apiRequests('/companies')).toHaveLength(1);
    const all = await c.listCustomers().toArray({ limit: Number.POSITIVE_INFINITY });
    expect(all.length).toBe(fake.companies.length);
    const one = await c.getCustomer(contoso);
    expect(one).toMatchObject({ provider: 'pax8', id: contoso, name: 'Contoso Ltd', status: 'active' });
  });

  it('lists 450 subscriptions in exactly 3 pages of 200, each once', async () => {
    const company = fake.addCompany({ name: 'Big Co' });
    const product = PAX8_SEED_IDS.products.businessBasic;
    for (let i = 0; i < 450; i++) fake.addSubscription({ companyId: company.id, productId: product, quantity: i + 1 });
    const c = client();
    const pages = [];
    for await (const page of c.listSubscriptions({ customerId: company.id }).byPage()) pages.push(page.items.length);
    expect(pages).toEqual([200, 200, 50]);
    const ids = new Set<string>();
    for await (const s of c.listSubscriptions({ customerId: company.id })) ids.add(s.id);
    expect(ids.size).toBe(450);
    const listCalls = apiRequests('/subscriptions');
    expect(listCalls).toHaveLength(6);
    expect(listCalls[0]!.query).toContain('size=200');
    expect(listCalls[0]!.query).toContain('page=0');
  });

  it('passes filters to the vendor and filters normalized status locally', async () => {
    const c = client();
    const subs = await c
      .listSubscriptions({ customerId: contoso, billingTerm: 'monthly', status: 'active' })
      .toArray({ limit: 1000 });
    expect(subs.length).toBeGreaterThan(0);
    expect(subs.every((s) => s.billingTerm === 'monthly' && s.status === 'active' && s.customerId === contoso)).toBe(
      true,
    );
    const q = apiRequests('/subscriptions')[0]!.query;
    expect(q).toContain(`companyId=${contoso}`);
    expect(q).toContain('billingTerm=Monthly');
  });

  it('maps the 80/20 split with terms and constraints', async () => {
    const c = client();
    const annual = await c.getSubscription(annualRef);
    const monthly = await c.getSubscription(monthlyRef);
    expect(annual).toMatchObject({ quantity: 80, billingTerm: 'annual', commitment: { term: 'P1Y' } });
    expect(annual.constraints.canDecrease).toBe(false);
    // Pax8 sends no commitmentTerm on NCE monthly; the product's Monthly commitment makes it P1M (one model).
    expect(monthly).toMatchObject({ quantity: 20, billingTerm: 'monthly', commitment: { term: 'P1M' } });
    expect(monthly.constraints.canDecrease).toBe(true);
  });

  it('refuses a subscription that belongs to another customer', async () => {
    const c = client();
    const other = fake.companies.find((x) => x.id !== contoso)!;
    await expect(
      c.getSubscription({ customerId: other.id, subscriptionId: monthlyRef.subscriptionId }),
    ).rejects.toThrow(NotFoundError);
  });

  it('takes an upper-case customer UUID as the same company (UUIDs compare case-folded)', async () => {
    const sub = await client().getSubscription({ ...monthlyRef, customerId: monthlyRef.customerId.toUpperCase() });
    expect(sub.id).toBe(monthlyRef.subscriptionId);
  });

  it('verifies the connection with counts', async () => {
    const report = await client().verifyConnection();
    expect(report).toMatchObject({
      ok: true,
      customers: fake.companies.length,
      subscriptions: fake.subscriptions.length,
    });
  });

  it('maps 404 to NotFoundError with the vendor message and a hint', async () => {
    const err = await client()
      .getCustomer('00000000-0000-4000-8000-000000000000')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).status).toBe(404);
    expect((err as NotFoundError).hint).toMatch(/id/);
  });
});

describe('Pax8 tokens', () => {
  it('1,000 concurrent cold calls make exactly one token request', async () => {
    const c = client();
    await Promise.all(Array.from({ length: 1000 }, () => c.getSubscription(monthlyRef)));
    expect(fake.issuedTokens).toBe(1);
  });

  it('two clients with the same credential share the token; a different secret does not', async () => {
    await client().getCustomer(contoso);
    await client().getCustomer(contoso);
    expect(fake.issuedTokens).toBe(1);
    const wrong = client({
      credentials: { clientId: fake.credentials.clientId, clientSecret: 'another-secret-value' },
    });
    await expect(wrong.getCustomer(contoso)).rejects.toThrow(AuthenticationError);
    expect(fake.issuedTokens).toBe(1);
  });

  it('a 401 mid-run evicts the token, refreshes once and succeeds', async () => {
    const c = client();
    await c.getCustomer(contoso);
    fake.expireAllTokens();
    const results = await Promise.all(Array.from({ length: 20 }, () => c.getCustomer(contoso)));
    expect(results).toHaveLength(20);
    expect(fake.issuedTokens).toBe(2);
  });

  it('wrong credentials: AuthenticationError with a hint, no secret anywhere', async () => {
    const secret = 'totally-wrong-secret-xyz';
    const c = client({ credentials: { clientId: 'nobody', clientSecret: secret } });
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
    ];
    for (const text of dump) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(Buffer.from(secret).toString('base64'));
    }
  });
});

describe('Pax8 retries', () => {
  it('429 waits Retry-After, then succeeds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const c = client({ retry: { baseDelayMs: 1 } });
    await c.getCustomer(contoso); // warm the token
    fake.faults.add({ kind: 'http-429', path: '/companies', times: 1, retryAfterSeconds: 30 });
    let done = false;
    const p = c.getCustomer(contoso).then((r) => {
      done = true;
      return r;
    });
    await vi.advanceTimersByTimeAsync(29_000);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1_500);
    await expect(p).resolves.toMatchObject({ id: contoso });
    expect(done).toBe(true);
  });

  it('429 without Retry-After backs off with jitter and emits retry events', async () => {
    const c = client();
    const retries: number[] = [];
    c.on('retry', (e) => retries.push(e.delayMs));
    fake.faults.add({ kind: 'http-429', path: '/companies', times: 2 });
    await expect(c.getCustomer(contoso)).resolves.toMatchObject({ id: contoso });
    expect(retries).toHaveLength(2);
    expect(retries.every((d) => d >= 0 && d <= 5)).toBe(true);
  });

  it('a Retry-After longer than the cap fails at once as RateLimitError', async () => {
    const c = client({ retry: { maxRetryAfterMs: 10_000 } });
    fake.faults.add({ kind: 'http-429', path: '/companies', times: 1, retryAfterSeconds: 3600 });
    const err = (await c.getCustomer(contoso).catch((e: unknown) => e)) as MarketplaceError;
    expect(err.kind).toBe('rate-limit');
    expect(err.retryAfterMs).toBe(3_600_000);
  });

  it('retries 5xx and resets on reads, within the budget', async () => {
    const c = client();
    fake.faults.add({ kind: 'http-503', path: '/subscriptions', times: 2 });
    fake.faults.add({ kind: 'reset', path: '/subscriptions', times: 1 });
    const sub = await c.getSubscription(monthlyRef);
    expect(sub.quantity).toBe(20);
    fake.faults.add({ kind: 'http-500', path: '/subscriptions' });
    const err = await c.getSubscription(monthlyRef).catch((e: unknown) => e);
    expect((err as MarketplaceError).kind).toBe('server');
  });
});

describe('Pax8 writes', () => {
  it('sets, adds and removes seats as absolute targets, with audit events', async () => {
    const c = client({ actor: 'tester' });
    const audits: AuditEvent[] = [];
    c.on('audit', (e) => audits.push(e));
    const added = await c.addSeats(monthlyRef, 2);
    expect(added).toMatchObject({ before: 20, requested: 22, after: 22, outcome: 'applied' });
    const removed = await c.removeSeats(monthlyRef, 1);
    expect(removed).toMatchObject({ before: 22, after: 21 });
    const same = await c.setSeats(monthlyRef, 21);
    expect(same.outcome).toBe('unchanged');
    expect(fake.appliedWrites.map((w) => (w.body as { quantity: number }).quantity)).toEqual([22, 21]);
    expect(audits.map((a) => a.outcome)).toEqual(['applied', 'applied', 'unchanged']);
    expect(audits[0]).toMatchObject({
      actor: 'tester',
      before: 20,
      after: 22,
      subscriptionId: monthlyRef.subscriptionId,
    });
  });

  it('a write applied but whose response is lost succeeds after a re-read, applied once', async () => {
    const c = client();
    fake.faults.add({ kind: 'response-lost', method: 'PUT', path: '/subscriptions', times: 1 });
    const r = await c.setSeats(monthlyRef, 25);
    expect(r).toMatchObject({ outcome: 'applied', after: 25 });
    expect(fake.appliedWrites).toHaveLength(1);
    expect(fake.getSubscription(monthlyRef.subscriptionId)!.quantity).toBe(25);
  });

  it('a write that failed before being applied is sent once more after the re-read shows no change', async () => {
    const c = client();
    fake.faults.add({ kind: 'http-503', method: 'PUT', path: '/subscriptions', times: 1 });
    const r = await c.setSeats(monthlyRef, 24);
    expect(r.after).toBe(24);
    expect(fake.appliedWrites).toHaveLength(1);
  });

  it('gives up with WriteOutcomeUnknownError when it cannot settle', async () => {
    const c = client();
    fake.faults.add({ kind: 'http-503', method: 'PUT', path: '/subscriptions' });
    const err = (await c.setSeats(monthlyRef, 30).catch((e: unknown) => e)) as MarketplaceError;
    expect(err.kind).toBe('write-outcome-unknown');
    expect(err).toMatchObject({ before: 20, expected: 30, observed: 20 });
    expect(fake.appliedWrites).toHaveLength(0);
  });

  it('ifCurrent mismatch is a ConflictError and nothing is sent', async () => {
    const c = client();
    await expect(c.addSeats(monthlyRef, 1, { ifCurrent: 19 })).rejects.toThrow(ConflictError);
    expect(fake.requests.filter((r) => r.method === 'PUT')).toHaveLength(0);
  });

  it('two concurrent conditional adds: exactly one wins', async () => {
    const c = client();
    const results = await Promise.allSettled([
      c.addSeats(monthlyRef, 1, { ifCurrent: 20 }),
      c.addSeats(monthlyRef, 1, { ifCurrent: 20 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(fake.getSubscription(monthlyRef.subscriptionId)!.quantity).toBe(21);
  });

  it('a decrease outside the NCE window is a BusinessRuleError with a hint', async () => {
    const err = await client()
      .removeSeats(annualRef, 5)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).hint).toMatch(/7 days/);
  });

  it('cancels with an effective date sent as date-time', async () => {
    const c = client();
    const r = await c.cancelSubscription(monthlyRef, { effectiveDate: '2099-01-31' });
    expect(r.outcome).toBe('scheduled');
    const del = fake.requests.find((x) => x.method === 'DELETE')!;
    expect(decodeURIComponent(del.query)).toContain('cancelDate=2099-01-31T00:00:00.000Z');
    // Running it twice is safe: nothing is sent again, and the answer still says when it ends.
    const again = await c.cancelSubscription(monthlyRef);
    expect(again.outcome).toBe('scheduled');
    expect(fake.requests.filter((x) => x.method === 'DELETE')).toHaveLength(1);
  });

  it('dry-run purchase uses isMock and buys nothing; a real one returns the new subscription', async () => {
    const c = client();
    const before = fake.subscriptions.length;
    const dry = await c.purchase({
      customerId: contoso,
      productId: PAX8_SEED_IDS.products.businessPremium,
      quantity: 3,
      billingTerm: 'annual',
      dryRun: true,
    });
    expect(dry.outcome).toBe('dry-run');
    expect(fake.requests.find((r) => r.path === '/orders')!.query).toContain('isMock=true');
    expect(fake.subscriptions.length).toBe(before);
    const real = await c.purchase({
      customerId: contoso,
      productId: PAX8_SEED_IDS.products.businessPremium,
      quantity: 3,
      billingTerm: 'annual',
    });
    expect(real.outcome).toBe('ordered');
    expect(real.lines[0]!.subscriptionId).toBeTruthy();
    expect(fake.subscriptions.length).toBe(before + 1);
    const order = fake.orders.at(-1)!;
    expect(order.lineItems[0]!.commitmentTermId).toBe(PAX8_SEED_IDS.commitments.businessPremium1Year);
  });

  it('a purchase whose answer is lost is WriteOutcomeUnknownError and is not resent', async () => {
    const c = client();
    fake.faults.add({ kind: 'response-lost', method: 'POST', path: '/orders', times: 1 });
    const err = (await c
      .purchase({
        customerId: contoso,
        productId: PAX8_SEED_IDS.products.businessBasic,
        quantity: 1,
        billingTerm: 'monthly',
      })
      .catch((e: unknown) => e)) as MarketplaceError;
    expect(err.kind).toBe('write-outcome-unknown');
    expect(fake.requests.filter((r) => r.path === '/orders' && r.method === 'POST')).toHaveLength(1);
  });
});

describe('Pax8 refuses before the network', () => {
  const bad: Array<[string, (c: ReturnType<typeof client>) => Promise<unknown>]> = [
    ['negative seats', (c) => c.setSeats(monthlyRef, -1)],
    ['fractional seats', (c) => c.setSeats(monthlyRef, 1.5)],
    ['NaN seats', (c) => c.addSeats(monthlyRef, Number.NaN)],
    ['zero delta', (c) => c.addSeats(monthlyRef, 0)],
    ['empty subscription id', (c) => c.setSeats({ customerId: contoso, subscriptionId: ' ' }, 3)],
    ['empty customer id', (c) => c.getCustomer('')],
    ['bad effective date', (c) => c.cancelSubscription(monthlyRef, { effectiveDate: '31/01/2099' })],
    ['impossible date', (c) => c.cancelSubscription(monthlyRef, { effectiveDate: '2099-02-30' })],
    [
      'unknown billing term',
      (c) =>
        c.purchase({
          customerId: contoso,
          productId: 'x',
          quantity: 1,
          billingTerm: 'weekly' as unknown as 'monthly',
        }),
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

  it('configuration errors name the field and never the secret', () => {
    expect(() => createPax8Client({ credentials: { clientId: 'a', clientSecret: '' } })).toThrow(ConfigurationError);
    expect(() => createPax8Client({ credentials: { clientId: '', clientSecret: 's3cr3t-value' } })).toThrow(/clientId/);
    expect(() =>
      createPax8Client({ credentials: { clientId: 'a', clientSecret: 'b' }, baseUrl: 'http://evil.example.com' }),
    ).toThrow(ConfigurationError);
    expect(() =>
      createPax8Client({ credentials: { clientId: 'a', clientSecret: 'b' }, rateLimit: { requests: 0, perMs: 1 } }),
    ).toThrow(ValidationError);
  });
});
