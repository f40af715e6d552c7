import { RecordReader, money } from '../../core/billing-wire.js';
import type { InvoiceLine } from '../../model/billing.js';
import { unknownLicense } from '../../model/common.js';
import type { BillingTerm } from '../../model/subscription.js';

/** A mapped billing record and what could not be read of it (empty when everything was read). */
export interface Mapped<T> {
  value: T;
  problems: string[];
}

const CYCLE: Record<string, BillingTerm> = { onetime: 'one-time', monthly: 'monthly', yearly: 'annual' };

/** A Sherweb currency (`Usd`, `USD`, `Cad`...) as ISO 4217; null for `Undefined` or anything that is not a code. */
export function sherwebCurrency(value: string | null): string | null {
  if (value === null || !/^[A-Za-z]{3}$/.test(value)) return null;
  return value.toUpperCase();
}

/**
 * One charge of `GET /billing/receivable-charges` (what a customer owes the service provider for the period;
 * Sherweb's spec) -> {@link InvoiceLine}. `costPrice` is the unit price the customer pays (`unitPrice`); the line's
 * total is quantity x `costPriceProrated`. The partner's own cost is not on these charges (`unitCost` null), and
 * neither is the subscription: `sku` joins a charge with the customer's subscriptions.
 */
export function mapSherwebCharge(
  raw: unknown,
  customerId: string,
  period: { from: string | null; to: string | null },
): Mapped<InvoiceLine> {
  const r = new RecordReader(raw);
  const currency = sherwebCurrency(r.text('currency'));
  const type = r.text('chargeType')?.toLowerCase();
  const unit = r.number('costPrice');
  const prorated = r.number('costPriceProrated');
  const quantity = r.number('quantity');
  const cycle = r.text('billingCycleType')?.toLowerCase();
  const chargeType: InvoiceLine['chargeType'] =
    type === 'setup'
      ? 'one-time'
      : type === 'usage'
        ? 'usage'
        : type === 'recurring'
          ? prorated !== null && unit !== null && prorated !== unit
            ? 'prorated'
            : 'recurring'
          : 'other';
  const total = prorated !== null && quantity !== null ? Math.round(prorated * quantity * 100) / 100 : null;
  return {
    value: {
      provider: 'sherweb',
      invoiceId: null,
      id: r.text('chargeId'),
      customerId,
      customerName: null,
      subscriptionId: null,
      productId: r.text('sku'),
      sku: r.text('sku'),
      license: unknownLicense(),
      description: [r.text('productName'), r.text('chargeName')].filter((x) => x !== null).join(' - '),
      chargeType,
      periodStart: r.date('periodFrom') ?? period.from,
      periodEnd: r.date('periodTo') ?? period.to,
      quantity,
      billingTerm: cycle ? (CYCLE[cycle] ?? 'unknown') : 'unknown',
      unitPrice: money(unit, currency),
      unitCost: null,
      total: money(total, currency),
      raw,
    },
    problems: r.problems,
  };
}
