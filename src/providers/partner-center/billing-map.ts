import { RecordReader, missingId, money } from '../../core/billing-wire.js';
import type { Invoice, InvoiceLine, Order, OrderStatus, UsageRecord } from '../../model/billing.js';
import { licenseFromSku, unknownLicense } from '../../model/common.js';
import type { BillingTerm } from '../../model/subscription.js';

/** A mapped billing record and what could not be read of it (empty when everything was read). */
export interface Mapped<T> {
  value: T;
  problems: string[];
}

const PROVIDER = 'partner-center';

/**
 * Partner Center `Invoice` (a monthly statement to the partner, for every customer) -> {@link Invoice}. Invoices
 * carry no status: it is derived from `totalCharges` and `paidAmount` (negative once paid): nothing left -> `paid`,
 * else `open`; a credit note (`documentType: CreditNote`) is `void`.
 */
export function mapPartnerCenterInvoice(raw: unknown, position: string): Mapped<Invoice> {
  const r = new RecordReader(raw);
  let id = r.text('id');
  if (id === null) {
    r.problems.push('id is missing');
    id = missingId('invoice', position);
  }
  const currency = r.text('currencyCode');
  const total = r.number('totalCharges');
  const paid = r.number('paidAmount');
  const balance = total === null ? null : Math.round((total + (paid ?? 0)) * 100) / 100;
  const documentType = r.text('documentType');
  const status: Invoice['status'] =
    documentType?.toLowerCase() === 'creditnote'
      ? 'void'
      : balance === null || paid === null
        ? 'unknown'
        : balance <= 0
          ? 'paid'
          : 'open';
  return {
    value: {
      provider: PROVIDER,
      id,
      number: null,
      // One invoice covers every customer of the partner.
      customerId: null,
      status,
      rawStatus: documentType,
      invoiceDate: r.date('invoiceDate'),
      dueDate: null,
      periodStart: r.date('billingPeriodStartDate'),
      periodEnd: r.date('billingPeriodEndDate'),
      total: total === null ? null : { amount: total, currency },
      balance: paid === null ? null : money(balance, currency),
      raw,
    },
    problems: r.problems,
  };
}

/** The billing providers (and line types) of an invoice whose lines the SDK reads: `one_time` and `office`. */
export interface InvoiceDetailRef {
  provider: string;
  lineItemType: string;
}

/** The `invoiceDetails` of an invoice (`billingProvider` + `invoiceLineItemType`), as the vendor names them. */
export function invoiceDetailsOf(raw: unknown): InvoiceDetailRef[] {
  const r = new RecordReader(raw);
  const details = r.get('invoiceDetails');
  if (!Array.isArray(details)) return [];
  const out: InvoiceDetailRef[] = [];
  for (const d of details) {
    const x = new RecordReader(d);
    const provider = x.text('billingProvider');
    const lineItemType = x.text('invoiceLineItemType');
    if (provider && lineItemType) out.push({ provider, lineItemType });
  }
  return out;
}

const FREQUENCY: Record<string, BillingTerm> = {
  monthly: 'monthly',
  annual: 'annual',
  yearly: 'annual',
  triennial: 'triennial',
  onetime: 'one-time',
  one_time: 'one-time',
};

/** `billingFrequency` (`Monthly`, `Annual`, `OneTime`) or legacy `billingCycleType`, else the text of the term. */
function billingTermOf(r: RecordReader): BillingTerm {
  const f = (r.text('billingFrequency') ?? r.text('billingCycleType'))?.toLowerCase().replace(/[\s-]/g, '');
  if (f && FREQUENCY[f]) return FREQUENCY[f]!;
  const text = r.text('termAndBillingCycle')?.toLowerCase() ?? '';
  if (/monthly billing/.test(text)) return 'monthly';
  if (/(annual|yearly) billing/.test(text)) return 'annual';
  if (/triennial billing/.test(text)) return 'triennial';
  return 'unknown';
}

/**
 * `chargeType` of new-commerce lines (`new`, `renew`, `cycleCharge`, `addQuantity`, `removeQuantity`,
 * `cancelImmediate`, `customerCredit`, ...) and of legacy lines (`Cycle fee`, `Prorate fees when purchase`, ...).
 */
function chargeTypeOf(raw: string | null): InvoiceLine['chargeType'] {
  const t = raw?.toLowerCase().replace(/[\s_-]/g, '') ?? '';
  if (t === '') return 'other';
  if (t.includes('prorat') || t === 'addquantity' || t === 'removequantity') return 'prorated';
  if (t.includes('cancel') || t.includes('refund') || t.includes('credit')) return 'credit';
  if (t === 'new' || t === 'renew' || t === 'purchase' || t.includes('cycle')) return 'recurring';
  if (t.includes('usage') || t.includes('consumption')) return 'usage';
  return 'other';
}

/**
 * A reconciliation line: new commerce / marketplace (`OneTimeInvoiceLineItem`, billing provider `one_time`) or
 * legacy licence-based (`LicenseBasedLineItem`, provider `office`) -> {@link InvoiceLine}. Partner Center lines are
 * the partner's cost: `effectiveUnitPrice` (after discounts; else `unitPrice`) is `unitCost`, `subtotal` (after
 * discounts, before tax) is `total`; the price to the customer is not on them (`unitPrice` null).
 */
export function mapPartnerCenterLine(raw: unknown, invoiceId: string | null): Mapped<InvoiceLine> {
  const r = new RecordReader(raw);
  const currency = r.text('currency') ?? r.text('currencyCode');
  const productId = r.text('productId');
  const skuId = r.text('skuId');
  const offerId = r.text('offerId') ?? r.text('durableOfferId');
  const license = productId ? licenseFromSku(`${productId}:${skuId ?? ''}`) : unknownLicense();
  const unitCost = r.number('effectiveUnitPrice') ?? r.number('unitPrice');
  const quantity = r.number('quantity') ?? r.number('billableQuantity');
  const total = r.number('subtotal') ?? r.number('amount');
  const id = r.text('referenceId') ?? r.text('lineItemId') ?? null;
  return {
    value: {
      provider: PROVIDER,
      invoiceId: invoiceId ?? null,
      id,
      customerId: r.text('customerId'),
      customerName: r.text('customerName') ?? r.text('customerDomainName'),
      subscriptionId: r.text('subscriptionId'),
      productId: productId && skuId ? `${productId}:${skuId}` : (productId ?? offerId),
      sku: r.text('skuName') ?? r.text('offerName'),
      license,
      description:
        r.text('subscriptionDescription') ?? r.text('productName') ?? r.text('offerName') ?? r.text('skuName') ?? '',
      chargeType: chargeTypeOf(r.text('chargeType')),
      periodStart: r.date('chargeStartDate'),
      periodEnd: r.date('chargeEndDate'),
      quantity,
      billingTerm: billingTermOf(r),
      unitPrice: null,
      unitCost: money(unitCost, currency),
      total: money(total, currency),
      raw,
    },
    problems: r.problems,
  };
}

const ORDER_STATUS: Record<string, OrderStatus> = {
  completed: 'completed',
  pending: 'pending',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  failed: 'failed',
};

const ORDER_CYCLE: Record<string, BillingTerm> = {
  monthly: 'monthly',
  annual: 'annual',
  triennial: 'triennial',
  biennial: 'biennial',
  one_time: 'one-time',
  onetime: 'one-time',
};

/** Partner Center `Order` of a customer -> {@link Order}; each line's product is its offer (catalog item) id. */
export function mapPartnerCenterOrder(raw: unknown, customerId: string, position: string): Mapped<Order> {
  const r = new RecordReader(raw);
  let id = r.text('id');
  if (id === null) {
    r.problems.push('id is missing');
    id = missingId('order', position);
  }
  const rawStatus = r.text('status');
  const cycle = r.text('billingCycle')?.toLowerCase();
  const billingTerm: BillingTerm = cycle ? (ORDER_CYCLE[cycle] ?? 'unknown') : 'unknown';
  const lines: Order['lines'] = [];
  const items = r.get('lineItems');
  if (Array.isArray(items)) {
    for (const item of items) {
      const l = new RecordReader(item);
      lines.push({
        productId: l.text('offerId'),
        subscriptionId: l.text('subscriptionId'),
        quantity: l.number('quantity'),
        billingTerm,
        description: l.text('friendlyName'),
      });
      r.problems.push(...l.problems.map((m) => `lineItems: ${m}`));
    }
  } else if (items !== undefined && items !== null) {
    r.problems.push('lineItems is not a list');
  }
  return {
    value: {
      provider: PROVIDER,
      id,
      customerId: r.text('referenceCustomerId') ?? customerId,
      status: rawStatus ? (ORDER_STATUS[rawStatus.toLowerCase()] ?? 'unknown') : 'unknown',
      rawStatus,
      createdAt: r.date('creationDate'),
      lines,
      raw,
    },
    problems: r.problems,
  };
}

/**
 * Partner Center `SubscriptionMonthlyUsageRecord` (`GET /customers/{id}/subscriptions/usagerecords`: one record per
 * usage-billed subscription or Azure plan, for the current billing period) -> {@link UsageRecord}. Microsoft's
 * pages name the id and name `resourceId`/`resourceName` (the .NET SDK) or `id`/`name` (the REST page); both are
 * read (an assumption: which one the service sends is not shown in a response example we have). `totalCost` is an
 * estimate to the partner in `currencyCode` (Azure plan) — `currencyLocale` alone gives no currency, so it is null.
 */
export function mapPartnerCenterUsage(raw: unknown, customerId: string): Mapped<UsageRecord> {
  const r = new RecordReader(raw);
  const subscriptionId = r.text('resourceId') ?? r.text('id');
  if (subscriptionId === null) r.problems.push('resourceId is missing');
  const cost = r.number('totalCost');
  return {
    value: {
      provider: PROVIDER,
      customerId,
      subscriptionId,
      productId: r.text('offerId'),
      description: r.text('resourceName') ?? r.text('name') ?? '',
      // The current billing period; Microsoft does not give its dates with the record.
      periodStart: null,
      periodEnd: null,
      quantity: null,
      unit: null,
      cost: money(cost, r.text('currencyCode')),
      price: null,
      raw,
    },
    problems: r.problems,
  };
}
