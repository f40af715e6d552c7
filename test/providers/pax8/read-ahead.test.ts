/**
 * Pax8 listings read pages ahead (issue 20, core/page-read-ahead.ts), against a Pax8 look-alike written here with
 * node:http from Pax8's documented paging (0-based `page`, `size`, and the envelope's `page.totalPages` /
 * `totalElements`), deliberately odd-but-legal: a page size smaller than asked, totals that grow or shrink during
 * the listing, a page that keeps failing, slow and fast pages.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ServerError } from '../../../src/index.js';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import { createPax8Client } from '../../../src/providers/pax8/index.js';

/** What the look-alike answers for a page: its companies, the totals it reports, a delay, or a failure. */
interface PageAnswer {
  ids?: string[];
  totalPages: number;
  totalElements?: number;
  delayMs?: number;
  status?: number;
}

let answer: (page: number) => PageAnswer;
let server: Server;
let baseUrl = '';
const seen = {
  pages: [] as number[],
  open: 0,
  maxOpen: 0,
  abandoned: 0,
  test: 0,
  rules: 0,
  rulesOpen: false,
  rulesOverlapped: false,
};
const PRODUCT = '0b6c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d';

/** Two companies a page (Pax8 may answer fewer items than `size` asks): ids `c<page>-<n>`. */
const idsOf = (page: number) => [`c${page}-0`, `c${page}-1`];

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'POST' && url.pathname === '/token') {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'tok', expires_in: 3600, token_type: 'Bearer' }));
    });
    return;
  }
  if (url.pathname === `/products/${PRODUCT}/dependencies`) {
    seen.rules += 1;
    seen.rulesOpen = true;
    // Pages read ahead are open at the same time as the product's commitment-rules read: they overlap.
    if (seen.open > 0) seen.rulesOverlapped = true;
    setTimeout(() => {
      seen.rulesOpen = false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ commitmentDependencies: [{ id: 'monthly-rule', term: 'Monthly' }] }));
    }, 60);
    return;
  }
  const subscriptions = url.pathname === '/subscriptions';
  if (url.pathname !== '/companies' && !subscriptions) {
    res.writeHead(404).end();
    return;
  }
  if (seen.rulesOpen) seen.rulesOverlapped = true;
  const page = Number(url.searchParams.get('page'));
  const a = answer(page);
  seen.pages.push(page);
  seen.open += 1;
  seen.maxOpen = Math.max(seen.maxOpen, seen.open);
  let done = false;
  const test = seen.test;
  const finish = () => {
    if (done || test !== seen.test) return; // a request of an earlier test counts for none
    done = true;
    seen.open -= 1;
  };
  // The client gave up on this request (aborted it) before the answer.
  res.on('close', () => {
    if (!res.writableFinished && test === seen.test) seen.abandoned += 1;
    finish();
  });
  const timer = setTimeout(() => {
    if (a.status) {
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: a.status, message: 'boom' }));
      return;
    }
    const ids = a.ids ?? idsOf(page);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        content: ids.map((id) =>
          subscriptions
            ? { id, companyId: 'c0-0', productId: PRODUCT, quantity: 3, status: 'Active', billingTerm: 'Monthly' }
            : { id, name: `Company ${id}`, status: 'Active' },
        ),
        page: { size: 2, number: page, totalPages: a.totalPages, totalElements: a.totalElements ?? a.totalPages * 2 },
      }),
    );
  }, a.delayMs ?? 5);
  res.on('close', () => clearTimeout(timer));
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  defaultTokenCache.clear();
  seen.pages = [];
  seen.open = 0;
  seen.maxOpen = 0;
  seen.abandoned = 0;
  seen.test += 1;
  seen.rules = 0;
  seen.rulesOpen = false;
  seen.rulesOverlapped = false;
});

/** Waits (bounded) until the look-alike has at least `n` requests open. */
async function opened(n: number): Promise<void> {
  for (let i = 0; i < 400 && seen.open < n; i++) await new Promise((r) => setTimeout(r, 2));
}

function client() {
  const warnings: string[] = [];
  const c = createPax8Client({
    credentials: { clientId: 'read-ahead-id', clientSecret: 'read-ahead-secret' },
    baseUrl,
    rateLimit: { requests: 10_000, perMs: 1_000, maxConcurrent: 4 },
    retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 },
  });
  c.on('warning', (w) => {
    if (w.code === 'listing-changed') warnings.push(w.message);
  });
  return { c, warnings };
}

/** Every page of a `byPage()` iteration: its item ids and cursor. */
async function pages(list: AsyncIterable<{ items: { id: string }[]; nextCursor: string | undefined }>) {
  const out: { ids: string[]; next: string | undefined }[] = [];
  for await (const p of list) out.push({ ids: p.items.map((i) => i.id), next: p.nextCursor });
  return out;
}

/** Waits (bounded) until the look-alike has no request open. */
async function settled(): Promise<void> {
  for (let i = 0; i < 200 && seen.open > 0; i++) await new Promise((r) => setTimeout(r, 5));
  expect(seen.open).toBe(0);
}

describe('Pax8 listings read pages ahead, delivered in order', () => {
  it('requests the following pages at once and delivers them in order with page-number cursors (slow page 1, fast page 3)', async () => {
    answer = (page) => ({ totalPages: 5, delayMs: page === 1 ? 120 : page === 3 ? 1 : 10 });
    const { c, warnings } = client();
    const got = await pages(c.listCustomers().byPage());
    expect(got).toEqual([0, 1, 2, 3, 4].map((p) => ({ ids: idsOf(p), next: p < 4 ? String(p + 1) : undefined })));
    // Page 0 alone (it says how many there are), then the others together: up to maxConcurrent (4) in flight.
    expect(seen.pages[0]).toBe(0);
    expect([...seen.pages].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(seen.maxOpen).toBeGreaterThan(1);
    expect(seen.maxOpen).toBeLessThanOrEqual(4);
    expect(warnings).toEqual([]);
    await settled();
  });

  it('keeps reading past the pages announced first when the total grows during the listing (with a warning)', async () => {
    answer = (page) => ({ totalPages: page === 0 ? 3 : 5 });
    const { c, warnings } = client();
    const got = await pages(c.listCustomers().byPage());
    expect(got.map((p) => p.ids)).toEqual([0, 1, 2, 3, 4].map(idsOf));
    expect(got.at(-1)?.next).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/total changed from 6 to 10/);
    await settled();
  });

  it('stops where a page-by-page read stops when the total shrinks, pages fetched ahead beyond it unused', async () => {
    // Page 2 says there are only 3 pages now: it is the last one, whatever was fetched ahead after it.
    answer = (page) => ({ totalPages: page >= 2 ? 3 : 6, delayMs: page === 2 ? 40 : 5 });
    const { c, warnings } = client();
    const got = await pages(c.listCustomers().byPage());
    expect(got.map((p) => p.ids)).toEqual([0, 1, 2].map(idsOf));
    expect(got.at(-1)?.next).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/total changed from 12 to 6/);
    await settled();
  });

  it('stops at an empty page that comes earlier than the total said, as a page-by-page read does', async () => {
    answer = (page) => ({ totalPages: 6, ids: page === 2 ? [] : undefined });
    const { c } = client();
    const got = await pages(c.listCustomers().byPage());
    expect(got).toEqual([
      { ids: idsOf(0), next: '1' },
      { ids: idsOf(1), next: '2' },
      { ids: [], next: undefined },
    ]);
    await settled();
  });

  it('delivers the pages before a failing page, then its error, and no page after it', async () => {
    answer = (page) => ({ totalPages: 6, status: page === 2 ? 500 : undefined });
    const { c } = client();
    const got: string[][] = [];
    const error = await (async () => {
      for await (const p of c.listCustomers().byPage()) got.push(p.items.map((i) => i.id));
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(got).toEqual([idsOf(0), idsOf(1)]);
    // Retried once (retries: 1), then given up: two requests for page 2.
    expect(seen.pages.filter((p) => p === 2)).toHaveLength(2);
    await settled();
  });

  it('a consumer that stops after the first page leaves no request running (the pages read ahead are aborted)', async () => {
    answer = (page) => ({ totalPages: 6, delayMs: page === 0 ? 5 : 2_000 });
    const { c } = client();
    const got: string[] = [];
    for await (const customer of c.listCustomers()) {
      got.push(customer.id);
      if (got.length === 2) break;
      // Let the pages read ahead reach the look-alike before stopping.
      await opened(2);
    }
    expect(got).toEqual(idsOf(0));
    await settled();
    expect(seen.abandoned).toBeGreaterThan(0);
  });

  it('a caller signal aborts the pages read ahead too', async () => {
    answer = (page) => ({ totalPages: 6, delayMs: page === 0 ? 5 : 2_000 });
    const { c } = client();
    const stop = new AbortController();
    const error = await (async () => {
      for await (const p of c.listCustomers({ signal: stop.signal }).byPage()) {
        await opened(2);
        if (p.nextCursor === '1') stop.abort(new Error('stopped by the caller'));
      }
    })().catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/stopped by the caller/);
    await settled();
    expect(seen.abandoned).toBeGreaterThan(0);
  });

  it('resumes from a cursor with byPage({ cursor }) and reads ahead from there', async () => {
    answer = () => ({ totalPages: 5 });
    const { c } = client();
    const got = await pages(c.listCustomers().byPage({ cursor: '2' }));
    expect(got).toEqual([2, 3, 4].map((p) => ({ ids: idsOf(p), next: p < 4 ? String(p + 1) : undefined })));
    expect(seen.pages[0]).toBe(2);
    expect([...seen.pages].sort()).toEqual([2, 3, 4]);
    await settled();
  });

  it("reads a product's commitment rules once, while the following subscription pages are read ahead", async () => {
    answer = () => ({ totalPages: 4, delayMs: 30 });
    const { c } = client();
    const subs = await c.listSubscriptions().toArray({ limit: Number.POSITIVE_INFINITY });
    expect(subs.map((s) => s.id)).toEqual([0, 1, 2, 3].flatMap(idsOf));
    expect(subs.every((s) => s.commitment?.term === 'P1M' && s.problems === undefined)).toBe(true);
    expect(seen.rules).toBe(1);
    expect(seen.rulesOverlapped).toBe(true);
    await settled();
  });

  it('never reads ahead past limits.maxPages', async () => {
    answer = () => ({ totalPages: 8 });
    const c = createPax8Client({
      credentials: { clientId: 'read-ahead-id', clientSecret: 'read-ahead-secret' },
      baseUrl,
      rateLimit: { requests: 10_000, perMs: 1_000, maxConcurrent: 4 },
      limits: { maxPages: 3 },
    });
    const got: string[][] = [];
    const error = await (async () => {
      for await (const p of c.listCustomers().byPage()) got.push(p.items.map((i) => i.id));
    })().catch((e: unknown) => e);
    expect((error as Error).name).toBe('PagingLimitError');
    expect(got).toEqual([0, 1, 2].map(idsOf));
    expect([...seen.pages].sort()).toEqual([0, 1, 2]);
    await settled();
  });
});
