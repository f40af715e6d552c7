/**
 * Billing reads of the Pax8 fake (issue 18): invoices, invoice items, draft items, usage summaries and usage
 * lines, derived from the fake's subscriptions at request time so they always agree with them.
 *
 * Choices (Pax8 does not document these; the fake's, not the vendor's):
 * - One invoice per company and month for the four months before the fake's "now", dated the 1st of the next
 *   month, due 30 days later; the newest is `Unpaid` (balance = total), older ones `Paid`.
 * - Every subscription live during a month (not a trial) is one `subscription` item of that month's invoice, with
 *   its current quantity, `price` (customer unit price) and `partnerCost` (as `cost`); totals are unit x quantity.
 * - Draft items (`monthOffset` 0: this month, 1: next month) are the same items, not yet invoiced.
 * - Subscriptions of Acronis products are usage-billed: one usage summary each, with daily usage lines in GB.
 */
import { HttpResponse } from 'msw';
import type { FakeRequest } from '../kit/fake-server.js';
import type { Clock } from '../kit/types.js';
import type { Pax8State, Pax8Subscription } from './state.js';

/** What the billing routes need from the fake. */
export interface Pax8BillingRouteDeps {
  state: Pax8State;
  now: Clock;
  list<T>(req: FakeRequest, items: T[], sortFields: Record<string, (item: T) => string | number>): Response;
  notFound(req: FakeRequest, what: string, id: string): Response;
  badRequest(req: FakeRequest, message: string): Response;
}

/** How many monthly invoices (per company) the fake keeps. */
export const PAX8_FAKE_INVOICE_MONTHS = 4;
/** The vendor whose products the fake bills by usage. */
export const PAX8_FAKE_USAGE_VENDOR = 'Acronis';
/** Price and cost per GB-day of the fake's usage lines. */
const USAGE_PRICE = 0.05;
const USAGE_COST = 0.04;

/** A Pax8 invoice as the fake serves it. */
export interface Pax8FakeInvoice {
  id: string;
  invoiceDate: string;
  dueDate: string;
  balance: number;
  carriedBalance: number;
  total: number;
  currencyCode: string;
  partnerName: string;
  companyId: string;
  externalId?: string;
  status: 'Unpaid' | 'Paid';
}

const ITEM_TERM: Record<string, string> = {
  Monthly: 'Monthly',
  Annual: 'Annual',
  '2-Year': '2 Year',
  '3-Year': '3 Year',
  'One-Time': 'One-Time',
  Activation: 'Activation',
  Trial: 'Trial',
};

/** A stable uuid-shaped id from a text (FNV-1a, four seeds): the same record keeps its id across requests. */
export function stableUuid(text: string): string {
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

const round2 = (n: number): number => Math.round(n * 100) / 100;
const day = (d: Date): string => d.toISOString().slice(0, 10);

/** The first day (UTC) of the month `offset` months from the month of `at`. */
function monthStart(at: Date, offset: number): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));
}

interface Period {
  start: Date;
  /** Last day of the month (inclusive). */
  end: Date;
}

function periodOf(at: Date, offset: number): Period {
  const start = monthStart(at, offset);
  return { start, end: new Date(monthStart(at, offset + 1).getTime() - 86_400_000) };
}

/** Whether a subscription is billed for (part of) a period. */
function billedIn(sub: Pax8Subscription, period: Period): boolean {
  if (sub.billingTerm === 'Trial' || sub.status === 'Trial') return false;
  if (Date.parse(sub.startDate) > period.end.getTime() + 86_400_000 - 1) return false;
  if (sub.endDate !== undefined && Date.parse(sub.endDate) < period.start.getTime()) return false;
  return true;
}

/** The invoice items of a company's subscriptions for a period (invoice id in the item id seed). */
export function pax8FakeItems(
  state: Pax8State,
  period: Period,
  seed: string,
  companyId?: string,
): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  for (const sub of state.subscriptions.values()) {
    if (companyId !== undefined && sub.companyId !== companyId) continue;
    if (!billedIn(sub, period)) continue;
    const company = state.companies.get(sub.companyId);
    const product = state.products.get(sub.productId)?.product;
    const subTotal = round2(sub.price * sub.quantity);
    const costTotal = round2(sub.partnerCost * sub.quantity);
    items.push({
      id: stableUuid(`${seed}|${sub.id}`),
      type: 'subscription',
      companyId: sub.companyId,
      ...(company?.externalId ? { externalId: company.externalId } : {}),
      companyName: company?.name ?? '',
      startPeriod: day(period.start),
      endPeriod: day(period.end),
      quantity: sub.quantity,
      unitOfMeasure: 'Each',
      term: ITEM_TERM[sub.billingTerm] ?? 'Monthly',
      sku: product?.sku ?? '',
      description: sub.productName,
      details: `${sub.productName} (${sub.billingTerm})`,
      rateType: 'flat (Single price for any quantity, same as single)',
      chargeType: 'per',
      price: sub.price,
      subTotal,
      cost: sub.partnerCost,
      costTotal,
      offeredBy: 'Pax8',
      billedByPax8: false,
      total: subTotal,
      productId: sub.productId,
      productName: sub.productName,
      billingFee: 0,
      billingFeeRate: 0,
      amountDue: costTotal,
      currencyCode: sub.currencyCode,
      salesTax: 0,
      subscriptionId: sub.id,
      vendorName: product?.vendorName ?? '',
    });
  }
  return items;
}

/** Every invoice the fake serves at `now`, newest month first. */
export function pax8FakeInvoices(state: Pax8State, now: Date): Pax8FakeInvoice[] {
  const invoices: Pax8FakeInvoice[] = [];
  for (let back = 1; back <= PAX8_FAKE_INVOICE_MONTHS; back += 1) {
    const period = periodOf(now, -back);
    const invoiceDate = monthStart(now, -back + 1);
    for (const company of state.companies.values()) {
      const id = stableUuid(`invoice|${company.id}|${day(period.start)}`);
      const items = pax8FakeItems(state, period, id, company.id);
      if (items.length === 0) continue;
      const total = round2(items.reduce((sum, i) => sum + Number(i.costTotal), 0));
      const unpaid = back === 1;
      invoices.push({
        id,
        invoiceDate: day(invoiceDate),
        dueDate: day(new Date(invoiceDate.getTime() + 30 * 86_400_000)),
        balance: unpaid ? total : 0,
        carriedBalance: 0,
        total,
        currencyCode: String(items[0]?.currencyCode ?? 'USD'),
        partnerName: 'Fake Pax8 Partner',
        companyId: company.id,
        ...(company.externalId ? { externalId: company.externalId } : {}),
        status: unpaid ? 'Unpaid' : 'Paid',
      });
    }
  }
  return invoices;
}

/** The period of an invoice (the month before its date). */
function invoicePeriod(invoice: Pax8FakeInvoice): Period {
  return periodOf(new Date(`${invoice.invoiceDate}T00:00:00Z`), -1);
}

/** Whether the fake bills a subscription by usage. */
function usageBilled(state: Pax8State, sub: Pax8Subscription): boolean {
  return state.products.get(sub.productId)?.product.vendorName === PAX8_FAKE_USAGE_VENDOR;
}

function usageSummary(state: Pax8State, sub: Pax8Subscription, now: Date): Record<string, unknown> {
  const company = state.companies.get(sub.companyId);
  const daysSoFar = now.getUTCDate();
  const gbDays = sub.quantity * 10 * daysSoFar;
  return {
    id: stableUuid(`usage|${sub.id}`),
    companyId: sub.companyId,
    productId: sub.productId,
    resourceGroup: `${company?.name ?? 'Company'} backup`,
    vendorName: PAX8_FAKE_USAGE_VENDOR,
    currentCharges: round2(gbDays * USAGE_PRICE),
    currencyCode: sub.currencyCode,
    partnerTotal: round2(gbDays * USAGE_COST),
    isTrial: false,
  };
}

/** Creates the billing routes; the returned function answers a billing path or returns undefined. */
export function pax8BillingRoutes(deps: Pax8BillingRouteDeps): (req: FakeRequest) => Response | undefined {
  const { state } = deps;
  const findSummary = (id: string): Pax8Subscription | undefined =>
    [...state.subscriptions.values()].find((s) => usageBilled(state, s) && stableUuid(`usage|${s.id}`) === id);

  return (req) => {
    const parts = req.path
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    const [resource, id, sub, extra] = parts;
    if (extra !== undefined) return undefined;
    const get = req.method.toUpperCase() === 'GET';
    const now = deps.now();

    if (resource === 'invoices' && get) {
      if (id === 'draftItems' && sub === undefined) {
        const offset = req.query.get('monthOffset') ?? '1';
        if (offset !== '0' && offset !== '1') return deps.badRequest(req, `Invalid monthOffset: ${offset}`);
        const companyId = req.query.get('companyId') ?? undefined;
        if (companyId && !state.companies.has(companyId)) return deps.notFound(req, 'Company', companyId);
        const items = pax8FakeItems(state, periodOf(now, Number(offset)), `draft|${offset}`, companyId);
        return deps.list(req, items, {});
      }
      const invoices = pax8FakeInvoices(state, now);
      if (id === undefined) {
        let items = invoices;
        const companyId = req.query.get('companyId');
        if (companyId) items = items.filter((i) => i.companyId === companyId);
        const status = req.query.get('status');
        if (status) items = items.filter((i) => i.status === status);
        const start = req.query.get('invoiceDateRangeStart');
        if (start) items = items.filter((i) => i.invoiceDate >= start);
        const end = req.query.get('invoiceDateRangeEnd');
        if (end) items = items.filter((i) => i.invoiceDate <= end);
        return deps.list(req, items, {
          invoiceDate: (i) => i.invoiceDate,
          dueDate: (i) => i.dueDate,
          status: (i) => i.status,
          partnerName: (i) => i.partnerName,
          total: (i) => i.total,
          balance: (i) => i.balance,
          carriedBalance: (i) => i.carriedBalance,
        });
      }
      const invoice = invoices.find((i) => i.id === id);
      if (!invoice) return deps.notFound(req, 'Invoice', id);
      if (sub === undefined) return HttpResponse.json(invoice);
      if (sub !== 'items') return undefined;
      return deps.list(req, pax8FakeItems(state, invoicePeriod(invoice), invoice.id, invoice.companyId), {});
    }

    if (resource === 'subscriptions' && id !== undefined && sub === 'usage-summaries' && get) {
      const subscription = state.subscriptions.get(id);
      if (!subscription) return deps.notFound(req, 'Subscription', id);
      const companyId = req.query.get('companyId');
      if (companyId && subscription.companyId !== companyId) return deps.notFound(req, 'Company', companyId);
      const items = usageBilled(state, subscription) ? [usageSummary(state, subscription, now)] : [];
      return deps.list(req, items, {});
    }

    if (resource === 'usage-summaries' && id !== undefined && get) {
      const subscription = findSummary(id);
      if (!subscription) return deps.notFound(req, 'Usage summary', id);
      if (sub === undefined) return HttpResponse.json(usageSummary(state, subscription, now));
      if (sub !== 'usage-lines') return undefined;
      const usageDate = req.query.get('usageDate');
      if (!usageDate || !/^\d{4}-\d{2}-\d{2}$/.test(usageDate)) {
        return deps.badRequest(req, 'usageDate is required (yyyy-MM-dd)');
      }
      const lines: Record<string, unknown>[] = [];
      if (usageDate >= subscription.startDate.slice(0, 10) && usageDate <= day(now)) {
        const gb = subscription.quantity * 10;
        lines.push({
          usageSummaryId: id,
          usageDate,
          productName: subscription.productName,
          productId: subscription.productId,
          unitOfMeasure: 'GB',
          quantity: gb,
          currentCharges: round2(gb * USAGE_PRICE),
          currentProfit: round2(gb * (USAGE_PRICE - USAGE_COST)),
          partnerTotal: round2(gb * USAGE_COST),
          unitPrice: USAGE_PRICE,
          currencyCode: subscription.currencyCode,
          isTrial: false,
        });
      }
      return deps.list(req, lines, {});
    }
    return undefined;
  };
}
