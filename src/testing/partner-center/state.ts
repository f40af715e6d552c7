/**
 * In-memory state of the Microsoft Partner Center fake. Records are kept in the wire shape Partner Center sends
 * (camelCase names, lower-case enum values such as `active` or `one_time`, ISO date-times); what the service
 * computes on every read (links, etag, the live `refundableQuantity`) is rendered by the fake from the
 * bookkeeping kept next to each record.
 */

/** A link as Partner Center sends it: `uri` is relative to `/v1`. */
export interface PartnerCenterLink {
  uri: string;
  method: string;
  headers: { key: string; value: string }[];
}

/** The `links` object of a resource or collection. */
export interface PartnerCenterLinks {
  self?: PartnerCenterLink;
  next?: PartnerCenterLink;
  previous?: PartnerCenterLink;
  [name: string]: PartnerCenterLink | undefined;
}

/** The `attributes` object of every resource. */
export interface PartnerCenterAttributes {
  objectType: string;
  etag?: string;
}

/** The collection envelope (`totalCount` counts the items of this page). */
export interface PartnerCenterCollection<T> {
  totalCount: number;
  items: T[];
  continuationToken?: string;
  links: PartnerCenterLinks;
  attributes: PartnerCenterAttributes;
}

/** The error body of Partner Center (`code` is numeric in the samples; the SDK must accept a string too). */
export interface PartnerCenterApiFault {
  code: number | string;
  description: string;
  errorName?: string;
  isRetryable?: boolean;
  parameters?: Record<string, string>;
  data: unknown[];
  source: string;
}

/** A postal address. */
export interface PartnerCenterAddress {
  country: string;
  region?: string;
  city: string;
  state?: string;
  addressLine1: string;
  addressLine2?: string;
  postalCode: string;
  firstName?: string;
  lastName?: string;
  phoneNumber?: string;
}

/** `companyProfile` of a customer. */
export interface PartnerCenterCompanyProfile {
  tenantId: string;
  domain: string;
  companyName: string;
  email?: string;
  address?: PartnerCenterAddress;
}

/** `billingProfile` of a customer (only sent by `GET /customers/{id}`). */
export interface PartnerCenterBillingProfile {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  culture: string;
  language: string;
  companyName: string;
  defaultAddress: PartnerCenterAddress;
}

/** A customer as kept by the fake (links and attributes are added on the way out). */
export interface PartnerCenterCustomer {
  /** The customer's Entra tenant id. */
  id: string;
  commerceId: string;
  companyProfile: PartnerCenterCompanyProfile;
  billingProfile: PartnerCenterBillingProfile;
  relationshipToPartner: string;
  allowDelegatedAccess: boolean;
  customDomains?: string[];
  associatedPartnerId?: string;
}

/** `productType` of products and subscriptions (`OnlineServices`, `OnlineServicesNCE`, `Azure`, ...). */
export interface PartnerCenterProductType {
  id: string;
  displayName: string;
  subType?: { id: string; displayName: string };
}

/** A catalog product (`GET /products`). */
export interface PartnerCenterProduct {
  id: string;
  title: string;
  description: string;
  productType: PartnerCenterProductType;
  isMicrosoftProduct: boolean;
  publisherName: string;
}

/** A SKU of a product. */
export interface PartnerCenterSku {
  id: string;
  productId: string;
  title: string;
  description: string;
  minimumQuantity: number;
  maximumQuantity: number;
  isTrial: boolean;
  supportedBillingCycles: string[];
  purchasePrerequisites: string[];
  inventoryVariables: string[];
  provisioningVariables: string[];
  dynamicAttributes: Record<string, unknown>;
  consumptionType?: string;
  /** Set on products that need the customer's attestation: carts without `attestationAccepted: true` get 10012. */
  attestationProperties?: { attestationType: string; enforceAttestation: boolean };
}

/** One refund option of a cancellation policy (`expiresAfter` is an ISO-8601 duration). */
export interface PartnerCenterRefundOption {
  sequenceId: number;
  type: 'Full' | 'Partial';
  expiresAfter: string;
}

/** One purchasable term of an availability. */
export interface PartnerCenterTerm {
  id: string;
  duration: string;
  description: string;
  billingCycle: string;
  cancellationPolicies: { refundOptions: PartnerCenterRefundOption[] }[];
}

/** An availability of a SKU (what a cart line buys, through `catalogItemId`). */
export interface PartnerCenterAvailability {
  id: string;
  productId: string;
  skuId: string;
  catalogItemId: string;
  defaultCurrency: { code: string; symbol: string };
  segment: string;
  country: string;
  isPurchasable: boolean;
  isRenewable: boolean;
  terms: PartnerCenterTerm[];
}

/** Catalog entry: a product with its SKUs and their availabilities. */
export interface PartnerCenterProductRecord {
  product: PartnerCenterProduct;
  skus: { sku: PartnerCenterSku; availabilities: PartnerCenterAvailability[] }[];
}

/** `refundableQuantity` of a new-commerce subscription. */
export interface PartnerCenterRefundableQuantity {
  totalQuantity: number;
  details: { quantity: number; allowedUntilDateTime: string }[];
}

/** Subscription `status` values (lower-case on the wire). */
export const PARTNER_CENTER_SUBSCRIPTION_STATUSES = [
  'none',
  'active',
  'pending',
  'suspended',
  'expired',
  'disabled',
  'deleted',
] as const;
/** A subscription status. */
export type PartnerCenterSubscriptionStatus = (typeof PARTNER_CENTER_SUBSCRIPTION_STATUSES)[number];

/** A subscription as kept by the fake; `refundableQuantity`, `links` and `attributes` are rendered on read. */
export interface PartnerCenterSubscription {
  id: string;
  offerId: string;
  offerName: string;
  friendlyName: string;
  productType: PartnerCenterProductType;
  quantity: number;
  unitType: string;
  parentSubscriptionId?: string;
  hasPurchasableAddons: boolean;
  creationDate: string;
  effectiveStartDate: string;
  commitmentEndDate: string;
  cancellationAllowedUntilDate?: string;
  status: PartnerCenterSubscriptionStatus;
  autoRenewEnabled: boolean;
  isTrial: boolean;
  billingType: string;
  billingCycle: string;
  termDuration: string;
  renewalTermDuration?: string;
  refundOptions: { type: 'Full' | 'Partial'; expiresAt: string }[];
  isMicrosoftProduct: boolean;
  publisherName: string;
  partnerId: string;
  orderId: string;
  contractType: string;
  attentionNeeded: boolean;
  actionTaken: boolean;
  suspensionReasons: string[];
  scheduledNextTermInstructions?: unknown;
}

/** A batch of seats that can still be removed (new commerce), until `allowedUntil`. */
export interface RefundBatch {
  quantity: number;
  allowedUntil: Date;
}

/** A subscription with the fake's bookkeeping. */
export interface PartnerCenterSubscriptionRecord {
  customerId: string;
  subscription: PartnerCenterSubscription;
  /** New commerce only: seat batches still inside their 7-day reduction window. */
  refundBatches: RefundBatch[];
  /** Bumped on every change; rendered as `attributes.etag`. */
  version: number;
  /** For new-commerce subscriptions: `productId`, `skuId`, `availabilityId` of the catalog item. */
  catalog?: { productId: string; skuId: string; availabilityId: string };
  /** Provisioning status reported by `/provisioningstatus`. */
  provisioning: 'success' | 'pending' | 'failed';
}

/** One line of a cart. */
export interface PartnerCenterCartLineItem {
  id: number;
  catalogItemId: string;
  friendlyName?: string;
  quantity: number;
  currencyCode: string;
  billingCycle: string;
  termDuration: string;
  provisioningContext: Record<string, string>;
  orderGroup: string;
  error?: { errorCode: number; errorDescription: string };
  promotionId?: string;
  attestationAccepted?: boolean;
}

/** A cart (`status` is `Active` until checked out, then `Ordered`). */
export interface PartnerCenterCart {
  id: string;
  creationTimestamp: string;
  lastModifiedTimestamp: string;
  expirationTimestamp: string;
  lastModifiedUser: string;
  status: 'Active' | 'Ordered';
  lineItems: PartnerCenterCartLineItem[];
}

/** One line of an order. */
export interface PartnerCenterOrderLineItem {
  lineItemNumber: number;
  offerId: string;
  subscriptionId: string;
  termDuration: string;
  transactionType: string;
  friendlyName: string;
  quantity: number;
  partnerIdOnRecord?: string;
}

/** An order created by a checkout. */
export interface PartnerCenterOrder {
  id: string;
  alternateId: string;
  referenceCustomerId: string;
  billingCycle: string;
  currencyCode: string;
  currencySymbol: string;
  lineItems: PartnerCenterOrderLineItem[];
  creationDate: string;
  status: 'pending' | 'completed' | 'cancelled';
  transactionType: string;
}

/** A customer with the fake's bookkeeping. */
export interface PartnerCenterCustomerRecord {
  customer: PartnerCenterCustomer;
}

/** A cart with its customer. */
export interface PartnerCenterCartRecord {
  customerId: string;
  cart: PartnerCenterCart;
}

/** An order with its customer. */
export interface PartnerCenterOrderRecord {
  customerId: string;
  order: PartnerCenterOrder;
}

/** A change that is accepted but not finished yet (a 202 subscription PATCH, or an order while `asyncOrders`). */
export interface PartnerCenterOperation {
  id: string;
  kind: 'subscription-update' | 'order';
  customerId: string;
  subscriptionId?: string;
  orderId?: string;
  /** For `subscription-update`: the quantity to apply on completion. */
  quantity?: number;
  status: 'pending' | 'completed' | 'failed';
  createdAt: Date;
  /** When the fake's clock passes this, the operation completes by itself. */
  dueAt: Date;
}

/** Everything the fake knows. Open for tests to read and change. */
export interface PartnerCenterState {
  customers: Map<string, PartnerCenterCustomerRecord>;
  products: Map<string, PartnerCenterProductRecord>;
  subscriptions: Map<string, PartnerCenterSubscriptionRecord>;
  carts: Map<string, PartnerCenterCartRecord>;
  orders: Map<string, PartnerCenterOrderRecord>;
  operations: PartnerCenterOperation[];
}

/** An empty state. */
export function createPartnerCenterState(): PartnerCenterState {
  return {
    customers: new Map(),
    products: new Map(),
    subscriptions: new Map(),
    carts: new Map(),
    orders: new Map(),
    operations: [],
  };
}

/** Days in the new-commerce cancellation and seat-reduction window. */
export const NCE_WINDOW_DAYS = 7;

/** Product type id of new-commerce licence subscriptions. */
export const NCE_PRODUCT_TYPE = 'OnlineServicesNCE';

/** A lower-case v4-style UUID drawn from `random` (deterministic for a seeded PRNG). */
export function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** `date` plus `days` days. */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

/** `date` plus an ISO-8601 term (`P1M`, `P1Y`, `P3Y`, `P7D`...). */
export function addTerm(date: Date, term: string): Date {
  const m = /^P(\d+)([DMY])$/.exec(term);
  if (!m) return date;
  const n = Number(m[1]);
  const d = new Date(date.getTime());
  if (m[2] === 'D') return addDays(date, n);
  if (m[2] === 'M') d.setUTCMonth(d.getUTCMonth() + n);
  else d.setUTCFullYear(d.getUTCFullYear() + n);
  return d;
}

/** Midnight UTC of `date`, as Partner Center writes date-only values (`2025-03-01T00:00:00Z`). */
export function dayString(date: Date): string {
  return `${date.toISOString().slice(0, 10)}T00:00:00Z`;
}

/**
 * The inclusive end date of a term that starts on `start` (new-commerce end dates are inclusive: the term
 * ends at the end of that day).
 */
export function commitmentEnd(start: Date, term: string): Date {
  return addDays(addTerm(start, term), -1);
}

/** Whether a subscription is new commerce. */
export function isNewCommerce(subscription: PartnerCenterSubscription): boolean {
  return subscription.productType.id === NCE_PRODUCT_TYPE;
}

/** Seats of a record that can still be removed at `now`. */
export function refundableQuantity(
  record: PartnerCenterSubscriptionRecord,
  now: Date,
): PartnerCenterRefundableQuantity {
  const live = record.refundBatches.filter((b) => b.quantity > 0 && b.allowedUntil.getTime() > now.getTime());
  return {
    totalQuantity: live.reduce((sum, b) => sum + b.quantity, 0),
    details: live.map((b) => ({ quantity: b.quantity, allowedUntilDateTime: b.allowedUntil.toISOString() })),
  };
}

/** Finds the catalog entry of a `productId:skuId:availabilityId` catalog item id. */
export function findCatalogItem(
  state: PartnerCenterState,
  catalogItemId: string,
): { product: PartnerCenterProduct; sku: PartnerCenterSku; availability: PartnerCenterAvailability } | undefined {
  const [productId, skuId, availabilityId] = catalogItemId.split(':');
  const record = productId ? state.products.get(productId) : undefined;
  const skuEntry = record?.skus.find((s) => s.sku.id === skuId);
  const availability = skuEntry?.availabilities.find((a) => a.id === availabilityId);
  if (!record || !skuEntry || !availability) return undefined;
  return { product: record.product, sku: skuEntry.sku, availability };
}

/** Input of {@link addPartnerCenterCustomer}. */
export interface AddPartnerCenterCustomerInput {
  id: string;
  companyName: string;
  domain?: string;
  country?: string;
  commerceId?: string;
}

/** Adds a customer (reseller relationship, delegated access on) and returns it. */
export function addPartnerCenterCustomer(
  state: PartnerCenterState,
  input: AddPartnerCenterCustomerInput,
): PartnerCenterCustomer {
  const slug = input.companyName.toLowerCase().replace(/[^a-z0-9]+/g, '');
  const domain = input.domain ?? `${slug}.onmicrosoft.com`;
  const address: PartnerCenterAddress = {
    country: input.country ?? 'US',
    region: 'WA',
    city: 'Redmond',
    state: 'WA',
    addressLine1: '1 Main Street',
    postalCode: '98052',
    firstName: 'Admin',
    lastName: input.companyName,
  };
  const customer: PartnerCenterCustomer = {
    id: input.id,
    commerceId: input.commerceId ?? input.id,
    companyProfile: { tenantId: input.id, domain, companyName: input.companyName, email: `admin@${domain}`, address },
    billingProfile: {
      id: input.id.split('').reverse().join(''),
      firstName: 'Admin',
      lastName: input.companyName,
      email: `billing@${domain}`,
      culture: 'en-US',
      language: 'en',
      companyName: input.companyName,
      defaultAddress: address,
    },
    relationshipToPartner: 'reseller',
    allowDelegatedAccess: true,
    customDomains: [domain],
  };
  state.customers.set(customer.id, { customer });
  return customer;
}

/** Input of {@link addPartnerCenterSubscription}. */
export interface AddPartnerCenterSubscriptionInput {
  id: string;
  customerId: string;
  /** New commerce: a `productId:skuId:availabilityId` from the catalog. Legacy: any offer id with `legacy: true`. */
  offerId: string;
  /** Required for legacy subscriptions (new-commerce ones take the product title). */
  offerName?: string;
  legacy?: boolean;
  quantity: number;
  termDuration: 'P1M' | 'P1Y' | 'P3Y' | string;
  billingCycle: 'monthly' | 'annual' | 'triennial' | 'none' | 'one_time' | string;
  /** Start of the current term. */
  termStart: Date;
  /** Purchase date (defaults to the term start). */
  creationDate?: Date;
  status?: PartnerCenterSubscriptionStatus;
  autoRenewEnabled?: boolean;
  /** New commerce: seat batches still inside their reduction window. */
  refundBatches?: RefundBatch[];
  orderId?: string;
  friendlyName?: string;
}

/** Adds a subscription; new-commerce ones get their cancellation window from the term start. */
export function addPartnerCenterSubscription(
  state: PartnerCenterState,
  input: AddPartnerCenterSubscriptionInput,
): PartnerCenterSubscriptionRecord {
  const created = input.creationDate ?? input.termStart;
  const found = input.legacy ? undefined : findCatalogItem(state, input.offerId);
  if (!input.legacy && !found) throw new Error(`unknown catalog item ${input.offerId}`);
  const offerName = found?.sku.title ?? input.offerName ?? input.offerId;
  const status = input.status ?? 'active';
  const subscription: PartnerCenterSubscription = {
    id: input.id,
    offerId: input.offerId,
    offerName,
    friendlyName: input.friendlyName ?? offerName,
    productType: input.legacy
      ? { id: 'OnlineServices', displayName: 'OnlineServices' }
      : { id: NCE_PRODUCT_TYPE, displayName: NCE_PRODUCT_TYPE },
    quantity: input.quantity,
    unitType: 'Licenses',
    hasPurchasableAddons: false,
    creationDate: created.toISOString(),
    effectiveStartDate: dayString(input.termStart),
    commitmentEndDate: dayString(commitmentEnd(input.termStart, input.termDuration)),
    status,
    autoRenewEnabled: input.autoRenewEnabled ?? status === 'active',
    isTrial: false,
    billingType: 'license',
    billingCycle: input.billingCycle,
    termDuration: input.termDuration,
    renewalTermDuration: '',
    refundOptions: [],
    isMicrosoftProduct: true,
    publisherName: 'Microsoft Corporation',
    partnerId: '',
    orderId: input.orderId ?? input.id.replace(/-/g, '').slice(0, 14).toUpperCase(),
    contractType: 'subscription',
    attentionNeeded: false,
    actionTaken: false,
    suspensionReasons: status === 'suspended' ? ['CustomerCancellation'] : [],
  };
  if (!input.legacy) {
    const until = addDays(input.termStart, NCE_WINDOW_DAYS);
    subscription.cancellationAllowedUntilDate = until.toISOString();
    subscription.refundOptions = [{ type: 'Partial', expiresAt: until.toISOString() }];
  }
  const [productId = '', skuId = '', availabilityId = ''] = input.offerId.split(':');
  const record: PartnerCenterSubscriptionRecord = {
    customerId: input.customerId,
    subscription,
    refundBatches: input.legacy ? [] : (input.refundBatches ?? []),
    version: 1,
    provisioning: 'success',
    ...(input.legacy ? {} : { catalog: { productId, skuId, availabilityId } }),
  };
  state.subscriptions.set(subscription.id, record);
  return record;
}
