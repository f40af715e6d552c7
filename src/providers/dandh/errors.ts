import {
  AuthenticationError,
  BusinessRuleError,
  ConflictError,
  type MarketplaceError,
  NotFoundError,
  ValidationError,
} from '../../core/errors.js';
import type { ErrorResponse } from '../../core/http.js';
import { baseErrorFields, errorForStatus } from '../../core/http-errors.js';
import { scrubVendorError } from '../../core/redact.js';

/** Error code of the fault that says the session token expired (the client logs in again once and retries). */
export const DANDH_SESSION_EXPIRED = 'SESSION_EXPIRED';

/** What the SDK reads from a SimpleAPI (WCF) fault. */
export interface DandhFault {
  /** `Reason/Text`, else `Detail/ServiceException/Message`. */
  message: string;
  /** `Detail/ServiceException/IsSessionExpired` is `true`. */
  sessionExpired: boolean;
  /** `Code/Value` (e.g. `Sender`). */
  code: string | undefined;
  /** `Detail/ServiceException/IssueToken`, when set. */
  issueToken: string | undefined;
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The text of the first element named `name` (any namespace prefix), or undefined. */
function element(xml: string, name: string): string | undefined {
  const m = new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}>`).exec(xml);
  if (!m) return undefined;
  const inner = m[1]!.replace(/<[^>]+>/g, '').trim();
  return inner ? unescapeXml(inner) : undefined;
}

/**
 * Parses a SimpleAPI fault: XML (`Fault/Reason/Text`, `Detail/ServiceException/{IsSessionExpired, Message}`),
 * or, defensively, a JSON body with `Message`/`IsSessionExpired`. Undefined when the body is neither.
 */
export function parseDandhFault(text: string, body?: unknown): DandhFault | undefined {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const msg = typeof b.Message === 'string' ? b.Message : typeof b.message === 'string' ? b.message : undefined;
    if (msg !== undefined || 'IsSessionExpired' in b) {
      return {
        message: msg ?? '',
        sessionExpired: b.IsSessionExpired === true || b.IsSessionExpired === 'true',
        code: undefined,
        issueToken: typeof b.IssueToken === 'string' && b.IssueToken ? b.IssueToken : undefined,
      };
    }
  }
  if (!/<(?:[\w.-]+:)?(Fault|ServiceException)[\s>]/.test(text)) return undefined;
  const message = element(text, 'Text') ?? element(text, 'Message') ?? '';
  const expired = element(text, 'IsSessionExpired');
  return {
    message,
    sessionExpired: expired?.toLowerCase() === 'true',
    code: element(text, 'Value'),
    issueToken: element(text, 'IssueToken'),
  };
}

const MFA = /\bmfa\b|multi-?factor/i;
const BAD_LOGIN =
  /user ?name and password|username or password|login failed|invalid credentials|authentication failed/i;
const NOT_FOUND =
  /\bno (account|reseller|marketplace|subscription)\b.*\bfound\b|\bnot found\b|does not exist|is not available/i;
const BUSINESS =
  /cannot be (decreased|terminated|reduced)|cancellation period|not allowed|credit limit|dependent subscriptions|requires an active/i;
const CONFLICT = /already terminated|already exists|already has|\bis terminated\b/i;
const INVALID = /\bis required\b|\bmust be\b|\binvalid\b|unknown field|read-only|\bmandatory\b|does not match/i;
const PERMISSION =
  /not (authori[sz]ed|permitted)|access denied|insufficient (rights|permissions)|through this API user/i;

/** Maps a SimpleAPI error answer (XML WCF fault, usually HTTP 500) to a typed error with a hint. */
export function mapDandhError(r: ErrorResponse, redact: (s: string) => string): MarketplaceError {
  // Vendor text may echo credentials: scrubbed (every field, cause chain) and cut here, whatever the branch.
  return scrubVendorError(mapDandhErrorUnscrubbed(r, redact));
}

function mapDandhErrorUnscrubbed(r: ErrorResponse, redact: (s: string) => string): MarketplaceError {
  const fault = parseDandhFault(r.text, r.body);
  const isLogin = r.request.operation === 'token';
  const vendorMessage =
    fault?.message ||
    r.text
      .replace(/<[^>]+>/g, ' ')
      .trim()
      .slice(0, 200) ||
    `HTTP ${r.status}`;
  const message = redact(`${r.request.operation}: D&H answered ${r.status}: ${vendorMessage}`);
  const base = baseErrorFields('dandh', r);
  const hint = (h: string) => ({ ...base, hint: h });

  if (fault?.sessionExpired) {
    return new AuthenticationError(message, {
      ...hint(
        'The D&H session expired; the SDK logs in again once. If this persists, check that the API user is not being logged out elsewhere.',
      ),
      code: DANDH_SESSION_EXPIRED,
    });
  }
  if (r.status === 429)
    return errorForStatus(429, message, hint('D&H publishes no rate limit; lower rateLimit or spread the work.'));
  if (MFA.test(vendorMessage)) {
    return new AuthenticationError(message, {
      ...hint(
        'Users with MFA enabled cannot use the SimpleAPI: create a dedicated D&H portal user for the API with MFA disabled.',
      ),
      code: 'MFA_NOT_SUPPORTED',
    });
  }
  if (isLogin || BAD_LOGIN.test(vendorMessage)) {
    return new AuthenticationError(message, {
      ...hint(
        'D&H refused the login: check credentials.username and credentials.password (a D&H Cloud Marketplace portal user, not your D&H distribution login), and that the user is active.',
      ),
      code: 'LOGIN_FAILED',
    });
  }
  if (r.status === 401) {
    return new AuthenticationError(message, hint('The session was refused even after logging in again.'));
  }
  if (r.status === 404 && !fault?.message) {
    return new NotFoundError(
      message,
      hint(
        'The SimpleAPI method was not found: check baseUrl (…/SimpleAPI/SimpleAPIService.svc/rest, no trailing slash); D&H may not enable this method.',
      ),
    );
  }
  if (PERMISSION.test(vendorMessage) || r.status === 403) {
    return errorForStatus(
      403,
      message,
      hint('The D&H API user lacks the right to do this: check its role in the D&H portal.'),
    );
  }
  if (NOT_FOUND.test(vendorMessage) || r.status === 404) {
    return new NotFoundError(
      message,
      hint('Check the id and accountId: D&H answers "not found" for accounts outside your reseller tree.'),
    );
  }
  if (CONFLICT.test(vendorMessage))
    return new ConflictError(message, hint('The subscription is not in the state the change needs; re-read it.'));
  if (BUSINESS.test(vendorMessage)) {
    return new BusinessRuleError(
      message,
      hint(
        'D&H refused the change by its rules (Microsoft NCE allows decreases and cancellations only within 7 days of the term start; set AdvancePeriodEndAction to Terminate to end at term end).',
      ),
    );
  }
  if (INVALID.test(vendorMessage) || r.status === 400) {
    return new ValidationError(
      message,
      [],
      hint('D&H refused a parameter; see the message. Field names are per service (GetFieldsForService).'),
    );
  }
  if (r.status === 405) return errorForStatus(400, message, hint('SimpleAPI methods are POST only.'));
  return errorForStatus(
    Math.max(r.status, 500),
    message,
    hint('D&H answered a fault the SDK does not recognise; reads are retried, writes are settled by re-reading.'),
  );
}

/** A `ValidateFields` answer of `FAILED` as a typed error (business rule or bad value). */
export function validationFailure(
  operation: string,
  details: string,
  fieldName: string | undefined,
  requestId: string | undefined,
): MarketplaceError {
  // Vendor text may echo credentials: scrubbed (every field, cause chain) and cut here, whatever the branch.
  return scrubVendorError(validationFailureUnscrubbed(operation, details, fieldName, requestId));
}

function validationFailureUnscrubbed(
  operation: string,
  details: string,
  fieldName: string | undefined,
  requestId: string | undefined,
): MarketplaceError {
  const message = `${operation}: D&H validation failed: ${details || 'no details given'}`;
  const fields = { provider: 'dandh', operation, requestId, code: 'VALIDATION_FAILED' };
  if (BUSINESS.test(details)) {
    return new BusinessRuleError(message, {
      ...fields,
      hint: 'D&H would refuse this change by its rules (Microsoft NCE: decreases only within 7 days of the term start).',
    });
  }
  return new ValidationError(message, fieldName ? [{ path: fieldName, message: details }] : [], {
    ...fields,
    hint: 'D&H would refuse these field values; see GetFieldsForService for the order form.',
  });
}
