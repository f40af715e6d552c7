/**
 * A stateful fake of the Pax8 Partner API v1 on msw: OAuth client-credentials tokens, page/size paging,
 * companies, products (pricing, dependencies, provisioning details), subscriptions (seat changes with the
 * Microsoft NCE 7-day decrease window, cancel) and orders (`isMock` dry runs), with the Pax8 error envelope,
 * optional rate limiting and the shared fault injection of the kit.
 *
 * Where the vendor's behaviour is not documented the fake makes a choice; each is marked "Choice:" below.
 */
import { HttpResponse, type HttpHandler } from 'msw';
import { type FakeRequest, type RecordedRequest, fakeHandlers } from '../kit/fake-server.js';
import { FaultInjector } from '../kit/faults.js';
import { RateWindow } from '../kit/rate-window.js';
import type { Clock, VendorFake } from '../kit/types.js';
import { pax8BillingRoutes } from './billing.js';
import { createSeededPax8State } from './seed.js';
import {
  type AddPax8CompanyInput,
  type AddPax8SubscriptionInput,
  PAX8_BILLING_TERMS,
  PAX8_COMPANY_STATUSES,
  PAX8_SUBSCRIPTION_STATUSES,
  type Pax8BillingTerm,
  type Pax8Commitment,
  type Pax8Company,
  type Pax8Order,
  type Pax8OrderLineItem,
  type Pax8ProductRecord,
  type Pax8State,
  type Pax8Subscription,
  addPax8Company,
  addPax8Subscription,
  createPax8State,
  findRate,
  isoDay,
  randomUuid,
  termMonths,
  toProductSummary,
} from './state.js';

/** Default base URL of the Pax8 Partner API. */
export const PAX8_DEFAULT_BASE_URL = 'https://api.pax8.com/v1';
/** The legacy token endpoint many clients still use (with audience `api://p8p.client`). */
export const PAX8_LEGACY_TOKEN_URL = 'https://login.pax8.com/oauth/token';
/** Audiences the fake accepts for partner endpoints by default. */
export const PAX8_PARTNER_AUDIENCES = ['https://api.pax8.com', 'api://p8p.client'] as const;

const DAY_MS = 86_400_000;
/** Microsoft NCE: seats can be removed within 7 days of being added. */
const DECREASE_WINDOW_MS = 7 * DAY_MS;

/** Options of {@link createPax8Fake}. */
export interface Pax8FakeOptions {
  /** Default `https://api.pax8.com/v1`. */
  baseUrl?: string;
  /** Default `${baseUrl}/token`; {@link PAX8_LEGACY_TOKEN_URL} or any other host works too. */
  tokenUrl?: string;
  /** Default `fake-pax8-client-id`. */
  clientId?: string;
  /** Default `fake-pax8-client-secret`. */
  clientSecret?: string;
  /** The one audience to accept; default: both `https://api.pax8.com` and `api://p8p.client`. */
  audience?: string;
  /** Token lifetime in seconds (default 86 400). */
  tokenTtlSeconds?: number;
  /** Rate limit on API calls (token calls are not counted); off by default. */
  rateLimit?: { perMinute: number; retryAfter?: boolean };
  /** Load the seed data (default true); the seed's base date is `now()` at creation. */
  seed?: boolean;
  /** Clock for token expiry, dates written and commitment windows (default `() => new Date()`). */
  now?: Clock;
  /** Seed of the fault injector's PRNG. */
  faultSeed?: number;
}

/** Credentials the Pax8 fake accepts. */
export interface Pax8FakeCredentials {
  clientId: string;
  clientSecret: string;
}

/** A state-changing request the fake applied. */
export interface Pax8AppliedWrite {
  method: string;
  /** Path below the base URL, e.g. `/subscriptions/<id>`. */
  path: string;
  /** Query string (with `?`), or `''`. */
  query: string;
  body: unknown;
}

/** The Pax8 fake: a {@link VendorFake} plus token and state helpers. */
export interface Pax8Fake extends VendorFake<Pax8State, Pax8FakeCredentials> {
  readonly provider: 'pax8';
  /** The token endpoint the fake answers on. */
  readonly tokenUrl: string;
  /** Number of successful token responses so far. */
  readonly issuedTokens: number;
  /** Every state-changing request actually applied (not `isMock` orders, not refused requests). */
  readonly appliedWrites: Pax8AppliedWrite[];
  /** The rate window when `rateLimit` is on (its `rejected` counts 429s). */
  readonly rateWindow: RateWindow | undefined;
  /** Makes every token issued so far expired. */
  expireAllTokens(): void;
  /** Makes one token invalid. */
  revokeToken(token: string): void;
  /** Creates a valid token without an HTTP call (not counted in `issuedTokens`). */
  mintToken(): string;
  /** All companies, in listing order. */
  readonly companies: Pax8Company[];
  /** All products (detail shape), in listing order. */
  readonly products: Pax8ProductRecord[];
  /** All subscriptions, in listing order. */
  readonly subscriptions: Pax8Subscription[];
  /** All orders, in creation order. */
  readonly orders: Pax8Order[];
  /** The company's stored record, to assert on after a call. */
  getCompany(id: string): Pax8Company | undefined;
  /** The product's stored record. */
  getProduct(id: string): Pax8ProductRecord | undefined;
  /** The subscription's stored record (seat count, status...), to assert on after a call. */
  getSubscription(id: string): Pax8Subscription | undefined;
  /** The order's stored record. */
  getOrder(id: string): Pax8Order | undefined;
  /** Subscriptions of one company. */
  subscriptionsOf(companyId: string): Pax8Subscription[];
  /** Adds a company to the state (see `addPax8Company`). */
  addCompany(input: AddPax8CompanyInput): Pax8Company;
  /** Adds a subscription to the state (see `addPax8Subscription`; `now` defaults to the fake's clock). */
  addSubscription(input: AddPax8SubscriptionInput): Pax8Subscription;
}

interface TokenRecord {
  expiresAt: number;
}

interface ErrorDetail {
  type?: string;
  message: string;
  instance?: string;
  status?: number;
}

// A date-time with an offset or Z, as the spec's `format: date-time` (date-only is refused).
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function randomToken(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function oauthError(status: number, error: string, description: string): Response {
  return HttpResponse.json({ error, error_description: description }, { status });
}

function paged<T>(items: T[], page: number, size: number): { content: T[]; page: Record<string, number> } {
  const totalElements = items.length;
  return {
    content: items.slice(page * size, page * size + size),
    page: { size, totalElements, totalPages: Math.ceil(totalElements / size), number: page },
  };
}

/** Creates a Pax8 fake. Pass `fake.handlers` to msw's `setupServer`. */
export function createPax8Fake(options: Pax8FakeOptions = {}): Pax8Fake {
  const baseUrl = (options.baseUrl ?? PAX8_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const tokenUrl = options.tokenUrl ?? `${baseUrl}/token`;
  const credentials: Pax8FakeCredentials = {
    clientId: options.clientId ?? 'fake-pax8-client-id',
    clientSecret: options.clientSecret ?? 'fake-pax8-client-secret',
  };
  const audiences: readonly string[] = options.audience ? [options.audience] : PAX8_PARTNER_AUDIENCES;
  const ttlMs = (options.tokenTtlSeconds ?? 86_400) * 1000;
  const now: Clock = options.now ?? (() => new Date());
  const state = options.seed === false ? createPax8State() : createSeededPax8State({ baseDate: now() });
  const faults = new FaultInjector(options.faultSeed);
  const requests: RecordedRequest[] = [];
  const appliedWrites: Pax8AppliedWrite[] = [];
  const tokens = new Map<string, TokenRecord>();
  let issuedTokens = 0;
  const rateWindow = options.rateLimit
    ? new RateWindow({ limit: options.rateLimit.perMinute, windowMs: 60_000, now: () => now().getTime() })
    : undefined;
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, '');

  // ---------- helpers ----------
  const nowIso = (): string => now().toISOString();
  const mint = (): string => {
    const token = randomToken();
    tokens.set(token, { expiresAt: now().getTime() + ttlMs });
    return token;
  };
  const instanceOf = (req: FakeRequest): string => req.url.pathname;
  const envelope = (
    req: FakeRequest,
    status: number,
    type: string,
    message: string,
    details: ErrorDetail[] = [],
    headers: Record<string, string> = {},
  ) => HttpResponse.json({ type, message, instance: instanceOf(req), status, details }, { status, headers });
  const notFound = (req: FakeRequest, what: string, id: string) =>
    envelope(req, 404, 'NOT_FOUND', `${what} Not Found: ${id}`);
  const record = (req: FakeRequest): void => {
    appliedWrites.push({ method: req.method, path: req.path, query: req.url.search, body: req.body });
  };

  function handleToken(req: FakeRequest): Response {
    if (req.method !== 'POST') return oauthError(405, 'invalid_request', 'Method not allowed');
    const body = req.body;
    if (!isRecord(body)) return oauthError(400, 'invalid_request', 'Request body must be a JSON object');
    for (const field of ['client_id', 'client_secret', 'audience', 'grant_type']) {
      if (typeof body[field] !== 'string' || body[field] === '') {
        return oauthError(400, 'invalid_request', `Missing required parameter: ${field}`);
      }
    }
    if (body.grant_type !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', 'Unsupported grant type: only client_credentials is allowed');
    }
    if (body.client_id !== credentials.clientId || body.client_secret !== credentials.clientSecret) {
      return oauthError(401, 'access_denied', 'Unauthorized');
    }
    if (!audiences.includes(String(body.audience))) {
      return oauthError(400, 'invalid_request', `Service not found: ${String(body.audience)}`);
    }
    issuedTokens += 1;
    return HttpResponse.json({ access_token: mint(), expires_in: Math.floor(ttlMs / 1000), token_type: 'Bearer' });
  }

  function authError(req: FakeRequest): Response | undefined {
    const header = req.headers.get('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1])
      return envelope(req, 401, 'UNAUTHORIZED', 'Full authentication is required to access this resource');
    const token = tokens.get(match[1]);
    if (!token) return envelope(req, 401, 'UNAUTHORIZED', 'Invalid access token');
    if (now().getTime() >= token.expiresAt) return envelope(req, 401, 'UNAUTHORIZED', 'Access token has expired');
    return undefined;
  }

  /** Parses `page`/`size`; returns the numbers or a 400 response. */
  function paging(req: FakeRequest): { page: number; size: number } | Response {
    const rawPage = req.query.get('page');
    const rawSize = req.query.get('size');
    const page = rawPage === null || rawPage === '' ? 0 : Number(rawPage);
    const size = rawSize === null || rawSize === '' ? 10 : Number(rawSize);
    if (!Number.isInteger(page) || page < 0) {
      return envelope(req, 400, 'BAD_REQUEST', 'page must be a whole number >= 0', [
        { type: 'INVALID_PARAM', message: `Invalid value for page: ${rawPage}`, instance: 'page' },
      ]);
    }
    if (!Number.isInteger(size) || size < 1 || size > 200) {
      return envelope(req, 400, 'BAD_REQUEST', 'size must be between 1 and 200', [
        { type: 'INVALID_PARAM', message: `Invalid value for size: ${rawSize}`, instance: 'size' },
      ]);
    }
    return { page, size };
  }

  /** Applies `sort=field,dir`; returns the sorted copy or a 400 response. */
  function sorted<T>(
    req: FakeRequest,
    items: T[],
    fields: Record<string, (item: T) => string | number>,
  ): T[] | Response {
    const sort = req.query.get('sort');
    if (!sort) return items;
    const [field = '', dir = 'asc'] = sort.split(',');
    const key = fields[field];
    if (!key || !['asc', 'desc'].includes(dir.toLowerCase())) {
      return envelope(req, 400, 'BAD_REQUEST', `Invalid sort: ${sort}`);
    }
    const sign = dir.toLowerCase() === 'desc' ? -1 : 1;
    return [...items].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return x < y ? -sign : x > y ? sign : 0;
    });
  }

  function enumFilter<T extends string>(
    req: FakeRequest,
    name: string,
    allowed: readonly T[],
  ): { value: T | undefined } | Response {
    const raw = req.query.get(name);
    if (raw === null || raw === '') return { value: undefined };
    const value = allowed.find((a) => a === raw);
    if (!value) return envelope(req, 400, 'BAD_REQUEST', `Invalid value for ${name}: ${raw}`);
    return { value };
  }

  function list<T>(req: FakeRequest, items: T[], sortFields: Record<string, (item: T) => string | number>): Response {
    const p = paging(req);
    if (p instanceof Response) return p;
    const ordered = sorted(req, items, sortFields);
    if (ordered instanceof Response) return ordered;
    return HttpResponse.json(paged(ordered, p.page, p.size));
  }

  // ---------- companies ----------
  function listCompanies(req: FakeRequest): Response {
    const status = enumFilter(req, 'status', PAX8_COMPANY_STATUSES);
    if (status instanceof Response) return status;
    let items = [...state.companies.values()];
    if (status.value) items = items.filter((c) => c.status === status.value);
    for (const field of ['city', 'country', 'stateOrProvince', 'postalCode'] as const) {
      const v = req.query.get(field);
      if (v) items = items.filter((c) => c.address[field].toLowerCase() === v.toLowerCase());
    }
    for (const field of ['selfServiceAllowed', 'billOnBehalfOfEnabled', 'orderApprovalRequired'] as const) {
      const v = req.query.get(field);
      if (v === 'true' || v === 'false') items = items.filter((c) => c[field] === (v === 'true'));
    }
    return list(req, items, {
      name: (c) => c.name.toLowerCase(),
      city: (c) => c.address.city,
      country: (c) => c.address.country,
      stateOrProvince: (c) => c.address.stateOrProvince,
      postalCode: (c) => c.address.postalCode,
    });
  }

  // ---------- products ----------
  function listProducts(req: FakeRequest): Response {
    let items = [...state.products.values()].map((r) => r.product);
    const vendorName = req.query.get('vendorName');
    if (vendorName) items = items.filter((p) => p.vendorName.toLowerCase() === vendorName.toLowerCase());
    const search = req.query.get('search')?.toLowerCase();
    if (search) {
      items = items.filter((p) =>
        [p.name, p.vendorName, p.sku, p.vendorSku, p.id].some((v) => v.toLowerCase().includes(search)),
      );
    }
    return list(req, items.map(toProductSummary), {
      name: (p) => p.name.toLowerCase(),
      vendor: (p) => p.vendorName.toLowerCase(),
    });
  }

  function productRoute(req: FakeRequest, id: string, sub: string | undefined): Response {
    const rec = state.products.get(id);
    if (!rec) return notFound(req, 'Product', id);
    switch (sub) {
      case undefined:
        return HttpResponse.json(rec.product);
      case 'pricing':
        // Choice: company-specific pricing (`companyId`) is the same as list pricing.
        return HttpResponse.json({ content: rec.pricing });
      case 'dependencies':
        return HttpResponse.json({
          commitmentDependencies: rec.commitmentDependencies,
          productDependencies: rec.productDependencies,
        });
      case 'provision-details':
        return HttpResponse.json({ content: rec.provisionDetails });
      default:
        return routeNotFound(req);
    }
  }

  // ---------- subscriptions ----------
  function listSubscriptions(req: FakeRequest): Response {
    const companyId = req.query.get('companyId');
    if (companyId && !state.companies.has(companyId)) {
      return envelope(req, 403, 'FORBIDDEN', 'Invalid companyId');
    }
    const status = enumFilter(req, 'status', PAX8_SUBSCRIPTION_STATUSES);
    if (status instanceof Response) return status;
    const billingTerm = enumFilter(req, 'billingTerm', PAX8_BILLING_TERMS);
    if (billingTerm instanceof Response) return billingTerm;
    const productId = req.query.get('productId');
    let items = [...state.subscriptions.values()];
    if (companyId) items = items.filter((s) => s.companyId === companyId);
    if (productId) items = items.filter((s) => s.productId === productId);
    if (status.value) items = items.filter((s) => s.status === status.value);
    if (billingTerm.value) items = items.filter((s) => s.billingTerm === billingTerm.value);
    const time = (iso: string | undefined): number => (iso ? Date.parse(iso) : 0);
    return list(req, items, {
      quantity: (s) => s.quantity,
      startDate: (s) => time(s.startDate),
      endDate: (s) => time(s.endDate),
      createdDate: (s) => time(s.createdDate),
      billingStart: (s) => s.billingStart,
      price: (s) => s.price,
    });
  }

  function dependencyOf(sub: Pax8Subscription): Pax8Commitment | undefined {
    if (!sub.commitmentTerm) return undefined;
    const id = sub.commitmentTerm.id;
    return state.products.get(sub.productId)?.commitmentDependencies.find((c) => c.id === id);
  }

  function updateSubscription(req: FakeRequest, sub: Pax8Subscription): Response {
    const body = req.body;
    if (!isRecord(body)) return envelope(req, 400, 'BAD_REQUEST', 'Request body must be a JSON object');
    const invalid = (message: string, instance?: string) =>
      envelope(req, 422, 'UNPROCESSABLE_ENTITY', message, [
        { message, ...(instance ? { instance } : {}), status: 422 },
      ]);
    const { quantity, billingTerm, price, startDate } = body;
    if (quantity === undefined && billingTerm === undefined && price === undefined && startDate === undefined) {
      return invalid('At least one of price, billingTerm, quantity or startDate is required');
    }
    if (quantity !== undefined && !(typeof quantity === 'number' && Number.isInteger(quantity) && quantity >= 1)) {
      return invalid('quantity must be a whole number greater than or equal to 1', 'quantity');
    }
    if (billingTerm !== undefined && !PAX8_BILLING_TERMS.some((t) => t === billingTerm)) {
      return invalid(`Invalid billingTerm: ${String(billingTerm)}`, 'billingTerm');
    }
    if (price !== undefined && !(typeof price === 'number' && Number.isFinite(price) && price >= 0)) {
      return invalid('price must be a number greater than or equal to 0', 'price');
    }
    if (startDate !== undefined && !(typeof startDate === 'string' && !Number.isNaN(Date.parse(startDate)))) {
      return invalid('startDate must be a date-time', 'startDate');
    }
    if (sub.status === 'Cancelled' || sub.status === 'PendingCancel') {
      return invalid(`Subscription ${sub.id} is ${sub.status} and cannot be updated`);
    }
    const nowMs = now().getTime();
    if (Date.parse(sub.startDate) > nowMs) {
      return invalid('Subscriptions with a future start date cannot be updated');
    }
    if (typeof quantity === 'number' && quantity < sub.quantity && sub.commitmentTerm) {
      // Microsoft NCE rule: seats can be removed only within 7 days of being added (purchase or increase).
      const addedAt = Math.max(Date.parse(sub.startDate), Date.parse(state.seatsAddedAt.get(sub.id) ?? sub.startDate));
      const dependency = dependencyOf(sub);
      if (nowMs - addedAt > DECREASE_WINDOW_MS && !dependency?.allowForQuantityDecrease) {
        return invalid('Quantity decrease is not allowed outside the cancellation window', 'quantity');
      }
    }
    // Choice: increases are always accepted; a billingTerm change is applied as is (the vendor's rules are unknown).
    if (typeof quantity === 'number') {
      if (quantity > sub.quantity) state.seatsAddedAt.set(sub.id, nowIso());
      sub.quantity = quantity;
    }
    if (typeof billingTerm === 'string') sub.billingTerm = billingTerm as Pax8BillingTerm;
    if (typeof price === 'number') sub.price = price;
    if (typeof startDate === 'string') {
      sub.startDate = new Date(startDate).toISOString();
      sub.billingStart = isoDay(new Date(startDate));
    }
    sub.updatedDate = nowIso();
    record(req);
    return HttpResponse.json(sub);
  }

  function cancelSubscription(req: FakeRequest, sub: Pax8Subscription): Response {
    const raw = req.query.get('cancelDate');
    let cancelAt = now();
    if (raw !== null) {
      if (!DATE_TIME_RE.test(raw) || Number.isNaN(Date.parse(raw))) {
        return envelope(req, 400, 'BAD_REQUEST', `Invalid cancelDate: ${raw}`, [
          { type: 'INVALID_PARAM', message: 'cancelDate must be an ISO 8601 date-time', instance: 'cancelDate' },
        ]);
      }
      cancelAt = new Date(raw);
    }
    if (sub.status === 'Cancelled') {
      return envelope(req, 422, 'UNPROCESSABLE_ENTITY', `Subscription ${sub.id} is already cancelled`);
    }
    const dependency = dependencyOf(sub);
    if (sub.commitmentTerm && dependency && !dependency.allowForEarlyCancellation) {
      // Choice: allowed at or after the commitment end, or within 7 days of the start (Microsoft's window).
      const termEnd = Date.parse(sub.commitmentTerm.endDate);
      const inWindow = now().getTime() - Date.parse(sub.startDate) <= DECREASE_WINDOW_MS;
      if (cancelAt.getTime() < termEnd && !inWindow) {
        const message = `Early cancellation is not allowed for a ${sub.commitmentTerm.term} commitment ending ${sub.commitmentTerm.endDate}`;
        return envelope(req, 422, 'UNPROCESSABLE_ENTITY', message, [{ message, instance: 'cancelDate', status: 422 }]);
      }
    }
    sub.status = cancelAt.getTime() > now().getTime() ? 'PendingCancel' : 'Cancelled';
    sub.endDate = cancelAt.toISOString();
    sub.updatedDate = nowIso();
    record(req);
    return new HttpResponse(null, { status: 204 });
  }

  // ---------- orders ----------
  function createOrder(req: FakeRequest): Response {
    const isMock = req.query.get('isMock') === 'true';
    const body = req.body;
    if (!isRecord(body)) return envelope(req, 400, 'BAD_REQUEST', 'Request body must be a JSON object');
    const details: ErrorDetail[] = [];
    const fail = (message: string, instance: string) => details.push({ message, instance, status: 422 });
    const company = typeof body.companyId === 'string' ? state.companies.get(body.companyId) : undefined;
    if (typeof body.companyId !== 'string') fail('companyId is required', 'companyId');
    else if (!company) fail(`Company Not Found: ${body.companyId}`, 'companyId');
    else if (company.status !== 'Active') fail(`Company ${company.id} is ${company.status}, not Active`, 'companyId');
    const lines = Array.isArray(body.lineItems) ? body.lineItems : undefined;
    if (!lines || lines.length === 0) fail('lineItems must contain at least one line item', 'lineItems');
    interface Valid {
      record: Pax8ProductRecord;
      quantity: number;
      billingTerm: Pax8BillingTerm;
      dependency: Pax8Commitment | undefined;
      parentSubscriptionId: string | undefined;
    }
    const valid: Valid[] = [];
    for (const [i, line] of (lines ?? []).entries()) {
      const at = (field: string) => `lineItems[${i}].${field}`;
      if (!isRecord(line)) {
        fail('line item must be an object', `lineItems[${i}]`);
        continue;
      }
      const errorsBefore = details.length;
      if (typeof line.lineItemNumber !== 'number') fail('lineItemNumber is required', at('lineItemNumber'));
      const rec = typeof line.productId === 'string' ? state.products.get(line.productId) : undefined;
      if (!rec) fail(`Product Not Found: ${String(line.productId)}`, at('productId'));
      const q = line.quantity;
      if (!(typeof q === 'number' && Number.isInteger(q) && q >= 1)) {
        fail('quantity must be a whole number greater than or equal to 1', at('quantity'));
      }
      const term = PAX8_BILLING_TERMS.find((t) => t === line.billingTerm);
      if (!term) fail(`Invalid billingTerm: ${String(line.billingTerm)}`, at('billingTerm'));
      // The spec's own example spells it `commitmentTermID`; accept both.
      const commitmentTermId = line.commitmentTermId ?? line.commitmentTermID;
      let dependency: Pax8Commitment | undefined;
      if (rec) {
        if (commitmentTermId === undefined || commitmentTermId === null) {
          if (rec.product.requiresCommitment)
            fail('commitmentTermId is required for this product', at('commitmentTermId'));
        } else {
          dependency = rec.commitmentDependencies.find((c) => c.id === commitmentTermId);
          if (!dependency) fail(`Invalid commitmentTermId: ${String(commitmentTermId)}`, at('commitmentTermId'));
          else if (term && termMonths(dependency.term) < termMonths(term)) {
            fail(`Commitment term ${dependency.term} is shorter than billing term ${term}`, at('commitmentTermId'));
          }
        }
        if (term && !rec.pricing.some((p) => p.billingTerm === term)) {
          fail(`Billing term ${term} is not available for this product`, at('billingTerm'));
        }
      }
      const parent = line.parentSubscriptionId;
      if (parent !== undefined && (typeof parent !== 'string' || !state.subscriptions.has(parent))) {
        fail(`Subscription Not Found: ${String(parent)}`, at('parentSubscriptionId'));
      }
      const start = line.provisionStartDate;
      if (start !== undefined && (typeof start !== 'string' || Number.isNaN(Date.parse(start)))) {
        fail('provisionStartDate must be a date-time', at('provisionStartDate'));
      } else if (typeof start === 'string' && Date.parse(start) > now().getTime() + DAY_MS) {
        fail('Scheduled (future-dated) orders are not supported through the API', at('provisionStartDate'));
      }
      if (details.length === errorsBefore && rec && term && typeof q === 'number') {
        valid.push({
          record: rec,
          quantity: q,
          billingTerm: term,
          dependency,
          parentSubscriptionId: typeof parent === 'string' ? parent : undefined,
        });
      }
    }
    if (details.length > 0 || !company) {
      return envelope(req, 422, 'UNPROCESSABLE_ENTITY', 'Invalid Order', details);
    }
    const at = now();
    const orderedBy = body.orderedBy === 'Customer' || body.orderedBy === 'Pax8' ? body.orderedBy : 'Pax8 Partner';
    const order: Pax8Order = {
      id: randomUuid(),
      companyId: company.id,
      createdDate: isoDay(at),
      orderedBy,
      orderedByUserId: randomUuid(),
      ...(typeof body.orderedByUserEmail === 'string' ? { orderedByUserEmail: body.orderedByUserEmail } : {}),
      isScheduled: false,
      lineItems: [],
    };
    for (const line of valid) {
      const item: Pax8OrderLineItem = {
        id: randomUuid(),
        productId: line.record.product.id,
        ...(line.dependency ? { commitmentTermId: line.dependency.id } : {}),
        provisionStartDate: at.toISOString(),
        billingTerm: line.billingTerm,
        quantity: line.quantity,
      };
      if (!isMock) {
        // Choice: the vendor may leave new subscriptions in `PendingAutomated` for a while (its examples show
        // that status); whether POST /orders is synchronous is undocumented. The fake makes them Active at once.
        const rate = findRate(line.record, line.billingTerm, line.dependency?.term, line.quantity);
        const sub = addPax8Subscription(state, {
          companyId: company.id,
          productId: line.record.product.id,
          quantity: line.quantity,
          billingTerm: line.billingTerm,
          commitmentTermId: line.dependency?.id ?? null,
          status: 'Active',
          startDate: at,
          createdDate: at,
          updatedDate: at,
          ...(line.billingTerm === 'Trial' ? { endDate: new Date(at.getTime() + 30 * DAY_MS) } : {}),
          ...(line.parentSubscriptionId ? { parentSubscriptionId: line.parentSubscriptionId } : {}),
          price: rate?.suggestedRetailPrice ?? 0,
          partnerCost: rate?.partnerBuyRate ?? 0,
          now: at,
        });
        item.subscriptionId = sub.id;
      }
      order.lineItems.push(item);
    }
    if (isMock) return HttpResponse.json(order);
    state.orders.set(order.id, order);
    record(req);
    return HttpResponse.json(order);
  }

  function listOrders(req: FakeRequest): Response {
    const companyId = req.query.get('companyId');
    if (companyId && !state.companies.has(companyId)) return notFound(req, 'Company', companyId);
    let items = [...state.orders.values()];
    if (companyId) items = items.filter((o) => o.companyId === companyId);
    return list(req, items, {});
  }

  function routeNotFound(req: FakeRequest): Response {
    return envelope(req, 404, 'NOT_FOUND', `No route for ${req.method} ${basePath}${req.path}`);
  }

  // ---------- routing ----------
  const tokenInsideBase = tokenUrl.startsWith(`${baseUrl}/`);
  const tokenPathInBase = tokenInsideBase ? new URL(tokenUrl).pathname.slice(basePath.length) : undefined;

  // Billing reads (invoices, draft items, usage): testing/pax8/billing.ts.
  const billingRoute = pax8BillingRoutes({
    state,
    now,
    list,
    notFound,
    badRequest: (req, message) => envelope(req, 400, 'BAD_REQUEST', message),
  });

  function dispatch(req: FakeRequest): Response {
    if (tokenPathInBase !== undefined && req.path === tokenPathInBase) return handleToken(req);
    const unauthorized = authError(req);
    if (unauthorized) return unauthorized;
    if (rateWindow) {
      const taken = rateWindow.take();
      if (!taken.ok) {
        const headers: Record<string, string> = options.rateLimit?.retryAfter
          ? { 'Retry-After': String(taken.retryAfterSeconds) }
          : {};
        return envelope(req, 429, 'TOO_MANY_REQUESTS', 'Rate limit exceeded', [], headers);
      }
    }
    const billing = billingRoute(req);
    if (billing) return billing;
    const parts = req.path
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    const [resource, id, sub, extra] = parts;
    if (extra !== undefined) return routeNotFound(req);
    const m = req.method.toUpperCase();
    switch (resource) {
      case 'companies': {
        if (m !== 'GET' || sub !== undefined) return routeNotFound(req);
        if (id === undefined) return listCompanies(req);
        const company = state.companies.get(id);
        return company ? HttpResponse.json(company) : notFound(req, 'Company', id);
      }
      case 'products':
        if (m !== 'GET') return routeNotFound(req);
        return id === undefined ? listProducts(req) : productRoute(req, id, sub);
      case 'subscriptions': {
        if (sub !== undefined) return routeNotFound(req);
        if (id === undefined) return m === 'GET' ? listSubscriptions(req) : routeNotFound(req);
        const found = state.subscriptions.get(id);
        if (!['GET', 'PUT', 'DELETE'].includes(m)) return routeNotFound(req);
        if (!found) return notFound(req, 'Subscription', id);
        if (m === 'GET') return HttpResponse.json(found);
        return m === 'PUT' ? updateSubscription(req, found) : cancelSubscription(req, found);
      }
      case 'orders': {
        if (sub !== undefined) return routeNotFound(req);
        if (id === undefined) {
          if (m === 'POST') return createOrder(req);
          return m === 'GET' ? listOrders(req) : routeNotFound(req);
        }
        if (m !== 'GET') return routeNotFound(req);
        const order = state.orders.get(id);
        return order ? HttpResponse.json(order) : notFound(req, 'Order', id);
      }
      default:
        return routeNotFound(req);
    }
  }

  const handlers: HttpHandler[] = fakeHandlers({ baseUrl, faults, log: requests, dispatch });
  if (!tokenInsideBase) {
    // The token endpoint lives elsewhere (e.g. login.pax8.com): route its folder through the kit as well, so
    // token calls are recorded and subject to faults; the fault path is the last segment (`/token`).
    const url = new URL(tokenUrl);
    const cut = url.pathname.lastIndexOf('/');
    const tokenBase = `${url.origin}${url.pathname.slice(0, cut)}`;
    const tokenPath = url.pathname.slice(cut);
    handlers.push(
      ...fakeHandlers({
        baseUrl: tokenBase,
        faults,
        log: requests,
        dispatch: (req) =>
          req.path === tokenPath ? handleToken(req) : oauthError(404, 'not_found', `No route for ${req.path}`),
      }),
    );
  }

  return {
    provider: 'pax8',
    baseUrl,
    tokenUrl,
    handlers,
    state,
    faults,
    requests,
    credentials,
    appliedWrites,
    rateWindow,
    get issuedTokens() {
      return issuedTokens;
    },
    expireAllTokens() {
      for (const t of tokens.values()) t.expiresAt = Number.NEGATIVE_INFINITY;
    },
    revokeToken(token: string) {
      tokens.delete(token);
    },
    mintToken: mint,
    get companies() {
      return [...state.companies.values()];
    },
    get products() {
      return [...state.products.values()];
    },
    get subscriptions() {
      return [...state.subscriptions.values()];
    },
    get orders() {
      return [...state.orders.values()];
    },
    getCompany: (id) => state.companies.get(id),
    getProduct: (id) => state.products.get(id),
    getSubscription: (id) => state.subscriptions.get(id),
    getOrder: (id) => state.orders.get(id),
    subscriptionsOf: (companyId) => [...state.subscriptions.values()].filter((s) => s.companyId === companyId),
    addCompany: (input) => addPax8Company(state, input),
    addSubscription: (input) => addPax8Subscription(state, { now: now(), ...input }),
  };
}
