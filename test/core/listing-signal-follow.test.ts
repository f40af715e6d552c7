/**
 * A caller's long-lived signal (a service-wide shutdown signal) given to many listings, against Pax8 and Ingram
 * look-alikes written here with node:http (Pax8: `POST /token`, `GET /companies?page&size` answering
 * `{ content, page: { number, totalPages, totalElements } }`; Ingram: `POST /token`, `GET /subscriptions?offset&limit`
 * answering `{ data, pagination }` with rows that carry no quantity, `GET /subscriptions/{id}` with the details).
 *
 * Listings follow the caller's signal without `AbortSignal.any` (on Node 20 it keeps every signal it made alive as
 * long as the source lives, nodejs/node#55351, and flattens: every page read ahead registered on the caller's
 * signal too) and without a listener each: 500 listings (read ahead, ending normally, broken early, failing) leave
 * the signal's listeners where they were and Node's list of its `AbortSignal.any` dependants empty, with at most
 * one listener added while they run. Aborting the signal mid-listing aborts the listing with the caller's reason;
 * a signal already aborted fails the listing before any request; per-call options still reach the pages read ahead.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryTokenCache } from '../../src/core/auth/token-provider.js';
import { createIngramClient } from '../../src/providers/ingram/index.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';
import { Marketplaces, syncAll } from '../../src/workflows/index.js';
import { type SeenRequest, send, useLookAlike } from '../helpers/lookalike.js';
import { abortListeners as listeners, dependantSignals } from '../helpers/signal-probes.js';

/** Pages of the Pax8 listing (two companies each); rows of the Ingram listing (one a page). */
const PAX8_PAGES = 3;
const INGRAM_ROWS = 2;

const vendor = {
  /** Pax8: the page answered 400 instead (never retried), -1: none. */
  failPage: -1,
  /** Ingram: the detail read answered 400 instead. */
  failDetail: '',
  /** Requests held until the test releases them (Pax8 page >= 1, Ingram details). */
  hold: false,
  held: [] as (() => void)[],
  /** Requests seen (token requests excluded), and the `x-trace-id` header of each (page, list or detail). */
  requests: 0,
  traces: [] as (string | undefined)[],
  /** Held requests the client gave up on before their answer. */
  abandoned: 0,
};

/** Answers unless the client already gave up on the request. */
function reply(res: ServerResponse, status: number, body: unknown): void {
  if (!res.destroyed) send(res, status, body);
}

function pax8(url: URL, res: ServerResponse): void {
  const page = Number(url.searchParams.get('page'));
  if (page === vendor.failPage) {
    reply(res, 400, { status: 400, message: 'Bad page' });
    return;
  }
  const ids = [`c${page}-0`, `c${page}-1`];
  reply(res, 200, {
    content: ids.map((id) => ({ id, name: `Company ${id}`, status: 'Active' })),
    page: { size: 2, number: page, totalPages: PAX8_PAGES, totalElements: PAX8_PAGES * 2 },
  });
}

function ingram(url: URL, res: ServerResponse): void {
  if (url.pathname === '/subscriptions') {
    const offset = Number(url.searchParams.get('offset'));
    const limit = Number(url.searchParams.get('limit'));
    const rows = Array.from({ length: INGRAM_ROWS }, (_, i) => `s${i + 1}`)
      .slice(offset, offset + limit)
      .map((id) => ({ id, customerId: 'c1', name: `Plan ${id}`, status: 'active' }));
    reply(res, 200, { data: rows, pagination: { offset, limit, total: INGRAM_ROWS } });
    return;
  }
  const id = /^\/subscriptions\/([^/]+)$/.exec(url.pathname)?.[1] ?? '';
  if (id === vendor.failDetail) {
    reply(res, 400, { status: 400, message: 'Bad request' });
    return;
  }
  reply(res, 200, {
    id,
    customerId: 'c1',
    name: `Plan ${id}`,
    status: 'active',
    products: [{ mpn: 'MPN-1', vendor: 'Microsoft', quantity: 2 }],
  });
}

function handle(req: SeenRequest, res: ServerResponse): unknown {
  if (req.method === 'POST' && req.path === '/pax8/token') {
    return reply(res, 200, { access_token: 'tok', expires_in: 3600, token_type: 'Bearer' });
  }
  if (req.method === 'POST' && req.path === '/ingram/token') {
    return reply(res, 200, { token: 'tok', expiresInSeconds: 1500 });
  }
  if (req.headers.authorization !== 'Bearer tok') return reply(res, 401, { status: 401, message: 'Unauthorized' });
  vendor.requests += 1;
  const isPax8 = req.path.startsWith('/pax8/');
  const path = new URL(`${req.path.replace(/^\/(pax8|ingram)/, '')}?${req.query}`, 'http://127.0.0.1');
  vendor.traces.push(req.headers['x-trace-id'] as string | undefined);
  const answer = () => (isPax8 ? pax8(path, res) : ingram(path, res));
  const held = isPax8 ? Number(path.searchParams.get('page')) >= 1 : path.pathname !== '/subscriptions';
  if (!(vendor.hold && held)) return answer();
  res.on('close', () => {
    if (!res.writableFinished) vendor.abandoned += 1;
  });
  vendor.held.push(answer);
}

// After-hooks run in reverse order: the held answers are sent before the look-alike closes.
const lookalike = useLookAlike(handle);
afterAll(releaseHeld);
beforeEach(() => {
  vendor.failPage = -1;
  vendor.failDetail = '';
  vendor.hold = false;
  vendor.held = [];
  vendor.requests = 0;
  vendor.traces = [];
  vendor.abandoned = 0;
});

function releaseHeld(): void {
  const held = vendor.held;
  vendor.held = [];
  for (const answer of held) answer();
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await sleep(5);
}

/** A Pax8 client with 4 request slots: `byPage()` reads a window of 4 pages ahead. */
function pax8Client() {
  return createPax8Client({
    credentials: { clientId: 'listing-signal-id', clientSecret: 'listing-signal-secret' },
    baseUrl: `${lookalike.current.url}/pax8`,
    tokenUrl: `${lookalike.current.url}/pax8/token`,
    tokenCache: new MemoryTokenCache(),
    rateLimit: { requests: 100_000, perMs: 1_000, maxConcurrent: 4 },
    retry: { retries: 0 },
  });
}

function ingramClient() {
  return createIngramClient({
    credentials: { username: 'me.API', password: 'pw-secret-123', subscriptionKey: 'key-secret-456' },
    marketplace: 'us',
    baseUrl: `${lookalike.current.url}/ingram`,
    tokenCache: new MemoryTokenCache(),
    rateLimit: false,
    retry: { retries: 0 },
    pageSize: 1,
    detailConcurrency: 2,
  });
}

/** How a listing ends, as words an assertion shows: its page count, or its error. */
type Listing = (signal: AbortSignal, stopAfter?: number) => Promise<string>;
async function consume(pages: AsyncIterable<{ items: unknown[] }>, stopAfter = Infinity): Promise<string> {
  let count = 0;
  try {
    for await (const _page of pages) {
      count += 1;
      if (count >= stopAfter) break;
    }
    return `${count} pages`;
  } catch (error) {
    return `failed after ${count}: ${(error as Error).message}`;
  }
}

/**
 * Runs `total` listings on one long-lived signal, `concurrent` at a time, and checks how they leave the signal:
 * its listeners as before (exactly one more while they run), no `AbortSignal.any` dependant, no listener warning.
 */
async function manyListings(run: Listing, total: number, concurrent: number): Promise<string[]> {
  const shutdown = new AbortController();
  const signal = shutdown.signal;
  // The caller's own listener: the SDK must leave it, and add none that stays.
  signal.addEventListener('abort', () => undefined);
  const before = listeners(signal);
  let most = before;
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  const outcomes: string[] = [];
  try {
    for (let started = 0; started < total; started += concurrent) {
      const batch = Array.from({ length: Math.min(concurrent, total - started) }, () => run(signal));
      most = Math.max(most, listeners(signal));
      await sleep(1);
      most = Math.max(most, listeners(signal));
      outcomes.push(...(await Promise.all(batch)));
    }
    await sleep(0); // a warning is emitted on the next tick
  } finally {
    process.off('warning', onWarning);
  }
  // Zero where Node exposes the list (Node 20); later Node releases them anyway.
  expect(dependantSignals(signal) ?? 0).toBe(0);
  expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
  expect(listeners(signal)).toBe(before);
  // While they ran: one listener for all of them (not one each).
  expect(most).toBe(before + 1);
  return outcomes;
}

describe('Pax8 listings read ahead (window 4) on one long-lived caller signal', () => {
  it('500 listings (iterated fully, broken early, failing) leave no listener and no AbortSignal.any dependant', async () => {
    const c = pax8Client();
    expect(c.requestConcurrency).toBe(4);
    const full = await manyListings((signal) => consume(c.listCustomers({ signal }).byPage()), 200, 50);
    const broken = await manyListings((signal) => consume(c.listCustomers({ signal }).byPage(), 1), 150, 50);
    vendor.failPage = 1;
    const failing = await manyListings((signal) => consume(c.listCustomers({ signal }).byPage()), 150, 50);
    expect(new Set(full)).toEqual(new Set([`${PAX8_PAGES} pages`]));
    expect(new Set(broken)).toEqual(new Set(['1 pages']));
    expect(failing).toHaveLength(150);
    expect(failing.every((o) => o.startsWith('failed after 1: '))).toBe(true);
  });

  it('page by page too (pagesAhead: 0): no listener and no AbortSignal.any dependant left', async () => {
    const c = pax8Client();
    const paged = (signal: AbortSignal) => consume(c.listCustomers({ signal }).byPage({ pagesAhead: 0 }));
    expect(new Set(await manyListings(paged, 100, 50))).toEqual(new Set([`${PAX8_PAGES} pages`]));
  });

  it("aborting the caller's signal mid-listing aborts it with the caller's reason", async () => {
    const c = pax8Client();
    const shutdown = new AbortController();
    const before = listeners(shutdown.signal);
    vendor.hold = true;
    const pages = c.listCustomers({ signal: shutdown.signal }).byPage()[Symbol.asyncIterator]();
    const first = await pages.next();
    expect(first.done).toBe(false);
    // The pages after the first are read ahead and held by the look-alike.
    await until(() => vendor.held.length === PAX8_PAGES - 1);
    expect(vendor.held).toHaveLength(PAX8_PAGES - 1);
    const reason = new Error('service shutting down');
    shutdown.abort(reason);
    const next = await pages.next().then(
      () => 'a page',
      (error: unknown) => (error === reason ? "the caller's reason" : `other error: ${String(error)}`),
    );
    expect(next).toBe("the caller's reason");
    await until(() => vendor.abandoned === PAX8_PAGES - 1);
    expect(vendor.abandoned).toBe(PAX8_PAGES - 1);
    expect(listeners(shutdown.signal)).toBe(before);
  });

  it('a signal already aborted fails the listing before any request', async () => {
    const c = pax8Client();
    const reason = new Error('already shut down');
    const outcome = await consume(c.listCustomers({ signal: AbortSignal.abort(reason) }).byPage());
    expect(outcome).toBe('failed after 0: already shut down');
    expect(vendor.requests).toBe(0);
  });

  it('per-call headers reach every page read ahead, and the signal keeps no listener afterwards', async () => {
    const c = pax8Client();
    const shutdown = new AbortController();
    const list = c.listCustomers({ signal: shutdown.signal, headers: { 'x-trace-id': 'trace-7' } });
    expect(await consume(list.byPage())).toBe(`${PAX8_PAGES} pages`);
    expect(await consume(list.byPage())).toBe(`${PAX8_PAGES} pages`);
    expect(vendor.traces).toEqual(Array.from({ length: 2 * PAX8_PAGES }, () => 'trace-7'));
    expect(listeners(shutdown.signal)).toBe(0);
    expect(dependantSignals(shutdown.signal) ?? 0).toBe(0);
  });
});

describe('Ingram subscription listings (detail pipeline) on one long-lived caller signal', () => {
  it('500 listings (iterated fully, broken early, failing) leave no listener and no AbortSignal.any dependant', async () => {
    const c = ingramClient();
    const list = (signal: AbortSignal, stopAfter?: number) =>
      consume(c.listSubscriptions({ signal }).byPage(), stopAfter);
    const full = await manyListings((signal) => list(signal), 200, 50);
    const broken = await manyListings((signal) => list(signal, 1), 150, 50);
    vendor.failDetail = 's2';
    const failing = await manyListings((signal) => list(signal), 150, 50);
    expect(new Set(full)).toEqual(new Set([`${INGRAM_ROWS} pages`]));
    expect(new Set(broken)).toEqual(new Set(['1 pages']));
    expect(failing).toHaveLength(150);
    expect(failing.every((o) => o.startsWith('failed after 1: '))).toBe(true);
  });

  it("aborting the caller's signal mid-listing aborts it with the caller's reason", async () => {
    const c = ingramClient();
    const shutdown = new AbortController();
    const before = listeners(shutdown.signal);
    vendor.hold = true;
    const pages = c.listSubscriptions({ signal: shutdown.signal }).byPage()[Symbol.asyncIterator]();
    const first = pages.next();
    // Both pages listed, their detail reads held by the look-alike.
    await until(() => vendor.held.length === INGRAM_ROWS);
    expect(vendor.held).toHaveLength(INGRAM_ROWS);
    const reason = new Error('service shutting down');
    shutdown.abort(reason);
    const outcome = await first.then(
      () => 'a page',
      (error: unknown) => (error === reason ? "the caller's reason" : `other error: ${String(error)}`),
    );
    expect(outcome).toBe("the caller's reason");
    await until(() => vendor.abandoned === INGRAM_ROWS);
    expect(vendor.abandoned).toBe(INGRAM_ROWS);
    expect(listeners(shutdown.signal)).toBe(before);
  });

  it('per-call headers reach every list and detail request (they were dropped before)', async () => {
    const c = ingramClient();
    const shutdown = new AbortController();
    const list = c.listSubscriptions({ signal: shutdown.signal, headers: { 'x-trace-id': 'trace-9' } });
    expect(await consume(list.byPage())).toBe(`${INGRAM_ROWS} pages`);
    // One listing request per page and one detail read per subscription, each with the caller's header.
    expect(vendor.traces).toEqual(Array.from({ length: 2 * INGRAM_ROWS }, () => 'trace-9'));
    expect(listeners(shutdown.signal)).toBe(0);
  });

  it('a signal already aborted fails the listing before any request', async () => {
    const c = ingramClient();
    const reason = new Error('already shut down');
    const outcome = await consume(c.listSubscriptions({ signal: AbortSignal.abort(reason) }).byPage());
    expect(outcome).toBe('failed after 0: already shut down');
    expect(vendor.requests).toBe(0);
  });
});

describe('syncAll on one long-lived caller signal', () => {
  it('100 syncs leave no listener and no AbortSignal.any dependant on it', async () => {
    const shutdown = new AbortController();
    const before = listeners(shutdown.signal);
    const marketplaces = new Marketplaces([pax8Client()]);
    for (let i = 0; i < 100; i++) {
      let records = 0;
      for await (const _record of syncAll(marketplaces, { signal: shutdown.signal })) records += 1;
      expect(records).toBeGreaterThan(0);
    }
    expect(listeners(shutdown.signal)).toBe(before);
    expect(dependantSignals(shutdown.signal) ?? 0).toBe(0);
  });
});

describe('listings with per-call options on one long-lived caller signal', () => {
  it('50 at once add one listener to it, not one each (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const c = pax8Client();
      const shutdown = new AbortController();
      let most = 0;
      const lists = Array.from({ length: 50 }, () =>
        c.listCustomers({ signal: shutdown.signal, headers: { 'x-trace-id': 'many' } }),
      );
      const watch = setInterval(() => {
        most = Math.max(most, listeners(shutdown.signal));
      }, 1);
      const pages = await Promise.all(lists.map((l) => consume(l.byPage())));
      clearInterval(watch);
      expect(new Set(pages)).toEqual(new Set([`${PAX8_PAGES} pages`]));
      expect(most).toBeLessThanOrEqual(1);
      expect(listeners(shutdown.signal)).toBe(0);
      await new Promise((r) => setImmediate(r));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
