import { BusinessRuleError, ConflictError, type MarketplaceError, RateLimitError } from '../../core/errors.js';
import type { ErrorResponse } from '../../core/http.js';
import { baseErrorFields, errorForStatus } from '../../core/http-errors.js';
import { scrubVendorError } from '../../core/redact.js';

interface IngramErrorBody {
  message?: unknown;
  error?: unknown;
  correlationId?: unknown;
  status?: unknown;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Another order on the subscription is still provisioning (the vendor answers 500 with this text). */
const CONFLICT = /conflicting order|provisioning is in progress|cannot upgrade\/downgrade/i;
/** Business rules the vendor states in a 400 (change windows, quantity ranges, subscription state). */
const BUSINESS_RULE = /allowed only within|out of the allowed range|cannot be changed|orders are not allowed/i;

/** What the error mapper needs to know about the client. */
export interface IngramErrorContext {
  baseUrl: string;
  marketplace: string;
}

/**
 * Maps an Ingram error answer: the API's `{timeStamp, status, message, path, correlationId}` or the
 * framework's `{timestamp, status, error, path, correlationId}`; HTML (nginx 504) is kept as text.
 */
export function mapIngramError(
  r: ErrorResponse,
  redact: (s: string) => string,
  ctx: IngramErrorContext,
): MarketplaceError {
  // Vendor text may echo credentials: scrubbed (every field, cause chain) and cut here, whatever the branch.
  return scrubVendorError(mapIngramErrorUnscrubbed(r, redact, ctx));
}

function mapIngramErrorUnscrubbed(
  r: ErrorResponse,
  redact: (s: string) => string,
  ctx: IngramErrorContext,
): MarketplaceError {
  const body = (r.body && typeof r.body === 'object' ? r.body : {}) as IngramErrorBody;
  const isHtml = /^\s*</.test(r.text);
  const vendorMessage =
    text(body.message) ?? text(body.error) ?? (isHtml ? `HTTP ${r.status} (HTML page)` : r.text.slice(0, 200));
  const message = redact(`${r.request.operation}: Ingram answered ${r.status}: ${vendorMessage || `HTTP ${r.status}`}`);
  const base = baseErrorFields('ingram', r);
  const fields = {
    ...base,
    requestId: r.vendorRequestId ?? text(body.correlationId) ?? r.requestId,
    hint: hintFor(r, vendorMessage, body, ctx),
  };
  if (r.status === 429) {
    // "Rate limit is exceeded. Try again in 12 seconds." when there is no Retry-After.
    const secs = /try again in (\d+(?:\.\d+)?) seconds?/i.exec(vendorMessage)?.[1];
    return new RateLimitError(message, {
      ...fields,
      retryAfterMs: fields.retryAfterMs ?? (secs ? Math.round(Number(secs) * 1000) : undefined),
    });
  }
  if (CONFLICT.test(vendorMessage) && r.status >= 400) return new ConflictError(message, fields);
  if (r.status === 400 && BUSINESS_RULE.test(vendorMessage)) return new BusinessRuleError(message, fields);
  return errorForStatus(r.status, message, fields);
}

function hintFor(r: ErrorResponse, msg: string, body: IngramErrorBody, ctx: IngramErrorContext): string | undefined {
  const isToken = r.request.operation === 'token';
  const frameworkNotFound = r.status === 404 && text(body.message) === undefined;
  if (r.status === 401 || r.status === 403) {
    if (/subscription key/i.test(msg)) {
      return 'The X-Subscription-Key was refused: copy the key from the portal (Xvantage > My Business > Cloud Services > Marketplace API); changing the API user may have rotated it.';
    }
    if (/marketplace/i.test(msg)) {
      return `The marketplace code "${ctx.marketplace}" was refused: pass the code of your own marketplace (the first label of your control-panel URL cp.<marketplace>.<region>.cloud.im).`;
    }
    if (isToken) {
      return 'Likely causes: the user is not the dedicated Marketplace API user (its name ends in .API and comes with the $0 Marketplace API product; your XVantage portal login does not work here); a wrong or changed password; a subscription key or marketplace code that does not belong to this user or region.';
    }
    if (r.status === 401) {
      return 'The token was refused even after a fresh one was fetched: the API user or subscription key may have been disabled, or the marketplace code does not match this region.';
    }
    return 'These credentials may not see this resource: it may belong to another reseller, or the API user lacks the permission.';
  }
  if (r.status === 404) {
    if (isToken || frameworkNotFound) {
      return `Nothing answers at ${ctx.baseUrl}: the region is probably wrong. Copy the API URL from the portal (Marketplace API page) and pass it as baseUrl.`;
    }
    return `Check the id: it does not exist or is not visible to these credentials. If every call answers 404, the region is probably wrong (base URL ${ctx.baseUrl}).`;
  }
  if (CONFLICT.test(msg)) {
    return 'Another order on this subscription is still provisioning: wait for it (its pending operation, or the orders list), then try again.';
  }
  if (/allowed only within/i.test(msg)) {
    return 'Microsoft NCE allows seat decreases and cancellations only within 7 days after purchase or renewal; change it at the next renewal.';
  }
  if (r.status === 429) {
    return 'Ingram publishes no rate limit; the SDK waits and retries. Lower rateLimit if this keeps happening.';
  }
  if (r.status === 504) {
    return 'The gateway timed out; orders can take over a minute. A write may still have been applied: the SDK re-reads before resending.';
  }
  return r.status >= 500 ? 'Ingram had a server problem; reads are retried automatically.' : undefined;
}
