import type { Customer } from '../model/customer.js';
import type { ProviderId } from '../model/common.js';
import type { Product } from '../model/product.js';
import type {
  BillingTerm,
  RequestableBillingTerm,
  Subscription,
  SubscriptionRef,
  SubscriptionStatus,
} from '../model/subscription.js';
import type { Invoice, InvoiceLine, Order, ProductPricing, UsageRecord } from '../model/billing.js';
import type {
  AutoRenewResult,
  CancelResult,
  ConnectionReport,
  PurchaseResult,
  SeatChangeResult,
} from '../model/operations.js';
import type { CallOptions } from './call-context.js';
import type { HttpMethod } from './http.js';
import type { RawRequestOptions, RawResponse } from './raw-request.js';
import type { SdkEventName, SdkListener } from './events.js';
import type { PagedList } from './pagination.js';

/** What a provider can do. An operation whose flag is false throws `UnsupportedOperationError`. */
export interface Capabilities {
  listCustomers: boolean;
  getCustomer: boolean;
  listProducts: boolean;
  /** Listing subscriptions without a customer id (across all customers). */
  listAllSubscriptions: boolean;
  /**
   * That listing is one account-wide vendor listing, not the SDK asking customer by customer: `syncAll` then
   * reads every subscription with it (one request per page) instead of one listing per customer. Absent: false.
   */
  listAllSubscriptionsNative?: boolean;
  listSubscriptions: boolean;
  getSubscription: boolean;
  setSeats: boolean;
  cancelSubscription: boolean;
  /** Cancellation at a future date (`effectiveDate`). */
  scheduledCancel: boolean;
  purchase: boolean;
  /** How `dryRun` is checked: by the vendor (`vendor`) or by the SDK only (`local`). */
  dryRunPurchase: 'vendor' | 'local';
  dryRunSeats: 'vendor' | 'local';
  /** Whether writes finish later (return a pending operation). */
  asyncWrites: boolean;
  /**
   * Where seat changes and cancellations of one subscription are serialized: `process` (the default) only
   * within this process, so two processes (or two machines) changing the same subscription can still race;
   * `fleet` (the client has `redis`) across every process sharing that Redis, with a leased, fenced lock.
   * See docs/reliability.md.
   */
  seatLockScope: 'process' | 'fleet';
  /** `listInvoices` and `listInvoiceLines({ invoiceId })`. Absent: false. */
  invoices?: boolean;
  /** `listInvoiceLines({ draft: true })`: the current period's charges before they are invoiced. Absent: false. */
  draftInvoiceLines?: boolean;
  /** `listUsage`: consumption of usage-billed products. Absent: false. */
  usage?: boolean;
  /** `getProductPricing`: a product's prices and offered terms. Absent: false. */
  productPricing?: boolean;
  /** `listOrders`. Absent: false. */
  listOrders?: boolean;
  /** `setAutoRenew`: turning a subscription's auto-renewal on or off. Absent: false. */
  setAutoRenew?: boolean;
}

/** Filters for `listSubscriptions`. */
export interface ListSubscriptionsOptions extends CallOptions {
  /** The customer (required by vendors whose `capabilities.listAllSubscriptions` is false). */
  customerId?: string | undefined;
  productId?: string | undefined;
  status?: SubscriptionStatus | undefined;
  billingTerm?: BillingTerm | undefined;
  signal?: AbortSignal | undefined;
}

/** Options of list calls. */
export interface ListOptions extends CallOptions {
  signal?: AbortSignal | undefined;
}

/** Options of a read of one item. */
export interface GetOptions extends CallOptions {
  signal?: AbortSignal | undefined;
}

/** Options of every write. */
export interface WriteOptions extends CallOptions {
  /** Check and describe the change without making it (the vendor validates where it can). */
  dryRun?: boolean | undefined;
  /** Who asked, for the audit event. */
  actor?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Options of a seat change. */
export interface SeatChangeOptions extends WriteOptions {
  /** The seat count the caller saw. If it differs now, nothing is sent and a `ConflictError` is thrown. */
  ifCurrent?: number | undefined;
}

/** Options of a cancellation. */
export interface CancelOptions extends WriteOptions {
  /** When the cancellation takes effect: a `YYYY-MM-DD` date, an ISO date-time with a zone, or a `Date`. */
  effectiveDate?: string | Date | undefined;
}

/** What to buy. */
export interface PurchaseInput extends WriteOptions {
  customerId: string;
  productId: string;
  quantity: number;
  billingTerm: RequestableBillingTerm;
  /** ISO 8601 duration (`P1M`, `P1Y`, `P3Y`); omitted: the vendor's term for the billing term. */
  commitmentTerm?: string | undefined;
}

/** A date range filter: `YYYY-MM-DD` dates, both ends included; either end may be omitted. */
export interface DateRange {
  from?: string | undefined;
  to?: string | undefined;
}

/** Filters for `listInvoices`. */
export interface ListInvoicesOptions extends ListOptions, DateRange {
  /** Only invoices of this customer (where the vendor invoices per customer). */
  customerId?: string | undefined;
}

/** Which lines `listInvoiceLines` reads: one invoice's (`invoiceId`) or the unbilled current period (`draft`). */
export interface ListInvoiceLinesOptions extends ListOptions {
  /** The invoice whose lines to list. Exactly one of `invoiceId` and `draft: true` is required. */
  invoiceId?: string | undefined;
  /** The charges not yet invoiced (where `capabilities.draftInvoiceLines`). */
  draft?: boolean | undefined;
  /** Only lines of this customer. */
  customerId?: string | undefined;
}

/** Filters for `listUsage`. */
export interface ListUsageOptions extends ListOptions, DateRange {
  customerId?: string | undefined;
  subscriptionId?: string | undefined;
}

/** Filters for `listOrders`. */
export interface ListOrdersOptions extends ListOptions {
  customerId?: string | undefined;
}

/** Options of `getProductPricing`. */
export interface ProductPricingOptions extends GetOptions {
  /** The customer to price for, where the vendor prices per customer (or requires one). */
  customerId?: string | undefined;
}

/** The one API every marketplace provider implements. */
export interface MarketplaceClient {
  /** Which marketplace this client talks to. */
  readonly provider: ProviderId;
  /** What this provider supports; an operation whose flag is false throws `UnsupportedOperationError`. */
  readonly capabilities: Capabilities;
  /**
   * How many requests this client sends at once: its rate limit's `maxConcurrent` (10 when limiting is off).
   * `syncAll` lists that many customers' subscriptions at once. Absent (a custom client): 10.
   */
  readonly requestConcurrency?: number;
  /**
   * Calls any endpoint of the vendor's API with the client's auth, limiter, retries, limits and redaction (the
   * escape hatch; docs/requests.md). Present on every client the SDK creates; optional for custom clients.
   */
  request?<T = unknown>(method: HttpMethod, path: string, options?: RawRequestOptions): Promise<RawResponse<T>>;
  /** Checks the credentials and reports what they can see. */
  verifyConnection(options?: GetOptions): Promise<ConnectionReport>;
  /** Lists the customers (companies, tenants) under the reseller account, page by page as you iterate. */
  listCustomers(options?: ListOptions): PagedList<Customer>;
  /** Reads one customer; throws `NotFoundError` when the id is unknown. */
  getCustomer(customerId: string, options?: GetOptions): Promise<Customer>;
  /** Lists the catalog (optionally filtered by a vendor-side `search`), page by page as you iterate. */
  listProducts(options?: ListOptions & { search?: string | undefined }): PagedList<Product>;
  /** Lists subscriptions, filtered by customer, product, status or billing term. */
  listSubscriptions(options?: ListSubscriptionsOptions): PagedList<Subscription>;
  /** Reads one subscription; throws `NotFoundError` when it does not exist. */
  getSubscription(ref: SubscriptionRef, options?: GetOptions): Promise<Subscription>;
  /** Sets the seat count to an absolute `quantity`. */
  setSeats(ref: SubscriptionRef, quantity: number, options?: SeatChangeOptions): Promise<SeatChangeResult>;
  /** Adds `count` seats (sent as the absolute new total). */
  addSeats(ref: SubscriptionRef, count: number, options?: SeatChangeOptions): Promise<SeatChangeResult>;
  /** Removes `count` seats (sent as the absolute new total). */
  removeSeats(ref: SubscriptionRef, count: number, options?: SeatChangeOptions): Promise<SeatChangeResult>;
  /** Cancels a subscription now or at `effectiveDate` (where `capabilities.scheduledCancel`). */
  cancelSubscription(ref: SubscriptionRef, options?: CancelOptions): Promise<CancelResult>;
  /** Buys a new subscription; `dryRun` checks the order without placing it. */
  purchase(input: PurchaseInput): Promise<PurchaseResult>;
  /** Lists invoices from the marketplace to the partner (where `capabilities.invoices`), newest first where the vendor sorts. */
  listInvoices(options?: ListInvoicesOptions): PagedList<Invoice>;
  /** Lists the lines of one invoice, or the current period's unbilled lines (`draft: true`). */
  listInvoiceLines(options: ListInvoiceLinesOptions): PagedList<InvoiceLine>;
  /** Lists consumption of usage-billed products (where `capabilities.usage`). */
  listUsage(options?: ListUsageOptions): PagedList<UsageRecord>;
  /** Reads a product's prices and offered terms (where `capabilities.productPricing`). */
  getProductPricing(productId: string, options?: ProductPricingOptions): Promise<ProductPricing>;
  /** Lists orders (where `capabilities.listOrders`). */
  listOrders(options?: ListOrdersOptions): PagedList<Order>;
  /** Turns a subscription's auto-renewal on or off (where `capabilities.setAutoRenew`); `dryRun` checks only. */
  setAutoRenew(ref: SubscriptionRef, enabled: boolean, options?: WriteOptions): Promise<AutoRenewResult>;
  /** Subscribes to events (`request`, `response`, `retry`, `token`, `audit`, `warning`); returns the unsubscribe function. */
  on<K extends SdkEventName>(event: K, listener: SdkListener<K>): () => void;
}
