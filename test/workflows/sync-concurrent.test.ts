/**
 * syncAll per customer, concurrently: a Pax8-shaped look-alike on node:http written here (companies and
 * per-company subscription listings, each answer after a delay), synced as a vendor without an account-wide
 * listing. It checks that listings overlap up to the client's `maxConcurrent` (not one customer after the
 * other), that records stay contiguous per customer in customer order, that nothing is lost or repeated across a
 * stop and resume, that one customer's failure is reported in its place, and that a slow consumer bounds what is
 * read ahead.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryTokenCache } from '../../src/core/auth/token-provider.js';
import type { MarketplaceClient } from '../../src/core/marketplace-client.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';
import { Marketplaces, type SyncCheckpoint, type SyncRecord, syncAll } from '../../src/workflows/index.js';

const CUSTOMERS = 45;
const COMPANY_PAGE = 10; // the client asks for 200; this look-alike answers at most 10 (legal: `page.size` says so)
const SUB_PAGE = 3;

interface LookAlike {
  server: Server;
  baseUrl: string;
  inFlight: number;
  maxInFlight: number;
  /** Subscription listings in flight at once (the customer page read ahead not counted). */
  listingsInFlight: number;
  maxListingsInFlight: number;
  companyRequests: number;
  subscriptionRequests: number;
  /** Company index -> status code its subscription listing answers (403, 500). */
  failing: Map<number, number>;
  /** Company index listed without an id (a record the SDK returns flagged), if any. */
  idless: number | undefined;
  delayMs: number;
}

const companyId = (i: number) => `c0000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const subId = (i: number, j: number) =>
  `5${i.toString(16).padStart(7, '0')}-0000-4000-8000-${j.toString(16).padStart(12, '0')}`;
/** Company i has i % 7 subscriptions (0 to 6: none, one page, two pages, three pages). */
const subsOf = (i: number) => i % 7;

function subscription(i: number, j: number) {
  return {
    id: subId(i, j),
    companyId: companyId(i),
    productId: '7a3e9b10-0000-4000-8000-000000000002',
    productName: 'Microsoft 365 Business Premium',
    quantity: j + 1,
    startDate: '2024-01-15T00:00:00Z',
    createdDate: '2024-01-15T10:22:31.153-0700',
    status: 'Active',
    price: 22,
    currencyCode: 'USD',
    billingTerm: 'Monthly',
    commitmentTerm: null,
  };
}

async function startLookAlike(): Promise<LookAlike> {
  const state: LookAlike = {
    server: undefined as unknown as Server,
    baseUrl: '',
    inFlight: 0,
    maxInFlight: 0,
    listingsInFlight: 0,
    maxListingsInFlight: 0,
    companyRequests: 0,
    subscriptionRequests: 0,
    failing: new Map(),
    idless: undefined,
    delayMs: 15,
  };
  state.server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && url.pathname === '/v1/token') {
      return send(200, { access_token: 'look-alike-token', token_type: 'Bearer', expires_in: 3600 });
    }
    if (req.headers.authorization !== 'Bearer look-alike-token') return send(401, { message: 'Unauthorized' });
    const page = Number(url.searchParams.get('page') ?? 0);
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    const listing = url.pathname === '/v1/subscriptions';
    if (listing) state.listingsInFlight += 1;
    state.maxListingsInFlight = Math.max(state.maxListingsInFlight, state.listingsInFlight);
    setTimeout(() => {
      state.inFlight -= 1;
      if (listing) state.listingsInFlight -= 1;
      if (url.pathname === '/v1/companies') {
        state.companyRequests += 1;
        const content = [];
        for (let i = page * COMPANY_PAGE; i < Math.min(CUSTOMERS, (page + 1) * COMPANY_PAGE); i++) {
          content.push(
            i === state.idless
              ? { name: `Company ${i}`, status: 'Active' }
              : { id: companyId(i), name: `Company ${i}`, status: 'Active' },
          );
        }
        const pages = Math.ceil(CUSTOMERS / COMPANY_PAGE);
        return send(200, {
          content,
          page: { size: COMPANY_PAGE, totalElements: CUSTOMERS, totalPages: pages, number: page },
        });
      }
      if (url.pathname === '/v1/subscriptions') {
        state.subscriptionRequests += 1;
        const i = Number.parseInt((url.searchParams.get('companyId') ?? '').slice(-12), 16);
        const status = state.failing.get(i);
        if (status) return send(status, { status, message: status === 403 ? 'Forbidden' : 'Internal error' });
        const total = subsOf(i);
        const content = [];
        for (let j = page * SUB_PAGE; j < Math.min(total, (page + 1) * SUB_PAGE); j++) content.push(subscription(i, j));
        return send(200, {
          content,
          page: { size: SUB_PAGE, totalElements: total, totalPages: Math.ceil(total / SUB_PAGE), number: page },
        });
      }
      send(404, { message: 'Not Found' });
    }, state.delayMs);
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/v1`;
  return state;
}

let vendor: LookAlike;
beforeAll(async () => {
  vendor = await startLookAlike();
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      vendor.server.closeAllConnections();
      vendor.server.close(() => resolve());
    }),
);
beforeEach(() => {
  vendor.inFlight = vendor.maxInFlight = vendor.companyRequests = vendor.subscriptionRequests = 0;
  vendor.listingsInFlight = vendor.maxListingsInFlight = 0;
  vendor.failing.clear();
  vendor.idless = undefined;
});

/** A Pax8 client on the look-alike, synced per customer (as a vendor without an account-wide listing). */
function perCustomerClient(maxConcurrent: number): MarketplaceClient {
  const client = createPax8Client({
    credentials: { clientId: 'sync-concurrent', clientSecret: 'look-alike-secret' },
    baseUrl: vendor.baseUrl,
    tokenUrl: `${vendor.baseUrl}/token`,
    rateLimit: { requests: 100_000, perMs: 1_000, maxConcurrent },
    retry: { retries: 0 },
    tokenCache: new MemoryTokenCache(),
  });
  return new Proxy(client, {
    get(target, key) {
      if (key === 'capabilities') return { ...target.capabilities, listAllSubscriptionsNative: false };
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const expectedSubscriptions = () => Array.from({ length: CUSTOMERS }, (_, i) => subsOf(i)).reduce((a, b) => a + b);
const minimumRequests = () =>
  Math.ceil(CUSTOMERS / COMPANY_PAGE) +
  Array.from({ length: CUSTOMERS }, (_, i) => Math.max(1, Math.ceil(subsOf(i) / SUB_PAGE))).reduce((a, b) => a + b);

/** Checks the records of one provider: customers in order, each followed by its own subscriptions only. */
function expectContiguous(records: SyncRecord[]): void {
  let current: string | undefined;
  for (const r of records) {
    if (r.type === 'customer') current = r.customer.id;
    else if (r.type === 'subscription') expect(r.customerId).toBe(current);
    else if (r.type === 'error' && r.scope === 'customer') expect(r.customerId).toBe(current);
  }
}

describe('syncAll per customer, concurrently', () => {
  it('reports a customer listed without an id in its place and never lists subscriptions for an empty id', async () => {
    vendor.idless = 3;
    const records: SyncRecord[] = [];
    for await (const r of syncAll(new Marketplaces([perCustomerClient(4)]))) records.push(r);
    const errors = records.filter((r) => r.type === 'error');
    expect(errors).toEqual([expect.objectContaining({ scope: 'customer', customerId: '', kind: 'unreadable' })]);
    const customers = records.filter((r) => r.type === 'customer');
    expect(customers).toHaveLength(CUSTOMERS);
    expect(records.filter((r) => r.type === 'subscription')).toHaveLength(expectedSubscriptions() - subsOf(3));
    expectContiguous(records);
  });

  it('lists up to maxConcurrent customers at once, in order, with the minimum requests', async () => {
    const records: SyncRecord[] = [];
    for await (const r of syncAll(new Marketplaces([perCustomerClient(4)]))) records.push(r);
    const customers = records
      .filter((r) => r.type === 'customer')
      .map((r) => (r.type === 'customer' ? r.customer.id : ''));
    expect(customers).toEqual(Array.from({ length: CUSTOMERS }, (_, i) => companyId(i)));
    expect(records.filter((r) => r.type === 'subscription')).toHaveLength(expectedSubscriptions());
    expect(records.filter((r) => r.type === 'error')).toEqual([]);
    expectContiguous(records);
    // Concurrent up to the limiter, never past it (one customer after the other would show 1).
    expect(vendor.maxInFlight).toBe(4);
    expect(vendor.companyRequests + vendor.subscriptionRequests).toBe(minimumRequests());
  });

  it("exposes the client's maxConcurrent as requestConcurrency (10 when limiting is off)", () => {
    const make = (rateLimit: false | { requests: number; perMs: number; maxConcurrent?: number }) =>
      createPax8Client({
        credentials: { clientId: 'c', clientSecret: 's' },
        baseUrl: vendor.baseUrl,
        rateLimit,
      }).requestConcurrency;
    expect(make({ requests: 10, perMs: 1_000, maxConcurrent: 7 })).toBe(7);
    expect(make({ requests: 10, perMs: 1_000 })).toBe(10);
    expect(make(false)).toBe(10);
  });

  it('honours a smaller `concurrency` option and refuses a bad one before any request', async () => {
    for await (const _ of syncAll(new Marketplaces([perCustomerClient(8)]), { concurrency: { pax8: 2 } })) {
      // drain
    }
    expect(vendor.maxListingsInFlight).toBe(2);
    expect(() => syncAll(new Marketplaces([perCustomerClient(8)]), { concurrency: 0 })).toThrow(/concurrency/);
    expect(() => syncAll(new Marketplaces([perCustomerClient(8)]), { concurrency: { pax8: 1.5 } })).toThrow(
      /concurrency/,
    );
  });

  it('reports a customer whose listing is refused in its place and goes on', async () => {
    vendor.failing.set(12, 403);
    const records: SyncRecord[] = [];
    for await (const r of syncAll(new Marketplaces([perCustomerClient(4)]))) records.push(r);
    const errors = records.filter((r) => r.type === 'error');
    expect(errors).toEqual([
      expect.objectContaining({ scope: 'customer', customerId: companyId(12), kind: 'permission' }),
    ]);
    expect(records.filter((r) => r.type === 'customer')).toHaveLength(CUSTOMERS);
    expect(records.filter((r) => r.type === 'subscription')).toHaveLength(expectedSubscriptions() - subsOf(12));
    expectContiguous(records);
  });

  it('fails the provider at the customer whose listing failed for good, after every customer before it', async () => {
    vendor.failing.set(20, 500);
    const records: SyncRecord[] = [];
    const run = syncAll(new Marketplaces([perCustomerClient(4)]));
    for await (const r of run) records.push(r);
    const customers = records.filter((r) => r.type === 'customer');
    // Customers 0..20 were emitted (20 is the one in flight), nothing after it; the failure is the last record.
    expect(customers).toHaveLength(21);
    expect(records.at(-1)).toMatchObject({ type: 'error', scope: 'provider', kind: 'server' });
    const cp = run.checkpoint().providers.pax8!;
    expect(cp).toMatchObject({ status: 'failed', customers: 20 });
    // Resuming (the vendor is back) finishes the rest: every customer at least once, the failed one again.
    vendor.failing.clear();
    const rest: SyncRecord[] = [];
    for await (const r of syncAll(new Marketplaces([perCustomerClient(4)]), { checkpoint: run.checkpoint() })) {
      rest.push(r);
    }
    const ids = rest.filter((r) => r.type === 'customer').map((r) => (r.type === 'customer' ? r.customer.id : ''));
    expect(ids[0]).toBe(companyId(20));
    expect(ids).toHaveLength(CUSTOMERS - 20);
  });

  it('resumes from any saved checkpoint: records committed with it are never repeated, none lost', async () => {
    const full: string[] = [];
    for await (const r of syncAll(new Marketplaces([perCustomerClient(4)]))) {
      full.push(r.type === 'customer' ? r.customer.id : r.type === 'subscription' ? r.subscription.id : 'error');
    }
    // A store that commits what it received each time a checkpoint is saved, and loses the rest when the run
    // stops (here: after every 17th record, mid-customer and mid-page), then resumes from its last checkpoint.
    let saved: SyncCheckpoint | undefined;
    const store: string[] = [];
    for (let round = 0; round < 100; round++) {
      let buffer: string[] = [];
      const run = syncAll(new Marketplaces([perCustomerClient(4)]), {
        checkpoint: saved,
        onCheckpoint: (c) => {
          saved = c;
          store.push(...buffer);
          buffer = [];
        },
      });
      let n = 0;
      for await (const r of run) {
        buffer.push(r.type === 'customer' ? r.customer.id : r.type === 'subscription' ? r.subscription.id : 'error');
        if (++n === 17) break;
      }
      if (saved?.providers.pax8?.status === 'done') break;
    }
    expect(saved?.providers.pax8).toMatchObject({ status: 'done', customers: CUSTOMERS });
    expect(saved?.providers.pax8?.subscriptions).toBe(expectedSubscriptions());
    expect(store).toEqual(full);
  });

  it('reads ahead a bounded amount while the consumer is slow', async () => {
    const run = syncAll(new Marketplaces([perCustomerClient(2)]))[Symbol.asyncIterator]();
    await run.next();
    // The consumer pauses after the first record: listings may run ahead, but only so far.
    await new Promise((r) => setTimeout(r, 400));
    const read = vendor.subscriptionRequests;
    // 2 slots x 4 listings ahead each, one page held and at most one more read per listing.
    expect(read).toBeLessThanOrEqual(2 * 4 * 2);
    expect(read).toBeGreaterThanOrEqual(2);
    await run.return?.(undefined);
  });
});
