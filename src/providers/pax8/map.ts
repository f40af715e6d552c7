import * as z from 'zod';
import type { components } from '../../../generated/pax8.js';
import { ItemReader, fieldsOf } from '../../core/item-problems.js';
import { type WireContext, mapEnum, parseWire } from '../../core/wire.js';
import { type LicenseIdentity, licenseFromSku, unknownLicense } from '../../model/common.js';
import { toCountryCode } from '../../model/country.js';
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
// Ids and seat counts are read by an ItemReader (a record without them is returned flagged, not refused).
const CompanyWire = z.looseObject({
  id: z.unknown().optional(),
  name: z.string().nullish(),
  status: z.string().nullish(),
  externalId: z.string().nullish(),
  address: z.looseObject({ country: z.string().nullish() }).nullish(),
});
const ProductWire = z.looseObject({
  id: z.unknown().optional(),
  name: z.string().nullish(),
  sku: z.string().nullish(),
  vendorSku: z.string().nullish(),
  vendorName: z.string().nullish(),
  shortDescription: z.string().nullish(),
  description: z.string().nullish(),
  requiresCommitment: z.boolean().nullish(),
});
const SubscriptionWire = z.looseObject({
  id: z.unknown().optional(),
  companyId: z.unknown().optional(),
  productId: z.string().nullish(),
  productName: z.string().nullish(),
  vendorSkuId: z.string().nullish(),
  quantity: z.unknown().optional(),
  status: z.string().nullish(),
  billingTerm: z.string().nullish(),
  price: z.number().nullish(),
  partnerCost: z.number().nullish(),
  currencyCode: z.string().nullish(),
  commitmentTerm: z
    .looseObject({ id: z.string().nullish(), term: z.string().nullish(), endDate: z.unknown().optional() })
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
  // Cancelled with an end date but not yet deprovisioned: still running and billed until `endDate`.
  PendingCancel: 'pending-cancel',
  Cancelled: 'cancelled',
  Converted: 'expired',
};

/** Pax8 `billingTerm` (subscriptions and pricing use the same words). */
export const BILLING_TERM: Record<string, BillingTerm> = {
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
  const read = new ItemReader(ctx);
  const c = read.parse(CompanyWire, raw, 'company');
  return read.finish({
    provider: PROVIDER,
    id: read.id(c.id, 'id'),
    name: c.name ?? '',
    status: mapEnum(c.status, CUSTOMER_STATUS, 'unknown'),
    rawStatus: c.status ?? null,
    tenantId: null,
    externalId: c.externalId ?? null,
    country: toCountryCode(c.address?.country),
    rawCountry: c.address?.country ?? null,
    raw,
  });
}

/** Pax8 product -> Product. */
export function mapProduct(raw: unknown, ctx: WireContext): Product {
  const read = new ItemReader(ctx);
  const p = read.parse(ProductWire, raw, 'product');
  return read.finish({
    provider: PROVIDER,
    id: read.id(p.id, 'id'),
    name: p.name ?? '',
    sku: p.sku ?? null,
    vendorSku: p.vendorSku ?? null,
    vendorName: p.vendorName ?? null,
    description: p.description ?? p.shortDescription ?? null,
    requiresCommitment: p.requiresCommitment ?? null,
    license: pax8License(p.vendorSku, p.vendorName),
    // Pax8 publishes terms and prices per product (`/products/{id}/pricing`), not in the listing.
    offers: null,
    raw,
  });
}

/**
 * Pax8's `vendorSku` (product) / `vendorSkuId` (subscription) of a Microsoft product is the Graph `skuId` GUID;
 * a Microsoft catalog id (`CFQ7TTC0LCHC:0002`) is read as such. Other publishers' SKUs are not Microsoft's.
 */
function pax8License(vendorSku: string | null | undefined, vendorName?: string | null): LicenseIdentity {
  if (vendorName && !/microsoft/i.test(vendorName)) return unknownLicense();
  return licenseFromSku(vendorSku);
}

/** Microsoft NCE allows seat decreases only within 7 days of a purchase, renewal or increase. */
const NCE_DECREASE_WINDOW_MS = 7 * 24 * 3600 * 1000;

/** What Pax8's commitment dependency says about a product, when the client looked it up. */
export type Pax8CommitmentRules = Pick<
  Pax8Commitment,
  'allowForQuantityIncrease' | 'allowForQuantityDecrease' | 'allowForEarlyCancellation' | 'autoRenew'
> & { term?: string | undefined };

/** Months of an ISO term (`P1Y` -> 12), or null. */
function termMonths(term: string): number | null {
  const m = /^P(\d+)([MY])$/.exec(term);
  if (!m) return null;
  return Number(m[1]) * (m[2] === 'Y' ? 12 : 1);
}

function addUtcMonths(iso: string, months: number): number {
  const d = new Date(iso);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

/** When the current term began: the commitment end date minus one term (a renewal opens a new window). */
function termStartOf(commitment: Commitment): number | null {
  const months = termMonths(commitment.term);
  if (!commitment.endDate || months === null) return null;
  return addUtcMonths(commitment.endDate, -months);
}

/** The next monthly anniversary of `start` after `now` (the end of the running month of a P1M term). */
function nextMonthlyRenewal(start: string, now: Date): string | null {
  const t = Date.parse(start);
  if (Number.isNaN(t)) return null;
  const months = Math.max(
    0,
    (now.getUTCFullYear() - new Date(t).getUTCFullYear()) * 12 + now.getUTCMonth() - new Date(t).getUTCMonth(),
  );
  for (let k = months; k <= months + 2; k++) {
    const at = addUtcMonths(start, k);
    if (at > now.getTime()) return new Date(at).toISOString();
  }
  return null;
}

/** The window facts a Pax8 commitment check needs, read from the subscription as Pax8 returns it. */
interface WindowFacts {
  /** Latest moment seats are known to have been added (start or renewal of the current term). */
  knownAddedAt: number | null;
  /** Last update of the subscription (may or may not have added seats: Pax8 does not say). */
  updatedAt: number | null;
}

function windowFacts(commitment: Commitment, startDate: string | null, updatedDate: string | null): WindowFacts {
  const starts = [startDate ? Date.parse(startDate) : Number.NaN, termStartOf(commitment) ?? Number.NaN].filter(
    (n) => !Number.isNaN(n),
  );
  const updatedAt = updatedDate ? Date.parse(updatedDate) : Number.NaN;
  return {
    knownAddedAt: starts.length ? Math.max(...starts) : null,
    updatedAt: Number.isNaN(updatedAt) ? null : updatedAt,
  };
}

/** The outcome of Pax8's commitment rules for one change: allowed, refused, or not knowable from what Pax8 says. */
export interface Pax8RuleVerdict {
  verdict: 'allowed' | 'refused' | 'unknown';
  /** The rules applied, in words. */
  rules: string[];
  /** Until when the change stays allowed, when a window limits it. */
  until: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Whether Pax8 accepts a seat decrease on a subscription with a commitment term, by the rules Pax8 applies:
 * inside 7 days of the seats being added (purchase, renewal, increase) always; after that only when the
 * product's commitment dependency has `allowForQuantityDecrease`. Monthly subscriptions without a Pax8
 * `commitmentTerm` carry no such rule.
 */
export function pax8DecreaseVerdict(
  sub: Pick<Subscription, 'commitment' | 'startDate' | 'raw'>,
  rules: Pax8CommitmentRules | undefined,
  now: Date,
): Pax8RuleVerdict {
  const raw = (sub.raw ?? {}) as { commitmentTerm?: unknown; updatedDate?: unknown };
  if (!sub.commitment || !raw.commitmentTerm) {
    return {
      verdict: 'allowed',
      rules: ['Pax8 reports no commitment term on this subscription: it applies no decrease window'],
      until: null,
    };
  }
  const term = sub.commitment.term;
  if (rules?.allowForQuantityDecrease === true) {
    return {
      verdict: 'allowed',
      rules: [`the product's ${term} commitment allows quantity decreases during the term (allowForQuantityDecrease)`],
      until: null,
    };
  }
  const f = windowFacts(sub.commitment, sub.startDate, typeof raw.updatedDate === 'string' ? raw.updatedDate : null);
  const window = `seats of a ${term} commitment can be removed only within 7 days of being added (purchase, renewal or increase)`;
  if (f.knownAddedAt !== null && now.getTime() < f.knownAddedAt + NCE_DECREASE_WINDOW_MS) {
    const until = f.knownAddedAt + NCE_DECREASE_WINDOW_MS;
    return { verdict: 'allowed', rules: [`${window}: the window is open until ${iso(until)}`], until: iso(until) };
  }
  if (f.updatedAt !== null && now.getTime() < f.updatedAt + NCE_DECREASE_WINDOW_MS) {
    return {
      verdict: 'unknown',
      rules: [
        `${window}: the subscription was updated on ${iso(f.updatedAt)}; Pax8 does not say whether seats were added then (if so, the added seats can be removed until ${iso(f.updatedAt + NCE_DECREASE_WINDOW_MS)})`,
      ],
      until: null,
    };
  }
  if (rules === undefined) {
    return {
      verdict: 'unknown',
      rules: [`${window}, unless the product's commitment allows decreases: its commitment rules could not be read`],
      until: null,
    };
  }
  const closed = f.knownAddedAt !== null ? ` (it closed on ${iso(f.knownAddedAt + NCE_DECREASE_WINDOW_MS)})` : '';
  return {
    verdict: 'refused',
    rules: [
      `${window}${closed}`,
      `the product's ${term} commitment does not allow decreases during the term (allowForQuantityDecrease: false)`,
    ],
    until: null,
  };
}

/**
 * Whether Pax8 accepts a cancellation (now, or at `at`) on a subscription with a commitment term: at or
 * after the commitment end, within 7 days of the start of the term, or when the product's commitment has
 * `allowForEarlyCancellation`.
 */
export function pax8CancelVerdict(
  sub: Pick<Subscription, 'commitment' | 'startDate' | 'raw'>,
  rules: Pax8CommitmentRules | undefined,
  now: Date,
  at: Date = now,
): Pax8RuleVerdict {
  const raw = (sub.raw ?? {}) as { commitmentTerm?: unknown };
  if (!sub.commitment || !raw.commitmentTerm) {
    return {
      verdict: 'allowed',
      rules: ['Pax8 reports no commitment term on this subscription: no early-cancellation rule applies'],
      until: null,
    };
  }
  const term = sub.commitment.term;
  if (rules?.allowForEarlyCancellation === true) {
    return {
      verdict: 'allowed',
      rules: [`the product's ${term} commitment allows early cancellation (allowForEarlyCancellation)`],
      until: null,
    };
  }
  const end = sub.commitment.endDate ? Date.parse(sub.commitment.endDate) : Number.NaN;
  if (!Number.isNaN(end) && at.getTime() >= end) {
    return {
      verdict: 'allowed',
      rules: [`a ${term} commitment can be cancelled at its end (${iso(end)})`],
      until: null,
    };
  }
  const f = windowFacts(sub.commitment, sub.startDate, null);
  const window = `a ${term} commitment can be cancelled before its end${Number.isNaN(end) ? '' : ` (${iso(end)})`} only within 7 days of the start of the term`;
  if (f.knownAddedAt !== null && now.getTime() < f.knownAddedAt + NCE_DECREASE_WINDOW_MS) {
    const until = f.knownAddedAt + NCE_DECREASE_WINDOW_MS;
    return { verdict: 'allowed', rules: [`${window}: the window is open until ${iso(until)}`], until: iso(until) };
  }
  if (rules === undefined) {
    return {
      verdict: 'unknown',
      rules: [`${window}, unless the product's commitment allows early cancellation: its rules could not be read`],
      until: null,
    };
  }
  return {
    verdict: 'refused',
    rules: [
      window,
      `the product's ${term} commitment does not allow early cancellation (allowForEarlyCancellation: false)`,
    ],
    until: null,
  };
}

function constraintsOf(
  sub: Pick<Subscription, 'commitment' | 'startDate' | 'raw'>,
  status: SubscriptionStatus,
  rules: Pax8CommitmentRules | undefined,
  now: Date,
): SubscriptionConstraints {
  if (status === 'cancelled' || status === 'expired' || status === 'pending-cancel') {
    return {
      canIncrease: false,
      canDecrease: false,
      decreaseAllowedUntil: null,
      canCancel: false,
      refundableQuantity: null,
      notes: [
        status === 'pending-cancel'
          ? 'the subscription is cancelled at its end date (Pax8 PendingCancel): it cannot be changed'
          : `the subscription is ${status}`,
      ],
    };
  }
  const decrease = pax8DecreaseVerdict(sub, rules, now);
  const cancel = pax8CancelVerdict(sub, rules, now);
  const known = (v: Pax8RuleVerdict): boolean | null => (v.verdict === 'unknown' ? null : v.verdict === 'allowed');
  const notes = [...decrease.rules];
  for (const r of cancel.rules) if (!notes.includes(r)) notes.push(r);
  return {
    canIncrease: rules?.allowForQuantityIncrease ?? true,
    canDecrease: known(decrease),
    decreaseAllowedUntil: decrease.until,
    canCancel: known(cancel),
    refundableQuantity: null,
    notes,
  };
}

/** Pax8 subscription -> Subscription. `rules` (product commitment dependency) refines the constraints. */
export function mapSubscription(
  raw: unknown,
  ctx: WireContext,
  options: {
    now?: Date;
    rules?: Pax8CommitmentRules | undefined;
    /** The product's commitment dependencies, when known: a monthly subscription of a product offering a `Monthly` commitment (Microsoft NCE) is a `P1M` commitment. */
    productCommitments?: readonly Pick<Pax8Commitment, 'term'>[] | undefined;
  } = {},
): Subscription {
  const read = new ItemReader(ctx);
  const s = read.parse(SubscriptionWire, raw, 'subscription');
  const r = fieldsOf(raw);
  const status = mapEnum(s.status, SUBSCRIPTION_STATUS, 'unknown');
  const startDate = read.date(r.startDate, 'startDate');
  const now = options.now ?? new Date();
  const commitmentTerm = s.commitmentTerm ? pax8TermToIso(s.commitmentTerm.term) : null;
  let commitment: Commitment | null = commitmentTerm
    ? { term: commitmentTerm, endDate: read.date(s.commitmentTerm?.endDate, 'commitment', 'commitmentTerm.endDate') }
    : null;
  // Pax8 leaves `commitmentTerm` null on monthly NCE subscriptions; the product's `Monthly` commitment says P1M.
  const monthlyCommitment =
    !s.commitmentTerm &&
    s.billingTerm === 'Monthly' &&
    options.productCommitments?.some((c) => pax8TermToIso(c.term) === 'P1M') === true;
  if (monthlyCommitment) {
    commitment = { term: 'P1M', endDate: startDate ? nextMonthlyRenewal(startDate, now) : null };
  }
  const constraints = constraintsOf({ commitment, startDate, raw }, status, options.rules, now);
  if (monthlyCommitment) {
    constraints.notes.push(
      "monthly (P1M) commitment read from the product's Monthly commitment dependency; its end date is the next monthly anniversary of the start (derived)",
    );
  }
  if (s.commitmentTerm && !commitmentTerm) {
    // A commitment the SDK cannot read is not "no commitment": the record is flagged (the term stays in raw).
    read.add('commitment', 'commitmentTerm.term is not a commitment term the SDK knows');
    constraints.notes.push(`unrecognised commitment term ${JSON.stringify(s.commitmentTerm.term)} (kept in raw)`);
  }
  const currency = s.currencyCode ?? null;
  return read.finish({
    provider: PROVIDER,
    id: read.id(s.id, 'id'),
    customerId: read.id(s.companyId, 'customerId', 'companyId'),
    productId: s.productId ?? null,
    sku: s.vendorSkuId ?? null,
    name: s.productName ?? '',
    status,
    rawStatus: s.status ?? null,
    quantity: read.quantity(s.quantity, 'quantity'),
    billingTerm: mapEnum(s.billingTerm, BILLING_TERM, 'unknown'),
    rawBillingTerm: s.billingTerm ?? null,
    commitment,
    startDate,
    renewalDate: commitment?.endDate ?? null,
    endDate: read.date(r.endDate, 'endDate'),
    autoRenew: options.rules?.autoRenew ?? null,
    price: typeof s.price === 'number' ? { amount: s.price, currency } : null,
    cost: typeof s.partnerCost === 'number' ? { amount: s.partnerCost, currency } : null,
    constraints,
    license: licenseFromSku(s.vendorSkuId),
    raw,
  });
}

/**
 * The rule by which Pax8 refuses any seat update of this subscription in its current state (PUT answers
 * 422), or undefined: cancelled or cancelling subscriptions and subscriptions starting in the future.
 */
export function stateRule(
  sub: Pick<Subscription, 'status' | 'rawStatus' | 'startDate'>,
  now: Date,
): string | undefined {
  if (sub.status === 'cancelled' || sub.status === 'pending-cancel' || sub.status === 'expired') {
    return `Pax8 does not update a subscription that is ${sub.rawStatus ?? sub.status}`;
  }
  if (sub.startDate && Date.parse(sub.startDate) > now.getTime()) {
    return `Pax8 does not update a subscription with a future start date (${sub.startDate})`;
  }
  return undefined;
}
