/**
 * In-memory state of the TD SYNNEX StreamOne Ion v3 fake.
 *
 * Wire objects are stored as Ion sends them: camelCase keys, int64 ids as strings in bodies, seat counts as
 * strings (`subscriptionTotalLicenses`), subscription statuses in lower case (as observed, although the vendor's
 * spec lists them upper case). Fake-only bookkeeping lives next to the wire objects.
 */

/** `customerStatus` values. */
export type IonCustomerStatus = 'CUSTOMER_STATUS_UNSPECIFIED' | 'ACTIVE' | 'INACTIVE';

/** A customer as `GET …/customers` and `GET …/customers/{id}` return it. The id is the last segment of `name`. */
export interface IonCustomer {
  /** `accounts/{accountId}/customers/{customerId}`. */
  name: string;
  customerOrganization: string;
  customerAddress: { street: string; suite: string; city: string; state: string; zip: string; country: string };
  customerName: string;
  customerEmail: string;
  customerTitle: string;
  customerPhone: string;
  createTime: string;
  updateTime: string;
  languageCode: string;
  uid: string;
  customerStatus: IonCustomerStatus;
}

/** Ion catalog ids of a subscription, with display names. */
export interface IonCcpProductInfo {
  productId: string;
  productDisplayName: string;
  skuId: string;
  skuDisplayName: string;
  planId: string;
  planDisplayName: string;
}

/** One entry of a subscription's `activityLogs.items`. */
export interface IonActivityLog {
  id: string;
  actionType: string;
  actionDate: string;
  actionStatus: string;
  productId: string;
  skuId: string;
  actionDetails: string;
  ccpUserId: string;
  ccpUserName: string;
  ccpUserEmail: string;
}

/** A subscription as `GET …/subscriptions` lists it (the detail read adds `activityLogs`). */
export interface IonSubscription {
  id: string;
  customerId: string;
  resellerId: string;
  isvId: string;
  cloudProviderId: string;
  cloudProviderName: string;
  /** The provider's subscription id (Microsoft subscription GUID); `resourceId` of UPDATE orders. */
  subscriptionId: string;
  subscriptionName: string;
  resourceType: string;
  ccpProductId: string;
  ccpSkuId: string;
  ccpPlanId: string;
  subscriptionProductId: string;
  subscriptionSkuId: string;
  subscriptionOfferId: string;
  /** Seat count, as a string. */
  subscriptionTotalLicenses: string;
  unitType: string;
  /** Lower case: `active`, `pending`, `suspended`, `cancelled`, `expired`. */
  subscriptionStatus: string;
  subscriptionPurchasedDate: string;
  subscriptionStartDate: string;
  subscriptionEndDate: string;
  cancellationAllowedUntilDate: string;
  subscriptionBillingType: string;
  subscriptionBillingCycle: string;
  /** ISO-8601 commitment term: `P1M`, `P1Y`, `P3Y`. */
  subscriptionBillingTerm: string;
  subscriptionRenewStatus: string;
  resellerPO: string;
  customerPO: string;
  ccpProductInfo: IonCcpProductInfo;
  isTrial: boolean;
  autoRenew: boolean;
  customerName: string;
  partnerName: string;
  lastUpdatedDate: string;
  price: number;
  cost: number;
  currency: string;
  margin: number;
  total: number;
  msrp: number;
  renewalDate: string;
  mfgPartNumber: string;
}

/** A name/value attribute of an order item. */
export interface IonAttribute {
  name: string;
  value: string;
}

/** An order-level or item-level error. */
export interface IonOrderError {
  code: string;
  detail: string;
  sourceName: string;
  instancePath: string;
}

/** An item of an order. */
export interface IonOrderItem {
  name: string;
  referenceId: string;
  action: 'CREATE' | 'UPDATE';
  resourceId: string;
  productId: string;
  skuId: string;
  planId: string;
  quantity: number;
  providerName: string;
  price: number;
  endCustomerPO: string;
  resellerPO: string;
  addOns: unknown[];
  attributes: IonAttribute[];
  catalogAttributes: IonAttribute[];
  cartItemId: string;
  status: string;
  errors: IonOrderError[];
  additionalInformation: string;
}

/** Order statuses. */
export type IonOrderStatus = 'NEW' | 'CONFIRMED' | 'ON_HOLD' | 'IN_PROGRESS' | 'COMPLETED' | 'ERROR' | 'CANCELED';

/** An order (purchase or seat change) as the orders endpoints return it. */
export interface IonOrder {
  /** `accounts/{accountId}/customers/{customerId}/orders/{orderId}`. */
  name: string;
  accountId: string;
  customerId: string;
  orderId: string;
  referenceId: string;
  displayName: string;
  userId: string;
  userName: string;
  userEmail: string;
  status: IonOrderStatus;
  currencyCode: string;
  total: number;
  cartId: string;
  errors: IonOrderError[];
  orderItems: IonOrderItem[];
  provisioningInfo: { processId: string; processName: string; details: string };
  createTime: string;
  updateTime: string;
}

/** A plan of a SKU in the catalog. */
export interface IonPlan {
  id: string;
  displayName: string;
  billingPeriod: string;
  /** Fake-only: the commitment term the plan sells (`P1M`/`P1Y`); not sent on the wire. */
  term: string;
  /** Fake-only: the manufacturer part number of the plan; not sent on the wire. */
  mfgPartNumber: string;
  /** Fake-only: unit price. */
  price: number;
}

/** A SKU of a catalog product. */
export interface IonSku {
  id: string;
  displayName: string;
  description: string;
  plans: IonPlan[];
  /** Fake-only: the Microsoft product id (e.g. `CFQ7TTC0LCHC`). */
  providerProductId: string;
}

/** A catalog product. */
export interface IonProduct {
  /** Ion product id (`productId` in orders, `ccpProductId` on subscriptions). */
  id: string;
  displayName: string;
  description: string;
  providerName: string;
  cloudProviderId: string;
  skus: IonSku[];
}

/** An issued refresh token. Each may be used once. */
export interface IonRefreshToken {
  expiresAt: number;
  used: boolean;
}

/** An issued access token. */
export interface IonAccessToken {
  expiresAt: number;
  /** The refresh token issued together with it. */
  refreshToken: string;
}

/** Fake-only bookkeeping of an order: when it completes by itself, and whether it is set to fail. */
export interface IonOrderProgress {
  readyAt: number;
  failWith?: string;
}

/** The whole fake state. Tests may read and change it freely. */
export interface IonState {
  /** The reseller account (`accountId` in paths). */
  accountId: string;
  partnerName: string;
  customers: Map<string, IonCustomer>;
  subscriptions: Map<string, IonSubscription>;
  /** Activity logs by subscription `id`. */
  activity: Map<string, IonActivityLog[]>;
  products: Map<string, IonProduct>;
  orders: Map<string, IonOrder>;
  /** Pending orders by `orderId`. */
  progress: Map<string, IonOrderProgress>;
  refreshTokens: Map<string, IonRefreshToken>;
  accessTokens: Map<string, IonAccessToken>;
  /** The refresh token a client must use next (the last one issued). */
  currentRefreshToken: string;
  nextCustomerId: number;
  nextSubscriptionId: number;
  nextOrderId: number;
}

/** An empty state for a reseller account. */
export function createIonState(accountId: string, initialRefreshToken: string, refreshExpiresAt: number): IonState {
  return {
    accountId,
    partnerName: 'Fake MSP Reseller',
    customers: new Map(),
    subscriptions: new Map(),
    activity: new Map(),
    products: new Map(),
    orders: new Map(),
    progress: new Map(),
    refreshTokens: new Map([[initialRefreshToken, { expiresAt: refreshExpiresAt, used: false }]]),
    accessTokens: new Map(),
    currentRefreshToken: initialRefreshToken,
    nextCustomerId: 700_000,
    nextSubscriptionId: 4_000_000,
    nextOrderId: 90_000,
  };
}

/** The customer id: the last path segment of a customer's `name`. */
export function ionCustomerId(customer: IonCustomer): string {
  return customer.name.slice(customer.name.lastIndexOf('/') + 1);
}

/** RFC 3339 with milliseconds, as Ion sends dates. */
export function ionDate(ms: number): string {
  return new Date(ms).toISOString();
}
