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

/** Options for {@link PagedList.byPage}. */
export interface ByPageOptions {
  /** Resume from a cursor returned as `nextCursor` by an earlier page. */
  cursor?: string | undefined;
}

const BY_PAGE_OPTION_KEYS = knownKeys<ByPageOptions>('byPage options', { cursor: true });
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
  readonly #fetch: PageFetcher<T>;
  readonly #signal: AbortSignal | undefined;
  #maxPages: number;

  constructor(fetchPage: PageFetcher<T>, signal?: AbortSignal, options: PagedListOptions = {}) {
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
    let cursor = options.cursor;
    const seen = new Set<string>();
    let previousIds: string | undefined;
    for (let pages = 0; ; ) {
      if (pages >= this.#maxPages) {
        throw new PagingLimitError(
          `The listing reached limits.maxPages (${this.#maxPages} pages) and was stopped; resume from the last page's nextCursor or raise limits.maxPages`,
          { reason: 'max-pages', pages, value: cursor },
        );
      }
      const page = await this.#fetch(cursor, this.#signal);
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
