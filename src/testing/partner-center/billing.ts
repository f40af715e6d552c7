/**
 * Billing reads of the Partner Center fake (issue 18): the partner's monthly invoices, their reconciliation lines
 * (`onetime` for new commerce, `office` for legacy licences) and the current period's unbilled lines, derived from
 * the fake's subscriptions at request time so they always agree with them.
 *
 * Choices (the fake's, not Microsoft's):
 * - Twelve monthly invoices before the fake's "now" (one per calendar month, dated 8 days after the month ends, in
 *   USD); all paid (`paidAmount` = -total) except the newest.
 * - Every live subscription (not deleted) is charged with its current quantity: monthly-billed ones every month
 *   since they were created (`cycleCharge`; `new` in their first month), annually billed ones once a year, in the
 *   month their term started. Unbilled lines are the charges of the current month.
 * - Unit prices per product (partner price per month; P1M terms 20% more; annual billing charges 12 months),
 *   no discounts (`effectiveUnitPrice` = `unitPrice`), no tax.
 * - At most {@link PARTNER_CENTER_FAKE_LINE_PAGE} lines per page, whatever `size` asks (a server may return fewer).
 */
import type { FakeRequest } from '../kit/fake-server.js';
import type { Clock } from '../kit/types.js';
import {
  type PartnerCenterCollection,
  type PartnerCenterLink,
  type PartnerCenterState,
  type PartnerCenterSubscriptionRecord,
  isNewCommerce,
} from './state.js';

/** A reply of the fake. */
export interface PartnerCenterBillingReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What the billing routes need from the fake. */
export interface PartnerCenterBillingRouteDeps {
  state: PartnerCenterState;
  now: Clock;
  page<T>(
    all: T[],
    scope: string,
    selfUri: string,
    offset: number,
    size: number | undefined,
  ): PartnerCenterCollection<T>;
  seek(
    req: FakeRequest,
    scope: string,
  ):
    | { ok: true; offset: number; size: number | undefined; filter: string }
    | { ok: false; reply: PartnerCenterBillingReply };
  fault(status: number, code: number | string, description: string): PartnerCenterBillingReply;
  link(uri: string): PartnerCenterLink;
}

/** Invoices (months) the fake keeps. */
export const PARTNER_CENTER_FAKE_INVOICE_MONTHS = 12;
/** Most lines per page the fake returns. */
export const PARTNER_CENTER_FAKE_LINE_PAGE = 50;
/** The partner's billing currency in the fake. */
export const PARTNER_CENTER_FAKE_CURRENCY = 'USD';

/** Partner price per licence per month, by Microsoft product id (P1Y term); legacy offers by offer id. */
const MONTHLY_PRICE: Record<string, number> = {
  CFQ7TTC0LCHC: 22,
  CFQ7TTC0LH18: 6,
  CFQ7TTC0LDPB: 12.5,
  CFQ7TTC0LH16: 4,
  CFQ7TTC0LFLZ: 36,
  CFQ7TTC0LFK5: 6,
  CFQ7TTC0LCHD: 3,
  CFQ7TTC0RM8K: 4,
};
const LEGACY_MONTHLY_PRICE = 20;

const round2 = (n: number): number => Math.round(n * 100) / 100;
const day = (d: Date): string => d.toISOString().slice(0, 10);
const monthStart = (at: Date, offset: number): Date =>
  new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));

interface Period {
  start: Date;
  /** The last instant of the month. */
  end: Date;
}

function periodOf(at: Date, offset: number): Period {
  return { start: monthStart(at, offset), end: new Date(monthStart(at, offset + 1).getTime() - 1) };
}

/** The invoice id of a period (`G0` + year + month + `01`). */
export function partnerCenterFakeInvoiceId(period: { start: Date }): string {
  return `G0${period.start.getUTCFullYear()}${String(period.start.getUTCMonth() + 1).padStart(2, '0')}01`;
}

/** The partner price per licence per month of a subscription (what the fake charges). */
export function partnerCenterFakeMonthlyPrice(rec: PartnerCenterSubscriptionRecord): number {
  const sub = rec.subscription;
  if (!isNewCommerce(sub)) return LEGACY_MONTHLY_PRICE;
  const base = MONTHLY_PRICE[sub.offerId.split(':')[0] ?? ''] ?? 10;
  return sub.termDuration === 'P1M' ? round2(base * 1.2) : base;
}

/** Whether a subscription is charged in a period, and how (`new` the first time, else `cycleCharge`). */
function chargeIn(rec: PartnerCenterSubscriptionRecord, period: Period): 'new' | 'cycleCharge' | undefined {
  const sub = rec.subscription;
  if (sub.status === 'deleted') return undefined;
  const created = new Date(sub.creationDate);
  if (created.getTime() > period.end.getTime()) return undefined;
  const first = created.getTime() >= period.start.getTime();
  if (sub.billingCycle === 'annual') {
    const termStart = new Date(sub.effectiveStartDate);
    if (termStart.getUTCMonth() !== period.start.getUTCMonth() || termStart.getTime() > period.end.getTime()) {
      return undefined;
    }
  }
  return first ? 'new' : 'cycleCharge';
}

function termText(term: string, cycle: string): string {
  const length = term === 'P1M' ? 'One Month' : term === 'P3Y' ? 'Three Years' : 'One Year';
  return `${length} Commitment for ${cycle === 'annual' ? 'Yearly' : 'Monthly'} Billing`;
}

/** The reconciliation lines of a period, per billing provider (`one_time` or `office`). */
export function partnerCenterFakeLines(
  state: PartnerCenterState,
  period: Period,
  invoiceNumber: string,
  provider: 'one_time' | 'office',
): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  let n = 0;
  for (const rec of state.subscriptions.values()) {
    const sub = rec.subscription;
    const nce = isNewCommerce(sub);
    if ((provider === 'one_time') !== nce) continue;
    const charge = chargeIn(rec, period);
    if (!charge) continue;
    n += 1;
    const customer = state.customers.get(rec.customerId)?.customer;
    const months = sub.billingCycle === 'annual' ? 12 : 1;
    const unitPrice = round2(partnerCenterFakeMonthlyPrice(rec) * months);
    const subtotal = round2(unitPrice * sub.quantity);
    const chargeEnd = new Date(Math.min(period.end.getTime(), new Date(sub.commitmentEndDate).getTime()));
    const common = {
      partnerId: 'fake-partner-commerce-id',
      customerId: rec.customerId,
      customerName: customer?.companyProfile.companyName ?? '',
      subscriptionId: sub.id,
      subscriptionDescription: sub.friendlyName || sub.offerName,
      chargeStartDate: new Date(Math.max(period.start.getTime(), new Date(sub.creationDate).getTime())).toISOString(),
      chargeEndDate: chargeEnd.toISOString(),
      unitPrice,
      quantity: sub.quantity,
      subtotal,
      totalForCustomer: subtotal,
      currency: PARTNER_CENTER_FAKE_CURRENCY,
      invoiceNumber,
    };
    if (nce) {
      const [productId, skuId, availabilityId] = sub.offerId.split(':');
      lines.push({
        ...common,
        customerDomainName: customer?.companyProfile.domain ?? '',
        customerCountry: customer?.companyProfile.address?.country ?? 'US',
        mpnId: '1234567',
        resellerMpnId: 0,
        orderId: sub.orderId,
        orderDate: sub.creationDate,
        productId,
        skuId,
        availabilityId,
        productName: sub.offerName,
        skuName: sub.offerName,
        productQualifiers: [],
        chargeType: charge,
        effectiveUnitPrice: unitPrice,
        unitType: 'Licenses',
        taxTotal: 0,
        publisherName: 'Microsoft Corporation',
        publisherId: '',
        subscriptionStartDate: sub.effectiveStartDate,
        subscriptionEndDate: sub.commitmentEndDate,
        termAndBillingCycle: termText(sub.termDuration, sub.billingCycle),
        alternateId: `${invoiceNumber}-${n}`,
        referenceId: `${invoiceNumber}-${sub.id}`,
        priceAdjustmentDescription: '',
        pricingCurrency: PARTNER_CENTER_FAKE_CURRENCY,
        pcToBCExchangeRate: 1,
        billableQuantity: sub.quantity,
        meterDescription: '',
        billingFrequency: sub.billingCycle === 'annual' ? 'Annual' : 'Monthly',
        reservationOrderId: '',
        creditReasonCode: '',
        promotionId: '',
        invoiceLineItemType: 'billing_line_items',
        billingProvider: 'one_time',
        attributes: { objectType: 'OneTimeInvoiceLineItem' },
      });
    } else {
      lines.push({
        ...common,
        mpnId: 1234567,
        tier2MpnId: 0,
        orderId: sub.orderId,
        syndicationPartnerSubscriptionNumber: sub.id,
        offerId: sub.offerId,
        durableOfferId: sub.offerId,
        offerName: sub.offerName,
        subscriptionStartDate: sub.creationDate,
        subscriptionEndDate: sub.commitmentEndDate,
        chargeType: charge === 'new' ? 'Prorate fees when purchase' : 'Cycle fee',
        amount: subtotal,
        totalOtherDiscount: 0,
        tax: 0,
        domainName: customer?.companyProfile.domain ?? '',
        subscriptionName: sub.friendlyName || sub.offerName,
        billingCycleType: sub.billingCycle === 'annual' ? 'Annual' : 'Monthly',
        invoiceLineItemType: 'billing_line_items',
        billingProvider: 'office',
        attributes: { objectType: 'LicenseBasedLineItem' },
      });
    }
  }
  return lines;
}

/** The fake's invoices at `now`, newest first. */
export function partnerCenterFakeInvoices(state: PartnerCenterState, now: Date): Record<string, unknown>[] {
  const invoices: Record<string, unknown>[] = [];
  for (let back = 1; back <= PARTNER_CENTER_FAKE_INVOICE_MONTHS; back += 1) {
    const period = periodOf(now, -back);
    const id = partnerCenterFakeInvoiceId(period);
    const oneTime = partnerCenterFakeLines(state, period, id, 'one_time');
    const office = partnerCenterFakeLines(state, period, id, 'office');
    const total = round2([...oneTime, ...office].reduce((s, l) => s + Number(l.subtotal), 0));
    const details = [
      ...(oneTime.length > 0 ? [{ provider: 'one_time', lines: oneTime }] : []),
      ...(office.length > 0 ? [{ provider: 'office', lines: office }] : []),
    ];
    invoices.push({
      id,
      invoiceDate: new Date(period.end.getTime() + 8 * 86_400_000).toISOString().slice(0, 10) + 'T00:00:00Z',
      billingPeriodStartDate: `${day(period.start)}T00:00:00Z`,
      billingPeriodEndDate: `${day(period.end)}T00:00:00Z`,
      totalCharges: total,
      paidAmount: back === 1 ? 0 : -total,
      currencyCode: PARTNER_CENTER_FAKE_CURRENCY,
      currencySymbol: '$',
      invoiceDetails: details.map((d) => ({
        invoiceLineItemType: 'billing_line_items',
        billingProvider: d.provider,
        links: {
          self: {
            uri:
              d.provider === 'one_time'
                ? `/invoices/${id}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems`
                : `/invoices/${id}/lineitems/office/billinglineitems`,
            method: 'GET',
            headers: [],
          },
        },
        attributes: { objectType: 'InvoiceDetail' },
      })),
      documentType: 'Invoice',
      invoiceType: 'Recurring',
      links: { self: { uri: `/invoices/${id}`, method: 'GET', headers: [] } },
      attributes: { objectType: 'Invoice' },
    });
  }
  return invoices;
}

function param(query: URLSearchParams, name: string): string | null {
  const lower = name.toLowerCase();
  for (const [key, value] of query) if (key.toLowerCase() === lower) return value;
  return null;
}

/** Creates the billing routes (paths under `/invoices`); the function answers or returns undefined. */
export function partnerCenterBillingRoutes(
  deps: PartnerCenterBillingRouteDeps,
): (req: FakeRequest, segments: string[]) => PartnerCenterBillingReply | undefined {
  const { state } = deps;

  /** A page of lines, its next link keeping the request's own query (provider, type, currency, period). */
  const linePage = (req: FakeRequest, all: Record<string, unknown>[], scope: string): PartnerCenterBillingReply => {
    const position = deps.seek(req, scope);
    if (!position.ok) return position.reply;
    const rawSize = param(req.query, 'size');
    const asked = position.size ?? (rawSize === null ? 2000 : Number(rawSize));
    if (!Number.isInteger(asked) || asked < 1 || asked > 2000) {
      return deps.fault(400, 800002, `The size '${rawSize}' is invalid: it must be between 1 and 2000.`);
    }
    const size = Math.min(asked, PARTNER_CENTER_FAKE_LINE_PAGE);
    const self = `${req.path}?${req.query.toString()}`;
    const collection = deps.page(all, scope, self, position.offset, size);
    if (collection.links.next) {
      const keep = new URLSearchParams();
      for (const [k, v] of req.query) if (k.toLowerCase() !== 'seekoperation') keep.set(k, v);
      keep.set('seekOperation', 'Next');
      collection.links.next = { ...collection.links.next, uri: `${req.path}?${keep.toString()}` };
    }
    return { status: 200, body: collection };
  };

  return (req, segments) => {
    if (segments[0]?.toLowerCase() !== 'invoices') return undefined;
    if (req.method.toUpperCase() !== 'GET') {
      return deps.fault(405, 405, `The method ${req.method} is not allowed on ${req.path}.`);
    }
    const now = deps.now();
    const [, id, sub, provider, type, ...extra] = segments;
    if (id === undefined) {
      const invoices = partnerCenterFakeInvoices(state, now);
      return { status: 200, body: deps.page(invoices, 'invoices', '/invoices', 0, undefined) };
    }
    if (id.toLowerCase() === 'unbilled') {
      if (sub?.toLowerCase() !== 'lineitems' || provider !== undefined) return undefined;
      const p = param(req.query, 'provider')?.toLowerCase();
      const t = param(req.query, 'invoicelineitemtype')?.toLowerCase();
      if (p !== 'onetime' || t !== 'billinglineitems') {
        return deps.fault(400, 800002, 'provider=onetime and invoicelineitemtype=billinglineitems are required.');
      }
      const currency = param(req.query, 'currencycode');
      if (!currency) return deps.fault(400, 800002, 'The currencycode parameter is required.');
      const period = param(req.query, 'period')?.toLowerCase();
      if (period !== 'current' && period !== 'previous') {
        return deps.fault(400, 800002, "The period parameter must be 'current' or 'previous'.");
      }
      if (currency.toUpperCase() !== PARTNER_CENTER_FAKE_CURRENCY) {
        return { status: 200, body: deps.page([], 'unbilled', req.path, 0, undefined) };
      }
      const range = periodOf(now, period === 'current' ? 0 : -1);
      return linePage(req, partnerCenterFakeLines(state, range, '', 'one_time'), `unbilled:${period}`);
    }
    const invoice = partnerCenterFakeInvoices(state, now).find((i) => String(i.id).toLowerCase() === id.toLowerCase());
    if (!invoice) return deps.fault(404, 1000, `Invoice ${id} was not found.`);
    if (sub === undefined) return { status: 200, body: invoice };
    if (sub.toLowerCase() !== 'lineitems' || extra.length > 0) return undefined;
    const start = new Date(String(invoice.billingPeriodStartDate));
    const range = periodOf(start, 0);
    if (provider === undefined) {
      const p = param(req.query, 'provider')?.toLowerCase();
      const t = param(req.query, 'invoicelineitemtype')?.toLowerCase();
      if (p !== 'onetime' || t !== 'billinglineitems') {
        return deps.fault(400, 800002, 'provider=onetime and invoicelineitemtype=billinglineitems are required.');
      }
      return linePage(req, partnerCenterFakeLines(state, range, String(invoice.id), 'one_time'), `lines:${invoice.id}`);
    }
    if (provider.toLowerCase() === 'office' && type?.toLowerCase() === 'billinglineitems') {
      return linePage(req, partnerCenterFakeLines(state, range, String(invoice.id), 'office'), `office:${invoice.id}`);
    }
    return deps.fault(404, 1000, `No line items for ${provider}/${type ?? ''}.`);
  };
}
