import { inspect } from 'node:util';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryTokenCache, defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import { MemoryTokenStore, defaultTokenStore } from '../../../src/core/auth/token-store.js';
import {
  AuthenticationError,
  BusinessRuleError,
  ConfigurationError,
  ConflictError,
  NotFoundError,
  PermissionError,
  ReadOnlyError,
  TimeoutError,
  UnsupportedOperationError,
  ValidationError,
} from '../../../src/core/errors.js';
import { type TdSynnexClientOptions, createTdSynnexClient } from '../../../src/providers/td-synnex/index.js';
import {
  TD_SYNNEX_CATALOG,
  TD_SYNNEX_SEED_IDS,
  type TdSynnexFake,
  createTdSynnexFake,
} from '../../../src/testing/td-synnex/index.js';
import { useMswServer } from '../../helpers/msw.js';

const server = useMswServer();
let fake: TdSynnexFake;
const REFRESH = 'ion-initial-refresh-token-SECRET-1234';

function client(extra: Partial<TdSynnexClientOptions> = {}) {
  return createTdSynnexClient({
    credentials: { refreshToken: REFRESH },
    accountId: fake.credentials.accountId,
    baseUrl: fake.baseUrl,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    pollIntervalMs: 1,
    ...extra,
  });
}

const contoso = TD_SYNNEX_SEED_IDS.contoso;
const monthlyRef = { customerId: contoso, subscriptionId: TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthly };
const annualRef = { customerId: contoso, subscriptionId: TD_SYNNEX_SEED_IDS.contosoBusinessPremiumAnnual };
const api = (suffix = '') => fake.requests.filter((r) => r.path.startsWith('/api/v3') && r.path.endsWith(suffix));
const bpProduct = `${TD_SYNNEX_CATALOG.microsoft365}/${TD_SYNNEX_CATALOG.businessPremium}`;

beforeEach(() => {
  defaultTokenCache.clear();
  defaultTokenStore.clear();
  fake = createTdSynnexFake({ credentials: { refreshToken: REFRESH } });
  server.use(...fake.handlers);
});

describe('TD SYNNEX reads', () => {
  it('lists customers with the required pageSize and ids from name; gets one', async () => {
    const c = client({ pageSize: 10 });
    const pages: number[] = [];
    for await (const p of c.listCustomers().byPage()) pages.push(p.items.length);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(fake.state.customers.size);
    expect(pages[0]).toBe(10);
    expect(api('/customers')[0]!.query).toContain('pageSize=10');
    const one = await c.getCustomer(contoso);
    expect(one).toMatchObject({ provider: 'td-synnex', id: contoso, name: 'Contoso Ltd', status: 'active' });
    await expect(c.getCustomer('999999')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('pages subscriptions by offset, normalizes seats and statuses', async () => {
    const c = client({ pageSize: 40 });
    const pages: number[] = [];
    for await (const p of c.listSubscriptions().byPage()) pages.push(p.items.length);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(fake.state.subscriptions.size);
    expect(pages.length).toBe(Math.ceil(fake.state.subscriptions.size / 40));
    expect(api('/subscriptions').some((r) => String(r.query).includes('pagination.offset=40'))).toBe(true);
    const mine = await c.listSubscriptions({ customerId: contoso }).toArray({ limit: Number.POSITIVE_INFINITY });
    expect(mine.map((s) => s.id)).toContain(monthlyRef.subscriptionId);
    const monthly = await c.getSubscription(monthlyRef);
    expect(monthly).toMatchObject({
      quantity: 20,
      status: 'active',
      productId: bpProduct,
      commitment: { term: 'P1M' },
      constraints: { canDecrease: true },
    });
    const annual = await c.getSubscription(annualRef);
    expect(annual).toMatchObject({ quantity: 80, commitment: { term: 'P1Y' }, constraints: { canDecrease: false } });
    fake.cancelSubscription(TD_SYNNEX_SEED_IDS.contosoExchange);
    const filtered = await c
      .listSubscriptions({ customerId: contoso, status: 'cancelled' })
      .toArray({ limit: Number.POSITIVE_INFINITY });
    expect(filtered.map((s) => s.id)).toEqual([TD_SYNNEX_SEED_IDS.contosoExchange]);
  });

  it('lists products one per SKU, and verifies the connection', async () => {
    const c = client();
    const products = await c.listProducts().toArray({ limit: Number.POSITIVE_INFINITY });
    expect(products.map((p) => p.id)).toContain(bpProduct);
    const search = await c.listProducts({ search: 'Azure' }).toArray({ limit: 10 });
    expect(search.map((p) => p.id)).toEqual([`${TD_SYNNEX_CATALOG.azure}/Azure-Plan`]);
    const report = await c.verifyConnection();
    expect(report).toMatchObject({ ok: true, subscriptions: fake.state.subscriptions.size });
  });

  it('refuses bad input before any request', async () => {
    const c = client();
    await expect(c.getCustomer('')).rejects.toBeInstanceOf(ValidationError);
    await expect(c.getCustomer('abc')).rejects.toBeInstanceOf(ValidationError);
    await expect(c.getSubscription({ customerId: contoso, subscriptionId: 'x/y' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(c.setSeats(monthlyRef, -1)).rejects.toBeInstanceOf(ValidationError);
    await expect(c.setSeats(monthlyRef, 0)).rejects.toBeInstanceOf(ValidationError);
    await expect(
      c.purchase({ customerId: contoso, productId: 'nope', quantity: 1, billingTerm: 'monthly' }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(() => c.listSubscriptions({ customerId: 'abc' })).toThrow(ValidationError);
    expect(fake.requests).toHaveLength(0);
    expect(() => createTdSynnexClient({ credentials: { refreshToken: REFRESH } } as never)).toThrow(ConfigurationError);
    expect(() => createTdSynnexClient({ credentials: {} as never, accountId: '1' })).toThrow(ConfigurationError);
  });
});

describe('TD SYNNEX auth', () => {
  it('treats 403 PERMISSION_DENIED on an expired access token as a cue to refresh once', async () => {
    const c = client();
    await c.getCustomer(contoso);
    expect(fake.refreshCount).toBe(1);
    fake.expireAllTokens();
    await c.getCustomer(contoso);
    expect(fake.refreshCount).toBe(2);
    expect(await defaultTokenStore.get(keyOfStore())).toMatchObject({ refreshToken: fake.currentRefreshToken() });
  });

  it('a real 403 (foreign account) fails as PermissionError after one refresh, with a hint', async () => {
    const c = client({ accountId: '99999' });
    const e = await c.getCustomer(contoso).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermissionError);
    expect((e as PermissionError).hint).toMatch(/accountId/);
    expect(fake.refreshCount).toBe(2);
  });

  it('a spent refresh token is an AuthenticationError with a hint and no secret', async () => {
    fake = createTdSynnexFake({ credentials: { refreshToken: 'something-else-0000' } });
    server.use(...fake.handlers);
    const c = client();
    const e = await c.getCustomer(contoso).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AuthenticationError);
    expect((e as AuthenticationError).hint).toMatch(/portal/);
    const text = `${String(e)} ${JSON.stringify(e)} ${inspect(e)} ${inspect(c)}`;
    expect(text).not.toContain(REFRESH);
  });

  it('keeps secrets out of inspect, JSON and events', async () => {
    const c = client();
    const seen: string[] = [];
    c.on('request', (e) => seen.push(JSON.stringify(e)));
    c.on('token', (e) => seen.push(JSON.stringify(e)));
    await c.getCustomer(contoso);
    const all = `${inspect(c)} ${JSON.stringify(c)} ${seen.join(' ')}`;
    expect(all).not.toContain(REFRESH);
    expect(all).not.toContain(fake.currentRefreshToken());
    expect(seen.some((s) => s.includes('rotated'))).toBe(true);
  });

  it('retries a read after 429 with Retry-After', async () => {
    let hits = 0;
    server.use(
      http.get(`${fake.baseUrl}/api/v3/accounts/:a/customers/:c`, () => {
        hits += 1;
        return hits === 1
          ? HttpResponse.json(
              { error: 'RESOURCE_EXHAUSTED', message: 'slow down', code: 429 },
              {
                status: 429,
                headers: { 'Retry-After': '0' },
              },
            )
          : undefined;
      }),
    );
    const c = client();
    const retries: unknown[] = [];
    c.on('retry', (e) => retries.push(e));
    await expect(c.getCustomer(contoso)).resolves.toMatchObject({ id: contoso });
    expect(hits).toBe(2);
    expect(retries).toHaveLength(1);
  });
});

describe('TD SYNNEX seat changes', () => {
  it('sends an UPDATE order and returns a pending operation that completes', async () => {
    const c = client();
    const audits: unknown[] = [];
    c.on('audit', (e) => audits.push(e));
    const r = await c.addSeats(monthlyRef, 2);
    expect(r).toMatchObject({ outcome: 'pending', before: 20, requested: 22 });
    const body = fake.appliedWrites[0]!.body as { orderItems: Record<string, unknown>[] };
    expect(body.orderItems[0]).toMatchObject({
      action: 'UPDATE',
      resourceId: TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthlyResourceId,
      quantity: 22,
      attributes: [{ name: 'operations', value: 'updatesubscription' }],
    });
    const seen: string[] = [];
    const wait = r.operation!.waitForCompletion({
      pollIntervalMs: 1,
      timeoutMs: 5_000,
      onProgress: (s) => {
        seen.push(s.status);
        if (fake.pendingOrders().length) fake.completeOrder(r.operation!.id);
      },
    });
    await expect(wait).resolves.toMatchObject({ status: 'succeeded', rawStatus: 'COMPLETED' });
    expect(fake.quantityOf(monthlyRef.subscriptionId)).toBe(22);
    expect(audits).toHaveLength(1);
  });

  it('reports a failed order, and a decrease outside the window as a failed operation', async () => {
    const c = client();
    const r = await c.setSeats(monthlyRef, 25);
    fake.failOrder(r.operation!.id, 'Provider refused');
    await expect(r.operation!.waitForCompletion({ pollIntervalMs: 1 })).resolves.toMatchObject({
      status: 'failed',
      message: expect.stringContaining('Provider refused'),
    });
    const dec = await c.removeSeats(annualRef, 5);
    fake.completeAll();
    const end = await dec.operation!.waitForCompletion({ pollIntervalMs: 1 });
    expect(end.status).toBe('failed');
    expect(end.message).toMatch(/cannot be decreased/);
    expect(fake.quantityOf(annualRef.subscriptionId)).toBe(80);
  });

  it('times out and aborts a wait promptly', async () => {
    const c = client();
    const r = await c.setSeats(monthlyRef, 21);
    await expect(r.operation!.waitForCompletion({ pollIntervalMs: 5, timeoutMs: 20 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
    const ac = new AbortController();
    const wait = r.operation!.waitForCompletion({ pollIntervalMs: 60_000, signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(wait).rejects.toThrow('stop');
  });

  it('dry run checks the window locally; ifCurrent and read-only refuse before writing', async () => {
    const c = client();
    await expect(c.setSeats(monthlyRef, 10, { dryRun: true })).resolves.toMatchObject({ outcome: 'dry-run' });
    await expect(c.setSeats(annualRef, 10, { dryRun: true })).rejects.toBeInstanceOf(BusinessRuleError);
    await expect(c.setSeats(monthlyRef, 30, { ifCurrent: 19 })).rejects.toBeInstanceOf(ConflictError);
    await expect(client({ readOnly: true }).setSeats(monthlyRef, 30)).rejects.toBeInstanceOf(ReadOnlyError);
    expect(fake.appliedWrites).toHaveLength(0);
  });

  it('after a lost answer, awaits the order already placed instead of sending a second one', async () => {
    let first = true;
    server.use(
      http.post(`${fake.baseUrl}/api/v3/accounts/:a/customers/:c/orders`, async ({ request }) => {
        if (!first) return undefined;
        first = false;
        // Let the fake place the order, then lose the answer.
        const placed = await fetch(request.clone().url, {
          method: 'POST',
          headers: request.headers,
          body: await request.clone().text(),
        });
        await placed.text();
        return HttpResponse.json(
          { error: 'INTERNAL_ERROR', message: 'Internal Server Error', code: 500 },
          {
            status: 500,
          },
        );
      }),
    );
    const c = client();
    const r = await c.setSeats(monthlyRef, 23);
    expect(r.outcome).toBe('pending');
    expect(fake.appliedWrites.filter((w) => w.operation === 'CreateOrder')).toHaveLength(1);
    fake.completeAll();
    await expect(r.operation!.waitForCompletion({ pollIntervalMs: 1 })).resolves.toMatchObject({
      status: 'succeeded',
    });
  });
});

describe('TD SYNNEX purchase, order cancel, subscription cancel', () => {
  it('purchases with a CREATE order, picking the plan from the terms', async () => {
    const c = client();
    const r = await c.purchase({
      customerId: contoso,
      productId: bpProduct,
      quantity: 5,
      billingTerm: 'monthly',
      commitmentTerm: 'P1Y',
      attributes: [{ name: 'domainName', value: 'contoso' }],
    });
    expect(r).toMatchObject({ outcome: 'pending', lines: [{ quantity: 5 }] });
    const item = (fake.appliedWrites[0]!.body as { orderItems: Record<string, unknown>[] }).orderItems[0]!;
    expect(item).toMatchObject({ action: 'CREATE', planId: TD_SYNNEX_CATALOG.businessPremiumAnnualPlan });
    fake.completeAll();
    await expect(r.operation!.waitForCompletion({ pollIntervalMs: 1 })).resolves.toMatchObject({
      status: 'succeeded',
    });
  });

  it('dry run sends no order; a missing domainName is a validation error with a hint', async () => {
    const c = client();
    const dry = await c.purchase({
      customerId: contoso,
      productId: bpProduct,
      quantity: 1,
      billingTerm: 'monthly',
      dryRun: true,
    });
    expect(dry).toMatchObject({
      outcome: 'dry-run',
      lines: [{ productId: `${bpProduct}/${TD_SYNNEX_CATALOG.businessPremiumMonthlyPlan}` }],
    });
    expect(fake.appliedWrites).toHaveLength(0);
    const e = await c
      .purchase({ customerId: contoso, productId: bpProduct, quantity: 1, billingTerm: 'monthly' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).hint).toMatch(/domainName/);
    await expect(
      c.purchase({ customerId: contoso, productId: bpProduct, quantity: 1, billingTerm: 'annual' }),
    ).rejects.toThrow(/no plan is billed annual/);
  });

  it('cancels an order that has not started; a started one is a business-rule error', async () => {
    const c = client();
    const r = await c.setSeats(monthlyRef, 24);
    await expect(c.cancelOrder(contoso, r.operation!.id)).resolves.toMatchObject({ status: 'cancelled' });
    const r2 = await c.setSeats(monthlyRef, 24);
    fake.startOrder(r2.operation!.id);
    await expect(c.cancelOrder(contoso, r2.operation!.id)).rejects.toBeInstanceOf(BusinessRuleError);
    await expect(client({ readOnly: true }).cancelOrder(contoso, r2.operation!.id)).rejects.toBeInstanceOf(
      ReadOnlyError,
    );
    await expect(c.getOrder('-', r2.operation!.id)).resolves.toMatchObject({ rawStatus: 'IN_PROGRESS' });
  });

  it('subscription cancel is unsupported, with a hint about provisioning templates', async () => {
    const c = client();
    expect(c.capabilities.cancelSubscription).toBe(false);
    const e = await c.cancelSubscription(monthlyRef).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnsupportedOperationError);
    expect((e as UnsupportedOperationError).hint).toMatch(/provisioning template/);
    await expect(c.cancelSubscription({ customerId: 'x', subscriptionId: '1' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(fake.requests).toHaveLength(0);
  });
});

describe('TD SYNNEX refresh-token rotation', () => {
  it('crash between refresh and persist: the call fails clearly and the access token is not used', async () => {
    const store = new MemoryTokenStore();
    let broken = true;
    const flaky = {
      get: (k: string) => store.get(k),
      set: async (k: string, v: Parameters<MemoryTokenStore['set']>[1]) => {
        if (broken) throw new Error('disk full');
        return store.set(k, v);
      },
      withLock: <T>(k: string, fn: () => Promise<T>) => store.withLock(k, fn),
    };
    const c = client({ tokenStore: flaky, tokenCache: new MemoryTokenCache() });
    const e = await c.getCustomer(contoso).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AuthenticationError);
    expect((e as AuthenticationError).code).toBe('REFRESH_TOKEN_NOT_SAVED');
    expect((e as Error).message).toMatch(/rotated the refresh token but the new one could not be saved/);
    expect((e as Error).message).not.toContain(fake.currentRefreshToken());
    expect(api()).toHaveLength(0);
    expect(fake.refreshCount).toBe(1);
    // The store works again: the kept token (and its access token) is saved first, then used; nothing is lost.
    broken = false;
    await expect(c.getCustomer(contoso)).resolves.toMatchObject({ id: contoso });
    expect(fake.refreshCount).toBe(1);
    fake.expireAllTokens();
    await expect(c.getCustomer(contoso)).resolves.toMatchObject({ id: contoso });
    expect(fake.refreshCount).toBe(2);
    expect((await store.get(keyOfStore()))?.refreshToken).toBe(fake.currentRefreshToken());
  });

  it('two concurrent refreshers sharing a store make one refresh request', async () => {
    const store = new MemoryTokenStore();
    const a = client({ tokenStore: store, tokenCache: new MemoryTokenCache() });
    const b = client({ tokenStore: store, tokenCache: new MemoryTokenCache() });
    await Promise.all([a.getCustomer(contoso), b.getCustomer(contoso), a.verifyConnection(), b.getCustomer(contoso)]);
    expect(fake.refreshCount).toBe(1);
  });

  it('never loses a token across 3 clients sharing one store', async () => {
    const store = new MemoryTokenStore();
    const clients = [1, 2, 3].map(() => client({ tokenStore: store, tokenCache: new MemoryTokenCache() }));
    for (let round = 0; round < 4; round++) {
      fake.expireAllTokens();
      await Promise.all(clients.map((c) => c.getCustomer(contoso)));
      for (const c of clients) await c.getCustomer(contoso);
      expect((await store.get(keyOfStore()))?.refreshToken).toBe(fake.currentRefreshToken());
    }
    expect(fake.refreshCount).toBeGreaterThanOrEqual(4);
  });
});

/** The store key the client uses (hash of base URL and account id). */
function keyOfStore(): string {
  // Same derivation as the client: hashKey('td-synnex', baseUrl, accountId).
  return hashKeyFor(fake.baseUrl, fake.credentials.accountId);
}

import { hashKey } from '../../../src/core/sha.js';
function hashKeyFor(baseUrl: string, accountId: string): string {
  return hashKey('td-synnex', new URL(baseUrl).toString().replace(/\/+$/, ''), accountId);
}
