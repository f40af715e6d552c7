import type { MarketplaceError } from '../../core/errors.js';
import type { ErrorResponse } from '../../core/http.js';
import { baseErrorFields, errorForStatus } from '../../core/http-errors.js';
import { scrubVendorError } from '../../core/redact.js';

interface Pax8ErrorBody {
  type?: unknown;
  message?: unknown;
  details?: unknown;
  error?: unknown;
  error_description?: unknown;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Maps a Pax8 error answer (API envelope `{type, message, details[]}` or OAuth `{error, error_description}`). */
export function mapPax8Error(r: ErrorResponse, redact: (s: string) => string): MarketplaceError {
  // Vendor text may echo credentials: scrubbed (every field, cause chain) and cut here, whatever the branch.
  return scrubVendorError(mapPax8ErrorUnscrubbed(r, redact));
}

function mapPax8ErrorUnscrubbed(r: ErrorResponse, redact: (s: string) => string): MarketplaceError {
  const body = (r.body && typeof r.body === 'object' ? r.body : {}) as Pax8ErrorBody;
  const isToken = r.request.operation === 'token';
  const details = Array.isArray(body.details)
    ? body.details.map((d) => text((d as { message?: unknown })?.message)).filter((m): m is string => !!m)
    : [];
  const vendorMessage =
    text(body.message) ??
    text(body.error_description) ??
    text(body.error) ??
    (r.text.slice(0, 200) || `HTTP ${r.status}`);
  const code = text(body.type) ?? text(body.error);
  const extra = details.filter((d) => d !== vendorMessage);
  const message = redact(
    `${r.request.operation}: Pax8 answered ${r.status}: ${vendorMessage}${extra.length ? ` (${extra.join('; ')})` : ''}`,
  );
  const fields = {
    ...baseErrorFields('pax8', r),
    code,
    hint: hintFor(r.status, isToken, r.request.operation, [vendorMessage, ...details].join(' ')),
  };
  return errorForStatus(r.status, message, fields);
}

function hintFor(status: number, isToken: boolean, operation = '', vendorText = ''): string | undefined {
  if (isToken && (status === 401 || status === 403)) {
    return 'Client id/secret wrong or revoked: create a new API credential in the Pax8 app (Integrations > API credentials).';
  }
  if (isToken && status === 400) {
    return 'The token request was refused: check audience and tokenUrl (defaults: https://api.pax8.com with {base}/token; legacy pair https://login.pax8.com/oauth/token + api://p8p.client).';
  }
  if (status === 422) return pax8Hint({ status, operation, vendorText });
  switch (status) {
    case 401:
      return 'The access token was refused even after a refresh: the API credential may have been revoked.';
    case 403:
      return 'These credentials may not see this resource (Pax8 also answers 403 for a companyId that is not yours).';
    case 404:
      return 'Check the id: it does not exist or is not visible to these credentials.';
    case 429:
      return 'Pax8 allows about 1000 requests per minute; lower rateLimit or spread the work.';
    default:
      return status >= 500 ? 'Pax8 had a server problem; reads are retried automatically.' : undefined;
  }
}

/**
 * The hint for a refused Pax8 change, chosen by what was refused: Pax8 answers 422 (type
 * `UNPROCESSABLE_ENTITY`) to every business rule, so the operation and the vendor's text pick the hint.
 * Used for the vendor's answers and for the SDK's own dry-run refusals alike.
 */
export function pax8Hint(what: {
  status: number;
  operation: string;
  /** The vendor's message and details, when there is an answer. */
  vendorText?: string | undefined;
  /** For a seat change the SDK refused itself: whether it was a decrease. */
  decrease?: boolean | undefined;
}): string | undefined {
  if (what.status !== 422) return undefined;
  const text = (what.vendorText ?? '').toLowerCase();
  if (/cancelled|pendingcancel|pending cancel/.test(text) && /already|cannot be updated|is cancel/.test(text)) {
    return 'The subscription is cancelled or being cancelled: Pax8 changes nothing on it. Buy a new subscription if seats are needed.';
  }
  if (/future start date/.test(text)) {
    return 'The subscription starts in the future: Pax8 accepts changes only once it has started.';
  }
  if (what.operation === 'cancelSubscription' || /early cancellation/.test(text)) {
    return "The product's commitment does not allow cancelling before the term ends: cancel with effectiveDate set to the commitment end date (see constraints), or within 7 days of the term's start.";
  }
  if (what.operation === 'purchase') {
    return 'Pax8 refused the order: the company must be Active, and billingTerm, commitmentTerm and provisioning details must match the product (see the error details).';
  }
  if (/quantity must be|greater than or equal to 1|at least 1/.test(text)) {
    return 'Pax8 needs at least 1 seat: cancel the subscription instead of setting 0.';
  }
  if (what.decrease === true || /decrease|cancellation window/.test(text)) {
    return "Seats of a committed (NCE) subscription can be removed only within 7 days of purchase, renewal or an increase, unless the product's commitment allows decreases; otherwise lower them at renewal.";
  }
  return 'Pax8 refused the change by its rules: see the error details.';
}
