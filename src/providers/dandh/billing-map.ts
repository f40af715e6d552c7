import { RecordReader, money } from '../../core/billing-wire.js';
import type { Invoice, InvoiceLine } from '../../model/billing.js';
import { licenseFromSku } from '../../model/common.js';
import type { BillingTerm } from '../../model/subscription.js';

/** A mapped billing record and what could not be read of it (empty when everything was read). */
export interface Mapped<T> {
  value: T;
  problems: string[];
}

const PROVIDER = 'dandh';

/** `BillingInterval` `MM/YYYY` -> `YYYY-MM`, or null. */
export function dandhInterval(text: string | null): string | null {
  const m = text ? /^(\d{1,2})\/(\d{4})$/.exec(text.trim()) : null;
  return m ? `${m[2]}-${m[1]!.padStart(2, '0')}` : null;
}

/** The SDK's invoice id for a D&H invoice: `<InvoiceNumber>@<YYYY-MM>` (D&H reads invoices per billing month). */
export function dandhInvoiceId(number: string, month: string): string {
  return `${number}@${month}`;
}

/** Splits an SDK invoice id back into the D&H invoice number and its month, or undefined when it is not one. */
export function parseDandhInvoiceId(id: string): { number: string; year: number; month: number } | undefined {
  const m = /^(.+)@(\d{4})-(\d{2})$/.exec(id.trim());
  if (!m) return undefined;
  const month = Number(m[3]);
  return month >= 1 && month <= 12 ? { number: m[1]!, year: Number(m[2]), month } : undefined;
}

function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** `dd.MM.yyyy` -> `YYYY-MM-DD`. */
function dotted(text: string | undefined): string | null {
  const m = text ? /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(text.trim()) : null;
  return m ? `${m[3]}-${m[2]}-${m[1]}` : null;
}

/** The charges of an invoice object (empty when it has none). */
export function dandhCharges(raw: unknown): unknown[] {
  const charges = new RecordReader(raw).get('Charges');
  return Array.isArray(charges) ? charges : [];
}

/**
 * A D&H `Invoice` (one customer, one billing month; `GetLatestInvoices*`) -> {@link Invoice}. D&H gives no total,
 * no status and no dates: `total` is the sum of the charges' `Costs` (what the reseller pays) when they share one
 * currency, `status` is `unknown`, the period is the billing month.
 */
export function mapDandhInvoice(raw: unknown, fallbackMonth: string | null): Mapped<Invoice> {
  const r = new RecordReader(raw);
  const number = r.text('InvoiceNumber');
  const month = dandhInterval(r.text('BillingInterval')) ?? fallbackMonth;
  if (number === null) r.problems.push('InvoiceNumber is missing');
  let total: number | null = 0;
  const currencies = new Set<string>();
  for (const c of dandhCharges(raw)) {
    const x = new RecordReader(c);
    const cost = x.number('Costs');
    const currency = x.text('Currency');
    if (currency) currencies.add(currency);
    total = cost === null || total === null ? null : total + cost;
  }
  const currency = currencies.size === 1 ? [...currencies][0]! : null;
  const id = month && number ? dandhInvoiceId(number, month) : `(no invoice id: ${number ?? '?'}@${month ?? '?'})`;
  return {
    value: {
      provider: PROVIDER,
      id,
      number,
      customerId: r.text('CompanyAccountId') ?? r.text('CustomerId'),
      status: 'unknown',
      rawStatus: null,
      invoiceDate: null,
      dueDate: null,
      periodStart: month ? `${month}-01` : null,
      periodEnd: month ? lastDay(month) : null,
      total: total === null || currencies.size > 1 ? null : { amount: Math.round(total * 100) / 100, currency },
      balance: null,
      raw,
    },
    problems: r.problems,
  };
}

const TERMS: Record<string, BillingTerm> = {
  monthly: 'monthly',
  annual: 'annual',
  annually: 'annual',
  yearly: 'annual',
  triennial: 'triennial',
};

/**
 * One `ServiceCharge` of a D&H invoice -> {@link InvoiceLine}. `CostsOfUnit`/`Costs` are the reseller's cost,
 * `SalesPriceOfUnit` the price to the customer, `UDRCValue` the units, `AccountId` the subscription account.
 */
export function mapDandhCharge(raw: unknown, invoiceId: string | null, invoice: unknown): Mapped<InvoiceLine> {
  const r = new RecordReader(raw);
  const inv = new RecordReader(invoice);
  const currency = r.text('Currency');
  const type = r.text('PriceableItemType')?.toLowerCase() ?? '';
  const billingType = /Billing Type=(\w+)/i.exec(r.text('BillableParameter') ?? '')?.[1]?.toLowerCase();
  const [from, to] = (r.text('ActualChargeInterval') ?? '').split(' - ');
  const chargeType: InvoiceLine['chargeType'] =
    type === 'setup' || type === 'onetime' || type === 'one-time'
      ? 'one-time'
      : type.includes('usage')
        ? 'usage'
        : type === ''
          ? 'other'
          : 'recurring';
  return {
    value: {
      provider: PROVIDER,
      invoiceId,
      id: r.text('SAPInvoiceLineNumber'),
      customerId: inv.text('CompanyAccountId') ?? inv.text('CustomerId'),
      customerName: inv.text('CompanyName') ?? r.text('EndCustomerName'),
      subscriptionId: r.text('AccountId'),
      productId: r.text('ServiceId'),
      sku: r.text('ProductNumber'),
      license: licenseFromSku(r.text('SecondVendorReference')),
      description: r.text('PriceableItemDescription') ?? r.text('ServiceName') ?? '',
      chargeType,
      periodStart: dotted(from),
      periodEnd: dotted(to),
      quantity: r.number('UDRCValue'),
      billingTerm: TERMS[billingType ?? type] ?? 'unknown',
      unitPrice: money(r.number('SalesPriceOfUnit'), currency),
      unitCost: money(r.number('CostsOfUnit'), currency),
      total: money(r.number('Costs'), currency),
      raw,
    },
    problems: r.problems,
  };
}
