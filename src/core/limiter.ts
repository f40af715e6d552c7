import { ValidationError } from './errors.js';
import { SpacedLimiter } from './spaced-limiter.js';

/** A rate limit: at most `requests` per `perMs` milliseconds, and at most `maxConcurrent` in flight. */
export interface RateLimit {
  requests: number;
  perMs: number;
  /** Requests in flight at once (default 10). */
  maxConcurrent?: number;
}

/** `false` turns limiting off; an object overrides the provider's default. */
export type RateLimitOption = RateLimit | false;

/** Options of one {@link Limiter.schedule}. */
export interface ScheduleOptions {
  /**
   * The longest the task can run once started (an attempt's timeout, per-call `timeoutMs` included). A limiter
   * shared through Redis holds the task's slot at least this long, so a slot never expires under a running task.
   */
  maxRunMs?: number | undefined;
}

/** Runs tasks under a limit. Every attempt of every call (retries too) goes through `schedule`. */
export interface Limiter {
  schedule<T>(task: () => Promise<T>, options?: ScheduleOptions): Promise<T>;
}

const unlimited: Limiter = { schedule: (task) => task() };

/** Limiters per key (provider + hash of the credential), so clients sharing a credential share a limit. */
const limiters = new Map<string, { limiter: Limiter; signature: string }>();

/** Checks a rate-limit option; throws {@link ValidationError} for nonsense. */
export function validateRateLimit(option: RateLimitOption | undefined): void {
  if (option === undefined || option === false) return;
  const issues = [];
  if (!(Number.isFinite(option.requests) && option.requests > 0)) {
    issues.push({ path: 'rateLimit.requests', message: 'must be a positive number' });
  }
  if (!(Number.isFinite(option.perMs) && option.perMs > 0)) {
    issues.push({ path: 'rateLimit.perMs', message: 'must be a positive number of milliseconds' });
  }
  if (option.maxConcurrent !== undefined && !(Number.isInteger(option.maxConcurrent) && option.maxConcurrent > 0)) {
    issues.push({ path: 'rateLimit.maxConcurrent', message: 'must be a positive integer' });
  }
  if (issues.length) throw new ValidationError('Invalid rateLimit option', issues);
}

/**
 * The limiter for a key. Requests are spaced evenly (`minTime = perMs / requests`, at most 4 at once after a
 * pause) rather than let through in large bursts: spacing holds a vendor's "N per minute" whether it counts in
 * fixed or rolling windows, and needs no reservoir refresh timer. See spaced-limiter.ts for why this is not
 * bottleneck, and redis-limiter.ts for the same rules shared by a fleet.
 */
export function getLimiter(key: string, limit: RateLimitOption): Limiter {
  if (limit === false) return unlimited;
  const signature = `${limit.requests}/${limit.perMs}/${limit.maxConcurrent ?? 10}`;
  const existing = limiters.get(key);
  if (existing && existing.signature === signature) return existing.limiter;
  const limiter: Limiter = new SpacedLimiter({
    requests: limit.requests,
    perMs: limit.perMs,
    maxConcurrent: limit.maxConcurrent ?? 10,
  });
  limiters.set(key, { limiter, signature });
  return limiter;
}
