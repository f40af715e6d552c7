import {
  AuthenticationError,
  BusinessRuleError,
  ConflictError,
  type MarketplaceError,
  type MarketplaceErrorFields,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
} from './errors.js';
import type { ErrorResponse } from './http.js';

/** Parses `Retry-After` (seconds or an HTTP date) into ms. */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const v = headers.get('retry-after');
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The error class for an HTTP status, with the given message and fields. Providers call this after
 * reading their vendor's body, and override the kind where the vendor says more (a 400 that is a
 * business rule, say).
 */
export function errorForStatus(status: number, message: string, fields: MarketplaceErrorFields): MarketplaceError {
  if (status === 400) return new ValidationError(message, [], fields);
  if (status === 401) return new AuthenticationError(message, fields);
  if (status === 403) return new PermissionError(message, fields);
  if (status === 404) return new NotFoundError(message, fields);
  if (status === 408) return new TimeoutError(message, { retryable: true, ...fields });
  if (status === 409) return new ConflictError(message, fields);
  if (status === 422) return new BusinessRuleError(message, fields);
  if (status === 429) return new RateLimitError(message, fields);
  if (status >= 500) return new ServerError(message, fields);
  return new ValidationError(message, [], fields);
}

/** Fields every mapped HTTP error carries. */
export function baseErrorFields(provider: string, r: ErrorResponse): MarketplaceErrorFields {
  return {
    provider,
    operation: r.request.operation,
    status: r.status,
    requestId: r.vendorRequestId ?? r.requestId,
    retryAfterMs: r.status === 429 || r.status === 503 ? retryAfterMs(r.headers) : undefined,
  };
}
