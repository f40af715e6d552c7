import { describe, expect, it } from 'vitest';
import { type NumberedListing, readAhead } from '../../src/core/page-read-ahead.js';
import { type Page, PagedList } from '../../src/core/pagination.js';

/** A numbered listing over an in-memory table: answers resolve when the test says so. */
function table(opts: { pages: number; window: number; totalAt?: (index: number) => number; failAt?: number }) {
  const calls: { cursor: string | undefined; signal: AbortSignal; resolve: () => void; index: number }[] = [];
  const delivered: number[] = [];
  let open = 0;
  let maxOpen = 0;
  type A = { index: number; total: number };
  const listing: NumberedListing<A, number> = {
    window: opts.window,
    fetch: (cursor, signal) => {
      const index = cursor === undefined ? 0 : Number(cursor);
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      return new Promise<A>((resolve, reject) => {
        let settled = false;
        const settle = () => {
          if (settled) return false;
          settled = true;
          open -= 1;
          return true;
        };
        const done = () => {
          if (!settle()) return;
          if (index === opts.failAt) reject(new Error(`page ${index} failed`));
          else resolve({ index, total: opts.totalAt?.(index) ?? opts.pages });
        };
        signal.addEventListener('abort', () => {
          if (settle()) reject(signal.reason);
        });
        calls.push({ cursor, signal, resolve: done, index });
      });
    },
    pagesAfter: (a) => a.total - a.index - 1,
    cursorAfter: (cursor, steps) => String((cursor === undefined ? 0 : Number(cursor)) + steps),
    toPage: (a): Page<number> => ({
      items: [a.index * 10, a.index * 10 + 1],
      nextCursor: a.index + 1 < a.total ? String(a.index + 1) : undefined,
      total: a.total * 2,
    }),
    delivered: (_page, a) => delivered.push(a.index),
  };
  /** Answers every request not answered yet (in the order given), then lets the promises settle. */
  const answer = async (order?: number[]) => {
    const pending = calls.filter((c) => !c.signal.aborted && !(c as { done?: boolean }).done);
    const sorted = order ? order.map((i) => pending.find((c) => c.index === i)!).filter(Boolean) : pending;
    for (const c of sorted) {
      (c as { done?: boolean }).done = true;
      c.resolve();
    }
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return { listing, calls, delivered, answer, open: () => open, maxOpen: () => maxOpen };
}

/** Reads every page, answering whatever is asked (in reverse order, so later pages answer first). */
async function drain(list: PagedList<number>, t: ReturnType<typeof table>, cursor?: string, pagesAhead?: number) {
  const it = list.byPage({ cursor, pagesAhead })[Symbol.asyncIterator]();
  const pages: Page<number>[] = [];
  for (;;) {
    const next = it.next();
    let settled = false;
    void next.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 50 && !settled; i++) {
      const pending = t.calls.filter((c) => !c.signal.aborted && !(c as { done?: boolean }).done).map((c) => c.index);
      await t.answer(pending.reverse());
    }
    const r = await next;
    if (r.done) return pages;
    pages.push(r.value);
  }
}

describe('readAhead (numbered listings)', () => {
  it('delivers pages in order with the cursors of a page-by-page read, whatever order they answer in', async () => {
    const t = table({ pages: 6, window: 3 });
    const pages = await drain(new PagedList(readAhead(t.listing)), t);
    expect(pages.map((p) => p.items)).toEqual([0, 1, 2, 3, 4, 5].map((i) => [i * 10, i * 10 + 1]));
    expect(pages.map((p) => p.nextCursor)).toEqual(['1', '2', '3', '4', '5', undefined]);
    expect(t.delivered).toEqual([0, 1, 2, 3, 4, 5]);
    expect(t.calls.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('requests the pages after the first at once, never more than the window ahead', async () => {
    const t = table({ pages: 10, window: 3 });
    const it = new PagedList(readAhead(t.listing)).byPage()[Symbol.asyncIterator]();
    const first = it.next();
    expect(t.calls.map((c) => c.index)).toEqual([0]);
    await t.answer();
    expect((await first).value?.items).toEqual([0, 1]);
    // Page 0 delivered: pages 1 and 2 requested (window 3: the page being read and 2 ahead of it).
    expect(t.calls.map((c) => c.index)).toEqual([0, 1, 2]);
    await t.answer([2]);
    // Answered but not delivered: nothing more is requested until the consumer reads.
    expect(t.calls).toHaveLength(3);
    const second = it.next();
    // The consumer waits for page 1: it counts in the window, so page 3 goes out.
    expect(t.calls.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    await t.answer([1]);
    expect((await second).value?.items).toEqual([10, 11]);
    expect(t.calls.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    expect(t.maxOpen()).toBeLessThanOrEqual(3);
    await it.return(undefined);
    expect(t.open()).toBe(0);
  });

  it('is page by page with window 1', async () => {
    const t = table({ pages: 4, window: 1 });
    const pages = await drain(new PagedList(readAhead(t.listing)), t);
    expect(pages).toHaveLength(4);
    expect(t.maxOpen()).toBe(1);
  });

  it('byPage({ pagesAhead }) caps the read-ahead (0: page by page) and refuses a bad value before any request', async () => {
    const t = table({ pages: 5, window: 4 });
    const pages = await drain(new PagedList(readAhead(t.listing)), t, undefined, 0);
    expect(pages).toHaveLength(5);
    expect(t.maxOpen()).toBe(1);
    const two = table({ pages: 8, window: 9 });
    await drain(new PagedList(readAhead(two.listing)), two, undefined, 2);
    expect(two.maxOpen()).toBe(3);
    for (const bad of [-1, 1.5, Number.NaN]) {
      const calls = t.calls.length;
      await expect(new PagedList(readAhead(t.listing)).byPage({ pagesAhead: bad }).next()).rejects.toThrow(
        /pagesAhead/,
      );
      expect(t.calls).toHaveLength(calls);
    }
  });

  it('continues past the pages first announced when a later answer says there are more', async () => {
    const t = table({ pages: 3, window: 4, totalAt: (i) => (i === 0 ? 3 : 7) });
    const pages = await drain(new PagedList(readAhead(t.listing)), t);
    expect(pages.map((p) => p.items[0])).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(pages.at(-1)?.nextCursor).toBeUndefined();
  });

  it('stops where the delivered page says when the total shrinks; pages fetched ahead past it are discarded', async () => {
    const t = table({ pages: 8, window: 4, totalAt: (i) => (i >= 2 ? 3 : 8) });
    const pages = await drain(new PagedList(readAhead(t.listing)), t);
    expect(pages.map((p) => p.items[0])).toEqual([0, 10, 20]);
    expect(t.delivered).toEqual([0, 1, 2]);
    expect(t.open()).toBe(0);
  });

  it('reads directly (discarding what was fetched ahead) when the consumer asks for a cursor other than predicted', async () => {
    const t = table({ pages: 6, window: 3 });
    // A listing whose page 1 says to jump to page 4 (the predicted page 2 is of no use).
    const original = t.listing.toPage;
    t.listing.toPage = (a, c, s) => {
      const page = original(a, c, s) as Page<number>;
      return a.index === 1 ? { ...page, nextCursor: '4' } : page;
    };
    const pages = await drain(new PagedList(readAhead(t.listing)), t);
    expect(pages.map((p) => p.items[0])).toEqual([0, 10, 40, 50]);
    expect(t.delivered).toEqual([0, 1, 4, 5]);
    expect(t.calls.filter((c) => c.index === 2 || c.index === 3).every((c) => c.signal.aborted)).toBe(true);
  });

  it('throws a failed page after the pages before it, discards the pages after it, and rejects nothing unhandled', async () => {
    const t = table({ pages: 8, window: 4, failAt: 2 });
    const list = new PagedList(readAhead(t.listing));
    const got: number[] = [];
    const error = await (async () => {
      const it = list.byPage()[Symbol.asyncIterator]();
      for (;;) {
        const next = it.next();
        next.catch(() => undefined);
        await t.answer([3, 2, 1, 0, 4, 5]);
        const r = await next;
        if (r.done) break;
        got.push(r.value.items[0]!);
      }
    })().catch((e: unknown) => e);
    expect((error as Error).message).toBe('page 2 failed');
    expect(got).toEqual([0, 10]);
    expect(t.delivered).toEqual([0, 1]);
    expect(t.open()).toBe(0);
  });

  it('never requests past maxPages, and keeps PagedList guards (repeated items)', async () => {
    const t = table({ pages: 20, window: 4 });
    const list = new PagedList(readAhead(t.listing), undefined, { maxPages: 2 });
    await expect(drain(list, t)).rejects.toMatchObject({ name: 'PagingLimitError' });
    expect(t.calls.map((c) => c.index)).toEqual([0, 1]);

    // A vendor that ignores the page number: the same items again stop the listing.
    let sent = 0;
    const same = new PagedList(
      readAhead<number, { id: string }>({
        window: 3,
        fetch: async (cursor) => {
          sent += 1;
          return Number(cursor ?? 0);
        },
        pagesAfter: (n) => 9 - n,
        cursorAfter: (cursor, steps) => String(Number(cursor ?? 0) + steps),
        toPage: (n) => ({ items: [{ id: 'a' }, { id: 'b' }], nextCursor: n < 9 ? String(n + 1) : undefined }),
      }),
    );
    await expect(same.toArray({ limit: Number.POSITIVE_INFINITY })).rejects.toMatchObject({
      name: 'PagingLimitError',
    });
    // The two pages read, and at most the window (3) ahead of them.
    expect(sent).toBeLessThanOrEqual(5);
  });

  it('a consumer that stops early aborts every request still in flight', async () => {
    const t = table({ pages: 9, window: 5 });
    const items = new PagedList(readAhead(t.listing))[Symbol.asyncIterator]();
    const first = items.next();
    await t.answer([0]);
    expect((await first).value).toBe(0);
    await items.return(undefined);
    // The first page was requested and answered, then 4 more ahead: all aborted now.
    expect(t.calls.length).toBeGreaterThan(1);
    expect(t.calls.slice(1).every((c) => c.signal.aborted)).toBe(true);
    expect(t.open()).toBe(0);
  });

  it('resumes from a cursor: reads that page first, then ahead of it', async () => {
    const t = table({ pages: 6, window: 3 });
    const pages = await drain(new PagedList(readAhead(t.listing)), t, '3');
    expect(pages.map((p) => p.items[0])).toEqual([30, 40, 50]);
    expect(t.calls.map((c) => c.cursor)).toEqual(['3', '4', '5']);
  });

  it('follows the caller signal', async () => {
    const t = table({ pages: 6, window: 3 });
    const stop = new AbortController();
    const it = new PagedList(readAhead(t.listing), stop.signal).byPage()[Symbol.asyncIterator]();
    const first = it.next();
    await t.answer();
    await first;
    const second = it.next();
    stop.abort(new Error('caller stopped'));
    await expect(second).rejects.toThrow('caller stopped');
    expect(t.calls.every((c) => c.signal.aborted || (c as { done?: boolean }).done)).toBe(true);
    expect(t.open()).toBe(0);
  });
});
