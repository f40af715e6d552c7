import * as z from 'zod';
import type { components } from '../../../generated/td-synnex.js';
import { ItemReader, fieldsOf } from '../../core/item-problems.js';
import { type WireContext, mapEnum, parseWire } from '../../core/wire.js';
import { type LicenseIdentity, licenseFromSku, unknownLicense } from '../../model/common.js';
import { toCountryCode } from '../../model/country.js';
import type { Customer, CustomerStatus } from '../../model/customer.js';
import type { OperationState, OperationStatus } from '../../model/operations.js';
import type { Product } from '../../model/product.js';
import type { BillingTerm, Subscription, SubscriptionStatus } from '../../model/subscription.js';

/** Ion wire types, from our spec (specs/td-synnex.yaml). */
export type IonCustomerWire = components['schemas']['Customer'];
export type IonSubscriptionWire = components['schemas']['Subscription'];
export type IonProductWire = components['schemas']['Product'];
export type IonOrderWire = components['schemas']['Order'];

const PROVIDER = 'td-synnex';

// Ids and seat counts are read by an ItemReader: a record without them is returned flagged, not refused.
const CustomerWire = z.looseObject({
  name: z.unknown().optional(),
  customerOrganization: z.string().nullish(),
  customerName: z.string().nullish(),
  customerStatus: z.string().nullish(),
  customerAddress: z.looseObject({ country: z.string().nullish() }).nullish(),
});
const SubscriptionWire = z.looseObject({
  id: z.unknown().optional(),
  customerId: z.unknown().optional(),
  subscriptionId: z.string().nullish(),
  subscriptionName: z.string().nullish(),
  ccpProductId: z.string().nullish(),
  ccpSkuId: z.string().nullish(),
  ccpPlanId: z.string().nullish(),
  subscriptionTotalLicenses: z.unknown().optional(),
  subscriptionStatus: z.string().nullish(),
  subscriptionBillingCycle: z.string().nullish(),
  subscriptionBillingTerm: z.string().nullish(),
  subscriptionStartDate: z.unknown().optional(),
  subscriptionEndDate: z.unknown().optional(),
  cancellationAllowedUntilDate: z.unknown().optional(),
  renewalDate: z.unknown().optional(),
  autoRenew: z.boolean().nullish(),
  isTrial: z.boolean().nullish(),
  price: z.number().nullish(),
  cost: z.number().nullish(),
  currency: z.string().nullish(),
  ccpProductInfo: z.looseObject({ skuDisplayName: z.string().nullish() }).nullish(),
});
const PlanWire = z.looseObject({
  id: z.string().min(1),
  displayName: z.string().nullish(),
  billingPeriod: z.string().nullish(),
});
const ProductWire = z.looseObject({
  name: z.unknown().optional(),
  marketing: z.looseObject({ displayName: z.string().nullish(), description: z.string().nullish() }).nullish(),
  definition: z
    .looseObject({
      skus: z
        .array(
          z.looseObject({
            id: z.unknown().optional(),
            displayName: z.string().nullish(),
            description: z.string().nullish(),
            productCloudProviderName: z.string().nullish(),
            // Plans are read one by one (an unreadable plan flags its SKU, it does not fail the catalog).
            plans: z.array(z.unknown()).nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});
const OrderWire = z.looseObject({
  name: z.string().nullish(),
  orderId: z.coerce.string().nullish(),
  status: z.string().nullish(),
  errors: z.array(z.looseObject({ code: z.string().nullish(), detail: z.string().nullish() })).nullish(),
  orderItems: z
    .array(
      z.looseObject({
        action: z.string().nullish(),
        resourceId: z.string().nullish(),
        productId: z.string().nullish(),
        skuId: z.string().nullish(),
        quantity: z.union([z.number(), z.string()]).nullish(),
        errors: z.array(z.looseObject({ code: z.string().nullish(), detail: z.string().nullish() })).nullish(),
      }),
    )
    .nullish(),
});

/** The last path segment of an Ion resource name (`accounts/1/customers/42` -> `42`). */
export function idFromName(name: string): string {
  const trimmed = name.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** The SDK's product id of an Ion catalog SKU: `<productId>/<skuId>` (a plan may be added: `/<planId>`). */
export function productKey(productId: string, skuId: string, planId?: string): string {
  return planId ? `${productId}/${skuId}/${planId}` : `${productId}/${skuId}`;
}

/** Splits an SDK product id into Ion's product, SKU and optional plan ids; undefined when malformed. */
export function parseProductKey(id: string): { productId: string; skuId: string; planId?: string } | undefined {
  const parts = id.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p.trim() === '')) return undefined;
  return parts.length === 3
    ? { productId: parts[0]!, skuId: parts[1]!, planId: parts[2]! }
    : { productId: parts[0]!, skuId: parts[1]! };
}

const CUSTOMER_STATUS: Record<string, CustomerStatus> = { ACTIVE: 'active', INACTIVE: 'inactive' };

/** Maps an Ion customer; the id is the last segment of `name` (the list has no id field). */
export function mapCustomer(raw: unknown, ctx: WireContext): Customer {
  const read = new ItemReader(ctx);
  const c = read.parse(CustomerWire, raw, 'customer');
  const status = c.customerStatus ?? null;
  const id = read.id(typeof c.name === 'string' ? idFromName(c.name) : c.name, 'id', 'name');
  return read.finish({
    provider: PROVIDER,
    id,
    name: c.customerOrganization ?? c.customerName ?? id,
    status: mapEnum(status?.toUpperCase(), CUSTOMER_STATUS, 'unknown'),
    rawStatus: status,
    tenantId: null,
    externalId: null,
    country: toCountryCode(c.customerAddress?.country),
    rawCountry: c.customerAddress?.country || null,
    raw,
  });
}

/** Ion subscription statuses (sent lower case, documented upper case), compared lower case. */
const SUBSCRIPTION_STATUS: Record<string, SubscriptionStatus> = {
  active: 'active',
  enabled: 'active',
  running: 'active',
  complete: 'active',
  confirmed: 'pending',
  accepted: 'pending',
  available: 'pending',
  initiated: 'pending',
  in_progress: 'pending',
  pending: 'pending',
  suspended: 'suspended',
  paused: 'suspended',
  disabled: 'suspended',
  stopped: 'suspended',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  deleted: 'cancelled',
  expired: 'expired',
};

const BILLING_CYCLE: Record<string, BillingTerm> = {
  monthly: 'monthly',
  month: 'monthly',
  annual: 'annual',
  annually: 'annual',
  yearly: 'annual',
  year: 'annual',
  biennial: 'biennial',
  triennial: 'triennial',
  one_time: 'one-time',
  onetime: 'one-time',
  'one-time': 'one-time',
};

/** Normalizes a status (any case, spaces or dashes) to Ion's lower-case words. */
export function normalizeIonStatus(value: string | null | undefined): string | null {
  if (!value) return null;
  return value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** Maps an Ion subscription (list or detail). Seats arrive as a string; statuses in any case. */
export function mapSubscription(raw: unknown, ctx: WireContext, now: number = Date.now()): Subscription {
  const read = new ItemReader(ctx);
  const s = read.parse(SubscriptionWire, raw, 'subscription');
  const rawStatus = s.subscriptionStatus ?? null;
  const status = mapEnum(normalizeIonStatus(rawStatus) ?? undefined, SUBSCRIPTION_STATUS, 'unknown');
  const cycle = normalizeIonStatus(s.subscriptionBillingCycle);
  const billingTerm: BillingTerm = s.isTrial ? 'trial' : mapEnum(cycle ?? undefined, BILLING_CYCLE, 'unknown');
  const term = s.subscriptionBillingTerm?.trim().toUpperCase() ?? null;
  if (term && !/^P\d+[DWMY]$/.test(term)) read.add('commitment', 'subscriptionBillingTerm is not an ISO 8601 term');
  const endDate = read.date(s.subscriptionEndDate, 'endDate', 'subscriptionEndDate');
  const renewalDate = read.date(s.renewalDate, 'renewalDate') ?? endDate;
  const windowEnd = read.date(s.cancellationAllowedUntilDate, 'constraints', 'cancellationAllowedUntilDate');
  const windowOpen = windowEnd === null ? null : now <= Date.parse(windowEnd);
  const notes: string[] = [];
  if (windowEnd) {
    notes.push(
      windowOpen
        ? `Seats can be reduced until ${windowEnd} (cancellation window).`
        : `The cancellation window closed on ${windowEnd}: seats can be reduced only at renewal.`,
    );
  }
  notes.push('Cancellation goes through a vendor provisioning template the SDK does not send: use the Ion portal.');
  const active = status === 'active';
  const currency = s.currency || null;
  const id = read.id(s.id, 'id');
  return read.finish({
    provider: PROVIDER,
    id,
    customerId: read.id(s.customerId, 'customerId'),
    productId: s.ccpProductId && s.ccpSkuId ? productKey(s.ccpProductId, s.ccpSkuId) : (s.ccpProductId ?? null),
    sku: s.ccpSkuId ?? null,
    name: s.subscriptionName ?? s.ccpProductInfo?.skuDisplayName ?? id,
    status,
    rawStatus,
    quantity: read.quantity(s.subscriptionTotalLicenses, 'quantity', 'subscriptionTotalLicenses'),
    billingTerm,
    rawBillingTerm: s.subscriptionBillingCycle ?? null,
    commitment: term && /^P\d+[DWMY]$/.test(term) ? { term, endDate } : null,
    startDate: read.date(s.subscriptionStartDate, 'startDate', 'subscriptionStartDate'),
    renewalDate,
    endDate,
    autoRenew: s.autoRenew ?? null,
    price: typeof s.price === 'number' ? { amount: s.price, currency } : null,
    cost: typeof s.cost === 'number' ? { amount: s.cost, currency } : null,
    constraints: {
      canIncrease: active,
      canDecrease: active ? windowOpen : false,
      decreaseAllowedUntil: windowEnd,
      canCancel: false,
      refundableQuantity: null,
      notes,
    },
    license: ionLicense(fieldsOf(raw).subscriptionOfferId, fieldsOf(raw).mfgPartNumber),
    raw,
  });
}

/**
 * Ion's provider ids: `subscriptionOfferId` (`NL,CFQ7TTC0LH18,0001` in Ion's examples, `CFQ7TTC0LH18:0001` elsewhere)
 * or `mfgPartNumber` (`CFQ7TTC0LH18:0001:P1Y:Y`) carry Microsoft's catalog product and SKU ids. No Graph SKU id.
 */
export function ionLicense(...texts: unknown[]): LicenseIdentity {
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    const parts = text.split(/[,:]/).map((p) => p.trim());
    const at = parts.findIndex((p) => /^[A-Z0-9]{12}$/.test(p));
    if (at >= 0) {
      const found = licenseFromSku(`${parts[at]}:${parts[at + 1] ?? ''}`);
      if (found.microsoftProductId) return { ...found, graphSkuId: null };
    }
  }
  return unknownLicense();
}

/** The Ion ids a seat change needs, read from a subscription's raw payload. */
export function orderIdsOf(
  subscription: Subscription,
): { resourceId: string; productId: string; skuId: string; planId: string } | undefined {
  const r = subscription.raw as Record<string, unknown> | null;
  const str = (k: string) => (r && typeof r[k] === 'string' && (r[k] as string).trim() ? (r[k] as string) : undefined);
  const resourceId = str('subscriptionId');
  const productId = str('ccpProductId');
  const skuId = str('ccpSkuId');
  const planId = str('ccpPlanId');
  if (!resourceId || !productId || !skuId || !planId) return undefined;
  return { resourceId, productId, skuId, planId };
}

/** A catalog plan with what the SDK infers from it. */
export interface IonPlanInfo {
  id: string;
  displayName: string | null;
  /** How often it is billed, from `billingPeriod`. */
  billingTerm: BillingTerm;
  /** The commitment term read from the plan's id or name (`P1M`, `P1Y`, `P3Y`), null when it says none. */
  commitmentTerm: string | null;
  raw: unknown;
}

const BILLING_PERIOD: Record<string, BillingTerm> = {
  MONTHLY: 'monthly',
  ANNUAL: 'annual',
  ONE_TIME: 'one-time',
};

/** Reads the commitment term from a plan's id or display name (Ion has no term field on plans). */
export function planTerm(text: string): string | null {
  const t = text.toLowerCase();
  const iso = /\bp(\d+)([my])\b/i.exec(text);
  if (iso) return `P${iso[1]}${iso[2]!.toUpperCase()}`;
  if (/triennial|3[ -]?year|36[ -]?month/.test(t)) return 'P3Y';
  if (/annual|yearly|1[ -]?year|12[ -]?month/.test(t)) return 'P1Y';
  if (/monthly|1[ -]?month/.test(t)) return 'P1M';
  return null;
}

/** The plans of one catalog SKU; a plan the SDK cannot read is left out and recorded on `read` when given. */
export function mapPlans(plans: unknown[], read?: ItemReader): IonPlanInfo[] {
  return plans.flatMap((raw, i) => {
    const parsed = PlanWire.safeParse(raw);
    if (!parsed.success) {
      if (!read) throw parsed.error;
      read.add('offers', `plans.${i} has no id: the plan is left out of offers (kept in raw)`);
      return [];
    }
    const p = parsed.data;
    return {
      id: p.id,
      displayName: p.displayName ?? null,
      billingTerm: mapEnum(p.billingPeriod?.toUpperCase(), BILLING_PERIOD, 'unknown'),
      commitmentTerm: planTerm(`${p.id} ${p.displayName ?? ''}`),
      raw,
    };
  });
}

/** A catalog SKU as the SDK sees it. */
export interface IonCatalogSku {
  product: Product;
  productId: string;
  skuId: string;
  providerName: string | null;
  plans: IonPlanInfo[];
}

/** Maps a catalog product to one SDK product per SKU (id `<productId>/<skuId>`); the plans stay in `raw`. */
export function mapCatalogProduct(raw: unknown, ctx: WireContext): IonCatalogSku[] {
  const top = new ItemReader(ctx);
  const p = top.parse(ProductWire, raw, 'product');
  const productId = top.id(typeof p.name === 'string' ? idFromName(p.name) : p.name, 'id', 'name');
  const skus = [...(p.definition?.skus ?? [])];
  // A product without a readable SKU list is still one record (flagged), never nothing.
  if (!skus.length && top.problems.length) skus.push({ id: undefined });
  return skus.map((sku, i) => {
    const read = new ItemReader(ctx);
    for (const problem of top.problems) read.add(problem.field, problem.message);
    const skuId = read.id(sku.id, 'id', `definition.skus.${i}.id`);
    const plans = mapPlans(sku.plans ?? [], read);
    const terms = plans.map((pl) => pl.commitmentTerm);
    return {
      productId,
      skuId,
      providerName: sku.productCloudProviderName ?? null,
      plans,
      product: read.finish({
        provider: PROVIDER,
        // No id unless both parts are known: a half id would address another product.
        id: productId && skuId ? productKey(productId, skuId) : '',
        name: sku.displayName ?? skuId,
        sku: skuId || null,
        vendorSku: null,
        vendorName: sku.productCloudProviderName ?? null,
        description: sku.description ?? p.marketing?.description ?? null,
        requiresCommitment:
          plans.length === 0 || terms.includes(null) ? null : terms.every((t) => t !== 'P1M' && t !== null),
        license: ionLicense(...plans.map((pl) => (pl.raw as { mfgPartNumber?: unknown } | null)?.mfgPartNumber)),
        // Each plan is one way to buy; prices come from the price book of the product detail, not the listing.
        offers: plans.length
          ? plans.map((pl) => ({
              billingTerm: pl.billingTerm,
              commitmentTerm: pl.commitmentTerm,
              price: null,
              cost: null,
            }))
          : null,
        raw: { product: raw, sku },
      }),
    };
  });
}

const ORDER_STATUS: Record<string, OperationStatus> = {
  NEW: 'pending',
  CONFIRMED: 'pending',
  ON_HOLD: 'pending',
  IN_PROGRESS: 'pending',
  COMPLETED: 'succeeded',
  ERROR: 'failed',
  CANCELED: 'cancelled',
  CANCELLED: 'cancelled',
};

/** The parsed fields of an order the client uses. */
export interface IonOrderInfo {
  orderId: string;
  status: OperationStatus;
  rawStatus: string | null;
  items: { action: string | null; resourceId: string | null; productId: string | null; skuId: string | null }[];
}

/** Reads an order (the id is `orderId`, else the last segment of `name`). */
export function parseOrder(raw: unknown, ctx: WireContext): IonOrderInfo {
  const o = parseWire(OrderWire, raw, 'order', ctx);
  const orderId = o.orderId || (o.name ? idFromName(o.name) : '');
  if (!orderId) {
    return parseWire(z.object({ orderId: z.string().min(1) }), raw, 'order', ctx) as never;
  }
  const rawStatus = o.status ?? null;
  return {
    orderId,
    status: mapEnum(rawStatus?.toUpperCase(), ORDER_STATUS, 'pending'),
    rawStatus,
    items: (o.orderItems ?? []).map((i) => ({
      action: i.action ?? null,
      resourceId: i.resourceId || null,
      productId: i.productId ?? null,
      skuId: i.skuId ?? null,
    })),
  };
}

/** An order as the state of a pending operation. Unknown statuses count as still pending. */
export function mapOrderState(raw: unknown, ctx: WireContext): OperationState {
  const o = parseWire(OrderWire, raw, 'order', ctx);
  const info = parseOrder(raw, ctx);
  const errors = [...(o.errors ?? []), ...(o.orderItems ?? []).flatMap((i) => i.errors ?? [])];
  const seen = new Set<string>();
  const messages = errors
    .map((e) => [e.code, e.detail].filter(Boolean).join(': '))
    .filter((m) => m && !seen.has(m) && seen.add(m));
  return {
    id: info.orderId,
    status: info.status,
    rawStatus: info.rawStatus,
    message: messages.length ? messages.join('; ') : null,
    raw,
  };
}
