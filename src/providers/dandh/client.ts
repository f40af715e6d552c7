import { countItems } from '../../core/count-items.js';
import type { RawRequestOptions, RawResponse } from '../../core/raw-request.js';
import { cancelByConstraints, sdk as sdkChecked, vendor as vendorChecked } from '../../core/dry-run.js';
import type { DryRunCheck } from '../../model/operations.js';
import type { components, paths as DandHPaths } from '../../../generated/dandh.js';
import type { TokenProvider } from '../../core/auth/token-provider.js';
import {
  BaseMarketplaceClient,
  type CancelWriteResult,
  type SeatWriteResult,
  type ValidPurchase,
} from '../../core/base-client.js';
import type { CommonClientOptions } from '../../core/client-options.js';
import { type ClientOptionKeys, clientOptionKeys } from '../../core/options/client-options.js';
import {
  GET_OPTION_KEYS,
  LIST_CUSTOMERS_OPTION_KEYS,
  LIST_PRODUCTS_OPTION_KEYS,
  LIST_SUBSCRIPTIONS_OPTION_KEYS,
  checkCallOptions,
} from '../../core/options/call-options.js';
import { requireCredential, requireUrl } from '../../core/config.js';
import {
  AuthenticationError,
  BusinessRuleError,
  ConfigurationError,
  NotFoundError,
  UnsupportedOperationError,
  ValidationError,
} from '../../core/errors.js';
import { type HttpRequest, type HttpResponse, type HttpMethod, HttpTransport } from '../../core/http.js';
import type { RateLimit } from '../../core/limiter.js';
import type {
  CancelOptions,
  Capabilities,
  GetOptions,
  ListInvoiceLinesOptions,
  ListInvoicesOptions,
  ListOptions,
  ListSubscriptionsOptions,
  SeatChangeOptions,
} from '../../core/marketplace-client.js';
import type { Invoice, InvoiceLine } from '../../model/billing.js';
import {
  type DandhBillingDeps,
  checkDandhInvoiceLines,
  checkDandhInvoices,
  dandhInvoiceLines,
  dandhInvoices,
} from './billing.js';
import { type Page, PagedList } from '../../core/pagination.js';
import { createPendingOperation } from '../../core/pending-operation.js';
import { orderSendFailure } from '../../core/order-safety.js';
import { createLimiterFor, tokenCacheFor, requestConcurrencyOf } from '../../core/scale.js';
import { Secret } from '../../core/redact.js';
import { hashKey } from '../../core/sha.js';
import { raceSignal } from '../../core/auth/cached-token-provider.js';
import { fieldsOf, reportFlagged } from '../../core/item-problems.js';
import type { WireContext } from '../../core/wire.js';
import type { Customer } from '../../model/customer.js';
import type { ConnectionReport, OperationState, PendingOperation, PurchaseResult } from '../../model/operations.js';
import type { Product } from '../../model/product.js';
import type { Subscription, SubscriptionRef } from '../../model/subscription.js';
import { authenticateHeader, createDandhSessionProvider } from './auth.js';
import { DANDH_SESSION_EXPIRED, mapDandhError, validationFailure } from './errors.js';
import {
  DEFAULT_STATUS_RULES,
  type DandhStatusRules,
  mapCompany,
  mapService,
  mapSubscription,
  provisioningState,
  quantityFieldOf,
  serviceBillingMonths,
  udrcFieldOf,
} from './map.js';

type SubscriptionsRequest = components['schemas']['SubscriptionsRequest'];
type SubscriptionRequest = components['schemas']['SubscriptionRequest'];
type ServiceFieldsRequest = components['schemas']['ServiceFieldsRequest'];
type UpdateSubscriptionRequest = components['schemas']['UpdateSubscriptionRequest'];
type TerminateAccountRequest = components['schemas']['TerminateAccountRequest'];
type CreateSubscriptionRequest = components['schemas']['CreateSubscriptionRequest'];
type ValidateFieldsRequest = components['schemas']['ValidateFieldsRequest'];
type ValidationOutcome = components['schemas']['ValidationOutcome'];

/** A D&H Cloud Marketplace portal user for the API (MFA must be off for this user). */
export interface DandhCredentials {
  username: string;
  password: string;
}

/** Options of the D&H client. Every option below `accountId` settles an assumption; see docs/providers/dandh.md. */
export interface DandhClientOptions extends CommonClientOptions {
  credentials: DandhCredentials;
  /** The reseller's (parent) AccountID: the number in the portal URL `…/#/Account/View/<id>/Overview`. */
  accountId: string | number;
  /** How long a session token is reused before logging in again (default 20 min; the real lifetime is undocumented). */
  sessionTtlMs?: number | undefined;
  /** `Authenticate` header form: `prefixed` = `CCPSessionId <token>` (default, per the vendor), `bare` = `<token>`. */
  authenticateHeader?: 'prefixed' | 'bare' | undefined;
  /** Also list the companies of sub-resellers (walks `GetResellers`; default true). */
  includeSubResellers?: boolean | undefined;
  /** Reseller AccountId sent as `resellerContext` on subscription reads (prices); omitted by default. */
  resellerContext?: number | undefined;
  /** Sent as `excludeUserLevel` to `GetSubscriptions` when set; omitted by default. */
  excludeUserLevel?: boolean | undefined;
  /** Quantity field per service name, for services whose order form does not reveal it (discovered otherwise). */
  quantityFields?: Record<string, string> | undefined;
  /** Provisioning status words and the NCE decrease window (defaults in `DEFAULT_STATUS_RULES`). */
  statusRules?: Partial<DandhStatusRules> | undefined;
  /** Default poll interval of pending operations (default 10 s). */
  pollIntervalMs?: number | undefined;
  /** `terminationReason` sent with `TerminateAccount` (omitted by default). */
  terminationReason?: string | undefined;
  /**
   * When D&H refuses an immediate termination by its rules, set `AdvancePeriodEndAction: Terminate` instead so
   * the subscription ends at the end of its term (default false: the refusal is thrown).
   */
  cancelAtTermEndWhenRefused?: boolean | undefined;
}

/** Every key of {@link DandhClientOptions} and its credentials: the constructor refuses any other (typos included). */
export const DANDH_CLIENT_OPTION_KEYS: ClientOptionKeys = clientOptionKeys<DandhClientOptions, DandhCredentials>(
  'dandh',
  {
    credentials: true,
    accountId: true,
    sessionTtlMs: true,
    authenticateHeader: true,
    includeSubResellers: true,
    resellerContext: true,
    excludeUserLevel: true,
    quantityFields: true,
    statusRules: true,
    pollIntervalMs: true,
    terminationReason: true,
    cancelAtTermEndWhenRefused: true,
  },
  { username: true, password: true },
);

/** D&H defaults (see docs/providers/dandh.md for where each comes from). */
export const DANDH_DEFAULTS = {
  baseUrl: 'https://cp.dandhcloudsolutions.com/SimpleAPI/SimpleAPIService.svc/rest',
  /** No limit is published; a conservative default. */
  rateLimit: { requests: 120, perMs: 60_000, maxConcurrent: 4 } satisfies RateLimit,
  sessionTtlMs: 20 * 60_000,
  pollIntervalMs: 10_000,
  timeoutMs: 60_000,
} as const;

const DIGITS = /^\d+$/;
const INFLIGHT_TTL_MS = 60 * 60_000;

function toArray(data: unknown): unknown[] {
  if (Array.isArray(data)) return data;
  if (data && typeof data === 'object') {
    for (const key of ['Accounts', 'value', 'Services', 'Marketplaces', 'Companies', 'Subscriptions']) {
      const v = (data as Record<string, unknown>)[key];
      if (Array.isArray(v)) return v;
    }
    return [data];
  }
  return [];
}

/** The D&H Cloud Marketplace (ALSO SimpleAPI) as a {@link MarketplaceClient}. */
export class DandhClient extends BaseMarketplaceClient {
  readonly provider = 'dandh' as const;
  /** Requests sent at once (the rate limit's `maxConcurrent`): how many customers `syncAll` lists at once. */
  readonly requestConcurrency: number;
  readonly capabilities: Capabilities = {
    listCustomers: true,
    getCustomer: true,
    listProducts: true,
    listAllSubscriptions: true,
    listSubscriptions: true,
    getSubscription: true,
    setSeats: true,
    cancelSubscription: true,
    scheduledCancel: false,
    purchase: true,
    dryRunPurchase: 'vendor',
    dryRunSeats: 'vendor',
    asyncWrites: true,
    seatLockScope: this.seatLockScope,
    // Billing reads (issue 18; billing.ts, docs/providers/dandh.md "Billing reads").
    invoices: true,
    draftInvoiceLines: true,
  };
  readonly #http: HttpTransport;
  /** The API transport `request()` sends through (core/raw-request.ts). */
  protected override requestTransport(): HttpTransport {
    return this.#http;
  }
  /**
   * Calls any DandH API endpoint with this client's auth, limiter, retries, limits and redaction; the path strings
   * of our spec (generated/dandh.ts) autocomplete. See the client's `request` method and docs/requests.md.
   */
  override request<T = unknown>(
    method: HttpMethod,
    path: (keyof DandHPaths & string) | (string & {}),
    options?: RawRequestOptions,
  ): Promise<RawResponse<T>> {
    return super.request<T>(method, path, options);
  }
  readonly #tokens: TokenProvider;
  readonly #accountId: number;
  readonly #o: DandhClientOptions;
  readonly #rules: DandhStatusRules;
  readonly #pollIntervalMs: number;
  /** Quantity field per service name (null: the service has none), from the order form. */
  readonly #quantityFields = new Map<string, string | null>();
  /** Lookups of a service's quantity field in flight, shared by concurrent callers. */
  readonly #quantityFieldLookups = new Map<string, Promise<string | null>>();
  /** Seat targets this client sent and D&H may still be provisioning, by subscription. */
  readonly #inflight = new Map<string, { target: number; at: number }>();

  constructor(options: DandhClientOptions) {
    if (!options || typeof options !== 'object') {
      throw new ConfigurationError('dandh: options are required', { provider: 'dandh', operation: 'configure' });
    }
    super(options, DANDH_CLIENT_OPTION_KEYS);
    const where = 'a D&H Cloud Marketplace portal user (cp.dandhcloudsolutions.com) with MFA disabled';
    const username = requireCredential('dandh', options.credentials, 'username', where);
    const password = new Secret(requireCredential('dandh', options.credentials, 'password', where));
    this.redactor.add(password);
    this.redactor.add(username);
    const accountId = String(options.accountId ?? '').trim();
    if (!DIGITS.test(accountId)) {
      throw new ConfigurationError('dandh: accountId must be the numeric parent AccountID', {
        provider: 'dandh',
        operation: 'configure',
        hint: 'Pass accountId: the number in the D&H portal URL, e.g. cp.dandhcloudsolutions.com/#/Account/View/197618/Overview -> 197618.',
      });
    }
    this.#accountId = Number(accountId);
    const ttl = options.sessionTtlMs ?? DANDH_DEFAULTS.sessionTtlMs;
    if (!(Number.isFinite(ttl) && ttl >= 60_000)) {
      throw new ConfigurationError('dandh: sessionTtlMs must be at least 60000', {
        provider: 'dandh',
        operation: 'configure',
      });
    }
    if (options.resellerContext !== undefined && !Number.isInteger(options.resellerContext)) {
      throw new ConfigurationError('dandh: resellerContext must be an integer AccountId', {
        provider: 'dandh',
        operation: 'configure',
      });
    }
    this.#o = options;
    this.#rules = { ...DEFAULT_STATUS_RULES, ...(options.statusRules ?? {}) };
    this.#pollIntervalMs = options.pollIntervalMs ?? DANDH_DEFAULTS.pollIntervalMs;
    for (const [service, field] of Object.entries(options.quantityFields ?? {})) {
      this.#quantityFields.set(service, field);
    }
    const baseUrl = requireUrl('dandh', 'baseUrl', options.baseUrl ?? DANDH_DEFAULTS.baseUrl);
    const credentialKey = hashKey('dandh', baseUrl, username, password.reveal());
    const limiter = createLimiterFor('dandh', credentialKey, options, DANDH_DEFAULTS.rateLimit, this.events);
    this.requestConcurrency = requestConcurrencyOf(options, DANDH_DEFAULTS.rateLimit);
    const transportBase = {
      provider: 'dandh',
      baseUrl,
      events: this.events,
      redactor: this.redactor,
      limiter,
      retry: options.retry ?? {},
      timeoutMs: options.timeoutMs ?? DANDH_DEFAULTS.timeoutMs,
      mapError: (r: Parameters<typeof mapDandhError>[0]) => mapDandhError(r, (s) => this.redactor.redact(s)),
      fetch: options.fetch,
      signal: options.signal,
      limits: options.limits,
      defaultHeaders: { 'content-type': 'application/json' },
    };
    const form = options.authenticateHeader ?? 'prefixed';
    const tokens = createDandhSessionProvider({
      transport: new HttpTransport(transportBase),
      baseUrl,
      username,
      password,
      sessionTtlMs: ttl,
      events: this.events,
      redactor: this.redactor,
      cache: tokenCacheFor(options, this.events, 'dandh'),
    });
    this.#tokens = tokens;
    this.#http = new HttpTransport({
      ...transportBase,
      auth: {
        headers: async (signal) => ({ authenticate: authenticateHeader(await tokens.getToken(signal), form) }),
        // A 401 (not what D&H sends, but handled defensively): evict that session and log in once more.
        refused: (headers) => {
          tokens.invalidate((headers.authenticate ?? '').replace(/^CCPSessionId /, ''));
          return true;
        },
      },
    });
  }

  #ctx(operation: string, requestId?: string): WireContext {
    return { provider: 'dandh', operation, requestId };
  }

  /**
   * Sends one SimpleAPI call (always POST + JSON). When D&H answers the fault that says the session expired,
   * the session is evicted and the call is sent exactly once more after a new login: the fault proves the
   * call was refused before anything was applied, so this is safe for writes too.
   */
  async #call<T = unknown>(
    operation: string,
    method: string,
    body: object,
    options: { signal?: AbortSignal | undefined; write?: boolean; order?: boolean } = {},
  ): Promise<HttpResponse<T>> {
    const request: HttpRequest = {
      operation,
      method: 'POST',
      path: `/${method}`,
      json: body,
      // An order (CreateSubscription) has no idempotency key: sent once, not even resent after 429/401.
      retry: options.order ? 'never' : options.write ? 'write' : 'read',
      signal: options.signal,
    };
    const used = await this.#tokens.getToken(options.signal);
    try {
      return await this.#http.send<T>(request);
    } catch (error) {
      if (!(error instanceof AuthenticationError && error.code === DANDH_SESSION_EXPIRED)) throw error;
      if (options.order) {
        // D&H does not document that the fault proves nothing was created: evict the session, do not resend.
        this.#tokens.invalidate(used.value);
        throw error;
      }
      this.#tokens.invalidate(used.value);
      this.events.emit('retry', {
        provider: 'dandh',
        operation,
        requestId: error.requestId ?? '',
        attempt: 1,
        delayMs: 0,
        reason: 'session expired (IsSessionExpired): logged in again',
        status: error.status,
      });
      try {
        return await this.#http.send<T>(request);
      } catch (again) {
        if (again instanceof AuthenticationError && again.code === DANDH_SESSION_EXPIRED) {
          throw new AuthenticationError(`${operation}: D&H says the session expired again right after a new login`, {
            provider: 'dandh',
            operation,
            status: again.status,
            code: DANDH_SESSION_EXPIRED,
            requestId: again.requestId,
            hint: 'Sessions end at once: another login of this user may be ending them (use a dedicated API user), or the clock/baseUrl is wrong.',
            cause: again,
          });
        }
        throw again;
      }
    }
  }

  // ---- billing reads (issue 18): billing.ts, billing-map.ts ----
  get #billing(): DandhBillingDeps {
    return {
      call: (operation, method, body, signal) => this.#call(operation, method, body, { signal }),
      events: this.events,
      limits: this.#http.limits,
    };
  }
  protected override readInvoices(options: ListInvoicesOptions): PagedList<Invoice> {
    checkDandhInvoices(options);
    return dandhInvoices(this.#billing, options);
  }
  protected override readInvoiceLines(options: ListInvoiceLinesOptions): PagedList<InvoiceLine> {
    checkDandhInvoiceLines(options);
    return dandhInvoiceLines(this.#billing, options);
  }

  #id(value: string, path: string, what: string): number {
    const v = value.trim();
    if (!DIGITS.test(v) || !Number.isSafeInteger(Number(v))) {
      throw new ValidationError(
        `${what} must be a numeric D&H AccountId (got ${JSON.stringify(value)})`,
        [{ path, message: 'must be digits only' }],
        // No operation, like the base client's own input checks: the seat methods name the one invoked.
        { provider: 'dandh' },
      );
    }
    return Number(v);
  }

  #subRequest(accountId: number): SubscriptionRequest {
    return {
      accountId,
      ...(this.#o.resellerContext !== undefined ? { resellerContext: this.#o.resellerContext } : {}),
    };
  }

  /** The quantity field the service declares (order form), cached per service. */
  async #quantityFieldFor(
    serviceName: string,
    companyId: number,
    preferred: string | null,
    signal?: AbortSignal,
  ): Promise<string | null> {
    const override = this.#o.quantityFields?.[serviceName];
    if (override) return override;
    if (this.#quantityFields.has(serviceName)) return this.#quantityFields.get(serviceName) ?? null;
    // Single flight per service: concurrent listings (syncAll lists customers at once) ask D&H once, not once each.
    // The shared lookup runs without any caller's signal; each caller races its own.
    let lookup = this.#quantityFieldLookups.get(serviceName);
    if (!lookup) {
      const body: ServiceFieldsRequest = { parentAccountId: companyId, productName: serviceName };
      lookup = this.#call('getServiceFields', 'GetFieldsForService', body, {}).then(
        (res) => {
          const field = quantityFieldOf(res.data, this.#ctx('getServiceFields', res.requestId), preferred);
          this.#quantityFields.set(serviceName, field);
          this.#quantityFieldLookups.delete(serviceName);
          return field;
        },
        (error: unknown) => {
          this.#quantityFieldLookups.delete(serviceName);
          throw error;
        },
      );
      // Handled here too: every caller may have given up (aborted) before it settles.
      lookup.catch(() => {});
      this.#quantityFieldLookups.set(serviceName, lookup);
    }
    return raceSignal(lookup, signal);
  }

  async #map(raw: unknown, operation: string, requestId: string, signal?: AbortSignal): Promise<Subscription> {
    const ctx = this.#ctx(operation, requestId);
    let quantityField: string | null = null;
    const r = fieldsOf(raw) as { ServiceName?: unknown; CompanyAccountId?: unknown; ParentAccountId?: unknown };
    if (!udrcFieldOf(raw) && typeof r.ServiceName === 'string' && r.ServiceName) {
      const company = Number(r.CompanyAccountId ?? r.ParentAccountId);
      if (Number.isSafeInteger(company))
        quantityField = await this.#quantityFieldFor(r.ServiceName, company, null, signal);
    }
    const sub = mapSubscription(raw, ctx, { quantityField, rules: this.#rules });
    reportFlagged(this.events, ctx, [sub]);
    return sub;
  }

  async #rawSubscription(ref: SubscriptionRef, operation: string, signal?: AbortSignal) {
    const customerId = this.#id(ref.customerId, 'ref.customerId', 'customerId');
    const accountId = this.#id(ref.subscriptionId, 'ref.subscriptionId', 'subscriptionId');
    const res = await this.#call('getSubscription', 'GetSubscription', this.#subRequest(accountId), { signal });
    const raw = res.data as Record<string, unknown> | undefined;
    const owner = Number(raw?.CompanyAccountId ?? raw?.ParentAccountId);
    if (!raw || typeof raw !== 'object' || owner !== customerId) {
      throw new NotFoundError(`${operation}: subscription ${accountId} does not belong to customer ${customerId}`, {
        provider: 'dandh',
        operation,
        requestId: res.requestId,
        hint: 'Check the pair: customerId is the company AccountId, subscriptionId the subscription AccountId.',
      });
    }
    return { raw, res, customerId, accountId };
  }

  // ---- reads -----------------------------------------------------------------------------------------
  async verifyConnection(options: GetOptions = {}): Promise<ConnectionReport> {
    checkCallOptions(GET_OPTION_KEYS, options, this.provider, 'verifyConnection');
    await this.#call('verifyConnection', 'PingPong', {}, options);
    // The same walk as listCustomers (sub-resellers included), so the count is what a listing returns.
    const customers = await countItems(this.listCustomers({ signal: options.signal }));
    return {
      provider: 'dandh',
      ok: true,
      customers: customers.count,
      customersExact: customers.exact,
      // Counting subscriptions takes one call per customer.
      subscriptions: null,
      subscriptionsExact: false,
      baseUrl: this.#http.baseUrl,
      details: { accountId: String(this.#accountId) },
    };
  }

  listCustomers(options: ListOptions = {}): PagedList<Customer> {
    checkCallOptions(LIST_CUSTOMERS_OPTION_KEYS, options, this.provider, 'listCustomers');
    const walk = this.#o.includeSubResellers !== false;
    return new PagedList<Customer>(async (cursor, signal): Promise<Page<Customer>> => {
      const queue = cursor ? cursor.split(',').map(Number) : [this.#accountId];
      const parent = queue.shift()!;
      // The reseller's companies and its sub-resellers do not depend on each other: asked at once, so the walk
      // takes one round trip per reseller, not two (issue 20).
      const [res, resellers] = await Promise.all([
        this.#call('listCustomers', 'GetCompanies', { parentAccountId: parent }, { signal }),
        walk ? this.#call('listCustomers', 'GetResellers', { parentAccountId: parent }, { signal }) : undefined,
      ]);
      const ctx = this.#ctx('listCustomers', res.requestId);
      const items = toArray(res.data).map((c) => mapCompany(c, ctx));
      reportFlagged(this.events, ctx, items);
      if (resellers) {
        for (const r of toArray(resellers.data)) {
          const id = Number((r as { AccountId?: unknown })?.AccountId);
          if (Number.isSafeInteger(id) && id !== parent && !queue.includes(id)) queue.push(id);
        }
      }
      return { items, nextCursor: queue.length ? queue.join(',') : undefined };
    }, options.signal).withLimits(this.#http.limits);
  }

  protected async fetchCustomer(customerId: string, options: GetOptions): Promise<Customer> {
    const accountId = this.#id(customerId, 'customerId', 'customerId');
    const res = await this.#call('getCustomer', 'GetCompany', { accountId }, options);
    const first = toArray(res.data)[0];
    if (!first) {
      throw new NotFoundError(`getCustomer: D&H returned no company ${accountId}`, {
        provider: 'dandh',
        operation: 'getCustomer',
        requestId: res.requestId,
      });
    }
    const ctx = this.#ctx('getCustomer', res.requestId);
    const customer = mapCompany(first, ctx);
    reportFlagged(this.events, ctx, [customer]);
    return customer;
  }

  listProducts(options: ListOptions & { search?: string | undefined } = {}): PagedList<Product> {
    checkCallOptions(LIST_PRODUCTS_OPTION_KEYS, options, this.provider, 'listProducts');
    const search = options.search?.trim().toLowerCase();
    return new PagedList<Product>(async (cursor, signal): Promise<Page<Product>> => {
      let ids: number[];
      if (cursor) ids = cursor.split(',').map(Number);
      else {
        const res = await this.#call('listProducts', 'GetMarketplaces', {}, { signal });
        ids = toArray(res.data)
          .map((m) => Number((m as { Id?: unknown })?.Id))
          .filter((n) => Number.isSafeInteger(n));
        if (ids.length === 0) return { items: [], nextCursor: undefined };
      }
      const [id, ...rest] = ids;
      const res = await this.#call('listProducts', 'ListMarketplaceServices', { marketplaceId: id! }, { signal });
      const ctx = this.#ctx('listProducts', res.requestId);
      const mapped = toArray(res.data).map((s) => mapService(s, ctx));
      reportFlagged(this.events, ctx, mapped);
      const items = mapped.filter(
        (p) =>
          !search ||
          p.name.toLowerCase().includes(search) ||
          p.id.toLowerCase().includes(search) ||
          (p.vendorSku ?? '').toLowerCase().includes(search),
      );
      return { items, nextCursor: rest.length ? rest.join(',') : undefined };
    }, options.signal).withLimits(this.#http.limits);
  }

  listSubscriptions(options: ListSubscriptionsOptions = {}): PagedList<Subscription> {
    checkCallOptions(LIST_SUBSCRIPTIONS_OPTION_KEYS, options, this.provider, 'listSubscriptions');
    const one = options.customerId !== undefined ? this.#id(options.customerId, 'customerId', 'customerId') : undefined;
    let companies: number[] | undefined;
    const keep = (s: Subscription) =>
      (!options.productId || s.productId === options.productId) &&
      (!options.status || s.status === options.status) &&
      (!options.billingTerm || s.billingTerm === options.billingTerm);
    return new PagedList<Subscription>(async (cursor, signal): Promise<Page<Subscription>> => {
      if (one === undefined && !companies) {
        const all = await this.listCustomers({ signal }).toArray({ limit: Number.POSITIVE_INFINITY });
        // A customer listed without an id was reported flagged by listCustomers: it has no subscriptions to ask for.
        companies = all.filter((c) => c.id !== '').map((c) => Number(c.id));
      }
      const index = cursor ? Number(cursor) : 0;
      const company = one ?? companies![index];
      if (company === undefined) return { items: [], nextCursor: undefined };
      const body: SubscriptionsRequest = {
        parentAccountId: company,
        ...(this.#o.resellerContext !== undefined ? { resellerContext: this.#o.resellerContext } : {}),
        ...(this.#o.excludeUserLevel !== undefined ? { excludeUserLevel: this.#o.excludeUserLevel } : {}),
      };
      const res = await this.#call('listSubscriptions', 'GetSubscriptions', body, { signal });
      const items: Subscription[] = [];
      for (const raw of toArray(res.data)) {
        const s = await this.#map(raw, 'listSubscriptions', res.requestId, signal);
        if (keep(s)) items.push(s);
      }
      const next = one === undefined && index + 1 < companies!.length ? String(index + 1) : undefined;
      return { items, nextCursor: next };
    }, options.signal).withLimits(this.#http.limits);
  }

  protected async fetchSubscription(ref: SubscriptionRef, options: GetOptions): Promise<Subscription> {
    const { raw, res } = await this.#rawSubscription(ref, 'getSubscription', options.signal);
    return this.#map(raw, 'getSubscription', res.requestId, options.signal);
  }

  // ---- writes ----------------------------------------------------------------------------------------
  /** The quantity field to write for a subscription; a service without one cannot have seats changed. */
  async #writeField(before: Subscription, companyId: number, operation: string, signal?: AbortSignal): Promise<string> {
    const service = before.productId ?? '';
    const field = await this.#quantityFieldFor(service, companyId, udrcFieldOf(before.raw), signal);
    if (!field) {
      throw new UnsupportedOperationError(`${operation}: service ${service} declares no quantity field`, {
        provider: 'dandh',
        operation,
        hint: 'This service has no seats (e.g. a Microsoft tenant), or its order form is ambiguous: pass quantityFields: { [serviceName]: fieldName } if you know the field.',
      });
    }
    return field;
  }

  /**
   * No vendor dry run for TerminateAccount: the subscription's window decides. Outside it, with
   * `cancelAtTermEndWhenRefused`, the real cancel ends the subscription at term end instead of failing.
   */
  protected override async dryRunCancel(
    _ref: SubscriptionRef,
    _effectiveDate: string | undefined,
    before: Subscription,
  ): Promise<DryRunCheck> {
    if (before.constraints.canCancel === false && this.#o.cancelAtTermEndWhenRefused) {
      return sdkChecked([
        'D&H refuses an immediate termination outside the window; with cancelAtTermEndWhenRefused the SDK sets the subscription to end with its term (AdvancePeriodEndAction Terminate)',
      ]);
    }
    return cancelByConstraints(before, {
      provider: 'dandh',
      hint: 'Microsoft NCE allows cancellations only within 7 days of the term start; set AdvancePeriodEndAction to Terminate to end at term end (cancelAtTermEndWhenRefused).',
    });
  }

  protected override async dryRunSeats(
    ref: SubscriptionRef,
    target: number,
    before: Subscription,
  ): Promise<DryRunCheck> {
    const customerId = this.#id(ref.customerId, 'ref.customerId', 'customerId');
    const accountId = this.#id(ref.subscriptionId, 'ref.subscriptionId', 'subscriptionId');
    const field = await this.#writeField(before, customerId, 'setSeats');
    await this.#validate('setSeats', {
      subscriptionAccount: {
        AccountId: accountId,
        ParentAccountId: customerId,
        ServiceName: before.productId ?? '',
        Fields: { [field]: String(target) },
      },
    });
    return vendorChecked(`D&H ValidateFields accepted ${field} = ${target}`);
  }

  async #validate(operation: string, body: ValidateFieldsRequest, signal?: AbortSignal): Promise<void> {
    const res = await this.#call<ValidationOutcome>(operation, 'ValidateFields', body, { signal });
    const out = res.data ?? {};
    if (typeof out.Result === 'string' && /fail|error|invalid/i.test(out.Result)) {
      throw validationFailure(operation, out.ErrorDetails ?? '', out.FieldName || undefined, res.requestId);
    }
  }

  #key(ref: SubscriptionRef): string {
    return `${ref.customerId.trim()}\u0000${ref.subscriptionId.trim()}`;
  }

  /** Polls the subscription's provisioning state. */
  #poll(ref: SubscriptionRef, kind: string): (signal?: AbortSignal) => Promise<OperationState> {
    return async (signal) => {
      const { raw } = await this.#rawSubscription(ref, 'waitForCompletion', signal);
      const state = provisioningState(raw, `${kind}:${ref.subscriptionId}`, this.#rules);
      if (kind === 'cancel' && state.status === 'succeeded' && raw.AccountState !== 'Terminated') {
        return { ...state, status: 'pending' };
      }
      if (state.status !== 'pending') this.#inflight.delete(this.#key(ref));
      return state;
    };
  }

  #pending(ref: SubscriptionRef, kind: string, initial: OperationState): PendingOperation {
    return createPendingOperation({
      provider: 'dandh',
      id: `${kind}:${ref.subscriptionId.trim()}`,
      kind,
      initial,
      poll: this.#poll(ref, kind),
      defaultPollIntervalMs: this.#pollIntervalMs,
    });
  }

  protected async writeSeats(
    ref: SubscriptionRef,
    target: number,
    before: Subscription,
    options: SeatChangeOptions,
  ): Promise<SeatWriteResult> {
    const customerId = this.#id(ref.customerId, 'ref.customerId', 'customerId');
    const accountId = this.#id(ref.subscriptionId, 'ref.subscriptionId', 'subscriptionId');
    const field = await this.#writeField(before, customerId, 'setSeats', options.signal);
    const body: UpdateSubscriptionRequest = {
      subscription: {
        AccountId: accountId,
        ServiceName: before.productId ?? '',
        Fields: [{ name: field, value: String(target) }],
      },
    };
    this.#inflight.set(this.#key(ref), { target, at: Date.now() });
    const res = await this.#call('setSeats', 'UpdateSubscription', body, { signal: options.signal, write: true });
    return this.#settleWrite(ref, 'seat-change', res.requestId, options.signal);
  }

  /**
   * After an accepted write: a pending operation while D&H provisions, and for a cancellation until the account
   * reads `Terminated` (as {@link #poll} does); else `done`. `done` is not `applied`: the base client then reads
   * the subscription and accepts only the requested seat count or a cancelled status (applied means observed).
   */
  async #settleWrite(
    ref: SubscriptionRef,
    kind: 'seat-change' | 'cancel',
    requestId: string,
    signal?: AbortSignal,
  ): Promise<SeatWriteResult> {
    // Errors here belong to the write that was sent: labelled with its operation, not the pending kind.
    const operation = kind === 'cancel' ? 'cancelSubscription' : 'setSeats';
    const { raw, res } = await this.#rawSubscription(ref, operation, signal);
    let state = provisioningState(raw, `${kind}:${ref.subscriptionId.trim()}`, this.#rules);
    // "Not pending" is not "done": a termination D&H accepted is done only once the account reads Terminated.
    if (kind === 'cancel' && state.status === 'succeeded' && raw.AccountState !== 'Terminated') {
      state = { ...state, status: 'pending' };
    }
    if (state.status === 'pending') return { kind: 'pending', operation: this.#pending(ref, kind, state), requestId };
    this.#inflight.delete(this.#key(ref));
    if (state.status === 'failed') {
      throw new BusinessRuleError(`${operation}: D&H accepted the change but provisioning failed: ${state.message}`, {
        provider: 'dandh',
        operation,
        requestId,
        code: 'PROVISIONING_FAILED',
        hint: 'See ErrorDetails on the subscription in the D&H portal; D&H offers RetryLastFailedProvisioning.',
      });
    }
    return { kind: 'done', subscription: await this.#map(raw, operation, res.requestId, signal), requestId };
  }

  /** A seat change this client sent that D&H is still provisioning (the quantity already shows the target). */
  protected override async findPendingChange(
    ref: SubscriptionRef,
    signal?: AbortSignal,
  ): Promise<PendingOperation | undefined> {
    const entry = this.#inflight.get(this.#key(ref));
    if (!entry || Date.now() - entry.at > INFLIGHT_TTL_MS) return undefined;
    const { raw, res } = await this.#rawSubscription(ref, 'setSeats', signal);
    const state = provisioningState(raw, `seat-change:${ref.subscriptionId.trim()}`, this.#rules);
    if (state.status !== 'pending') return undefined;
    const sub = await this.#map(raw, 'setSeats', res.requestId, signal);
    return sub.quantity === entry.target ? this.#pending(ref, 'seat-change', state) : undefined;
  }

  protected async writeCancel(
    ref: SubscriptionRef,
    _effectiveDate: string | undefined,
    before: Subscription,
    options: CancelOptions,
  ): Promise<CancelWriteResult> {
    const accountId = this.#id(ref.subscriptionId, 'ref.subscriptionId', 'subscriptionId');
    const body: TerminateAccountRequest = {
      accountId,
      ...(this.#o.terminationReason ? { terminationReason: this.#o.terminationReason } : {}),
    };
    try {
      const res = await this.#call('cancelSubscription', 'TerminateAccount', body, {
        signal: options.signal,
        write: true,
      });
      return await this.#settleWrite(ref, 'cancel', res.requestId, options.signal);
    } catch (error) {
      if (!(error instanceof BusinessRuleError) || !this.#o.cancelAtTermEndWhenRefused || error.code) throw error;
      const change: UpdateSubscriptionRequest = {
        subscription: {
          AccountId: accountId,
          ServiceName: before.productId ?? '',
          Fields: [],
          AdvancePeriodEndAction: 'Terminate',
        },
      };
      const res = await this.#call('cancelSubscription', 'UpdateSubscription', change, {
        signal: options.signal,
        write: true,
      });
      const after = await this.fetchSubscription(ref, { signal: options.signal });
      return { kind: 'done', subscription: after, requestId: res.requestId };
    }
  }

  protected async writePurchase(input: ValidPurchase): Promise<PurchaseResult> {
    const customerId = this.#id(input.customerId, 'customerId', 'customerId');
    const serviceName = input.productId.trim();
    const possible = await this.#call(
      'purchase',
      'GetPossibleServicesForParent',
      { parentAccountId: customerId },
      {
        signal: input.signal,
      },
    );
    const service = toArray(possible.data).find((s) => (s as { ProductName?: unknown })?.ProductName === serviceName);
    if (!service) {
      throw new NotFoundError(`purchase: service ${serviceName} cannot be bought for customer ${customerId}`, {
        provider: 'dandh',
        operation: 'purchase',
        requestId: possible.requestId,
        hint: 'productId is the service name (Product.id from listProducts), and the service must be offered to this company.',
      });
    }
    const months = serviceBillingMonths(service);
    const wanted = { monthly: 1, annual: 12, biennial: 24, triennial: 36 }[input.billingTerm as string];
    if (months !== null && wanted !== months) {
      throw new ValidationError(
        `purchase: service ${serviceName} is billed every ${months} month(s), not ${input.billingTerm}`,
        [{ path: 'billingTerm', message: `this service is billed every ${months} month(s)` }],
        {
          provider: 'dandh',
          operation: 'purchase',
          hint: 'At D&H the term is part of the service: pick the service of the term you want.',
        },
      );
    }
    if (input.commitmentTerm) {
      this.events.emit('warning', {
        provider: 'dandh',
        code: 'commitment-not-checked',
        message: `purchase: D&H's catalog does not state commitment terms; ${input.commitmentTerm} was not checked against ${serviceName}`,
      });
    }
    const formRes = await this.#call(
      'purchase',
      'GetFieldsForService',
      { parentAccountId: customerId, productName: serviceName },
      {
        signal: input.signal,
      },
    );
    const ctx = this.#ctx('purchase', formRes.requestId);
    const preferred = (service as { SimpleProductBillingInfo?: { FieldName?: string }[] }).SimpleProductBillingInfo?.[0]
      ?.FieldName;
    const field = this.#o.quantityFields?.[serviceName] ?? quantityFieldOf(formRes.data, ctx, preferred || null);
    if (!field) {
      throw new UnsupportedOperationError(`purchase: service ${serviceName} declares no quantity field`, {
        provider: 'dandh',
        operation: 'purchase',
        hint: 'Buy services without seats (e.g. a Microsoft tenant) in the D&H portal, or pass quantityFields.',
      });
    }
    this.#quantityFields.set(serviceName, field);
    const formFields = ((formRes.data as { Fields?: unknown })?.Fields ?? []) as {
      Name?: string;
      DisplayType?: string;
      DefaultValue?: { Value?: unknown } | null;
    }[];
    const missing = formFields
      .filter((f) => f.Name && f.Name !== field && /^mandatory$/i.test(f.DisplayType ?? ''))
      .filter((f) => f.DefaultValue?.Value === null || f.DefaultValue?.Value === undefined)
      .map((f) => f.Name!);
    if (missing.length) {
      throw new UnsupportedOperationError(`purchase: service ${serviceName} needs more fields: ${missing.join(', ')}`, {
        provider: 'dandh',
        operation: 'purchase',
        hint: 'The SDK fills only the quantity; buy this service in the D&H portal.',
      });
    }
    const fields = { [field]: String(input.quantity) };
    if (input.dryRun) {
      await this.#validate(
        'purchase',
        {
          subscriptionAccount: { ParentAccountId: customerId, ServiceName: serviceName, Fields: fields },
        },
        input.signal,
      );
      return {
        provider: 'dandh',
        customerId: input.customerId,
        orderId: null,
        outcome: 'dry-run',
        lines: [{ productId: serviceName, quantity: input.quantity, subscriptionId: null }],
        requestId: null,
        raw: null,
      };
    }
    const body: CreateSubscriptionRequest = {
      subscriptionAccount: { ParentAccountId: customerId, ServiceName: serviceName, Fields: fields },
    };
    let res: HttpResponse<unknown>;
    try {
      res = await this.#call('purchase', 'CreateSubscription', body, { signal: input.signal, order: true });
    } catch (error) {
      throw orderSendFailure(error, { provider: 'dandh', ...input });
    }
    const raw = res.data as { AccountId?: unknown } | undefined;
    const id = raw && raw.AccountId !== undefined ? String(raw.AccountId) : null;
    const state = raw ? provisioningState(raw, `purchase:${id}`, this.#rules) : null;
    const ref = id ? { customerId: String(customerId), subscriptionId: id } : null;
    const pending = state?.status === 'pending' && ref ? this.#pending(ref, 'purchase', state) : undefined;
    return {
      provider: 'dandh',
      customerId: input.customerId,
      orderId: id,
      outcome: pending ? 'pending' : 'ordered',
      lines: [{ productId: serviceName, quantity: input.quantity, subscriptionId: id }],
      requestId: res.requestId,
      ...(pending ? { operation: pending } : {}),
      raw,
    };
  }
}

/** Creates a D&H client. Throws `ConfigurationError`/`ValidationError` for bad options, before any request. */
export function createDandhClient(options: DandhClientOptions): DandhClient {
  return new DandhClient(options);
}
