import { BusinessRuleError, type MarketplaceError, ValidationError } from '../../core/errors.js';
import type { ErrorResponse } from '../../core/http.js';
import { baseErrorFields, errorForStatus } from '../../core/http-errors.js';
import { scrubVendorError } from '../../core/redact.js';

interface IonErrorBody {
  error?: unknown;
  message?: unknown;
  code?: unknown;
  details?: unknown;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Provisioning validation issues (`details[].errors[] {code, detail}`, gRPC code 3). */
export function ionValidationIssues(body: unknown): { code: string; detail: string }[] {
  const details = (body as IonErrorBody | undefined)?.details;
  if (!Array.isArray(details)) return [];
  const out: { code: string; detail: string }[] = [];
  for (const d of details) {
    const errors = (d as { errors?: unknown })?.errors;
    if (!Array.isArray(errors)) continue;
    for (const e of errors) {
      const code = text((e as { code?: unknown })?.code);
      const detail = text((e as { detail?: unknown })?.detail);
      if (code || detail) out.push({ code: code ?? '', detail: detail ?? '' });
    }
  }
  return out;
}

function vendorRequestId(body: unknown): string | undefined {
  const details = (body as IonErrorBody | undefined)?.details;
  if (!Array.isArray(details)) return undefined;
  for (const d of details) {
    const id = text((d as { requestId?: unknown })?.requestId);
    if (id) return id;
  }
  return undefined;
}

/**
 * Maps an Ion error answer: the API's Google-RPC style envelope `{error, message, code, details}`, the OAuth
 * endpoint's plain `{error}` (HTTP 400), and provisioning validation (400, `code: 3`, `COMM-VL-*` issues).
 */
export function mapTdSynnexError(r: ErrorResponse, redact: (s: string) => string): MarketplaceError {
  // Vendor text may echo credentials: scrubbed (every field, cause chain) and cut here, whatever the branch.
  return scrubVendorError(mapTdSynnexErrorUnscrubbed(r, redact));
}

function mapTdSynnexErrorUnscrubbed(r: ErrorResponse, redact: (s: string) => string): MarketplaceError {
  const body = (r.body && typeof r.body === 'object' ? r.body : {}) as IonErrorBody;
  const isToken = r.request.operation === 'token';
  const code = text(body.error);
  const vendorMessage = text(body.message) ?? code ?? (r.text.slice(0, 200) || `HTTP ${r.status}`);
  const issues = ionValidationIssues(body);
  const extra = issues.length ? ` (${issues.map((i) => `${i.code}: ${i.detail}`).join('; ')})` : '';
  const message = redact(`${r.request.operation}: TD SYNNEX answered ${r.status}: ${vendorMessage}${extra}`);
  const fields = {
    ...baseErrorFields('td-synnex', r),
    requestId: vendorRequestId(body) ?? r.vendorRequestId ?? r.requestId,
    code: issues[0]?.code || code,
    hint: hintFor(r.status, isToken, code, issues),
  };
  if (r.status === 429 || r.status >= 500) return errorForStatus(r.status, message, { ...fields, retryable: true });
  if (isToken && r.status === 400) {
    return errorForStatus(401, message, { ...fields, status: 400 });
  }
  if (r.status === 400 && issues.length) {
    return new ValidationError(
      message,
      issues.map((i) => ({ path: i.code, message: redact(i.detail) })),
      fields,
    );
  }
  if (r.status === 412) return new BusinessRuleError(message, fields);
  return errorForStatus(r.status, message, fields);
}

function hintFor(
  status: number,
  isToken: boolean,
  code: string | undefined,
  issues: { code: string; detail: string }[],
): string | undefined {
  if (isToken && status === 400) {
    return (
      'The refresh token was refused: it is single-use and valid 32 days. If another program used it, or a ' +
      'rotated token was not saved, generate a new one in the StreamOne Ion portal and pass it as ' +
      'credentials.refreshToken (with a persistent tokenStore so each rotation is kept).'
    );
  }
  if (issues.some((i) => i.code === 'COMM-VL-004')) {
    return 'A Microsoft CREATE order needs the domainName attribute: pass purchase({ ..., attributes: [{ name: "domainName", value: "contoso" }] }).';
  }
  if (issues.some((i) => i.code === 'COMM-VL-003')) {
    return 'UPDATE orders need the provider subscription id (resourceId); re-read the subscription.';
  }
  if (issues.length) {
    return 'Ion refused the order data; the attributes each vendor needs are listed by GET /provisionTemplates.';
  }
  switch (status) {
    case 401:
    case 403:
      return code === 'PERMISSION_DENIED'
        ? 'Permission denied: the accountId may not match the refresh token (accountId is the reseller id shown in the Ion portal), or the API user lacks the role for this action.'
        : 'The access token was refused even after a refresh.';
    case 404:
      return 'Check the id: customers are the last segment of their name; subscriptions use Ion\'s internal "id", not the Microsoft subscription id.';
    case 412:
      return 'Ion refused the request by a precondition (an order can be cancelled only while NEW or ON_HOLD).';
    case 429:
      return 'TD SYNNEX publishes no rate limit; lower rateLimit or spread the work.';
    default:
      return status >= 500 ? 'TD SYNNEX had a server problem; reads are retried automatically.' : undefined;
  }
}
