import * as z from 'zod';
import type { components } from '../../../generated/pax8.js';
import { type WireContext, mapEnum, parseWire, vendorDate, vendorQuantity } from '../../core/wire.js';
import type { Customer, CustomerStatus } from '../../model/customer.js';
import type { Product } from '../../model/product.js';
import type {
  BillingTerm,
  Commitment,
  RequestableBillingTerm,
  Subscription,
  SubscriptionConstraints,
  SubscriptionStatus,
} from '../../model/subscription.js';

/** Pax8 wire types, from our spec (specs/pax8.yaml). */
export type Pax8Company = components['schemas']['Company'];
export type Pax8Product = components['schemas']['Product'];
export type Pax8Subscription = components['schemas']['Subscription'];
export type Pax8BillingTerm = components['schemas']['BillingTerm'];
export type Pax8Commitment = components['schemas']['Commitment'];
export type Pax8Order = components['schemas']['Order'];
export type Pax8PageInfo = components['schemas']['PageInfo'];

const PROVIDER = 'pax8';

// Tolerant checks of what the SDK reads; everything else passes through untouched in `raw`.
const CompanyWire = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullish(),
  status: z.string().nullish(),
  externalId: z.string().nullish(),
  address: z.looseObject({ country: z.string().nullish() }).nullish(),
});
const ProductWire = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullish(),
  sku: z.string().nullish(),
  vendorSku: z.string().nullish(),
  vendorName: z.string().nullish(),
  shortDescription: z.string().nullish(),
  description: z.string().nullish(),
  requiresCommitment: z.boolean().nullish(),
});
const SubscriptionWire = z.looseObject({
  id: z.string().min(1),
  companyId: z.string().min(1),
  productId: z.string().nullish(),
  productName: z.string().nullish(),
  vendorSkuId: z.string().nullish(),
  quantity: z.union([z.number(), z.string()]),
  status: z.string().nullish(),
  billingTerm: z.string().nullish(),
  price: z.number().nullish(),
  partnerCost: z.number().nullish(),
  currencyCode: z.string().nullish(),
  commitmentTerm: z
    .looseObject({ id: z.string().nullish(), term: z.string().nullish(), endDate: z.unknown() })
    .nullish(),
});
const PageWire = z.looseObject({
  content: z.array(z.unknown()),
  page: z.looseObject({
    size: z.coerce.number(),
    totalElements: z.coerce.number(),
    totalPages: z.coerce.number(),
    number: z.coerce.number(),
  }),
});

const SUBSCRIPTION_STATUS: Record<string, SubscriptionStatus> = {
  Active: 'active',
  Trial: 'active',
  Activated: 'active',
  PendingManual: 'pending',
  PendingAutomated: 'pending',
  WaitingForDetails: 'pending',
  PendingActivation: 'pending',
  // Cancelled with an end date but not yet deprovisioned: not a target for new seats.
  PendingCancel: 'cancelled',
  Cancelled: 'cancelled',
  Converted: 'expired',
};

const BILLING_TERM: Record<string, BillingTerm> = {
  Monthly: 'monthly',
  Annual: 'annual',
  '2-Year': 'biennial',
  '3-Year': 'triennial',
  'One-Time': 'one-time',
  Activation: 'one-time',
  Trial: 'trial',
};

const TO_PAX8_TERM: Record<RequestableBillingTerm, Pax8BillingTerm> = {
  monthly: 'Monthly',
  annual: 'Annual',
  biennial: '2-Year',
  triennial: '3-Year',
  'one-time': 'One-Time',
  trial: 'Trial',
};

const CUSTOMER_STATUS: Record<string, CustomerStatus> = {
  Active: 'active',
  Inactive: 'inactive',
  Deleted: 'deleted',
};

/** The Pax8 `billingTerm` for a normalized one. */
export function toPax8BillingTerm(term: RequestableBillingTerm): Pax8BillingTerm {
  return TO_PAX8_TERM[term];
}

/** Pax8 commitment text (`1-Year`, `3-Year`, `Monthly`, `1 Month`) as an ISO 8601 duration, or null. */
export function pax8TermToIso(term: string | null | undefined): string | null {
  if (!term) return null;
  const t = term.trim().toLowerCase();
  if (t === 'monthly') return 'P1M';
  if (t === 'annual' || t === 'yearly') return 'P1Y';
  const m = /^(\d+)[\s-]*(year|yr|month|mo)s?$/.exec(t);
  if (!m) return null;
  return `P${m[1]}${m[2]!.startsWith('y') ? 'Y' : 'M'}`;
}

/** Reads a paged envelope `{content, page}`. */
export function mapPage(raw: unknown, ctx: WireContext): { content: unknown[]; page: Pax8PageInfo } {
  return parseWire(PageWire, raw, 'page', ctx);
}

/** Pax8 company -> Customer. */
export function mapCompany(raw: unknown, ctx: WireContext): Customer {
  const c = parseWire(CompanyWire, raw, 'company', ctx);
  return {
    provider: PROVIDER,
    id: c.id,
    name: c.name ?? '',
    status: mapEnum(c.status, CUSTOMER_STATUS, 'unknown'),
    rawStatus: c.status ?? null,
    tenantId: null,
    externalId: c.externalId ?? null,
    country: c.address?.country ?? null,
    raw,
  };
}

/** Pax8 product -> Product. */
export function mapProduct(raw: unknown, ctx: WireContext): Product {
  const p = parseWire(ProductWire, raw, 'product', ctx);
  return {
    provider: PROVIDER,
    id: p.id,
    name: p.name ?? '',
    sku: p.sku ?? null,
    vendorSku: p.vendorSku ?? null,
    vendorName: p.vendorName ?? null,
    description: p.description ?? p.shortDescription ?? null,
    requiresCommitment: p.requiresCommitment ?? null,
    raw,
  };
}

/** Microsoft NCE allows seat decreases only within 7 days of a purchase, renewal or increase. */
const NCE_DECREASE_WINDOW_MS = 7 * 24 * 3600 * 1000;

/** What Pax8's commitment dependency says about a product, when the client looked it up. */
export type Pax8CommitmentRules = Pick<
  Pax8Commitment,
  'allowForQuantityIncrease' | 'allowForQuantityDecrease' | 'allowForEarlyCancellation' | 'autoRenew'
>;

function constraintsOf(
  commitment: Commitment | null,
  startDate: string | null,
  status: SubscriptionStatus,
  rules: Pax8CommitmentRules | undefined,
  now: Date,
): SubscriptionConstraints {
  const notes: string[] = [];
  if (status === 'cancelled' || status === 'expired') {
    return {
      canIncrease: false,
      canDecrease: false,
      decreaseAllowedUntil: null,
      canCancel: false,
      refundableQuantity: null,
      notes: [`the subscription is ${status}`],
    };
  }
  if (!commitment || commitment.term === 'P1M') {
    notes.push('no commitment beyond the month: seats can be changed and the subscription cancelled');
    return {
      canIncrease: rules?.allowForQuantityIncrease ?? true,
      canDecrease: rules?.allowForQuantityDecrease ?? true,
      decreaseAllowedUntil: null,
      canCancel: rules?.allowForEarlyCancellation ?? true,
      refundableQuantity: null,
      notes,
    };
  }
  // Committed term: decreases only in the window after purchase; Pax8 answers 422 outside it.
  let canDecrease: boolean | null = rules?.allowForQuantityDecrease === false ? false : null;
  let until: string | null = null;
  if (startDate) {
    const end = Date.parse(startDate) + NCE_DECREASE_WINDOW_MS;
    if (end > now.getTime()) {
      until = new Date(end).toISOString();
      if (canDecrease === null) canDecrease = true;
    }
  }
  notes.push(
    `committed term ${commitment.term}${commitment.endDate ? ` until ${commitment.endDate}` : ''}: seat decreases are accepted only within 7 days of purchase, renewal or an increase (Microsoft NCE)`,
  );
  return {
    canIncrease: rules?.allowForQuantityIncrease ?? true,
    canDecrease,
    decreaseAllowedUntil: until,
    canCancel: rules?.allowForEarlyCancellation ?? null,
    refundableQuantity: null,
    notes,
  };
}

/** Pax8 subscription -> Subscription. `rules` (product commitment dependency) refines the constraints. */
export function mapSubscription(
  raw: unknown,
  ctx: WireContext,
  options: { now?: Date; rules?: Pax8CommitmentRules | undefined } = {},
): Subscription {
  const s = parseWire(SubscriptionWire, raw, 'subscription', ctx);
  const r = raw as Record<string, unknown>;
  const status = mapEnum(s.status, SUBSCRIPTION_STATUS, 'unknown');
  const startDate = vendorDate(r.startDate, 'startDate', ctx);
  const commitmentTerm = s.commitmentTerm ? pax8TermToIso(s.commitmentTerm.term) : null;
  const commitment: Commitment | null = commitmentTerm
    ? { term: commitmentTerm, endDate: vendorDate(s.commitmentTerm?.endDate, 'commitmentTerm.endDate', ctx) }
    : null;
  const constraints = constraintsOf(commitment, startDate, status, options.rules, options.now ?? new Date());
  if (s.commitmentTerm && !commitmentTerm) {
    constraints.notes.push(`unrecognised commitment term ${JSON.stringify(s.commitmentTerm.term)} (kept in raw)`);
  }
  const currency = s.currencyCode ?? null;
  return {
    provider: PROVIDER,
    id: s.id,
    customerId: s.companyId,
    productId: s.productId ?? null,
    sku: s.vendorSkuId ?? null,
    name: s.productName ?? '',
    status,
    rawStatus: s.status ?? null,
    quantity: vendorQuantity(s.quantity, 'quantity', ctx),
    billingTerm: mapEnum(s.billingTerm, BILLING_TERM, 'unknown'),
    rawBillingTerm: s.billingTerm ?? null,
    commitment,
    startDate,
    renewalDate: commitment?.endDate ?? null,
    endDate: vendorDate(r.endDate, 'endDate', ctx),
    autoRenew: options.rules?.autoRenew ?? null,
    price: typeof s.price === 'number' ? { amount: s.price, currency } : null,
    cost: typeof s.partnerCost === 'number' ? { amount: s.partnerCost, currency } : null,
    constraints,
    raw,
  };
}
