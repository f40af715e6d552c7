import * as z from 'zod';
import type { components } from '../../../generated/dandh.js';
import { ResponseValidationError } from '../../core/errors.js';
import { ItemReader, fieldsOf } from '../../core/item-problems.js';
import { type WireContext, parseWire, vendorDate } from '../../core/wire.js';
import { licenseFromSku } from '../../model/common.js';
import { toCountryCode } from '../../model/country.js';
import type { Customer, CustomerStatus } from '../../model/customer.js';
import type { OperationState } from '../../model/operations.js';
import type { Product } from '../../model/product.js';
import type {
  BillingTerm,
  Commitment,
  Subscription,
  SubscriptionConstraints,
  SubscriptionStatus,
} from '../../model/subscription.js';

/** D&H (SimpleAPI) wire types, from our spec (specs/dandh.yaml). */
export type DandhWireCompany = components['schemas']['Company'];
export type DandhWireSubscription = components['schemas']['Subscription'];
export type DandhWireService = components['schemas']['ServiceInfo'];
export type DandhWireOrderForm = components['schemas']['ServiceOrderForm'];
export type DandhWireOrderField = components['schemas']['OrderFormField'];
export type DandhWireMarketplace = components['schemas']['Marketplace'];

const PROVIDER = 'dandh';

const IntId = z.union([z.number().int(), z.string().regex(/^\d+$/)]);

// Ids are read by an ItemReader: a record without one is returned flagged, not refused.
const CompanyWire = z.looseObject({
  AccountId: z.unknown().optional(),
  CompanyName: z.string().nullish(),
  AccountState: z.string().nullish(),
  AccountType: z.string().nullish(),
  CustomerId: z.string().nullish(),
  Country: z.string().nullish(),
});
const FieldWire = z.looseObject({ Name: z.string(), Value: z.unknown().optional() });
const PriceableWire = z.looseObject({
  FieldName: z.string().nullish(),
  IsUDRCField: z.boolean().nullish(),
  Currency: z.string().nullish(),
  PurchasePrice: z.number().nullish(),
  SalesPrice: z.number().nullish(),
  ProductNumber: z.string().nullish(),
  PriceableItemType: z.string().nullish(),
  PrepaidPeriodInMonths: z.coerce.number().nullish(),
  CommitementPeriodInMonths: z.coerce.number().nullish(),
});
const SubscriptionWire = z.looseObject({
  AccountId: z.unknown().optional(),
  ServiceName: z.string().nullish(),
  AccountState: z.string().nullish(),
  ParentAccountId: IntId.nullish(),
  CompanyAccountId: IntId.nullish(),
  Status: z.string().nullish(),
  ProvisioningStatus: z.string().nullish(),
  ErrorDetails: z.string().nullish(),
  ServiceDisplayName: z.string().nullish(),
  Fields: z.array(FieldWire).nullish(),
  PriceableItems: z.array(PriceableWire).nullish(),
  AdvancePeriodEndAction: z.string().nullish(),
});
const ServiceWire = z.looseObject({
  ProductName: z.unknown().optional(),
  DisplayName: z.string().nullish(),
  Description: z.string().nullish(),
  OwnerName: z.string().nullish(),
  SimpleProductBillingInfo: z
    .array(
      z.looseObject({
        VendorSku: z.string().nullish(),
        MaterialNumber: z.string().nullish(),
        AdvancePaymentPeriodInMonths: z.coerce.number().nullish(),
        FieldName: z.string().nullish(),
      }),
    )
    .nullish(),
});
const OrderFieldWire = z.looseObject({
  Name: z.string().min(1),
  Type: z.string().nullish(),
  DisplayType: z.string().nullish(),
  DisplayTemplate: z.string().nullish(),
});
const OrderFormWire = z.looseObject({ Fields: z.array(OrderFieldWire).nullish() });

/** How the client reads provisioning states (the vendor enumerates none; configurable). */
export interface DandhStatusRules {
  /** `ProvisioningStatus`/`Status` values meaning "still provisioning" (compared case-insensitively). */
  pending: string[];
  /** Values meaning "provisioning failed". */
  failed: string[];
  /** Days after the start of a commitment term during which seats may be decreased (Microsoft NCE: 7). */
  decreaseWindowDays: number;
}

/** Defaults of {@link DandhStatusRules}. */
export const DEFAULT_STATUS_RULES: DandhStatusRules = {
  pending: ['Pending', 'InProgress', 'In Progress', 'Provisioning', 'Processing', 'Queued'],
  failed: ['Failed', 'Error', 'ProvisioningFailed'],
  decreaseWindowDays: 7,
};

const has = (list: string[], v: string | null | undefined) =>
  !!v && list.some((x) => x.toLowerCase() === v.trim().toLowerCase());

/** Reads a SimpleAPI date (`2017-01-03 11:22:33.456000`, `2017-01-03T11:22:33.456`, WCF `/Date(ms+0000)/`). */
export function dandhDateToIso(value: unknown, field: string, ctx: WireContext): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (!s || s.startsWith('0001-01-01')) return null;
  const wcf = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(s);
  if (wcf) return new Date(Number(wcf[1])).toISOString();
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  const normalized = m ? `${m[1]}T${m[2]}${m[3] ? `.${m[3].slice(0, 3)}` : ''}${m[4] ?? ''}` : s;
  try {
    return vendorDate(normalized, field, ctx);
  } catch {
    return null;
  }
}

/** Company -> Customer. */
export function mapCompany(raw: unknown, ctx: WireContext): Customer {
  const read = new ItemReader(ctx);
  const c = read.parse(CompanyWire, raw, 'company');
  const status: CustomerStatus =
    c.AccountState === 'Active' ? 'active' : c.AccountState === 'Terminated' ? 'deleted' : 'unknown';
  return read.finish({
    provider: PROVIDER,
    id: dandhId(read, c.AccountId, 'id', 'AccountId'),
    name: c.CompanyName ?? '',
    status,
    rawStatus: c.AccountState ?? null,
    tenantId: null,
    externalId: c.CustomerId || null,
    country: toCountryCode(c.Country),
    rawCountry: c.Country || null,
    raw,
  });
}

/** A D&H account id (an integer, as a number or digits); '' and a problem otherwise. */
function dandhId(read: ItemReader, value: unknown, field: string, vendorField: string): string {
  if (IntId.safeParse(value).success) return String(value);
  if (value !== undefined && value !== null && value !== '') {
    read.add(field, `${vendorField} is not an account id`);
    return '';
  }
  return read.id(value, field, vendorField);
}

/** A D&H date through {@link dandhDateToIso}; a value that is there but is not a date is a problem on `field`. */
function dandhDate(
  read: ItemReader,
  value: unknown,
  field: string,
  vendorField: string,
  ctx: WireContext,
): string | null {
  const iso = dandhDateToIso(value, vendorField, ctx);
  const present =
    typeof value === 'string' ? value.trim() !== '' && !value.trim().startsWith('0001-01-01') : value != null;
  if (iso === null && present) read.add(field, `${vendorField} is not a date`);
  return iso;
}

/** Catalog service -> Product (`id` is the service name `ServiceName`/`ProductName`). */
export function mapService(raw: unknown, ctx: WireContext): Product {
  const read = new ItemReader(ctx);
  const s = read.parse(ServiceWire, raw, 'service');
  const billing = s.SimpleProductBillingInfo?.[0];
  const id = read.id(s.ProductName, 'id', 'ProductName');
  return read.finish({
    provider: PROVIDER,
    id,
    name: s.DisplayName ?? id,
    sku: billing?.MaterialNumber || null,
    vendorSku: billing?.VendorSku || null,
    vendorName: s.OwnerName || null,
    description: s.Description || null,
    requiresCommitment: null,
    // D&H's VendorSku of a Microsoft NCE service is the Microsoft catalog id (`CFQ7TTC0LCHC:0002[:P1Y...]`).
    license: licenseFromSku(billing?.VendorSku),
    // The catalog gives billing units but no commitment terms or prices.
    offers: null,
    raw,
  });
}

/** Billing frequency in months of a catalog service (`AdvancePaymentPeriodInMonths`), if stated. */
export function serviceBillingMonths(raw: unknown): number | null {
  const b = (raw as { SimpleProductBillingInfo?: { AdvancePaymentPeriodInMonths?: unknown }[] } | undefined)
    ?.SimpleProductBillingInfo?.[0]?.AdvancePaymentPeriodInMonths;
  const n = Number(b);
  return b !== undefined && b !== null && Number.isFinite(n) && n > 0 ? n : null;
}

const INT_TYPES = /^(int|integer|int32|int64|long|number|numeric|decimal)$/i;

/**
 * The quantity field of a service from its order form (`GetFieldsForService`): the one editable integer
 * field; when several, the one `preferred` names (the UDRC priceable item's `FieldName`). Null when the
 * service has none (e.g. a Microsoft tenant) or it is ambiguous.
 */
export function quantityFieldOf(form: unknown, ctx: WireContext, preferred?: string | null): string | null {
  const f = parseWire(OrderFormWire, form, 'order form', ctx);
  const candidates = (f.Fields ?? []).filter(
    (x) =>
      (INT_TYPES.test(x.Type ?? '') || /numericupdown/i.test(x.DisplayTemplate ?? '')) &&
      !/^(readonly|hidden)$/i.test(x.DisplayType ?? ''),
  );
  if (preferred && candidates.some((c) => c.Name === preferred)) return preferred;
  return candidates.length === 1 ? candidates[0]!.Name : null;
}

/** The quantity field the subscription itself names: `FieldName` of the priceable item with `IsUDRCField`. */
export function udrcFieldOf(raw: unknown): string | null {
  const items = fieldsOf(raw).PriceableItems;
  if (!Array.isArray(items)) return null;
  for (const p of items) {
    const item = p as { IsUDRCField?: unknown; FieldName?: unknown };
    if (item?.IsUDRCField === true && typeof item.FieldName === 'string' && item.FieldName) return item.FieldName;
  }
  return null;
}

/** A field's value from a subscription's `Fields` (undefined when absent). */
export function fieldValueOf(raw: unknown, name: string): unknown {
  const fields = fieldsOf(raw).Fields;
  if (!Array.isArray(fields)) return undefined;
  return (fields as { Name?: unknown; Value?: unknown }[]).find((f) => f?.Name === name)?.Value;
}

function termOfMonths(months: number | null | undefined): string | null {
  if (!months || months <= 0 || !Number.isInteger(months)) return null;
  return months % 12 === 0 ? `P${months / 12}Y` : `P${months}M`;
}

function billingOfMonths(months: number | null | undefined): BillingTerm {
  if (months === 1) return 'monthly';
  if (months === 12) return 'annual';
  if (months === 24) return 'biennial';
  if (months === 36) return 'triennial';
  return 'unknown';
}

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

/** Provisioning state of a subscription as an operation state. */
export function provisioningState(
  raw: unknown,
  id: string,
  rules: DandhStatusRules = DEFAULT_STATUS_RULES,
): OperationState {
  if (raw === null || typeof raw !== 'object') {
    throw new ResponseValidationError(`D&H sent a subscription state that is not an object (got ${String(raw)})`, {
      provider: PROVIDER,
      operation: 'provisioningState',
      field: '(root)',
      value: raw,
    });
  }
  const r = raw as { ProvisioningStatus?: unknown; Status?: unknown; ErrorDetails?: unknown; AccountState?: unknown };
  const prov = typeof r.ProvisioningStatus === 'string' ? r.ProvisioningStatus : null;
  const status = typeof r.Status === 'string' ? r.Status : null;
  const error = typeof r.ErrorDetails === 'string' && r.ErrorDetails.trim() ? r.ErrorDetails.trim() : null;
  const rawStatus = prov ?? status;
  if (has(rules.failed, prov) || has(rules.failed, status)) {
    return { id, status: 'failed', rawStatus, message: error ?? 'D&H reports provisioning failed', raw };
  }
  if (has(rules.pending, prov) || has(rules.pending, status)) {
    return { id, status: 'pending', rawStatus, message: null, raw };
  }
  return { id, status: 'succeeded', rawStatus, message: null, raw };
}

/** Options of {@link mapSubscription}. */
export interface MapSubscriptionOptions {
  /** The service's quantity field (from the order form) when the subscription does not name one. */
  quantityField?: string | null | undefined;
  rules?: DandhStatusRules | undefined;
  now?: Date | undefined;
}

/** SimpleAPI subscription -> Subscription. The quantity is read from the service's quantity field. */
export function mapSubscription(raw: unknown, ctx: WireContext, options: MapSubscriptionOptions = {}): Subscription {
  const read = new ItemReader(ctx);
  const s = read.parse(SubscriptionWire, raw, 'subscription');
  const rules = options.rules ?? DEFAULT_STATUS_RULES;
  const r = fieldsOf(raw);
  const id = dandhId(read, s.AccountId, 'id', 'AccountId');
  const notes: string[] = [];
  const qField = udrcFieldOf(raw) ?? options.quantityField ?? null;
  let quantity = 0;
  let hasQuantity = false;
  if (qField) {
    const v = fieldValueOf(raw, qField);
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    if (Number.isInteger(n) && n >= 0) {
      quantity = n;
      hasQuantity = true;
    } else {
      // Not "0 seats": a count the SDK cannot read flags the record (and refuses seat changes on it).
      read.add('quantity', `quantity field ${qField} is not a seat count`);
      notes.push(`quantity field ${qField} is not a seat count (quantity shown as 0, see problems)`);
    }
  } else {
    notes.push('this service has no quantity field (e.g. a Microsoft tenant): it has no seats');
  }
  const udrc = s.PriceableItems?.find((p) => p.IsUDRCField) ?? s.PriceableItems?.[0];
  const prov = provisioningState(r, id, rules);
  let status: SubscriptionStatus;
  if (s.AccountState === 'Terminated') status = 'cancelled';
  else if (has(rules.pending, s.Status)) status = 'pending';
  else if (s.Status && /^active$/i.test(s.Status)) status = 'active';
  else if (s.Status && /^suspended$/i.test(s.Status)) status = 'suspended';
  else if (!s.Status && s.AccountState === 'Active') status = 'active';
  else status = 'unknown';
  const commitmentTerm = termOfMonths(udrc?.CommitementPeriodInMonths);
  if (udrc?.CommitementPeriodInMonths && !commitmentTerm) {
    read.add('commitment', 'CommitementPeriodInMonths is not a whole number of months');
  }
  const contractEnd = dandhDate(read, r.ContractEndDate, 'renewalDate', 'ContractEndDate', ctx);
  const advanceEnd = dandhDate(read, r.AdvancePeriodEndDate, 'renewalDate', 'AdvancePeriodEndDate', ctx);
  const commitment: Commitment | null = commitmentTerm
    ? { term: commitmentTerm, endDate: contractEnd ?? advanceEnd }
    : null;
  const startDate = dandhDate(read, r.BillingStartDate, 'startDate', 'BillingStartDate', ctx);
  const terminationDate = dandhDate(read, r.ScheduledTerminationDate, 'endDate', 'ScheduledTerminationDate', ctx);
  const endsAtTermEnd = s.AdvancePeriodEndAction === 'Terminate';
  const endDate = terminationDate ?? (endsAtTermEnd ? (advanceEnd ?? contractEnd) : null);
  const currency = udrc?.Currency || null;
  if (prov.status === 'pending') notes.push(`a change is being provisioned (${prov.rawStatus})`);
  if (prov.status === 'failed') notes.push(`the last provisioning failed: ${prov.message}`);
  if (endsAtTermEnd && status !== 'cancelled')
    notes.push('set to terminate at the end of the term (AdvancePeriodEndAction Terminate)');
  // Cancelled at the term end (or on a scheduled date): still running and billed until then.
  const scheduledEnd = terminationDate !== null && Date.parse(terminationDate) > (options.now ?? new Date()).getTime();
  if (status === 'active' && (endsAtTermEnd || scheduledEnd)) status = 'pending-cancel';
  const constraints = constraintsOf({
    status,
    hasQuantity,
    commitmentMonths: udrc?.CommitementPeriodInMonths ?? 0,
    startDate,
    rules,
    now: options.now ?? new Date(),
    notes,
  });
  if (!s.ServiceName) read.add('productId', 'ServiceName is missing');
  const sub: Subscription = read.finish({
    provider: PROVIDER,
    id,
    customerId: String(s.CompanyAccountId ?? s.ParentAccountId ?? ''),
    productId: s.ServiceName || null,
    sku: udrc?.ProductNumber || null,
    name: s.ServiceDisplayName || s.ServiceName || '',
    status,
    rawStatus: s.Status ?? s.AccountState ?? null,
    quantity,
    billingTerm: billingOfMonths(udrc?.PrepaidPeriodInMonths),
    rawBillingTerm:
      udrc?.PriceableItemType ?? (udrc?.PrepaidPeriodInMonths ? `${udrc.PrepaidPeriodInMonths} months` : null),
    commitment,
    startDate,
    renewalDate: commitment && !endsAtTermEnd ? (advanceEnd ?? contractEnd) : null,
    endDate,
    autoRenew: s.AdvancePeriodEndAction === 'Renew' ? true : endsAtTermEnd ? false : null,
    price: typeof udrc?.SalesPrice === 'number' ? { amount: udrc.SalesPrice, currency } : null,
    cost: typeof udrc?.PurchasePrice === 'number' ? { amount: udrc.PurchasePrice, currency } : null,
    constraints,
    license: licenseFromSku(udrc?.ProductNumber),
    raw,
  });
  return sub;
}

function constraintsOf(o: {
  status: SubscriptionStatus;
  hasQuantity: boolean;
  commitmentMonths: number;
  startDate: string | null;
  rules: DandhStatusRules;
  now: Date;
  notes: string[];
}): SubscriptionConstraints {
  const { notes } = o;
  if (o.status === 'cancelled' || o.status === 'expired') {
    return {
      canIncrease: false,
      canDecrease: false,
      decreaseAllowedUntil: null,
      canCancel: false,
      refundableQuantity: null,
      notes: [`the subscription is ${o.status}`, ...notes],
    };
  }
  if (o.commitmentMonths <= 0) {
    notes.push('no commitment: seats can be changed and the subscription terminated at any time');
    return {
      canIncrease: o.hasQuantity,
      canDecrease: o.hasQuantity,
      decreaseAllowedUntil: null,
      canCancel: true,
      refundableQuantity: null,
      notes,
    };
  }
  // Committed (Microsoft NCE): decreases and termination only within the window after the current term start.
  let canDecrease: boolean | null = null;
  let until: string | null = null;
  if (o.startDate) {
    let termStart = Date.parse(o.startDate);
    for (let next = addMonths(termStart, o.commitmentMonths); next <= o.now.getTime(); ) {
      termStart = next;
      next = addMonths(termStart, o.commitmentMonths);
    }
    const end = termStart + o.rules.decreaseWindowDays * 86_400_000;
    if (end > o.now.getTime()) {
      until = new Date(end).toISOString();
      canDecrease = true;
    } else canDecrease = false;
  }
  notes.push(
    `commitment of ${o.commitmentMonths} month(s): seat decreases and termination are accepted only within ${o.rules.decreaseWindowDays} days of the term start (inferred from BillingStartDate)`,
  );
  return {
    canIncrease: o.hasQuantity,
    canDecrease: o.hasQuantity ? canDecrease : false,
    decreaseAllowedUntil: until,
    canCancel: canDecrease,
    refundableQuantity: null,
    notes,
  };
}
