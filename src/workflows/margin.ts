import type { ProviderId } from '../model/common.js';
import { type CompanyReconciliation, type MoneyTotals, addMoney } from './reconcile.js';

/** Monthly revenue, cost and margin of one subscription, where its unit price and cost are both known per month. */
export interface SubscriptionMargin {
  provider: ProviderId;
  subscriptionId: string;
  seats: number;
  currency: string | null;
  /** Per month: price x seats. */
  revenue: number;
  /** Per month: cost x seats. */
  cost: number;
  margin: number;
  /** margin / revenue, in percent (null when revenue is 0). */
  marginPercent: number | null;
}

/** Margin of one license of the company. */
export interface LicenseMargin {
  license: string;
  /** Per currency. */
  revenue: MoneyTotals;
  cost: MoneyTotals;
  margin: MoneyTotals;
  subscriptions: SubscriptionMargin[];
  /** Subscriptions left out, and why (price or cost unknown, different currencies, unknown period). */
  unknown: { provider: ProviderId; subscriptionId: string; reason: string }[];
}

/** Margin per license and for the company, per month. */
export interface CompanyMargin {
  company: string | null;
  licenses: LicenseMargin[];
  revenue: MoneyTotals;
  cost: MoneyTotals;
  margin: MoneyTotals;
  /** False when some subscription's margin is unknown (its seats are not in the totals). */
  complete: boolean;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Monthly margin per license and for the company, from a reconciliation: for each subscription whose unit price
 * (to the customer) and unit cost (to the partner) are both known per month in the same currency. The others are
 * listed with the reason, never estimated.
 */
export function marginOf(reconciliation: CompanyReconciliation): CompanyMargin {
  const out: CompanyMargin = {
    company: reconciliation.company,
    licenses: [],
    revenue: [],
    cost: [],
    margin: [],
    complete: true,
  };
  for (const l of reconciliation.licenses) {
    const lm: LicenseMargin = { license: l.label, revenue: [], cost: [], margin: [], subscriptions: [], unknown: [] };
    for (const s of l.subscriptions) {
      const p = s.unitPrice;
      const c = s.unitCost;
      const why = !p
        ? 'price unknown'
        : !c
          ? 'cost unknown'
          : p.monthly === null || c.monthly === null
            ? 'the period of the price or cost is unknown (set costPeriod)'
            : p.currency !== c.currency
              ? `price in ${p.currency ?? '?'}, cost in ${c.currency ?? '?'}`
              : null;
      if (why || !p || !c || p.monthly === null || c.monthly === null) {
        lm.unknown.push({ provider: s.provider, subscriptionId: s.subscriptionId, reason: why ?? 'unknown' });
        out.complete = false;
        continue;
      }
      const revenue = round2(p.monthly * s.seats);
      const cost = round2(c.monthly * s.seats);
      const margin = round2(revenue - cost);
      lm.subscriptions.push({
        provider: s.provider,
        subscriptionId: s.subscriptionId,
        seats: s.seats,
        currency: c.currency,
        revenue,
        cost,
        margin,
        marginPercent: revenue === 0 ? null : round2((margin / revenue) * 100),
      });
      addMoney(lm.revenue, revenue, c.currency);
      addMoney(lm.cost, cost, c.currency);
      addMoney(lm.margin, margin, c.currency);
      addMoney(out.revenue, revenue, c.currency);
      addMoney(out.cost, cost, c.currency);
      addMoney(out.margin, margin, c.currency);
    }
    out.licenses.push(lm);
  }
  return out;
}
