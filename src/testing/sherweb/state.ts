/**
 * In-memory state of the Sherweb Service Provider API fake: wire objects exactly as Sherweb sends them,
 * plus the bookkeeping the fake needs (which customer owns a subscription, pending tracked requests, tokens).
 */

/** Sherweb `Currency` enum. */
export type SherwebCurrency = 'Undefined' | 'Cad' | 'Usd' | 'Eur' | 'Gbp';

/** Sherweb `CommitmentTermType` enum. */
export type SherwebCommitmentTermType = 'Monthly' | 'Annual' | 'Biennial' | 'Triennial';

/** `Customer` as returned by `GET /customers`. */
export interface SherwebCustomer {
  id: string;
  displayName: string;
  /** Reseller hierarchy path. */
  path: string[];
  /** UTC date-time with 7 fractional digits; set when the customer is suspended. */
  suspendedOn: string | null;
}

/** `CommittedMinimalQuantity`: the quantity may be lowered down to `quantity` until `committedUntil`. */
export interface SherwebCommittedMinimalQuantity {
  committedUntil: string;
  quantity: number;
}

/** `SubscriptionRenewalConfiguration` (null when the subscription does not auto-renew). */
export interface SherwebRenewalConfiguration {
  /** First day of the next term (`yyyy-MM-dd`). */
  renewalDate: string;
  scheduledQuantity: number | null;
}

/** `SubscriptionCommitmentTerm` (null for subscriptions without commitment). */
export interface SherwebCommitmentTerm {
  type: SherwebCommitmentTermType;
  /** Last day of the current term (`yyyy-MM-dd`). */
  termEndDate: string;
  renewalConfiguration: SherwebRenewalConfiguration | null;
  committedMinimalQuantities: SherwebCommittedMinimalQuantity[] | null;
}

/** `SubscriptionFees` (null when no catalog item matches). */
export interface SherwebSubscriptionFees {
  recurringFee: number;
  setupFee: number;
  currency: SherwebCurrency;
}

/** `Subscription` as returned by `GET /billing/subscriptions` (no status field exists on the wire). */
export interface SherwebSubscription {
  id: string;
  productName: string;
  description: string;
  sku: string;
  quantity: number;
  /** Lower-case free string: `none|daily|weekly|monthly|yearly|unknown`. */
  billingCycle: string;
  /** UTC date-time with 7 fractional digits. */
  purchaseDate: string;
  fees: SherwebSubscriptionFees | null;
  commitmentTerm: SherwebCommitmentTerm | null;
}

/** One localized string of a catalog item. */
export interface SherwebLocalizedText {
  culture: string;
  value: string;
}

/** A customer catalog item as returned by `GET /customer-catalogs/{customerId}` (shape from third-party clients). */
export interface SherwebCatalogItem {
  sku: string;
  name: SherwebLocalizedText[];
  description: SherwebLocalizedText[];
  billingCycle: string;
  commitmentTerm: SherwebCommitmentTermType | null;
  microsoftSkuId: string | null;
}

/** A catalog entry of the fake: the wire item plus what a purchase of it costs. */
export interface SherwebCatalogEntry {
  item: SherwebCatalogItem;
  recurringFee: number;
  currency: SherwebCurrency;
  /** Products whose quantity is fixed (e.g. Azure plan): amendments are refused. */
  quantityLocked: boolean;
}

/** A subscription held by the fake. */
export interface SherwebSubscriptionRecord {
  customerId: string;
  subscription: SherwebSubscription;
  /** Set once a cancellation completed; cancelled subscriptions are no longer listed. */
  cancelledOn: string | null;
  /** Amendments are refused with "quantity cannot be changed". */
  quantityLocked: boolean;
  /** Tracking id of a request still in progress on this subscription. */
  pendingTrackingId: string | null;
}

/** Kind of asynchronous request. */
export type SherwebOperationKind = 'SubscriptionsAmendment' | 'SubscriptionsCancellation' | 'Order';

/** Status of a tracked request (`GET /tracking/{id}`). */
export type SherwebTrackingStatus = 'Queued' | 'Processing' | 'Success' | 'Failure' | 'PartialSuccess';

/** Sherweb `SubscriptionsAmendmentStatus` enum (`GET .../amendments/{id}/status`). */
export type SherwebAmendmentStatus = 'Pending' | 'Processing' | 'Success' | 'Failure' | 'Canceled' | 'PartialSuccess';

/** One line of a tracked request. */
export interface SherwebOperationItem {
  subscriptionId: string | null;
  sku: string | null;
  /** Target quantity (amendment) or ordered quantity (order). */
  quantity: number | null;
  status: 'Pending' | 'Success' | 'Failure';
  message: string | null;
}

/** An asynchronous request (amendment, cancellation or order) tracked by the fake. */
export interface SherwebOperation {
  trackingId: string;
  /** Only for amendments. */
  amendmentId: string | null;
  kind: SherwebOperationKind;
  customerId: string;
  /** ms since epoch on the fake's clock. */
  createdAt: number;
  updatedAt: number;
  /** When the request completes by itself (ms since epoch on the fake's clock). */
  dueAt: number;
  status: SherwebTrackingStatus;
  items: SherwebOperationItem[];
}

/** An access token the fake issued. */
export interface SherwebToken {
  scopes: string[];
  /** ms since epoch on the fake's clock. */
  expiresAt: number;
}

/** A state-changing request the fake accepted (recorded whether or not the client saw the answer). */
export interface SherwebAppliedWrite {
  at: string;
  method: string;
  path: string;
  query: string;
  body: unknown;
  trackingId: string;
}

/** Everything the Sherweb fake holds. */
export interface SherwebState {
  customers: Map<string, SherwebCustomer>;
  catalog: SherwebCatalogEntry[];
  subscriptions: Map<string, SherwebSubscriptionRecord>;
  /** Keyed by tracking id. */
  operations: Map<string, SherwebOperation>;
  tokens: Map<string, SherwebToken>;
  /** Subscription ids or SKUs whose next request lines fail when processed. */
  failing: Set<string>;
}

/** An empty state. */
export function createSherwebState(): SherwebState {
  return {
    customers: new Map(),
    catalog: [],
    subscriptions: new Map(),
    operations: new Map(),
    tokens: new Map(),
    failing: new Set(),
  };
}

const DAY_MS = 86_400_000;

/** Sherweb's UTC date-time format with 7 fractional digits (`yyyy-MM-ddTHH:mm:ss.fffffffZ`). */
export function sherwebDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** `yyyy-MM-dd` in UTC. */
export function sherwebDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Adds whole months in UTC (day clamped to the target month's length). */
export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.getTime();
}

/** Length in months of a commitment term. */
export function termMonths(type: SherwebCommitmentTermType): number {
  switch (type) {
    case 'Monthly':
      return 1;
    case 'Annual':
      return 12;
    case 'Biennial':
      return 24;
    case 'Triennial':
      return 36;
  }
}

/** Days after a purchase, renewal or increase during which the added seats may be removed again. */
export const SHERWEB_GRACE_DAYS = 7;

/** Builds a commitment term that started at `termStartMs`, with a grace window while it is still open. */
export function commitmentFor(
  type: SherwebCommitmentTermType,
  termStartMs: number,
  nowMs: number,
  autoRenew = true,
): SherwebCommitmentTerm {
  const nextStart = addMonths(termStartMs, termMonths(type));
  const graceEnd = termStartMs + SHERWEB_GRACE_DAYS * DAY_MS;
  return {
    type,
    termEndDate: sherwebDate(nextStart - DAY_MS),
    renewalConfiguration: autoRenew ? { renewalDate: sherwebDate(nextStart), scheduledQuantity: null } : null,
    committedMinimalQuantities: graceEnd > nowMs ? [{ committedUntil: sherwebDateTime(graceEnd), quantity: 0 }] : [],
  };
}

/**
 * The lowest quantity a subscription may be lowered to right now: the smallest `quantity` among the
 * committed minimal quantities still in force, else the current quantity (no decrease at all). Subscriptions
 * without commitment may go down to 1.
 */
export function minimalQuantityNow(sub: SherwebSubscription, nowMs: number): number {
  if (!sub.commitmentTerm) return 1;
  const open = (sub.commitmentTerm.committedMinimalQuantities ?? []).filter(
    (c) => Date.parse(c.committedUntil) > nowMs,
  );
  if (open.length === 0) return sub.quantity;
  return Math.min(...open.map((c) => c.quantity));
}
