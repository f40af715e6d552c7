import * as z from 'zod';
import type { components } from '../../../generated/partner-center.js';
import { ItemReader, fieldsOf } from '../../core/item-problems.js';
import { type WireContext, mapEnum, parseWire } from '../../core/wire.js';
import type { OperationState } from '../../model/operations.js';
import { licenseFromSku, unknownLicense } from '../../model/common.js';
import { toCountryCode } from '../../model/country.js';
import type { Customer } from '../../model/customer.js';
import type { Product } from '../../model/product.js';
import type {
  BillingTerm,
  Commitment,
  RequestableBillingTerm,
  Subscription,
  SubscriptionConstraints,
  SubscriptionStatus,
} from '../../model/subscription.js';

/** Partner Center wire types, from our spec (specs/partner-center.yaml). */
export type PartnerCenterCustomerWire = components['schemas']['Customer'];
export type PartnerCenterSubscriptionWire = components['schemas']['Subscription'];
export type PartnerCenterProductWire = components['schemas']['Product'];
export type PartnerCenterAvailabilityWire = components['schemas']['Availability'];
export type PartnerCenterCartWire = components['schemas']['Cart'];
export type PartnerCenterCheckoutWire = components['schemas']['CartCheckoutResult'];
export type PartnerCenterOrderWire = components['schemas']['Order'];
export type PartnerCenterLinkWire = components['schemas']['Link'];

const PROVIDER = 'partner-center';

const LinkWire = z.looseObject({
  uri: z.string().min(1),
  headers: z.array(z.looseObject({ key: z.string(), value: z.string() })).nullish(),
});
const CollectionWire = z.looseObject({
  items: z.array(z.unknown()),
  totalCount: z.coerce.number().nullish(),
  continuationToken: z.string().nullish(),
  links: z.looseObject({ next: LinkWire.nullish() }).nullish(),
});
// Ids and seat counts are read by an ItemReader: a record without them is returned flagged, not refused.
const CustomerWire = z.looseObject({
  id: z.unknown().optional(),
  companyProfile: z
    .looseObject({
      tenantId: z.string().nullish(),
      companyName: z.string().nullish(),
      domain: z.string().nullish(),
      address: z.looseObject({ country: z.string().nullish() }).nullish(),
    })
    .nullish(),
  billingProfile: z
    .looseObject({ defaultAddress: z.looseObject({ country: z.string().nullish() }).nullish() })
    .nullish(),
});
const ProductWire = z.looseObject({
  id: z.unknown().optional(),
  title: z.string().nullish(),
  description: z.string().nullish(),
  publisherName: z.string().nullish(),
});
const SubscriptionWire = z.looseObject({
  id: z.unknown().optional(),
  offerId: z.string().nullish(),
  offerName: z.string().nullish(),
  friendlyName: z.string().nullish(),
  productType: z.looseObject({ id: z.string().nullish() }).nullish(),
  quantity: z.unknown().optional(),
  status: z.string().nullish(),
  billingCycle: z.string().nullish(),
  termDuration: z.string().nullish(),
  autoRenewEnabled: z.boolean().nullish(),
  isTrial: z.boolean().nullish(),
  refundableQuantity: z
    .looseObject({
      totalQuantity: z.coerce.number().nullish(),
      details: z
        .array(z.looseObject({ quantity: z.coerce.number().nullish(), allowedUntilDateTime: z.unknown().optional() }))
        .nullish(),
    })
    .nullish(),
  links: z.looseObject({ self: LinkWire.nullish() }).nullish(),
});
const ProvisioningWire = z.looseObject({ status: z.string().nullish(), quantity: z.coerce.number().nullish() });
const OrderWire = z.looseObject({
  id: z.string().min(1),
  status: z.string().nullish(),
  lineItems: z
    .array(
      z.looseObject({
        offerId: z.string().nullish(),
        subscriptionId: z.string().nullish(),
        quantity: z.coerce.number().nullish(),
      }),
    )
    .nullish(),
});

const SUBSCRIPTION_STATUS: Record<string, SubscriptionStatus> = {
  active: 'active',
  pending: 'pending',
  suspended: 'suspended',
  // Disabled: expired or suspended by Microsoft (e.g. non-payment), still in the tenant.
  disabled: 'suspended',
  deleted: 'cancelled',
  expired: 'expired',
};

const BILLING_CYCLE: Record<string, BillingTerm> = {
  monthly: 'monthly',
  annual: 'annual',
  biennial: 'biennial',
  triennial: 'triennial',
  one_time: 'one-time',
  onetime: 'one-time',
};

const TO_BILLING_CYCLE: Record<RequestableBillingTerm, string | undefined> = {
  monthly: 'monthly',
  annual: 'annual',
  biennial: 'biennial',
  triennial: 'triennial',
  'one-time': 'one_time',
  trial: undefined,
};

/** The Partner Center `billingCycle` for a normalized billing term (undefined: not purchasable by cart). */
export function toPartnerCenterBillingCycle(term: RequestableBillingTerm): string | undefined {
  return TO_BILLING_CYCLE[term];
}

/** The term duration bought when the caller names none: the one matching how often it is billed. */
export function defaultTermFor(term: RequestableBillingTerm): string {
  if (term === 'annual') return 'P1Y';
  if (term === 'biennial') return 'P2Y';
  if (term === 'triennial') return 'P3Y';
  return 'P1M';
}

/** A collection page: items and where the next page is (`links.next` uri + `MS-ContinuationToken`). */
export interface PartnerCenterPage {
  items: unknown[];
  total: number | undefined;
  next: { uri: string; headers: Record<string, string> } | undefined;
}

/** Reads a collection envelope `{ totalCount, items, links: { next }, continuationToken }`. */
export function mapCollection(raw: unknown, ctx: WireContext): PartnerCenterPage {
  const c = parseWire(CollectionWire, raw, 'collection', ctx);
  const link = c.links?.next;
  let next: PartnerCenterPage['next'];
  if (link) {
    const headers: Record<string, string> = {};
    for (const h of link.headers ?? []) headers[h.key] = h.value;
    if (c.continuationToken && !Object.keys(headers).some((k) => k.toLowerCase() === 'ms-continuationtoken')) {
      headers['MS-ContinuationToken'] = c.continuationToken;
    }
    next = { uri: link.uri, headers };
  }
  return { items: c.items, total: c.totalCount ?? undefined, next };
}

/** Partner Center customer -> Customer. Its id is the customer's Entra tenant id. */
export function mapCustomer(raw: unknown, ctx: WireContext): Customer {
  const read = new ItemReader(ctx);
  const c = read.parse(CustomerWire, raw, 'customer');
  const id = read.id(c.id, 'id');
  return read.finish({
    provider: PROVIDER,
    id,
    name: c.companyProfile?.companyName ?? c.companyProfile?.domain ?? '',
    // Partner Center lists only customers the partner has a relationship with, and has no customer status.
    status: 'active',
    rawStatus: null,
    tenantId: c.companyProfile?.tenantId ?? (id || null),
    externalId: null,
    country: toCountryCode(c.companyProfile?.address?.country ?? c.billingProfile?.defaultAddress?.country),
    rawCountry: c.companyProfile?.address?.country ?? c.billingProfile?.defaultAddress?.country ?? null,
    raw,
  });
}

/** Partner Center catalog product -> Product. */
export function mapProduct(raw: unknown, ctx: WireContext): Product {
  const read = new ItemReader(ctx);
  const p = read.parse(ProductWire, raw, 'product');
  const id = read.id(p.id, 'id');
  return read.finish({
    provider: PROVIDER,
    id,
    name: p.title ?? '',
    sku: null,
    vendorSku: id || null,
    vendorName: p.publisherName ?? null,
    description: p.description ?? null,
    // New-commerce licences are always bought for a term (P1M at least).
    requiresCommitment: true,
    // The product id is Microsoft's catalog product id (`CFQ7TTC0LCHC`); SKUs are listed per product.
    license: { ...licenseFromSku(id), graphSkuId: null },
    // Terms and prices live on each SKU's availabilities (a request per product): not in the listing.
    offers: null,
    raw,
  });
}

/** Whether a subscription is new commerce (NCE): product type, or an offer id `product:sku:availability`. */
export function isNewCommerce(raw: { productType?: { id?: string | null } | null; offerId?: string | null }): boolean {
  return raw.productType?.id === 'OnlineServicesNCE' || (raw.offerId ?? '').split(':').length === 3;
}

function constraintsOf(
  s: z.infer<typeof SubscriptionWire>,
  status: SubscriptionStatus,
  cancellationAllowedUntil: string | null,
  nce: boolean,
  read: ItemReader,
  now: Date,
): SubscriptionConstraints {
  if (status === 'cancelled' || status === 'expired') {
    return {
      canIncrease: false,
      canDecrease: false,
      decreaseAllowedUntil: null,
      canCancel: false,
      refundableQuantity: null,
      notes: [`the subscription is ${status} (${s.status})`],
    };
  }
  if (status === 'suspended') {
    return {
      canIncrease: false,
      canDecrease: false,
      decreaseAllowedUntil: null,
      canCancel: nce
        ? cancellationAllowedUntil !== null && Date.parse(cancellationAllowedUntil) >= now.getTime()
        : false,
      refundableQuantity: null,
      notes: ['the subscription is suspended: reactivate it in Partner Center before changing seats'],
    };
  }
  if (status === 'pending') {
    return {
      canIncrease: false,
      canDecrease: false,
      decreaseAllowedUntil: null,
      canCancel: false,
      refundableQuantity: null,
      notes: ['the subscription is still being provisioned'],
    };
  }
  if (!nce) {
    return {
      canIncrease: true,
      canDecrease: true,
      decreaseAllowedUntil: null,
      canCancel: true,
      refundableQuantity: null,
      notes: ['legacy (licence-based) subscription: seats can be changed at any time; cancelling suspends it'],
    };
  }
  const notes: string[] = [];
  const rq = s.refundableQuantity;
  const refundable = typeof rq?.totalQuantity === 'number' ? rq.totalQuantity : null;
  let decreaseUntil: string | null = null;
  for (const [i, d] of (rq?.details ?? []).entries()) {
    const until = read.date(
      d.allowedUntilDateTime,
      'constraints',
      `refundableQuantity.details.${i}.allowedUntilDateTime`,
    );
    if (
      until &&
      (d.quantity ?? 0) > 0 &&
      Date.parse(until) > now.getTime() &&
      (!decreaseUntil || until > decreaseUntil)
    ) {
      decreaseUntil = until;
    }
  }
  const canDecrease: boolean | null = refundable === null ? null : refundable > 0;
  if (refundable === null) {
    notes.push('new commerce: the vendor sent no refundableQuantity, so whether seats can be removed is unknown');
  } else {
    notes.push(
      refundable > 0
        ? `new commerce: ${refundable} seat(s) can still be removed (each batch for 7 days after it was bought)`
        : 'new commerce: no seat can be removed now (the 7-day window of every batch has passed); reduce at renewal instead',
    );
  }
  const canCancel = cancellationAllowedUntil !== null && Date.parse(cancellationAllowedUntil) >= now.getTime();
  notes.push(
    cancellationAllowedUntil === null
      ? 'new commerce: cancelling is not allowed (no cancellationAllowedUntilDate)'
      : canCancel
        ? `new commerce: can be cancelled until ${cancellationAllowedUntil}`
        : `new commerce: the cancellation window ended on ${cancellationAllowedUntil}; turn auto-renew off to end it with the term`,
  );
  return {
    canIncrease: true,
    canDecrease,
    decreaseAllowedUntil: decreaseUntil,
    canCancel,
    refundableQuantity: refundable,
    notes,
  };
}

/** Partner Center subscription -> Subscription. `customerId` comes from the request path (the body has none). */
export function mapSubscription(
  raw: unknown,
  customerId: string,
  ctx: WireContext,
  options: { now?: Date } = {},
): Subscription {
  const read = new ItemReader(ctx);
  const s = read.parse(SubscriptionWire, raw, 'subscription');
  const r = fieldsOf(raw);
  const now = options.now ?? new Date();
  const status = mapEnum(s.status, SUBSCRIPTION_STATUS, 'unknown');
  const nce = isNewCommerce(s);
  const term = typeof s.termDuration === 'string' && /^P\d+[DWMY]$/.test(s.termDuration) ? s.termDuration : null;
  const endDate = read.date(r.commitmentEndDate, 'commitment', 'commitmentEndDate');
  const commitment: Commitment | null = term ? { term, endDate } : null;
  const cancellationAllowedUntil = read.date(
    r.cancellationAllowedUntilDate,
    'constraints',
    'cancellationAllowedUntilDate',
  );
  const constraints = constraintsOf(s, status, cancellationAllowedUntil, nce, read, now);
  if (s.termDuration && !term) {
    read.add('commitment', 'termDuration is not an ISO 8601 term');
    constraints.notes.push(`unrecognised termDuration ${JSON.stringify(s.termDuration)}`);
  }
  const parts = (s.offerId ?? '').split(':');
  const billingTerm = s.isTrial ? 'trial' : mapEnum(s.billingCycle, BILLING_CYCLE, 'unknown');
  return read.finish({
    provider: PROVIDER,
    id: read.id(s.id, 'id'),
    customerId,
    productId: nce ? (parts[0] ?? null) : (s.offerId ?? null),
    sku: nce ? `${parts[0]}:${parts[1]}` : (s.offerId ?? null),
    name: s.offerName ?? s.friendlyName ?? '',
    status,
    rawStatus: s.status ?? null,
    quantity: read.quantity(s.quantity, 'quantity'),
    billingTerm,
    rawBillingTerm: s.billingCycle ?? null,
    commitment,
    startDate: read.date(r.effectiveStartDate ?? r.creationDate, 'startDate', 'effectiveStartDate'),
    renewalDate: s.autoRenewEnabled === false || status === 'cancelled' ? null : endDate,
    // A deleted (cancelled) subscription has ended already; one without auto-renew ends with its term.
    endDate: status === 'cancelled' || status === 'expired' ? null : s.autoRenewEnabled === false ? endDate : null,
    autoRenew: s.autoRenewEnabled ?? null,
    price: null,
    cost: null,
    constraints,
    // A new-commerce offer id is `product:sku:availability`; a legacy offer id is not a Microsoft catalog id.
    license: nce ? { ...licenseFromSku(`${parts[0]}:${parts[1]}`), graphSkuId: null } : unknownLicense(),
    raw,
  });
}

/** `GET .../provisioningstatus` -> the state of a pending seat change (`success`, `pending`, `failed`). */
export function mapProvisioning(
  raw: unknown,
  id: string,
  target: number | undefined,
  ctx: WireContext,
): OperationState {
  const p = parseWire(ProvisioningWire, raw, 'provisioning status', ctx);
  const rawStatus = p.status ?? null;
  const st = (rawStatus ?? '').toLowerCase();
  if (st === 'success' || st === 'succeeded' || st === 'completed') {
    if (target !== undefined && typeof p.quantity === 'number' && p.quantity !== target) {
      return {
        id,
        status: 'failed',
        rawStatus,
        message: `provisioning finished with ${p.quantity} seats, not the ${target} requested`,
        raw,
      };
    }
    return { id, status: 'succeeded', rawStatus, message: null, raw };
  }
  if (st === 'failed' || st === 'error') {
    return { id, status: 'failed', rawStatus, message: 'Partner Center reports the change failed', raw };
  }
  return { id, status: 'pending', rawStatus, message: null, raw };
}

/** An order -> its operation state (`pending`, `completed`, `cancelled`). */
export function mapOrderState(raw: unknown, ctx: WireContext): OperationState {
  const o = parseWire(OrderWire, raw, 'order', ctx);
  const rawStatus = o.status ?? null;
  const st = (rawStatus ?? '').toLowerCase();
  const status = st === 'completed' ? 'succeeded' : st === 'cancelled' ? 'failed' : 'pending';
  return {
    id: o.id,
    status,
    rawStatus,
    message: status === 'failed' ? 'Partner Center cancelled the order (provisioning failed)' : null,
    raw,
  };
}

/** The lines of an order: offer (catalog item), quantity, new subscription id. */
export function mapOrderLines(
  raw: unknown,
  ctx: WireContext,
): { offerId: string | null; quantity: number | null; subscriptionId: string | null }[] {
  const o = parseWire(OrderWire, raw, 'order', ctx);
  return (o.lineItems ?? []).map((l) => ({
    offerId: l.offerId ?? null,
    quantity: l.quantity ?? null,
    subscriptionId: l.subscriptionId ?? null,
  }));
}
