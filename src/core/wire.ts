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
  // Fast path (issue 21): a structural guard compiled once from the schema says the payload passes unchanged;
  // anything it cannot vouch for goes through zod, so errors are zod's, as before.
  const guard = guardOf(schema);
  if (guard?.(raw)) return raw as z.infer<S>;
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

/** A check that a value passes a schema unchanged (so the schema's output would equal the value). */
type Guard = (value: unknown) => boolean;

/** Compiled guards per schema; null where the schema has parts a guard cannot vouch for. */
const guards = new WeakMap<object, Guard | null>();

/** The guard of `schema`, compiled on first use (see {@link compileGuard}). */
export function guardOf(schema: z.ZodType): Guard | null {
  let guard = guards.get(schema);
  if (guard === undefined) {
    guard = compileGuard(schema);
    guards.set(schema, guard);
  }
  return guard;
}

/** zod's internal definition of a schema: only what {@link compileGuard} reads. */
interface Def {
  type: string;
  checks?: { _zod: { def: { check: string; minimum?: number } } }[];
  coerce?: boolean;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/**
 * A structural guard equivalent to `schema.safeParse(v).success` for values the schema returns unchanged, or null
 * when the schema has anything else: transforms, coercion, defaults, refinements, checks other than a string's
 * minimum length, or objects that strip or refuse unknown keys (their output differs from their input). Only
 * loose objects, strings, finite numbers, booleans, unknown, optional, nullable, unions and arrays of those are
 * compiled; `test/core/wire-guard.test.ts` checks the guard against zod on generated payloads.
 */
export function compileGuard(schema: z.ZodType): Guard | null {
  const def = defOf(schema);
  if (def.coerce) return null;
  const checks = def.checks ?? [];
  switch (def.type) {
    case 'string': {
      let min = 0;
      for (const c of checks) {
        const cd = c._zod.def;
        if (cd.check !== 'min_length' || typeof cd.minimum !== 'number') return null;
        min = Math.max(min, cd.minimum);
      }
      return min === 0 ? (v) => typeof v === 'string' : (v) => typeof v === 'string' && v.length >= min;
    }
    case 'number':
      return checks.length ? null : (v) => typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return checks.length ? null : (v) => typeof v === 'boolean';
    case 'unknown':
    case 'any':
      return checks.length ? null : () => true;
    case 'optional':
    case 'nullable': {
      const inner = checks.length || !def.innerType ? null : compileGuard(def.innerType);
      if (!inner) return null;
      return def.type === 'optional' ? (v) => v === undefined || inner(v) : (v) => v === null || inner(v);
    }
    case 'union': {
      if (checks.length || !def.options) return null;
      const options: Guard[] = [];
      for (const o of def.options) {
        const g = compileGuard(o);
        if (!g) return null;
        options.push(g);
      }
      return (v) => options.some((g) => g(v));
    }
    case 'array': {
      const element = checks.length || !def.element ? null : compileGuard(def.element);
      if (!element) return null;
      return (v) => Array.isArray(v) && v.every((item) => element(item));
    }
    case 'object': {
      // Only loose objects (unknown keys kept as they are): a stripping or strict object changes or refuses them.
      if (checks.length || !def.catchall || defOf(def.catchall).type !== 'unknown' || !def.shape) return null;
      // zod refuses an absent key unless its schema is optional (`in`, as zod checks presence).
      const fields: { key: string; guard: Guard; required: boolean }[] = [];
      for (const [key, field] of Object.entries(def.shape)) {
        const guard = compileGuard(field);
        const { optin, optout } = (field as unknown as { _zod: { optin?: string; optout?: string } })._zod;
        if (!guard || (optin !== undefined && (optin !== 'optional' || optout !== 'optional'))) return null;
        fields.push({ key, guard, required: optin === undefined });
      }
      return (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
        const o = v as Record<string, unknown>;
        for (let i = 0; i < fields.length; i++) {
          const f = fields[i]!;
          if (f.required ? !(f.key in o) || !f.guard(o[f.key]) : !f.guard(o[f.key])) return false;
        }
        return true;
      };
    }
    default:
      return null;
  }
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `YYYY-MM-DDTHH:MM:SS[.f]Z` with every field in range, as `toISOString()` would print it, built from the text
 * (a `Date` round trip cost several microseconds per field in the benchmarks); undefined for anything else,
 * including out-of-range fields, which `Date` rolls over (Feb 30 -> Mar 1) and the general path handles.
 */
function isoUtcFast(value: string): string | undefined {
  // Character codes, not a regular expression with captures: this runs for every date of every record.
  const n = value.length;
  if (n < 20 || value.charCodeAt(n - 1) !== 90 /* Z */) return undefined;
  if (!ISO_UTC.test(value)) return undefined;
  const two = (i: number) => (value.charCodeAt(i) - 48) * 10 + value.charCodeAt(i + 1) - 48;
  const year = two(0) * 100 + two(2);
  const month = two(5);
  const day = two(8);
  if (month < 1 || month > 12 || day < 1 || two(11) > 23 || two(14) > 59 || two(17) > 59) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return undefined;
  // Fraction digits (up to 9) between "." at 19 and the final Z: the first three are the milliseconds.
  const millis = n > 20 ? `${value.slice(20, n - 1)}000`.slice(0, 3) : '000';
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
