import {
  BusinessRuleError,
  ConflictError,
  type MarketplaceError,
  RateLimitError,
  ValidationError,
} from '../../core/errors.js';
import type { ErrorResponse } from '../../core/http.js';
import { baseErrorFields, errorForStatus } from '../../core/http-errors.js';
import { scrubVendorError } from '../../core/redact.js';

/** The Partner Center error body (`ApiFault`), the Entra token error, or the throttling body. */
interface PartnerCenterErrorBody {
  code?: unknown;
  description?: unknown;
  message?: unknown;
  errorName?: unknown;
  parameters?: unknown;
  error?: unknown;
  error_description?: unknown;
  error_codes?: unknown;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Partner Center error codes the SDK acts on (PC docs `error-codes.md`, 2020 list; NCE codes may be missing). */
export const PARTNER_CENTER_ERROR_CODES = {
  quantityOutOfRange: '2002',
  deletedSubscription: '2011',
  subscriptionNotFound: '20003',
  quantityCannotBeDecreased: '800090',
  suspendedSubscription: '800091',
  updateUnsuccessful: '800094',
} as const;

/** The seconds of "Try again in N seconds." in a 429 body, as ms. */
export function retryAfterFromMessage(message: string | undefined): number | undefined {
  const m = message ? /try again in (\d+) seconds?/i.exec(message) : null;
  return m ? Number(m[1]) * 1000 : undefined;
}

/** Maps a Partner Center error answer (API `ApiFault`, Entra `{error, error_description}`, or a 429 body). */
export function mapPartnerCenterError(r: ErrorResponse, redact: (s: string) => string): MarketplaceError {
  // Vendor text may echo credentials: scrubbed (every field, cause chain) and cut here, whatever the branch.
  return scrubVendorError(mapPartnerCenterErrorUnscrubbed(r, redact));
}

function mapPartnerCenterErrorUnscrubbed(r: ErrorResponse, redact: (s: string) => string): MarketplaceError {
  const body = (r.body && typeof r.body === 'object' ? r.body : {}) as PartnerCenterErrorBody;
  const isToken = r.request.operation === 'token';
  const rawCode = body.code;
  const code =
    typeof rawCode === 'number' ? String(rawCode) : (text(rawCode) ?? text(body.errorName) ?? text(body.error));
  const errorName = text(body.errorName);
  const vendorMessage =
    text(body.description) ??
    text(body.message) ??
    text(body.error_description)?.split(/\r?\n/)[0] ??
    (r.text.slice(0, 200) || `HTTP ${r.status}`);
  const message = redact(`${r.request.operation}: Partner Center answered ${r.status}: ${vendorMessage}`);
  const base = baseErrorFields('partner-center', r);
  const fields = {
    ...base,
    code: errorName && code !== errorName ? `${code}/${errorName}` : code,
    hint: isToken ? tokenHint(r.status, body) : hintFor(r.status, code, errorName, body),
  };
  if (r.status === 429) {
    return new RateLimitError(message, {
      ...fields,
      retryAfterMs: base.retryAfterMs ?? retryAfterFromMessage(text(body.message)),
    });
  }
  if (!isToken && r.status === 400) {
    if (
      code === PARTNER_CENTER_ERROR_CODES.quantityCannotBeDecreased ||
      errorName === 'QuantityCannotBeDecreased' ||
      errorName === 'CancellationWindowExpired' ||
      code === PARTNER_CENTER_ERROR_CODES.suspendedSubscription ||
      code === PARTNER_CENTER_ERROR_CODES.deletedSubscription ||
      errorName === 'InvalidStatusTransition'
    ) {
      return new BusinessRuleError(message, fields);
    }
    if (code === PARTNER_CENTER_ERROR_CODES.quantityOutOfRange) {
      return new ValidationError(message, [{ path: 'quantity', message: vendorMessage }], fields);
    }
  }
  if (r.status === 412) return new ConflictError(message, fields);
  return errorForStatus(r.status, message, fields);
}

function aadsts(body: PartnerCenterErrorBody): number | undefined {
  if (Array.isArray(body.error_codes) && typeof body.error_codes[0] === 'number') return body.error_codes[0];
  const m = /AADSTS(\d+)/.exec(text(body.error_description) ?? '');
  return m ? Number(m[1]) : undefined;
}

function tokenHint(status: number, body: PartnerCenterErrorBody): string | undefined {
  const n = aadsts(body);
  const error = text(body.error);
  if (n === 7000215 || error === 'invalid_client') {
    return 'The application key (clientSecret) is wrong or expired: create a new client secret for the app in Entra ID (App registrations > Certificates & secrets).';
  }
  if (n === 700016 || error === 'unauthorized_client') {
    return 'The application (client) id is not known in this tenant: check clientId and tenantId (the app must live in, or be consented to, the partner tenant).';
  }
  if (n === 90002) return 'The tenant was not found: tenantId is the partner tenant id (a GUID) or its primary domain.';
  if (error === 'invalid_grant') {
    return 'The app+user refresh token is expired, revoked or was issued for another app: run the Secure Application Model consent again (with MFA) and store the new refresh token.';
  }
  if (error === 'invalid_resource') {
    return 'The token resource must be https://api.partnercenter.microsoft.com; check the tokenUrl.';
  }
  return status >= 500 ? 'Microsoft Entra had a server problem; token requests are retried automatically.' : undefined;
}

function hintFor(
  status: number,
  code: string | undefined,
  errorName: string | undefined,
  body: PartnerCenterErrorBody,
): string | undefined {
  const params = (body.parameters && typeof body.parameters === 'object' ? body.parameters : {}) as Record<
    string,
    unknown
  >;
  if (code === PARTNER_CENTER_ERROR_CODES.quantityCannotBeDecreased || errorName === 'QuantityCannotBeDecreased') {
    const refundable = text(params.refundableQuantity);
    return `New commerce: seats can be removed only within 7 days of their purchase, renewal or increase${refundable !== undefined ? ` (${refundable} seat(s) can still be removed now)` : ''}. Check subscription.constraints.refundableQuantity, or lower the quantity for the next term (scheduledNextTermInstructions) in the portal.`;
  }
  if (errorName === 'CancellationWindowExpired') {
    return 'New commerce: a subscription can be cancelled only until its cancellationAllowedUntilDate (7 days after purchase or renewal). Turn auto-renew off so it ends with the term instead.';
  }
  if (errorName === 'InvalidStatusTransition') {
    return 'Legacy (licence-based) subscriptions are cancelled by suspending them; the SDK does this for you from cancelSubscription.';
  }
  if (code === PARTNER_CENTER_ERROR_CODES.quantityOutOfRange) {
    const min = text(params.minimumQuantity);
    const max = text(params.maximumQuantity);
    return `The quantity is outside the SKU's limits${min && max ? ` (${min}..${max})` : ''}.`;
  }
  if (code === PARTNER_CENTER_ERROR_CODES.suspendedSubscription) {
    return 'A suspended subscription cannot change seats: reactivate it in Partner Center first.';
  }
  if (code === PARTNER_CENTER_ERROR_CODES.deletedSubscription) return 'The subscription is cancelled (deleted).';
  switch (status) {
    case 401:
      return 'The access token was refused even after a refresh: check that the token resource is https://api.partnercenter.microsoft.com and that the app is registered in Partner Center (Account settings > App management).';
    case 403:
      return 'The app or user lacks the rights for this call: it needs a Partner Center role (Admin agent or Sales agent) and, for customer data, a GDAP relationship with this customer. Some calls need app+user (pass credentials.refreshToken).';
    case 404:
      return code === PARTNER_CENTER_ERROR_CODES.subscriptionNotFound
        ? 'The subscription does not exist for this customer: check that the customer (tenant) id and subscription id go together.'
        : 'Check the id: it does not exist or is not visible to this partner (customer ids are the customer tenant ids).';
    case 409:
      return errorName === 'SubscriptionUpdateInProgress' || errorName === 'SubscriptionPending'
        ? 'Another change of this subscription is still being provisioned: wait for it (see its provisioning status) and try again.'
        : 'The resource was changed or already exists.';
    case 412:
      return 'The subscription changed since it was read (If-Match/etag): read it again and decide again.';
    case 429:
      return 'Partner Center throttles per partner tenant (500 requests per minute for subscriptions): lower rateLimit or spread the work.';
    default:
      return status >= 500 ? 'Partner Center had a server problem; reads are retried automatically.' : undefined;
  }
}
