import { ResponseValidationError, ValidationError } from './errors.js';

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

/**
 * A lazy listing: iterate items with `for await`, or pages with `byPage()`. Pages are fetched one at a
 * time as you consume them, so memory stays flat however long the listing is.
 */
export class PagedList<T> implements AsyncIterable<T> {
  readonly #fetch: PageFetcher<T>;
  readonly #signal: AbortSignal | undefined;

  constructor(fetchPage: PageFetcher<T>, signal?: AbortSignal) {
    this.#fetch = fetchPage;
    this.#signal = signal;
  }

  /** Iterates pages, starting at `cursor` when given. */
  async *byPage(options: ByPageOptions = {}): AsyncGenerator<Page<T>, void, undefined> {
    let cursor = options.cursor;
    const seen = new Set<string>();
    for (;;) {
      const page = await this.#fetch(cursor, this.#signal);
      yield page;
      if (page.nextCursor === undefined) return;
      // A vendor that hands back a cursor already used would loop forever; stop it.
      if (seen.has(page.nextCursor)) {
        throw new ResponseValidationError('The vendor returned a page cursor it had already returned', {
          field: 'nextCursor',
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
