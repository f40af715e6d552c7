import { AsyncLocalStorage } from 'node:async_hooks';
import type { RawRequestOptions, RawResponse } from '../../core/raw-request.js';
import type { paths as IngramPaths } from '../../../generated/ingram.js';
import { vendor as vendorChecked } from '../../core/dry-run.js';
import type { DryRunCheck } from '../../model/operations.js';
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
import { requireCredential } from '../../core/config.js';
import { ConfigurationError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { type HttpResponse, type HttpMethod, HttpTransport } from '../../core/http.js';
import { orderSendFailure } from '../../core/order-safety.js';
import type { RateLimit } from '../../core/limiter.js';
import { createLimiterFor, tokenCacheFor, requestConcurrencyOf } from '../../core/scale.js';
import type {
  CancelOptions,
  Capabilities,
  GetOptions,
  ListOptions,
  ListOrdersOptions,
  ListSubscriptionsOptions,
  ProductPricingOptions,
  PurchaseInput,
  SeatChangeOptions,
  WriteOptions,
} from '../../core/marketplace-client.js';
import type { Order, ProductPricing } from '../../model/billing.js';
import { type IngramBillingDeps, ingramOrders, ingramProductPricing } from './billing.js';
import { setAutoRenewVerified } from '../../core/auto-renew.js';
import type { AutoRenewResult } from '../../model/operations.js';
import { PagedList } from '../../core/pagination.js';
import { warnIfTotalChanged } from '../../core/listing-changed.js';
import { type NumberedListing, readAhead } from '../../core/page-read-ahead.js';
import { detailPipeline } from './detail-pipeline.js';
import { createPendingOperation } from '../../core/pending-operation.js';
import { Secret } from '../../core/redact.js';
import { hashKey } from '../../core/sha.js';
import { readableAnswer, refuseEmptyCustomerId, reportFlagged } from '../../core/item-problems.js';
import type { WireContext } from '../../core/wire.js';
import type { Customer } from '../../model/customer.js';
import type { ConnectionReport, PendingOperation, PurchaseResult } from '../../model/operations.js';
import type { Product } from '../../model/product.js';
import type { Subscription, SubscriptionRef } from '../../model/subscription.js';
import { createIngramTokenProvider } from './auth.js';
import { type IngramEndpoint, resolveIngramEndpoint } from './endpoint.js';
import { mapIngramError } from './errors.js';
import { type IngramOrderParameters, parameterErrors, parameterList } from './parameters.js';
import {
  type IngramWireOrderRequest,
  type IngramWirePeriod,
  ingramBillingTerm,
  ingramStatusFilter,
  mapCustomer,
  mapOrder,
  mapPage,
  mapProduct,
  mapSubscription,
  mapSubscriptionRow,
  orderState,
  periodToIso,
} from './map.js';

/** Ingram Marketplace API credentials: the dedicated `.API` user and the gateway subscription key. */
export interface IngramCredentials {
  /** The Marketplace API user (its name ends in `.API`), not your XVantage portal login. */
  username: string;
  password: string;
  /** `X-Subscription-Key`, from the portal's Marketplace API page. */
  subscriptionKey: string;
  /** The marketplace code may also be given here (same as the `marketplace` option). */
  marketplace?: string | undefined;
}

/** Options of the Ingram client. Give `region`, `baseUrl` or `controlPanelUrl`, and `marketplace`. */
/** An Ingram purchase: {@link PurchaseInput} plus the product's activation parameters. */
export interface IngramPurchaseInput extends PurchaseInput {
  /**
   * Activation parameters some products need (e.g. `{ domain: 'contoso.com' }`; names are case-sensitive), sent as
   * the order line's `parameters: [{ name, value }]` after Ingram's `POST /validation/parameters` accepts them.
   */
  parameters?: IngramOrderParameters | undefined;
}

const purchaseContext = new AsyncLocalStorage<{ parameters?: { name: string; value: unknown }[] | undefined }>();

export interface IngramClientOptions extends CommonClientOptions {
  credentials: IngramCredentials;
  /** The country marketplace code (`us`, `ca`, `nl`, `de`, `uk`, ...). Required unless `controlPanelUrl` gives it. */
  marketplace?: string | undefined;
  /** `na` (alias `us`), `eu`, `uk` or `oc`. */
  region?: string | undefined;
  /** The control-panel URL you log in with, `cp.<marketplace>.<region>.cloud.im`. */
  controlPanelUrl?: string | undefined;
  /** Items per list page (default 100; Ingram documents no maximum). */
  pageSize?: number | undefined;
  /** Subscription details fetched at once while listing (default 5; each is one request under the limiter). */
  detailConcurrency?: number | undefined;
}

/** Every key of {@link IngramClientOptions} and its credentials: the constructor refuses any other (typos included). */
export const INGRAM_CLIENT_OPTION_KEYS: ClientOptionKeys = clientOptionKeys<IngramClientOptions, IngramCredentials>(
  'ingram',
  {
    credentials: true,
    marketplace: true,
    region: true,
    controlPanelUrl: true,
    pageSize: true,
    detailConcurrency: true,
  },
  { username: true, password: true, subscriptionKey: true, marketplace: true },
);

/** Ingram defaults (see docs/providers/ingram.md for why). */
export const INGRAM_DEFAULTS = {
  /** Ingram publishes no number; 2 requests per second, 5 at once, stayed clear of the 429s seen in the wild. */
  rateLimit: { requests: 120, perMs: 60_000, maxConcurrent: 5 } satisfies RateLimit,
  pageSize: 100,
  detailConcurrency: 5,
  /** Orders can take over a minute: poll every 10 s by default. */
  pollIntervalMs: 10_000,
  timeoutMs: 60_000,
} as const;

const IN_FLIGHT = new Set(['submitted', 'processing']);

/** The Ingram Micro Cloud Marketplace API as a {@link MarketplaceClient}. */
export class IngramClient extends BaseMarketplaceClient {
  readonly provider = 'ingram' as const;
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
    scheduledCancel: false,
    purchase: true,
    dryRunPurchase: 'vendor',
    dryRunSeats: 'vendor',
    asyncWrites: true,
    seatLockScope: this.seatLockScope,
    // Billing reads (issue 18; billing.ts, docs/providers/ingram.md "Billing reads").
    productPricing: true,
    listOrders: true,
    setAutoRenew: true,
  };
  /** Where this client sends its calls (base URL, region, marketplace, and the warning when the URL is inferred). */
  readonly endpoint: Readonly<IngramEndpoint>;
  readonly #http: HttpTransport;
  /** The API transport `request()` sends through (core/raw-request.ts). */
  protected override requestTransport(): HttpTransport {
    return this.#http;
  }
  /**
   * Calls any Ingram API endpoint with this client's auth, limiter, retries, limits and redaction; the path strings
   * of our spec (generated/ingram.ts) autocomplete. See the client's `request` method and docs/requests.md.
   */
  override request<T = unknown>(
    method: HttpMethod,
    path: (keyof IngramPaths & string) | (string & {}),
    options?: RawRequestOptions,
  ): Promise<RawResponse<T>> {
    return super.request<T>(method, path, options);
  }
  readonly #pageSize: number;
  readonly #detailConcurrency: number;
  #warned = false;

  constructor(options: IngramClientOptions) {
    if (!options || typeof options !== 'object') {
      throw new ConfigurationError('ingram: options are required', { provider: 'ingram', operation: 'configure' });
    }
    super(options, INGRAM_CLIENT_OPTION_KEYS);
    const where =
      'the Marketplace API user (name ends in .API), its password and the subscription key, from the portal (Xvantage > My Business > Cloud Services > Marketplace API)';
    const username = requireCredential('ingram', options.credentials, 'username', where);
    const password = new Secret(requireCredential('ingram', options.credentials, 'password', where));
    const subscriptionKey = new Secret(requireCredential('ingram', options.credentials, 'subscriptionKey', where));
    this.redactor.add(password);
    this.redactor.add(subscriptionKey);
    this.redactor.addBasic(username, password.reveal());
    this.redactor.add(username);
    const credMarketplace = options.credentials.marketplace;
    if (
      typeof credMarketplace === 'string' &&
      typeof options.marketplace === 'string' &&
      credMarketplace.trim().toLowerCase() !== options.marketplace.trim().toLowerCase()
    ) {
      throw new ConfigurationError('ingram: marketplace and credentials.marketplace differ', {
        provider: 'ingram',
        operation: 'configure',
        hint: 'Pass the marketplace code once.',
      });
    }
    this.endpoint = Object.freeze(
      resolveIngramEndpoint({
        region: options.region,
        baseUrl: options.baseUrl,
        controlPanelUrl: options.controlPanelUrl,
        marketplace: options.marketplace ?? credMarketplace,
      }),
    );
    this.#pageSize = positiveInt('pageSize', options.pageSize, INGRAM_DEFAULTS.pageSize);
    this.#detailConcurrency = positiveInt(
      'detailConcurrency',
      options.detailConcurrency,
      INGRAM_DEFAULTS.detailConcurrency,
    );
    const { baseUrl, marketplace } = this.endpoint;
    const credentialKey = hashKey('ingram', username, password.reveal(), subscriptionKey.reveal());
    const limiter = createLimiterFor('ingram', credentialKey, options, INGRAM_DEFAULTS.rateLimit, this.events);
    this.requestConcurrency = requestConcurrencyOf(options, INGRAM_DEFAULTS.rateLimit);
    const errorCtx = { baseUrl, marketplace };
    const transportBase = {
      provider: 'ingram',
      baseUrl,
      events: this.events,
      redactor: this.redactor,
      limiter,
      retry: options.retry ?? {},
      timeoutMs: options.timeoutMs ?? INGRAM_DEFAULTS.timeoutMs,
      mapError: (r: Parameters<typeof mapIngramError>[0]) =>
        mapIngramError(r, (s) => this.redactor.redact(s), errorCtx),
      vendorRequestIdHeaders: ['x-correlation-id'],
      fetch: options.fetch,
      signal: options.signal,
      limits: options.limits,
    };
    const tokens = createIngramTokenProvider({
      transport: new HttpTransport(transportBase),
      baseUrl,
      marketplace,
      username,
      password,
      subscriptionKey,
      events: this.events,
      redactor: this.redactor,
      cache: tokenCacheFor(options, this.events, 'ingram'),
    });
    this.#http = new HttpTransport({
      ...transportBase,
      auth: {
        headers: async (signal) => {
          this.#warnOnce();
          return {
            authorization: `Bearer ${(await tokens.getToken(signal)).value}`,
            'x-subscription-key': subscriptionKey.reveal(),
          };
        },
        refused: (headers) => {
          tokens.invalidate(headers.authorization?.slice('Bearer '.length) ?? '');
          return true;
        },
      },
    });
  }

  /** The inferred-URL warning, as an event on the first call (listeners attach after construction). */
  #warnOnce(): void {
    if (this.#warned || !this.endpoint.warning) return;
    this.#warned = true;
    this.events.emit('warning', { provider: 'ingram', code: 'inferred-base-url', message: this.endpoint.warning });
  }

  #ctx(operation: string, requestId?: string): WireContext {
    return { provider: 'ingram', operation, requestId };
  }

  /**
   * One page of an offset/limit listing: its rows, the cursor of the next page (`offset + rows`, none past the
   * total) and the total, with a warning when the total differs from the listing's first (`totals`).
   */
  async #listPage(
    operation: string,
    path: string,
    query: Record<string, string | undefined>,
    cursor: string | undefined,
    totals: { first?: number },
    signal?: AbortSignal,
  ): Promise<{ rows: unknown[]; ctx: WireContext; nextCursor: string | undefined; total: number }> {
    const offset = cursor === undefined ? 0 : Number(cursor);
    const res = await this.#http.send({
      operation,
      method: 'GET',
      path,
      query: { ...query, offset, limit: this.#pageSize },
      signal,
    });
    const ctx = this.#ctx(operation, res.vendorRequestId ?? res.requestId);
    const env = mapPage(res.data, ctx);
    const total = env.pagination.total;
    warnIfTotalChanged(this.events, 'ingram', operation, totals.first, total);
    totals.first = total;
    const next = offset + env.data.length;
    return { rows: env.data, ctx, nextCursor: env.data.length > 0 && next < total ? String(next) : undefined, total };
  }

  /**
   * An offset/limit listing as a lazy PagedList; `mapRows` turns one page of rows into items. Every answer carries
   * the total, so the pages after the first are read ahead, up to the client's `requestConcurrency` at once
   * (core/page-read-ahead.ts), and still delivered in order with the same cursors (the offsets).
   */
  #paged<T>(
    operation: string,
    path: string,
    query: Record<string, string | undefined>,
    mapRows: (rows: unknown[], ctx: WireContext, signal: AbortSignal, offset: number) => Promise<T[]> | T[],
    signal?: AbortSignal,
  ): PagedList<T> {
    type Answer = { env: ReturnType<typeof mapPage>; ctx: WireContext; offset: number };
    const pageSize = this.#pageSize;
    const listing: NumberedListing<Answer, T> = {
      window: this.requestConcurrency,
      fetch: async (cursor, sig) => {
        const offset = cursor === undefined ? 0 : Number(cursor);
        const res = await this.#http.send({
          operation,
          method: 'GET',
          path,
          query: { ...query, offset, limit: pageSize },
          signal: sig,
        });
        const ctx = this.#ctx(operation, res.vendorRequestId ?? res.requestId);
        return { env: mapPage(res.data, ctx), ctx, offset };
      },
      // An empty page ends the listing whatever the total says (as nextCursor below).
      pagesAfter: ({ env, offset }) =>
        env.data.length > 0 ? Math.ceil(Math.max(0, env.pagination.total - offset - env.data.length) / pageSize) : 0,
      cursorAfter: (cursor, steps) => String((cursor === undefined ? 0 : Number(cursor)) + steps * pageSize),
      toPage: async ({ env, ctx, offset }, _cursor, sig) => {
        const items = await mapRows(env.data, ctx, sig, offset);
        const next = offset + env.data.length;
        const total = env.pagination.total;
        return { items, nextCursor: env.data.length > 0 && next < total ? String(next) : undefined, total };
      },
      // In listing order, for delivered pages only (never for a page read ahead and discarded).
      delivered: (page, { env, ctx }, previous) => {
        warnIfTotalChanged(
          this.events,
          'ingram',
          operation,
          previous?.answer.env.pagination.total,
          env.pagination.total,
        );
        reportFlagged(this.events, ctx, page.items);
      },
    };
    return new PagedList<T>(readAhead(listing), signal).withLimits(this.#http.limits);
  }

  // ---- billing reads (issue 18): billing.ts, billing-map.ts ----
  get #billing(): IngramBillingDeps {
    return {
      send: (request) => this.#http.send(request),
      paged: (operation, path, query, mapRows, signal) => this.#paged(operation, path, query, mapRows, signal),
      events: this.events,
      pageSize: this.#pageSize,
    };
  }
  protected override readOrders(options: ListOrdersOptions): PagedList<Order> {
    return ingramOrders(this.#billing, options);
  }
  protected override readProductPricing(productId: string, options: ProductPricingOptions): Promise<ProductPricing> {
    return ingramProductPricing(this.#billing, productId, options);
  }
  /** `PATCH /subscriptions/{id}` with `renewalStatus` (Ingram's spec), under core/auto-renew.ts's write safety. */
  protected override writeAutoRenew(
    ref: SubscriptionRef,
    enabled: boolean,
    before: Subscription,
    options: WriteOptions,
  ): Promise<AutoRenewResult> {
    return setAutoRenewVerified(
      {
        provider: 'ingram',
        send: async (value, signal) => {
          const res = await this.#http.send({
            operation: 'setAutoRenew',
            method: 'PATCH',
            path: `/subscriptions/${encodeURIComponent(ref.subscriptionId)}`,
            json: { renewalStatus: value },
            // No idempotency key at Ingram: never resent after an ambiguous failure (settled by reading instead).
            retry: 'write',
            signal,
          });
          return { status: res.status, data: res.data, requestId: res.vendorRequestId ?? res.requestId };
        },
        read: (r) => this.fetchSubscription(r, {}),
        mapAnswer: (data, _r, requestId) => {
          try {
            const ctx = this.#ctx('setAutoRenew', requestId ?? undefined);
            return readableAnswer(mapSubscription(data, ctx), ctx);
          } catch {
            return undefined;
          }
        },
        events: this.events,
        actor: this.actor,
        verifyDelaysMs: this.seatVerifyDelaysMs,
        unknownHint: 'Read the subscription (renewalStatus) again before changing it.',
      },
      ref,
      enabled,
      before,
      options,
    );
  }

  async verifyConnection(options: GetOptions = {}): Promise<ConnectionReport> {
    checkCallOptions(GET_OPTION_KEYS, options, this.provider, 'verifyConnection');
    const count = async (path: string) => {
      const res = await this.#http.send({
        operation: 'verifyConnection',
        method: 'GET',
        path,
        query: { offset: 0, limit: 1 },
        signal: options.signal,
      });
      return mapPage(res.data, this.#ctx('verifyConnection')).pagination.total;
    };
    const customers = await count('/customers');
    const subscriptions = await count('/subscriptions');
    return {
      provider: 'ingram',
      ok: true,
      customers,
      // Ingram's pagination carries exact totals.
      customersExact: true,
      subscriptions,
      subscriptionsExact: true,
      baseUrl: this.#http.baseUrl,
      details: { region: this.endpoint.region, marketplace: this.endpoint.marketplace, warning: this.endpoint.warning },
    };
  }

  listCustomers(options: ListOptions = {}): PagedList<Customer> {
    checkCallOptions(LIST_CUSTOMERS_OPTION_KEYS, options, this.provider, 'listCustomers');
    return this.#paged(
      'listCustomers',
      '/customers',
      {},
      (rows, ctx) => rows.map((r) => mapCustomer(r, ctx)),
      options.signal,
    );
  }

  protected async fetchCustomer(customerId: string, options: GetOptions): Promise<Customer> {
    const res = await this.#http.send({
      operation: 'getCustomer',
      method: 'GET',
      path: `/customers/${encodeURIComponent(customerId)}`,
      signal: options.signal,
    });
    const ctx = this.#ctx('getCustomer', res.vendorRequestId);
    const customer = mapCustomer(res.data, ctx);
    reportFlagged(this.events, ctx, [customer]);
    return customer;
  }

  listProducts(options: ListOptions & { search?: string | undefined } = {}): PagedList<Product> {
    checkCallOptions(LIST_PRODUCTS_OPTION_KEYS, options, this.provider, 'listProducts');
    return this.#paged(
      'listProducts',
      '/products',
      { name: options.search },
      (rows, ctx) => rows.map((r) => mapProduct(r, ctx)),
      options.signal,
    );
  }

  /**
   * List rows carry no quantity, so each listed subscription is read in full (`GET /subscriptions/{id}`),
   * `detailConcurrency` at a time under the limiter: a page of N rows costs 1 + N requests. Status and
   * billing term are filtered on the rows first, so filtered-out subscriptions cost nothing more. The detail reads
   * run as a pipeline across pages (detail-pipeline.ts): the next list page is read while this page's details
   * run, and its details start as this page's tail finishes, so the request slots never run dry between pages.
   */
  listSubscriptions(options: ListSubscriptionsOptions = {}): PagedList<Subscription> {
    checkCallOptions(LIST_SUBSCRIPTIONS_OPTION_KEYS, options, this.provider, 'listSubscriptions');
    refuseEmptyCustomerId(options.customerId, this.provider, 'listSubscriptions');
    const operation = 'listSubscriptions';
    const query = { customerId: options.customerId, status: ingramStatusFilter(options.status) };
    const totals: { first?: number } = {};
    type Work = { raw: unknown; ctx: WireContext };
    return new PagedList<Subscription>(
      detailPipeline<Work, Subscription>({
        concurrency: this.#detailConcurrency,
        // The page being finished, the next one (its details fill the slots the tail frees) and enough rows
        // beyond for two rounds of detail reads: a few pages at most.
        pagesAhead: 2 + Math.ceil((2 * this.#detailConcurrency) / this.#pageSize),
        list: async (cursor, signal) => {
          const page = await this.#listPage(operation, '/subscriptions', query, cursor, totals, signal);
          const wanted = page.rows.filter((raw) => {
            const row = mapSubscriptionRow(raw, page.ctx);
            if (options.status && row.status !== options.status) return false;
            if (options.billingTerm && row.billingTerm !== options.billingTerm) return false;
            return true;
          });
          return {
            work: wanted.map((raw) => ({ raw, ctx: page.ctx })),
            nextCursor: page.nextCursor,
            total: page.total,
            // Reported when the page is handed over (a page read ahead and never delivered reports nothing).
            delivered: (items) => reportFlagged(this.events, page.ctx, items),
          };
        },
        detail: async ({ raw, ctx }, signal) => {
          const row = mapSubscriptionRow(raw, ctx);
          // No id to read the details with: returned flagged as the row shows it (reported with the page).
          let sub: Subscription;
          if (!row.id) sub = mapSubscription(raw, ctx);
          else {
            try {
              sub = await this.#readSubscription(row.id, operation, signal);
            } catch (error) {
              if (!(error instanceof NotFoundError)) throw error;
              this.events.emit('warning', {
                provider: 'ingram',
                code: 'listing-changed',
                message: `listSubscriptions: subscription ${row.id} disappeared between the list and its details; skipped`,
              });
              return undefined;
            }
          }
          return !options.productId || sub.productId === options.productId ? sub : undefined;
        },
      }),
      options.signal,
    ).withLimits(this.#http.limits);
  }

  async #readSubscription(id: string, operation: string, signal?: AbortSignal): Promise<Subscription> {
    const res = await this.#http.send({
      operation,
      method: 'GET',
      path: `/subscriptions/${encodeURIComponent(id)}`,
      signal,
    });
    return mapSubscription(res.data, this.#ctx(operation, res.vendorRequestId));
  }

  protected async fetchSubscription(ref: SubscriptionRef, options: GetOptions): Promise<Subscription> {
    const sub = await this.#readSubscription(ref.subscriptionId, 'getSubscription', options.signal);
    reportFlagged(this.events, this.#ctx('getSubscription'), [sub]);
    if (sub.customerId !== ref.customerId) {
      throw new NotFoundError(
        `Subscription ${ref.subscriptionId} does not belong to customer ${ref.customerId} (it belongs to ${sub.customerId})`,
        {
          provider: 'ingram',
          operation: 'getSubscription',
          hint: 'Check that the customer and subscription ids go together.',
        },
      );
    }
    return sub;
  }

  /** Orders on the subscription that are still being fulfilled, newest first. */
  async #inFlightOrders(ref: SubscriptionRef, operation: string, signal?: AbortSignal) {
    const res = await this.#http.send({
      operation,
      method: 'GET',
      path: '/orders',
      query: { customerId: ref.customerId, subscriptionId: ref.subscriptionId, offset: 0, limit: 20 },
      signal,
    });
    const ctx = this.#ctx(operation, res.vendorRequestId);
    return mapPage(res.data, ctx)
      .data.map((raw) => ({ raw, order: mapOrder(raw, ctx) }))
      .filter((o) => IN_FLIGHT.has(o.order.status ?? ''));
  }

  /** Refuses a change while another order on the subscription provisions (Ingram would answer 500). */
  async #refuseIfBusy(ref: SubscriptionRef, operation: string, signal?: AbortSignal): Promise<void> {
    const busy = (await this.#inFlightOrders(ref, operation, signal))[0];
    if (!busy) return;
    throw new ConflictError(
      `${operation}: order ${busy.order.orderNumber ?? busy.order.id} on subscription ${ref.subscriptionId} is still ${busy.order.status}; nothing was sent`,
      {
        provider: 'ingram',
        operation,
        hint: 'Ingram refuses a change while another order on the same subscription provisions: wait for that order, then try again.',
      },
    );
  }

  /** {@link findPendingChange} asks the vendor, so it sees every writer's changes (see the base client). */
  protected override readonly pendingChangesListed = true;
  protected override async findPendingChange(
    ref: SubscriptionRef,
    signal?: AbortSignal,
  ): Promise<PendingOperation | undefined> {
    // Write safety asks after an ambiguous failure; no order was in flight before the write (checked), so one now is ours.
    const found = (await this.#inFlightOrders(ref, 'findPendingChange', signal))[0];
    if (!found) return undefined;
    const kind = found.order.type === 'cancellation' ? 'cancel' : 'seat-change';
    return this.#pending(found.raw, kind);
  }

  #pending(rawOrder: unknown, kind: string): PendingOperation {
    const initial = orderState(rawOrder, this.#ctx(kind));
    return createPendingOperation({
      provider: 'ingram',
      id: initial.id,
      kind,
      initial,
      defaultPollIntervalMs: INGRAM_DEFAULTS.pollIntervalMs,
      poll: async (signal) => {
        const res = await this.#http.send({
          operation: 'waitForCompletion',
          method: 'GET',
          path: `/orders/${encodeURIComponent(initial.id)}`,
          signal,
        });
        return orderState(res.data, this.#ctx('waitForCompletion', res.vendorRequestId));
      },
    });
  }

  #changeOrder(ref: SubscriptionRef, target: number, before: Subscription): IngramWireOrderRequest {
    const raw = before.raw as {
      billingPeriod?: IngramWirePeriod;
      subscriptionPeriod?: IngramWirePeriod;
      products?: Array<{ mpn?: string; vendor?: string }>;
    };
    const line = raw.products?.[0];
    return {
      type: 'change',
      customerId: ref.customerId,
      products: [
        {
          subscriptionId: ref.subscriptionId,
          ...(line?.mpn ? { mpn: line.mpn } : {}),
          ...(line?.vendor ? { vendor: line.vendor } : {}),
          // Ingram takes the new total (read back, a change order shows the signed delta).
          quantity: target,
          ...(raw.billingPeriod ? { billingPeriod: raw.billingPeriod } : {}),
          ...(raw.subscriptionPeriod ? { subscriptionPeriod: raw.subscriptionPeriod } : {}),
        },
      ],
    };
  }

  protected override async dryRunSeats(
    ref: SubscriptionRef,
    target: number,
    before: Subscription,
  ): Promise<DryRunCheck> {
    await this.#http.send({
      operation: 'setSeats',
      method: 'POST',
      path: '/orders/estimate',
      json: this.#changeOrder(ref, target, before),
      retry: 'read',
    });
    return vendorChecked(`Ingram Micro /orders/estimate accepted the change order to ${target} seats`);
  }

  protected async writeSeats(
    ref: SubscriptionRef,
    target: number,
    before: Subscription,
    options: SeatChangeOptions,
  ): Promise<SeatWriteResult> {
    await this.#refuseIfBusy(ref, 'setSeats', options.signal);
    const res = await this.#http.send({
      operation: 'setSeats',
      method: 'POST',
      path: '/orders',
      json: this.#changeOrder(ref, target, before),
      signal: options.signal,
    });
    const requestId = res.vendorRequestId ?? res.requestId;
    const op = this.#pending(res.data, 'seat-change');
    // The post-order check (docs/providers/ingram.md, "Seat quantity"): the SDK sends the new total; should
    // Ingram read it as a difference, setSeats(6) on 5 ends at 11. The base client reads the subscription once
    // the order completes (here, or in waitForCompletion) and refuses anything but the total asked for.
    if (op.initial.status === 'succeeded') return { kind: 'done', subscription: undefined, requestId };
    return { kind: 'pending', operation: op, requestId };
  }

  protected async writeCancel(
    ref: SubscriptionRef,
    _effectiveDate: string | undefined,
    _before: Subscription,
    options: CancelOptions,
  ): Promise<CancelWriteResult> {
    await this.#refuseIfBusy(ref, 'cancelSubscription', options.signal);
    const body: IngramWireOrderRequest = {
      type: 'cancellation',
      customerId: ref.customerId,
      subscriptionId: ref.subscriptionId,
    };
    const res = await this.#http.send({
      operation: 'cancelSubscription',
      method: 'POST',
      path: '/orders',
      json: body,
      signal: options.signal,
    });
    const requestId = res.vendorRequestId ?? res.requestId;
    const op = this.#pending(res.data, 'cancel');
    if (op.initial.status === 'succeeded') {
      return { kind: 'done', subscription: await this.fetchSubscription(ref, options), requestId };
    }
    return { kind: 'pending', operation: op, requestId };
  }

  /** {@link BaseMarketplaceClient.purchase} plus `parameters` (see {@link IngramPurchaseInput}). */
  override async purchase(input: IngramPurchaseInput): Promise<PurchaseResult> {
    const { parameters, ...rest } = (input ?? {}) as IngramPurchaseInput;
    const list = parameterList(parameters);
    return purchaseContext.run({ parameters: list }, () => super.purchase(rest));
  }

  protected async writePurchase(input: ValidPurchase): Promise<PurchaseResult> {
    const parameters = purchaseContext.getStore()?.parameters;
    // The MPN fixes the term: check it matches what the caller asked for before ordering.
    const found = await this.#http.send({
      operation: 'purchase',
      method: 'GET',
      path: '/products',
      query: { mpn: input.productId, offset: 0, limit: 10 },
      signal: input.signal,
    });
    const ctx = this.#ctx('purchase', found.vendorRequestId);
    const rows = mapPage(found.data, ctx).data.filter((p) => (p as { mpn?: unknown })?.mpn === input.productId);
    if (rows.length === 0) {
      throw new ValidationError(
        `purchase: no product with MPN ${input.productId} in this marketplace`,
        [{ path: 'productId', message: 'must be an MPN from listProducts()' }],
        {
          provider: 'ingram',
          operation: 'purchase',
          hint: 'Ingram orders name products by MPN: use Product.id from listProducts().',
        },
      );
    }
    const raw = rows[0] as { subscriptionPeriod?: { type: string; duration: number } };
    const term = ingramBillingTerm(raw.subscriptionPeriod);
    const iso = periodToIso(raw.subscriptionPeriod);
    if (term !== input.billingTerm || (input.commitmentTerm && iso !== input.commitmentTerm)) {
      throw new ValidationError(
        `purchase: product ${input.productId} is sold as ${term} (term ${iso ?? 'unknown'}), not ${input.billingTerm}${input.commitmentTerm ? ` ${input.commitmentTerm}` : ''}`,
        [{ path: 'billingTerm', message: `must be ${term} for this MPN` }],
        {
          provider: 'ingram',
          operation: 'purchase',
          hint: 'At Ingram each term is its own MPN (e.g. <GUID>_ANNUAL, <GUID>_MONTHLY): pick the MPN of the term you want.',
        },
      );
    }
    if (parameters) {
      // Ingram checks activation parameters (a domain, ...) without ordering: refuse bad ones before the order.
      const checked = await this.#http.send({
        operation: 'purchase',
        method: 'POST',
        path: '/validation/parameters',
        json: { customerId: input.customerId, products: [{ mpn: input.productId, parameters }] },
        retry: 'read',
        signal: input.signal,
      });
      const errors = parameterErrors(checked.data);
      if (errors.length > 0) {
        throw new ValidationError(
          `purchase: Ingram refused the activation parameters: ${errors.join('; ')}`,
          errors.map((e) => ({ path: `parameters.${e.slice(0, e.indexOf(':'))}`, message: e })),
          { provider: 'ingram', operation: 'purchase', requestId: checked.vendorRequestId ?? checked.requestId },
        );
      }
    }
    const body: IngramWireOrderRequest = {
      type: 'sales',
      customerId: input.customerId,
      products: [{ mpn: input.productId, quantity: input.quantity, ...(parameters ? { parameters } : {}) }],
    };
    let res: HttpResponse<unknown>;
    try {
      res = await this.#http.send({
        operation: 'purchase',
        method: 'POST',
        path: input.dryRun ? '/orders/estimate' : '/orders',
        json: body,
        // An estimate changes nothing: retry it like a read. A sales order has no idempotency key: sent once.
        retry: input.dryRun ? 'read' : 'never',
        signal: input.signal,
      });
    } catch (error) {
      throw input.dryRun ? error : orderSendFailure(error, { provider: 'ingram', ...input });
    }
    const requestId = res.vendorRequestId ?? res.requestId;
    const lines = (
      (res.data as { products?: Array<{ mpn?: string; quantity?: number; subscriptionId?: string }> } | undefined)
        ?.products ?? []
    ).map((l) => ({
      productId: l.mpn ?? input.productId,
      quantity: l.quantity ?? input.quantity,
      subscriptionId: input.dryRun ? null : (l.subscriptionId ?? null),
    }));
    if (input.dryRun) {
      return {
        provider: 'ingram',
        customerId: input.customerId,
        orderId: null,
        outcome: 'dry-run',
        lines,
        requestId,
        raw: res.data,
      };
    }
    const op = this.#pending(res.data, 'purchase');
    return {
      provider: 'ingram',
      customerId: input.customerId,
      orderId: op.id,
      outcome: op.initial.status === 'succeeded' ? 'ordered' : 'pending',
      lines,
      requestId,
      operation: op.initial.status === 'succeeded' ? undefined : op,
      raw: res.data,
    };
  }
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new ValidationError(`Invalid ${name}`, [{ path: name, message: 'must be a positive integer' }], {
      provider: 'ingram',
      operation: 'configure',
    });
  }
  return value;
}

/** Creates an Ingram client. Throws `ConfigurationError`/`ValidationError` for bad options, before any request. */
export function createIngramClient(options: IngramClientOptions): IngramClient {
  return new IngramClient(options);
}
