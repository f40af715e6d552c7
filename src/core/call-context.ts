/**
 * Per-call options (issue 19): `timeoutMs`, `retry`, `headers` and `onResponse` on any client call, carried from
 * the public boundary down to the transport without threading a new parameter through every provider.
 *
 * How it travels: every provider already forwards the call's `signal` to each request it makes (cancellation
 * depends on it). When a call carries per-call options, the public boundary (core/secret-boundary.ts) gives it a
 * signal of its own that follows the caller's, and registers the options under that signal; the transport looks
 * them up by the request's signal. No AsyncLocalStorage (on Node 20 it installs promise hooks that slow every
 * promise of the process once used), nothing at all for a call without per-call options.
 *
 * Requests a call makes without its signal are not affected: the token request (shared by every waiting call)
 * and the reads write safety makes after an ambiguous failure (they must not be cut short by the call's abort).
 */
import { ValidationError, type ValidationIssue } from './errors.js';
import { followSignal, unfollowSignal } from './follow-signal.js';
import { SENSITIVE_KEY } from './redact.js';
import type { RetryOptions } from './retry.js';

/** What {@link CallOptions.onResponse} receives for each HTTP response of a call (every attempt, any status). */
export interface ResponseInfo {
  /** The SDK operation (`getSubscription`, `listSubscriptions`, `request`, ...). */
  operation: string;
  method: string;
  /** The URL requested, with every secret the client knows replaced by `[REDACTED]`. */
  url: string;
  status: number;
  /**
   * Response headers, lower-case names. Credential-bearing ones (`set-cookie`, `authorization`, subscription keys,
   * tokens, ...) read `[REDACTED]`, and every value has the client's secrets replaced.
   */
  headers: Record<string, string>;
  /** The vendor's request or correlation id, when it sent one (what its support asks for). */
  vendorRequestId: string | undefined;
  /** The SDK's id of the call (the same on every attempt; sent to vendors that accept one). */
  requestId: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
  /** Time from sending to the response headers and body, in ms. */
  durationMs: number;
}

/** Retry settings of one call; `false` sends it once. Order safety wins: a purchase is never resent. */
export type CallRetryOption = false | Pick<RetryOptions, 'retries' | 'baseDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs'>;

/**
 * Options every client call accepts (reads, listings and writes), beside `signal`. They apply to the requests the
 * call itself sends (for a listing: every page), not to the token request, nor to the reads write safety makes
 * after an ambiguous failure.
 */
export interface CallOptions {
  /**
   * Timeout of each attempt of this call in ms, instead of the client's `timeoutMs`. The call's overall deadline
   * (`limits.deadlineMs`) still applies: an attempt never runs past it.
   */
  timeoutMs?: number | undefined;
  /**
   * Retries of this call: `false` (send once) or `{ retries, baseDelayMs, maxDelayMs, maxRetryAfterMs }` over the
   * client's `retry`. Only what the call's write-safety policy allows is retried: reads on any transient failure,
   * writes only on answers that prove nothing was applied (429), and purchases never (`purchase` refuses a
   * `retry` that asks for retries). A refused token (401) is still refreshed once.
   */
  retry?: CallRetryOption | undefined;
  /**
   * Extra request headers (e.g. a tracing header). Credentials, the vendor's keys and hop-by-hop headers cannot be
   * set or overridden (`ValidationError` before anything is sent), nor can a header the SDK sets for the vendor.
   */
  headers?: Record<string, string> | undefined;
  /**
   * Called with each HTTP response of the call (every attempt, errors included), before the result is returned:
   * status, scrubbed headers, the vendor's request id, method, scrubbed URL and attempt. An exception it throws is
   * ignored (an observer cannot change the outcome of a vendor call).
   */
  onResponse?: ((info: ResponseInfo) => void) | undefined;
}

/** The keys of {@link CallOptions}, for the strict option key sets (core/options/call-options.ts). */
export const CALL_OPTION_KEY_RECORD = { timeoutMs: true, retry: true, headers: true, onResponse: true } as const;

/** A call's validated per-call options, as the transport uses them. */
export interface CallContext {
  timeoutMs?: number | undefined;
  retry?: CallRetryOption | undefined;
  /** Lower-cased names. */
  headers?: Record<string, string> | undefined;
  onResponse?: ((info: ResponseInfo) => void) | undefined;
}

/** Contexts by the signal the boundary gave the call (weak: a finished call's context goes with its signal). */
const contexts = new WeakMap<AbortSignal, CallContext>();

/** The per-call options of the call that owns `signal`, if any. */
export function callContextOf(signal: AbortSignal | undefined): CallContext | undefined {
  return signal === undefined ? undefined : contexts.get(signal);
}

/**
 * Headers a caller may never set: credentials (also any name that looks like one, see `SENSITIVE_KEY`), the
 * vendors' key headers, and hop-by-hop or framing headers that fetch owns.
 */
const REFUSED_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'ocp-apim-subscription-key',
  'x-subscription-key',
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'expect',
]);

/** An HTTP header name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Whether `options` carries any per-call option (so the call needs a context). */
export function hasCallOptions(options: unknown): options is CallOptions {
  if (typeof options !== 'object' || options === null) return false;
  const o = options as Record<string, unknown>;
  return o.timeoutMs !== undefined || o.retry !== undefined || o.headers !== undefined || o.onResponse !== undefined;
}

/** Validates per-call options; throws `ValidationError` naming every problem (before any request). */
export function checkCallContext(options: CallOptions, operation: string, provider?: string): CallContext {
  const issues: ValidationIssue[] = [];
  const { timeoutMs, retry, headers, onResponse } = options;
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    issues.push({ path: 'timeoutMs', message: 'must be a positive number of milliseconds' });
  }
  if (retry !== undefined && retry !== false) {
    if (typeof retry !== 'object' || retry === null || Array.isArray(retry)) {
      issues.push({ path: 'retry', message: 'must be false or an object such as { retries: 2 }' });
    } else {
      for (const [key, v] of Object.entries(retry)) {
        if (v === undefined) continue;
        if (!['retries', 'baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'].includes(key)) {
          issues.push({
            path: `retry.${key}`,
            message: 'unknown retry option (known: retries, baseDelayMs, maxDelayMs, maxRetryAfterMs)',
          });
        } else if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
          issues.push({ path: `retry.${key}`, message: 'must be a non-negative number' });
        } else if (key === 'retries' && !Number.isInteger(v)) {
          issues.push({ path: 'retry.retries', message: 'must be a whole number' });
        }
      }
    }
  }
  let lower: Record<string, string> | undefined;
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
      issues.push({ path: 'headers', message: 'must be an object of header names to string values' });
    } else {
      lower = {};
      for (const [name, value] of Object.entries(headers)) {
        const key = name.toLowerCase();
        if (!TOKEN.test(name)) issues.push({ path: `headers.${name}`, message: 'is not a valid header name' });
        else if (REFUSED_HEADERS.has(key) || SENSITIVE_KEY.test(key)) {
          issues.push({
            path: `headers.${name}`,
            message: 'cannot be set per call: the SDK sets credentials and connection headers itself',
          });
        } else if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
          issues.push({ path: `headers.${name}`, message: 'must be a string without line breaks' });
        } else lower[key] = value;
      }
    }
  }
  if (onResponse !== undefined && typeof onResponse !== 'function') {
    issues.push({ path: 'onResponse', message: 'must be a function' });
  }
  if (issues.length) {
    // Names only, never header values (a caller might pass a secret by mistake).
    throw new ValidationError(
      `Invalid per-call options of ${operation}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
      { provider, operation },
    );
  }
  return { timeoutMs, retry, headers: lower, onResponse };
}

/** A call's own signal, and the switch that makes it follow the caller's. */
export interface BoundCall {
  signal: AbortSignal;
  /** Starts following the caller's signal (idempotent; aborts at once when it already has). */
  follow(): void;
  /** Stops following it, so a long-lived caller signal does not collect a listener per call. */
  release(): void;
}

/**
 * Gives a call with per-call options a signal of its own, with the options registered under it. It follows the
 * caller's `signal` between `follow()` and `release()`: a call follows until it settles, a listing while a page
 * iteration runs.
 */
export function bindCallContext(context: CallContext, signal: AbortSignal | undefined): BoundCall {
  const controller = new AbortController();
  contexts.set(controller.signal, context);
  let following = false;
  return {
    signal: controller.signal,
    follow: () => {
      if (!signal || following || controller.signal.aborted) return;
      // One listener on the caller's signal for all the calls and listings following it (core/follow-signal.ts):
      // a listener each warned past 10 concurrent calls with per-call options on one signal.
      following = !signal.aborted;
      followSignal(signal, controller);
    },
    release: () => {
      if (!following || !signal) return;
      following = false;
      unfollowSignal(signal, controller);
    },
  };
}
