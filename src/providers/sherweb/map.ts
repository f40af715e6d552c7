import * as z from 'zod';
import type { components } from '../../../generated/sherweb.js';
import { ItemReader, fieldsOf } from '../../core/item-problems.js';
import { type WireContext, mapEnum, parseWire } from '../../core/wire.js';
import { licenseFromSku, unknownLicense } from '../../model/common.js';
import type { Customer } from '../../model/customer.js';
import type { OperationState, OperationStatus } from '../../model/operations.js';
import type { Product } from '../../model/product.js';
import type { BillingTerm, Commitment, Subscription, SubscriptionConstraints } from '../../model/subscription.js';

/** Sherweb wire types, from our spec (specs/sherweb.yaml). */
export type SherwebCustomerWire = components['schemas']['Customer'];
export type SherwebSubscriptionWire = components['schemas']['Subscription'];
export type SherwebCatalogItemWire = components['schemas']['CatalogItem'];
export type SherwebTrackedRequestWire = components['schemas']['TrackedRequest'];
export type SherwebAmendmentReceiptWire = components['schemas']['SubscriptionsAmendmentReceipt'];
export type SherwebTrackingReceiptWire = components['schemas']['TrackingReceipt'];

const PROVIDER = 'sherweb';

// Tolerant checks of what the SDK reads; everything else passes through untouched in `raw`.
const ItemsWire = z.looseObject({ items: z.array(z.unknown()).nullish() });
// Ids and seat counts are read by an ItemReader: a record without them is returned flagged, not refused.
const CustomerWire = z.looseObject({
  id: z.unknown().optional(),
  displayName: z.string().nullish(),
  suspendedOn: z.string().nullish(),
});
const LocalizedWire = z.array(z.looseObject({ culture: z.string().nullish(), value: z.string().nullish() })).nullish();
const CatalogWire = z.looseObject({ catalogItems: z.array(z.unknown()).nullish() });
const CatalogItemWire = z.looseObject({
  sku: z.unknown().optional(),
  name: z.union([LocalizedWire, z.string()]).nullish(),
  description: z.union([LocalizedWire, z.string()]).nullish(),
  billingCycle: z.string().nullish(),
  commitmentTerm: z.unknown().optional(),
  microsoftSkuId: z.string().nullish(),
});
const SubscriptionWire = z.looseObject({
  id: z.unknown().optional(),
  productName: z.string().nullish(),
  sku: z.string().nullish(),
  quantity: z.unknown().optional(),
  billingCycle: z.string().nullish(),
  purchaseDate: z.unknown().optional(),
  commitmentTerm: z
    .looseObject({
      type: z.string().nullish(),
      termEndDate: z.unknown().optional(),
      renewalConfiguration: z.looseObject({ renewalDate: z.unknown().optional() }).nullish(),
      committedMinimalQuantities: z
        .array(z.looseObject({ committedUntil: z.unknown().optional(), quantity: z.unknown().optional() }))
        .nullish(),
    })
    .nullish(),
});
const ReceiptWire = z.looseObject({
  subscriptionsAmendmentId: z.string().nullish(),
  requestTrackingId: z.string().nullish(),
  trackingId: z.union([z.string(), z.looseObject({ requestTrackingId: z.string().nullish() })]).nullish(),
});
const TrackedWire = z.looseObject({
  status: z.string(),
  details: z.array(z.looseObject({ status: z.string().nullish(), message: z.string().nullish() })).nullish(),
  message: z.string().nullish(),
});

/** Sherweb `CommitmentTermType` as an ISO 8601 duration. */
const TERM_ISO: Record<string, string> = {
  Monthly: 'P1M',
  monthly: 'P1M',
  Annual: 'P1Y',
  annual: 'P1Y',
  Yearly: 'P1Y',
  Biennial: 'P2Y',
  biennial: 'P2Y',
  Triennial: 'P3Y',
  triennial: 'P3Y',
};

const TERM_BILLING: Record<string, BillingTerm> = {
  P1M: 'monthly',
  P1Y: 'annual',
  P2Y: 'biennial',
  P3Y: 'triennial',
};

/** `Subscription.billingCycle` (lower-case free string). */
const BILLING_CYCLE: Record<string, BillingTerm> = {
  monthly: 'monthly',
  yearly: 'annual',
  annual: 'annual',
  none: 'one-time',
};

/** Tracking statuses (`/tracking/{id}`) and amendment statuses (`.../amendments/{id}/status`). */
const OPERATION_STATUS: Record<string, OperationStatus> = {
  Unknown: 'pending',
  Queued: 'pending',
  Pending: 'pending',
  Processing: 'pending',
  InProgress: 'pending',
  Success: 'succeeded',
  Succeeded: 'succeeded',
  Completed: 'succeeded',
  Failure: 'failed',
  Failed: 'failed',
  PartialSuccess: 'partially-succeeded',
  Canceled: 'cancelled',
  Cancelled: 'cancelled',
};

/** A Sherweb commitment type (`Annual`, or an object with `type`) as an ISO 8601 duration, or null. */
export function sherwebTermToIso(term: unknown): string | null {
  const t = typeof term === 'string' ? term : (term as { type?: unknown } | null | undefined)?.type;
  return typeof t === 'string' ? (TERM_ISO[t] ?? TERM_ISO[t.toLowerCase()] ?? null) : null;
}

/**
 * The normalized billing term: the commitment term when there is one (what "the annual one" and "the monthly
 * one" of an 80/20 split mean), else the billing cycle. The billing cycle stays in `rawBillingTerm`.
 */
export function sherwebBillingTerm(commitmentIso: string | null, billingCycle: string | null | undefined): BillingTerm {
  if (commitmentIso) return TERM_BILLING[commitmentIso] ?? 'unknown';
  return mapEnum(billingCycle, BILLING_CYCLE, 'unknown');
}

/** Reads the `{ items }` envelope every Sherweb list uses (no paging). */
export function mapItems(raw: unknown, what: string, ctx: WireContext): unknown[] {
  return parseWire(ItemsWire, raw, what, ctx).items ?? [];
}

/** Sherweb customer -> Customer. There is no status field: `suspendedOn` set means suspended (`inactive`). */
export function mapCustomer(raw: unknown, ctx: WireContext): Customer {
  const read = new ItemReader(ctx);
  const c = read.parse(CustomerWire, raw, 'customer');
  const suspendedOn = read.date(c.suspendedOn, 'status', 'suspendedOn');
  return read.finish({
    provider: PROVIDER,
    id: read.id(c.id, 'id'),
    name: c.displayName ?? '',
    status: suspendedOn ? 'inactive' : 'active',
    rawStatus: suspendedOn ? 'suspended' : null,
    tenantId: null,
    externalId: null,
    country: null,
    rawCountry: null,
    raw,
  });
}

/** Picks the text for a language (`fr-CA` matches `fr-CA`, then `fr`), else English, else the first. */
export function localized(value: unknown, language?: string | undefined): string | null {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return null;
  const entries = value.filter(
    (v): v is { culture?: unknown; value: string } => !!v && typeof (v as { value?: unknown }).value === 'string',
  );
  const wanted = (language ?? '')
    .split(',')
    .map((l) => l.split(';')[0]!.trim().toLowerCase())
    .filter(Boolean);
  for (const lang of [...wanted, 'en']) {
    const exact = entries.find((e) => String(e.culture ?? '').toLowerCase() === lang);
    if (exact) return exact.value;
    const base = lang.split('-')[0]!;
    const near = entries.find(
      (e) =>
        String(e.culture ?? '')
          .toLowerCase()
          .split('-')[0] === base,
    );
    if (near) return near.value;
  }
  return entries[0]?.value ?? null;
}

/** Reads `{ customerId, catalogItems }`. */
export function mapCatalog(raw: unknown, ctx: WireContext): unknown[] {
  return parseWire(CatalogWire, raw, 'customer catalog', ctx).catalogItems ?? [];
}

/**
 * Sherweb catalog item -> Product. The product id is the SKU: Sherweb orders by SKU, and the SKU encodes the
 * commitment term and billing cycle (one product per term).
 */
export function mapCatalogItem(raw: unknown, ctx: WireContext, options: { language?: string } = {}): Product {
  const read = new ItemReader(ctx);
  const p = read.parse(CatalogItemWire, raw, 'catalog item');
  const term = sherwebTermToIso(p.commitmentTerm);
  if (p.commitmentTerm !== undefined && p.commitmentTerm !== null && !term) {
    read.add('offers', 'commitmentTerm is not a commitment term the SDK knows');
  }
  const sku = read.id(p.sku, 'id', 'sku');
  return read.finish({
    provider: PROVIDER,
    id: sku,
    name: localized(p.name, options.language) ?? sku,
    sku: sku || null,
    vendorSku: p.microsoftSkuId ?? null,
    vendorName: null,
    description: localized(p.description, options.language),
    requiresCommitment: p.commitmentTerm === undefined ? null : term !== null,
    // `microsoftSkuId` is the Graph SKU GUID of Microsoft products.
    license: licenseFromSku(p.microsoftSkuId),
    // A catalog item is one way to buy; Sherweb prices it separately (catalog-items-pricing).
    offers:
      p.billingCycle || p.commitmentTerm !== undefined
        ? [{ billingTerm: sherwebBillingTerm(term, p.billingCycle), commitmentTerm: term, price: null, cost: null }]
        : null,
    raw,
  });
}

/** The normalized billing term a catalog item is sold with. */
export function catalogItemTerms(product: Product): { billingTerm: BillingTerm; commitmentTerm: string | null } {
  const raw = fieldsOf(product.raw) as { commitmentTerm?: unknown; billingCycle?: string | null };
  const commitmentTerm = sherwebTermToIso(raw.commitmentTerm);
  return { billingTerm: sherwebBillingTerm(commitmentTerm, raw.billingCycle), commitmentTerm };
}

function constraintsOf(
  commitment: Commitment | null,
  quantity: number,
  minimals: Array<{ until: string | null; quantity: number }> | null,
  now: Date,
): SubscriptionConstraints {
  if (!commitment) {
    return {
      canIncrease: true,
      canDecrease: true,
      decreaseAllowedUntil: null,
      canCancel: true,
      refundableQuantity: null,
      notes: ['no commitment term: seats can be changed and the subscription cancelled'],
    };
  }
  const notes = [`committed term ${commitment.term}${commitment.endDate ? ` until ${commitment.endDate}` : ''}`];
  if (minimals === null) {
    notes.push('Sherweb sent no committedMinimalQuantities: whether a decrease is allowed now is unknown');
    return {
      canIncrease: true,
      canDecrease: null,
      decreaseAllowedUntil: null,
      canCancel: null,
      refundableQuantity: null,
      notes,
    };
  }
  const open = minimals.filter((m) => m.until !== null && Date.parse(m.until) > now.getTime());
  if (open.length === 0) {
    notes.push('no grace window is open: Sherweb refuses decreases and cancellation until the term ends');
    return {
      canIncrease: true,
      canDecrease: false,
      decreaseAllowedUntil: null,
      canCancel: false,
      refundableQuantity: 0,
      notes,
    };
  }
  const floor = Math.min(...open.map((m) => m.quantity));
  const lowering = open.filter((m) => m.quantity < quantity);
  const until = lowering.length ? new Date(Math.max(...lowering.map((m) => Date.parse(m.until!)))).toISOString() : null;
  notes.push(`seats may be lowered to ${floor} while the grace window is open (committedMinimalQuantities)`);
  return {
    canIncrease: true,
    canDecrease: floor < quantity,
    decreaseAllowedUntil: until,
    canCancel: floor === 0,
    refundableQuantity: Math.max(0, quantity - floor),
    notes,
  };
}

/**
 * Sherweb subscription -> Subscription. The wire has no customer id (it is the list's query) and no status:
 * Sherweb lists only live subscriptions (cancelled ones drop out), so every listed one is `active`.
 */
export function mapSubscription(
  raw: unknown,
  ctx: WireContext,
  options: { customerId: string; now?: Date },
): Subscription {
  const read = new ItemReader(ctx);
  const s = read.parse(SubscriptionWire, raw, 'subscription');
  const quantity = read.quantity(s.quantity, 'quantity');
  const term = s.commitmentTerm ?? null;
  const iso = term ? sherwebTermToIso(term.type) : null;
  const commitment: Commitment | null = iso
    ? { term: iso, endDate: read.date(term?.termEndDate, 'commitment', 'commitmentTerm.termEndDate') }
    : null;
  let minimals: Array<{ until: string | null; quantity: number }> | null = null;
  if (Array.isArray(term?.committedMinimalQuantities)) {
    // A grace window the SDK cannot read makes what can be lowered unknown (not "nothing"), and flags the record.
    const window = new ItemReader(ctx);
    const parsed = term.committedMinimalQuantities.map((m, i) => ({
      until: window.date(
        m.committedUntil,
        'constraints',
        `commitmentTerm.committedMinimalQuantities.${i}.committedUntil`,
      ),
      quantity: window.quantity(m.quantity, 'constraints', `commitmentTerm.committedMinimalQuantities.${i}.quantity`),
    }));
    for (const p of window.problems) read.add(p.field, p.message);
    minimals = window.problems.length ? null : parsed;
  }
  const constraints = constraintsOf(commitment, quantity, minimals, options.now ?? new Date());
  if (term && !iso) {
    read.add('commitment', 'commitmentTerm.type is not a commitment term the SDK knows');
    constraints.notes.push(`unrecognised commitment type ${JSON.stringify(term.type)} (kept in raw)`);
  }
  const renewal = term?.renewalConfiguration ?? null;
  return read.finish({
    provider: PROVIDER,
    id: read.id(s.id, 'id'),
    customerId: options.customerId,
    productId: s.sku ?? null,
    sku: s.sku ?? null,
    name: s.productName ?? '',
    status: 'active',
    rawStatus: null,
    quantity,
    billingTerm: sherwebBillingTerm(iso, s.billingCycle),
    rawBillingTerm: s.billingCycle ?? null,
    commitment,
    startDate: read.date(s.purchaseDate, 'startDate', 'purchaseDate'),
    renewalDate: renewal
      ? read.date(renewal.renewalDate, 'renewalDate', 'commitmentTerm.renewalConfiguration.renewalDate')
      : null,
    // Without a renewal configuration a committed subscription ends with its term.
    endDate: term && !renewal ? (commitment?.endDate ?? null) : null,
    autoRenew: term ? renewal !== null : null,
    // `fees` does not say whose price it is or whether it is per seat: it stays in raw rather than be guessed.
    price: null,
    cost: null,
    constraints,
    // Sherweb subscriptions carry only the marketplace SKU: join through the catalog item's microsoftSkuId.
    license: unknownLicense(),
    raw,
  });
}

/** The ids an asynchronous request's receipt carries: the tracking id (nested or top-level) and the amendment id. */
export function mapReceipt(raw: unknown, ctx: WireContext): { trackingId: string | null; amendmentId: string | null } {
  const r = parseWire(ReceiptWire, raw ?? {}, 'request receipt', ctx);
  const nested = typeof r.trackingId === 'string' ? r.trackingId : r.trackingId?.requestTrackingId;
  return { trackingId: r.requestTrackingId ?? nested ?? null, amendmentId: r.subscriptionsAmendmentId ?? null };
}

/** `GET /tracking/{id}` -> OperationState. Unknown statuses keep waiting (the raw status is kept). */
export function mapTrackedRequest(raw: unknown, id: string, ctx: WireContext): OperationState {
  const t = parseWire(TrackedWire, raw, 'tracked request', ctx);
  const status = mapEnum(t.status, OPERATION_STATUS, 'pending');
  const failures = (t.details ?? [])
    .filter((d) => d.status && /fail/i.test(d.status) && d.message)
    .map((d) => d.message as string);
  const message =
    status === 'failed' || status === 'partially-succeeded' ? failures.join('; ') || t.message || null : null;
  return { id, status, rawStatus: t.status, message, raw };
}

/** `GET .../amendments/{id}/status` (a bare JSON string) -> OperationState. */
export function mapAmendmentStatus(raw: unknown, id: string, ctx: WireContext): OperationState {
  const value = parseWire(z.string().min(1), raw, 'amendment status', ctx);
  const status = mapEnum(value, OPERATION_STATUS, 'pending');
  return {
    id,
    status,
    rawStatus: value,
    message: status === 'failed' ? 'Sherweb reports the amendment failed' : null,
    raw,
  };
}
