import * as z from 'zod';
import type { components } from '../../../generated/ingram.js';
import { ItemReader, fieldsOf } from '../../core/item-problems.js';
import { type WireContext, mapEnum, parseWire } from '../../core/wire.js';
import { type LicenseIdentity, type Money, licenseFromSku } from '../../model/common.js';
import { toCountryCode } from '../../model/country.js';
import type { Customer, CustomerStatus } from '../../model/customer.js';
import type { OperationState, OperationStatus } from '../../model/operations.js';
import type { Product } from '../../model/product.js';
import type {
  BillingTerm,
  Commitment,
  Subscription,
  SubscriptionConstraints,
  SubscriptionStatus,
} from '../../model/subscription.js';

/** Ingram wire types, from our spec (specs/ingram.yaml). */
export type IngramWireCustomer = components['schemas']['Customer'];
export type IngramWireProduct = components['schemas']['Product'];
export type IngramWireSubscription = components['schemas']['Subscription'];
export type IngramWireSubscriptionDetailed = components['schemas']['SubscriptionDetailed'];
export type IngramWireOrder = components['schemas']['Order'];
export type IngramWireOrderRequest = components['schemas']['OrderRequest'];
export type IngramWirePeriod = components['schemas']['Period'];

const PROVIDER = 'ingram';

const PeriodWire = z.looseObject({ type: z.string(), duration: z.coerce.number() });
const MoneyWire = z.looseObject({
  currency: z.string().nullish(),
  amount: z.union([z.string(), z.number()]).nullish(),
});
// Ids and seat counts are read by an ItemReader: a record without them is returned flagged, not refused.
const CustomerWire = z.looseObject({
  id: z.unknown().optional(),
  name: z.string().nullish(),
  status: z.string().nullish(),
  externalId: z.string().nullish(),
  address: z.looseObject({ countryCode: z.string().nullish() }).nullish(),
});
const ProductWire = z.looseObject({
  mpn: z.unknown().optional(),
  id: z.union([z.string(), z.number()]).nullish(),
  name: z.string().nullish(),
  vendor: z.string().nullish(),
  serviceName: z.string().nullish(),
  subscriptionPeriod: PeriodWire.nullish(),
  billingPeriod: PeriodWire.nullish(),
  billingModel: z.string().nullish(),
  prices: z.array(MoneyWire).nullish(),
  costs: z.array(MoneyWire).nullish(),
});
const SubscriptionRowWire = z.looseObject({
  id: z.unknown().optional(),
  name: z.string().nullish(),
  customerId: z.unknown().optional(),
  status: z.string().nullish(),
  renewalStatus: z.boolean().nullish(),
  billingModel: z.string().nullish(),
  billingPeriod: PeriodWire.nullish(),
  subscriptionPeriod: PeriodWire.nullish(),
});
const SubscriptionProductWire = z.looseObject({
  mpn: z.string().nullish(),
  vendor: z.string().nullish(),
  name: z.string().nullish(),
  quantity: z.unknown().optional(),
  unitPrice: MoneyWire.nullish(),
  unitCost: MoneyWire.nullish(),
});
const SubscriptionDetailedWire = SubscriptionRowWire.extend({
  products: z.array(SubscriptionProductWire).nullish(),
});
const PageWire = z.looseObject({
  data: z.array(z.unknown()),
  pagination: z.looseObject({
    offset: z.coerce.number(),
    limit: z.coerce.number(),
    total: z.coerce.number(),
  }),
});
const OrderWire = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  orderNumber: z.string().nullish(),
  type: z.string().nullish(),
  status: z.string().nullish(),
  statusCode: z.string().nullish(),
  subscriptionId: z.string().nullish(),
  creationDate: z.string().nullish(),
  products: z
    .array(
      z.looseObject({
        mpn: z.string().nullish(),
        quantity: z.number().nullish(),
        subscriptionId: z.string().nullish(),
      }),
    )
    .nullish(),
});

const SUBSCRIPTION_STATUS: Record<string, SubscriptionStatus> = {
  active: 'active',
  pending: 'pending',
  hold: 'suspended',
  terminated: 'cancelled',
  removed: 'cancelled',
};

const CUSTOMER_STATUS: Record<string, CustomerStatus> = {
  active: 'active',
  creditHold: 'inactive',
  adminHold: 'inactive',
  cancelled: 'deleted',
};

const ORDER_STATUS: Record<string, OperationStatus> = {
  submitted: 'pending',
  processing: 'pending',
  completed: 'succeeded',
  error: 'failed',
  cancelled: 'cancelled',
};

/** Vendor statuses to ask for when filtering by a normalized status (the list filter takes one value). */
export function ingramStatusFilter(status: SubscriptionStatus | undefined): string | undefined {
  if (status === 'active') return 'active';
  if (status === 'pending') return 'pending';
  if (status === 'suspended') return 'hold';
  return undefined;
}

/** Normalized subscription status of an Ingram status. */
export function mapIngramSubscriptionStatus(status: unknown): SubscriptionStatus {
  return mapEnum(status, SUBSCRIPTION_STATUS, 'unknown');
}

/** A period as an ISO 8601 duration (`P1M`, `P1Y`), or null when it is not a whole month/year count. */
export function periodToIso(p: { type: string; duration: number } | null | undefined): string | null {
  if (!p || !Number.isInteger(p.duration) || p.duration <= 0) return null;
  if (p.type === 'month') return `P${p.duration}M`;
  if (p.type === 'year') return `P${p.duration}Y`;
  if (p.type === 'day') return `P${p.duration}D`;
  return null;
}

/**
 * Our billing term for a subscription: the commitment (`subscriptionPeriod`) decides, as Ingram sells
 * Microsoft NCE annual terms billed monthly under `_ANNUAL` MPNs.
 */
export function ingramBillingTerm(
  subscriptionPeriod: { type: string; duration: number } | null | undefined,
): BillingTerm {
  const iso = periodToIso(subscriptionPeriod);
  if (iso === 'P1M') return 'monthly';
  if (iso === 'P1Y' || iso === 'P12M') return 'annual';
  if (iso === 'P2Y') return 'biennial';
  if (iso === 'P3Y') return 'triennial';
  return 'unknown';
}

/** Reads a paged envelope `{data, pagination:{offset,limit,total}}`. */
export function mapPage(
  raw: unknown,
  ctx: WireContext,
): { data: unknown[]; pagination: { offset: number; limit: number; total: number } } {
  return parseWire(PageWire, raw, 'page', ctx);
}

/** Ingram customer -> Customer. */
export function mapCustomer(raw: unknown, ctx: WireContext): Customer {
  const read = new ItemReader(ctx);
  const c = read.parse(CustomerWire, raw, 'customer');
  return read.finish({
    provider: PROVIDER,
    id: read.id(c.id, 'id'),
    name: c.name ?? '',
    status: mapEnum(c.status, CUSTOMER_STATUS, 'unknown'),
    rawStatus: c.status ?? null,
    tenantId: null,
    externalId: c.externalId ?? null,
    country: toCountryCode(c.address?.countryCode),
    rawCountry: c.address?.countryCode ?? null,
    raw,
  });
}

/** Ingram product -> Product. The MPN is the id: orders name products by MPN. */
export function mapProduct(raw: unknown, ctx: WireContext): Product {
  const read = new ItemReader(ctx);
  const p = read.parse(ProductWire, raw, 'product');
  const term = periodToIso(p.subscriptionPeriod);
  if (p.subscriptionPeriod && !term) read.add('offers', 'subscriptionPeriod is not a commitment term the SDK knows');
  const mpn = read.id(p.mpn, 'id', 'mpn');
  return read.finish({
    provider: PROVIDER,
    id: mpn,
    name: p.name ?? '',
    sku: mpn || null,
    vendorSku: null,
    vendorName: p.vendor ?? null,
    description: p.serviceName ?? null,
    requiresCommitment: term === null ? null : term !== 'P1M',
    license: ingramLicense(mpn),
    // One MPN is one way to buy: its billing period, its subscription (commitment) period, its price and cost.
    offers: [
      {
        billingTerm: ingramBillingPeriod(p.billingPeriod),
        commitmentTerm: term,
        price: money(p.prices?.[0]),
        cost: money(p.costs?.[0]),
      },
    ],
    raw,
  });
}

/** Billing frequency of an Ingram `billingPeriod` (`{type: month, duration: 1}` -> monthly). */
function ingramBillingPeriod(p: { type: string; duration: number } | null | undefined): BillingTerm {
  const iso = periodToIso(p);
  if (iso === 'P1M') return 'monthly';
  if (iso === 'P1Y' || iso === 'P12M') return 'annual';
  if (iso === 'P2Y') return 'biennial';
  if (iso === 'P3Y') return 'triennial';
  return 'unknown';
}

/**
 * Ingram exposes no Microsoft id field: the MPN of a Microsoft NCE product starts with the Graph SKU GUID or
 * the Microsoft catalog id, followed by a term suffix (`<guid>_ANNUAL`). Anything else: unknown.
 */
function ingramLicense(mpn: string | null | undefined): LicenseIdentity {
  const head = mpn?.split('_')[0];
  return licenseFromSku(head);
}

function money(m: z.infer<typeof MoneyWire> | null | undefined): Money | null {
  if (!m || m.amount === null || m.amount === undefined || m.amount === '') return null;
  const amount = Number(m.amount);
  return Number.isFinite(amount) ? { amount, currency: m.currency ?? null } : null;
}

const NCE_WINDOW_MS = 7 * 86_400_000;

function subtractPeriod(iso: string, p: { type: string; duration: number }): number | null {
  const d = new Date(iso);
  if (p.type === 'year') d.setUTCFullYear(d.getUTCFullYear() - p.duration);
  else if (p.type === 'month') d.setUTCMonth(d.getUTCMonth() - p.duration);
  else return null;
  return d.getTime();
}

function constraintsOf(
  status: SubscriptionStatus,
  committed: boolean,
  commitment: Commitment | null,
  renewalDate: string | null,
  period: { type: string; duration: number } | null | undefined,
  now: Date,
): SubscriptionConstraints {
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
  const notes = ['changes are orders that Ingram fulfils asynchronously'];
  if (status !== 'active') {
    notes.push(`the subscription is ${status}: Ingram accepts orders only on active subscriptions`);
    return {
      canIncrease: false,
      canDecrease: false,
      decreaseAllowedUntil: null,
      canCancel: false,
      refundableQuantity: null,
      notes,
    };
  }
  if (!committed || !commitment) {
    return {
      canIncrease: true,
      canDecrease: true,
      decreaseAllowedUntil: null,
      canCancel: true,
      refundableQuantity: null,
      notes,
    };
  }
  // Term start = renewal date minus one term; decreases and cancellation within 7 days of it.
  const start = renewalDate && period ? subtractPeriod(renewalDate, period) : null;
  const end = start === null ? null : start + NCE_WINDOW_MS;
  const inWindow = end !== null && end > now.getTime();
  notes.push(
    `Microsoft NCE term ${commitment.term}: seat decreases and cancellation only within 7 days after purchase, renewal or a seat increase${inWindow ? '' : ' (the window after the current term start has passed; a recent increase may reopen it)'}`,
  );
  return {
    canIncrease: true,
    canDecrease: inWindow ? true : null,
    decreaseAllowedUntil: inWindow ? new Date(end!).toISOString() : null,
    canCancel: inWindow ? true : null,
    refundableQuantity: null,
    notes,
  };
}

/**
 * Ingram `SubscriptionDetailed` -> Subscription. List rows carry no products: pass a detailed subscription
 * (`GET /subscriptions/{id}`); one without products (`products: []`) or with a negative quantity is returned
 * flagged with a `quantity` problem (quantity 0 means nothing then), never failing its page.
 */
export function mapSubscription(raw: unknown, ctx: WireContext, options: { now?: Date } = {}): Subscription {
  const read = new ItemReader(ctx);
  const s = read.parse(SubscriptionDetailedWire, raw, 'subscription');
  const r = fieldsOf(raw);
  const line = s.products?.[0];
  // `products: []` (or none) leaves nothing to count: the record is flagged, never "0 seats".
  if (!line) read.add('quantity', 'products is empty or missing: no product line to read the seat count from');
  const quantity = line ? read.quantity(line.quantity, 'quantity', 'products[0].quantity') : 0;
  const status = mapIngramSubscriptionStatus(s.status);
  const term = periodToIso(s.subscriptionPeriod);
  if (s.subscriptionPeriod && !term)
    read.add('commitment', 'subscriptionPeriod is not a commitment term the SDK knows');
  const renewalDate = read.date(r.renewalDate, 'renewalDate');
  const expirationDate = read.date(r.expirationDate, 'commitment', 'expirationDate');
  const commitment: Commitment | null = term ? { term, endDate: expirationDate ?? renewalDate } : null;
  const committed = line?.vendor === 'Microsoft' && s.billingModel !== 'chargeExternalRating';
  const constraints = constraintsOf(
    status,
    committed,
    commitment,
    renewalDate,
    s.subscriptionPeriod,
    options.now ?? new Date(),
  );
  if ((s.products?.length ?? 0) > 1) {
    constraints.notes.push(
      `the subscription holds ${s.products!.length} products; quantity and seat changes use the first (${line?.mpn ?? '?'})`,
    );
  }
  return read.finish({
    provider: PROVIDER,
    id: read.id(s.id, 'id'),
    customerId: read.id(s.customerId, 'customerId'),
    productId: line?.mpn ?? null,
    sku: line?.mpn ?? null,
    name: line?.name ?? s.name ?? '',
    status,
    rawStatus: s.status ?? null,
    quantity,
    billingTerm: ingramBillingTerm(s.subscriptionPeriod),
    rawBillingTerm: s.subscriptionPeriod ? `${s.subscriptionPeriod.duration} ${s.subscriptionPeriod.type}` : null,
    commitment,
    startDate: read.date(r.creationDate, 'startDate', 'creationDate'),
    renewalDate,
    // Ingram sends no termination date: a terminated subscription's last change is when it ended.
    endDate:
      status === 'cancelled' ? (read.date(r.lastModifiedDate, 'endDate', 'lastModifiedDate') ?? expirationDate) : null,
    autoRenew: s.renewalStatus ?? null,
    price: money(line?.unitPrice),
    cost: money(line?.unitCost),
    constraints,
    license: ingramLicense(line?.mpn),
    raw,
  });
}

/** Reads a subscription list row (no quantity): what the client needs to decide whether to fetch details. */
export function mapSubscriptionRow(
  raw: unknown,
  ctx: WireContext,
): { id: string; customerId: string; status: SubscriptionStatus; billingTerm: BillingTerm } {
  const read = new ItemReader(ctx);
  const s = read.parse(SubscriptionRowWire, raw, 'subscription list row');
  // A row without an id cannot be read in detail: the client returns it flagged from the row itself.
  return {
    id: read.id(s.id, 'id'),
    customerId: read.id(s.customerId, 'customerId'),
    status: mapIngramSubscriptionStatus(s.status),
    billingTerm: ingramBillingTerm(s.subscriptionPeriod),
  };
}

/** Reads an order (`OrderDetailed`). */
export function mapOrder(raw: unknown, ctx: WireContext): z.infer<typeof OrderWire> {
  return parseWire(OrderWire, raw, 'order', ctx);
}

/** An order as the state of a pending operation. */
export function orderState(raw: unknown, ctx: WireContext): OperationState {
  const o = mapOrder(raw, ctx);
  const status = mapEnum(o.status, ORDER_STATUS, 'pending');
  const label = o.orderNumber ?? o.id;
  let message: string | null = null;
  if (status === 'failed') {
    message = `Order ${label} ended in error${o.statusCode ? ` (statusCode ${o.statusCode})` : ''}; Ingram shows the details in the reseller control panel.`;
  } else if (status === 'cancelled') {
    message = `Order ${label} was cancelled.`;
  } else if (o.status && !ORDER_STATUS[o.status]) {
    message = `Unknown order status ${JSON.stringify(o.status)}; still waiting.`;
  }
  return { id: o.id, status, rawStatus: o.status ?? null, message, raw };
}
