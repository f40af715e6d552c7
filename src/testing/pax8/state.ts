/**
 * In-memory state of the Pax8 Partner API fake. Every record is kept in the wire shape Pax8 sends
 * (camelCase, ISO date-times), so handlers can serialise them as they are; bookkeeping the vendor does
 * not expose (when seats were last added) lives in separate maps.
 */

/** `billingTerm` values of Pax8 subscriptions, pricing and order lines. */
export const PAX8_BILLING_TERMS = ['Monthly', 'Annual', '2-Year', '3-Year', 'One-Time', 'Trial', 'Activation'] as const;
/** A Pax8 billing term. */
export type Pax8BillingTerm = (typeof PAX8_BILLING_TERMS)[number];

/** `status` values of Pax8 subscriptions. */
export const PAX8_SUBSCRIPTION_STATUSES = [
  'Active',
  'Cancelled',
  'PendingManual',
  'PendingAutomated',
  'PendingCancel',
  'WaitingForDetails',
  'Trial',
  'Converted',
  'PendingActivation',
  'Activated',
] as const;
/** A Pax8 subscription status. */
export type Pax8SubscriptionStatus = (typeof PAX8_SUBSCRIPTION_STATUSES)[number];

/** `status` values of Pax8 companies. */
export const PAX8_COMPANY_STATUSES = ['Active', 'Inactive', 'Deleted'] as const;
/** A Pax8 company status. */
export type Pax8CompanyStatus = (typeof PAX8_COMPANY_STATUSES)[number];

/** Company address as Pax8 sends it (`country` is ISO 3166-1 alpha-2). */
export interface Pax8Address {
  street: string;
  street2?: string;
  city: string;
  stateOrProvince: string;
  postalCode: string;
  country: string;
}

/** A Pax8 company (end customer). */
export interface Pax8Company {
  id: string;
  name: string;
  address: Pax8Address;
  phone: string;
  website: string;
  externalId?: string;
  billOnBehalfOfEnabled: boolean;
  selfServiceAllowed: boolean;
  orderApprovalRequired: boolean;
  status: Pax8CompanyStatus;
}

/** A Pax8 product as listed by `GET /products`. */
export interface Pax8Product {
  id: string;
  name: string;
  vendorName: string;
  shortDescription: string;
  sku: string;
  vendorSku: string;
  requiresCommitment: boolean;
}

/** A Pax8 product as returned by `GET /products/{id}` (adds `description`). */
export interface Pax8ProductDetail extends Pax8Product {
  description: string;
}

/** One price rate of a {@link Pax8Pricing}. */
export interface Pax8Rate {
  partnerBuyRate: number;
  suggestedRetailPrice: number;
  startQuantityRange: number;
  endQuantityRange: number | null;
  chargeType: 'Per Unit' | 'Flat Rate';
}

/** One pricing entry of `GET /products/{id}/pricing` (rates are per unit per billing period in this fake). */
export interface Pax8Pricing {
  productId: string;
  productName: string;
  billingTerm: Pax8BillingTerm;
  commitmentTerm?: string;
  commitmentTermInMonths?: number;
  type: 'Flat' | 'Volume' | 'Tiered' | 'Mark-Up';
  unitOfMeasurement: string;
  rates: Pax8Rate[];
}

/** One commitment dependency of `GET /products/{id}/dependencies`. */
export interface Pax8Commitment {
  id: string;
  /** e.g. `Monthly`, `1-Year`, `3-Year`. */
  term: string;
  autoRenew: boolean;
  renewalWindowDaysBeforeTermEnd: number;
  renewalWindowDaysAfterTermEnd: number;
  allowForQuantityIncrease: boolean;
  allowForQuantityDecrease: boolean;
  allowForEarlyCancellation: boolean;
  cancellationFeeApplied: boolean;
  isTransferable: boolean;
}

/** One product dependency of `GET /products/{id}/dependencies`. */
export interface Pax8ProductDependency {
  name: string;
  products: Pax8Product[];
}

/** One provisioning detail of `GET /products/{id}/provision-details`. */
export interface Pax8ProvisioningDetail {
  label: string;
  key: string;
  description: string;
  valueType: 'Input' | 'Single-Value' | 'Multi-Value';
  possibleValues: string[] | null;
}

/** A product with everything the fake serves about it. */
export interface Pax8ProductRecord {
  product: Pax8ProductDetail;
  pricing: Pax8Pricing[];
  commitmentDependencies: Pax8Commitment[];
  productDependencies: Pax8ProductDependency[];
  provisionDetails: Pax8ProvisioningDetail[];
}

/** The commitment of a subscription (`null` on the subscription when there is none). */
export interface Pax8SubscriptionCommitment {
  /** In this fake: the id of the product's commitment dependency the subscription was bought with. */
  id: string;
  term: string;
  endDate: string;
}

/** A Pax8 subscription, in wire shape. */
export interface Pax8Subscription {
  id: string;
  parentSubscriptionId?: string;
  companyId: string;
  productId: string;
  productName: string;
  vendorSubscriptionId: string;
  vendorSkuId: string;
  quantity: number;
  startDate: string;
  /** Absent until the subscription is cancelled (trials carry one from the start). */
  endDate?: string;
  createdDate: string;
  updatedDate: string;
  /** `yyyy-MM-dd`. */
  billingStart: string;
  status: Pax8SubscriptionStatus;
  price: number;
  partnerCost: number;
  currencyCode: string;
  billingTerm: Pax8BillingTerm;
  commitmentTerm: Pax8SubscriptionCommitment | null;
}

/** One line of a Pax8 order, as the vendor returns it. */
export interface Pax8OrderLineItem {
  id: string;
  productId: string;
  /** Absent on `isMock=true` answers (nothing was created). */
  subscriptionId?: string;
  commitmentTermId?: string;
  provisionStartDate: string;
  billingTerm: Pax8BillingTerm;
  quantity: number;
}

/** A Pax8 order. */
export interface Pax8Order {
  id: string;
  companyId: string;
  /** `yyyy-MM-dd`. */
  createdDate: string;
  orderedBy: 'Pax8 Partner' | 'Customer' | 'Pax8';
  orderedByUserId: string;
  orderedByUserEmail?: string;
  isScheduled: boolean;
  lineItems: Pax8OrderLineItem[];
}

/** The whole in-memory state of the Pax8 fake. Maps keep insertion order, which is the listing order. */
export interface Pax8State {
  companies: Map<string, Pax8Company>;
  products: Map<string, Pax8ProductRecord>;
  subscriptions: Map<string, Pax8Subscription>;
  orders: Map<string, Pax8Order>;
  /**
   * Per subscription id: the ISO date-time seats were last added (purchase or quantity increase). The
   * 7-day decrease window of commitment subscriptions runs from the later of this and `startDate`.
   */
  seatsAddedAt: Map<string, string>;
}

/** Creates an empty state. */
export function createPax8State(): Pax8State {
  return {
    companies: new Map(),
    products: new Map(),
    subscriptions: new Map(),
    orders: new Map(),
    seatsAddedAt: new Map(),
  };
}

/** A random v4 uuid (crypto-strong). */
export function randomUuid(): string {
  return globalThis.crypto.randomUUID();
}

/** A v4-shaped uuid drawn from a deterministic PRNG (see `createRandom` in the kit). */
export function uuidFromRandom(random: () => number): string {
  const hex: string[] = [];
  for (let i = 0; i < 32; i += 1) hex.push(Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const MONTHS_BY_TERM: Record<string, number> = {
  Monthly: 1,
  Annual: 12,
  '1-Year': 12,
  '2-Year': 24,
  '3-Year': 36,
  'One-Time': 0,
  Trial: 0,
  Activation: 0,
};

/** Length in months of a billing or commitment term (`Monthly` 1, `Annual`/`1-Year` 12, ...; 0 when non-recurring). */
export function termMonths(term: string): number {
  const known = MONTHS_BY_TERM[term];
  if (known !== undefined) return known;
  const m = /^(\d+)-Year$/.exec(term);
  return m ? Number(m[1]) * 12 : 0;
}

/** Adds whole months to a date (UTC). */
export function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

/** Adds days to a date. */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

/** `yyyy-MM-dd` of a date (UTC). */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Converts a product detail to the list shape (drops `description`). */
export function toProductSummary(product: Pax8ProductDetail): Pax8Product {
  const { description: _description, ...summary } = product;
  return summary;
}

/**
 * The rate for a quantity: the pricing entry for `billingTerm` (and `commitmentTerm` when given, else the
 * first for that billing term), then the rate whose quantity range holds `quantity`.
 */
export function findRate(
  record: Pax8ProductRecord,
  billingTerm: Pax8BillingTerm,
  commitmentTerm: string | undefined,
  quantity: number,
): Pax8Rate | undefined {
  const candidates = record.pricing.filter((p) => p.billingTerm === billingTerm);
  const pricing =
    (commitmentTerm !== undefined ? candidates.find((p) => p.commitmentTerm === commitmentTerm) : undefined) ??
    candidates[0];
  if (!pricing) return undefined;
  return (
    pricing.rates.find(
      (r) => quantity >= r.startQuantityRange && (r.endQuantityRange === null || quantity <= r.endQuantityRange),
    ) ?? pricing.rates[0]
  );
}

/** Input of {@link addPax8Company}: everything but the name is optional. */
export type AddPax8CompanyInput = Partial<Pax8Company> & { name: string };

/** Adds a company (Active, with a placeholder US address unless given) and returns it. */
export function addPax8Company(state: Pax8State, input: AddPax8CompanyInput): Pax8Company {
  const company: Pax8Company = {
    id: input.id ?? randomUuid(),
    name: input.name,
    address: input.address ?? {
      street: '100 Main St',
      city: 'Denver',
      stateOrProvince: 'CO',
      postalCode: '80202',
      country: 'US',
    },
    phone: input.phone ?? '555-555-0100',
    website: input.website ?? 'https://www.example.com',
    ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
    billOnBehalfOfEnabled: input.billOnBehalfOfEnabled ?? false,
    selfServiceAllowed: input.selfServiceAllowed ?? false,
    orderApprovalRequired: input.orderApprovalRequired ?? false,
    status: input.status ?? 'Active',
  };
  state.companies.set(company.id, company);
  return company;
}

/** Input of {@link addPax8Subscription}. */
export interface AddPax8SubscriptionInput {
  id?: string;
  companyId: string;
  productId: string;
  quantity: number;
  /** Default `Monthly`. */
  billingTerm?: Pax8BillingTerm;
  /**
   * Id of one of the product's commitment dependencies. When omitted on a product that requires a
   * commitment, the dependency matching the billing term is picked (`Annual` → `1-Year`, `3-Year` → `3-Year`,
   * anything else → none). A dependency whose term is `Monthly` gives `commitmentTerm: null`.
   */
  commitmentTermId?: string | null;
  /** Default `Active`. */
  status?: Pax8SubscriptionStatus;
  /** Default: `now`. */
  startDate?: Date;
  /** Default: one day before `startDate`. */
  createdDate?: Date;
  /** Default: `now`. */
  updatedDate?: Date;
  endDate?: Date;
  /** When seats were last added (default: `startDate`). */
  seatsAddedAt?: Date;
  currencyCode?: string;
  vendorSubscriptionId?: string;
  price?: number;
  partnerCost?: number;
  parentSubscriptionId?: string;
  /** The clock reading used for the defaults (default: `new Date()`). */
  now?: Date;
}

/** Picks the commitment dependency for a billing term (`undefined`: none). */
export function defaultCommitmentFor(
  record: Pax8ProductRecord,
  billingTerm: Pax8BillingTerm,
): Pax8Commitment | undefined {
  if (!record.product.requiresCommitment) return undefined;
  const wanted = billingTerm === 'Annual' ? '1-Year' : billingTerm === 'Monthly' ? 'Monthly' : billingTerm;
  return record.commitmentDependencies.find((c) => c.term === wanted);
}

/** The subscription commitment for a dependency and start date (`null` for `Monthly` or no dependency). */
export function subscriptionCommitment(
  dependency: Pax8Commitment | undefined,
  startDate: Date,
): Pax8SubscriptionCommitment | null {
  if (!dependency || dependency.term === 'Monthly') return null;
  return {
    id: dependency.id,
    term: dependency.term,
    endDate: addMonths(startDate, termMonths(dependency.term)).toISOString(),
  };
}

/**
 * Adds a subscription, deriving product name, vendor SKU, price, cost and commitment from the product.
 * Throws when the company or product is unknown (a test set-up error, not a vendor answer).
 */
export function addPax8Subscription(state: Pax8State, input: AddPax8SubscriptionInput): Pax8Subscription {
  const company = state.companies.get(input.companyId);
  if (!company) throw new Error(`addPax8Subscription: unknown company ${input.companyId}`);
  const record = state.products.get(input.productId);
  if (!record) throw new Error(`addPax8Subscription: unknown product ${input.productId}`);
  const now = input.now ?? new Date();
  const billingTerm = input.billingTerm ?? 'Monthly';
  const startDate = input.startDate ?? now;
  let dependency: Pax8Commitment | undefined;
  if (input.commitmentTermId === undefined) dependency = defaultCommitmentFor(record, billingTerm);
  else if (input.commitmentTermId !== null) {
    dependency = record.commitmentDependencies.find((c) => c.id === input.commitmentTermId);
    if (!dependency) throw new Error(`addPax8Subscription: unknown commitment ${input.commitmentTermId}`);
  }
  const rate = findRate(record, billingTerm, dependency?.term, input.quantity);
  const id = input.id ?? randomUuid();
  const sub: Pax8Subscription = {
    id,
    ...(input.parentSubscriptionId !== undefined ? { parentSubscriptionId: input.parentSubscriptionId } : {}),
    companyId: company.id,
    productId: record.product.id,
    productName: record.product.name,
    vendorSubscriptionId: input.vendorSubscriptionId ?? randomUuid(),
    vendorSkuId: record.product.vendorSku,
    quantity: input.quantity,
    startDate: startDate.toISOString(),
    ...(input.endDate !== undefined ? { endDate: input.endDate.toISOString() } : {}),
    createdDate: (input.createdDate ?? addDays(startDate, -1)).toISOString(),
    updatedDate: (input.updatedDate ?? now).toISOString(),
    billingStart: isoDay(startDate),
    status: input.status ?? 'Active',
    price: input.price ?? rate?.suggestedRetailPrice ?? 0,
    partnerCost: input.partnerCost ?? rate?.partnerBuyRate ?? 0,
    currencyCode: input.currencyCode ?? 'USD',
    billingTerm,
    commitmentTerm: subscriptionCommitment(dependency, startDate),
  };
  state.subscriptions.set(sub.id, sub);
  state.seatsAddedAt.set(sub.id, (input.seatsAddedAt ?? startDate).toISOString());
  return sub;
}
