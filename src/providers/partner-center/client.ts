import { AsyncLocalStorage } from 'node:async_hooks';
import type { RawRequestOptions, RawResponse } from '../../core/raw-request.js';
import { countItems } from '../../core/count-items.js';
import { bearerHeader } from '../../core/auth/token-provider.js';
import { cancelByConstraints, seatChangeByConstraints } from '../../core/dry-run.js';
import type { DryRunCheck } from '../../model/operations.js';
import type { components, paths as PartnerCenterPaths } from '../../../generated/partner-center.js';
import {
  BaseMarketplaceClient,
  type CancelWriteResult,
  type SeatWriteResult,
  type ValidPurchase,
} from '../../core/base-client.js';
import type { CachedTokenProvider } from '../../core/auth/cached-token-provider.js';
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
  BusinessRuleError,
  ConfigurationError,
  NotFoundError,
  PermissionError,
  ResponseValidationError,
  ValidationError,
  WriteOutcomeUnknownError,
  isAmbiguousWriteFailure,
} from '../../core/errors.js';
import { type HttpRequest, type HttpResponse, type HttpMethod, HttpTransport } from '../../core/http.js';
import type { RateLimit } from '../../core/limiter.js';
import { createLimiterFor, tokenCacheFor, tokenStoreFor, requestConcurrencyOf } from '../../core/scale.js';
import type {
  CancelOptions,
  Capabilities,
  GetOptions,
  ListInvoiceLinesOptions,
  ListInvoicesOptions,
  ListOptions,
  ListOrdersOptions,
  ListUsageOptions,
  ListSubscriptionsOptions,
  PurchaseInput,
  SeatChangeOptions,
  WriteOptions,
} from '../../core/marketplace-client.js';
import { type Page, PagedList } from '../../core/pagination.js';
import { createPendingOperation } from '../../core/pending-operation.js';
import { Secret } from '../../core/redact.js';
import { hashKey } from '../../core/sha.js';
import { readableAnswer, reportFlagged } from '../../core/item-problems.js';
import type { WireContext } from '../../core/wire.js';
import type { Customer } from '../../model/customer.js';
import type { ConnectionReport, OperationState, PendingOperation, PurchaseResult } from '../../model/operations.js';
import type { Product } from '../../model/product.js';
import type { Subscription, SubscriptionRef } from '../../model/subscription.js';
import { PARTNER_CENTER_RESOURCE, createPartnerCenterTokenProvider, entraTokenUrl } from './auth.js';
import { mapPartnerCenterError } from './errors.js';
import {
  type PartnerCenterBillingDeps,
  partnerCenterInvoiceLines,
  partnerCenterInvoices,
  partnerCenterOrders,
  partnerCenterUsage,
} from './billing.js';
import { partnerCenterSetAutoRenew } from './billing-auto-renew.js';
import type { Invoice, InvoiceLine, Order, UsageRecord } from '../../model/billing.js';
import type { AutoRenewResult } from '../../model/operations.js';
import {
  type PartnerCenterPage,
  defaultTermFor,
  isNewCommerce,
  mapCollection,
  mapCustomer,
  mapOrderLines,
  mapOrderState,
  mapProduct,
  mapProvisioning,
  mapSubscription,
  toPartnerCenterBillingCycle,
} from './map.js';

type CartCreate = components['schemas']['CartCreate'];
type Cart = components['schemas']['Cart'];
type CheckoutResult = components['schemas']['CartCheckoutResult'];
type Availability = components['schemas']['Availability'];
type Sku = components['schemas']['Sku'];

/** Partner Center credentials: an Entra app registered in Partner Center, and optionally an app+user refresh token. */
export interface PartnerCenterCredentials {
  /** The partner's Entra tenant id (GUID) or primary domain. */
  tenantId: string;
  /** Application (client) id of the app registered in Partner Center (Account settings > App management). */
  clientId: string;
  /** The app's key (client secret). */
  clientSecret: string;
  /** Secure Application Model refresh token (app+user), for calls that need a user (purchases by default). */
  refreshToken?: string | undefined;
}

/** Options of the Partner Center client. */
export interface PartnerCenterClientOptions extends CommonClientOptions {
  credentials: PartnerCenterCredentials;
  /** Entra v1 token endpoint (default `https://login.microsoftonline.com/{tenantId}/oauth2/token`). */
  tokenUrl?: string | undefined;
  /** `MS-CorrelationId` sent on every call of this client (default: a new GUID per client). */
  correlationId?: string | undefined;
  /** Catalog country (ISO 3166 alpha-2) for products and purchases (default `US`). */
  country?: string | undefined;
  /** `GET /customers` page size (default 100; the maximum is not documented). */
  customerPageSize?: number | undefined;
  /** Default poll interval of pending operations, in ms (default 5000). */
  pollIntervalMs?: number | undefined;
  /**
   * Send the whole subscription as read with the field changed (default true, as Microsoft's docs show), or only
   * the changed field (`false`; accepted by the service in practice, unverified).
   */
  fullPatchBody?: boolean | undefined;
  /** Send `If-Match` with the subscription's etag on PATCH (default false; the docs disagree on whether it is needed). */
  ifMatch?: boolean | undefined;
  /** Which calls use the app+user token when `credentials.refreshToken` is set (default `purchase`). */
  appUserFor?: 'purchase' | 'all' | undefined;
  /** Called with each new refresh token Entra hands back, so it can be stored (the old one stays valid until it expires). */
  onRefreshToken?: ((refreshToken: string) => void) | undefined;
  /**
   * The partner's billing currency (ISO 4217, e.g. `USD`), which Partner Center requires to list unbilled lines
   * (`listInvoiceLines({ draft: true })`); default: the currency of the partner's most recent invoice.
   */
  billingCurrency?: string | undefined;
}

/** Every key of {@link PartnerCenterClientOptions} and its credentials: the constructor refuses any other (typos included). */
export const PARTNER_CENTER_CLIENT_OPTION_KEYS: ClientOptionKeys = clientOptionKeys<
  PartnerCenterClientOptions,
  PartnerCenterCredentials
>(
  'partner-center',
  {
    credentials: true,
    tokenUrl: true,
    correlationId: true,
    country: true,
    customerPageSize: true,
    pollIntervalMs: true,
    fullPatchBody: true,
    ifMatch: true,
    appUserFor: true,
    onRefreshToken: true,
    billingCurrency: true,
  },
  { tenantId: true, clientId: true, clientSecret: true, refreshToken: true },
);

/** Partner Center defaults (see docs/providers/partner-center.md). */
export const PARTNER_CENTER_DEFAULTS = {
  baseUrl: 'https://api.partnercenter.microsoft.com/v1',
  resource: PARTNER_CENTER_RESOURCE,
  /** Microsoft documents 500 requests per minute per partner tenant for the subscription resource. */
  rateLimit: { requests: 500, perMs: 60_000, maxConcurrent: 10 } satisfies RateLimit,
  customerPageSize: 100,
  country: 'US',
  timeoutMs: 30_000,
  pollIntervalMs: 5_000,
} as const;

const PROVIDER = 'partner-center';
const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SETTLED = new Set(['succeeded', 'failed', 'partially-succeeded', 'cancelled']);
/** Cart line error codes that mean bad input rather than a business rule (PC SDK `CartErrorCode`). */
const CART_INPUT_ERRORS = new Set([10001, 10010, 10012, 10013, 10015]);
/** `CartErrorCode.AttestationNotAccepted` (PC SDK). */
const ATTESTATION_NOT_ACCEPTED = 10012;

/** A Partner Center purchase: {@link PurchaseInput} plus the attestation some products require. */
export interface PartnerCenterPurchaseInput extends PurchaseInput {
  /**
   * Sent as the cart line's `attestationAccepted`: set it to `true` only after the customer has accepted the
   * product's attestation (the SKU's `attestationProperties` say which products enforce one). Without it Partner
   * Center refuses such products with cart error 10012 (`ValidationError`).
   */
  attestationAccepted?: boolean | undefined;
}

const purchaseContext = new AsyncLocalStorage<{ attestationAccepted: boolean }>();

function requireGuid(value: unknown, path: string): string {
  if (typeof value !== 'string' || !GUID_RE.test(value.trim())) {
    throw new ValidationError(
      `Invalid ${path}: Partner Center ids are GUIDs (got ${JSON.stringify(value)})`,
      [{ path, message: 'must be a GUID' }],
      {
        provider: PROVIDER,
        hint: 'Customer ids are the customer tenant ids; subscription ids are GUIDs too (e.g. 3f2a8c1e-6b4d-4e7a-9c10-5d2e8f4a1b01).',
      },
    );
  }
  return value.trim();
}

function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeCursor<T>(cursor: string, check: (v: unknown) => v is T): T {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(v)) return v;
  } catch {
    // fall through
  }
  throw new ValidationError('Invalid cursor: pass a nextCursor returned by this listing', [
    { path: 'cursor', message: 'not a cursor of this listing' },
  ]);
}

type NextLink = { uri: string; headers: Record<string, string> };
const isLink = (v: unknown): v is NextLink =>
  !!v &&
  typeof v === 'object' &&
  typeof (v as NextLink).uri === 'string' &&
  typeof (v as NextLink).headers === 'object';
type AllSubsCursor = { ids: string[]; next: NextLink | null };
const isAllSubsCursor = (v: unknown): v is AllSubsCursor =>
  !!v &&
  typeof v === 'object' &&
  Array.isArray((v as AllSubsCursor).ids) &&
  ((v as AllSubsCursor).next === null || isLink((v as AllSubsCursor).next));

/** A write whose outcome was ambiguous: its MS-RequestId is reused if the same change is sent again. */
interface AmbiguousWrite {
  change: string;
  requestId: string;
}

/** Microsoft Partner Center REST v1 as a {@link MarketplaceClient}. */
export class PartnerCenterClient extends BaseMarketplaceClient {
  readonly provider = 'partner-center' as const;
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
    dryRunSeats: 'local',
    asyncWrites: true,
    seatLockScope: this.seatLockScope,
    // Billing reads and auto-renew (issue 18; billing.ts, docs/providers/partner-center.md "Billing reads").
    invoices: true,
    draftInvoiceLines: true,
    usage: true,
    listOrders: true,
    setAutoRenew: true,
  };
  /** The `MS-CorrelationId` this client sends on every call. */
  readonly correlationId: string;
  readonly #http: HttpTransport;
  /** The API transport `request()` sends through (core/raw-request.ts). */
  protected override requestTransport(): HttpTransport {
    return this.#http;
  }
  /**
   * Calls any PartnerCenter API endpoint with this client's auth, limiter, retries, limits and redaction; the path strings
   * of our spec (generated/partner-center.ts) autocomplete. See the client's `request` method and docs/requests.md.
   */
  override request<T = unknown>(
    method: HttpMethod,
    path: (keyof PartnerCenterPaths & string) | (string & {}),
    options?: RawRequestOptions,
  ): Promise<RawResponse<T>> {
    return super.request<T>(method, path, options);
  }
  /** App+user transport for purchases (the app-only one when no refresh token is configured). */
  readonly #purchaseHttp: HttpTransport;
  readonly #userTokens: CachedTokenProvider | undefined;
  readonly #country: string;
  readonly #pageSize: number;
  readonly #pollIntervalMs: number;
  readonly #fullPatchBody: boolean;
  readonly #ifMatch: boolean;
  readonly #billingCurrency: string | undefined;
  readonly #ambiguous = new Map<string, AmbiguousWrite>();
  /** Target of a seat change this client started and saw accepted with 202, per subscription. */
  readonly #targets = new Map<string, number>();

  constructor(options: PartnerCenterClientOptions) {
    super(options ?? {}, PARTNER_CENTER_CLIENT_OPTION_KEYS);
    if (!options || typeof options !== 'object') {
      throw new ConfigurationError('partner-center: options are required', {
        provider: PROVIDER,
        operation: 'configure',
      });
    }
    const where = 'from Partner Center, Account settings > App management (the Entra app registered there)';
    const tenantId = requireCredential(PROVIDER, options.credentials, 'tenantId', `the partner tenant id, ${where}`);
    const clientId = requireCredential(PROVIDER, options.credentials, 'clientId', `the App ID, ${where}`);
    const clientSecret = new Secret(
      requireCredential(PROVIDER, options.credentials, 'clientSecret', `an app key (client secret), ${where}`),
    );
    const rawRefresh = options.credentials.refreshToken;
    if (rawRefresh !== undefined && (typeof rawRefresh !== 'string' || rawRefresh.trim() === '')) {
      throw new ConfigurationError('partner-center: credentials.refreshToken must be a non-empty string when given', {
        provider: PROVIDER,
        operation: 'configure',
        hint: 'Leave refreshToken out for app-only calls, or pass the Secure Application Model refresh token.',
      });
    }
    const refreshToken = rawRefresh ? new Secret(rawRefresh.trim()) : undefined;
    this.redactor.add(clientSecret);
    this.redactor.add(refreshToken);
    this.redactor.add(clientId);
    const baseUrl = requireUrl(PROVIDER, 'baseUrl', options.baseUrl ?? PARTNER_CENTER_DEFAULTS.baseUrl);
    const tokenUrl = requireUrl(PROVIDER, 'tokenUrl', options.tokenUrl ?? entraTokenUrl(tenantId));
    const correlationId = options.correlationId ?? crypto.randomUUID();
    if (typeof correlationId !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(correlationId)) {
      throw new ConfigurationError('partner-center: correlationId must be a GUID (or another header-safe string)', {
        provider: PROVIDER,
        operation: 'configure',
        hint: 'Leave correlationId unset to get a new GUID per client, or pass crypto.randomUUID() per workflow.',
      });
    }
    this.correlationId = correlationId;
    const country = options.country ?? PARTNER_CENTER_DEFAULTS.country;
    if (typeof country !== 'string' || !/^[A-Za-z]{2}$/.test(country)) {
      throw new ConfigurationError('partner-center: country must be a two-letter ISO country code', {
        provider: PROVIDER,
        operation: 'configure',
        hint: "Pass e.g. country: 'US' (the default) or 'GB'.",
      });
    }
    this.#country = country.toUpperCase();
    const pageSize = options.customerPageSize ?? PARTNER_CENTER_DEFAULTS.customerPageSize;
    if (!(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 1000)) {
      throw new ValidationError('Invalid customerPageSize', [
        { path: 'customerPageSize', message: 'must be a whole number between 1 and 1000' },
      ]);
    }
    this.#pageSize = pageSize;
    if (options.billingCurrency !== undefined && !/^[A-Za-z]{3}$/.test(String(options.billingCurrency))) {
      throw new ConfigurationError('partner-center: billingCurrency must be a three-letter ISO 4217 code', {
        provider: PROVIDER,
        operation: 'configure',
        hint: "Pass e.g. billingCurrency: 'USD'.",
      });
    }
    this.#billingCurrency = options.billingCurrency?.toUpperCase();
    const poll = options.pollIntervalMs ?? PARTNER_CENTER_DEFAULTS.pollIntervalMs;
    if (!(Number.isFinite(poll) && poll > 0)) {
      throw new ValidationError('Invalid pollIntervalMs', [
        { path: 'pollIntervalMs', message: 'must be a positive number' },
      ]);
    }
    this.#pollIntervalMs = poll;
    this.#fullPatchBody = options.fullPatchBody !== false;
    this.#ifMatch = options.ifMatch === true;
    const credentialKey = hashKey(PROVIDER, tenantId, clientId, clientSecret.reveal());
    // `redis` shares the limiter, the access-token cache and the rotated refresh token with the whole fleet.
    const limiter = createLimiterFor(PROVIDER, credentialKey, options, PARTNER_CENTER_DEFAULTS.rateLimit, this.events);
    this.requestConcurrency = requestConcurrencyOf(options, PARTNER_CENTER_DEFAULTS.rateLimit);
    const transportBase = {
      provider: PROVIDER,
      events: this.events,
      redactor: this.redactor,
      limiter,
      retry: options.retry ?? {},
      timeoutMs: options.timeoutMs ?? PARTNER_CENTER_DEFAULTS.timeoutMs,
      mapError: (r: Parameters<typeof mapPartnerCenterError>[0]) =>
        mapPartnerCenterError(r, (s) => this.redactor.redact(s)),
      fetch: options.fetch,
      signal: options.signal,
      limits: options.limits,
    };
    const tokenTransport = new HttpTransport({ ...transportBase, baseUrl });
    const tokenOptions = {
      transport: tokenTransport,
      tokenUrl,
      resource: PARTNER_CENTER_DEFAULTS.resource,
      clientId,
      clientSecret,
      events: this.events,
      redactor: this.redactor,
      cache: tokenCacheFor(options, this.events, PROVIDER),
    };
    const appTokens = createPartnerCenterTokenProvider(tokenOptions);
    this.#userTokens = refreshToken
      ? createPartnerCenterTokenProvider({
          ...tokenOptions,
          refreshToken,
          onRefreshToken: options.onRefreshToken,
          store: tokenStoreFor(options),
        })
      : undefined;
    const apiTransport = (tokens: CachedTokenProvider) =>
      new HttpTransport({
        ...transportBase,
        baseUrl,
        // A new MS-RequestId per logical call, the same on each of its retries (the transport's request id).
        requestIdHeader: 'MS-RequestId',
        vendorRequestIdHeaders: ['MS-RequestId'],
        defaultHeaders: { 'MS-CorrelationId': correlationId, 'MS-Contract-Version': 'v1' },
        auth: {
          headers: async (signal) => ({ authorization: `Bearer ${(await tokens.getToken(signal)).value}` }),
          peek: () => bearerHeader(tokens.peekToken()),
          refused: (headers) => {
            tokens.invalidate(headers.authorization?.slice('Bearer '.length) ?? '');
            return true;
          },
        },
      });
    const useUserForAll = options.appUserFor === 'all' && this.#userTokens;
    this.#http = apiTransport(useUserForAll ? this.#userTokens! : appTokens);
    this.#purchaseHttp = this.#userTokens ? apiTransport(this.#userTokens) : this.#http;
  }

  #ctx(operation: string, requestId?: string): WireContext {
    return { provider: PROVIDER, operation, requestId };
  }

  #key(ref: SubscriptionRef): string {
    return `${ref.customerId.toLowerCase()}\u0000${ref.subscriptionId.toLowerCase()}`;
  }

  #subscriptionPath(ref: SubscriptionRef): string {
    return `/customers/${encodeURIComponent(ref.customerId)}/subscriptions/${encodeURIComponent(ref.subscriptionId)}`;
  }

  /** One page of a collection: the first (`path` + `query`) or the one a `links.next` points at. */
  async #page(
    operation: string,
    from: { path: string; query?: HttpRequest['query'] } | NextLink,
    signal?: AbortSignal,
  ): Promise<PartnerCenterPage & { requestId: string }> {
    const res = await this.#http.send({
      operation,
      method: 'GET',
      path: 'uri' in from ? from.uri : from.path,
      query: 'uri' in from ? undefined : from.query,
      headers: 'uri' in from ? from.headers : undefined,
      signal,
    });
    const requestId = res.vendorRequestId ?? res.requestId;
    return { ...mapCollection(res.data, this.#ctx(operation, requestId)), requestId };
  }

  /** A seek-paged listing (`links.next` + `MS-ContinuationToken`) as a lazy PagedList. */
  #paged<T>(
    operation: string,
    path: string,
    query: HttpRequest['query'],
    map: (raw: unknown, ctx: WireContext) => T | undefined,
    signal?: AbortSignal,
  ): PagedList<T> {
    return new PagedList<T>(async (cursor, sig): Promise<Page<T>> => {
      const from = cursor === undefined ? { path, query } : decodeCursor(cursor, isLink);
      const page = await this.#page(operation, from, sig);
      const ctx = this.#ctx(operation, page.requestId);
      const items = page.items.map((raw) => map(raw, ctx)).filter((x): x is T => x !== undefined);
      reportFlagged(this.events, ctx, items);
      return { items, nextCursor: page.next ? encodeCursor(page.next) : undefined };
    }, signal).withLimits(this.#http.limits);
  }

  // ---- billing reads and auto-renew (issue 18): billing.ts, billing-map.ts, billing-auto-renew.ts ----
  get #billing(): PartnerCenterBillingDeps {
    const client = this;
    return {
      page: (operation, from, signal) => this.#page(operation, from, signal),
      get: async (operation, path, signal) => (await this.#http.send({ operation, method: 'GET', path, signal })).data,
      events: this.events,
      limits: this.#http.limits,
      pageSize: this.#pageSize,
      billingCurrency: this.#billingCurrency,
      async *customers(signal) {
        for await (const page of client.listCustomers({ signal }).byPage()) {
          // A customer listed without an id (flagged) has no orders to ask for; it was reported by listCustomers.
          for (const c of page.items) if (c.id !== '') yield c.id;
        }
      },
    };
  }
  protected override readInvoices(options: ListInvoicesOptions): PagedList<Invoice> {
    return partnerCenterInvoices(this.#billing, options);
  }
  protected override readInvoiceLines(options: ListInvoiceLinesOptions): PagedList<InvoiceLine> {
    return partnerCenterInvoiceLines(this.#billing, options);
  }
  protected override readUsage(options: ListUsageOptions): PagedList<UsageRecord> {
    if (options.customerId !== undefined) requireGuid(options.customerId, 'customerId');
    return partnerCenterUsage(this.#billing, options);
  }
  protected override readOrders(options: ListOrdersOptions): PagedList<Order> {
    if (options.customerId !== undefined) requireGuid(options.customerId, 'customerId');
    return partnerCenterOrders(this.#billing, options);
  }
  protected override writeAutoRenew(
    ref: SubscriptionRef,
    enabled: boolean,
    before: Subscription,
    options: WriteOptions,
  ): Promise<AutoRenewResult> {
    return partnerCenterSetAutoRenew(
      {
        patch: (operation, r, b, change, signal) => this.#patch(operation, r, b, change, signal),
        read: (r) => this.fetchSubscription(r, {}),
        mapAnswer: (data, r, requestId) => {
          try {
            const ctx = this.#ctx('setAutoRenew', requestId ?? undefined);
            return readableAnswer(mapSubscription(data, r.customerId, ctx), ctx);
          } catch {
            return undefined;
          }
        },
        events: this.events,
        actor: this.actor,
        verifyDelaysMs: this.seatVerifyDelaysMs,
      },
      ref,
      enabled,
      before,
      options,
    );
  }

  async verifyConnection(options: GetOptions = {}): Promise<ConnectionReport> {
    checkCallOptions(GET_OPTION_KEYS, options, this.provider, 'verifyConnection');
    // Partner Center gives no total: walk the customer pages (up to VERIFY_COUNT_CAP, then "at least").
    const customers = await countItems(this.listCustomers({ signal: options.signal }));
    if (this.#userTokens) await this.#userTokens.getToken(options.signal);
    return {
      provider: PROVIDER,
      ok: true,
      customers: customers.count,
      customersExact: customers.exact,
      // Counting subscriptions takes one call per customer.
      subscriptions: null,
      subscriptionsExact: false,
      baseUrl: this.#http.baseUrl,
      details: { correlationId: this.correlationId, appUser: this.#userTokens !== undefined },
    };
  }

  listCustomers(options: ListOptions = {}): PagedList<Customer> {
    checkCallOptions(LIST_CUSTOMERS_OPTION_KEYS, options, this.provider, 'listCustomers');
    return this.#paged('listCustomers', '/customers', { size: this.#pageSize }, mapCustomer, options.signal);
  }

  protected async fetchCustomer(customerId: string, options: GetOptions): Promise<Customer> {
    const id = requireGuid(customerId, 'customerId');
    const res = await this.#http.send({
      operation: 'getCustomer',
      method: 'GET',
      path: `/customers/${encodeURIComponent(id)}`,
      signal: options.signal,
    });
    const ctx = this.#ctx('getCustomer', res.vendorRequestId ?? res.requestId);
    const customer = mapCustomer(res.data, ctx);
    reportFlagged(this.events, ctx, [customer]);
    return customer;
  }

  /** The new-commerce catalog of the client's country (`targetView=OnlineServices`), filtered by `search` locally. */
  listProducts(options: ListOptions & { search?: string | undefined } = {}): PagedList<Product> {
    checkCallOptions(LIST_PRODUCTS_OPTION_KEYS, options, this.provider, 'listProducts');
    const search = options.search?.trim().toLowerCase();
    return this.#paged(
      'listProducts',
      '/products',
      { country: this.#country, targetView: 'OnlineServices' },
      (raw, ctx) => {
        const p = mapProduct(raw, ctx);
        if (search && !`${p.name} ${p.id}`.toLowerCase().includes(search)) return undefined;
        return p;
      },
      options.signal,
    );
  }

  /**
   * Subscriptions of one customer (one page: Partner Center does not page them, `links.next` is followed if
   * present), or, without `customerId`, of every customer, one customer per page.
   */
  listSubscriptions(options: ListSubscriptionsOptions = {}): PagedList<Subscription> {
    checkCallOptions(LIST_SUBSCRIPTIONS_OPTION_KEYS, options, this.provider, 'listSubscriptions');
    const now = new Date();
    const keep = (s: Subscription) =>
      (!options.status || s.status === options.status) &&
      (!options.billingTerm || s.billingTerm === options.billingTerm) &&
      (!options.productId || s.productId === options.productId || s.sku === options.productId);
    if (options.customerId !== undefined) {
      const customerId = requireGuid(options.customerId, 'customerId');
      return new PagedList<Subscription>(
        async (_cursor, sig) => ({
          items: (await this.#customerSubscriptions(customerId, now, sig)).filter(keep),
          nextCursor: undefined,
        }),
        options.signal,
      ).withLimits(this.#http.limits);
    }
    return new PagedList<Subscription>(async (cursor, sig): Promise<Page<Subscription>> => {
      let state: AllSubsCursor | undefined = cursor === undefined ? undefined : decodeCursor(cursor, isAllSubsCursor);
      while (!state || state.ids.length === 0) {
        if (state && !state.next) return { items: [], nextCursor: undefined };
        const page = await this.#page(
          'listSubscriptions',
          state?.next ?? { path: '/customers', query: { size: this.#pageSize } },
          sig,
        );
        const ctx = this.#ctx('listSubscriptions', page.requestId);
        // A customer without an id is reported flagged; it has no subscriptions to ask for.
        const customers = page.items.map((c) => mapCustomer(c, ctx));
        reportFlagged(this.events, ctx, customers, 'customer');
        state = { ids: customers.map((c) => c.id).filter((id) => id !== ''), next: page.next ?? null };
      }
      const [customerId, ...rest] = state.ids as [string, ...string[]];
      let items: Subscription[] = [];
      try {
        items = (await this.#customerSubscriptions(customerId, now, sig)).filter(keep);
      } catch (error) {
        if (!(error instanceof PermissionError || error instanceof NotFoundError)) throw error;
        this.events.emit('warning', {
          provider: PROVIDER,
          code: 'customer-skipped',
          message: `listSubscriptions: skipped customer ${customerId}: ${error.message}`,
        });
      }
      const more = rest.length > 0 || state.next !== null;
      return { items, nextCursor: more ? encodeCursor({ ids: rest, next: state.next }) : undefined };
    }, options.signal).withLimits(this.#http.limits);
  }

  async #customerSubscriptions(customerId: string, now: Date, signal?: AbortSignal): Promise<Subscription[]> {
    const out: Subscription[] = [];
    let from: { path: string } | NextLink = { path: `/customers/${encodeURIComponent(customerId)}/subscriptions` };
    const seen = new Set<string>();
    for (;;) {
      const page = await this.#page('listSubscriptions', from, signal);
      const ctx = this.#ctx('listSubscriptions', page.requestId);
      const subs = page.items.map((raw) => mapSubscription(raw, customerId, ctx, { now }));
      reportFlagged(this.events, ctx, subs);
      out.push(...subs);
      if (!page.next) return out;
      const key = JSON.stringify(page.next);
      if (seen.has(key)) {
        throw new ResponseValidationError('listSubscriptions: Partner Center returned the same next page twice', {
          provider: PROVIDER,
          operation: 'listSubscriptions',
          field: 'links.next',
          value: page.next.uri,
        });
      }
      seen.add(key);
      from = page.next;
    }
  }

  protected async fetchSubscription(ref: SubscriptionRef, options: GetOptions): Promise<Subscription> {
    const valid = {
      customerId: requireGuid(ref.customerId, 'customerId'),
      subscriptionId: requireGuid(ref.subscriptionId, 'subscriptionId'),
    };
    const res = await this.#http.send({
      operation: 'getSubscription',
      method: 'GET',
      path: this.#subscriptionPath(valid),
      signal: options.signal,
    });
    const ctx = this.#ctx('getSubscription', res.vendorRequestId ?? res.requestId);
    const sub = mapSubscription(res.data, valid.customerId, ctx);
    reportFlagged(this.events, ctx, [sub]);
    return sub;
  }

  // ---- asynchronous changes ------------------------------------------------------------------------

  /** A seat change answered 202: polls the subscription's provisioning status until it settles. */
  #seatOperation(
    ref: SubscriptionRef,
    id: string,
    target: number | undefined,
    initial: OperationState,
  ): PendingOperation {
    const key = this.#key(ref);
    return createPendingOperation({
      provider: PROVIDER,
      id,
      kind: 'seat-change',
      initial,
      poll: async (signal) => {
        const res = await this.#http.send({
          operation: 'waitForCompletion',
          method: 'GET',
          path: `${this.#subscriptionPath(ref)}/provisioningstatus`,
          signal,
        });
        const state = mapProvisioning(
          res.data,
          id,
          target ?? this.#targets.get(key),
          this.#ctx('waitForCompletion', res.vendorRequestId ?? res.requestId),
        );
        if (SETTLED.has(state.status)) this.#targets.delete(key);
        return state;
      },
      defaultPollIntervalMs: this.#pollIntervalMs,
    });
  }

  /** A cancel answered 202: polls the subscription until its status is the one asked for. */
  #cancelOperation(ref: SubscriptionRef, id: string, wanted: string): PendingOperation {
    return createPendingOperation({
      provider: PROVIDER,
      id,
      kind: 'cancel',
      initial: { id, status: 'pending', rawStatus: null, message: null, raw: null },
      poll: async (signal) => {
        const res = await this.#http.send({
          operation: 'waitForCompletion',
          method: 'GET',
          path: this.#subscriptionPath(ref),
          signal,
        });
        const status = (res.data as { status?: unknown } | undefined)?.status;
        const done = typeof status === 'string' && status.toLowerCase() === wanted;
        return {
          id,
          status: done ? 'succeeded' : 'pending',
          rawStatus: typeof status === 'string' ? status : null,
          message: null,
          raw: res.data,
        };
      },
      defaultPollIntervalMs: this.#pollIntervalMs,
    });
  }

  /**
   * After an ambiguous failure: a change still being provisioned on this subscription (provisioning status
   * `pending`) is awaited rather than sent again.
   */
  /** {@link findPendingChange} asks the vendor, so it sees every writer's changes (see the base client). */
  protected override readonly pendingChangesListed = true;
  protected override async findPendingChange(
    ref: SubscriptionRef,
    signal?: AbortSignal,
  ): Promise<PendingOperation | undefined> {
    let res: HttpResponse<unknown>;
    try {
      res = await this.#http.send({
        operation: 'findPendingChange',
        method: 'GET',
        path: `${this.#subscriptionPath(ref)}/provisioningstatus`,
        signal,
      });
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
    const key = this.#key(ref);
    const id = this.#ambiguous.get(key)?.requestId ?? res.vendorRequestId ?? res.requestId;
    const state = mapProvisioning(res.data, id, this.#targets.get(key), this.#ctx('findPendingChange'));
    if (state.status !== 'pending') return undefined;
    return this.#seatOperation(ref, id, undefined, state);
  }

  /**
   * Sends a subscription PATCH. Its `MS-RequestId` is reused on the transport's retries (policy
   * `idempotent-write`: a lost answer is retried with the same id, which Partner Center treats as the same
   * request) and, if the change is sent again after an ambiguous failure, on that send too.
   */
  async #patch(
    operation: string,
    ref: SubscriptionRef,
    before: Subscription,
    change: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<HttpResponse<unknown> & { msRequestId: string }> {
    const key = this.#key(ref);
    const changeKey = JSON.stringify(change);
    const prior = this.#ambiguous.get(key);
    const requestId = prior && prior.change === changeKey ? prior.requestId : crypto.randomUUID();
    const raw = (before.raw && typeof before.raw === 'object' ? before.raw : {}) as Record<string, unknown>;
    const body = this.#fullPatchBody ? { ...raw, ...change } : change;
    const etag = (raw.attributes as { etag?: unknown } | undefined)?.etag;
    try {
      const res = await this.#http.send({
        operation,
        method: 'PATCH',
        path: this.#subscriptionPath(ref),
        json: body satisfies Partial<components['schemas']['SubscriptionUpdate']>,
        headers: this.#ifMatch && typeof etag === 'string' ? { 'If-Match': etag } : undefined,
        retry: 'idempotent-write',
        requestId,
        signal,
      });
      this.#ambiguous.delete(key);
      return { ...res, msRequestId: requestId };
    } catch (error) {
      if (isAmbiguousWriteFailure(error)) this.#ambiguous.set(key, { change: changeKey, requestId });
      else this.#ambiguous.delete(key);
      throw error;
    }
  }

  // ---- writes --------------------------------------------------------------------------------------

  /** At least one seat: 0 is refused before any write (the base client checks; see zeroSeats()). */
  protected override zeroSeatsRefusal(): ValidationError {
    return zeroSeats();
  }

  /** No vendor dry run for cancellations: the subscription's cancellation window decides, as it does for the PATCH. */
  protected override async dryRunCancel(
    _ref: SubscriptionRef,
    _effectiveDate: string | undefined,
    before: Subscription,
  ): Promise<DryRunCheck> {
    return cancelByConstraints(before, {
      provider: PROVIDER,
      hint: 'New commerce: a subscription can be cancelled only until its cancellationAllowedUntilDate (7 days after purchase or renewal). Turn auto-renew off so it ends with the term instead.',
    });
  }

  /** No vendor dry run for PATCH: checks the subscription's own new-commerce constraints. */
  protected override async dryRunSeats(
    _ref: SubscriptionRef,
    target: number,
    before: Subscription,
  ): Promise<DryRunCheck> {
    const c = before.constraints;
    const verdict = seatChangeByConstraints(before, target);
    if (target > before.quantity && c.canIncrease === false) {
      throw new BusinessRuleError(`setSeats (dry run): seats cannot be added now: ${c.notes.join('; ')}`, {
        provider: PROVIDER,
        operation: 'setSeats',
        hint: 'Reactivate the subscription in Partner Center first.',
      });
    }
    const removing = before.quantity - target;
    if (
      removing > 0 &&
      (c.canDecrease === false || (c.refundableQuantity !== null && removing > c.refundableQuantity))
    ) {
      throw decreaseRefused(before.quantity, target, c.refundableQuantity, true);
    }
    return verdict.check;
  }

  protected async writeSeats(
    ref: SubscriptionRef,
    target: number,
    before: Subscription,
    options: SeatChangeOptions,
  ): Promise<SeatWriteResult> {
    const res = await this.#patch('setSeats', ref, before, { quantity: target }, options.signal);
    if (res.status === 202) {
      this.#targets.set(this.#key(ref), target);
      const operation = this.#seatOperation(ref, res.msRequestId, target, {
        id: res.msRequestId,
        status: 'pending',
        rawStatus: 'accepted',
        message: null,
        raw: { location: res.headers.get('location') },
      });
      // Provisioning `succeeded` is checked against a read by the base client (applied means observed).
      return { kind: 'pending', operation, requestId: res.msRequestId };
    }
    // A 200 whose body is not a readable subscription still means Partner Center accepted the change: `done`
    // without one, and the base client settles it by reading (applied means observed).
    let subscription: Subscription | undefined;
    try {
      const ctx = this.#ctx('setSeats', res.msRequestId);
      subscription = readableAnswer(mapSubscription(res.data, ref.customerId, ctx), ctx);
    } catch {
      subscription = undefined;
    }
    return { kind: 'done', subscription, requestId: res.msRequestId };
  }

  /**
   * Cancels now: new commerce by `status: deleted` (only inside the cancellation window), legacy licence
   * subscriptions by `status: suspended` (Microsoft's way to cancel them).
   */
  protected async writeCancel(
    ref: SubscriptionRef,
    _effectiveDate: string | undefined,
    before: Subscription,
    options: CancelOptions,
  ): Promise<CancelWriteResult> {
    const nce = isNewCommerce((before.raw ?? {}) as Parameters<typeof isNewCommerce>[0]);
    if (!nce && before.status === 'suspended') return { kind: 'done', subscription: before, requestId: null };
    const wanted = nce ? 'deleted' : 'suspended';
    const res = await this.#patch('cancelSubscription', ref, before, { status: wanted }, options.signal);
    if (res.status === 202) {
      return {
        kind: 'pending',
        operation: this.#cancelOperation(ref, res.msRequestId, wanted),
        requestId: res.msRequestId,
      };
    }
    const ctx = this.#ctx('cancelSubscription', res.msRequestId);
    const subscription = readableAnswer(mapSubscription(res.data, ref.customerId, ctx), ctx);
    return { kind: 'done', subscription, requestId: res.msRequestId };
  }

  /**
   * Buys through a cart: `productId` is a product id (its only SKU), `productId:skuId`, or a catalog item id
   * `productId:skuId:availabilityId`. The term (`commitmentTerm`, default from the billing term: P1M, P1Y, P3Y)
   * and billing cycle must be offered by the availability. `dryRun` creates the cart (Partner Center validates
   * each line) and stops before checkout; the cart expires unused.
   */
  /** {@link BaseMarketplaceClient.purchase} plus `attestationAccepted` (see {@link PartnerCenterPurchaseInput}). */
  override async purchase(input: PartnerCenterPurchaseInput): Promise<PurchaseResult> {
    const { attestationAccepted, ...rest } = (input ?? {}) as PartnerCenterPurchaseInput;
    if (attestationAccepted !== undefined && typeof attestationAccepted !== 'boolean') {
      throw new ValidationError('Invalid attestationAccepted: must be true or false', [
        { path: 'attestationAccepted', message: 'must be a boolean' },
      ]);
    }
    return purchaseContext.run({ attestationAccepted: attestationAccepted === true }, () => super.purchase(rest));
  }

  protected async writePurchase(input: ValidPurchase): Promise<PurchaseResult> {
    const customerId = requireGuid(input.customerId, 'customerId');
    const [productId, skuIdIn, availabilityIdIn, ...extra] = input.productId.split(':');
    if (!productId || extra.length > 0) {
      throw new ValidationError(
        `purchase: productId must be a product id, productId:skuId or a catalog item id (got ${JSON.stringify(input.productId)})`,
        [{ path: 'productId', message: 'must be product[:sku[:availability]]' }],
        { provider: PROVIDER, operation: 'purchase' },
      );
    }
    const billingCycle = toPartnerCenterBillingCycle(input.billingTerm);
    if (!billingCycle) {
      throw new ValidationError(
        `purchase: Partner Center carts cannot buy a ${input.billingTerm} billing term`,
        [{ path: 'billingTerm', message: 'must be monthly, annual, triennial or one-time' }],
        {
          provider: PROVIDER,
          operation: 'purchase',
          hint: 'Trials are separate SKUs: pick the trial SKU and its billing cycle.',
        },
      );
    }
    const term = input.commitmentTerm ?? defaultTermFor(input.billingTerm);
    const country = this.#country;
    const skuId = skuIdIn ?? (await this.#onlySku(productId, input.signal));
    const avRes = await this.#purchaseHttp.send({
      operation: 'purchase',
      method: 'GET',
      path: `/products/${encodeURIComponent(productId)}/skus/${encodeURIComponent(skuId)}/availabilities`,
      query: { country },
      signal: input.signal,
    });
    const availabilities = mapCollection(avRes.data, this.#ctx('purchase')).items as Availability[];
    const candidates = availabilities.filter((a) => !availabilityIdIn || a.id === availabilityIdIn);
    const match = candidates.find((a) =>
      (a.terms ?? []).some((t) => t.duration === term && (t.billingCycle ?? '').toLowerCase() === billingCycle),
    );
    if (!match?.catalogItemId) {
      const offered =
        candidates
          .flatMap((a) => (a.terms ?? []).map((t) => `${t.duration} billed ${t.billingCycle}`))
          .filter((v, i, all) => all.indexOf(v) === i)
          .join(', ') || 'none';
      throw new ValidationError(
        `purchase: ${productId}:${skuId} is not offered as ${term} billed ${billingCycle} in ${country} (offered: ${offered})`,
        [{ path: 'commitmentTerm', message: `must be one of: ${offered}` }],
        { provider: PROVIDER, operation: 'purchase', hint: 'Pick a term and billing cycle the availability offers.' },
      );
    }
    const catalogItemId = match.catalogItemId;
    const attested = purchaseContext.getStore()?.attestationAccepted === true;
    const body: CartCreate = {
      lineItems: [
        {
          id: 0,
          catalogItemId,
          quantity: input.quantity,
          billingCycle,
          termDuration: term,
          ...(attested ? { attestationAccepted: true } : {}),
        },
      ],
    };
    const cartRes = await this.#purchaseHttp.send<Cart>({
      operation: 'purchase',
      method: 'POST',
      path: `/customers/${encodeURIComponent(customerId)}/carts`,
      json: body,
      // Creating a cart buys nothing and the MS-RequestId makes a retry the same request.
      retry: 'idempotent-write',
      signal: input.signal,
    });
    const cart = cartRes.data;
    const lineError = cart?.lineItems?.find((l) => l.error)?.error;
    if (lineError) {
      const message = `purchase: Partner Center refused the cart line: ${lineError.errorDescription ?? 'error'} (code ${lineError.errorCode})`;
      const fields = {
        provider: PROVIDER,
        operation: 'purchase',
        code: String(lineError.errorCode),
        requestId: cartRes.vendorRequestId ?? cartRes.requestId,
        hint:
          lineError.errorCode === ATTESTATION_NOT_ACCEPTED
            ? 'This product requires an attestation (see the SKU attestationProperties): once the customer has accepted it, purchase again with attestationAccepted: true.'
            : 'Check the product, quantity (SKU min/max), term and billing cycle; the customer must have accepted the Microsoft Customer Agreement.',
      };
      throw CART_INPUT_ERRORS.has(lineError.errorCode ?? 0)
        ? new ValidationError(
            message,
            [{ path: 'productId', message: lineError.errorDescription ?? 'refused' }],
            fields,
          )
        : new BusinessRuleError(message, fields);
    }
    if (!cart?.id) {
      throw new ResponseValidationError('purchase: Partner Center sent a cart without an id', {
        provider: PROVIDER,
        operation: 'purchase',
        status: cartRes.status,
        field: 'id',
        value: cart?.id,
      });
    }
    const lines = [{ productId: catalogItemId, quantity: input.quantity, subscriptionId: null }];
    if (input.dryRun) {
      return {
        provider: PROVIDER,
        customerId,
        orderId: null,
        outcome: 'dry-run',
        lines,
        requestId: cartRes.vendorRequestId ?? cartRes.requestId,
        raw: cart,
      };
    }
    // The checkout's MS-RequestId is chosen here so that its own re-sends can be told apart from other calls'.
    const checkoutRequestId = crypto.randomUUID();
    let resent = false;
    const stopWatching = this.events.on('retry', (e) => {
      if (e.requestId === checkoutRequestId) resent = true;
    });
    let res: HttpResponse<CheckoutResult>;
    try {
      res = await this.#purchaseHttp.send<CheckoutResult>({
        operation: 'purchase',
        method: 'POST',
        path: `/customers/${encodeURIComponent(customerId)}/carts/${encodeURIComponent(cart.id)}/checkout`,
        // A cart is checked out once; the same MS-RequestId on a retry is answered with the first result.
        retry: 'idempotent-write',
        requestId: checkoutRequestId,
        signal: input.signal,
      });
    } catch (error) {
      // A refusal of a re-sent checkout (e.g. "cart already checked out") does not prove the first attempt, whose
      // answer was lost, placed nothing: the outcome is unknown, never a failure (test/money/vendors/partner-center-lost-checkout).
      if (resent && !isAmbiguousWriteFailure(error)) {
        throw new WriteOutcomeUnknownError(
          `purchase: the checkout was re-sent after a lost answer and then refused; the order may have been placed (${(error as Error).message})`,
          {
            provider: PROVIDER,
            operation: 'purchase',
            before: null,
            expected: { catalogItemId, quantity: input.quantity },
            observed: null,
            requestId: checkoutRequestId,
            hint: "Check the customer's orders (listOrders or the Partner Center portal) before buying again.",
            cause: error,
          },
        );
      }
      throw error;
    } finally {
      stopWatching();
    }
    const requestId = res.vendorRequestId ?? res.requestId;
    const ctx = this.#ctx('purchase', requestId);
    const order = res.data?.orders?.[0];
    if (!order) {
      const e = res.data?.orderErrors?.[0];
      throw new BusinessRuleError(
        `purchase: Partner Center placed no order${e ? `: ${e.description ?? ''} (code ${e.code})` : ''}`,
        {
          provider: PROVIDER,
          operation: 'purchase',
          code: e?.code !== undefined ? String(e.code) : undefined,
          requestId,
          hint: 'Nothing was bought. Check the order errors in the raw answer and the customer agreement (MCA).',
        },
      );
    }
    const state = mapOrderState(order, ctx);
    const orderLines = mapOrderLines(order, ctx).map((l) => ({
      productId: l.offerId ?? catalogItemId,
      quantity: l.quantity ?? input.quantity,
      subscriptionId: l.subscriptionId,
    }));
    const base = {
      provider: PROVIDER,
      customerId,
      orderId: state.id,
      lines: orderLines.length ? orderLines : lines,
      requestId,
      raw: res.data,
    };
    if (state.status === 'succeeded') return { ...base, outcome: 'ordered' };
    const operation = createPendingOperation({
      provider: PROVIDER,
      id: state.id,
      kind: 'purchase',
      initial: state,
      poll: async (signal) => {
        const r = await this.#purchaseHttp.send({
          operation: 'waitForCompletion',
          method: 'GET',
          path: `/customers/${encodeURIComponent(customerId)}/orders/${encodeURIComponent(state.id)}`,
          signal,
        });
        return mapOrderState(r.data, this.#ctx('waitForCompletion', r.vendorRequestId ?? r.requestId));
      },
      defaultPollIntervalMs: this.#pollIntervalMs,
    });
    return { ...base, outcome: 'pending', operation };
  }

  /** The SKU of a product that has exactly one; otherwise the caller must say which. */
  async #onlySku(productId: string, signal?: AbortSignal): Promise<string> {
    const res = await this.#purchaseHttp.send({
      operation: 'purchase',
      method: 'GET',
      path: `/products/${encodeURIComponent(productId)}/skus`,
      query: { country: this.#country },
      signal,
    });
    const skus = mapCollection(res.data, this.#ctx('purchase')).items as Sku[];
    if (skus.length === 1 && skus[0]?.id) return skus[0].id;
    const list = skus.map((s) => `${productId}:${s.id} (${s.title ?? ''})`).join(', ') || 'none';
    throw new ValidationError(
      `purchase: product ${productId} has ${skus.length} SKUs; name one as productId:skuId (${list})`,
      [{ path: 'productId', message: 'must name the SKU' }],
      { provider: PROVIDER, operation: 'purchase' },
    );
  }
}

function zeroSeats(): ValidationError {
  return new ValidationError(
    'Partner Center needs at least 1 seat: cancel the subscription instead of setting 0',
    [{ path: 'quantity', message: 'must be at least 1 for Partner Center' }],
    { provider: PROVIDER, operation: 'setSeats', hint: 'Use cancelSubscription(ref) to stop the subscription.' },
  );
}

function decreaseRefused(
  before: number,
  target: number,
  refundable: number | null,
  dryRun: boolean,
): BusinessRuleError {
  return new BusinessRuleError(
    `setSeats${dryRun ? ' (dry run)' : ''}: ${before} -> ${target} would be refused: only ${refundable ?? 0} seat(s) are inside their 7-day reduction window`,
    {
      provider: PROVIDER,
      operation: 'setSeats',
      code: '800090',
      hint: 'New commerce: seats can be removed only within 7 days of their purchase, renewal or increase. Lower the quantity for the next term (scheduledNextTermInstructions) instead.',
    },
  );
}

/** Creates a Partner Center client. Throws `ConfigurationError`/`ValidationError` for bad options, before any request. */
export function createPartnerCenterClient(options: PartnerCenterClientOptions): PartnerCenterClient {
  return new PartnerCenterClient(options);
}
