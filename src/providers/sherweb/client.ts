import { seatsByConstraints } from '../../core/dry-run.js';
import type { RawRequestOptions, RawResponse } from '../../core/raw-request.js';
import { bearerHeader } from '../../core/auth/token-provider.js';
import type { DryRunCheck } from '../../model/operations.js';
import type { components, paths as SherwebPaths } from '../../../generated/sherweb.js';
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
  LIST_SUBSCRIPTIONS_OPTION_KEYS,
  type ListProductsOptions,
  checkCallOptions,
} from '../../core/options/call-options.js';
import { CALL_OPTION_KEY_RECORD } from '../../core/call-context.js';
import { knownKeys } from '../../core/options/strict-keys.js';
import { requireCredential, requireUrl } from '../../core/config.js';
import { ConfigurationError, NotFoundError, ResponseValidationError, ValidationError } from '../../core/errors.js';
import { type HttpResponse, type HttpMethod, HttpTransport } from '../../core/http.js';
import { orderSendFailure } from '../../core/order-safety.js';
import type { RateLimit } from '../../core/limiter.js';
import { createLimiterFor, tokenCacheFor, requestConcurrencyOf } from '../../core/scale.js';
import type {
  CancelOptions,
  Capabilities,
  GetOptions,
  ListInvoiceLinesOptions,
  ListOptions,
  ListSubscriptionsOptions,
  PurchaseInput,
  SeatChangeOptions,
} from '../../core/marketplace-client.js';
import { type Page, PagedList } from '../../core/pagination.js';
import type { InvoiceLine } from '../../model/billing.js';
import { sherwebDraftLines } from './billing.js';
import { createPendingOperation } from '../../core/pending-operation.js';
import { Secret } from '../../core/redact.js';
import { hashKey } from '../../core/sha.js';
import { reportFlagged } from '../../core/item-problems.js';
import type { WireContext } from '../../core/wire.js';
import type { Customer } from '../../model/customer.js';
import type { ConnectionReport, OperationState, PendingOperation, PurchaseResult } from '../../model/operations.js';
import type { Product } from '../../model/product.js';
import type { Subscription, SubscriptionRef } from '../../model/subscription.js';
import { createSherwebTokenProvider } from './auth.js';
import { mapSherwebError, sherwebProblemOf } from './errors.js';
import {
  catalogItemTerms,
  mapAmendmentStatus,
  mapCatalog,
  mapCatalogItem,
  mapCustomer,
  mapItems,
  mapReceipt,
  mapSubscription,
  mapTrackedRequest,
} from './map.js';
import { withoutPurchaseParameters } from './purchase-parameters.js';

type AmendmentRequest = components['schemas']['SubscriptionsAmendmentRequest'];
type CancellationRequest = components['schemas']['SubscriptionsCancellationRequest'];
type PlaceOrderRequest = components['schemas']['PlaceOrderRequest'];

/** Sherweb API credentials: partner portal (cumulus.sherweb.com) > Security > APIs. */
export interface SherwebCredentials {
  clientId: string;
  clientSecret: string;
  /** The API Management subscription key, sent as `Ocp-Apim-Subscription-Key` on every API call. */
  subscriptionKey: string;
}

/** Options of the Sherweb client. */
export interface SherwebClientOptions extends CommonClientOptions {
  credentials: SherwebCredentials;
  /** Token endpoint (default `https://api.sherweb.com/auth/oidc/connect/token`). */
  tokenUrl?: string | undefined;
  /** OAuth scope (default `service-provider`). */
  scope?: string | undefined;
  /** `Accept-Language` sent on every call (e.g. `fr-CA, fr;q=0.8`); also picks localized catalog names. */
  acceptLanguage?: string | undefined;
  /** Customer whose catalog `listProducts()` reads when no `customerId` is given (Sherweb has no global catalog). */
  catalogCustomerId?: string | undefined;
  /** Default poll interval of pending operations, in ms (default 5000). */
  pollIntervalMs?: number | undefined;
}

/** Options of the Sherweb `listProducts`: the catalog is per customer. */
export type SherwebListProductsOptions = ListProductsOptions & { customerId?: string | undefined };

const SHERWEB_LIST_PRODUCTS_OPTION_KEYS = knownKeys<SherwebListProductsOptions>('listProducts options', {
  ...CALL_OPTION_KEY_RECORD,
  signal: true,
  search: true,
  customerId: true,
});

/** Every key of {@link SherwebClientOptions} and its credentials: the constructor refuses any other (typos included). */
export const SHERWEB_CLIENT_OPTION_KEYS: ClientOptionKeys = clientOptionKeys<SherwebClientOptions, SherwebCredentials>(
  'sherweb',
  {
    credentials: true,
    tokenUrl: true,
    scope: true,
    acceptLanguage: true,
    catalogCustomerId: true,
    pollIntervalMs: true,
  },
  { clientId: true, clientSecret: true, subscriptionKey: true },
);

/** Sherweb defaults (see docs/providers/sherweb.md for why). */
export const SHERWEB_DEFAULTS = {
  baseUrl: 'https://api.sherweb.com/service-provider/v1',
  tokenUrl: 'https://api.sherweb.com/auth/oidc/connect/token',
  scope: 'service-provider',
  /**
   * Sherweb publishes no rate limit. One request per second on average, four in flight: slow enough to stay
   * under any API Management quota we know of, fast enough to list a few hundred customers in minutes.
   */
  rateLimit: { requests: 60, perMs: 60_000, maxConcurrent: 4 } satisfies RateLimit,
  timeoutMs: 30_000,
  pollIntervalMs: 5_000,
} as const;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SETTLED = new Set(['succeeded', 'failed', 'partially-succeeded', 'cancelled']);
const INFLIGHT_TTL_MS = 24 * 3600_000;
/** How long after an ambiguous failure a "request in progress" refusal is taken to be that request. */
const SUSPECT_TTL_MS = 2 * 60_000;

function requireUuid(value: unknown, path: string): string {
  if (typeof value !== 'string' || !UUID_RE.test(value.trim())) {
    throw new ValidationError(
      `Invalid ${path}: Sherweb ids are UUIDs (got ${JSON.stringify(value)})`,
      [{ path, message: 'must be a UUID' }],
      {
        provider: 'sherweb',
        hint: 'Sherweb customer and subscription ids look like 0c6a1f3e-5b2d-4e8a-9f10-c0a7c0de0001.',
      },
    );
  }
  return value.trim().toLowerCase();
}

interface InflightEntry {
  operation: PendingOperation;
  poll: (signal?: AbortSignal) => Promise<OperationState>;
  at: number;
}

/** The Sherweb Service Provider API as a {@link MarketplaceClient}. */
export class SherwebClient extends BaseMarketplaceClient {
  readonly provider = 'sherweb' as const;
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
    // Billing reads (issue 18): the current period's receivable charges (billing.ts, docs/providers/sherweb.md).
    draftInvoiceLines: true,
  };
  readonly #http: HttpTransport;
  /** The API transport `request()` sends through (core/raw-request.ts). */
  protected override requestTransport(): HttpTransport {
    return this.#http;
  }
  /**
   * Calls any Sherweb API endpoint with this client's auth, limiter, retries, limits and redaction; the path strings
   * of our spec (generated/sherweb.ts) autocomplete. See the client's `request` method and docs/requests.md.
   */
  override request<T = unknown>(
    method: HttpMethod,
    path: (keyof SherwebPaths & string) | (string & {}),
    options?: RawRequestOptions,
  ): Promise<RawResponse<T>> {
    return super.request<T>(method, path, options);
  }
  readonly #language: string | undefined;
  readonly #catalogCustomerId: string | undefined;
  readonly #pollIntervalMs: number;
  /** Set by the error mapper when API Management refused the subscription key: a new token cannot help. */
  #keyRefused = false;
  /** Operations this client started, per subscription, until seen settled. */
  readonly #inflight = new Map<string, InflightEntry[]>();
  /** Subscriptions whose last write failed ambiguously, and when (write safety re-sends once, right away). */
  readonly #suspects = new Map<string, number>();

  constructor(options: SherwebClientOptions) {
    super(options ?? {}, SHERWEB_CLIENT_OPTION_KEYS);
    if (!options || typeof options !== 'object') {
      throw new ConfigurationError('sherweb: options are required', { provider: 'sherweb', operation: 'configure' });
    }
    const where = 'from the Sherweb partner portal (cumulus.sherweb.com), Security > APIs, with your API application';
    const clientId = requireCredential('sherweb', options.credentials, 'clientId', where);
    const clientSecret = new Secret(requireCredential('sherweb', options.credentials, 'clientSecret', where));
    const subscriptionKey = new Secret(
      requireCredential(
        'sherweb',
        options.credentials,
        'subscriptionKey',
        `the Subscription Key (sent as Ocp-Apim-Subscription-Key on every call) ${where}`,
      ),
    );
    this.redactor.add(clientSecret);
    this.redactor.add(subscriptionKey);
    this.redactor.add(clientId);
    const baseUrl = requireUrl('sherweb', 'baseUrl', options.baseUrl ?? SHERWEB_DEFAULTS.baseUrl);
    const tokenUrl = requireUrl('sherweb', 'tokenUrl', options.tokenUrl ?? SHERWEB_DEFAULTS.tokenUrl);
    const scope = options.scope ?? SHERWEB_DEFAULTS.scope;
    if (typeof scope !== 'string' || scope.trim() === '') {
      throw new ConfigurationError('sherweb: scope must be a non-empty string', {
        provider: 'sherweb',
        operation: 'configure',
        hint: "Leave scope unset to use 'service-provider'.",
      });
    }
    if (
      options.acceptLanguage !== undefined &&
      (typeof options.acceptLanguage !== 'string' ||
        options.acceptLanguage.trim() === '' ||
        /[\r\n]/.test(options.acceptLanguage))
    ) {
      throw new ConfigurationError('sherweb: acceptLanguage must be a language list such as "en-CA, fr-CA;q=0.8"', {
        provider: 'sherweb',
        operation: 'configure',
        hint: 'Pass an RFC 7231 Accept-Language value, or leave it unset.',
      });
    }
    this.#language = options.acceptLanguage?.trim();
    if (options.catalogCustomerId !== undefined) {
      this.#catalogCustomerId = requireUuid(options.catalogCustomerId, 'catalogCustomerId');
    }
    const poll = options.pollIntervalMs ?? SHERWEB_DEFAULTS.pollIntervalMs;
    if (!(Number.isFinite(poll) && poll > 0)) {
      throw new ValidationError('Invalid pollIntervalMs', [
        { path: 'pollIntervalMs', message: 'must be a positive number' },
      ]);
    }
    this.#pollIntervalMs = poll;
    // API Management counts per subscription key: clients sharing the key share the limit.
    const credentialKey = hashKey('sherweb', subscriptionKey.reveal());
    const limiter = createLimiterFor('sherweb', credentialKey, options, SHERWEB_DEFAULTS.rateLimit, this.events);
    this.requestConcurrency = requestConcurrencyOf(options, SHERWEB_DEFAULTS.rateLimit);
    const transportBase = {
      provider: 'sherweb',
      events: this.events,
      redactor: this.redactor,
      limiter,
      retry: options.retry ?? {},
      timeoutMs: options.timeoutMs ?? SHERWEB_DEFAULTS.timeoutMs,
      fetch: options.fetch,
      signal: options.signal,
      limits: options.limits,
      vendorRequestIdHeaders: ['x-request-id', 'request-id', 'x-correlation-id'],
    };
    const tokenTransport = new HttpTransport({
      ...transportBase,
      baseUrl,
      mapError: (r) => mapSherwebError(r, (s) => this.redactor.redact(s)),
    });
    const tokens = createSherwebTokenProvider({
      transport: tokenTransport,
      tokenUrl,
      scope: scope.trim(),
      clientId,
      clientSecret,
      events: this.events,
      redactor: this.redactor,
      cache: tokenCacheFor(options, this.events, 'sherweb'),
    });
    this.#http = new HttpTransport({
      ...transportBase,
      baseUrl,
      defaultHeaders: {
        'ocp-apim-subscription-key': subscriptionKey.reveal(),
        ...(this.#language ? { 'accept-language': this.#language } : {}),
      },
      mapError: (r) => {
        const error = mapSherwebError(r, (s) => this.redactor.redact(s));
        if (error.code === 'InvalidSubscriptionKey' || error.code === 'MissingSubscriptionKey') this.#keyRefused = true;
        return error;
      },
      auth: {
        headers: async (signal) => ({ authorization: `Bearer ${(await tokens.getToken(signal)).value}` }),
        peek: () => bearerHeader(tokens.peekToken()),
        refused: (headers) => {
          // Called right after the mapper for the same 401: a refused subscription key is not a stale token.
          if (this.#keyRefused) {
            this.#keyRefused = false;
            return false;
          }
          tokens.invalidate(headers.authorization?.slice('Bearer '.length) ?? '');
          return true;
        },
      },
    });
  }

  #ctx(operation: string, requestId?: string): WireContext {
    return { provider: 'sherweb', operation, requestId };
  }

  #key(ref: SubscriptionRef): string {
    return `${ref.customerId.toLowerCase()}\u0000${ref.subscriptionId.toLowerCase()}`;
  }

  // ---- reads -------------------------------------------------------------------------------------

  async #customers(operation: string, signal?: AbortSignal): Promise<Customer[]> {
    const res = await this.#http.send({ operation, method: 'GET', path: '/customers', signal });
    const ctx = this.#ctx(operation, res.vendorRequestId ?? res.requestId);
    const customers = mapItems(res.data, 'customer list', ctx).map((raw) => mapCustomer(raw, ctx));
    reportFlagged(this.events, ctx, customers, 'customer');
    return customers;
  }

  async #subscriptionsOf(customerId: string, operation: string, signal?: AbortSignal): Promise<Subscription[]> {
    const res = await this.#http.send({
      operation,
      method: 'GET',
      path: '/billing/subscriptions',
      query: { customerId },
      signal,
    });
    const ctx = this.#ctx(operation, res.vendorRequestId ?? res.requestId);
    const now = new Date();
    const subs = mapItems(res.data, 'subscription list', ctx).map((raw) =>
      mapSubscription(raw, ctx, { customerId, now }),
    );
    reportFlagged(this.events, ctx, subs);
    return subs;
  }

  // ---- billing reads (issue 18): billing.ts, billing-map.ts ----
  protected override readInvoiceLines(options: ListInvoiceLinesOptions): PagedList<InvoiceLine> {
    if (options.customerId !== undefined) requireUuid(options.customerId, 'customerId');
    return sherwebDraftLines(
      {
        send: (request) => this.#http.send(request),
        customerIds: async (signal) =>
          (await this.#customers('listInvoiceLines', signal)).filter((c) => c.id !== '').map((c) => c.id),
        events: this.events,
        limits: this.#http.limits,
      },
      options,
    );
  }

  async verifyConnection(options: GetOptions = {}): Promise<ConnectionReport> {
    checkCallOptions(GET_OPTION_KEYS, options, this.provider, 'verifyConnection');
    const customers = await this.#customers('verifyConnection', options.signal);
    return {
      provider: 'sherweb',
      ok: true,
      // Sherweb lists every customer in one answer: the count is exact.
      customers: customers.length,
      customersExact: true,
      // Counting subscriptions takes one call per customer.
      subscriptions: null,
      subscriptionsExact: false,
      baseUrl: this.#http.baseUrl,
      details: {
        subscriptionKey: 'accepted',
        suspendedCustomers: customers.filter((c) => c.status !== 'active').length,
      },
    };
  }

  /** Every customer in one page: Sherweb does not page. */
  listCustomers(options: ListOptions = {}): PagedList<Customer> {
    checkCallOptions(LIST_CUSTOMERS_OPTION_KEYS, options, this.provider, 'listCustomers');
    return new PagedList<Customer>(async (_cursor, signal) => {
      const items = await this.#customers('listCustomers', signal);
      return { items, nextCursor: undefined, total: items.length };
    }, options.signal).withLimits(this.#http.limits);
  }

  /** Sherweb has no get-one call: lists the customers and picks the one (one list call). */
  protected async fetchCustomer(customerId: string, options: GetOptions): Promise<Customer> {
    const id = requireUuid(customerId, 'customerId');
    const all = await this.#customers('getCustomer', options.signal);
    const found = all.find((c) => c.id.toLowerCase() === id);
    if (!found) {
      throw new NotFoundError(`getCustomer: Sherweb lists no customer ${id}`, {
        provider: 'sherweb',
        operation: 'getCustomer',
        status: 404,
        hint: `Sherweb has no get-one call; the ${all.length} customers these credentials see do not include this id.`,
      });
    }
    return found;
  }

  /**
   * The catalog of one customer (Sherweb has no partner-wide catalog): pass `customerId`, or set
   * `catalogCustomerId` on the client. Product ids are SKUs; `search` filters names and SKUs locally.
   */
  listProducts(options: SherwebListProductsOptions = {}): PagedList<Product> {
    checkCallOptions(SHERWEB_LIST_PRODUCTS_OPTION_KEYS, options, this.provider, 'listProducts');
    const given = options.customerId ?? this.#catalogCustomerId;
    if (given === undefined) {
      throw new ValidationError(
        'listProducts: Sherweb catalogs are per customer; pass { customerId }',
        [{ path: 'customerId', message: 'is required for Sherweb' }],
        {
          provider: 'sherweb',
          operation: 'listProducts',
          hint: 'Call listProducts({ customerId }) or create the client with catalogCustomerId.',
        },
      );
    }
    const customerId = requireUuid(given, 'customerId');
    const search = options.search?.trim().toLowerCase();
    return new PagedList<Product>(async (_cursor, signal) => {
      const items = (await this.#catalog(customerId, 'listProducts', signal)).filter(
        (p) => !search || p.name.toLowerCase().includes(search) || (p.sku ?? '').toLowerCase().includes(search),
      );
      return { items, nextCursor: undefined, total: items.length };
    }, options.signal).withLimits(this.#http.limits);
  }

  async #catalog(customerId: string, operation: string, signal?: AbortSignal): Promise<Product[]> {
    const res = await this.#http.send({
      operation,
      method: 'GET',
      path: `/customer-catalogs/${encodeURIComponent(customerId)}`,
      signal,
    });
    const ctx = this.#ctx(operation, res.vendorRequestId ?? res.requestId);
    const language = this.#language;
    const products = mapCatalog(res.data, ctx).map((raw) => mapCatalogItem(raw, ctx, language ? { language } : {}));
    reportFlagged(this.events, ctx, products, 'product');
    return products;
  }

  /**
   * One customer's subscriptions in one page; without `customerId`, one page per customer (1 + N calls).
   * Filters apply locally: Sherweb has none.
   */
  listSubscriptions(options: ListSubscriptionsOptions = {}): PagedList<Subscription> {
    checkCallOptions(LIST_SUBSCRIPTIONS_OPTION_KEYS, options, this.provider, 'listSubscriptions');
    const only = options.customerId === undefined ? undefined : requireUuid(options.customerId, 'customerId');
    const keep = (s: Subscription) =>
      (!options.productId || s.productId === options.productId) &&
      (!options.status || s.status === options.status) &&
      (!options.billingTerm || s.billingTerm === options.billingTerm);
    let customers: string[] | undefined;
    return new PagedList<Subscription>(async (cursor, signal): Promise<Page<Subscription>> => {
      if (only) {
        const items = (await this.#subscriptionsOf(only, 'listSubscriptions', signal)).filter(keep);
        return { items, nextCursor: undefined, total: items.length };
      }
      // A customer listed without an id was reported flagged: it has no subscriptions to ask for.
      customers ??= (await this.#customers('listSubscriptions', signal)).filter((c) => c.id !== '').map((c) => c.id);
      const index = cursor === undefined ? 0 : customers.indexOf(cursor);
      if (index < 0) {
        throw new ValidationError(
          `listSubscriptions: the cursor names customer ${cursor}, which Sherweb no longer lists`,
          [{ path: 'cursor', message: 'unknown customer' }],
        );
      }
      const customerId = customers[index];
      let items: Subscription[] = [];
      if (customerId !== undefined) {
        try {
          items = (await this.#subscriptionsOf(customerId, 'listSubscriptions', signal)).filter(keep);
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          this.events.emit('warning', {
            provider: 'sherweb',
            code: 'customer-vanished',
            message: `listSubscriptions: customer ${customerId} disappeared during the listing; skipped`,
          });
        }
      }
      return { items, nextCursor: customers[index + 1] };
    }, options.signal).withLimits(this.#http.limits);
  }

  /** Sherweb has no get-one call: lists the customer's subscriptions and picks the one (one list call). */
  protected async fetchSubscription(ref: SubscriptionRef, options: GetOptions): Promise<Subscription> {
    const customerId = requireUuid(ref.customerId, 'ref.customerId');
    const subscriptionId = requireUuid(ref.subscriptionId, 'ref.subscriptionId');
    const all = await this.#subscriptionsOf(customerId, 'getSubscription', options.signal);
    const found = all.find((s) => s.id.toLowerCase() === subscriptionId);
    if (!found) {
      throw new NotFoundError(`getSubscription: customer ${customerId} has no subscription ${subscriptionId}`, {
        provider: 'sherweb',
        operation: 'getSubscription',
        status: 404,
        hint: 'Sherweb lists only live subscriptions: it may have been cancelled, or belong to another customer.',
      });
    }
    return found;
  }

  // ---- asynchronous requests ------------------------------------------------------------------------

  /** A pending operation polling `/tracking/{id}`, or the amendment status route when tracking is unavailable. */
  #pending(
    kind: 'seat-change' | 'cancel' | 'purchase',
    ids: { trackingId: string | null; amendmentId: string | null },
    raw: unknown,
    ref?: SubscriptionRef,
  ): PendingOperation {
    const id = ids.trackingId ?? ids.amendmentId;
    if (!id) {
      // Callers handle an accepted request without an id before calling this (see #untracked).
      throw new ResponseValidationError(
        `${kind}: Sherweb accepted the request but its answer carries no tracking id; check the result in the partner portal`,
        { provider: 'sherweb', operation: kind, field: 'requestTrackingId', value: raw },
      );
    }
    let useAmendmentStatus = ids.trackingId === null;
    const poll = async (signal?: AbortSignal): Promise<OperationState> => {
      if (!useAmendmentStatus && ids.trackingId) {
        try {
          const res = await this.#http.send({
            operation: 'waitForCompletion',
            method: 'GET',
            path: `/tracking/${encodeURIComponent(ids.trackingId)}`,
            signal,
          });
          return mapTrackedRequest(res.data, id, this.#ctx('waitForCompletion', res.requestId));
        } catch (error) {
          if (!(error instanceof NotFoundError) || !ids.amendmentId) throw error;
          useAmendmentStatus = true;
        }
      }
      const res = await this.#http.send({
        operation: 'waitForCompletion',
        method: 'GET',
        path: `/billing/subscriptions/amendments/${encodeURIComponent(ids.amendmentId ?? id)}/status`,
        signal,
      });
      return mapAmendmentStatus(res.data, id, this.#ctx('waitForCompletion', res.requestId));
    };
    const key = ref ? this.#key(ref) : undefined;
    const tracked = async (signal?: AbortSignal): Promise<OperationState> => {
      const state = await poll(signal);
      if (key && SETTLED.has(state.status)) this.#forget(key, id);
      return state;
    };
    const operation = createPendingOperation({
      provider: 'sherweb',
      id,
      kind,
      initial: { id, status: 'pending', rawStatus: null, message: null, raw },
      poll: tracked,
      defaultPollIntervalMs: this.#pollIntervalMs,
    });
    if (key) {
      const list = (this.#inflight.get(key) ?? []).filter((e) => Date.now() - e.at < INFLIGHT_TTL_MS);
      list.push({ operation, poll: tracked, at: Date.now() });
      this.#inflight.set(key, list);
    }
    return operation;
  }

  #forget(key: string, id: string): void {
    const list = (this.#inflight.get(key) ?? []).filter((e) => e.operation.id !== id);
    if (list.length) this.#inflight.set(key, list);
    else this.#inflight.delete(key);
  }

  /**
   * A change this client started on the subscription and Sherweb has not finished. Sherweb cannot list
   * in-flight requests, so a request whose answer was lost is found another way: the subscription is marked,
   * and when the one re-send is refused because "a request is in progress" with its tracking id, that request
   * is returned as the pending operation instead of an error.
   */
  protected override async findPendingChange(
    ref: SubscriptionRef,
    signal?: AbortSignal,
  ): Promise<PendingOperation | undefined> {
    const key = this.#key(ref);
    this.#suspects.set(key, Date.now());
    for (const entry of [...(this.#inflight.get(key) ?? [])]) {
      const state = await entry.poll(signal);
      if (!SETTLED.has(state.status)) {
        this.#suspects.delete(key);
        const { operation, poll } = entry;
        return createPendingOperation({
          provider: 'sherweb',
          id: operation.id,
          kind: operation.kind,
          initial: state,
          poll,
          defaultPollIntervalMs: this.#pollIntervalMs,
        });
      }
    }
    return undefined;
  }

  /**
   * An accepted change whose receipt carries no tracking id (or cannot be read): it was accepted, so it is
   * neither failed nor resent. The operation settles by re-reading the subscription until `applied` says the
   * change shows (documented assumption: Sherweb applies an accepted amendment/cancellation asynchronously).
   */
  #untracked(
    kind: 'seat-change' | 'cancel',
    ref: SubscriptionRef,
    applied: (sub: Subscription | undefined) => boolean,
    raw: unknown,
  ): PendingOperation {
    const id = `untracked:${kind}:${ref.subscriptionId.trim().toLowerCase()}`;
    this.events.emit('warning', {
      provider: 'sherweb',
      code: 'untracked-request',
      message: `${kind}: Sherweb accepted the request on subscription ${ref.subscriptionId} without a tracking id; the SDK follows it by re-reading the subscription`,
    });
    const key = this.#key(ref);
    const poll = async (signal?: AbortSignal): Promise<OperationState> => {
      let sub: Subscription | undefined;
      try {
        sub = await this.fetchSubscription(ref, { signal });
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
      const done = applied(sub);
      if (done) this.#forget(key, id);
      return {
        id,
        status: done ? 'succeeded' : 'pending',
        rawStatus: done ? 'observed' : 'not-yet-observed',
        message: done ? null : 'no tracking id: waiting until the subscription shows the change',
        raw: sub?.raw ?? null,
      };
    };
    const operation = createPendingOperation({
      provider: 'sherweb',
      id,
      kind,
      initial: { id, status: 'pending', rawStatus: null, message: null, raw },
      poll,
      defaultPollIntervalMs: this.#pollIntervalMs,
    });
    const list = (this.#inflight.get(key) ?? []).filter(
      (e) => Date.now() - e.at < INFLIGHT_TTL_MS && e.operation.id !== id,
    );
    list.push({ operation, poll, at: Date.now() });
    this.#inflight.set(key, list);
    return operation;
  }

  /** Sends a change; a refusal naming a request in progress, after an ambiguous failure, is that request. */
  async #sendChange(
    kind: 'seat-change' | 'cancel',
    ref: SubscriptionRef,
    request: Parameters<HttpTransport['send']>[0],
    applied: (sub: Subscription | undefined) => boolean,
  ): Promise<{ kind: 'pending'; operation: PendingOperation; requestId: string | null }> {
    const key = this.#key(ref);
    try {
      const res = await this.#http.send(request);
      this.#suspects.delete(key);
      const ctx = this.#ctx(request.operation, res.vendorRequestId ?? res.requestId);
      let ids: ReturnType<typeof mapReceipt> = { trackingId: null, amendmentId: null };
      try {
        ids = mapReceipt(res.data, ctx);
      } catch {
        // An unreadable receipt of an accepted request: followed like one without an id.
      }
      if (!ids.trackingId && !ids.amendmentId) {
        const operation = this.#untracked(kind, ref, applied, res.data ?? null);
        return { kind: 'pending', operation, requestId: res.vendorRequestId ?? null };
      }
      const operation = this.#pending(kind, ids, res.data, ref);
      return { kind: 'pending', operation, requestId: operation.id };
    } catch (error) {
      const inProgress = sherwebProblemOf(error)?.requestTrackingId;
      const suspectSince = this.#suspects.get(key);
      this.#suspects.delete(key);
      if (inProgress && suspectSince !== undefined && Date.now() - suspectSince < SUSPECT_TTL_MS) {
        this.events.emit('warning', {
          provider: 'sherweb',
          code: 'awaiting-request-in-progress',
          message: `${request.operation}: the first answer was lost and Sherweb reports request ${inProgress} in progress on subscription ${ref.subscriptionId}; returning it as the pending operation`,
        });
        const operation = this.#pending(kind, { trackingId: inProgress, amendmentId: null }, null, ref);
        return { kind: 'pending', operation, requestId: inProgress };
      }
      throw error;
    }
  }

  // ---- writes --------------------------------------------------------------------------------------

  /** At least one seat: 0 is refused before any write (the base client checks; see zeroSeats()). */
  protected override zeroSeatsRefusal(): ValidationError {
    return zeroSeats();
  }

  /** No vendor dry run exists for amendments: checks the subscription's own constraints. */
  protected override async dryRunSeats(
    _ref: SubscriptionRef,
    target: number,
    before: Subscription,
  ): Promise<DryRunCheck> {
    return seatsByConstraints(before, target, {
      provider: 'sherweb',
      notesSeparator: '; ',
      decrease: {
        code: 'CommitmentTermViolation',
        hint: 'Decreases of a committed subscription are allowed only while its grace window is open.',
      },
      increase: { hint: 'Seats can be added only to an active subscription.' },
    });
  }

  protected async writeSeats(
    ref: SubscriptionRef,
    target: number,
    _before: Subscription,
    options: SeatChangeOptions,
  ): Promise<SeatWriteResult> {
    const body: AmendmentRequest = {
      subscriptionAmendmentParameters: [{ subscriptionId: ref.subscriptionId, newQuantity: target }],
    };
    // Tracking `Succeeded` is checked against a read by the base client (applied means observed).
    return this.#sendChange(
      'seat-change',
      ref,
      {
        operation: 'setSeats',
        method: 'POST',
        path: '/billing/subscriptions/amendments',
        query: { customerId: ref.customerId },
        json: body,
        signal: options.signal,
      },
      (sub) => sub?.quantity === target,
    );
  }

  protected async writeCancel(
    ref: SubscriptionRef,
    _effectiveDate: string | undefined,
    _before: Subscription,
    options: CancelOptions,
  ): Promise<CancelWriteResult> {
    const body: CancellationRequest = { subscriptionIds: [ref.subscriptionId] };
    // Sherweb lists only live subscriptions: gone, or listed as cancelled, is cancelled.
    return this.#sendChange(
      'cancel',
      ref,
      {
        operation: 'cancelSubscription',
        method: 'POST',
        path: '/billing/subscriptions/cancellations',
        query: { customerId: ref.customerId },
        json: body,
        signal: options.signal,
      },
      (sub) => sub === undefined || sub.status === 'cancelled',
    );
  }

  /** {@link BaseMarketplaceClient.purchase}; provisioning parameters are refused before any call (purchase-parameters.ts). */
  override async purchase(input: PurchaseInput): Promise<PurchaseResult> {
    return super.purchase(withoutPurchaseParameters(input));
  }

  /**
   * Buys a catalog SKU (`productId` is the SKU). Sherweb encodes the term in the SKU, so the requested
   * billing and commitment terms are checked against the catalog item. `dryRun` uses `/orders/validate`.
   */
  protected async writePurchase(input: ValidPurchase): Promise<PurchaseResult> {
    const customerId = requireUuid(input.customerId, 'customerId');
    const catalog = await this.#catalog(customerId, 'purchase', input.signal);
    const product = catalog.find((p) => p.id === input.productId);
    if (!product) {
      throw new NotFoundError(`purchase: SKU ${input.productId} is not in the catalog of customer ${customerId}`, {
        provider: 'sherweb',
        operation: 'purchase',
        hint: 'Product ids are Sherweb SKUs: pick one from listProducts({ customerId }).',
      });
    }
    const terms = catalogItemTerms(product);
    const siblings = catalog
      .filter((p) => (p.vendorSku !== null ? p.vendorSku === product.vendorSku : p.name === product.name))
      .filter((p) => p.id !== product.id)
      .map((p) => `${p.id} (${catalogItemTerms(p).billingTerm})`);
    const offered = siblings.length ? ` Other SKUs of this product: ${siblings.join(', ')}.` : '';
    if (terms.billingTerm !== 'unknown' && terms.billingTerm !== input.billingTerm) {
      throw new ValidationError(
        `purchase: SKU ${product.id} is sold as ${terms.billingTerm}, not ${input.billingTerm}.${offered}`,
        [{ path: 'billingTerm', message: `must be ${terms.billingTerm} for this SKU` }],
        {
          provider: 'sherweb',
          operation: 'purchase',
          hint: 'Sherweb encodes the term in the SKU: pick the SKU of the term you want.',
        },
      );
    }
    if (input.commitmentTerm && input.commitmentTerm !== (terms.commitmentTerm ?? 'none')) {
      throw new ValidationError(
        `purchase: SKU ${product.id} has commitment ${terms.commitmentTerm ?? 'none'}, not ${input.commitmentTerm}.${offered}`,
        [{ path: 'commitmentTerm', message: `must be ${terms.commitmentTerm ?? 'omitted'} for this SKU` }],
        {
          provider: 'sherweb',
          operation: 'purchase',
          hint: 'Sherweb encodes the term in the SKU: pick the SKU of the term you want.',
        },
      );
    }
    const body: PlaceOrderRequest = {
      cartItems: [{ sku: product.id, quantity: input.quantity }],
      orderedBy: (input as { actor?: string }).actor ?? this.actor ?? 'msp-marketplace-sdk',
    };
    const lines = [{ productId: product.id, quantity: input.quantity, subscriptionId: null }];
    if (input.dryRun) {
      const res = await this.#http.send({
        operation: 'purchase',
        method: 'POST',
        path: '/orders/validate',
        query: { customerId },
        json: body,
        // Validation changes nothing: it may be retried like a read.
        retry: 'read',
        signal: input.signal,
      });
      return {
        provider: 'sherweb',
        customerId,
        orderId: null,
        outcome: 'dry-run',
        lines,
        requestId: res.vendorRequestId ?? res.requestId,
        raw: res.data,
      };
    }
    let res: HttpResponse<unknown>;
    try {
      res = await this.#http.send({
        operation: 'purchase',
        method: 'POST',
        path: '/orders',
        query: { customerId },
        json: body,
        // Sherweb orders carry no idempotency key: sent once, never resent (not even after 429/401).
        retry: 'never',
        signal: input.signal,
      });
    } catch (error) {
      throw orderSendFailure(error, { provider: 'sherweb', ...input, customerId });
    }
    const ctx = this.#ctx('purchase', res.vendorRequestId ?? res.requestId);
    let ids: ReturnType<typeof mapReceipt> = { trackingId: null, amendmentId: null };
    try {
      ids = mapReceipt(res.data, ctx);
    } catch {
      // An unreadable receipt of an accepted order: reported like one without a tracking id.
    }
    if (!ids.trackingId && !ids.amendmentId) {
      // Accepted (2xx) but nothing to follow: pending, never failed (a caller that retried would buy twice).
      this.events.emit('warning', {
        provider: 'sherweb',
        code: 'untracked-request',
        message: `purchase: Sherweb accepted the order for customer ${customerId} without a tracking id; check its result in the partner portal`,
      });
      return {
        provider: 'sherweb',
        customerId,
        orderId: null,
        outcome: 'pending',
        lines,
        requestId: res.vendorRequestId ?? res.requestId,
        raw: res.data,
      };
    }
    const operation = this.#pending('purchase', ids, res.data);
    return {
      provider: 'sherweb',
      customerId,
      orderId: operation.id,
      outcome: 'pending',
      lines,
      requestId: res.vendorRequestId ?? res.requestId,
      operation,
      raw: res.data,
    };
  }
}

function zeroSeats(): ValidationError {
  return new ValidationError(
    'Sherweb needs at least 1 seat: cancel the subscription instead of setting 0',
    [{ path: 'quantity', message: 'must be at least 1 for Sherweb' }],
    { provider: 'sherweb', operation: 'setSeats', hint: 'Use cancelSubscription(ref) to stop the subscription.' },
  );
}

/** Creates a Sherweb client. Throws `ConfigurationError`/`ValidationError` for bad options, before any request. */
export function createSherwebClient(options: SherwebClientOptions): SherwebClient {
  return new SherwebClient(options);
}
