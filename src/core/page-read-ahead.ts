import { setMaxListeners } from 'node:events';
import { bindCallContext, callContextOf } from './call-context.js';
import { followSignal, unfollowSignal } from './follow-signal.js';
import type { Page, PageReader, PageSource } from './pagination.js';

/**
 * Read-ahead for numbered listings (issue 20): listings whose pages are addressed by number or offset and whose
 * first answer says how many there are (Pax8 `page`/`size` with `page.totalPages`; an offset/limit listing with a
 * total). Page k+1 does not depend on page k's answer, so the pages after the first are requested at once, a
 * bounded window ahead of the consumer, while {@link PagedList.byPage} still delivers them one by one, in order,
 * with the cursors a page-by-page read would give: checkpoints and `byPage({ cursor })` resumes stay exact.
 *
 * What stays as without read-ahead, by construction: `read(cursor)` always answers the page of exactly that cursor.
 * A page fetched ahead is used only when the cursor the consumer asks for (the delivered page's `nextCursor`, which
 * the provider decides from that page's own answer) is the one it was fetched for; otherwise (a total that shrank, a
 * page that came back short) every page fetched ahead is discarded (its request aborted) and the asked cursor is
 * read directly. So the listing stops, continues or fails exactly where a page-by-page read of the same answers
 * would, with the same guards of {@link PagedList} (maxPages, repeated items, repeated cursor).
 *
 * Bounds: at most `window` pages requested or held and not yet delivered (the page the consumer waits for counts),
 * never past the last page the answers announce nor past `maxPages`. A failed page is thrown when the consumer
 * reaches it (pages before it were delivered); the pages after it are discarded. When the iteration ends for any
 * reason (last page, error, a `for await` that breaks, the caller's signal), every request still in flight is
 * aborted and nothing rejects unhandled.
 */

/** Most pages a read-ahead window may hold, whatever the client's concurrency (memory stays bounded). */
export const MAX_READ_AHEAD_WINDOW = 10;

/**
 * A numbered listing, as a provider describes it to {@link readAhead}. `A` is one request's answer (e.g. the parsed
 * envelope), `T` the items delivered.
 */
export interface NumberedListing<A, T> {
  /**
   * Sends the one request of the page at `cursor` (undefined: the listing's first page) and resolves with its answer.
   * Pages fetched ahead are requested with a signal of their own that aborts when they are discarded.
   */
  fetch(cursor: string | undefined, signal: AbortSignal): Promise<A>;
  /** How many pages follow this answer's page according to the total it reports (0: it says it is the last). */
  pagesAfter(answer: A): number;
  /** The cursor `steps` pages after `cursor` (undefined: the first page): page-number or offset arithmetic. */
  cursorAfter(cursor: string | undefined, steps: number): string;
  /**
   * The page delivered for an answer: its items mapped and its `nextCursor` decided from this answer alone, as a
   * page-by-page read would. May send requests of its own (with `signal`, which aborts when the iteration ends).
   */
  toPage(answer: A, cursor: string | undefined, signal: AbortSignal): Promise<Page<T>> | Page<T>;
  /**
   * Called in listing order as each page is handed to the consumer, never for a page fetched ahead and discarded:
   * checks across pages (a total that changed) and per-page events belong here. `previous` is the page delivered
   * before it in this iteration.
   */
  delivered?(page: Page<T>, answer: A, previous: { page: Page<T>; answer: A } | undefined): void;
  /**
   * Most pages requested or held and not yet delivered (the one the consumer waits for counts): the client's
   * concurrency, clamped to 1..{@link MAX_READ_AHEAD_WINDOW}. 1 reads page by page.
   */
  window: number;
}

interface Entry<A, T> {
  readonly cursor: string | undefined;
  readonly result: Promise<{ page: Page<T>; answer: A }>;
  readonly controller: AbortController;
}

/**
 * Lifts the listener limit of a signal the SDK made for many listings at once (syncAll's): every attempt of every
 * listing may listen to it without a warning (the listings themselves follow it as any signal: one listener for all,
 * see {@link iterationSignal}). Internal: never used on a caller's signal.
 */
export function allowManyListeners(signal: AbortSignal): void {
  setMaxListeners(0, signal);
}

/**
 * One `byPage()` iteration with a window of 1 (`byPage({ pagesAhead: 0 })`, or a client with one request slot): page
 * by page, as {@link ReadAheadReader} reads with that window, without its bookkeeping for pages ahead (none can be in
 * flight): no controller or signal per page, nothing to discard. Each read sends the request of exactly the cursor
 * asked for, then maps its answer, with the iteration's signal (the caller's, plus this iteration's end).
 *
 * The iteration's end aborts that signal only when something may still be in flight: a read not finished, or one
 * that failed (its mapping may have left requests of its own running). A listing that ended normally has nothing
 * left to abort, so it creates no abort error (per-customer syncs end thousands of one-page listings).
 */
class PageByPageReader<A, T> implements PageReader<T> {
  readonly #listing: NumberedListing<A, T>;
  readonly #stop = new AbortController();
  readonly #signal: AbortSignal;
  /** The listing's signal, followed until close. */
  readonly #owner: AbortSignal | undefined;
  /** A read started and did not deliver its page (pending, or failed). */
  #unsettled = false;
  #closed = false;
  #previous: { page: Page<T>; answer: A } | undefined;

  constructor(listing: NumberedListing<A, T>, signal: AbortSignal | undefined) {
    this.#listing = listing;
    this.#owner = signal;
    this.#signal = iterationSignal(signal, this.#stop);
  }

  async read(cursor: string | undefined): Promise<Page<T>> {
    // After close, as a closed read-ahead iteration: an abort error, no request.
    if (this.#closed) throw new DOMException('This operation was aborted', 'AbortError');
    const signal = this.#signal;
    signal.throwIfAborted();
    this.#unsettled = true;
    const listing = this.#listing;
    const answer = await listing.fetch(cursor, signal);
    const page = await listing.toPage(answer, cursor, signal);
    this.#unsettled = false;
    listing.delivered?.(page, answer, this.#previous);
    this.#previous = { page, answer };
    return page;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owner !== undefined) unfollowSignal(this.#owner, this.#stop);
    if (this.#unsettled) this.#stop.abort();
  }
}

/** One `byPage()` iteration: the pages requested ahead, by index in the iteration (0: the first page read). */
class ReadAheadReader<A, T> implements PageReader<T> {
  readonly #listing: NumberedListing<A, T>;
  /** Pages requested beyond the one being read (the window less that one). */
  readonly #ahead: number;
  readonly #maxPages: number;
  /** The consumer is waiting for a page (it counts in the window). */
  #reading = false;
  /** Aborts everything of this iteration on close; follows the caller's signal. */
  readonly #stop = new AbortController();
  readonly #signal: AbortSignal;
  /** The listing's signal, followed until close. */
  readonly #owner: AbortSignal | undefined;
  readonly #entries = new Map<number, Entry<A, T>>();
  /** The page the cursor arithmetic starts from: the first page read, or the last one read directly. */
  #base: { index: number; cursor: string | undefined } = { index: 0, cursor: undefined };
  /** Index of the last page delivered (-1: none yet). */
  #delivered = -1;
  /** Next index to request ahead. */
  #next = 0;
  /** The last page index the answers announce, from the answer of the highest page seen (-1: none yet). */
  #knownLast = -1;
  #knownFrom = -1;
  /** Bumped when pages fetched ahead are discarded, so their late answers teach nothing. */
  #generation = 0;
  #previous: { page: Page<T>; answer: A } | undefined;

  constructor(listing: NumberedListing<A, T>, signal: AbortSignal | undefined, maxPages: number, ahead: number) {
    this.#listing = listing;
    this.#ahead = ahead;
    this.#maxPages = maxPages;
    this.#owner = signal;
    this.#signal = iterationSignal(signal, this.#stop);
  }

  async read(cursor: string | undefined): Promise<Page<T>> {
    this.#signal.throwIfAborted();
    const index = this.#delivered + 1;
    let entry = this.#entries.get(index);
    if (entry === undefined || entry.cursor !== cursor) {
      // The first page, or a cursor other than the one fetched ahead: what was fetched ahead is of no use.
      this.#discard();
      this.#base = { index, cursor };
      this.#next = index;
      entry = this.#request(index);
    }
    let result: { page: Page<T>; answer: A };
    this.#reading = true;
    try {
      this.#fill();
      result = await entry.result;
    } finally {
      this.#reading = false;
      this.#entries.delete(index);
    }
    this.#delivered = index;
    this.#listing.delivered?.(result.page, result.answer, this.#previous);
    this.#previous = result;
    this.#fill();
    return result.page;
  }

  close(): void {
    if (this.#owner !== undefined) unfollowSignal(this.#owner, this.#stop);
    this.#stop.abort();
    this.#discard();
  }

  /** Requests the page at `index` (its cursor from the base by arithmetic). */
  #request(index: number): Entry<A, T> {
    const listing = this.#listing;
    const cursor =
      index === this.#base.index ? this.#base.cursor : listing.cursorAfter(this.#base.cursor, index - this.#base.index);
    const controller = new AbortController();
    const generation = this.#generation;
    const signal = pageSignal(this.#signal, controller.signal);
    const result = (async () => {
      const answer = await listing.fetch(cursor, signal);
      // Mapping starts first: the requests it needs (e.g. a product's rules) queue before the pages read ahead,
      // as they hold up this page. It gets the iteration's signal, not this page's: such requests may be shared
      // with other pages, and discarding one page must never fail another.
      const page = (async () => listing.toPage(answer, cursor, this.#signal))();
      if (generation === this.#generation) this.#learn(index, listing.pagesAfter(answer));
      return { page: await page, answer };
    })();
    // A page fetched ahead may never be read (the listing ended or failed before it): never an unhandled rejection.
    result.catch(() => undefined);
    const entry = { cursor, result, controller };
    this.#entries.set(index, entry);
    this.#next = Math.max(this.#next, index + 1);
    return entry;
  }

  /** What an answer says of the last page; the answer of the highest page seen wins (a total may grow or shrink). */
  #learn(index: number, pagesAfter: number): void {
    if (index < this.#knownFrom || !Number.isFinite(pagesAfter)) return;
    this.#knownFrom = index;
    this.#knownLast = index + Math.max(0, Math.floor(pagesAfter));
    this.#fill();
  }

  /** Requests pages ahead up to the window, the last announced page and `maxPages`. */
  #fill(): void {
    if (this.#signal.aborted) return;
    // While the consumer waits for page `delivered + 1`, that page counts in the window; between reads it does not,
    // so with no pages ahead (window 1) nothing is requested until the consumer asks.
    const last = Math.min(this.#knownLast, this.#delivered + this.#ahead + (this.#reading ? 1 : 0), this.#maxPages - 1);
    while (this.#next <= last) this.#request(this.#next);
  }

  /** Aborts and forgets every page requested ahead. */
  #discard(): void {
    this.#generation += 1;
    for (const entry of this.#entries.values()) entry.controller.abort();
    this.#entries.clear();
    this.#knownLast = -1;
    this.#knownFrom = -1;
  }
}

/** An iteration's window: the listing's, capped by `byPage({ pagesAhead })` (it counts the page being read), 1..max. */
function windowOf(listing: NumberedListing<unknown, unknown>, pagesAhead: number | undefined): number {
  const window = Math.floor(pagesAhead === undefined ? listing.window : Math.min(listing.window, pagesAhead + 1));
  return Number.isFinite(window) ? Math.min(Math.max(window, 1), MAX_READ_AHEAD_WINDOW) : 1;
}

/**
 * The signal of one `byPage()` iteration: aborted by `stop` (the iteration's end) and, with its reason, by `owner`
 * (the listing's signal). `owner` may be a caller's long-lived signal (a shutdown signal given to thousands of
 * listings), so it is followed without `AbortSignal.any` (on Node 20 that keeps every combined signal alive as long
 * as `owner` lives, nodejs/node#55351) and without a listener per iteration: `stop` joins the followers of `owner`
 * (core/follow-signal.ts), and the reader's close must unfollow it. An `owner` already aborted aborts `stop` at
 * once (no request is sent). The iteration's signal is one the SDK made, so what is combined with it later (pages
 * read ahead) never registers on `owner`.
 *
 * The per-call options of the call that owns `owner` (core/call-context.ts: they travel by signal) are bound to the
 * iteration's signal, so the transport still finds a listing's `headers`, `timeoutMs`, `retry` and `onResponse`.
 */
export function iterationSignal(owner: AbortSignal | undefined, stop: AbortController): AbortSignal {
  if (owner === undefined) return stop.signal;
  followSignal(owner, stop);
  const context = callContextOf(owner);
  if (context === undefined) return stop.signal;
  const bound = bindCallContext(context, stop.signal);
  bound.follow();
  return bound.signal;
}

/**
 * The signal of one page read ahead: aborts with the iteration's signal or `own` (the page discarded), with the
 * iteration's per-call options bound to it. `AbortSignal.any` is fine here: its source is the iteration's signal
 * (made by {@link iterationSignal}, never a caller's), which lives only as long as the iteration.
 */
export function pageSignal(iteration: AbortSignal, own: AbortSignal): AbortSignal {
  const combined = AbortSignal.any([iteration, own]);
  const context = callContextOf(iteration);
  if (context === undefined) return combined;
  const bound = bindCallContext(context, combined);
  bound.follow();
  return bound.signal;
}

/**
 * A {@link PageSource} for `new PagedList(readAhead(listing), signal)`: each `byPage()` iteration reads the pages
 * of `listing` a window ahead (see the module comment for what stays exact and what is bounded).
 *
 * @example
 * new PagedList(readAhead({
 *   window: client.requestConcurrency,
 *   fetch: (cursor, signal) => get('/things', { page: Number(cursor ?? 0), size: 200 }, signal),
 *   pagesAfter: (env) => env.page.totalPages - env.page.number - 1,
 *   cursorAfter: (cursor, steps) => String(Number(cursor ?? 0) + steps),
 *   toPage: (env) => ({ items: env.content.map(map), nextCursor: ..., total: env.page.totalElements }),
 * }), signal)
 */
export function readAhead<A, T>(listing: NumberedListing<A, T>): PageSource<T> {
  return {
    open: ({ signal, maxPages, pagesAhead }) => {
      const window = windowOf(listing, pagesAhead);
      return window === 1
        ? new PageByPageReader(listing, signal)
        : new ReadAheadReader(listing, signal, maxPages, window - 1);
    },
  };
}
