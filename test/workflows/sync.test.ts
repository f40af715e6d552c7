import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http, passthrough } from 'msw';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  Marketplaces,
  type SyncCheckpoint,
  type SyncProgress,
  type SyncRecord,
  syncAll,
} from '../../src/workflows/index.js';
import { AsProvider, type World, createWorld, server } from './fixtures.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';
import { PAX8_SEED_IDS, type Pax8Fake, createPax8Fake } from '../../src/testing/pax8/index.js';
import type { MarketplaceClient } from '../../src/core/marketplace-client.js';
import { MemoryTokenCache } from '../../src/core/auth/token-provider.js';

let world: World;
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  world = createWorld();
});

async function collect(run: AsyncIterable<SyncRecord>, stopAfter = Number.POSITIVE_INFINITY): Promise<SyncRecord[]> {
  const out: SyncRecord[] = [];
  for await (const r of run) {
    out.push(r);
    if (out.length >= stopAfter) break;
  }
  return out;
}

/** A second "provider": another Pax8 fake on its own host, presented as D&H. */
function secondProvider() {
  const fake = createPax8Fake({ baseUrl: 'https://second-vendor.example/v1', now: world.clock.date });
  server.use(...fake.handlers);
  const client = createPax8Client({
    credentials: fake.credentials,
    baseUrl: fake.baseUrl,
    tokenUrl: fake.tokenUrl,
    rateLimit: false,
    retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 },
    tokenCache: new MemoryTokenCache(),
  });
  return { fake, client: new AsProvider(client, 'dandh') };
}

/** The same client, synced one customer at a time (as for a vendor without an account-wide listing). */
function perCustomer(inner: MarketplaceClient): AsProvider {
  const client = new AsProvider(inner, inner.provider);
  Object.defineProperty(client, 'capabilities', {
    value: { ...inner.capabilities, listAllSubscriptionsNative: false },
  });
  return client;
}

/** Adds `customers` companies to a Pax8 fake, `perCustomer` subscriptions each except every fifth (none). */
function growPax8(fake: Pax8Fake, customers: number, perCustomer: number): void {
  for (let i = 0; i < customers; i++) {
    const company = fake.addCompany({ name: `Grown ${i}` });
    if (i % 5 === 0) continue;
    for (let j = 0; j < perCustomer; j++) {
      fake.addSubscription({ companyId: company.id, productId: PAX8_SEED_IDS.products.businessPremium, quantity: 1 });
    }
  }
}

const listRequests = (fake: Pax8Fake, path: string) =>
  fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith(path)).length;

describe('syncAll', () => {
  it('streams every customer and subscription, tagged by provider, with progress events', async () => {
    const events: SyncProgress[] = [];
    const run = syncAll(world.marketplaces, { onProgress: (e) => events.push(e) });
    const records = await collect(run);
    const customers = records.filter((r) => r.type === 'customer');
    const subs = records.filter((r) => r.type === 'subscription');
    expect(customers).toHaveLength(world.pax8Fake.companies.length);
    expect(subs).toHaveLength(world.pax8Fake.subscriptions.length);
    expect(records.every((r) => r.provider === 'pax8')).toBe(true);
    // Pax8 lists every subscription at once: customers first, then subscriptions, each naming a listed customer.
    const firstSub = records.findIndex((r) => r.type === 'subscription');
    expect(records.slice(firstSub).every((r) => r.type === 'subscription')).toBe(true);
    const customerIds = new Set(customers.map((r) => (r.type === 'customer' ? r.customer.id : '')));
    for (const r of subs) if (r.type === 'subscription') expect(customerIds.has(r.customerId)).toBe(true);
    expect(events[0]?.type).toBe('provider-started');
    expect(new Set(events.slice(1, -1).map((e) => `${e.type}:${e.phase}`))).toEqual(
      new Set(['page-done:customers', 'page-done:subscriptions']),
    );
    expect(events.at(-1)).toMatchObject({
      type: 'provider-done',
      customers: customers.length,
      subscriptions: subs.length,
    });
    expect(run.checkpoint().providers.pax8).toMatchObject({ status: 'done', mode: 'all-at-once' });
  });

  it('isolates a failing provider: the other goes on and the failure is a record', async () => {
    const second = secondProvider();
    second.fake.faults.add({ kind: 'http-503', path: '/companies' });
    const m = new Marketplaces([world.pax8, second.client]);
    const events: SyncProgress[] = [];
    const run = syncAll(m, { onProgress: (e) => events.push(e) });
    const records = await collect(run);
    const errors = records.filter((r) => r.type === 'error');
    expect(errors).toEqual([
      expect.objectContaining({ type: 'error', provider: 'dandh', scope: 'provider', kind: 'server' }),
    ]);
    expect(records.filter((r) => r.type === 'subscription' && r.provider === 'pax8')).toHaveLength(
      world.pax8Fake.subscriptions.length,
    );
    const cp = run.checkpoint();
    expect(cp).toStrictEqual(JSON.parse(JSON.stringify(cp)));
    expect(cp.providers.pax8?.status).toBe('done');
    expect(cp.providers.dandh).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/503/) });
    expect(
      events.filter((e) => e.type !== 'customer-done' && e.type !== 'page-done').map((e) => `${e.type}:${e.provider}`),
    ).toEqual(['provider-started:pax8', 'provider-done:pax8', 'provider-started:dandh', 'provider-failed:dandh']);

    // The vendor is back: resuming syncs only the provider that failed.
    second.fake.faults.clear();
    const resumed = await collect(syncAll(m, { checkpoint: cp }));
    expect(new Set(resumed.map((r) => r.provider))).toEqual(new Set(['dandh']));
    expect(resumed.filter((r) => r.type === 'subscription')).toHaveLength(second.fake.subscriptions.length);
  });

  it('reports a customer whose subscriptions cannot be read and goes on', async () => {
    const victim = world.pax8Fake.companies[3]!;
    const inner = world.pax8;
    const guarded = perCustomer(inner);
    guarded.listSubscriptions = (o) => {
      if (o?.customerId === victim.id) {
        return inner.listSubscriptions({ ...o, customerId: `${victim.id}-gone` });
      }
      return inner.listSubscriptions(o);
    };
    const records = await collect(syncAll(new Marketplaces([guarded])));
    const errors = records.filter((r) => r.type === 'error');
    // The fake answers an unknown company with 403/404: a customer-scoped error.
    expect(errors).toEqual([expect.objectContaining({ scope: 'customer', customerId: victim.id })]);
    expect(records.filter((r) => r.type === 'customer')).toHaveLength(world.pax8Fake.companies.length);
  });

  it('resumes from a checkpoint after stopping half way, without losing or repeating finished customers', async () => {
    const m = new Marketplaces([perCustomer(world.pax8)]);
    const saved: SyncCheckpoint[] = [];
    const first = syncAll(m, { onCheckpoint: (c) => void saved.push(c) });
    const part = await collect(first, 150);
    const cp = first.checkpoint();
    expect(cp.providers.pax8).toMatchObject({ status: 'in-progress', mode: 'per-customer' });
    // Checkpoints are the JSON copies of the state (nothing undefined left in them), each one a copy of its own.
    for (const c of [cp, ...saved]) expect(c).toStrictEqual(JSON.parse(JSON.stringify(c)));
    expect(saved.at(-1)).toStrictEqual(cp);
    cp.providers.pax8?.doneInPage.push('changed by the caller');
    expect(first.checkpoint().providers.pax8?.doneInPage).not.toContain('changed by the caller');
    cp.providers.pax8?.doneInPage.pop();
    // The mode is kept on resume, even by a client that could list everything at once.
    const rest = await collect(syncAll(world.marketplaces, { checkpoint: cp }));
    const finished = new Set(cp.providers.pax8?.doneInPage);
    const customers = [...part, ...rest]
      .filter((r) => r.type === 'customer')
      .map((r) => (r.type === 'customer' ? r.customer.id : ''));
    // Every customer at least once; only the one in flight when the run stopped is repeated.
    expect(new Set(customers).size).toBe(world.pax8Fake.companies.length);
    expect(customers.length - new Set(customers).size).toBeLessThanOrEqual(1);
    for (const id of finished) expect(rest.some((r) => r.type === 'customer' && r.customer.id === id)).toBe(false);
    const subIds = new Set(
      [...part, ...rest]
        .filter((r) => r.type === 'subscription')
        .map((r) => (r.type === 'subscription' ? r.subscription.id : '')),
    );
    expect(subIds.size).toBe(world.pax8Fake.subscriptions.length);
  });

  it('skips providers already done in the checkpoint', async () => {
    const run = syncAll(world.marketplaces);
    await collect(run);
    const events: SyncProgress[] = [];
    const again = await collect(
      syncAll(world.marketplaces, { checkpoint: run.checkpoint(), onProgress: (e) => events.push(e) }),
    );
    expect(again).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['provider-skipped']);
  });
});

describe('syncAll with an account-wide subscription listing', () => {
  it('makes the minimum requests: one per page of customers and one per page of subscriptions', async () => {
    growPax8(world.pax8Fake, 210, 2);
    const customers = world.pax8Fake.companies.length;
    const subscriptions = world.pax8Fake.subscriptions.length;
    const minimum = Math.ceil(customers / 200) + Math.ceil(subscriptions / 200);
    world.pax8Fake.requests.length = 0;
    const records = await collect(syncAll(world.marketplaces));
    expect(records.filter((r) => r.type === 'customer')).toHaveLength(customers);
    expect(records.filter((r) => r.type === 'subscription')).toHaveLength(subscriptions);
    expect(listRequests(world.pax8Fake, '/companies') + listRequests(world.pax8Fake, '/subscriptions')).toBe(minimum);

    // The same estate one customer at a time: a listing per customer.
    world.pax8Fake.requests.length = 0;
    const again = await collect(syncAll(new Marketplaces([perCustomer(world.pax8)])));
    expect(again.filter((r) => r.type === 'subscription')).toHaveLength(subscriptions);
    expect(listRequests(world.pax8Fake, '/subscriptions')).toBe(customers);
  });

  it.each([
    ['customers' as const, 5],
    ['subscriptions' as const, 7],
  ])(
    'resumes after stopping in the %s without losing anything or repeating more than the record in flight',
    async (phase, offset) => {
      const saved: SyncCheckpoint[] = [];
      const first = syncAll(world.marketplaces, { onCheckpoint: (c) => void saved.push(c) });
      const stopAfter = offset + (phase === 'subscriptions' ? world.pax8Fake.companies.length : 0);
      const part = await collect(first, stopAfter);
      const cp = first.checkpoint();
      expect(cp.providers.pax8).toMatchObject({ status: 'in-progress', mode: 'all-at-once', phase });
      expect(JSON.parse(JSON.stringify(cp))).toEqual(cp);
      world.pax8Fake.requests.length = 0;
      const rest = await collect(syncAll(world.marketplaces, { checkpoint: cp }));
      const ids = (type: 'customer' | 'subscription') =>
        [...part, ...rest].flatMap((r) =>
          r.type === 'customer' && type === 'customer'
            ? [r.customer.id]
            : r.type === 'subscription' && type === 'subscription'
              ? [r.subscription.id]
              : [],
        );
      const all = [...ids('customer'), ...ids('subscription')];
      expect(new Set(ids('customer')).size).toBe(world.pax8Fake.companies.length);
      expect(new Set(ids('subscription')).size).toBe(world.pax8Fake.subscriptions.length);
      expect(all.length - new Set(all).size).toBeLessThanOrEqual(1);
      // Resuming in the subscriptions does not list the customers again.
      if (phase === 'subscriptions') expect(listRequests(world.pax8Fake, '/companies')).toBe(0);
      const resumed = syncAll(world.marketplaces, { checkpoint: cp });
      await collect(resumed);
      expect(resumed.checkpoint().providers.pax8).toMatchObject({
        status: 'done',
        customers: world.pax8Fake.companies.length,
        subscriptions: world.pax8Fake.subscriptions.length,
      });
    },
  );

  it('fails the provider, not the run, when the account-wide listing fails; resuming continues from its page', async () => {
    world.pax8Fake.faults.add({ kind: 'http-503', method: 'GET', path: '/subscriptions' });
    const first = syncAll(world.marketplaces);
    const records = await collect(first);
    expect(records.filter((r) => r.type === 'customer')).toHaveLength(world.pax8Fake.companies.length);
    expect(records.at(-1)).toMatchObject({ type: 'error', scope: 'provider', kind: 'server' });
    expect(first.checkpoint().providers.pax8).toMatchObject({ status: 'failed', phase: 'subscriptions' });
    world.pax8Fake.faults.clear();
    const rest = await collect(syncAll(world.marketplaces, { checkpoint: first.checkpoint() }));
    expect(rest.every((r) => r.type === 'subscription')).toBe(true);
    expect(rest).toHaveLength(world.pax8Fake.subscriptions.length);
  });
});

/**
 * A Pax8 look-alike on node:http, written from Pax8's documentation (page/size paging, size 1-200, the
 * `{content, page}` envelope), unlike our msw fake: subscriptions come interleaved across companies and in no
 * company order, one company has none, one subscription belongs to a company created after the company listing,
 * and a size above 200 is refused with 400.
 */
describe('syncAll against a Pax8 look-alike', () => {
  const COMPANIES = 401; // three pages of companies, the last with one
  const company = (i: number) => `c0ffee00-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  const late = company(99_999);
  const subs: Array<{ id: string; companyId: string }> = [];
  for (let round = 0; round < 3; round++) {
    // Company 7 has no subscription; the others get 3, listed round-robin so no company's are together.
    for (let i = COMPANIES - 1; i >= 0; i--) {
      if (i !== 7)
        subs.push({
          id: `5ub00000-0000-4000-8000-${(subs.length + 1).toString(16).padStart(12, '0')}`,
          companyId: company(i),
        });
    }
  }
  subs.push({ id: '5ub00000-0000-4000-8000-ffffffffffff', companyId: late });
  const seen = { token: 0, companies: 0, subscriptions: 0, badSize: 0 };
  let lookAlike: Server;
  let baseUrl = '';

  const page = <T>(items: T[], url: URL, res: ServerResponse) => {
    const number = Number(url.searchParams.get('page') ?? '0');
    const size = Number(url.searchParams.get('size') ?? '10');
    if (!Number.isInteger(size) || size < 1 || size > 200) {
      seen.badSize += 1;
      res.writeHead(400, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ type: 'BAD_REQUEST', message: 'size must be between 1 and 200' }));
    }
    const content = items.slice(number * size, number * size + size);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        content,
        page: { size, totalElements: items.length, totalPages: Math.ceil(items.length / size), number },
      }),
    );
  };

  beforeAll(async () => {
    lookAlike = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      req.resume();
      req.on('end', () => {
        if (req.method === 'POST' && url.pathname === '/v1/token') {
          seen.token += 1;
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ access_token: 'look-alike-token', expires_in: 86400, token_type: 'Bearer' }));
        }
        if (req.headers.authorization !== 'Bearer look-alike-token') {
          res.writeHead(401);
          return res.end();
        }
        if (req.method === 'GET' && url.pathname === '/v1/companies') {
          seen.companies += 1;
          const all = Array.from({ length: COMPANIES }, (_, i) => ({
            id: company(i),
            name: `Co ${i}`,
            status: 'Active',
          }));
          return page(all, url, res);
        }
        if (req.method === 'GET' && url.pathname === '/v1/subscriptions') {
          seen.subscriptions += 1;
          const all = subs.map((s) => ({
            ...s,
            productId: 'p-1',
            productName: 'M365 BP',
            quantity: 2,
            status: 'Active',
            billingTerm: 'Monthly',
          }));
          return page(all, url, res);
        }
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => lookAlike.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(lookAlike.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => lookAlike.close(() => resolve())));

  it('syncs 401 companies and 1,201 subscriptions with 3 + 7 list requests and one token', async () => {
    // msw (set up for the fakes above) lets requests to the look-alike through untouched.
    server.use(http.all(`${baseUrl}/*`, () => passthrough()));
    const client = createPax8Client({
      credentials: { clientId: 'look-alike-id', clientSecret: 'look-alike-secret' },
      baseUrl,
      tokenUrl: `${baseUrl}/token`,
      rateLimit: false,
      retry: { retries: 0 },
      tokenCache: new MemoryTokenCache(),
    });
    const records = await collect(syncAll(new Marketplaces([client])));
    const customers = records.filter((r) => r.type === 'customer');
    const subscriptions = records.filter((r) => r.type === 'subscription');
    expect(records.filter((r) => r.type === 'error')).toEqual([]);
    expect(customers).toHaveLength(COMPANIES);
    // The company without subscriptions is there; the late company's subscription is not dropped.
    expect(customers.some((r) => r.type === 'customer' && r.customer.id === company(7))).toBe(true);
    expect(subscriptions).toHaveLength(subs.length);
    expect(subscriptions.some((r) => r.type === 'subscription' && r.customerId === late)).toBe(true);
    expect(seen).toEqual({
      token: 1,
      companies: Math.ceil(COMPANIES / 200),
      subscriptions: Math.ceil(subs.length / 200),
      badSize: 0,
    });
  });
});
