/**
 * Issue 20: Ingram's subscription listing reads the details of the next page while the current page's tail runs
 * (src/providers/ingram/detail-pipeline.ts). Against a node:http look-alike written here from Ingram's spec
 * (`POST /token`; `GET /subscriptions?offset&limit` answering `{ data, pagination: { offset, limit, total } }` with
 * rows that carry no quantity; `GET /subscriptions/{id}` answering a `SubscriptionDetailed` with
 * `products[0].quantity`), odd but legal: details answering out of order, a page shorter than the limit before
 * the end, a total that changes during the listing, a detail read that fails, one that 404s.
 */
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryTokenCache } from '../../../src/core/auth/token-provider.js';
import { MarketplaceError } from '../../../src/core/errors.js';
import { PagingLimitError } from '../../../src/core/transport-errors.js';
import { createIngramClient } from '../../../src/providers/ingram/index.js';

const PAGE = 4;

/** The vendor's state and what the look-alike saw, reset before each test. */
const vendor = {
  ids: [] as string[],
  /** Rows the page at an offset answers, when fewer than the limit (a short page before the end). */
  short: new Map<number, number>(),
  /** Called when a list page at `offset` is asked for (e.g. to add a subscription: the total changes). */
  onList: (_offset: number) => {},
  /** Resolves when the detail of `id` may answer. */
  gate: (_id: string): Promise<void> | undefined => undefined,
  /** Status to answer a detail read with instead of 200. */
  fail: new Map<string, number>(),
  log: [] as string[],
  open: 0,
  customers: [] as string[],
  /** Resolves when the customer page at `offset` may answer. */
  customerGate: (_offset: number): Promise<void> | undefined => undefined,
};

const send = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'x-correlation-id': 'a8n-test' }).end(text);
};

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/token')
      return send(res, 200, { token: 'tok', expiresInSeconds: 1500 });
    if (req.headers.authorization !== 'Bearer tok') return send(res, 401, { status: 401, message: 'Unauthorized' });
    if (url.pathname === '/customers') {
      const offset = Number(url.searchParams.get('offset'));
      const limit = Number(url.searchParams.get('limit'));
      vendor.log.push(`customers> ${offset}`);
      const rows = vendor.customers
        .slice(offset, offset + Math.min(limit, vendor.short.get(offset) ?? limit))
        .map((id) => ({ id, name: `Customer ${id}`, status: 'active' }));
      void (async () => {
        await vendor.customerGate(offset);
        vendor.log.push(`customers< ${offset}`);
        send(res, 200, { data: rows, pagination: { offset, limit, total: vendor.customers.length } });
      })();
      return;
    }
    if (url.pathname === '/subscriptions') {
      const offset = Number(url.searchParams.get('offset'));
      const limit = Number(url.searchParams.get('limit'));
      vendor.log.push(`list ${offset}`);
      vendor.onList(offset);
      const rows = vendor.ids
        .slice(offset, offset + Math.min(limit, vendor.short.get(offset) ?? limit))
        .map((id) => ({ id, customerId: 'c1', name: `Plan ${id}`, status: 'active' }));
      return send(res, 200, { data: rows, pagination: { offset, limit, total: vendor.ids.length } });
    }
    const id = /^\/subscriptions\/([^/]+)$/.exec(url.pathname)?.[1];
    if (req.method !== 'GET' || !id) return send(res, 404, { status: 404, message: 'Not found' });
    vendor.open += 1;
    vendor.log.push(`detail> ${id}`);
    res.on('close', () => {
      vendor.open -= 1;
      if (!res.writableFinished) vendor.log.push(`aborted ${id}`);
    });
    void (async () => {
      await vendor.gate(id);
      if (res.destroyed) return;
      vendor.log.push(`detail< ${id}`);
      const status = vendor.fail.get(id);
      if (status) return send(res, status, { status, message: status === 404 ? 'Not found' : 'Internal error' });
      send(res, 200, {
        id,
        customerId: 'c1',
        name: `Plan ${id}`,
        status: 'active',
        products: [{ mpn: 'MPN-1', vendor: 'Microsoft', quantity: Number(id.slice(1)) }],
      });
    })();
  });
});
let baseUrl = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const ids = (n: number) => Array.from({ length: n }, (_, i) => `s${String(i + 1).padStart(2, '0')}`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await sleep(5);
}

const client = (extra: { limits?: { maxPages: number } } = {}) =>
  createIngramClient({
    credentials: { username: 'me.API', password: 'pw-secret-123', subscriptionKey: 'key-secret-456' },
    marketplace: 'us',
    baseUrl,
    tokenCache: new MemoryTokenCache(),
    rateLimit: false,
    retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 },
    pageSize: PAGE,
    detailConcurrency: 3,
    ...extra,
  });

beforeEach(() => {
  vendor.ids = ids(10);
  vendor.short = new Map();
  vendor.onList = () => {};
  vendor.gate = () => undefined;
  vendor.fail = new Map();
  vendor.log = [];
  vendor.open = 0;
  vendor.customers = Array.from({ length: 10 }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
  vendor.customerGate = () => undefined;
});

describe('Ingram listSubscriptions: details read as a pipeline across pages', () => {
  it('reads page 2 details before page 1 last detail answered, and keeps the listing order', async () => {
    // Page 1's last detail answers only once a detail of page 2 arrived (or after 2 s, when nothing overlaps);
    // the others answer in reverse order of the listing.
    let page2Arrived: () => void = () => {};
    const overlap = new Promise<void>((resolve) => {
      page2Arrived = resolve;
    });
    vendor.gate = (id) => {
      const n = Number(id.slice(1));
      if (n >= 5 && n <= 8) page2Arrived();
      if (id === 's04') return Promise.race([overlap, sleep(2_000)]);
      return sleep((11 - n) * 3);
    };
    const got = await client().listSubscriptions().toArray({ limit: Number.POSITIVE_INFINITY });
    expect(got.map((s) => s.id)).toEqual(ids(10));
    expect(got.map((s) => s.quantity)).toEqual(ids(10).map((id) => Number(id.slice(1))));
    const firstOfPage2 = vendor.log.findIndex((l) => /^detail> s0[5-8]$/.test(l));
    expect(firstOfPage2).toBeGreaterThanOrEqual(0);
    expect(firstOfPage2).toBeLessThan(vendor.log.indexOf('detail< s04'));
    // Each subscription read once, each page listed once.
    expect(vendor.log.filter((l) => l.startsWith('detail>'))).toHaveLength(10);
    expect(vendor.log.filter((l) => l.startsWith('list'))).toEqual(['list 0', 'list 4', 'list 8']);
  });

  it('a page shorter than the limit before the end and a total that grows: nothing lost, a warning', async () => {
    vendor.short.set(0, 3);
    vendor.onList = (offset) => {
      // A subscription bought during the listing (Ingram lists newest first, but the offset walk is what matters).
      if (offset > 0 && vendor.ids.length === 10) vendor.ids.push('s11');
    };
    const c = client();
    const warnings: string[] = [];
    c.on('warning', (w) => warnings.push(w.message));
    const pages = [];
    for await (const page of c.listSubscriptions().byPage()) pages.push(page);
    expect(pages.map((p) => p.items.map((s) => s.id))).toEqual([
      ['s01', 's02', 's03'],
      ['s04', 's05', 's06', 's07'],
      ['s08', 's09', 's10', 's11'],
    ]);
    expect(pages.map((p) => p.nextCursor)).toEqual(['3', '7', undefined]);
    expect(warnings.some((m) => m.includes('total changed from 10 to 11'))).toBe(true);
  });

  it('resumes exactly from a page cursor', async () => {
    let cursor: string | undefined;
    for await (const page of client().listSubscriptions().byPage()) {
      cursor = page.nextCursor;
      break;
    }
    expect(cursor).toBe('4');
    await until(() => vendor.open === 0);
    await sleep(30); // a read cancelled on its way may still reach the look-alike just after
    vendor.log = [];
    const rest = [];
    for await (const page of client().listSubscriptions().byPage({ cursor })) rest.push(...page.items.map((s) => s.id));
    expect(rest).toEqual(ids(10).slice(4));
    expect(vendor.log.filter((l) => l.startsWith('list'))).toEqual(['list 4', 'list 8']);
    expect(vendor.log.filter((l) => /^detail> s0[1-4]$/.test(l))).toEqual([]);
  });

  it('a detail read that fails fails its page after the pages before it; later reads are cancelled', async () => {
    vendor.fail.set('s06', 500);
    // Page 3's details never answer on their own: they can only end by being cancelled. s06 fails once one of
    // them is in flight (or after 2 s).
    let page3Arrived: () => void = () => {};
    const page3 = new Promise<void>((resolve) => {
      page3Arrived = resolve;
    });
    vendor.gate = (id) => {
      if (Number(id.slice(1)) >= 9) {
        page3Arrived();
        return new Promise<void>(() => {});
      }
      return id === 's06' ? Promise.race([page3, sleep(2_000)]) : undefined;
    };
    const delivered: string[][] = [];
    const error = await (async () => {
      for await (const page of client().listSubscriptions().byPage()) delivered.push(page.items.map((s) => s.id));
    })().catch((e: unknown) => e);
    expect(delivered).toEqual([['s01', 's02', 's03', 's04']]);
    expect(error).toBeInstanceOf(MarketplaceError);
    expect((error as MarketplaceError).kind).toBe('server');
    await until(() => vendor.open === 0);
    expect(vendor.open).toBe(0);
    expect(vendor.log.filter((l) => l.startsWith('aborted')).length).toBeGreaterThan(0);
  });

  it('a subscription gone between the list and its details (404) is skipped with a warning, as before', async () => {
    vendor.fail.set('s03', 404);
    const c = client();
    const warnings: string[] = [];
    c.on('warning', (w) => warnings.push(w.message));
    const got = await c.listSubscriptions().toArray({ limit: Number.POSITIVE_INFINITY });
    expect(got.map((s) => s.id)).toEqual(ids(10).filter((id) => id !== 's03'));
    expect(warnings.some((m) => m.includes('s03 disappeared'))).toBe(true);
  });

  it('an early break cancels the reads in flight: none left running, nothing more asked', async () => {
    // Page 1 answers; the details of the pages after it never answer on their own.
    vendor.gate = (id) => (Number(id.slice(1)) >= 5 ? new Promise<void>(() => {}) : undefined);
    for await (const sub of client().listSubscriptions()) {
      expect(sub.id).toBe('s01');
      await until(() => vendor.open > 0);
      expect(vendor.open).toBeGreaterThan(0);
      break;
    }
    await until(() => vendor.open === 0);
    expect(vendor.open).toBe(0);
    // Every detail read the look-alike received was answered or cancelled; none starts after that.
    await sleep(20);
    const count = (prefix: string) => vendor.log.filter((l) => l.startsWith(prefix)).length;
    expect(count('detail>')).toBe(count('detail<') + count('aborted'));
    expect(count('aborted')).toBeGreaterThan(0);
    const asked = vendor.log.length;
    await sleep(30);
    expect(vendor.log.length).toBe(asked);
  });

  it("the caller's signal cancels every read in flight, and the listing rejects", async () => {
    vendor.gate = (id) => (Number(id.slice(1)) >= 3 ? new Promise<void>(() => {}) : undefined);
    const controller = new AbortController();
    const listing = client().listSubscriptions({ signal: controller.signal }).toArray({ limit: 100 });
    await until(() => vendor.open >= 3);
    controller.abort();
    const error = await listing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    await until(() => vendor.open === 0);
    expect(vendor.open).toBe(0);
    expect(vendor.log.filter((l) => l.startsWith('aborted')).length).toBeGreaterThanOrEqual(3);
  });

  it('limits.maxPages still stops the listing, and nothing is listed past it', async () => {
    const pages: string[][] = [];
    const error = await (async () => {
      for await (const page of client({ limits: { maxPages: 2 } })
        .listSubscriptions()
        .byPage())
        pages.push(page.items.map((s) => s.id));
    })().catch((e: unknown) => e);
    expect(pages).toHaveLength(2);
    expect(error).toBeInstanceOf(PagingLimitError);
    expect(vendor.log.filter((l) => l.startsWith('list'))).toEqual(['list 0', 'list 4']);
    await until(() => vendor.open === 0);
    expect(vendor.open).toBe(0);
  });
});

describe('Ingram offset listings (customers, products, orders) read pages ahead', () => {
  it('asks for the following pages before the first of them answered, and delivers them in order', async () => {
    // The page at offset 4 answers only once the page at offset 8 was asked for (or after 2 s, when nothing overlaps).
    let lastAsked: () => void = () => {};
    const overlap = new Promise<void>((resolve) => {
      lastAsked = resolve;
    });
    vendor.customerGate = (offset) => {
      if (offset === 8) lastAsked();
      return offset === 4 ? Promise.race([overlap, sleep(2_000)]) : undefined;
    };
    const pages = [];
    for await (const page of client().listCustomers().byPage()) pages.push(page);
    expect(pages.map((p) => p.items.map((c) => c.id))).toEqual([
      vendor.customers.slice(0, 4),
      vendor.customers.slice(4, 8),
      vendor.customers.slice(8),
    ]);
    expect(pages.map((p) => p.nextCursor)).toEqual(['4', '8', undefined]);
    expect(vendor.log.indexOf('customers> 8')).toBeLessThan(vendor.log.indexOf('customers< 4'));
  });

  it('a page shorter than the limit before the end: the pages read ahead are dropped, nothing lost or repeated', async () => {
    vendor.short.set(0, 3);
    const got = await client().listCustomers().toArray({ limit: Number.POSITIVE_INFINITY });
    expect(got.map((c) => c.id)).toEqual(vendor.customers);
  });
});
