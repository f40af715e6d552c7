import { countItems } from '../../core/count-items.js';
import type { RawRequestOptions, RawResponse } from '../../core/raw-request.js';
import { seatsByConstraints } from '../../core/dry-run.js';
import type { DryRunCheck } from '../../model/operations.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { components, paths as TdSynnexPaths } from '../../../generated/td-synnex.js';
import { type TokenStore, defaultTokenStore } from '../../core/auth/token-store.js';
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
  ConfigurationError,
  NotFoundError,
  PermissionError,
  ReadOnlyError,
  ResponseValidationError,
  UnsupportedOperationError,
  ValidationError,
} from '../../core/errors.js';
import { type HttpRequest, type HttpResponse, type HttpMethod, HttpTransport } from '../../core/http.js';
import type { RateLimit } from '../../core/limiter.js';
import { createLimiterFor, tokenStoreFor, requestConcurrencyOf } from '../../core/scale.js';
import type {
  CancelOptions,
  Capabilities,
  GetOptions,
  ListOptions,
  ListOrdersOptions,
  ListSubscriptionsOptions,
  PurchaseInput,
  SeatChangeOptions,
} from '../../core/marketplace-client.js';
import { reportOddRecord } from '../../core/billing-wire.js';
import type { Order } from '../../model/billing.js';
import { mapIonOrder } from './billing-map.js';
import { type Page, PagedList } from '../../core/pagination.js';
import { type NumberedListing, readAhead } from '../../core/page-read-ahead.js';
import { createPendingOperation } from '../../core/pending-operation.js';
import { orderSendFailure } from '../../core/order-safety.js';
import { Secret } from '../../core/redact.js';
import { hashKey } from '../../core/sha.js';
import { reportFlagged } from '../../core/item-problems.js';
import type { WireContext } from '../../core/wire.js';
import type { Customer } from '../../model/customer.js';
import type {
  CancelResult,
  ConnectionReport,
  OperationState,
  PendingOperation,
  PurchaseResult,
} from '../../model/operations.js';
import type { Product } from '../../model/product.js';
import type { Subscription, SubscriptionRef } from '../../model/subscription.js';
import { IonTokenProvider } from './auth.js';
import { mapTdSynnexError } from './errors.js';
import {
  type IonCatalogSku,
  type IonPlanInfo,
  mapCatalogProduct,
  mapCustomer,
  mapOrderState,
  mapSubscription,
  orderIdsOf,
  parseOrder,
  parseProductKey,
} from './map.js';

type OrderRequest = components['schemas']['OrderRequest'];
type Attribute = components['schemas']['Attribute'];

/** TD SYNNEX StreamOne Ion credentials: the refresh token generated in the Ion portal. */
export interface TdSynnexCredentials {
  /**
   * The first refresh token (Ion portal: Settings > API / Partner API access). Single-use: after the first
   * refresh the SDK keeps the rotated one in `tokenStore` and uses this value only while the store holds none.
   */
  refreshToken: string;
  /** The reseller account id, if not given as the `accountId` option. */
  accountId?: string | undefined;
}

/** Options of the TD SYNNEX client. */
export interface TdSynnexClientOptions extends CommonClientOptions {
  credentials: TdSynnexCredentials;
  /** The reseller account id ("Reseller Id in CCP", shown in the Ion portal); an integer. */
  accountId?: string | undefined;
  /**
   * Where the rotating refresh token is kept (default: in this process only, shared by its clients). Use a
   * `FileTokenStore` for scripts, a shared store for fleets: a token kept only in memory dies with the process.
   */
  tokenStore?: TokenStore | undefined;
  /** Page size of customer, product and order listings (default 100; Ion requires one). */
  pageSize?: number | undefined;
  /** Default poll interval of pending orders, in ms (default 5000). */
  pollIntervalMs?: number | undefined;
}

/** Every key of {@link TdSynnexClientOptions} and its credentials: the constructor refuses any other (typos included). */
export const TD_SYNNEX_CLIENT_OPTION_KEYS: ClientOptionKeys = clientOptionKeys<
  TdSynnexClientOptions,
  TdSynnexCredentials
>(
  'td-synnex',
  { credentials: true, accountId: true, tokenStore: true, pageSize: true, pollIntervalMs: true },
  { refreshToken: true, accountId: true },
);

/** Extra input of a TD SYNNEX purchase: the provisioning-template attributes of a CREATE order. */
export interface TdSynnexPurchaseInput extends PurchaseInput {
  /** e.g. `[{ name: 'domainName', value: 'contoso' }]`, required by Microsoft CREATE orders. */
  attributes?: Attribute[] | undefined;
}

/** TD SYNNEX defaults (see docs/providers/td-synnex.md for why). */
export const TD_SYNNEX_DEFAULTS = {
  baseUrl: 'https://ion.tdsynnex.com',
  /** TD SYNNEX publishes no limit: one request per second on average, four in flight. */
  rateLimit: { requests: 60, perMs: 60_000, maxConcurrent: 4 } satisfies RateLimit,
  timeoutMs: 30_000,
  pageSize: 100,
  pollIntervalMs: 5_000,
} as const;

const INT_RE = /^\d{1,19}$/;
const PENDING = new Set(['pending']);
const purchaseContext = new AsyncLocalStorage<{ attributes: Attribute[] }>();

function requireInt(value: unknown, path: string): string {
  const v = typeof value === 'string' ? value.trim() : value;
  if (typeof v !== 'string' || !INT_RE.test(v)) {
    throw new ValidationError(
      `Invalid ${path}: TD SYNNEX ids are integers (got ${JSON.stringify(value)})`,
      [{ path, message: 'must be an integer id' }],
      {
        provider: 'td-synnex',
        hint: 'Customer ids are the last segment of the customer name; subscription ids are Ion\'s internal "id".',
      },
    );
  }
  return v;
}

/** TD SYNNEX StreamOne Ion v3 as a {@link MarketplaceClient}. */
export class TdSynnexClient extends BaseMarketplaceClient {
  readonly provider = 'td-synnex' as const;
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
    // Needs provisioning-template attributes TD SYNNEX does not publish.
    cancelSubscription: false,
    scheduledCancel: false,
    purchase: true,
    dryRunPurchase: 'local',
    dryRunSeats: 'local',
    asyncWrites: true,
    seatLockScope: this.seatLockScope,
    // Billing reads (issue 18): orders (docs/providers/td-synnex.md "Billing reads").
    listOrders: true,
  };
  readonly #http: HttpTransport;
  /** The API transport `request()` sends through (core/raw-request.ts). */
  protected override requestTransport(): HttpTransport {
    return this.#http;
  }
  /**
   * Calls any TdSynnex API endpoint with this client's auth, limiter, retries, limits and redaction; the path strings
   * of our spec (generated/td-synnex.ts) autocomplete. See the client's `request` method and docs/requests.md.
   */
  override request<T = unknown>(
    method: HttpMethod,
    path: (keyof TdSynnexPaths & string) | (string & {}),
    options?: RawRequestOptions,
  ): Promise<RawResponse<T>> {
    return super.request<T>(method, path, options);
  }
  readonly #tokens: IonTokenProvider;
  readonly #accountId: string;
  readonly #pageSize: number;
  readonly #pollIntervalMs: number;

  constructor(options: TdSynnexClientOptions) {
    super(options ?? {}, TD_SYNNEX_CLIENT_OPTION_KEYS);
    if (!options || typeof options !== 'object') {
      throw new ConfigurationError('td-synnex: options are required', {
        provider: 'td-synnex',
        operation: 'configure',
      });
    }
    const where = 'the refresh token generated in the StreamOne Ion portal (API access)';
    const refreshToken = new Secret(requireCredential('td-synnex', options.credentials, 'refreshToken', where));
    this.redactor.add(refreshToken);
    const accountId = options.accountId ?? options.credentials?.accountId;
    if (typeof accountId !== 'string' || !INT_RE.test(accountId.trim())) {
      throw new ConfigurationError('td-synnex: accountId is missing or not an integer', {
        provider: 'td-synnex',
        operation: 'configure',
        hint: 'Pass accountId: the reseller account id shown in the StreamOne Ion portal (e.g. "10001").',
      });
    }
    this.#accountId = accountId.trim();
    const baseUrl = requireUrl('td-synnex', 'baseUrl', options.baseUrl ?? TD_SYNNEX_DEFAULTS.baseUrl);
    const pageSize = options.pageSize ?? TD_SYNNEX_DEFAULTS.pageSize;
    if (!(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 1000)) {
      throw new ValidationError('Invalid pageSize', [{ path: 'pageSize', message: 'must be an integer 1..1000' }]);
    }
    this.#pageSize = pageSize;
    const poll = options.pollIntervalMs ?? TD_SYNNEX_DEFAULTS.pollIntervalMs;
    if (!(Number.isFinite(poll) && poll > 0)) {
      throw new ValidationError('Invalid pollIntervalMs', [
        { path: 'pollIntervalMs', message: 'must be a positive number' },
      ]);
    }
    this.#pollIntervalMs = poll;
    // With `redis`, the rotating refresh token and its lock live in Redis: every process of the fleet refreshes
    // through one chain (an in-memory store per process would spend the same single-use token several times).
    const store = options.tokenStore ?? tokenStoreFor(options) ?? defaultTokenStore;
    const key = hashKey('td-synnex', baseUrl, this.#accountId);
    const limiter = createLimiterFor('td-synnex', key, options, TD_SYNNEX_DEFAULTS.rateLimit, this.events);
    this.requestConcurrency = requestConcurrencyOf(options, TD_SYNNEX_DEFAULTS.rateLimit);
    const transportBase = {
      provider: 'td-synnex',
      baseUrl,
      events: this.events,
      redactor: this.redactor,
      limiter,
      retry: options.retry ?? {},
      timeoutMs: options.timeoutMs ?? TD_SYNNEX_DEFAULTS.timeoutMs,
      fetch: options.fetch,
      signal: options.signal,
      limits: options.limits,
      mapError: (r: Parameters<typeof mapTdSynnexError>[0]) => mapTdSynnexError(r, (s) => this.redactor.redact(s)),
    };
    const tokens = new IonTokenProvider({
      transport: new HttpTransport(transportBase),
      key,
      initialRefreshToken: refreshToken,
      store,
      cache: options.tokenCache,
      events: this.events,
      redactor: this.redactor,
    });
    this.#tokens = tokens;
    this.#http = new HttpTransport({
      ...transportBase,
      auth: {
        headers: async (signal) => ({ authorization: `Bearer ${(await tokens.getToken(signal)).value}` }),
        refused: (headers) => {
          tokens.invalidate(headers.authorization?.slice('Bearer '.length) ?? '');
          return true;
        },
      },
    });
  }

  #ctx(operation: string, requestId?: string): WireContext {
    return { provider: 'td-synnex', operation, requestId };
  }

  #path(rest: string): string {
    return `/api/v3/accounts/${this.#accountId}${rest}`;
  }

  /**
   * Sends an API call. Ion answers an invalid or expired access token with 403 PERMISSION_DENIED (not 401), so
   * a 403 is taken as a cue to refresh the token once and send again; a second 403 is a real permission error.
   * A refused request changed nothing, so this is safe for writes too.
   */
  async #send<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    try {
      return await this.#http.send<T>(request);
    } catch (error) {
      if (!(error instanceof PermissionError) || error.status !== 403) throw error;
      const used = await this.#tokens.getToken(request.signal);
      this.#tokens.invalidate(used.value);
      // An order (retry policy `never`) is not sent again: the token is evicted for the next call only.
      if (request.retry === 'never') throw error;
      this.events.emit('retry', {
        provider: 'td-synnex',
        operation: request.operation,
        requestId: error.requestId ?? '',
        attempt: 1,
        delayMs: 0,
        reason: 'permission denied (403): refreshed the access token once',
        status: 403,
      });
      return this.#http.send<T>(request);
    }
  }

  // ---- reads -------------------------------------------------------------------------------------------

  async verifyConnection(options: GetOptions = {}): Promise<ConnectionReport> {
    checkCallOptions(GET_OPTION_KEYS, options, this.provider, 'verifyConnection');
    // Ion lists customers without a total: walk the pages (up to VERIFY_COUNT_CAP, then "at least").
    const customers = await countItems(this.listCustomers({ signal: options.signal }));
    const subs = await this.#send<{ totalCount?: unknown; paginationResponse?: { totalSize?: unknown } }>({
      operation: 'verifyConnection',
      method: 'GET',
      path: this.#path('/subscriptions'),
      query: { 'pagination.limit': 1, 'pagination.offset': 0 },
      signal: options.signal,
    });
    const total = Number(subs.data?.totalCount ?? subs.data?.paginationResponse?.totalSize);
    return {
      provider: 'td-synnex',
      ok: true,
      customers: customers.count,
      customersExact: customers.exact,
      subscriptions: Number.isFinite(total) ? total : null,
      subscriptionsExact: Number.isFinite(total),
      baseUrl: this.#http.baseUrl,
      details: { accountId: this.#accountId },
    };
  }

  /**
   * Orders (issue 18): `GET {A}/customers/{customerId}/orders` (Ion's spec), or account-wide `GET {A}/orders`
   * without `customerId`; `pageSize` + `pageToken`, newest first (Ion's default `createTime` `DESC`).
   */
  protected override readOrders(options: ListOrdersOptions): PagedList<Order> {
    const customer = options.customerId === undefined ? undefined : requireInt(options.customerId, 'customerId');
    let n = 0;
    return this.#tokenPaged(
      'listOrders',
      customer === undefined ? '/orders' : `/customers/${customer}/orders`,
      {},
      'orders',
      (raw) => {
        n += 1;
        const m = mapIonOrder(raw, `#${n}`);
        reportOddRecord(this.events, 'td-synnex', 'listOrders', 'order', m.value.id, m.problems, m.value);
        return [m.value];
      },
      options.signal,
    );
  }

  /** A token-paged listing (`pageSize` + `pageToken` -> `nextPageToken`). */
  #tokenPaged<T>(
    operation: string,
    path: string,
    query: Record<string, string | number | undefined>,
    listKey: string,
    map: (raw: unknown, ctx: WireContext) => T[],
    signal?: AbortSignal,
  ): PagedList<T> {
    return new PagedList<T>(async (cursor, sig): Promise<Page<T>> => {
      const res = await this.#send<Record<string, unknown>>({
        operation,
        method: 'GET',
        path: this.#path(path),
        query: { ...query, pageSize: this.#pageSize, pageToken: cursor },
        signal: sig,
      });
      const ctx = this.#ctx(operation, res.vendorRequestId ?? res.requestId);
      const list = res.data?.[listKey];
      if (list !== undefined && !Array.isArray(list)) {
        throw new ResponseValidationError(`${operation}: TD SYNNEX sent ${listKey} that is not a list`, {
          provider: 'td-synnex',
          operation,
          field: listKey,
          value: typeof list,
        });
      }
      const next = res.data?.nextPageToken;
      const items = (list ?? []).flatMap((raw) => map(raw, ctx));
      return { items, nextCursor: typeof next === 'string' && next !== '' ? next : undefined };
    }, signal).withLimits(this.#http.limits);
  }

  listCustomers(options: ListOptions = {}): PagedList<Customer> {
    checkCallOptions(LIST_CUSTOMERS_OPTION_KEYS, options, this.provider, 'listCustomers');
    return this.#tokenPaged(
      'listCustomers',
      '/customers',
      {},
      'customers',
      (raw, ctx) => {
        const customer = mapCustomer(raw, ctx);
        reportFlagged(this.events, ctx, [customer]);
        return [customer];
      },
      options.signal,
    );
  }

  protected async fetchCustomer(customerId: string, options: GetOptions): Promise<Customer> {
    const id = requireInt(customerId, 'customerId');
    const res = await this.#send({
      operation: 'getCustomer',
      method: 'GET',
      path: this.#path(`/customers/${id}`),
      signal: options.signal,
    });
    const ctx = this.#ctx('getCustomer', res.vendorRequestId ?? res.requestId);
    const customer = mapCustomer(res.data, ctx);
    reportFlagged(this.events, ctx, [customer]);
    return customer;
  }

  #catalog(search: string | undefined, operation: string, signal?: AbortSignal): PagedList<IonCatalogSku> {
    return this.#tokenPaged(
      operation,
      '/products',
      { 'filter.name': search },
      'products',
      (raw, ctx) => {
        const skus = mapCatalogProduct(raw, ctx);
        reportFlagged(
          this.events,
          ctx,
          skus.map((sku) => sku.product),
          'product',
        );
        return skus;
      },
      signal,
    );
  }

  /** One product per catalog SKU, id `<productId>/<skuId>`; its plans (terms) are in `raw.sku.plans`. */
  listProducts(options: ListOptions & { search?: string | undefined } = {}): PagedList<Product> {
    checkCallOptions(LIST_PRODUCTS_OPTION_KEYS, options, this.provider, 'listProducts');
    const catalog = this.#catalog(options.search?.trim() || undefined, 'listProducts', options.signal);
    // One Ion catalog page per page (its pageToken is our cursor), so `toArray({ limit })` stops early.
    return new PagedList<Product>(async (cursor) => {
      const pages = catalog.byPage(cursor === undefined ? {} : { cursor });
      const first = await pages.next();
      await pages.return(undefined);
      if (first.done) return { items: [], nextCursor: undefined };
      return { items: first.value.items.map((sku) => sku.product), nextCursor: first.value.nextCursor };
    }, options.signal).withLimits(this.#http.limits);
  }

  /**
   * Offset-paged subscriptions (`pagination.limit`/`pagination.offset`), all customers or one. Status and
   * billing term filter locally (Ion's status case is unreliable). The offset of page k+1 does not depend on page
   * k's answer and the first answer says the total, so the pages after it are read ahead, up to the client's
   * `requestConcurrency` at once (core/page-read-ahead.ts), and delivered in order with the cursors (offsets) a
   * page-by-page read would give. Without a total, or after a short page, pages are read one by one.
   */
  listSubscriptions(options: ListSubscriptionsOptions = {}): PagedList<Subscription> {
    checkCallOptions(LIST_SUBSCRIPTIONS_OPTION_KEYS, options, this.provider, 'listSubscriptions');
    const customerId = options.customerId === undefined ? undefined : requireInt(options.customerId, 'customerId');
    const product = options.productId ? parseProductKey(options.productId) : undefined;
    const keep = (s: Subscription) =>
      (!options.productId || s.productId === options.productId || s.productId?.startsWith(`${options.productId}/`)) &&
      (!options.status || s.status === options.status) &&
      (!options.billingTerm || s.billingTerm === options.billingTerm);
    const limit = this.#pageSize;
    const offsetOf = (cursor: string | undefined): number => {
      const offset = cursor === undefined ? 0 : Number(cursor);
      if (!Number.isInteger(offset) || offset < 0) {
        throw new ValidationError(`listSubscriptions: invalid cursor ${JSON.stringify(cursor)}`, [
          { path: 'cursor', message: 'must be an offset' },
        ]);
      }
      return offset;
    };
    /** One answer, mapped: its subscriptions (before the local filters), what it says of the total, its context. */
    type Answer = { mapped: Subscription[]; seen: number; count: number; total: number | undefined; ctx: WireContext };
    const listing: NumberedListing<Answer, Subscription> = {
      window: this.requestConcurrency,
      fetch: async (cursor, signal) => {
        const offset = offsetOf(cursor);
        const res = await this.#send<{ items?: unknown; totalCount?: unknown; paginationResponse?: unknown }>({
          operation: 'listSubscriptions',
          method: 'GET',
          path: this.#path('/subscriptions'),
          query: {
            customerId,
            ccpProductId: product?.productId ?? (options.productId && !product ? options.productId : undefined),
            'pagination.limit': limit,
            'pagination.offset': offset,
          },
          signal,
        });
        const ctx = this.#ctx('listSubscriptions', res.vendorRequestId ?? res.requestId);
        const raw = res.data?.items ?? [];
        if (!Array.isArray(raw)) {
          throw new ResponseValidationError('listSubscriptions: TD SYNNEX sent items that is not a list', {
            provider: 'td-synnex',
            operation: 'listSubscriptions',
            field: 'items',
            value: typeof raw,
          });
        }
        const totalRaw =
          res.data?.totalCount ?? (res.data?.paginationResponse as { totalSize?: unknown } | undefined)?.totalSize;
        const total = totalRaw === undefined || totalRaw === '' ? undefined : Number(totalRaw);
        const now = Date.now();
        const mapped = raw.map((r) => mapSubscription(r, ctx, now));
        return { mapped, seen: offset + raw.length, count: raw.length, total, ctx };
      },
      // Pages the total announces after this one (none when it is unknown: then pages are read one by one).
      pagesAfter: ({ seen, count, total }) =>
        count > 0 && total !== undefined && Number.isFinite(total) ? Math.ceil(Math.max(0, total - seen) / limit) : 0,
      cursorAfter: (cursor, steps) => String(offsetOf(cursor) + steps * limit),
      toPage: ({ mapped, seen, count, total }) => {
        const more = count > 0 && (total !== undefined && Number.isFinite(total) ? seen < total : count >= limit);
        return { items: mapped.filter(keep), nextCursor: more ? String(seen) : undefined, total };
      },
      // Reported as each page is delivered, never for a page read ahead and discarded.
      delivered: (_page, { mapped, ctx }) => reportFlagged(this.events, ctx, mapped),
    };
    return new PagedList<Subscription>(readAhead(listing), options.signal).withLimits(this.#http.limits);
  }

  protected async fetchSubscription(ref: SubscriptionRef, options: GetOptions): Promise<Subscription> {
    const customerId = requireInt(ref.customerId, 'ref.customerId');
    const id = requireInt(ref.subscriptionId, 'ref.subscriptionId');
    const res = await this.#send({
      operation: 'getSubscription',
      method: 'GET',
      path: this.#path(`/customers/${customerId}/subscriptions/${id}`),
      signal: options.signal,
    });
    const ctx = this.#ctx('getSubscription', res.vendorRequestId ?? res.requestId);
    const sub = mapSubscription(res.data, ctx);
    reportFlagged(this.events, ctx, [sub]);
    return sub;
  }

  // ---- orders --------------------------------------------------------------------------------------------

  /** Reads an order's state. `customerId` may be `-` to search every customer of the account. */
  async getOrder(customerId: string, orderId: string, options: GetOptions = {}): Promise<OperationState> {
    const c = customerId === '-' ? '-' : requireInt(customerId, 'customerId');
    const o = requireInt(orderId, 'orderId');
    const res = await this.#send({
      operation: 'getOrder',
      method: 'GET',
      path: this.#path(`/customers/${c}/orders/${o}`),
      signal: options.signal,
    });
    return mapOrderState(res.data, this.#ctx('getOrder', res.vendorRequestId ?? res.requestId));
  }

  /** A pending operation for an order already placed (e.g. found in the portal). */
  async order(customerId: string, orderId: string, options: GetOptions = {}): Promise<PendingOperation> {
    const initial = await this.getOrder(customerId, orderId, options);
    return this.#pending('order', customerId, initial);
  }

  /**
   * Cancels an order that Ion has not started (status `NEW` or `ON_HOLD`); later ones are refused with a
   * `BusinessRuleError`. Returns the order's state after the cancel.
   */
  async cancelOrder(
    customerId: string,
    orderId: string,
    options: { actor?: string; signal?: AbortSignal } = {},
  ): Promise<OperationState> {
    const c = requireInt(customerId, 'customerId');
    const o = requireInt(orderId, 'orderId');
    if (this.readOnly) {
      throw new ReadOnlyError('cancelOrder refused: this client is read-only', {
        provider: 'td-synnex',
        operation: 'cancelOrder',
        hint: 'Create the client without readOnly: true to make changes.',
      });
    }
    const audit = {
      provider: 'td-synnex',
      operation: 'cancelOrder',
      actor: options.actor ?? this.actor,
      customerId: c,
      dryRun: false,
      requested: { orderId: o },
      at: new Date().toISOString(),
    };
    try {
      const res = await this.#send({
        operation: 'cancelOrder',
        method: 'POST',
        // The spec's :cancel operation takes no request body (tdsynnex.yaml): none is sent.
        path: this.#path(`/customers/${c}/orders/${o}:cancel`),
        signal: options.signal,
      });
      const state = mapOrderState(res.data, this.#ctx('cancelOrder', res.vendorRequestId ?? res.requestId));
      this.events.emit('audit', {
        ...audit,
        outcome: 'applied',
        after: state.rawStatus,
        requestId: res.vendorRequestId ?? res.requestId,
      });
      return state;
    } catch (error) {
      this.events.emit('audit', {
        ...audit,
        outcome: 'failed',
        error: { kind: (error as { kind?: string }).kind ?? 'unexpected', message: (error as Error).message },
      });
      throw error;
    }
  }

  #pending(kind: string, customerId: string, initial: OperationState): PendingOperation {
    return createPendingOperation({
      provider: 'td-synnex',
      id: initial.id,
      kind,
      initial,
      poll: (signal) => this.getOrder(customerId, initial.id, { signal }),
      defaultPollIntervalMs: this.#pollIntervalMs,
    });
  }

  /** An UPDATE order on this subscription that Ion has not finished (asked of Ion, not remembered). */
  /** {@link findPendingChange} asks the vendor, so it sees every writer's changes (see the base client). */
  protected override readonly pendingChangesListed = true;
  protected override async findPendingChange(
    ref: SubscriptionRef,
    signal?: AbortSignal,
  ): Promise<PendingOperation | undefined> {
    const sub = await this.fetchSubscription(ref, { signal });
    const ids = orderIdsOf(sub);
    if (!ids) return undefined;
    const res = await this.#send<{ orders?: unknown[] }>({
      operation: 'findPendingChange',
      method: 'GET',
      path: this.#path(`/customers/${ref.customerId}/orders`),
      // Newest first is Ion's default order.
      query: { pageSize: 50 },
      signal,
    });
    const ctx = this.#ctx('findPendingChange', res.vendorRequestId ?? res.requestId);
    for (const raw of res.data?.orders ?? []) {
      const order = parseOrder(raw, ctx);
      if (!PENDING.has(order.status)) continue;
      if (order.items.some((i) => i.action === 'UPDATE' && i.resourceId === ids.resourceId)) {
        return this.#pending('seat-change', ref.customerId, mapOrderState(raw, ctx));
      }
    }
    return undefined;
  }

  // ---- writes --------------------------------------------------------------------------------------------

  /** At least one seat: 0 is refused before any write (the base client checks; see zeroSeats()). */
  protected override zeroSeatsRefusal(): ValidationError {
    return zeroSeats();
  }

  protected override async dryRunSeats(
    _ref: SubscriptionRef,
    target: number,
    before: Subscription,
  ): Promise<DryRunCheck> {
    return seatsByConstraints(before, target, {
      provider: 'td-synnex',
      notesSeparator: ' ',
      decrease: {
        code: 'SEAT_DECREASE_NOT_ALLOWED',
        hint: 'Microsoft NCE seats can be reduced only within the cancellation window after a term starts.',
      },
      increase: { hint: 'Seats can be added only to an active subscription.' },
    });
  }

  protected async writeSeats(
    ref: SubscriptionRef,
    target: number,
    before: Subscription,
    options: SeatChangeOptions,
  ): Promise<SeatWriteResult> {
    const ids = orderIdsOf(before);
    if (!ids) {
      throw new ResponseValidationError(
        'setSeats: the subscription lacks the provider subscription id or catalog ids an UPDATE order needs',
        { provider: 'td-synnex', operation: 'setSeats', field: 'subscriptionId/ccpProductId/ccpSkuId/ccpPlanId' },
      );
    }
    const body: OrderRequest = {
      orderItems: [
        {
          action: 'UPDATE',
          resourceId: ids.resourceId,
          productId: ids.productId,
          skuId: ids.skuId,
          planId: ids.planId,
          quantity: target,
          attributes: [{ name: 'operations', value: 'updatesubscription' }],
        },
      ],
    };
    const res = await this.#send({
      operation: 'setSeats',
      method: 'POST',
      path: this.#path(`/customers/${requireInt(ref.customerId, 'ref.customerId')}/orders`),
      json: body,
      signal: options.signal,
    });
    const requestId = res.vendorRequestId ?? res.requestId;
    const state = mapOrderState(res.data, this.#ctx('setSeats', requestId));
    // A completed UPDATE order is checked against a read by the base client (applied means observed).
    return { kind: 'pending', operation: this.#pending('seat-change', ref.customerId, state), requestId: state.id };
  }

  /**
   * Not supported: Ion cancels through an UPDATE order whose attributes come from the vendor's provisioning
   * template, and TD SYNNEX does not publish the Microsoft ones. Bad input is still reported first.
   */
  override async cancelSubscription(ref: SubscriptionRef, options: CancelOptions = {}): Promise<CancelResult> {
    requireInt(ref?.customerId, 'ref.customerId');
    requireInt(ref?.subscriptionId, 'ref.subscriptionId');
    void options;
    throw cancelUnsupported();
  }

  protected async writeCancel(): Promise<CancelWriteResult> {
    throw cancelUnsupported();
  }

  /**
   * Buys a catalog SKU with a CREATE order. `productId` is `<productId>/<skuId>` (the plan is picked from the
   * billing and commitment terms) or `<productId>/<skuId>/<planId>`. Microsoft orders need provisioning
   * attributes (at least `domainName`): pass them as `attributes`.
   */
  override async purchase(input: TdSynnexPurchaseInput): Promise<PurchaseResult> {
    const { attributes, ...rest } = (input ?? {}) as TdSynnexPurchaseInput;
    const list = attributes ?? [];
    if (!Array.isArray(list) || list.some((a) => !a || typeof a.name !== 'string' || typeof a.value !== 'string')) {
      throw new ValidationError('Invalid attributes: must be a list of { name, value } strings', [
        { path: 'attributes', message: 'must be a list of { name: string, value: string }' },
      ]);
    }
    return purchaseContext.run({ attributes: list.map((a) => ({ name: a.name, value: a.value })) }, () =>
      super.purchase(rest),
    );
  }

  async #findSku(productId: string, skuId: string, signal?: AbortSignal): Promise<IonCatalogSku | undefined> {
    const catalog = this.#tokenPaged(
      'purchase',
      '/products',
      { 'filter.skuId': skuId },
      'products',
      (raw, ctx) => mapCatalogProduct(raw, ctx),
      signal,
    );
    for await (const sku of catalog) if (sku.productId === productId && sku.skuId === skuId) return sku;
    return undefined;
  }

  protected async writePurchase(input: ValidPurchase): Promise<PurchaseResult> {
    const customerId = requireInt(input.customerId, 'customerId');
    const key = parseProductKey(input.productId);
    if (!key) {
      throw new ValidationError(
        `purchase: product id ${JSON.stringify(input.productId)} is not <productId>/<skuId>[/<planId>]`,
        [{ path: 'productId', message: 'must be <productId>/<skuId> or <productId>/<skuId>/<planId>' }],
        { provider: 'td-synnex', operation: 'purchase', hint: 'Take product ids from listProducts().' },
      );
    }
    const sku = await this.#findSku(key.productId, key.skuId, input.signal);
    if (!sku) {
      throw new NotFoundError(`purchase: ${key.productId}/${key.skuId} is not in the TD SYNNEX catalog`, {
        provider: 'td-synnex',
        operation: 'purchase',
        hint: 'Take product ids from listProducts().',
      });
    }
    const plan = pickPlan(sku, key.planId, input);
    const attributes = purchaseContext.getStore()?.attributes ?? [];
    const lines = [{ productId: productKey3(sku, plan), quantity: input.quantity, subscriptionId: null }];
    if (input.dryRun) {
      return {
        provider: 'td-synnex',
        customerId,
        orderId: null,
        outcome: 'dry-run',
        lines,
        requestId: null,
        // Ion has no order validation: the SDK checked the catalog has this SKU and a plan for the terms asked.
        checkedBy: 'sdk',
        rules: [`the TD SYNNEX catalog offers ${sku.productId}/${sku.skuId} with plan ${plan.id} for these terms`],
        raw: { plan: plan.raw, attributes: attributes.map((a) => a.name) },
      };
    }
    const body: OrderRequest = {
      orderItems: [
        {
          action: 'CREATE',
          productId: sku.productId,
          skuId: sku.skuId,
          planId: plan.id,
          quantity: input.quantity,
          ...(sku.providerName ? { providerName: sku.providerName } : {}),
          attributes,
        },
      ],
    };
    let res: HttpResponse<unknown>;
    try {
      res = await this.#send({
        operation: 'purchase',
        method: 'POST',
        path: this.#path(`/customers/${customerId}/orders`),
        json: body,
        // Ion orders carry no idempotency key: a CREATE order is sent once (not after 429, 401 or 403).
        retry: 'never',
        signal: input.signal,
      });
    } catch (error) {
      throw orderSendFailure(
        error,
        { provider: 'td-synnex', ...input, customerId },
        (e) => e instanceof PermissionError && e.status === 403,
      );
    }
    const requestId = res.vendorRequestId ?? res.requestId;
    const state = mapOrderState(res.data, this.#ctx('purchase', requestId));
    return {
      provider: 'td-synnex',
      customerId,
      orderId: state.id,
      outcome: 'pending',
      lines,
      requestId,
      operation: this.#pending('purchase', customerId, state),
      raw: res.data,
    };
  }
}

function productKey3(sku: IonCatalogSku, plan: IonPlanInfo): string {
  return `${sku.productId}/${sku.skuId}/${plan.id}`;
}

const DEFAULT_TERM: Record<string, string> = { monthly: 'P1M', annual: 'P1Y', triennial: 'P3Y' };

/** Picks the plan: the one named, else the one whose billing and commitment terms match. */
export function pickPlan(
  sku: IonCatalogSku,
  planId: string | undefined,
  input: Pick<ValidPurchase, 'billingTerm' | 'commitmentTerm'>,
): IonPlanInfo {
  const describe = sku.plans.map((p) => `${p.id} (${p.billingTerm}, ${p.commitmentTerm ?? 'term unknown'})`).join(', ');
  const refuse = (why: string) =>
    new ValidationError(
      `purchase: ${why}. Plans of ${sku.productId}/${sku.skuId}: ${describe || 'none'}`,
      [{ path: 'productId', message: why }],
      {
        provider: 'td-synnex',
        operation: 'purchase',
        hint: 'Pass billingTerm/commitmentTerm of an existing plan, or name the plan: <productId>/<skuId>/<planId>.',
      },
    );
  if (planId) {
    const plan = sku.plans.find((p) => p.id === planId);
    if (!plan) throw refuse(`plan ${planId} does not exist`);
    if (plan.billingTerm !== 'unknown' && plan.billingTerm !== input.billingTerm) {
      throw refuse(`plan ${planId} is billed ${plan.billingTerm}, not ${input.billingTerm}`);
    }
    if (input.commitmentTerm && plan.commitmentTerm && plan.commitmentTerm !== input.commitmentTerm) {
      throw refuse(`plan ${planId} has term ${plan.commitmentTerm}, not ${input.commitmentTerm}`);
    }
    return plan;
  }
  let candidates = sku.plans.filter((p) => p.billingTerm === 'unknown' || p.billingTerm === input.billingTerm);
  const term = input.commitmentTerm ?? DEFAULT_TERM[input.billingTerm];
  if (candidates.length > 1 || input.commitmentTerm) {
    const byTerm = candidates.filter((p) => p.commitmentTerm === term);
    if (byTerm.length || input.commitmentTerm) candidates = byTerm;
  }
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    throw refuse(
      `no plan is billed ${input.billingTerm}${input.commitmentTerm ? ` with term ${input.commitmentTerm}` : ''}`,
    );
  }
  throw refuse('several plans match; name one');
}

function zeroSeats(): ValidationError {
  return new ValidationError(
    'TD SYNNEX orders need at least 1 seat; cancelling is not supported through the API',
    [{ path: 'quantity', message: 'must be at least 1 for TD SYNNEX' }],
    { provider: 'td-synnex', operation: 'setSeats', hint: 'Cancel the subscription in the StreamOne Ion portal.' },
  );
}

function cancelUnsupported(): UnsupportedOperationError {
  return new UnsupportedOperationError('td-synnex does not support cancelSubscription', {
    provider: 'td-synnex',
    operation: 'cancelSubscription',
    hint:
      'Ion cancels through an UPDATE order whose attributes come from the provisioning template ' +
      '(GET /provisionTemplates?vendor=MICROSOFT&action=UPDATE), and TD SYNNEX does not publish the cancel ' +
      'attributes. Cancel in the StreamOne Ion portal; cancelOrder() can still stop an order that has not started.',
  });
}

/** Creates a TD SYNNEX client. Throws `ConfigurationError`/`ValidationError` for bad options, before any request. */
export function createTdSynnexClient(options: TdSynnexClientOptions): TdSynnexClient {
  return new TdSynnexClient(options);
}
