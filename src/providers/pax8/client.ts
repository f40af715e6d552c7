import { AsyncLocalStorage } from 'node:async_hooks';
import type { RawRequestOptions, RawResponse } from '../../core/raw-request.js';
import { sdk as sdkChecked } from '../../core/dry-run.js';
import { canonicalId } from '../../core/seat-lock/canonical-key.js';
import { bearerHeader } from '../../core/auth/token-provider.js';
import { raceSignal } from '../../core/auth/cached-token-provider.js';
import type { DryRunCheck } from '../../model/operations.js';
import { BusinessRuleError, ConfigurationError, NotFoundError, ValidationError } from '../../core/errors.js';
import { orderSendFailure } from '../../core/order-safety.js';
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
import { type HttpResponse, type HttpMethod, HttpTransport } from '../../core/http.js';
import type { RateLimit } from '../../core/limiter.js';
import { createLimiterFor, tokenCacheFor, requestConcurrencyOf } from '../../core/scale.js';
import type {
  CancelOptions,
  Capabilities,
  GetOptions,
  ListInvoiceLinesOptions,
  ListInvoicesOptions,
  ListOptions,
  ListOrdersOptions,
  ListSubscriptionsOptions,
  ListUsageOptions,
  ProductPricingOptions,
  PurchaseInput,
  SeatChangeOptions,
} from '../../core/marketplace-client.js';
import { PagedList } from '../../core/pagination.js';
import { warnIfTotalChanged } from '../../core/listing-changed.js';
import { type NumberedListing, readAhead } from '../../core/page-read-ahead.js';
import { Secret } from '../../core/redact.js';
import { hashKey } from '../../core/sha.js';
import { readableAnswer, refuseEmptyCustomerId, reportFlagged } from '../../core/item-problems.js';
import type { WireContext } from '../../core/wire.js';
import type { components, paths as Pax8Paths } from '../../../generated/pax8.js';
import type { Customer } from '../../model/customer.js';
import type { ConnectionReport, PurchaseResult } from '../../model/operations.js';
import type { Product } from '../../model/product.js';
import type { Subscription, SubscriptionRef } from '../../model/subscription.js';
import { createPax8TokenProvider } from './auth.js';
import {
  type Pax8BillingDeps,
  checkPax8Usage,
  pax8InvoiceLines,
  pax8Invoices,
  pax8Orders,
  pax8ProductPricing,
  pax8Usage,
} from './billing.js';
import type { Invoice, InvoiceLine, Order, ProductPricing, UsageRecord } from '../../model/billing.js';
import { type Pax8ProvisioningDetails, checkProvisioningShape, provisioningLine } from './provisioning.js';
import { mapPax8Error } from './errors.js';
import { pax8Hint } from './errors.js';
import {
  type Pax8Commitment,
  type Pax8CommitmentRules,
  mapCompany,
  pax8CancelVerdict,
  pax8DecreaseVerdict,
  stateRule,
  mapPage,
  mapProduct,
  mapSubscription,
  pax8TermToIso,
  toPax8BillingTerm,
} from './map.js';

type CreateOrder = components['schemas']['CreateOrder'];

/** A Pax8 purchase: {@link PurchaseInput} plus the product's provisioning details. */
export interface Pax8PurchaseInput extends PurchaseInput {
  /**
   * Key -> value(s) from `GET /products/{id}/provision-details` (e.g. `{ msDomain: 'contoso', msCustExists: '...' }`),
   * sent as the order line's `provisioningDetails`. Checked against the product's declared details before the order.
   */
  provisioningDetails?: Pax8ProvisioningDetails | undefined;
}

const purchaseContext = new AsyncLocalStorage<{ provisioningDetails?: Pax8ProvisioningDetails | undefined }>();
type SubscriptionUpdate = components['schemas']['SubscriptionUpdate'];

/** Pax8 API credentials (Pax8 app > Integrations > API credentials). */
export interface Pax8Credentials {
  clientId: string;
  clientSecret: string;
}

/** Options of the Pax8 client. */
export interface Pax8ClientOptions extends CommonClientOptions {
  credentials: Pax8Credentials;
  /** Token endpoint (default `{baseUrl}/token`; legacy: `https://login.pax8.com/oauth/token`). */
  tokenUrl?: string | undefined;
  /** Token audience (default `https://api.pax8.com`; legacy: `api://p8p.client`). */
  audience?: string | undefined;
}

/** Every key of {@link Pax8ClientOptions} and its credentials: the constructor refuses any other (typos included). */
export const PAX8_CLIENT_OPTION_KEYS: ClientOptionKeys = clientOptionKeys<Pax8ClientOptions, Pax8Credentials>(
  'pax8',
  { credentials: true, tokenUrl: true, audience: true },
  { clientId: true, clientSecret: true },
);

/** Pax8 defaults, from Pax8's documentation (see docs/providers/pax8.md). */
export const PAX8_DEFAULTS = {
  baseUrl: 'https://api.pax8.com/v1',
  audience: 'https://api.pax8.com',
  /** Pax8 documents 1000 requests per minute. */
  rateLimit: { requests: 1000, perMs: 60_000, maxConcurrent: 10 } satisfies RateLimit,
  /** Pax8's maximum page size. */
  pageSize: 200,
  timeoutMs: 30_000,
} as const;

const RULES_TTL_MS = 10 * 60_000;
/** Bound of the per-product commitment cache: the oldest product is forgotten first. */
const RULES_MAX_PRODUCTS = 500;

/** The Pax8 Partner API as a {@link MarketplaceClient}. */
export class Pax8Client extends BaseMarketplaceClient {
  readonly provider = 'pax8' as const;
  /** Requests sent at once (the rate limit's `maxConcurrent`): how many customers `syncAll` lists at once. */
  readonly requestConcurrency: number;
  readonly capabilities: Capabilities = {
    listCustomers: true,
    getCustomer: true,
    listProducts: true,
    listAllSubscriptions: true,
    listAllSubscriptionsNative: true,
    listSubscriptions: true,
    getSubscription: true,
    setSeats: true,
    cancelSubscription: true,
    scheduledCancel: true,
    purchase: true,
    dryRunPurchase: 'vendor',
    dryRunSeats: 'local',
    asyncWrites: false,
    seatLockScope: this.seatLockScope,
    // Billing reads (issue 18; see billing.ts and docs/providers/pax8.md "Billing reads").
    invoices: true,
    draftInvoiceLines: true,
    usage: true,
    productPricing: true,
    listOrders: true,
  };
  readonly #http: HttpTransport;
  /** The API transport `request()` sends through (core/raw-request.ts). */
  protected override requestTransport(): HttpTransport {
    return this.#http;
  }
  /**
   * Calls any Pax8 API endpoint with this client's auth, limiter, retries, limits and redaction; the path strings
   * of our spec (generated/pax8.ts) autocomplete. See the client's `request` method and docs/requests.md.
   */
  override request<T = unknown>(
    method: HttpMethod,
    path: (keyof Pax8Paths & string) | (string & {}),
    options?: RawRequestOptions,
  ): Promise<RawResponse<T>> {
    return super.request<T>(method, path, options);
  }
  /** Commitment dependencies per product (single-flight, 10 minutes, at most {@link RULES_MAX_PRODUCTS}). */
  readonly #commitments = new Map<
    string,
    { at: number; deps: Promise<Pax8Commitment[] | null>; settled?: { value: Pax8Commitment[] | null } }
  >();
  /** Waits on a look-up, per signal and product (see #dependencies). */
  readonly #rulesWaits = new WeakMap<AbortSignal, Map<string, Promise<Pax8Commitment[] | null>>>();

  constructor(options: Pax8ClientOptions) {
    super(options, PAX8_CLIENT_OPTION_KEYS);
    if (!options || typeof options !== 'object') {
      throw new ConfigurationError('pax8: options are required', { provider: 'pax8', operation: 'configure' });
    }
    const where = 'from the Pax8 app, Integrations > API credentials';
    const clientId = requireCredential('pax8', options.credentials, 'clientId', where);
    const clientSecret = new Secret(requireCredential('pax8', options.credentials, 'clientSecret', where));
    this.redactor.add(clientSecret);
    this.redactor.add(clientId);
    const baseUrl = requireUrl('pax8', 'baseUrl', options.baseUrl ?? PAX8_DEFAULTS.baseUrl);
    const tokenUrl = requireUrl('pax8', 'tokenUrl', options.tokenUrl ?? `${baseUrl}/token`);
    const audience = options.audience ?? PAX8_DEFAULTS.audience;
    const credentialKey = hashKey('pax8', clientId, clientSecret.reveal());
    const limiter = createLimiterFor('pax8', credentialKey, options, PAX8_DEFAULTS.rateLimit, this.events);
    this.requestConcurrency = requestConcurrencyOf(options, PAX8_DEFAULTS.rateLimit);
    const transportBase = {
      provider: 'pax8',
      events: this.events,
      redactor: this.redactor,
      limiter,
      retry: options.retry ?? {},
      timeoutMs: options.timeoutMs ?? PAX8_DEFAULTS.timeoutMs,
      mapError: (r: Parameters<typeof mapPax8Error>[0]) => mapPax8Error(r, (s) => this.redactor.redact(s)),
      fetch: options.fetch,
      signal: options.signal,
      limits: options.limits,
    };
    const tokenTransport = new HttpTransport({ ...transportBase, baseUrl });
    const tokens = createPax8TokenProvider({
      transport: tokenTransport,
      tokenUrl,
      audience,
      clientId,
      clientSecret,
      events: this.events,
      redactor: this.redactor,
      cache: tokenCacheFor(options, this.events, 'pax8'),
    });
    this.#http = new HttpTransport({
      ...transportBase,
      baseUrl,
      auth: {
        headers: async (signal) => ({ authorization: `Bearer ${(await tokens.getToken(signal)).value}` }),
        peek: () => bearerHeader(tokens.peekToken()),
        refused: (headers) => {
          tokens.invalidate(headers.authorization?.slice('Bearer '.length) ?? '');
          return true;
        },
      },
    });
  }

  #ctx(operation: string, requestId?: string): WireContext {
    return { provider: 'pax8', operation, requestId };
  }

  /**
   * A 0-based page/size listing as a lazy PagedList. Page k is asked for by number and the first answer carries
   * `page.totalPages`, so the following pages are read ahead, up to the client's `requestConcurrency` at once
   * (core/page-read-ahead.ts), and still delivered in order with the same cursors (the page numbers).
   */
  #paged<T>(
    operation: string,
    path: string,
    query: Record<string, string | undefined>,
    map: (raw: unknown, ctx: WireContext, signal?: AbortSignal) => T | undefined | Promise<T | undefined>,
    signal?: AbortSignal,
  ): PagedList<T> {
    type Answer = { env: ReturnType<typeof mapPage>; ctx: WireContext };
    const listing: NumberedListing<Answer, T> = {
      window: this.requestConcurrency,
      fetch: async (cursor, sig) => {
        const res = await this.#http.send({
          operation,
          method: 'GET',
          path,
          query: { ...query, page: cursor === undefined ? 0 : Number(cursor), size: PAX8_DEFAULTS.pageSize },
          signal: sig,
        });
        const ctx = this.#ctx(operation, res.vendorRequestId ?? res.requestId);
        return { env: mapPage(res.data, ctx), ctx };
      },
      // An empty page ends the listing whatever the total says (as nextCursor below).
      pagesAfter: ({ env }) => (env.content.length > 0 ? env.page.totalPages - env.page.number - 1 : 0),
      cursorAfter: (cursor, steps) => String((cursor === undefined ? 0 : Number(cursor)) + steps),
      toPage: async ({ env, ctx }, _cursor, sig) => {
        const items: T[] = [];
        for (const item of await Promise.all(env.content.map((raw) => map(raw, ctx, sig)))) {
          if (item !== undefined) items.push(item);
        }
        const more = env.page.number + 1 < env.page.totalPages && env.content.length > 0;
        return {
          items,
          nextCursor: more ? String(env.page.number + 1) : undefined,
          total: env.page.totalElements,
        };
      },
      // In listing order, for delivered pages only (never for a page read ahead and discarded).
      delivered: (page, { env, ctx }, previous) => {
        warnIfTotalChanged(
          this.events,
          'pax8',
          operation,
          previous?.answer.env.page.totalElements,
          env.page.totalElements,
        );
        reportFlagged(this.events, ctx, page.items);
      },
    };
    return new PagedList<T>(readAhead(listing), signal).withLimits(this.#http.limits);
  }

  // ---- billing reads (issue 18): requests in billing.ts, mapping in billing-map.ts ----
  get #billing(): Pax8BillingDeps {
    return {
      send: (request) => this.#http.send(request),
      paged: (operation, path, query, map, signal) => this.#paged(operation, path, query, map, signal),
      events: this.events,
      limits: this.#http.limits,
      pageSize: PAX8_DEFAULTS.pageSize,
    };
  }
  protected override readInvoices(options: ListInvoicesOptions): PagedList<Invoice> {
    return pax8Invoices(this.#billing, options);
  }
  protected override readInvoiceLines(options: ListInvoiceLinesOptions): PagedList<InvoiceLine> {
    return pax8InvoiceLines(this.#billing, options);
  }
  protected override readUsage(options: ListUsageOptions): PagedList<UsageRecord> {
    checkPax8Usage(options);
    return pax8Usage(this.#billing, options);
  }
  protected override readProductPricing(productId: string, options: ProductPricingOptions): Promise<ProductPricing> {
    return pax8ProductPricing(this.#billing, productId, options);
  }
  protected override readOrders(options: ListOrdersOptions): PagedList<Order> {
    return pax8Orders(this.#billing, options);
  }

  async verifyConnection(options: GetOptions = {}): Promise<ConnectionReport> {
    checkCallOptions(GET_OPTION_KEYS, options, this.provider, 'verifyConnection');
    const count = async (path: string) => {
      const res = await this.#http.send({
        operation: 'verifyConnection',
        method: 'GET',
        path,
        query: { page: 0, size: 1 },
        signal: options.signal,
      });
      return mapPage(res.data, this.#ctx('verifyConnection')).page.totalElements;
    };
    const customers = await count('/companies');
    const subscriptions = await count('/subscriptions');
    // Pax8's page envelope carries exact totals.
    return {
      provider: 'pax8',
      ok: true,
      customers,
      customersExact: true,
      subscriptions,
      subscriptionsExact: true,
      baseUrl: this.#http.baseUrl,
      details: {},
    };
  }

  listCustomers(options: ListOptions = {}): PagedList<Customer> {
    checkCallOptions(LIST_CUSTOMERS_OPTION_KEYS, options, this.provider, 'listCustomers');
    return this.#paged('listCustomers', '/companies', {}, mapCompany, options.signal);
  }

  protected async fetchCustomer(customerId: string, options: GetOptions): Promise<Customer> {
    const res = await this.#http.send({
      operation: 'getCustomer',
      method: 'GET',
      path: `/companies/${encodeURIComponent(customerId)}`,
      signal: options.signal,
    });
    const ctx = this.#ctx('getCustomer', res.requestId);
    const customer = mapCompany(res.data, ctx);
    reportFlagged(this.events, ctx, [customer]);
    return customer;
  }

  listProducts(options: ListOptions & { search?: string | undefined } = {}): PagedList<Product> {
    checkCallOptions(LIST_PRODUCTS_OPTION_KEYS, options, this.provider, 'listProducts');
    return this.#paged('listProducts', '/products', { search: options.search }, mapProduct, options.signal);
  }

  listSubscriptions(options: ListSubscriptionsOptions = {}): PagedList<Subscription> {
    checkCallOptions(LIST_SUBSCRIPTIONS_OPTION_KEYS, options, this.provider, 'listSubscriptions');
    refuseEmptyCustomerId(options.customerId, this.provider, 'listSubscriptions');
    const now = new Date();
    // Pax8 filters by its own status values, several of which map to one of ours: filter statuses here.
    const billingTerm =
      options.billingTerm && options.billingTerm !== 'unknown' && options.billingTerm !== 'one-time'
        ? toPax8BillingTerm(options.billingTerm)
        : undefined;
    return this.#paged(
      'listSubscriptions',
      '/subscriptions',
      { companyId: options.customerId, productId: options.productId, billingTerm },
      async (raw, ctx, sig) => {
        const s = await this.#withCommitmentRules(raw, ctx, now, sig);
        if (options.status && s.status !== options.status) return undefined;
        if (options.billingTerm && s.billingTerm !== options.billingTerm) return undefined;
        return s;
      },
      options.signal,
    );
  }

  protected async fetchSubscription(ref: SubscriptionRef, options: GetOptions): Promise<Subscription> {
    const res = await this.#http.send({
      operation: 'getSubscription',
      method: 'GET',
      path: `/subscriptions/${encodeURIComponent(ref.subscriptionId)}`,
      signal: options.signal,
    });
    const ctx = this.#ctx('getSubscription', res.requestId);
    const now = new Date();
    const first = mapSubscription(res.data, ctx, { now });
    this.#checkOwner(first, ref);
    const sub = await this.#withCommitmentRules(res.data, ctx, now, options.signal, first);
    reportFlagged(this.events, ctx, [sub]);
    return sub;
  }

  /**
   * Maps a subscription with its product's commitment rules (the dependency matching its commitment term), so
   * `commitment` and `constraints` say what Pax8 will accept. A product Pax8 no longer knows (404) leaves them
   * unknown (with a warning); any other failure of the look-up is the read's typed error (after the transport's
   * retries), so a listing never returns the same subscription with different constraints.
   */
  async #withCommitmentRules(
    raw: unknown,
    ctx: WireContext,
    now: Date,
    signal?: AbortSignal,
    mapped?: Subscription,
  ): Promise<Subscription> {
    const first = mapped ?? mapSubscription(raw, ctx, { now });
    if (!first.productId || first.status === 'cancelled') return first;
    // A look-up already answered is used as is: no await between the answer and the mapping (issue 21).
    const known = this.#knownDependencies(first.productId);
    const deps = known ? known.value : await this.#dependencies(first.productId, signal, ctx.operation);
    if (deps === null) return first;
    const wire = first.raw as { commitmentTerm?: { id?: string } | null };
    const term = first.commitment?.term ?? (first.billingTerm === 'monthly' ? 'P1M' : undefined);
    const rules =
      deps.find((d) => wire.commitmentTerm?.id !== undefined && d.id === wire.commitmentTerm.id) ??
      (term ? deps.find((d) => pax8TermToIso(d.term) === term) : undefined);
    // Without rules or a Monthly (P1M) dependency the second mapping would equal the first (issue 21: one less).
    if (rules === undefined && !deps.some((d) => pax8TermToIso(d.term) === 'P1M')) return first;
    return mapSubscription(raw, ctx, { now, rules, productCommitments: deps });
  }

  /** Refuses a subscription that belongs to another customer than the reference says: never change the wrong one. */
  #checkOwner(sub: Subscription, ref: SubscriptionRef): void {
    // Pax8 ids are UUIDs: an upper-case id from a spreadsheet names the same company (case-folded, as the seat lock).
    if (sub.customerId !== ref.customerId && canonicalId(sub.customerId) !== canonicalId(ref.customerId)) {
      throw new NotFoundError(
        `Subscription ${ref.subscriptionId} does not belong to customer ${ref.customerId} (it belongs to ${sub.customerId})`,
        {
          provider: 'pax8',
          operation: 'getSubscription',
          hint: 'Check that the customer and subscription ids go together.',
        },
      );
    }
  }

  /**
   * The product's commitment dependencies, cached per product (single-flight, bounded, 10 minutes); null when
   * Pax8 does not know the product (404, cached too, with one `warning` event). Other failures are not cached.
   * The shared look-up runs without any caller's signal and each caller races its own, so one listing that is
   * aborted (a `break`, a read-ahead page dropped, a caller's signal) never fails another waiting on the same look-up.
   */
  #dependencies(
    productId: string,
    signal?: AbortSignal,
    operation = 'getProductDependencies',
  ): Promise<Pax8Commitment[] | null> {
    const shared = this.#sharedDependencies(productId, operation);
    if (signal === undefined) return shared;
    // The subscriptions of one page wait under the page's signal: they share one wait (one abort listener) per
    // product, as many listeners on one signal would make Node warn of a leak.
    let waits = this.#rulesWaits.get(signal);
    if (waits === undefined) {
      waits = new Map();
      this.#rulesWaits.set(signal, waits);
    }
    const known = waits.get(productId);
    if (known) return known;
    const wait = raceSignal(shared, signal);
    const bySignal = waits;
    const forget = () => {
      if (bySignal.get(productId) === wait) bySignal.delete(productId);
    };
    wait.then(forget, forget);
    waits.set(productId, wait);
    return wait;
  }

  /** The product's dependencies when a look-up of them answered less than 10 minutes ago. */
  #knownDependencies(productId: string): { value: Pax8Commitment[] | null } | undefined {
    const cached = this.#commitments.get(productId);
    return cached && Date.now() - cached.at < RULES_TTL_MS ? cached.settled : undefined;
  }

  #sharedDependencies(productId: string, operation: string): Promise<Pax8Commitment[] | null> {
    const cached = this.#commitments.get(productId);
    if (cached && Date.now() - cached.at < RULES_TTL_MS) return cached.deps;
    const deps = this.#fetchDependencies(productId).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
      this.events.emit('warning', {
        provider: 'pax8',
        code: 'commitment-rules-unknown',
        message: `${operation}: Pax8 does not know product ${productId} (404 on its dependencies); the commitment rules of its subscriptions stay unknown`,
      });
      return null;
    });
    const entry: { at: number; deps: typeof deps; settled?: { value: Pax8Commitment[] | null } } = {
      at: Date.now(),
      deps,
    };
    deps.then(
      (value) => {
        entry.settled = { value };
      },
      () => undefined,
    );
    this.#commitments.delete(productId);
    this.#commitments.set(productId, entry);
    if (this.#commitments.size > RULES_MAX_PRODUCTS) {
      const oldest = this.#commitments.keys().next().value;
      if (oldest !== undefined) this.#commitments.delete(oldest);
    }
    // A failed look-up is not cached: the next read asks again.
    deps.catch(() => {
      if (this.#commitments.get(productId)?.deps === deps) this.#commitments.delete(productId);
    });
    return deps;
  }

  async #fetchDependencies(productId: string, signal?: AbortSignal): Promise<Pax8Commitment[]> {
    const res = await this.#http.send<components['schemas']['ProductDependencies']>({
      operation: 'getProductDependencies',
      method: 'GET',
      path: `/products/${encodeURIComponent(productId)}/dependencies`,
      signal,
    });
    const list = res.data?.commitmentDependencies;
    return Array.isArray(list) ? list.filter((c) => c && typeof c.id === 'string') : [];
  }

  // ---- dry runs: the commitment rules Pax8 applies, checked before saying OK -------------------------

  /** Pax8 needs at least 1 seat (it answers 422 to 0): cancel instead. */
  protected override zeroSeatsRefusal(): ValidationError {
    return new ValidationError(
      'Pax8 needs at least 1 seat: cancel the subscription instead of setting 0',
      [{ path: 'quantity', message: 'must be at least 1 for Pax8' }],
      { provider: 'pax8', operation: 'setSeats', hint: 'Use cancelSubscription(ref) to stop the subscription.' },
    );
  }

  /**
   * Pax8 has no dry run for seat changes: applies the rules the real PUT meets (status, future start, the
   * product's commitment dependency and the 7-day window) and throws the `BusinessRuleError` Pax8's 422 gives.
   */
  protected override async dryRunSeats(
    _ref: SubscriptionRef,
    target: number,
    before: Subscription,
  ): Promise<DryRunCheck> {
    const now = new Date();
    const refuse = (rules: string[]) =>
      new BusinessRuleError(
        `setSeats (dry run): ${before.quantity} -> ${target} would be refused: ${rules.join('; ')}`,
        {
          provider: 'pax8',
          operation: 'setSeats',
          code: 'UNPROCESSABLE_ENTITY',
          hint: pax8Hint({ status: 422, operation: 'setSeats', decrease: target < before.quantity }),
        },
      );
    const state = stateRule(before, now);
    if (state) throw refuse([state]);
    if (target > before.quantity) {
      if (before.constraints.canIncrease === false) throw refuse(before.constraints.notes);
      return sdkChecked(['Pax8 accepts seat increases on an active subscription']);
    }
    const rules = await this.#rulesOf(before);
    const verdict = pax8DecreaseVerdict(before, rules, now);
    if (verdict.verdict === 'refused') throw refuse(verdict.rules);
    return { checkedBy: verdict.verdict === 'allowed' ? 'sdk' : 'nothing', rules: verdict.rules };
  }

  /** Pax8 has no dry run for cancellations: applies the product's early-cancellation rule as the real DELETE meets it. */
  protected override async dryRunCancel(
    _ref: SubscriptionRef,
    effectiveDate: string | undefined,
    before: Subscription,
  ): Promise<DryRunCheck> {
    const now = new Date();
    const at = effectiveDate ? new Date(effectiveDate) : now;
    const verdict = pax8CancelVerdict(before, await this.#rulesOf(before), now, at);
    if (verdict.verdict === 'refused') {
      throw new BusinessRuleError(
        `cancelSubscription (dry run): the cancellation would be refused: ${verdict.rules.join('; ')}`,
        {
          provider: 'pax8',
          operation: 'cancelSubscription',
          code: 'UNPROCESSABLE_ENTITY',
          hint: pax8Hint({ status: 422, operation: 'cancelSubscription' }),
        },
      );
    }
    return { checkedBy: verdict.verdict === 'allowed' ? 'sdk' : 'nothing', rules: verdict.rules };
  }

  /** The commitment dependency a subscription was read with (from the cache; undefined when unknown). */
  async #rulesOf(sub: Subscription): Promise<Pax8CommitmentRules | undefined> {
    const wire = sub.raw as { commitmentTerm?: { id?: string } | null };
    if (!sub.productId || !wire.commitmentTerm) return undefined;
    const deps = await this.#dependencies(sub.productId);
    return (
      deps?.find((d) => d.id === wire.commitmentTerm?.id) ??
      deps?.find((d) => pax8TermToIso(d.term) === sub.commitment?.term)
    );
  }

  protected async writeSeats(
    ref: SubscriptionRef,
    target: number,
    _before: Subscription,
    options: SeatChangeOptions,
  ): Promise<SeatWriteResult> {
    const body: SubscriptionUpdate = { quantity: target };
    const res = await this.#http.send({
      operation: 'setSeats',
      method: 'PUT',
      path: `/subscriptions/${encodeURIComponent(ref.subscriptionId)}`,
      json: body,
      signal: options.signal,
    });
    const requestId = res.vendorRequestId ?? res.requestId;
    // A 2xx whose body is not a subscription (204, empty, `{}`, unreadable) proves only that Pax8 accepted the
    // change: `done` without a subscription, and the base client settles it by reading (applied means observed).
    let subscription: Subscription | undefined;
    if (res.data !== undefined && res.data !== null && !isEmptyObject(res.data)) {
      try {
        const ctx = this.#ctx('setSeats', requestId);
        subscription = readableAnswer(mapSubscription(res.data, ctx), ctx);
      } catch {
        this.events.emit('warning', {
          provider: 'pax8',
          code: 'unreadable-write-answer',
          message: `setSeats: Pax8 answered ${res.status} with a body the SDK cannot read; settling by re-reading the subscription`,
        });
      }
    }
    return { kind: 'done', subscription, requestId };
  }

  protected async writeCancel(
    ref: SubscriptionRef,
    effectiveDate: string | undefined,
    _before: Subscription,
    options: CancelOptions,
  ): Promise<CancelWriteResult> {
    const res = await this.#http.send({
      operation: 'cancelSubscription',
      method: 'DELETE',
      path: `/subscriptions/${encodeURIComponent(ref.subscriptionId)}`,
      query: { cancelDate: effectiveDate },
      responseType: 'none',
      signal: options.signal,
    });
    // 204 has no body: the base client reads the subscription (cancelled means observed).
    const requestId = res.vendorRequestId ?? res.requestId;
    return { kind: 'done', subscription: undefined, requestId };
  }

  /** {@link BaseMarketplaceClient.purchase} plus `provisioningDetails` (see {@link Pax8PurchaseInput}). */
  override async purchase(input: Pax8PurchaseInput): Promise<PurchaseResult> {
    const { provisioningDetails, ...rest } = (input ?? {}) as Pax8PurchaseInput;
    const details = checkProvisioningShape(provisioningDetails);
    return purchaseContext.run({ provisioningDetails: details }, () => super.purchase(rest));
  }

  protected async writePurchase(input: ValidPurchase): Promise<PurchaseResult> {
    const given = purchaseContext.getStore()?.provisioningDetails;
    const productRes = await this.#http.send<components['schemas']['ProductDetail']>({
      operation: 'purchase',
      method: 'GET',
      path: `/products/${encodeURIComponent(input.productId)}`,
      signal: input.signal,
    });
    const product = mapProduct(productRes.data, this.#ctx('purchase'));
    let commitmentTermId: string | undefined;
    if (product.requiresCommitment || input.commitmentTerm) {
      // Read fresh at order time (Pax8: dependencies change), not from the constraints cache.
      const deps = await this.#fetchDependencies(input.productId, input.signal);
      const wanted = input.commitmentTerm ?? defaultCommitmentFor(input.billingTerm);
      const match = deps.find((d) => pax8TermToIso(d.term) === wanted);
      if (!match) {
        const offered = deps.map((d) => pax8TermToIso(d.term) ?? d.term).join(', ') || 'none';
        throw new ValidationError(
          `purchase: product ${input.productId} has no ${wanted} commitment term (offered: ${offered})`,
          [{ path: 'commitmentTerm', message: `must be one of: ${offered}` }],
          { provider: 'pax8', operation: 'purchase' },
        );
      }
      commitmentTermId = match.id;
    }
    let provisioningDetails: { key: string; values: string[] }[] | undefined;
    if (given && Object.keys(given).length > 0) {
      const declared = await this.#http.send<components['schemas']['ProvisioningDetailList']>({
        operation: 'purchase',
        method: 'GET',
        path: `/products/${encodeURIComponent(input.productId)}/provision-details`,
        signal: input.signal,
      });
      provisioningDetails = provisioningLine(
        input.productId,
        given,
        Array.isArray(declared.data?.content) ? declared.data.content : [],
      );
    }
    const body: CreateOrder = {
      companyId: input.customerId,
      lineItems: [
        {
          productId: input.productId,
          lineItemNumber: 1,
          quantity: input.quantity,
          billingTerm: toPax8BillingTerm(input.billingTerm),
          ...(commitmentTermId ? { commitmentTermId } : {}),
          ...(provisioningDetails ? { provisioningDetails } : {}),
        },
      ],
    };
    let res: HttpResponse<components['schemas']['Order']>;
    try {
      res = await this.#http.send<components['schemas']['Order']>({
        operation: 'purchase',
        method: 'POST',
        path: '/orders',
        query: { isMock: input.dryRun ? true : undefined },
        json: body,
        // Pax8 orders carry no idempotency key: a real order is sent once (a mock order changes nothing).
        retry: input.dryRun ? 'write' : 'never',
        signal: input.signal,
      });
    } catch (error) {
      throw input.dryRun ? error : orderSendFailure(error, { provider: 'pax8', ...input });
    }
    const order = res.data;
    return {
      provider: 'pax8',
      customerId: input.customerId,
      orderId: input.dryRun ? null : (order?.id ?? null),
      outcome: input.dryRun ? 'dry-run' : 'ordered',
      lines: (order?.lineItems ?? []).map((l) => ({
        productId: l.productId ?? input.productId,
        quantity: l.quantity ?? input.quantity,
        subscriptionId: input.dryRun ? null : (l.subscriptionId ?? null),
      })),
      requestId: res.vendorRequestId ?? res.requestId,
      raw: order,
    };
  }
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

function defaultCommitmentFor(term: ValidPurchase['billingTerm']): string {
  if (term === 'annual') return 'P1Y';
  if (term === 'biennial') return 'P2Y';
  if (term === 'triennial') return 'P3Y';
  return 'P1M';
}

/** Creates a Pax8 client. Throws `ConfigurationError`/`ValidationError` for bad options, before any request. */
export function createPax8Client(options: Pax8ClientOptions): Pax8Client {
  return new Pax8Client(options);
}
