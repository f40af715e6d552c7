import { setMaxListeners } from 'node:events';
import { unfollowSignal } from '../../core/follow-signal.js';
import { iterationSignal, pageSignal } from '../../core/page-read-ahead.js';
import type { Page, PageReader, PageSource } from '../../core/pagination.js';
import { Wakeup } from '../../core/wakeup.js';

/**
 * Ingram's subscription listing as a pipeline across pages (issue 20). Its list rows carry no quantity, so each
 * row costs one detail read; read page by page, the request slots ran dry at the tail of every page (the last
 * detail reads of page N, then the list request of page N+1, then its first detail reads). Here one bounded pool
 * of detail reads is shared by the pages: the next list page is asked for while the current page's details run,
 * and its detail reads start as soon as the pool has room, so the limiter stays full.
 *
 * What stays as it was: pages are handed over in order with the same cursors (a checkpoint resumes exactly);
 * every {@link PagedList} guard applies (the pages go through `PagedList.byPage`); a failed list or detail read
 * fails its page, after the pages before it were handed over (later pages read ahead are dropped, their reads
 * cancelled); memory stays bounded (at most `pagesAhead` pages listed and not yet handed over); stopping the
 * iteration (`break`, `return()`, an error, the caller's signal) aborts every read still in flight.
 */

/** One list page as the vendor answered it: the work of its detail reads, in the page's order. */
export interface ListedPage<W, T> {
  work: W[];
  nextCursor: string | undefined;
  total?: number | undefined;
  /** Called with the page's items when the page is handed over (e.g. to report flagged records once). */
  delivered?: ((items: T[]) => void) | undefined;
}

/** How a {@link detailPipeline} lists and reads. */
export interface DetailPipelineSource<W, T> {
  /** Reads the list page at `cursor` (undefined: the first). */
  list(cursor: string | undefined, signal: AbortSignal): Promise<ListedPage<W, T>>;
  /** Reads one item in detail; undefined leaves it out of the page (it disappeared, or a filter drops it). */
  detail(work: W, signal: AbortSignal): Promise<T | undefined>;
  /** Detail reads in flight at once, across pages. */
  concurrency: number;
  /** Pages listed and not yet handed over, at most (the one being finished included). */
  pagesAhead: number;
}

/** A page in the pipeline: listed (or being listed), its detail reads pending. */
class Slot<T> {
  readonly controller = new AbortController();
  readonly signal: AbortSignal;
  readonly result: Promise<Page<T>>;
  results: (T | undefined)[] = [];
  pending = 0;
  listed: { nextCursor: string | undefined; total?: number | undefined; delivered?: (items: T[]) => void } | undefined;
  #settled = false;
  #resolve!: (page: Page<T>) => void;
  #reject!: (error: unknown) => void;

  constructor(parent: AbortSignal) {
    // With the listing's per-call options (headers, timeoutMs, retry, onResponse) bound, as for any page read ahead.
    this.signal = pageSignal(parent, this.controller.signal);
    // Up to `concurrency` reads of this page listen to its signal at once.
    setMaxListeners(0, this.signal);
    this.result = new Promise<Page<T>>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Awaited by the consumer when it gets there; a page dropped unread must not be an unhandled rejection.
    this.result.catch(() => {});
  }

  get settled(): boolean {
    return this.#settled;
  }

  complete(): void {
    if (this.#settled || !this.listed) return;
    this.#settled = true;
    const items = this.results.filter((item): item is T => item !== undefined);
    this.#resolve({ items, nextCursor: this.listed.nextCursor, total: this.listed.total });
  }

  fail(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
    this.controller.abort();
  }
}

/** One iteration's pipeline: lists ahead, reads details through one pool, hands pages over in order. */
class DetailPipeline<W, T> implements PageReader<T> {
  readonly #source: DetailPipelineSource<W, T>;
  /** Aborts everything of this pipeline; follows the caller's signal (with its reason) until close. */
  readonly #controller = new AbortController();
  readonly #signal: AbortSignal;
  /** The caller's signal, followed until close. */
  readonly #owner: AbortSignal | undefined;
  readonly #maxPages: number;
  /** Pages listed (or being listed) and not yet handed over, oldest first. */
  readonly #slots: Slot<T>[] = [];
  readonly #queue: Array<{ slot: Slot<T>; index: number; work: W }> = [];
  readonly #changed = new Wakeup();
  #active = 0;
  #stopped = false;
  #listing = false;

  constructor(source: DetailPipelineSource<W, T>, signal: AbortSignal | undefined, maxPages: number) {
    this.#source = source;
    this.#maxPages = maxPages;
    // The caller's signal may be long-lived (a shutdown signal given to every listing): followed without
    // `AbortSignal.any`, which on Node 20 keeps what it makes alive as long as the caller's signal (nodejs/node#55351),
    // and would register every page's `AbortSignal.any` on it too (Node flattens combined sources), nor a listener
    // per pipeline (core/follow-signal.ts). An already aborted signal aborts the pipeline before anything is sent.
    // The listing's per-call options stay bound to the pipeline's signal (core/call-context.ts), so every list and
    // detail request carries them.
    this.#owner = signal;
    this.#signal = iterationSignal(signal, this.#controller);
  }

  /** The next page in order; throws the error of a page that failed (pages before it were handed over). */
  async read(cursor: string | undefined): Promise<Page<T>> {
    if (!this.#listing) {
      this.#listing = true;
      void this.#list(cursor);
    }
    for (;;) {
      const slot = this.#slots[0];
      if (slot) {
        const page = await slot.result;
        this.#slots.shift();
        this.#changed.notify();
        slot.listed?.delivered?.(page.items);
        return page;
      }
      // PagedList asks for a page only after one with a nextCursor: the list reader is about to add it.
      if (this.#stopped) throw new Error('ingram: the subscription listing stopped without its next page');
      await this.#changed.wait();
    }
  }

  /** Stops everything: reads in flight are aborted, nothing more is listed. */
  close(): void {
    this.#stopped = true;
    this.#queue.length = 0;
    if (this.#owner) unfollowSignal(this.#owner, this.#controller);
    this.#controller.abort();
    this.#changed.notify();
  }

  async #list(start: string | undefined): Promise<void> {
    let cursor = start;
    for (let listed = 0; listed < this.#maxPages; listed++) {
      while (this.#slots.length >= this.#source.pagesAhead && !this.#stopped) await this.#changed.wait();
      if (this.#stopped) return;
      const slot = new Slot<T>(this.#signal);
      this.#slots.push(slot);
      this.#changed.notify();
      let page: ListedPage<W, T>;
      try {
        page = await this.#source.list(cursor, slot.signal);
      } catch (error) {
        this.#failFrom(slot, error);
        return;
      }
      if (slot.settled || this.#signal.aborted) return; // failed, or the iteration ended meanwhile
      slot.listed = { nextCursor: page.nextCursor, total: page.total, delivered: page.delivered };
      slot.results = new Array<T | undefined>(page.work.length);
      slot.pending = page.work.length;
      if (slot.pending === 0) slot.complete();
      for (const [index, work] of page.work.entries()) this.#queue.push({ slot, index, work });
      this.#pump();
      if (page.nextCursor === undefined) return;
      cursor = page.nextCursor;
    }
  }

  #pump(): void {
    while (this.#active < this.#source.concurrency && this.#queue.length > 0) {
      const task = this.#queue.shift()!;
      if (task.slot.settled) continue;
      this.#active += 1;
      void this.#read(task.slot, task.index, task.work);
    }
  }

  async #read(slot: Slot<T>, index: number, work: W): Promise<void> {
    try {
      const item = await this.#source.detail(work, slot.signal);
      slot.results[index] = item;
      slot.pending -= 1;
      if (slot.pending === 0) slot.complete();
    } catch (error) {
      this.#failFrom(slot, error);
    } finally {
      this.#active -= 1;
      this.#pump();
    }
  }

  /**
   * A read of `slot` failed: the page fails with that error, and so does everything after it (never handed over:
   * the consumer stops at this page), its reads cancelled; the pages before it go on and are handed over first.
   */
  #failFrom(slot: Slot<T>, error: unknown): void {
    const at = this.#slots.indexOf(slot);
    if (at < 0) return;
    this.#stopped = true;
    slot.fail(error);
    for (const later of this.#slots.slice(at + 1)) later.fail(error);
    this.#changed.notify();
  }
}

/**
 * A {@link PageSource} for `new PagedList(detailPipeline(source), signal)`: each `byPage()` iteration reads through a
 * pipeline of its own, closed (reads in flight aborted) when the iteration ends for any reason. The guards (maxPages,
 * no progress, repeated cursor) and option checks stay PagedList's own.
 */
export function detailPipeline<W, T>(source: DetailPipelineSource<W, T>): PageSource<T> {
  return { open: ({ signal, maxPages }) => new DetailPipeline(source, signal, maxPages) };
}
