import { BusinessRuleError, type MarketplaceError, type MarketplaceErrorFields } from '../core/errors.js';
import type { ErrorResponse } from '../core/http.js';
import { baseErrorFields, errorForStatus } from '../core/http-errors.js';
import { scrubVendorError } from '../core/redact.js';

/** The user has no `usageLocation`, so Microsoft refuses to assign a license. Set it first. */
export class UsageLocationMissingError extends BusinessRuleError {
  constructor(message: string, fields?: MarketplaceErrorFields) {
    super(message, { code: 'UsageLocationMissing', ...fields });
  }
}

/** The tenant has no free seat of the license (`prepaidUnits.enabled - consumedUnits` is 0). Buy or free a seat. */
export class NoFreeSeatsError extends BusinessRuleError {
  constructor(message: string, fields?: MarketplaceErrorFields) {
    super(message, { code: 'NoFreeSeats', ...fields });
  }
}

interface GraphErrorBody {
  error?: { code?: unknown; message?: unknown } | string;
  error_description?: unknown;
  error_codes?: unknown;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Maps a Graph (`{ error: { code, message } }`) or Entra token (`{ error, error_description }`) error answer. */
export function mapGraphError(r: ErrorResponse, redact: (s: string) => string): MarketplaceError {
  // Vendor text may echo credentials: scrubbed (every field, cause chain) and cut here, whatever the branch.
  return scrubVendorError(mapGraphErrorUnscrubbed(r, redact));
}

function mapGraphErrorUnscrubbed(r: ErrorResponse, redact: (s: string) => string): MarketplaceError {
  const body = (r.body && typeof r.body === 'object' ? r.body : {}) as GraphErrorBody;
  const isToken = r.request.operation === 'token';
  const envelope = typeof body.error === 'object' && body.error !== null ? body.error : undefined;
  const vendorMessage =
    text(envelope?.message) ??
    text(body.error_description) ??
    text(body.error) ??
    (r.text.slice(0, 200) || `HTTP ${r.status}`);
  const code = text(envelope?.code) ?? text(body.error);
  const message = redact(`${r.request.operation}: Microsoft Graph answered ${r.status}: ${vendorMessage}`);
  const fields: MarketplaceErrorFields = { ...baseErrorFields('graph', r), code };
  if (isToken) return errorForStatus(r.status, message, { ...fields, hint: tokenHint(r.status, vendorMessage) });
  if (r.status === 400 && /usage location/i.test(vendorMessage)) {
    return new UsageLocationMissingError(message, {
      ...fields,
      hint: "Set the user's usageLocation (a two-letter country, e.g. PATCH /users/{id} { usageLocation: 'US' }) and assign again.",
    });
  }
  if (
    r.status === 400 &&
    /(no|not have any|insufficient)\s+(available\s+)?licen[cs]es?|available licen[cs]es/i.test(vendorMessage)
  ) {
    return new NoFreeSeatsError(message, {
      ...fields,
      hint: 'The tenant has no free seat of this license: add a seat at the marketplace (onboardUser does) or unassign one.',
    });
  }
  return errorForStatus(r.status, message, { ...fields, hint: hintFor(r.status, vendorMessage) });
}

function tokenHint(status: number, message: string): string {
  if (/AADSTS7000215|invalid client secret/i.test(message))
    return 'The client secret is wrong or expired: create a new one in Entra (App registrations > Certificates & secrets).';
  if (/AADSTS700016/.test(message))
    return 'The app id is not known in this tenant: check clientId, and that the app is consented in the customer tenant.';
  if (/AADSTS90002/.test(message))
    return 'The tenant id is wrong: use the customer tenant id (a GUID) or its onmicrosoft.com domain.';
  if (status === 400)
    return "The token request was refused: check tenantId, clientId and that scope is 'https://graph.microsoft.com/.default'.";
  return 'The app credentials were refused: check tenantId, clientId and clientSecret.';
}

function hintFor(status: number, message: string): string | undefined {
  switch (status) {
    case 400:
      return /does not correspond to a valid company license/i.test(message)
        ? 'The tenant has no such SKU: check the skuId against listSubscribedSkus().'
        : undefined;
    case 401:
      return 'The token was refused even after a refresh: the app secret may have been revoked.';
    case 403:
      return 'The app lacks a permission: LicenseAssignment.ReadWrite.All (assignLicense), Organization.Read.All (subscribedSkus), User.Read.All (users), with admin consent in the tenant.';
    case 404:
      return 'No such user (or SKU) in this tenant: check the id or userPrincipalName.';
    case 429:
      return 'Graph throttled the app for this tenant; the SDK waits Retry-After for reads. Spread the work.';
    default:
      return status >= 500 ? 'Graph had a server problem; reads are retried automatically.' : undefined;
  }
}
