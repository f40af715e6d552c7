import type { ItemProblem, Money } from '../model/common.js';
import type { EventHub } from './events.js';
import { type Page, PagedList, type PagedListOptions } from './pagination.js';
import { firstReport } from './item-problems.js';
import { scrubText } from './redact.js';

/**
 * Tolerant readers for billing records (issue 18). A billing line the SDK cannot fully read is still returned with
 * what could be read (odd fields null, the vendor payload in `raw`) and reported once as a `warning` event: one odd
 * line never fails its page, and nothing is dropped silently.
 */
export class RecordReader {
  /** What could not be read, one short text per field. */
  readonly problems: string[] = [];
  /** The record as an object (`{}` when the vendor sent something else, which is itself a problem). */
  readonly record: Record<string, unknown>;

  constructor(raw: unknown) {
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
      this.record = raw as Record<string, unknown>;
    } else {
      this.record = {};
      this.problems.push(`the record is not an object (got ${typeof raw === 'object' ? 'array or null' : typeof raw})`);
    }
  }

  /** The value at a key path (`a.b`), undefined when absent. */
  get(path: string): unknown {
    let v: unknown = this.record;
    for (const key of path.split('.')) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[key];
    }
    return v;
  }

  /** A non-empty string (numbers are written as text); null when absent; a problem for anything else. */
  text(path: string): string | null {
    const v = this.get(path);
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return v.trim() === '' ? null : v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    this.problems.push(`${path} is not text`);
    return null;
  }

  /** A finite number (numeric strings too, `1,234.50` included); null when absent; a problem for anything else. */
  number(path: string): number | null {
    const v = this.get(path);
    if (v === undefined || v === null || v === '') return null;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string') {
      const n = Number(v.trim().replace(/,/g, ''));
      if (v.trim() !== '' && Number.isFinite(n)) return n;
    }
    this.problems.push(`${path} is not a number`);
    return null;
  }

  /** A boolean (`true`/`false` text too); null when absent; a problem for anything else. */
  boolean(path: string): boolean | null {
    const v = this.get(path);
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    this.problems.push(`${path} is not true or false`);
    return null;
  }

  /**
   * A date: `YYYY-MM-DD` stays as it is (a billing day has no time zone); a date-time becomes ISO 8601 UTC
   * (offsets with or without a colon, no zone read as UTC). Null when absent; a problem for anything else.
   */
  date(path: string): string | null {
    const v = this.get(path);
    if (v === undefined || v === null || v === '') return null;
    const d = normalizeDate(v);
    if (d === undefined) this.problems.push(`${path} is not a date`);
    return d ?? null;
  }
}

/** `YYYY-MM-DD` as is; a date-time as ISO UTC; undefined when the value is not a date. */
export function normalizeDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let s = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    return Number.isNaN(Date.parse(`${s}T00:00:00Z`)) ? undefined : s;
  }
  s = s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = `${s}Z`;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** An amount with its currency, or null when the amount is unknown (a currency alone says nothing). */
export function money(amount: number | null, currency: string | null): Money | null {
  return amount === null ? null : { amount, currency };
}

/** The `YYYY-MM-DD` day of a date or date-time text (UTC), or null. */
export function dayOf(value: string | null): string | null {
  if (value === null) return null;
  return /^\d{4}-\d{2}-\d{2}/.exec(value)?.[0] ?? null;
}

/** Whether a day (`YYYY-MM-DD`, or a date-time) lies in a `from`/`to` range of days (ends included, open ends). */
export function inDayRange(
  value: string | null,
  range: { from?: string | undefined; to?: string | undefined },
): boolean {
  if (range.from === undefined && range.to === undefined) return true;
  const day = dayOf(value);
  if (day === null) return true; // unknown dates are kept: never drop a record silently
  if (range.from !== undefined && day < range.from) return false;
  if (range.to !== undefined && day > range.to) return false;
  return true;
}

/** The vendor field a problem text starts with (`unitPrice is not a number` -> `unitPrice`), or `record`. */
function fieldOfProblem(message: string): string {
  const head = /^([A-Za-z_][\w.]*)(?::| is | has )/.exec(message);
  return head?.[1] ?? 'record';
}

/**
 * Reports a record read with problems as one `warning` event (`code: 'odd-record'`), naming the record and what
 * could not be read. The vendor's text is scrubbed of secrets.
 */
export function reportOddRecord(
  events: EventHub,
  provider: string,
  operation: string,
  what: string,
  id: string | null,
  problems: readonly string[],
  record?: unknown,
): void {
  if (problems.length === 0) return;
  // The record itself is flagged as the subscription mappers flag theirs (model `problems`), and its raw scrubbed;
  // reported here once (a provider's generic pager that sees the flag does not report it again).
  if (record !== null && typeof record === 'object') {
    (record as { problems?: ItemProblem[] }).problems = problems.map((message) => ({
      field: fieldOfProblem(message),
      message,
    }));
    if (!firstReport(record)) return;
  }
  events.emit('warning', {
    provider,
    code: 'odd-record',
    message: scrubText(
      `${operation}: ${provider} sent ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}${id ? ` (${id})` : ''} the SDK could only partly read: ${problems.join('; ')}; it is returned with those fields empty and the vendor's payload in raw`,
    ),
  });
}

/** A stand-in id for a record the vendor sent without one, stable within the page (`<what>#<page>.<index>`). */
export function missingId(what: string, position: string): string {
  return `(no ${what} id: ${position})`;
}

/** One page a billing generator yields. */
export interface YieldedPage<T> {
  items: T[];
  total?: number | undefined;
}

/**
 * A lazy {@link PagedList} over nested vendor listings (e.g. the usage of each subscription of a customer, page by
 * page): `make` yields the pages in order. The cursor is the page number; iterating goes on with the same
 * generator, and resuming from a cursor of another iteration walks the listing again up to it (re-reading those
 * pages, never skipping or repeating an item).
 */
export function sequentialPages<T>(
  make: (signal: AbortSignal | undefined) => AsyncGenerator<YieldedPage<T>, void, undefined>,
  signal: AbortSignal | undefined,
  limits: PagedListOptions,
): PagedList<T> {
  let live: { gen: AsyncGenerator<YieldedPage<T>, void, undefined>; next: number } | undefined;
  return new PagedList<T>(async (cursor, sig): Promise<Page<T>> => {
    const want = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isInteger(want) || want < 0) throw new Error(`Invalid page cursor ${cursor}`);
    if (live === undefined || live.next !== want) {
      live = { gen: make(sig), next: 0 };
      while (live.next < want) {
        const skipped = await live.gen.next();
        if (skipped.done) return { items: [], nextCursor: undefined };
        live.next += 1;
      }
    }
    const step = await live.gen.next();
    if (step.done) {
      live = undefined;
      return { items: [], nextCursor: undefined };
    }
    live.next += 1;
    // Looking one page ahead would cost a request; an empty last page ends the listing instead.
    return { items: step.value.items, nextCursor: String(live.next), total: step.value.total };
  }, signal).withLimits(limits);
}
