/**
 * Billing read of the Sherweb fake (issue 18): `GET /billing/receivable-charges?customerId=&date=` (Sherweb's spec),
 * derived from the customer's live subscriptions at request time so the charges always agree with them.
 *
 * Choices (the fake's, not Sherweb's): billing periods are calendar months; each live subscription with fees is one
 * `Recurring` charge at its `recurringFee` (monthly subscriptions every month, yearly ones in the month they were
 * bought), not prorated; subscriptions without fees (no catalog item) have no charge.
 */
import type { FakeRequest } from '../kit/fake-server.js';
import type { SherwebSubscriptionRecord } from './state.js';

/** What the billing route needs from the fake. */
export interface SherwebBillingRouteDeps {
  now: () => number;
  customerFromQuery(req: FakeRequest): string | Response;
  listed(customerId: string): SherwebSubscriptionRecord[];
  json(body: unknown): Response;
  badRequest(req: FakeRequest, field: string, message: string): Response;
}

/** A stable uuid-shaped id from a text (FNV-1a, four seeds). */
function stableUuid(text: string): string {
  let hex = '';
  for (const seed of [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b]) {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i += 1) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    hex += h.toString(16).padStart(8, '0');
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The receivable charges of a customer for the month holding `at`. */
export function sherwebFakeCharges(records: SherwebSubscriptionRecord[], at: Date): Record<string, unknown> {
  const from = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const to = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 0));
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const charges: Record<string, unknown>[] = [];
  for (const rec of records) {
    const sub = rec.subscription;
    if (!sub.fees) continue;
    const bought = new Date(sub.purchaseDate);
    if (bought.getTime() > to.getTime() + 86_399_999) continue;
    const yearly = sub.billingCycle === 'yearly';
    if (yearly && bought.getUTCMonth() !== from.getUTCMonth()) continue;
    charges.push({
      productName: sub.productName,
      sku: sub.sku,
      chargeId: stableUuid(`${sub.id}|${day(from)}`),
      chargeName: yearly ? 'Yearly fee' : 'Monthly fee',
      chargeType: 'Recurring',
      billingCycleType: yearly ? 'Yearly' : 'Monthly',
      periodFrom: day(from),
      periodTo: day(to),
      quantity: sub.quantity,
      costPrice: sub.fees.recurringFee,
      costPriceProrated: sub.fees.recurringFee,
      currency: sub.fees.currency,
      isProratable: true,
    });
  }
  return { periodFrom: day(from), periodTo: day(to), charges };
}

/** The route entry for the fake's route table. */
export function sherwebBillingRoute(deps: SherwebBillingRouteDeps): {
  method: string;
  path: RegExp;
  handle: (req: FakeRequest) => Response;
} {
  return {
    method: 'GET',
    path: /^\/billing\/receivable-charges\/?$/,
    handle: (req) => {
      const customerId = deps.customerFromQuery(req);
      if (customerId instanceof Response) return customerId;
      const date = req.query.get('date');
      if (date !== null && (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date)))) {
        return deps.badRequest(req, 'date', `The value '${date}' is not valid.`);
      }
      const at = date ? new Date(`${date}T00:00:00Z`) : new Date(deps.now());
      return deps.json(sherwebFakeCharges(deps.listed(customerId), at));
    },
  };
}
