/**
 * Typed errors. Every failure the SDK reports is a {@link MarketplaceError} with a `kind`; callers branch on
 * `kind` (or `instanceof` a subclass) and show `hint` to people. No secret ever goes into a field here:
 * messages built from vendor bodies pass through redaction first (see redact.ts).
 */

/** Every kind of failure a caller can act on. */
export type ErrorKind =
  | 'configuration'
  | 'validation'
  | 'authentication'
  | 'permission'
  | 'not-found'
  | 'conflict'
  | 'business-rule'
  | 'rate-limit'
  | 'server'
  | 'network'
  | 'timeout'
  | 'response-validation'
  | 'unsupported'
  | 'read-only'
  | 'write-outcome-unknown';

/** Fields shared by every {@link MarketplaceError}. */
export interface MarketplaceErrorFields {
  /** Provider id (`pax8`, ...), when the error concerns one. */
  provider?: string | undefined;
  /** SDK operation (`listSubscriptions`, `setSeats`, `token`, ...). */
  operation?: string | undefined;
  /** HTTP status, when a response was received. */
  status?: number | undefined;
  /** Vendor error code (`NOT_FOUND`, `invalid_client`, ...). */
  code?: string | undefined;
  /** Request id: the vendor's when it sent one, else the SDK's own for this call. */
  requestId?: string | undefined;
  /** Whether trying the same call again may succeed. */
  retryable?: boolean | undefined;
  /** How long to wait before trying again, when known (Retry-After or the vendor's hint). */
  retryAfterMs?: number | undefined;
  /** What the user should do about it. */
  hint?: string | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/** Base class of every error the SDK throws. */
export class MarketplaceError extends Error {
  /** What went wrong, in a word callers can switch on. */
  readonly kind: ErrorKind;
  readonly provider: string | undefined;
  readonly operation: string | undefined;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly hint: string | undefined;

  constructor(kind: ErrorKind, message: string, fields: MarketplaceErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.provider = fields.provider;
    this.operation = fields.operation;
    this.status = fields.status;
    this.code = fields.code;
    this.requestId = fields.requestId;
    this.retryable = fields.retryable ?? false;
    this.retryAfterMs = fields.retryAfterMs;
    this.hint = fields.hint;
  }

  /** A plain object for logs and JSON output (the cause is reduced to its message). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      provider: this.provider,
      operation: this.operation,
      status: this.status,
      code: this.code,
      requestId: this.requestId,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      hint: this.hint,
    };
  }
}

/** The client is set up wrong (missing option, bad URL, region/marketplace mismatch). Fix the configuration. */
export class ConfigurationError extends MarketplaceError {
  constructor(message: string, fields?: MarketplaceErrorFields) {
    super('configuration', message, fields);
  }
}

/** One problem with an input value. */
export interface ValidationIssue {
  /** Dotted path of the input field (`quantity`, `options.effectiveDate`). */
  path: string;
  message: string;
}

/** Bad input, thrown before any network call. */
export class ValidationError extends MarketplaceError {
  /** Every problem found, not only the first. */
  readonly issues: ValidationIssue[];
  constructor(message: string, issues: ValidationIssue[] = [], fields?: MarketplaceErrorFields) {
    super('validation', message, fields);
    this.issues = issues;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** Credentials were refused (wrong, expired or revoked). */
export class AuthenticationError extends MarketplaceError {
  constructor(message: string, fields?: MarketplaceErrorFields) {
    super('authentication', message, fields);
  }
}

/** Credentials are valid but lack the right to do this. */
export class PermissionError extends MarketplaceError {
  constructor(message: string, fields?: MarketplaceErrorFields) {
    super('permission', message, fields);
  }
}

/** The customer, product, subscription or order does not exist (or is not visible to these credentials). */
export class NotFoundError extends MarketplaceError {
  constructor(message: string, fields?: MarketplaceErrorFields) {
    super('not-found', message, fields);
  }
}

/** The state is not what the caller expected (`ifCurrent` mismatch, another change in flight). Nothing was written. */
export class ConflictError extends MarketplaceError {
  /** The value the caller expected, when the conflict is about a value. */
  readonly expected: unknown;
  /** The value found. */
  readonly actual: unknown;
  constructor(message: string, fields?: MarketplaceErrorFields & { expected?: unknown; actual?: unknown }) {
    super('conflict', message, fields);
    this.expected = fields?.expected;
    this.actual = fields?.actual;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), expected: this.expected, actual: this.actual };
  }
}

/** The vendor refused the change by its rules (e.g. a seat decrease outside the commitment window). */
export class BusinessRuleError extends MarketplaceError {
  constructor(message: string, fields?: MarketplaceErrorFields) {
    super('business-rule', message, fields);
  }
}

/** Too many requests; `retryAfterMs` says how long to wait when the vendor told. */
export class RateLimitError extends MarketplaceError {
  constructor(message: string, fields?: MarketplaceErrorFields) {
    super('rate-limit', message, { retryable: true, ...fields });
  }
}

/** The vendor failed (5xx). */
export class ServerError extends MarketplaceError {
  constructor(message: string, fields?: MarketplaceErrorFields) {
    super('server', message, { retryable: true, ...fields });
  }
}

/** The connection failed or was reset; no response was received. */
export class NetworkError extends MarketplaceError {
  /** Host the connection was for, when known (`api.pax8.com`). `code` holds the cause's code (`ECONNREFUSED`, ...). */
  readonly host: string | undefined;
  /** Port the connection was for, when known. */
  readonly port: number | undefined;
  constructor(message: string, fields?: MarketplaceErrorFields & { host?: string; port?: number }) {
    super('network', message, { retryable: true, ...fields });
    this.host = fields?.host;
    this.port = fields?.port;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), host: this.host, port: this.port };
  }
}

/** No response within the timeout. */
export class TimeoutError extends MarketplaceError {
  constructor(message: string, fields?: MarketplaceErrorFields) {
    super('timeout', message, { retryable: true, ...fields });
  }
}

/** The vendor answered something the SDK cannot understand (names the field and the value). */
export class ResponseValidationError extends MarketplaceError {
  /** Dotted path of the field in the vendor payload. */
  readonly field: string | undefined;
  /** The vendor's value (truncated). */
  readonly value: unknown;
  constructor(message: string, fields?: MarketplaceErrorFields & { field?: string; value?: unknown }) {
    super('response-validation', message, fields);
    this.field = fields?.field;
    this.value = fields?.value;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field, value: this.value };
  }
}

/** The vendor has no such operation; see the client's `capabilities`. */
export class UnsupportedOperationError extends MarketplaceError {
  constructor(message: string, fields?: MarketplaceErrorFields) {
    super('unsupported', message, fields);
  }
}

/** The client was created with `readOnly: true`; nothing was sent. */
export class ReadOnlyError extends MarketplaceError {
  constructor(message: string, fields?: MarketplaceErrorFields) {
    super('read-only', message, fields);
  }
}

/**
 * A write failed ambiguously and re-reading could not settle whether it was applied. Check the vendor's
 * portal before trying again: `before`, `expected` and `observed` tell what the SDK saw.
 */
export class WriteOutcomeUnknownError extends MarketplaceError {
  readonly before: unknown;
  readonly expected: unknown;
  readonly observed: unknown;
  constructor(
    message: string,
    fields: MarketplaceErrorFields & { before: unknown; expected: unknown; observed: unknown },
  ) {
    super('write-outcome-unknown', message, fields);
    this.before = fields.before;
    this.expected = fields.expected;
    this.observed = fields.observed;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), before: this.before, expected: this.expected, observed: this.observed };
  }
}

/**
 * A seat change was sent and settled, but no read shows the requested count: `before` is the count the change
 * was computed from, `expected` (also `requested`) the count asked for, `observed` what the last read showed.
 * Never reported `applied`; check the subscription before changing it again.
 */
export class SeatChangeNotObservedError extends WriteOutcomeUnknownError {
  /** The seat count asked for (the same as `expected`). */
  readonly requested: number;
  constructor(
    message: string,
    fields: MarketplaceErrorFields & { before: number; requested: number; observed: number | undefined },
  ) {
    super(message, { ...fields, expected: fields.requested });
    this.requested = fields.requested;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), requested: this.requested };
  }
}

/** True for an SDK error (of any kind, or of the given kind). */
export function isMarketplaceError(error: unknown, kind?: ErrorKind): error is MarketplaceError {
  return error instanceof MarketplaceError && (kind === undefined || error.kind === kind);
}

/**
 * Whether a failure leaves a write's outcome unknown: the request may have reached the vendor and been
 * applied even though no success answer arrived.
 */
export function isAmbiguousWriteFailure(error: unknown): boolean {
  return (
    error instanceof NetworkError ||
    error instanceof TimeoutError ||
    error instanceof ServerError ||
    (error instanceof ResponseValidationError && error.status !== undefined && error.status < 300)
  );
}
