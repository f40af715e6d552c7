import type { z } from 'zod';
import { ResponseValidationError } from './errors.js';
import { scrubText, scrubValue } from './redact.js';

/** Where a vendor payload came from, for error messages. */
export interface WireContext {
  provider: string;
  operation: string;
  requestId?: string | undefined;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * The vendor's value as errors show it: scrubbed of every live client's secrets (and secret-named keys) first,
 * then cut to 120 characters. Never the other way round: a cut made first could keep the start of a secret that
 * the scrubber no longer recognises.
 */
function preview(value: unknown): unknown {
  if (typeof value === 'string') {
    const safe = scrubText(value);
    return safe.length > 120 ? `${safe.slice(0, 120)}...` : safe;
  }
  if (value === null || typeof value !== 'object') return value;
  const safe = scrubValue(value);
  const json = JSON.stringify(safe) ?? '';
  return json.length > 120 ? `${json.slice(0, 120)}...` : safe;
}

/**
 * Checks a vendor payload against a tolerant schema (only what the SDK reads). A payload that cannot be
 * understood is a {@link ResponseValidationError} naming the field and the vendor's value.
 */
export function parseWire<S extends z.ZodType>(schema: S, raw: unknown, what: string, ctx: WireContext): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  // Vendor keys are vendor text too.
  const field = scrubText(issue.path.map(String).join('.') || '(root)');
  const value = preview(valueAt(raw, issue.path));
  throw new ResponseValidationError(
    `${ctx.operation}: ${ctx.provider} sent a ${what} the SDK cannot read: ${field} ${issue.message} (got ${JSON.stringify(value) ?? 'undefined'})`,
    { provider: ctx.provider, operation: ctx.operation, requestId: ctx.requestId, field, value },
  );
}

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `YYYY-MM-DDTHH:MM:SS[.f]Z` with every field in range, as `toISOString()` would print it, built from the text
 * (a `Date` round trip cost several microseconds per field in the benchmarks); undefined for anything else,
 * including out-of-range fields, which `Date` rolls over (Feb 30 -> Mar 1) and the general path handles.
 */
function isoUtcFast(value: string): string | undefined {
  const m = ISO_UTC.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) {
    return undefined;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return undefined;
  const millis = `${m[7] ?? ''}000`.slice(0, 3);
  return `${value.slice(0, 19)}.${millis}Z`;
}

/**
 * Parses the date formats vendors actually send (date only, `Z`, offsets with or without a colon) into
 * ISO 8601 UTC. Empty values are null; a value that is not a date is a {@link ResponseValidationError}.
 */
export function vendorDate(value: unknown, field: string, ctx: WireContext): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') {
    // Fast path for what most vendors send: UTC ISO 8601, checked and printed without a Date.
    const utc = isoUtcFast(value);
    if (utc !== undefined) return utc;
    let s = value.trim();
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s = `${s}T00:00:00Z`;
    // "2020-12-01T13:20:13.153-0700": add the colon JavaScript needs.
    s = s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
    // No zone at all: vendors mean UTC.
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = `${s}Z`;
    if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
      const d = new Date(s);
      if (!Number.isNaN(d.getTime())) return d.toISOString();
    }
  }
  throw new ResponseValidationError(
    `${ctx.operation}: ${ctx.provider} sent ${field} that is not a date (got ${JSON.stringify(preview(value))})`,
    { provider: ctx.provider, operation: ctx.operation, requestId: ctx.requestId, field, value: preview(value) },
  );
}

/** Maps a vendor enum value through a table; anything else is `unknown` (the raw value is kept by the caller). */
export function mapEnum<T extends string>(value: unknown, table: Record<string, T>, fallback: T): T {
  if (typeof value !== 'string') return fallback;
  return table[value] ?? table[value.toLowerCase()] ?? fallback;
}

/** A seat count from a vendor (numbers or numeric strings); anything else is a {@link ResponseValidationError}. */
export function vendorQuantity(value: unknown, field: string, ctx: WireContext): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0) return n;
  throw new ResponseValidationError(
    `${ctx.operation}: ${ctx.provider} sent ${field} that is not a seat count (got ${JSON.stringify(preview(value))})`,
    { provider: ctx.provider, operation: ctx.operation, requestId: ctx.requestId, field, value: preview(value) },
  );
}
