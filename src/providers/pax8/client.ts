import { ConfigurationError, NotFoundError, ValidationError } from '../../core/errors.js';
import {
  BaseMarketplaceClient,
  type CancelWriteResult,
  type SeatWriteResult,
  type ValidPurchase,
} from '../../core/base-client.js';
import type { CommonClientOptions } from '../../core/client-options.js';
import { requireCredential, requireUrl } from '../../core/config.js';
import { HttpTransport } from '../../core/http.js';
import type { RateLimit } from '../../core/limiter.js';
import { createLimiterFor, tokenCacheFor } from '../../core/scale.js';
import type {
  CancelOptions,
  Capabilities,
  GetOptions,
  ListOptions,
  ListSubscriptionsOptions,
  SeatChangeOptions,
} from '../../core/marketplace-client.js';
import { type Page, PagedList } from '../../core/pagination.js';
import { Secret } from '../../core/redact.js';
import { hashKey } from '../../core/sha.js';
import type { WireContext } from '../../core/wire.js';
import type { components } from '../../../generated/pax8.js';
import type { Customer } from '../../model/customer.js';
import type { ConnectionReport, PurchaseResult } from '../../model/operations.js';
import type { Product } from '../../model/product.js';
import type { Subscription, SubscriptionRef } from '../../model/subscription.js';
import { createPax8TokenProvider } from './auth.js';
import { mapPax8Error } from './errors.js';
import {
  type Pax8Commitment,
  type Pax8CommitmentRules,
  mapCompany,
  mapPage,
  mapProduct,
  mapSubscription,
  pax8TermToIso,
  toPax8BillingTerm,
} from './map.js';

type CreateOrder = components['schemas']['CreateOrder'];
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

/** The Pax8 Partner API as a {@link MarketplaceClient}. */
export class Pax8Client extends BaseMarketplaceClient {
  readonly provider = 'pax8' as const;
  readonly capabilities: Capabilities = {
    listCustomers: true,
    getCustomer: true,
    listProducts: true,
    listAllSubscriptions: true,
    listSubscriptions: true,
    getSubscription: true,
    setSeats: true,
    cancelSubscription: true,
    scheduledCancel: true,
    purchase: true,
    dryRunPurchase: 'vendor',
    dryRunSeats: 'local',
    asyncWrites: false,
  };
  readonly #http: HttpTransport;
  readonly #rules = new Map<string, { at: number; rules: Pax8CommitmentRules | undefined }>();

  constructor(options: Pax8ClientOptions) {
    super(options);
    if (!options || typeof options !== 'object') {
      throw new ConfigurationError('pax8: options are required', { provider: 'pax8', operation: 'configure' });
    }
    const where = 'from the Pax8 app, Integrations > API credentials';
    const clientId = requireCredential('pax8', options.credentials, 'clientId', where);
    const clientSecret = new Secret(requireCredential('pax8', options.credentials, 'clientSecret', where));
    this.redactor.add(clientSecret);
    const baseUrl = requireUrl('pax8', 'baseUrl', options.baseUrl ?? PAX8_DEFAULTS.baseUrl);
    const tokenUrl = requireUrl('pax8', 'tokenUrl', options.tokenUrl ?? `${baseUrl}/token`);
    const audience = options.audience ?? PAX8_DEFAULTS.audience;
    const credentialKey = hashKey('pax8', clientId, clientSecret.reveal());
    const limiter = createLimiterFor('pax8', credentialKey, options, PAX8_DEFAULTS.rateLimit, this.events);
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

  /** A 0-based page/size listing as a lazy PagedList. */
  #paged<T>(
    operation: string,
    path: string,
    query: Record<string, string | undefined>,
    map: (raw: unknown, ctx: WireContext) => T | undefined,
    signal?: AbortSignal,
  ): PagedList<T> {
    let firstTotal: number | undefined;
    return new PagedList<T>(async (cursor, sig): Promise<Page<T>> => {
      const page = cursor === undefined ? 0 : Number(cursor);
      const res = await this.#http.send({
        operation,
        method: 'GET',
        path,
        query: { ...query, page, size: PAX8_DEFAULTS.pageSize },
        signal: sig,
      });
      const ctx = this.#ctx(operation, res.vendorRequestId ?? res.requestId);
      const env = mapPage(res.data, ctx);
      firstTotal ??= env.page.totalElements;
      if (env.page.totalElements !== firstTotal) {
        this.events.emit('warning', {
          provider: 'pax8',
          code: 'listing-changed',
          message: `${operation}: the total changed from ${firstTotal} to ${env.page.totalElements} during the listing; items may have shifted between pages`,
        });
        firstTotal = env.page.totalElements;
      }
      const items = env.content.map((raw) => map(raw, ctx)).filter((x): x is T => x !== undefined);
      const more = env.page.number + 1 < env.page.totalPages && env.content.length > 0;
      return { items, nextCursor: more ? String(env.page.number + 1) : undefined, total: env.page.totalElements };
    }, signal);
  }

  async verifyConnection(options: GetOptions = {}): Promise<ConnectionReport> {
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
    return { provider: 'pax8', ok: true, customers, subscriptions, baseUrl: this.#http.baseUrl, details: {} };
  }

  listCustomers(options: ListOptions = {}): PagedList<Customer> {
    return this.#paged('listCustomers', '/companies', {}, mapCompany, options.signal);
  }

  protected async fetchCustomer(customerId: string, options: GetOptions): Promise<Customer> {
    const res = await this.#http.send({
      operation: 'getCustomer',
      method: 'GET',
      path: `/companies/${encodeURIComponent(customerId)}`,
      signal: options.signal,
    });
    return mapCompany(res.data, this.#ctx('getCustomer', res.requestId));
  }

  listProducts(options: ListOptions & { search?: string | undefined } = {}): PagedList<Product> {
    return this.#paged('listProducts', '/products', { search: options.search }, mapProduct, options.signal);
  }

  listSubscriptions(options: ListSubscriptionsOptions = {}): PagedList<Subscription> {
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
      (raw, ctx) => {
        const s = mapSubscription(raw, ctx, { now });
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
    const first = mapSubscription(res.data, ctx);
    this.#checkOwner(first, ref);
    const rules = first.commitment && first.productId ? await this.#commitmentRules(first, options.signal) : undefined;
    return rules ? mapSubscription(res.data, ctx, { rules }) : first;
  }

  /** Refuses a subscription that belongs to another customer than the reference says: never change the wrong one. */
  #checkOwner(sub: Subscription, ref: SubscriptionRef): void {
    if (sub.customerId !== ref.customerId) {
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

  /** The product's commitment dependency matching the subscription's term (cached for 10 minutes). */
  async #commitmentRules(sub: Subscription, signal?: AbortSignal): Promise<Pax8CommitmentRules | undefined> {
    const raw = sub.raw as { commitmentTerm?: { id?: string } | null };
    const key = `${sub.productId}:${raw.commitmentTerm?.id ?? sub.commitment?.term}`;
    const cached = this.#rules.get(key);
    if (cached && Date.now() - cached.at < RULES_TTL_MS) return cached.rules;
    const deps = await this.#dependencies(sub.productId!, signal);
    const rules =
      deps.find((d) => d.id === raw.commitmentTerm?.id) ??
      deps.find((d) => pax8TermToIso(d.term) === sub.commitment?.term);
    this.#rules.set(key, { at: Date.now(), rules });
    return rules;
  }

  async #dependencies(productId: string, signal?: AbortSignal): Promise<Pax8Commitment[]> {
    const res = await this.#http.send<components['schemas']['ProductDependencies']>({
      operation: 'getProductDependencies',
      method: 'GET',
      path: `/products/${encodeURIComponent(productId)}/dependencies`,
      signal,
    });
    const list = res.data?.commitmentDependencies;
    return Array.isArray(list) ? list.filter((c) => c && typeof c.id === 'string') : [];
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
    const subscription = mapSubscription(res.data, this.#ctx('setSeats', res.requestId));
    return { kind: 'done', subscription, requestId: res.vendorRequestId ?? res.requestId };
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
    // 204 has no body: read the subscription to report its state.
    const subscription = await this.fetchSubscription(ref, { signal: options.signal });
    return { kind: 'done', subscription, requestId: res.vendorRequestId ?? res.requestId };
  }

  protected async writePurchase(input: ValidPurchase): Promise<PurchaseResult> {
    const productRes = await this.#http.send<components['schemas']['ProductDetail']>({
      operation: 'purchase',
      method: 'GET',
      path: `/products/${encodeURIComponent(input.productId)}`,
      signal: input.signal,
    });
    const product = mapProduct(productRes.data, this.#ctx('purchase'));
    let commitmentTermId: string | undefined;
    if (product.requiresCommitment || input.commitmentTerm) {
      const deps = await this.#dependencies(input.productId, input.signal);
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
    const body: CreateOrder = {
      companyId: input.customerId,
      lineItems: [
        {
          productId: input.productId,
          lineItemNumber: 1,
          quantity: input.quantity,
          billingTerm: toPax8BillingTerm(input.billingTerm),
          ...(commitmentTermId ? { commitmentTermId } : {}),
        },
      ],
    };
    const res = await this.#http.send<components['schemas']['Order']>({
      operation: 'purchase',
      method: 'POST',
      path: '/orders',
      query: { isMock: input.dryRun ? true : undefined },
      json: body,
      signal: input.signal,
    });
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
