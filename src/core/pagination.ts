import { ValidationError } from './errors.js';
import { DEFAULT_MAX_PAGES } from './limits.js';
import { knownKeys, rejectUnknownKeys } from './options/strict-keys.js';
import { PagingLimitError } from './transport-errors.js';

/** One page of a listing. */
export interface Page<T> {
  items: T[];
  /** Cursor to pass to `byPage({ cursor })` to resume after this page; undefined on the last page. */
  nextCursor: string | undefined;
  /** Total items the vendor reports, when it does. */
  total?: number | undefined;
}

/** Fetches one page given a cursor (undefined for the first). */
export type PageFetcher<T> = (cursor: string | undefined, signal?: AbortSignal) => Promise<Page<T>>;

/** One `byPage()` iteration's reader of a {@link PageSource}: pages are asked for in order, then it is closed. */
export interface PageReader<T> {
  /** The page at `cursor` (undefined: the first page). */
  read(cursor: string | undefined): Promise<Page<T>>;
  /** Ends the iteration (last page, error, early stop): aborts whatever the reader still has in flight. */
  close(): void;
}

/**
 * A listing whose pages are read with per-iteration state (e.g. read-ahead, core/page-read-ahead.ts): each
 * `byPage()` opens a reader and closes it when the iteration ends for any reason.
 */
export interface PageSource<T> {
  /** Starts one `byPage()` iteration: its reader is closed when the iteration ends, whatever ends it. */
  open(context: PageSourceContext): PageReader<T>;
}

/** What a {@link PageSource} is opened with, for one `byPage()` iteration. */
export interface PageSourceContext {
  signal: AbortSignal | undefined;
  /** The listing's `maxPages`: a reader never requests a page past it. */
  maxPages: number;
  /** `byPage({ pagesAhead })`: most pages to request ahead of the one being read (undefined: the source's own). */
  pagesAhead?: number | undefined;
}

/** Options for {@link PagedList.byPage}. */
export interface ByPageOptions {
  /** Resume from a cursor returned as `nextCursor` by an earlier page. */
  cursor?: string | undefined;
  /**
   * Most pages a numbered listing (Pax8) requests ahead of the one you are reading; 0 reads page by page (one
   * request at a time). Default: the client's `requestConcurrency`, at most 9. Listings whose next page needs the
   * previous one's cursor ignore it.
   */
  pagesAhead?: number | undefined;
}

const BY_PAGE_OPTION_KEYS = knownKeys<ByPageOptions>('byPage options', { cursor: true, pagesAhead: true });
const TO_ARRAY_OPTION_KEYS = knownKeys<{ limit: number }>('toArray options', { limit: true });

/** Options of a {@link PagedList} (set by the client from its `limits` option). */
export interface PagedListOptions {
  /** Most pages one iteration fetches (default 10 000); the next one fails with `PagingLimitError`. */
  maxPages?: number | undefined;
}

/** The ids of a page's items (`item.id` when it is a string or number), or undefined when items carry none. */
function pageIds(items: readonly unknown[]): string | undefined {
  if (items.length === 0) return undefined;
  const ids: string[] = [];
  for (const item of items) {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' && typeof id !== 'number') return undefined;
    ids.push(String(id));
  }
  return ids.join('\u0000');
}

/**
 * A lazy listing: iterate items with `for await`, or pages with `byPage()`. Pages are fetched one at a
 * time as you consume them, so memory stays flat however long the listing is.
 *
 * Guards (never a silent truncation: each stops the listing with `PagingLimitError` after the pages before were
 * delivered): at most `maxPages` pages; a page whose item ids repeat the previous page's (a vendor that ignores
 * the page number would otherwise be followed until `maxPages`); a cursor the vendor had already returned.
 */
export class PagedList<T> implements AsyncIterable<T> {
  readonly #fetch: PageFetcher<T> | PageSource<T>;
  readonly #signal: AbortSignal | undefined;
  #maxPages: number;

  /** `fetchPage` reads one page given its cursor; a {@link PageSource} reads with per-iteration state. */
  constructor(fetchPage: PageFetcher<T> | PageSource<T>, signal?: AbortSignal, options: PagedListOptions = {}) {
    this.#fetch = fetchPage;
    this.#signal = signal;
    this.#maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  }

  /** Applies a client's limits (its `maxPages`) to this listing; returns the listing. */
  withLimits(limits: PagedListOptions): this {
    if (limits.maxPages !== undefined) this.#maxPages = limits.maxPages;
    return this;
  }

  /** Iterates pages, starting at `cursor` when given. */
  async *byPage(options: ByPageOptions = {}): AsyncGenerator<Page<T>, void, undefined> {
    rejectUnknownKeys(options, BY_PAGE_OPTION_KEYS, { path: 'options', operation: 'byPage' });
    const { pagesAhead } = options;
    if (pagesAhead !== undefined && !(Number.isInteger(pagesAhead) && pagesAhead >= 0)) {
      throw new ValidationError('byPage: pagesAhead must be a whole number >= 0 (0 reads page by page)', [
        { path: 'options.pagesAhead', message: 'must be a whole number >= 0' },
      ]);
    }
    const source = this.#fetch;
    const signal = this.#signal;
    const reader: PageReader<T> =
      typeof source === 'function'
        ? { read: (cursor) => source(cursor, signal), close: () => undefined }
        : source.open({ signal, maxPages: this.#maxPages, pagesAhead });
    try {
      yield* this.#pages(reader, options.cursor);
    } finally {
      reader.close();
    }
  }

  async *#pages(reader: PageReader<T>, from: string | undefined): AsyncGenerator<Page<T>, void, undefined> {
    let cursor = from;
    const seen = new Set<string>();
    let previousIds: string | undefined;
    for (let pages = 0; ; ) {
      if (pages >= this.#maxPages) {
        throw new PagingLimitError(
          `The listing reached limits.maxPages (${this.#maxPages} pages) and was stopped; resume from the last page's nextCursor or raise limits.maxPages`,
          { reason: 'max-pages', pages, value: cursor },
        );
      }
      const page = await reader.read(cursor);
      pages += 1;
      const ids = pageIds(page.items);
      if (ids !== undefined && ids === previousIds) {
        throw new PagingLimitError(
          `The vendor answered page ${pages} with the same items as page ${pages - 1}: the listing makes no progress and was stopped`,
          { reason: 'no-progress', pages, value: cursor },
        );
      }
      previousIds = ids;
      yield page;
      if (page.nextCursor === undefined) return;
      // A vendor that hands back a cursor already used would loop forever; stop it.
      if (seen.has(page.nextCursor)) {
        throw new PagingLimitError('The vendor returned a page cursor it had already returned', {
          reason: 'repeated-cursor',
          pages,
          value: page.nextCursor,
        });
      }
      seen.add(page.nextCursor);
      cursor = page.nextCursor;
    }
  }

  /** Yields every item of every page: `for await (const item of list)`. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.byPage()) yield* page.items;
  }

  /**
   * Collects items into an array, stopping at `limit` (required, so loading everything is a choice:
   * pass `Infinity` for that).
   */
  async toArray(options: { limit: number }): Promise<T[]> {
    rejectUnknownKeys(options, TO_ARRAY_OPTION_KEYS, { path: 'options', operation: 'toArray' });
    const limit = options?.limit;
    if (typeof limit !== 'number' || Number.isNaN(limit) || limit < 0) {
      throw new ValidationError('toArray needs { limit } as a non-negative number (Infinity for all)', [
        { path: 'limit', message: 'must be a non-negative number' },
      ]);
    }
    const out: T[] = [];
    if (limit === 0) return out;
    for await (const item of this) {
      out.push(item);
      if (out.length >= limit) break;
    }
    return out;
  }
}
