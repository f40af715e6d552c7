/**
 * In-memory state of the Ingram Micro Cloud Marketplace API fake: wire objects exactly as the Marketplace
 * API (CloudBlue SimpleAPI) sends them, plus the bookkeeping the fake needs (change windows, order timing).
 */

/** `Period` of a product or subscription. */
export interface IngramPeriod {
  type: 'day' | 'month' | 'year' | 'statement_day' | 'unknown';
  duration: number;
}

/** Money as the API sends it: the amount is a string. */
export interface IngramMoney {
  currency: string;
  amount: string;
}

/** `Address` of a customer. */
export interface IngramAddress {
  streetAddress: string;
  addressExtension?: string;
  postalCode: string;
  city: string;
  state?: string;
  countryCode: string;
}

/** `ContactPerson` of a customer (write-only `login`/`password` never come back). */
export interface IngramContactPerson {
  type: 'admin' | 'billing' | 'technical';
  firstName: string;
  lastName: string;
  email: string;
  phoneNumber: string;
}

/** Customer `status` enum. */
export type IngramCustomerStatus = 'pending' | 'active' | 'creditHold' | 'adminHold' | 'cancelled' | 'error';

/** `Customer` as returned by `GET /customers` and `GET /customers/{id}`. */
export interface IngramCustomer {
  id: string;
  externalId?: string;
  attributes: Record<string, string>;
  status: IngramCustomerStatus;
  name: string;
  address: IngramAddress;
  contactPersons: IngramContactPerson[];
  language: string;
  taxRegId?: string;
  resellerId: string;
}

/** A price or cost of a product. */
export interface IngramProductPrice extends IngramMoney {
  type: 'recurring' | 'setup' | 'overuse';
}

/** Product `billingModel` enum. */
export type IngramBillingModel =
  | 'chargeBeforeBillingPeriod'
  | 'chargeAfterBillingPeriod'
  | 'chargeBeforeSubscriptionPeriod'
  | 'chargeExternalRating'
  | 'unknown';

/** `Product` as returned by `GET /products`. */
export interface IngramProduct {
  mpn: string;
  vendor: string;
  id: string;
  serviceName: string;
  name: string;
  /** A string on the wire. */
  minimumQuantity: string;
  /** A string on the wire. */
  maximumQuantity: string;
  prices: IngramProductPrice[];
  costs: IngramProductPrice[];
  billingPeriod: IngramPeriod;
  subscriptionPeriod: IngramPeriod;
  billingModel: IngramBillingModel;
}

/** Subscription `status` enum. */
export type IngramSubscriptionStatus = 'pending' | 'active' | 'hold' | 'terminated' | 'removed' | 'unknown';

/** One product line of a detailed subscription (`quantity` is the current total). */
export interface IngramSubscriptionProduct {
  mpn: string;
  vendor: string;
  id: string;
  quantity: number;
  name: string;
  unitPrice: IngramMoney;
  unitCost: IngramMoney;
  extendedPrice: IngramMoney;
  vendorSubscriptionId: string;
}

/** Subscription list row (`GET /subscriptions`): no products, no quantity. */
export interface IngramSubscription {
  id: string;
  name: string;
  customerId: string;
  status: IngramSubscriptionStatus;
  attributes: Record<string, string>;
  renewalStatus: boolean;
  creationDate: string;
  renewalDate: string;
  lastModifiedDate: string;
  expirationDate: string;
  billingModel: IngramBillingModel;
  billingPeriod: IngramPeriod;
  subscriptionPeriod: IngramPeriod;
}

/** `SubscriptionDetailed` (`GET /subscriptions/{id}`). */
export interface IngramSubscriptionDetailed extends IngramSubscription {
  totalPrice: IngramMoney;
  products: IngramSubscriptionProduct[];
  orderParameters: { name: string; value: string }[];
  fulfillmentParameters: { name: string; value: string }[];
  planId: number;
}

/** A subscription held by the fake. */
export interface IngramSubscriptionRecord {
  subscription: IngramSubscriptionDetailed;
  /** ms since epoch: creation order (lists are newest first). */
  createdAt: number;
  /**
   * ms since epoch until which seats may be removed or the subscription cancelled (7 days after purchase or
   * renewal for committed Microsoft terms); `null` when there is no commitment (any change allowed).
   */
  changeWindowEnd: number | null;
}

/** Order `type` enum. */
export type IngramOrderType = 'sales' | 'change' | 'renewal' | 'cancellation' | 'migration' | 'unknown';

/** Order `status` enum. */
export type IngramOrderStatus = 'submitted' | 'processing' | 'error' | 'completed' | 'cancelled';

/** A product line of an order as read back (for change orders `quantity` is the signed delta). */
export interface IngramOrderLineProduct {
  mpn: string;
  vendor: string;
  id: string;
  name: string;
  quantity: number;
  subscriptionId?: string;
  billingPeriod?: IngramPeriod;
  subscriptionPeriod?: IngramPeriod;
}

/** A price line of an order (`details[]`). */
export interface IngramOrderDetail {
  type: string;
  mpn: string;
  productId: string;
  duration: IngramPeriod;
  description: string;
  quantity: number;
  unitPrice: IngramMoney;
  extendedPrice: IngramMoney;
}

/** `OrderDetailed` as returned by `POST /orders` and `GET /orders/{id}`. */
export interface IngramOrder {
  id: string;
  orderNumber: string;
  type: IngramOrderType;
  customerId: string;
  poNumber?: string;
  creationDate: string;
  provisioningDate?: string;
  status: IngramOrderStatus;
  statusCode: string;
  total: IngramMoney;
  details: IngramOrderDetail[];
  products?: IngramOrderLineProduct[];
  subscriptionId?: string;
  attributes: Record<string, string>;
}

/** An order held by the fake. */
export interface IngramOrderRecord {
  order: IngramOrder;
  createdAt: number;
  /** When provisioning finishes by itself (ms since epoch on the fake's clock). */
  dueAt: number;
  /** Subscriptions this order works on (created ones for sales). */
  subscriptionIds: string[];
  /** For change orders: the new total quantity per subscription id. */
  targets: Record<string, number>;
}

/** A token the fake issued. */
export interface IngramToken {
  marketplace: string;
  expiresAt: number;
}

/** A state-changing request the fake accepted (recorded whether or not the client saw the answer). */
export interface IngramAppliedWrite {
  at: string;
  method: string;
  path: string;
  body: unknown;
  orderId: string;
}

/** Everything the Ingram fake holds. */
export interface IngramState {
  customers: Map<string, IngramCustomer>;
  products: IngramProduct[];
  subscriptions: Map<string, IngramSubscriptionRecord>;
  orders: Map<string, IngramOrderRecord>;
  tokens: Map<string, IngramToken>;
  /** Subscription ids or MPNs whose next order fails in provisioning. */
  failing: Set<string>;
  /** Next numeric ids. */
  nextIds: { customer: number; subscription: number; order: number };
}

/** An empty state. */
export function createIngramState(): IngramState {
  return {
    customers: new Map(),
    products: [],
    subscriptions: new Map(),
    orders: new Map(),
    tokens: new Map(),
    failing: new Set(),
    nextIds: { customer: 1_002_100, subscription: 2_006_000, order: 7_000_001 },
  };
}

/** `yyyy-MM-dd` (UTC). */
export function ingramDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Money with a two-decimals string amount. */
export function money(amount: number, currency = 'USD'): IngramMoney {
  return { currency, amount: amount.toFixed(2) };
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

/** Months in a period (0 when not time-based). */
export function periodMonths(p: IngramPeriod): number {
  if (p.type === 'year') return 12 * p.duration;
  if (p.type === 'month') return p.duration;
  return 0;
}

/** Days after purchase or renewal during which seats may be removed or the subscription cancelled. */
export const INGRAM_CHANGE_WINDOW_DAYS = 7;

/** The list-row view of a detailed subscription. */
export function subscriptionRow(s: IngramSubscriptionDetailed): IngramSubscription {
  const { totalPrice: _t, products: _p, orderParameters: _o, fulfillmentParameters: _f, planId: _i, ...row } = s;
  return row;
}
