import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { bindCallContext, callContextOf } from '../../src/core/call-context.js';
import { type NumberedListing, allowManyListeners, readAhead } from '../../src/core/page-read-ahead.js';
import { type Page, PagedList } from '../../src/core/pagination.js';

/**
 * A window of 1 (`byPage({ pagesAhead: 0 })`, what per-customer syncs use) reads with a reader of its own, without
 * the read-ahead bookkeeping: every scenario here runs with that window and with a read-ahead window, and the two
 * must be seen alike by the consumer and by the listing (pages, cursors, `delivered`, errors, aborts, signals).
 */

type Call = { index: number; signal: AbortSignal; settle: (how: 'ok' | Error) => void; settled: boolean };

/** A numbered listing of `pages` pages; each request answers when the test says (`answerAll`). */
function listing(o: { window: number; pages: number; failAt?: number; mapFailAt?: number }) {
  const calls: Call[] = [];
  /** Requests a page's mapping sent (one per page), still running after a mapping that failed. */
  const mappingRequests: { index: number; signal: AbortSignal }[] = [];
  const delivered: number[] = [];
  type A = { index: number };
  const l: NumberedListing<A, { id: string }> = {
    window: o.window,
    fetch: (cursor, signal) =>
      new Promise<A>((resolve, reject) => {
        const index = cursor === undefined ? 0 : Number(cursor);
        const call: Call = {
          index,
          signal,
          settled: false,
          settle: (how) => {
            if (call.settled) return;
            call.settled = true;
            if (how === 'ok') resolve({ index });
            else reject(how);
          },
        };
        signal.addEventListener('abort', () => call.settle(signal.reason as Error), { once: true });
        calls.push(call);
      }),
    pagesAfter: (a) => o.pages - a.index - 1,
    cursorAfter: (cursor, steps) => String((cursor === undefined ? 0 : Number(cursor)) + steps),
    toPage: async (a, _cursor, signal): Promise<Page<{ id: string }>> => {
      // A mapping that sends a request of its own which outlives its failure (as a Promise.all of look-ups).
      mappingRequests.push({ index: a.index, signal });
      if (a.index === o.mapFailAt) throw new Error(`mapping of page ${a.index} failed`);
      return {
        items: [{ id: `${a.index}a` }, { id: `${a.index}b` }],
        nextCursor: a.index + 1 < o.pages ? String(a.index + 1) : undefined,
      };
    },
    delivered: (_page, a, previous) => delivered.push(a.index * 100 + (previous ? previous.answer.index : 99)),
  };
  const answerAll = async () => {
    for (let round = 0; round < 50; round++) {
      const open = calls.filter((c) => !c.settled);
      for (const c of open) c.settle(c.index === o.failAt ? new Error(`page ${c.index} failed`) : 'ok');
      await new Promise((r) => setImmediate(r));
    }
  };
  return { l, calls, mappingRequests, delivered, answerAll };
}

/** Reads the listing page by page, answering as it goes; what the consumer saw. */
async function consume(
  t: ReturnType<typeof listing>,
  o: { signal?: AbortSignal; cursor?: string; stopAfter?: number; pagesAhead?: number } = {},
) {
  const seen: string[] = [];
  const run = (async () => {
    let n = 0;
    for await (const page of new PagedList(readAhead(t.l), o.signal).byPage({
      cursor: o.cursor,
      pagesAhead: o.pagesAhead,
    })) {
      seen.push(`${page.items.map((i) => i.id).join(',')}>${page.nextCursor ?? 'end'}`);
      n += 1;
      if (n === o.stopAfter) break;
    }
  })();
  const outcome = run.then(
    () => 'done',
    (e: Error) => `error: ${e.message}`,
  );
  await t.answerAll();
  return { seen, outcome: await outcome, delivered: t.delivered };
}

const WINDOWS = [
  { name: 'page by page (window 1)', window: 1 },
  { name: 'read-ahead (window 3)', window: 3 },
];

describe('page-by-page reader (window 1) behaves as the read-ahead reader', () => {
  it('delivers the same pages, cursors and `delivered` calls, from the start and from a cursor', async () => {
    const results = [];
    for (const { window } of WINDOWS) {
      results.push(await consume(listing({ window, pages: 4 })));
      results.push(await consume(listing({ window, pages: 4 }), { cursor: '2' }));
    }
    expect(results[0]).toEqual({
      seen: ['0a,0b>1', '1a,1b>2', '2a,2b>3', '3a,3b>end'],
      outcome: 'done',
      delivered: [99, 100, 201, 302],
    });
    expect(results[1]?.seen).toEqual(['2a,2b>3', '3a,3b>end']);
    expect(results[2]).toEqual(results[0]);
    expect(results[3]).toEqual(results[1]);
  });

  it('byPage({ pagesAhead: 0 }) reads a read-ahead listing page by page, one request at a time', async () => {
    const t = listing({ window: 5, pages: 4 });
    const got = await consume(t, { pagesAhead: 0 });
    expect(got.seen).toHaveLength(4);
    // Each page was asked for after the one before it was delivered.
    expect(t.calls.map((c) => c.index)).toEqual([0, 1, 2, 3]);
  });

  it('a failed request: the pages before it, then its error; nothing left in flight', async () => {
    for (const { window } of WINDOWS) {
      const t = listing({ window, pages: 5, failAt: 2 });
      const got = await consume(t);
      expect(got.seen).toEqual(['0a,0b>1', '1a,1b>2']);
      expect(got.outcome).toBe('error: page 2 failed');
      expect(got.delivered).toEqual([99, 100]);
      expect(t.calls.every((c) => c.settled)).toBe(true);
    }
  });

  it('a failed mapping: its error, and the requests the mapping left running are aborted with the iteration', async () => {
    for (const { window } of WINDOWS) {
      const t = listing({ window, pages: 3, mapFailAt: 1 });
      const got = await consume(t);
      expect(got.outcome).toBe('error: mapping of page 1 failed');
      expect(got.seen).toEqual(['0a,0b>1']);
      const left = t.mappingRequests.find((r) => r.index === 1);
      expect(left?.signal.aborted).toBe(true);
    }
  });

  it('the caller signal aborts a read in flight with its reason, and a listing aborted first sends nothing', async () => {
    for (const { window } of WINDOWS) {
      const t = listing({ window, pages: 3 });
      const stop = new AbortController();
      const it = new PagedList(readAhead(t.l), stop.signal).byPage()[Symbol.asyncIterator]();
      const first = it.next();
      stop.abort(new Error('caller stopped'));
      await expect(first).rejects.toThrow('caller stopped');
      expect(t.calls[0]?.signal.aborted).toBe(true);

      const before = listing({ window, pages: 3 });
      const aborted = AbortSignal.abort(new Error('already stopped'));
      await expect(new PagedList(readAhead(before.l), aborted).byPage().next()).rejects.toThrow('already stopped');
      expect(before.calls).toHaveLength(0);
    }
  });

  it("a signal made for many listeners (syncAll's) is followed as any other, and keeps no listener after the listing", async () => {
    for (const { window } of WINDOWS) {
      const shared = new AbortController();
      allowManyListeners(shared.signal);
      // Listings that end normally, fail, and break: the same outcomes, and none leaves a listener on the signal.
      const outcomes = [
        await consume(listing({ window, pages: 3 }), { signal: shared.signal }),
        await consume(listing({ window, pages: 3, failAt: 1 }), { signal: shared.signal }),
        await consume(listing({ window, pages: 3, mapFailAt: 1 }), { signal: shared.signal }),
        await consume(listing({ window, pages: 3 }), { signal: shared.signal, stopAfter: 1 }),
      ];
      expect(outcomes.map((o) => [o.outcome, o.seen.length])).toEqual([
        ['done', 3],
        ['error: page 1 failed', 1],
        ['error: mapping of page 1 failed', 1],
        ['done', 1],
      ]);
      expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);

      const t = listing({ window, pages: 3 });
      const it = new PagedList(readAhead(t.l), shared.signal).byPage()[Symbol.asyncIterator]();
      const first = it.next();
      shared.abort(new Error('sync stopped'));
      await expect(first).rejects.toThrow('sync stopped');
      expect(t.calls[0]?.signal.aborted).toBe(true);
      expect(t.calls[0]?.signal.reason).toEqual(new Error('sync stopped'));
      await expect(new PagedList(readAhead(t.l), shared.signal).byPage().next()).rejects.toThrow('sync stopped');
      expect(t.calls).toHaveLength(1);
    }
  });

  it('a consumer that breaks: no request left in flight, and the pages after it are never asked for', async () => {
    for (const { window } of WINDOWS) {
      const t = listing({ window, pages: 6 });
      const got = await consume(t, { stopAfter: 2 });
      expect(got.outcome).toBe('done');
      expect(got.seen).toEqual(['0a,0b>1', '1a,1b>2']);
      expect(t.calls.every((c) => c.settled)).toBe(true);
      if (window === 1) expect(t.calls.map((c) => c.index)).toEqual([0, 1]);
    }
  });

  it("the requests carry the caller's per-call options (found by their signal)", async () => {
    for (const { window } of WINDOWS) {
      const t = listing({ window, pages: 2 });
      const context = { timeoutMs: 1234 };
      const bound = bindCallContext(context, undefined);
      await consume(t, { signal: bound.signal });
      expect(t.calls).toHaveLength(2);
      for (const c of t.calls) expect(callContextOf(c.signal)).toBe(context);
      for (const r of t.mappingRequests) expect(callContextOf(r.signal)).toBe(context);
    }
  });
});
