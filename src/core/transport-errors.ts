/**
 * Errors of the transport's own guards: redirects it refuses, bodies and listings past their limits, and the
 * overall deadline of a call. Each is a subclass of an existing kind, so code that branches on `kind` keeps working.
 */
import { ConfigurationError, type MarketplaceErrorFields, ResponseValidationError, TimeoutError } from './errors.js';

/**
 * The vendor answered a redirect (3xx) the SDK does not follow: to another origin always (credentials and
 * request bodies never go to a host the configuration did not name), and on the same origin for writes and
 * token requests. Nothing was sent to the redirect target. Usually the base URL, region or token URL is wrong
 * (`http` instead of `https`, an old host): point the option at `targetHost`'s URL if you trust it.
 */
export class RedirectRefusedError extends ConfigurationError {
  /** The redirect status (301, 302, 303, 307, 308). */
  readonly redirectStatus: number;
  /** The host (and port, if not the default) the redirect pointed at; never the path or query. Empty if unreadable. */
  readonly targetHost: string;
  /** Whether the target was on the origin the request went to. */
  readonly sameOrigin: boolean;
  constructor(
    message: string,
    fields: MarketplaceErrorFields & { redirectStatus: number; targetHost: string; sameOrigin: boolean },
  ) {
    super(message, { retryable: false, ...fields });
    this.redirectStatus = fields.redirectStatus;
    this.targetHost = fields.targetHost;
    this.sameOrigin = fields.sameOrigin;
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      redirectStatus: this.redirectStatus,
      targetHost: this.targetHost,
      sameOrigin: this.sameOrigin,
    };
  }
}

/**
 * A response body was larger than `limits.maxResponseBytes` (counted after decompression); reading stopped at
 * the cap. Not retried (the same answer would come again). After a write, it counts as an ambiguous answer
 * (the change may have been applied), like any unreadable success.
 */
export class ResponseTooLargeError extends ResponseValidationError {
  /** The cap in bytes. */
  readonly limitBytes: number;
  /** Bytes read (decoded) when reading stopped, or the announced Content-Length when it alone was over the cap. */
  readonly readBytes: number;
  constructor(message: string, fields: MarketplaceErrorFields & { limitBytes: number; readBytes: number }) {
    super(message, { retryable: false, field: '(body)', ...fields });
    this.limitBytes = fields.limitBytes;
    this.readBytes = fields.readBytes;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), limitBytes: this.limitBytes, readBytes: this.readBytes };
  }
}

/** Why a listing was stopped: see {@link PagingLimitError}. */
export type PagingStopReason = 'max-pages' | 'no-progress' | 'repeated-cursor';

/**
 * A listing was stopped instead of being followed for ever or truncated silently: it reached `limits.maxPages`
 * (`max-pages`), a page repeated the previous page's items (`no-progress`), or the vendor handed back a cursor
 * it had already returned (`repeated-cursor`). The pages before were delivered; resume from a cursor or narrow
 * the listing.
 */
export class PagingLimitError extends ResponseValidationError {
  readonly reason: PagingStopReason;
  /** Pages fetched by this listing when it stopped. */
  readonly pages: number;
  constructor(
    message: string,
    fields: MarketplaceErrorFields & { reason: PagingStopReason; pages: number; value?: unknown },
  ) {
    super(message, {
      retryable: false,
      field: fields.reason === 'repeated-cursor' ? 'nextCursor' : '(page)',
      ...fields,
    });
    this.reason = fields.reason;
    this.pages = fields.pages;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason, pages: this.pages };
  }
}

/**
 * A call's overall deadline (`limits.deadlineMs`) passed: token acquisition, attempts and backoff waits
 * together took too long. Not retried by the SDK. For a write, the outcome is unknown like after any timeout.
 */
export class DeadlineExceededError extends TimeoutError {
  /** The deadline in ms. */
  readonly deadlineMs: number;
  constructor(message: string, fields: MarketplaceErrorFields & { deadlineMs: number }) {
    super(message, { ...fields, retryable: false, code: fields.code ?? 'DEADLINE_EXCEEDED' });
    this.deadlineMs = fields.deadlineMs;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), deadlineMs: this.deadlineMs };
  }
}
