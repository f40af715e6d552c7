import {
  AuthenticationError,
  BusinessRuleError,
  ConfigurationError,
  type MarketplaceError,
  NotFoundError,
  RateLimitError,
  ValidationError,
  type ValidationIssue,
} from '../../core/errors.js';
import type { ErrorResponse } from '../../core/http.js';
import { baseErrorFields, errorForStatus } from '../../core/http-errors.js';
import { scrubVendorError } from '../../core/redact.js';

const PROVIDER = 'sherweb';
const PORTAL = 'Sherweb partner portal (cumulus.sherweb.com) > Security > APIs';

/** What the SDK read from a Sherweb RFC 7807 problem, kept next to the typed error it became. */
export interface SherwebProblem {
  /** The problem's code: `extensions.code`, a top-level `code`, or the last segment of `type`. */
  code: string | undefined;
  type: string | undefined;
  title: string | undefined;
  detail: string | undefined;
  /** Tracking id of a request already in progress on the subscription, when the vendor named one. */
  requestTrackingId: string | undefined;
  extensions: Record<string, unknown>;
}

const problems = new WeakMap<MarketplaceError, SherwebProblem>();

/** The problem details behind a Sherweb error, when the vendor answered with one. */
export function sherwebProblemOf(error: unknown): SherwebProblem | undefined {
  return error && typeof error === 'object' ? problems.get(error as MarketplaceError) : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

function record(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** `Try again in N seconds` (APIM's rate-limit text) in ms. */
export function sherwebRetryAfterFromText(value: string | undefined): number | undefined {
  const m = value ? /try again in (\d+(?:\.\d+)?) seconds?/i.exec(value) : null;
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}

/** Business problems the SDK recognises, by code, `type` URI slug or title (Sherweb's real URIs are unpublished). */
type ProblemKind =
  | 'commitment-term-violation'
  | 'quantity-cannot-be-changed'
  | 'subscription-cannot-be-cancelled'
  | 'customer-not-found'
  | 'subscription-not-found'
  | 'invalid-sku';

const KINDS: Array<[ProblemKind, RegExp]> = [
  ['commitment-term-violation', /commitment[\s_-]*term[\s_-]*violation/i],
  ['quantity-cannot-be-changed', /quantity[\s_-]*cannot[\s_-]*be[\s_-]*changed/i],
  ['subscription-cannot-be-cancelled', /subscription[\s_-]*cannot[\s_-]*be[\s_-]*cancell?ed/i],
  ['customer-not-found', /customer[\s_-]*not[\s_-]*found/i],
  ['subscription-not-found', /subscription[\s_-]*not[\s_-]*found/i],
  ['invalid-sku', /invalid[\s_-]*sku|sku[\s_-]*not[\s_-]*available/i],
];

function kindOf(p: SherwebProblem): ProblemKind | undefined {
  for (const source of [p.code, p.type, p.title]) {
    if (!source) continue;
    const hit = KINDS.find(([, re]) => re.test(source));
    if (hit) return hit[0];
  }
  return undefined;
}

function readProblem(body: Record<string, unknown>): SherwebProblem {
  const extensions = { ...record(body.extensions) };
  // ASP.NET puts extension members at the top level; Sherweb's .NET client reads an `extensions` map. Take both.
  for (const [k, v] of Object.entries(body)) {
    if (!['type', 'title', 'status', 'detail', 'instance', 'extensions'].includes(k) && !(k in extensions)) {
      extensions[k] = v;
    }
  }
  const type = text(body.type);
  return {
    code: text(extensions.code) ?? (type ? text(type.split('/').pop()) : undefined),
    type,
    title: text(body.title),
    detail: text(body.detail),
    requestTrackingId: text(extensions.requestTrackingId),
    extensions,
  };
}

function validationIssues(extensions: Record<string, unknown>): ValidationIssue[] {
  const errors = record(extensions.errors);
  return Object.entries(errors).flatMap(([path, list]) =>
    (Array.isArray(list) ? list : [list]).map((m) => ({ path, message: String(m) })),
  );
}

/**
 * Sherweb error answers, which come in three shapes: RFC 7807 problem details from the API, API Management's
 * own `{ statusCode, message }` (missing or wrong subscription key, unknown route, rate limit) and OAuth errors
 * `{ error, error_description }` from the token endpoint.
 */
export function mapSherwebError(r: ErrorResponse, redact: (s: string) => string): MarketplaceError {
  // Vendor text may echo credentials: scrubbed (every field, cause chain) and cut here, whatever the branch.
  return scrubVendorError(mapSherwebErrorUnscrubbed(r, redact));
}

function mapSherwebErrorUnscrubbed(r: ErrorResponse, redact: (s: string) => string): MarketplaceError {
  const body = record(r.body);
  const isToken = r.request.operation === 'token';
  const fields = baseErrorFields(PROVIDER, r);
  const head = `${r.request.operation}: Sherweb answered ${r.status}`;

  // OAuth errors of the token endpoint.
  if (isToken) {
    const code = text(body.error);
    const message = redact(`${head}: ${text(body.error_description) ?? code ?? (r.text.slice(0, 200) || 'no body')}`);
    if (code === 'invalid_client' || code === 'unauthorized_client' || r.status === 401) {
      return new AuthenticationError(message, {
        ...fields,
        code,
        hint: `Client id/secret wrong or revoked: check credentials.clientId and clientSecret in the ${PORTAL} (create a new secret if needed).`,
      });
    }
    if (code === 'invalid_scope') {
      return new ConfigurationError(message, {
        ...fields,
        code,
        hint: "The scope was refused: leave the scope option unset (default 'service-provider') unless Sherweb told you otherwise.",
      });
    }
    if (code === 'invalid_request' || code === 'unsupported_grant_type') {
      return new ConfigurationError(message, {
        ...fields,
        code,
        hint: 'The token request was refused as malformed: check tokenUrl (default https://api.sherweb.com/auth/oidc/connect/token).',
      });
    }
  }

  // API Management's own answers: { statusCode, message }.
  const apimMessage = typeof body.statusCode === 'number' ? text(body.message) : undefined;
  if (apimMessage !== undefined) {
    const message = redact(`${head}: ${apimMessage}`);
    if (/subscription key/i.test(apimMessage)) {
      if (/missing/i.test(apimMessage)) {
        return new ConfigurationError(message, {
          ...fields,
          code: 'MissingSubscriptionKey',
          hint: `The Ocp-Apim-Subscription-Key header was not sent: pass credentials.subscriptionKey (the Subscription Key shown with your API application in the ${PORTAL}).`,
        });
      }
      return new AuthenticationError(message, {
        ...fields,
        code: 'InvalidSubscriptionKey',
        hint: `The subscription key was refused: credentials.subscriptionKey must be the Subscription Key of the same API application as the client id, from the ${PORTAL}.`,
      });
    }
    if (r.status === 429) {
      return new RateLimitError(message, {
        ...fields,
        retryAfterMs: fields.retryAfterMs ?? sherwebRetryAfterFromText(apimMessage),
        hint: RATE_HINT,
      });
    }
    if (r.status === 404) {
      return errorForStatus(404, message, {
        ...fields,
        hint: 'API Management knows no such route: check baseUrl (default https://api.sherweb.com/service-provider/v1).',
      });
    }
    return errorForStatus(r.status, message, { ...fields, hint: hintFor(r.status) });
  }

  // RFC 7807 problem details (or a body the SDK does not know).
  const problem = readProblem(body);
  const vendorText =
    [problem.title, problem.detail].filter(Boolean).join(': ') ||
    text(body.message) ||
    r.text.slice(0, 200) ||
    `HTTP ${r.status}`;
  const message = redact(`${head}: ${vendorText}`);
  const kind = kindOf(problem);
  const base = { ...fields, code: problem.code };
  let error: MarketplaceError;
  switch (kind) {
    case 'commitment-term-violation':
      error = new BusinessRuleError(message, {
        ...base,
        hint: 'Sherweb refuses decreases (and cancellations) of a committed subscription outside its grace window: see constraints.decreaseAllowedUntil, or lower the seats at renewal.',
      });
      break;
    case 'quantity-cannot-be-changed':
      error = new BusinessRuleError(message, {
        ...base,
        hint: problem.requestTrackingId
          ? `Another request (tracking id ${problem.requestTrackingId}) is still in progress on this subscription: wait for it to finish, then try again.`
          : 'Sherweb does not allow this quantity change (some products, such as Azure plan, have a fixed quantity).',
      });
      break;
    case 'subscription-cannot-be-cancelled':
      error = new BusinessRuleError(message, {
        ...base,
        hint: problem.requestTrackingId
          ? `Another request (tracking id ${problem.requestTrackingId}) is still in progress on this subscription: wait for it to finish.`
          : 'Sherweb refused to cancel this subscription; check its commitment term in the partner portal.',
      });
      break;
    case 'customer-not-found':
      error = new NotFoundError(message, {
        ...base,
        hint: 'No such customer for these credentials: check the customer id (listCustomers shows the ids).',
      });
      break;
    case 'subscription-not-found':
      error = new NotFoundError(message, {
        ...base,
        hint: 'No such live subscription for this customer: it may have been cancelled (cancelled subscriptions leave the list).',
      });
      break;
    case 'invalid-sku':
      error = new ValidationError(message, [{ path: 'productId', message: problem.detail ?? 'SKU not available' }], {
        ...base,
        hint: "The SKU is not in this customer's catalog: pick one from listProducts({ customerId }).",
      });
      break;
    default:
      if (r.status === 400) {
        error = new ValidationError(message, validationIssues(problem.extensions), { ...base, hint: hintFor(400) });
      } else if (r.status === 429) {
        error = new RateLimitError(message, {
          ...base,
          retryAfterMs: fields.retryAfterMs ?? sherwebRetryAfterFromText(problem.detail ?? text(body.message)),
          hint: RATE_HINT,
        });
      } else {
        error = errorForStatus(r.status, message, { ...base, hint: hintFor(r.status) });
      }
  }
  if (r.body && typeof r.body === 'object') problems.set(error, problem);
  return error;
}

const RATE_HINT =
  'Sherweb rate-limited the calls (it publishes no numbers): the SDK waits the time Sherweb gives; lower rateLimit if it happens often.';

function hintFor(status: number): string | undefined {
  switch (status) {
    case 400:
      return 'Sherweb refused the request as invalid; see the message for the field.';
    case 401:
      return `The access token was refused even after a refresh: the API application may have been revoked in the ${PORTAL}.`;
    case 403:
      return "These credentials lack the permission or the 'service-provider' scope for this call.";
    case 404:
      return 'Check the id: it does not exist or is not visible to these credentials.';
    default:
      return status >= 500 ? 'Sherweb had a server problem; reads are retried automatically.' : undefined;
  }
}
