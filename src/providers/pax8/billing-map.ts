import { RecordReader, missingId, money } from '../../core/billing-wire.js';
import { mapEnum } from '../../core/wire.js';
import type {
  Invoice,
  InvoiceLine,
  InvoiceStatus,
  Order,
  OrderStatus,
  ProductPrice,
  ProductPricing,
  UsageRecord,
} from '../../model/billing.js';
import { licenseFromSku } from '../../model/common.js';
import type { BillingTerm } from '../../model/subscription.js';
import { BILLING_TERM, pax8TermToIso } from './map.js';

/** A mapped billing record and what could not be read of it (empty when everything was read). */
export interface Mapped<T> {
  value: T;
  problems: string[];
}

const PROVIDER = 'pax8';

/** Pax8 invoice `status` (the list filter's values; the `Invoice` schema itself omits the field). */
const INVOICE_STATUS: Record<string, InvoiceStatus> = {
  Unpaid: 'open',
  // A balance carried to the next invoice is still owed.
  Carried: 'open',
  Paid: 'paid',
  // Nothing to pay: settled.
  'Nothing Due': 'paid',
  Void: 'void',
  Credited: 'void',
};

/** Pax8 invoice item `term` (spelled unlike subscription `billingTerm`). */
const ITEM_TERM: Record<string, BillingTerm> = {
  Monthly: 'monthly',
  Annual: 'annual',
  '2 Year': 'biennial',
  '3 Year': 'triennial',
  'One-Time': 'one-time',
  'One-time': 'one-time',
  Activation: 'one-time',
  Trial: 'trial',
};

/** Pax8 invoice item `type` -> charge type; `Arrears` terms are usage billed after the fact. */
function chargeTypeOf(type: string | null, term: string | null): InvoiceLine['chargeType'] {
  if (term?.toLowerCase() === 'arrears') return 'usage';
  switch (type?.toLowerCase()) {
    case 'subscription':
      return 'recurring';
    case 'prorate':
      return 'prorated';
    case 'one-time':
      return 'one-time';
    case 'rebate':
    case 'payment-credit':
    case 'service-credit':
    case 'invoice-credit':
      return 'credit';
    default:
      return 'other';
  }
}

/** Pax8 `Invoice` -> {@link Invoice}. */
export function mapPax8Invoice(raw: unknown, position: string): Mapped<Invoice> {
  const r = new RecordReader(raw);
  const currency = r.text('currencyCode');
  const rawStatus = r.text('status');
  let id = r.text('id');
  if (id === null) {
    r.problems.push('id is missing');
    id = missingId('invoice', position);
  }
  return {
    value: {
      provider: PROVIDER,
      id,
      number: null,
      customerId: r.text('companyId'),
      status: rawStatus === null ? 'unknown' : mapEnum(rawStatus, INVOICE_STATUS, 'unknown'),
      rawStatus,
      invoiceDate: r.date('invoiceDate'),
      dueDate: r.date('dueDate'),
      // Pax8 invoices carry no period; their items do.
      periodStart: null,
      periodEnd: null,
      total: money(r.number('total'), currency),
      balance: money(r.number('balance'), currency),
      raw,
    },
    problems: r.problems,
  };
}

/** Pax8 `InvoiceItem` (of an invoice, or a draft item when `invoiceId` is null) -> {@link InvoiceLine}. */
export function mapPax8InvoiceItem(raw: unknown, invoiceId: string | null): Mapped<InvoiceLine> {
  const r = new RecordReader(raw);
  const currency = r.text('currencyCode');
  const sku = r.text('sku');
  const term = r.text('term');
  return {
    value: {
      provider: PROVIDER,
      invoiceId,
      id: r.text('id'),
      customerId: r.text('companyId'),
      customerName: r.text('companyName'),
      subscriptionId: r.text('subscriptionId'),
      productId: r.text('productId'),
      sku,
      license: licenseFromSku(sku),
      description: r.text('description') ?? r.text('productName') ?? r.text('details') ?? '',
      chargeType: chargeTypeOf(r.text('type'), term),
      periodStart: r.date('startPeriod'),
      periodEnd: r.date('endPeriod'),
      quantity: r.number('quantity'),
      billingTerm: term === null ? 'unknown' : mapEnum(term, ITEM_TERM, 'unknown'),
      unitPrice: money(r.number('price'), currency),
      unitCost: money(r.number('cost'), currency),
      total: money(r.number('costTotal'), currency),
      raw,
    },
    problems: r.problems,
  };
}

/** Pax8 `UsageSummary` (the current month's charges of one resource group) -> {@link UsageRecord}. */
export function mapPax8UsageSummary(raw: unknown, subscriptionId: string): Mapped<UsageRecord> {
  const r = new RecordReader(raw);
  const currency = r.text('currencyCode');
  return {
    value: {
      provider: PROVIDER,
      customerId: r.text('companyId'),
      subscriptionId,
      productId: r.text('productId'),
      description: r.text('resourceGroup') ?? r.text('vendorName') ?? '',
      // "Charges for the current month" (Pax8's spec), without dates.
      periodStart: null,
      periodEnd: null,
      quantity: null,
      unit: null,
      cost: money(r.number('partnerTotal'), currency),
      price: money(r.number('currentCharges'), currency),
      raw,
    },
    problems: r.problems,
  };
}

/** Pax8 `UsageLine` (one day of one usage summary) -> {@link UsageRecord}. */
export function mapPax8UsageLine(
  raw: unknown,
  summary: { subscriptionId: string; customerId: string | null },
): Mapped<UsageRecord> {
  const r = new RecordReader(raw);
  const currency = r.text('currencyCode');
  const day = r.date('usageDate');
  return {
    value: {
      provider: PROVIDER,
      customerId: summary.customerId,
      subscriptionId: summary.subscriptionId,
      productId: r.text('productId'),
      description: r.text('productName') ?? '',
      periodStart: day,
      periodEnd: day,
      quantity: r.number('quantity'),
      unit: r.text('unitOfMeasure'),
      cost: money(r.number('partnerTotal'), currency),
      price: money(r.number('currentCharges'), currency),
      raw,
    },
    problems: r.problems,
  };
}

/**
 * Pax8 `GET /products/{id}/pricing` (`{ content: Pricing[] }`) -> {@link ProductPricing}: one price per rate
 * (quantity range) of each billing term and commitment. Pax8 prices carry no currency (null).
 */
export function mapPax8Pricing(raw: unknown, productId: string, customerId: string | null): Mapped<ProductPricing> {
  const top = new RecordReader(raw);
  const content = top.get('content');
  const prices: ProductPrice[] = [];
  const problems = [...top.problems];
  if (!Array.isArray(content)) {
    if (content !== undefined && content !== null) problems.push('content is not a list');
  } else {
    content.forEach((entry, i) => {
      const p = new RecordReader(entry);
      const rawTerm = p.text('billingTerm');
      const billingTerm = rawTerm === null ? 'unknown' : mapEnum(rawTerm, BILLING_TERM, 'unknown');
      const months = p.number('commitmentTermInMonths');
      const commitmentTerm =
        pax8TermToIso(p.text('commitmentTerm')) ?? (months !== null && months > 0 ? `P${months}M` : null);
      const rates = p.get('rates');
      if (!Array.isArray(rates)) {
        if (rates !== undefined && rates !== null) p.problems.push('rates is not a list');
      } else {
        for (const rate of rates) {
          const q = new RecordReader(rate);
          prices.push({
            billingTerm,
            commitmentTerm,
            price: money(q.number('suggestedRetailPrice'), null),
            cost: money(q.number('partnerBuyRate'), null),
            minQuantity: q.number('startQuantityRange') ?? 0,
            maxQuantity: q.number('endQuantityRange'),
          });
          problems.push(...q.problems.map((m) => `content[${i}].rates: ${m}`));
        }
      }
      problems.push(...p.problems.map((m) => `content[${i}]: ${m}`));
    });
  }
  return { value: { provider: PROVIDER, productId, customerId, prices, raw }, problems };
}

/** Pax8 `Order` -> {@link Order}. Pax8 orders have no status: they are `completed` once listed (see docs). */
export function mapPax8Order(raw: unknown, position: string): Mapped<Order> {
  const r = new RecordReader(raw);
  let id = r.text('id');
  if (id === null) {
    r.problems.push('id is missing');
    id = missingId('order', position);
  }
  const items = r.get('lineItems');
  const lines: Order['lines'] = [];
  if (Array.isArray(items)) {
    for (const item of items) {
      const l = new RecordReader(item);
      const term = l.text('billingTerm');
      lines.push({
        productId: l.text('productId'),
        subscriptionId: l.text('subscriptionId'),
        quantity: l.number('quantity'),
        billingTerm: term === null ? 'unknown' : mapEnum(term, BILLING_TERM, 'unknown'),
        description: null,
      });
      r.problems.push(...l.problems.map((m) => `lineItems: ${m}`));
    }
  } else if (items !== undefined && items !== null) {
    r.problems.push('lineItems is not a list');
  }
  // Choice: Pax8 documents no order status; a listed order was accepted (scheduled ones are still pending).
  const scheduled = r.boolean('isScheduled');
  const status: OrderStatus = scheduled === true ? 'pending' : 'completed';
  return {
    value: {
      provider: PROVIDER,
      id,
      customerId: r.text('companyId'),
      status,
      rawStatus: null,
      createdAt: r.date('createdDate'),
      lines,
      raw,
    },
    problems: r.problems,
  };
}
