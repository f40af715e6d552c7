import pRetry from 'p-retry';
import { MarketplaceError, RateLimitError, ValidationError } from './errors.js';
import type { EventHub } from './events.js';
import { sleep } from './sleep.js';

/** Retry settings for reads (writes are never retried blindly; see write-safety.ts). */
export interface RetryOptions {
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** First backoff delay in ms (default 500); doubled per attempt with full jitter. */
  baseDelayMs?: number;
  /** Longest backoff delay in ms (default 30 000). */
  maxDelayMs?: number;
  /** Longest Retry-After the SDK waits; a longer one fails the call at once (default 120 000). */
  maxRetryAfterMs?: number;
}

/** How a request may be retried. */
export type RetryPolicy =
  /** Reads: network errors, timeouts, 408, 429 and 5xx are retried. */
  | 'read'
  /** Writes made idempotent by the vendor (e.g. Partner Center `MS-RequestId`): retried like reads. */
  | 'idempotent-write'
  /** Writes: only failures that prove nothing was applied (429, and the 401 token refresh) are retried. */
  | 'write'
  /**
   * Non-idempotent orders (issue 15, added by the vendor money-safety work): never sent twice, not even after a
   * 429 or a 401 (a vendor or a proxy may answer those after the order was placed). The 401 still evicts the token.
   */
  | 'never';

/** Checks a retry option; throws {@link ValidationError} for nonsense. */
export function validateRetryOptions(options: RetryOptions | undefined): void {
  if (!options) return;
  const issues = [];
  for (const key of ['retries', 'baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    const v = options[key];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && !Number.isNaN(v))) {
      issues.push({ path: `retry.${key}`, message: 'must be a non-negative number' });
    }
  }
  if (issues.length) throw new ValidationError('Invalid retry option', issues);
}

/** Marks an attempt that failed only because the token was stale; retried once for any policy. */
export class StaleTokenSignal extends Error {
  constructor(readonly original: MarketplaceError) {
    super(original.message);
  }
}

/**
 * Wraps an error that ends the call at once, whatever the policy: a failed token request (it had its own
 * retries; retrying the call would multiply them) or the deadline passing while waiting for a token.
 */
export class NoRetrySignal extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
  }
}

/** A call's deadline (`performance.now()` clock); the transport moves it later by the time spent queued. */
export interface CallDeadline {
  at: number;
}

/** Whether `error` may be retried under `policy`. */
export function isRetryable(error: unknown, policy: RetryPolicy): boolean {
  if (!(error instanceof MarketplaceError) || !error.retryable || policy === 'never') return false;
  if (policy === 'write') return error instanceof RateLimitError;
  return true;
}

/** Full-jitter exponential backoff. */
export function backoffDelay(retry: number, base: number, max: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(max, base * 2 ** retry));
}

/**
 * Runs `attempt` with p-retry as the only retry owner. The delay before the next attempt is decided from
 * the typed error (Retry-After when given, else jittered backoff) and slept at the start of that attempt,
 * outside the limiter, so waiting never holds a limiter slot.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  ctx: {
    policy: RetryPolicy;
    options: RetryOptions;
    events: EventHub;
    provider: string;
    operation: string;
    requestId: string;
    signal?: AbortSignal | undefined;
    /** No retry is started whose wait would end past this deadline. */
    deadline?: CallDeadline | undefined;
  },
): Promise<T> {
  const retries = ctx.options.retries ?? 4;
  const base = ctx.options.baseDelayMs ?? 500;
  const max = ctx.options.maxDelayMs ?? 30_000;
  const maxRetryAfter = ctx.options.maxRetryAfterMs ?? 120_000;
  let pendingDelay = 0;
  let refreshedToken = false;
  let backoffs = 0;

  // Fast path: the first attempt runs without p-retry (it cost a fifth of the SDK's own CPU per call; see
  // docs/performance.md). A failure is handed to p-retry as its attempt 1, so retry decisions are unchanged.
  ctx.signal?.throwIfAborted();
  let firstFailure: { error: unknown } | undefined;
  try {
    const result = await attempt(1);
    ctx.signal?.throwIfAborted();
    return result;
  } catch (error) {
    if (error instanceof NoRetrySignal) throw error.original;
    firstFailure = { error };
  }

  return pRetry(
    async (n) => {
      if (n === 1) throw firstFailure.error;
      if (pendingDelay > 0) {
        const d = pendingDelay;
        pendingDelay = 0;
        await sleep(d, ctx.signal);
      }
      return attempt(n);
    },
    {
      // One extra try is reserved for the 401 token refresh, which must not eat into the read budget.
      retries: retries + 1,
      minTimeout: 0,
      factor: 1,
      signal: ctx.signal,
      shouldConsumeRetry: () => true,
      shouldRetry: ({ error, attemptNumber }) => {
        let delay: number;
        let reason: string;
        let status: number | undefined;
        if (error instanceof NoRetrySignal) throw error.original;
        if (error instanceof StaleTokenSignal) {
          // 'never': the token was evicted (AuthHandler.refused) but the order is not sent again.
          if (refreshedToken || ctx.policy === 'never') throw error.original;
          refreshedToken = true;
          delay = 0;
          reason = 'token refused (401): fetched a new token';
          status = 401;
        } else {
          if (!isRetryable(error, ctx.policy) || backoffs >= retries) return false;
          const e = error as MarketplaceError;
          if (e.retryAfterMs !== undefined && e.retryAfterMs > maxRetryAfter) return false;
          delay = e.retryAfterMs ?? backoffDelay(backoffs, base, max);
          backoffs += 1;
          reason = `${e.kind}: ${e.message}`;
          status = e.status;
        }
        // The call's deadline covers backoff waits: a retry that could only start after it is not started.
        if (ctx.deadline && performance.now() + delay >= ctx.deadline.at) return false;
        pendingDelay = delay;
        ctx.events.emit('retry', {
          provider: ctx.provider,
          operation: ctx.operation,
          requestId: ctx.requestId,
          attempt: attemptNumber,
          delayMs: delay,
          reason,
          status,
        });
        return true;
      },
    },
  ).catch((error: unknown) => {
    throw error instanceof StaleTokenSignal || error instanceof NoRetrySignal ? error.original : error;
  });
}
