import { ValidationError, type ValidationIssue } from './errors.js';

/**
 * Bounds on what one client may spend on one call or listing, so a misbehaving or hostile vendor answer cannot
 * exhaust memory, loop forever or hold a caller for ever. Every field has a documented default
 * (docs/reliability.md, "Limits").
 */
export interface ClientLimits {
  /**
   * Largest response body read, in bytes, counted after decompression (so a gzip bomb stops at the cap too).
   * Reading stops as soon as the cap is passed and the call fails with `ResponseTooLargeError`.
   * Default 32 MiB ({@link DEFAULT_MAX_RESPONSE_BYTES}).
   */
  maxResponseBytes?: number | undefined;
  /**
   * Most pages one listing (`for await` / `byPage()`) fetches; the next page fails with `PagingLimitError`
   * instead of being dropped silently. Default 10 000 ({@link DEFAULT_MAX_PAGES}).
   */
  maxPages?: number | undefined;
  /**
   * Overall deadline of one call in ms: token acquisition, every attempt and every backoff wait together (time
   * spent queued behind the client's own rate limit is not counted). Past it the call fails with
   * `DeadlineExceededError`. Default: the larger of 120 000 and 2 x `timeoutMs` .
   */
  deadlineMs?: number | undefined;
}

/** 32 MiB: 100x the largest listing page the SDK asks for (a 1,000-item page is ~1-3 MB of JSON). */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** 10 000 pages: 2 million items at Pax8's page size of 200, above any reseller account we know of. */
export const DEFAULT_MAX_PAGES = 10_000;
/** The deadline when `timeoutMs` is the default 30 s. */
export const DEFAULT_DEADLINE_MS = 120_000;

/** The default deadline for a per-attempt timeout: 120 s, or 2 x `timeoutMs` when that is longer. */
export function defaultDeadlineMs(timeoutMs: number): number {
  return Math.max(DEFAULT_DEADLINE_MS, 2 * timeoutMs);
}

/** Limits with every default filled in. */
export interface ResolvedLimits {
  maxResponseBytes: number;
  maxPages: number;
  deadlineMs: number;
}

/** Checks the `limits` option; throws {@link ValidationError} naming every bad field (before any network call). */
export function validateLimits(limits: unknown): void {
  if (limits === undefined) return;
  if (limits === null || typeof limits !== 'object' || Array.isArray(limits)) {
    throw new ValidationError('Invalid limits option: must be an object', [
      { path: 'limits', message: 'must be an object' },
    ]);
  }
  const issues: ValidationIssue[] = [];
  const known = ['maxResponseBytes', 'maxPages', 'deadlineMs'];
  for (const key of Object.keys(limits)) {
    if (!known.includes(key))
      issues.push({ path: `limits.${key}`, message: `unknown limit (known: ${known.join(', ')})` });
  }
  const l = limits as Record<string, unknown>;
  const positiveInt = (key: string) => {
    const v = l[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isSafeInteger(v) && v > 0)) {
      issues.push({ path: `limits.${key}`, message: 'must be a positive whole number' });
    }
  };
  positiveInt('maxResponseBytes');
  positiveInt('maxPages');
  const d = l.deadlineMs;
  if (d !== undefined && !(typeof d === 'number' && Number.isFinite(d) && d > 0)) {
    issues.push({ path: 'limits.deadlineMs', message: 'must be a positive number of milliseconds' });
  }
  if (issues.length) {
    throw new ValidationError(
      `Invalid limits option: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
}

/** Validates `limits` and fills in the defaults (the deadline's from `timeoutMs`). */
export function resolveLimits(limits: ClientLimits | undefined, timeoutMs: number): ResolvedLimits {
  validateLimits(limits);
  return {
    maxResponseBytes: limits?.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    maxPages: limits?.maxPages ?? DEFAULT_MAX_PAGES,
    deadlineMs: limits?.deadlineMs ?? defaultDeadlineMs(timeoutMs),
  };
}
