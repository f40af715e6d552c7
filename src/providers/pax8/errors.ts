import type { MarketplaceError } from '../../core/errors.js';
import type { ErrorResponse } from '../../core/http.js';
import { baseErrorFields, errorForStatus } from '../../core/http-errors.js';

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
  const fields = { ...baseErrorFields('pax8', r), code, hint: hintFor(r.status, isToken) };
  return errorForStatus(r.status, message, fields);
}

function hintFor(status: number, isToken: boolean): string | undefined {
  if (isToken && (status === 401 || status === 403)) {
    return 'Client id/secret wrong or revoked: create a new API credential in the Pax8 app (Integrations > API credentials).';
  }
  if (isToken && status === 400) {
    return 'The token request was refused: check audience and tokenUrl (defaults: https://api.pax8.com with {base}/token; legacy pair https://login.pax8.com/oauth/token + api://p8p.client).';
  }
  switch (status) {
    case 401:
      return 'The access token was refused even after a refresh: the API credential may have been revoked.';
    case 403:
      return 'These credentials may not see this resource (Pax8 also answers 403 for a companyId that is not yours).';
    case 404:
      return 'Check the id: it does not exist or is not visible to these credentials.';
    case 422:
      return 'Pax8 refused the change by its rules (for Microsoft NCE, seat decreases are allowed only within 7 days of purchase, renewal or an increase).';
    case 429:
      return 'Pax8 allows about 1000 requests per minute; lower rateLimit or spread the work.';
    default:
      return status >= 500 ? 'Pax8 had a server problem; reads are retried automatically.' : undefined;
  }
}
