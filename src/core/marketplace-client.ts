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
import type { CancelResult, ConnectionReport, PurchaseResult, SeatChangeResult } from '../model/operations.js';
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
}

/** Filters for `listSubscriptions`. */
export interface ListSubscriptionsOptions {
  /** The customer (required by vendors whose `capabilities.listAllSubscriptions` is false). */
  customerId?: string | undefined;
  productId?: string | undefined;
  status?: SubscriptionStatus | undefined;
  billingTerm?: BillingTerm | undefined;
  signal?: AbortSignal | undefined;
}

/** Options of list calls. */
export interface ListOptions {
  signal?: AbortSignal | undefined;
}

/** Options of a read of one item. */
export interface GetOptions {
  signal?: AbortSignal | undefined;
}

/** Options of every write. */
export interface WriteOptions {
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

/** The one API every marketplace provider implements. */
export interface MarketplaceClient {
  /** Which marketplace this client talks to. */
  readonly provider: ProviderId;
  /** What this provider supports; an operation whose flag is false throws `UnsupportedOperationError`. */
  readonly capabilities: Capabilities;
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
  /** Subscribes to events (`request`, `response`, `retry`, `token`, `audit`, `warning`); returns the unsubscribe function. */
  on<K extends SdkEventName>(event: K, listener: SdkListener<K>): () => void;
}
