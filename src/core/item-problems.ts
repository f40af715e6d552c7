/**
 * Tolerant records, strict pages (issue #17): a vendor record the SDK cannot fully read is returned flagged with
 * `problems` (and its `raw`), never dropped and never failing its page. Mappers read the fields they cannot trust
 * through an {@link ItemReader}; clients report each flagged record once with {@link reportFlagged}; writes that
 * would be driven by an unreadable field are refused with {@link unreadableForSeats}.
 */
import type * as z from 'zod';
import type { ItemProblem } from '../model/common.js';
import { ResponseValidationError, ValidationError } from './errors.js';
import type { SdkEvents } from './events.js';
import { type WireContext, guardOf, parseWire, vendorDate, vendorQuantity } from './wire.js';
import { scrubText, scrubValueWith } from './redact.js';

/** What a vendor value looked like, in words that carry none of its content. */
function shapeOf(value: unknown): string {
  if (value === undefined || value === null || value === '') return 'missing';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'not a finite number';
    if (value < 0) return 'negative';
    return Number.isInteger(value) ? 'a number' : 'a fraction';
  }
  if (typeof value === 'string') {
    const n = Number(value.trim());
    if (value.trim() !== '' && Number.isFinite(n)) return n < 0 ? 'negative (text)' : 'a fraction (text)';
    return 'text that is not a number';
  }
  return Array.isArray(value) ? 'a list' : typeof value;
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return [...value];
  if (value !== null && typeof value === 'object') return { ...(value as Record<PropertyKey, unknown>) };
  return value;
}

/** A copy of `root` with the value at `path` removed (objects and arrays along the path are copied). */
function without(root: unknown, path: readonly PropertyKey[]): unknown {
  if (path.length === 0) return undefined;
  const top = clone(root) as Record<PropertyKey, unknown>;
  let node = top;
  for (let i = 0; i < path.length - 1; i++) {
    const next = node[path[i]!];
    if (next === null || typeof next !== 'object') return top;
    const copy = clone(next) as Record<PropertyKey, unknown>;
    node[path[i]!] = copy;
    node = copy;
  }
  delete node[path.at(-1)!];
  return top;
}

/**
 * Reads one vendor record tolerantly and collects what it could not read. Every method returns a placeholder
 * (null date, 0 seats, empty id) and records an {@link ItemProblem} instead of throwing.
 */
export class ItemReader {
  readonly #problems: ItemProblem[] = [];
  readonly #ctx: WireContext;

  constructor(ctx: WireContext) {
    this.#ctx = ctx;
  }

  /** The problems collected so far. */
  get problems(): readonly ItemProblem[] {
    return this.#problems;
  }

  /** Records a problem on a field (once per field). */
  add(field: string, message: string): void {
    if (!this.#problems.some((p) => p.field === field)) this.#problems.push({ field, message });
  }

  /**
   * Parses a record against a tolerant wire schema. A value that does not fit is dropped (and recorded under its
   * vendor path) so the rest still parses; the schema must accept `{}` (every field optional) for a record that
   * is not an object at all to be returned flagged. A schema that does not is the strict read ({@link parseWire}).
   */
  parse<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
    // Fast path (issue 21, core/wire.ts): a payload the schema's compiled guard vouches for passes unchanged.
    const guard = guardOf(schema);
    if (guard?.(raw)) return raw as z.infer<S>;
    let value = raw;
    const dropped = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const r = schema.safeParse(value);
      if (r.success) return r.data;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) break;
      let progressed = false;
      for (const issue of r.error.issues) {
        if (issue.path.length === 0) continue;
        const key = issue.path.map(String).join('.');
        // A required value dropped once and still missing: drop what holds it.
        const path = dropped.has(key) ? issue.path.slice(0, -1) : issue.path;
        if (path.length === 0) continue;
        this.add(key, `${key} ${issue.message.replace(/^Invalid input: /, '')}`);
        dropped.add(path.map(String).join('.'));
        value = without(value, path);
        progressed = true;
      }
      if (!progressed) break;
    }
    const empty = schema.safeParse({});
    if (!empty.success) return parseWire(schema, raw, what, this.#ctx);
    this.add('(root)', `the ${what} is ${shapeOf(raw) === 'object' ? 'an object the SDK cannot read' : shapeOf(raw)}`);
    return empty.data;
  }

  /** A vendor date as ISO 8601 UTC; null (and a problem on `field`) when it is not a date. */
  date(value: unknown, field: string, vendorField: string = field): string | null {
    try {
      return vendorDate(value, vendorField, this.#ctx);
    } catch (error) {
      if (!(error instanceof ResponseValidationError)) throw error;
      this.add(field, `${vendorField} is not a date`);
      return null;
    }
  }

  /** A seat count; 0 (and a problem on `field`) when it is missing, negative or not a whole number. */
  quantity(value: unknown, field: string, vendorField: string = field): number {
    try {
      return vendorQuantity(value, vendorField, this.#ctx);
    } catch (error) {
      if (!(error instanceof ResponseValidationError)) throw error;
      this.add(field, `${vendorField} is not a seat count (${shapeOf(value)})`);
      return 0;
    }
  }

  /** A record id (strings, or numbers some vendors send); '' (and a problem on `field`) when missing. */
  id(value: unknown, field: string, vendorField: string = field): string {
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    this.add(field, `${vendorField} is ${shapeOf(value) === 'missing' ? 'missing' : `not an id (${shapeOf(value)})`}`);
    return '';
  }

  /** The record, with `problems` when any were found (a fully read record has no `problems` key). */
  finish<T extends object>(record: T): T & { problems?: ItemProblem[] } {
    return this.#problems.length ? { ...record, problems: [...this.#problems] } : record;
  }
}

/** The normalized fields of a flagged record, or [] for a fully read one. */
export function flaggedFields(record: unknown): string[] {
  const problems = (record as { problems?: unknown } | null)?.problems;
  return Array.isArray(problems) ? problems.map((p: ItemProblem) => p.field) : [];
}

function nounOf(operation: string): string {
  if (/customer/i.test(operation)) return 'customer';
  if (/product/i.test(operation)) return 'product';
  if (/subscription|seats|cancel/i.test(operation)) return 'subscription';
  return 'record';
}

/** Whatever can emit a `warning` (a client's `events`). */
export interface WarningSink {
  emit(name: 'warning', event: SdkEvents['warning']): void;
}

/**
 * Replaces a flagged record's `raw` with a copy scrubbed of every live client's secrets. An answer the SDK cannot
 * read may be an echo or error body rather than the vendor's record (an echoed login, say); readable records keep
 * `raw` as sent.
 */
export function scrubFlaggedRaw(record: { raw?: unknown }): void {
  if (record.raw !== undefined) record.raw = scrubValueWith(scrubText, record.raw, 0, new WeakSet());
}

/** Flagged records already reported (and scrubbed): a record passed on by an outer pager is not reported again. */
const reported = new WeakSet<object>();

/**
 * Reports a flagged record once: true the first time (the caller scrubs and warns), false when a reader below
 * already did (e.g. a billing read's own report, then the provider's generic pager).
 */
export function firstReport(record: object): boolean {
  if (reported.has(record)) return false;
  reported.add(record);
  scrubFlaggedRaw(record as { raw?: unknown });
  return true;
}

/**
 * Emits one `warning` (code `record-unreadable`) per flagged record among `records`: provider, operation, record
 * id and the fields it could not read. No vendor value and no payload: the record itself carries `raw`.
 */
export function reportFlagged(events: WarningSink, ctx: WireContext, records: readonly unknown[], what?: string): void {
  const noun = what ?? nounOf(ctx.operation);
  for (const record of records) {
    const fields = flaggedFields(record);
    if (!fields.length || !firstReport(record as object)) continue;
    const id = (record as { id?: unknown }).id;
    events.emit('warning', {
      provider: ctx.provider,
      code: 'record-unreadable',
      message: `${ctx.operation}: ${noun} ${typeof id === 'string' && id ? id : '(without id)'} could not be fully read (${fields.join(', ')}); returned with problems and raw`,
    });
  }
}

/**
 * The refusal of a seat change on a subscription whose seat count (or id) the SDK could not read, or undefined.
 * A change computed from a placeholder could buy or drop seats nobody asked for, so nothing is sent.
 */
export function unreadableForSeats(
  sub: { id: string; problems?: readonly ItemProblem[] | undefined },
  provider: string,
  operation: string,
): ValidationError | undefined {
  const blocking = (sub.problems ?? []).filter((p) => p.field === 'quantity' || p.field === 'id');
  if (!blocking.length) return undefined;
  return new ValidationError(
    `${operation}: the subscription's ${blocking.map((p) => p.field).join(' and ')} could not be read from ${provider} (${blocking.map((p) => p.message).join('; ')}); nothing was sent`,
    blocking.map((p) => ({ path: p.field, message: p.message })),
    {
      provider,
      operation,
      code: 'RECORD_UNREADABLE',
      hint: "The vendor's record could not be read (see the subscription's `problems` and `raw`): check it in the vendor's portal and change the seats there, or retry once the vendor returns a readable record.",
    },
  );
}

/** The vendor record as an object to read fields from ({} when it is not one: its fields are then all missing). */
export function fieldsOf(raw: unknown): Record<string, unknown> {
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}

/**
 * For a write's answer (not a listing): a record the SDK could not fully read proves nothing about the outcome, so
 * it is a {@link ResponseValidationError} as before issue 17 — the write flows then settle by re-reading.
 */
export function readableAnswer<T extends { problems?: readonly ItemProblem[] | undefined }>(
  record: T,
  ctx: WireContext,
): T {
  const fields = flaggedFields(record);
  if (!fields.length) return record;
  throw new ResponseValidationError(
    `${ctx.operation}: ${ctx.provider} answered with a subscription the SDK cannot fully read (${fields.join(', ')})`,
    { provider: ctx.provider, operation: ctx.operation, requestId: ctx.requestId, field: fields[0] },
  );
}

/**
 * A customer returned flagged without an id (`id: ''`) cannot be addressed: listing "its" subscriptions with an
 * empty filter would list everybody's. Refused before any request.
 */
export function refuseEmptyCustomerId(customerId: string | undefined, provider: string, operation: string): void {
  if (customerId === undefined || customerId.trim() !== '') return;
  throw new ValidationError(
    `${operation}: customerId is empty`,
    [{ path: 'customerId', message: 'must not be empty' }],
    {
      provider,
      operation,
      hint: 'A customer listed with id "" was returned flagged (see its problems): it cannot be addressed. Omit customerId to list every customer.',
    },
  );
}
