import { type YieldedPage, inDayRange, reportOddRecord, sequentialPages } from '../../core/billing-wire.js';
import { ValidationError } from '../../core/errors.js';
import type { EventHub } from '../../core/events.js';
import type { HttpRequest, HttpResponse } from '../../core/http.js';
import type {
  ListInvoiceLinesOptions,
  ListInvoicesOptions,
  ListOrdersOptions,
  ListUsageOptions,
  ProductPricingOptions,
} from '../../core/marketplace-client.js';
import type { PagedList, PagedListOptions } from '../../core/pagination.js';
import type { WireContext } from '../../core/wire.js';
import type { Invoice, InvoiceLine, Order, ProductPricing, UsageRecord } from '../../model/billing.js';
import {
  type Mapped,
  mapPax8Invoice,
  mapPax8InvoiceItem,
  mapPax8Order,
  mapPax8Pricing,
  mapPax8UsageLine,
  mapPax8UsageSummary,
} from './billing-map.js';
import { mapPage } from './map.js';

/** What the billing reads need from the Pax8 client (its transport and page/size listing). */
export interface Pax8BillingDeps {
  send<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>>;
  /** The client's 0-based page/size listing (Pax8's page envelope, its size, its limits). */
  paged<T>(
    operation: string,
    path: string,
    query: Record<string, string | undefined>,
    map: (raw: unknown, ctx: WireContext) => T | undefined,
    signal?: AbortSignal,
  ): PagedList<T>;
  events: EventHub;
  limits: PagedListOptions;
  pageSize: number;
}

/** Most days of daily usage lines one `listUsage` reads (one request per day and usage summary). */
export const PAX8_MAX_USAGE_DAYS = 31;

/** Maps a record, reporting what could not be read (never failing the page). */
function keep<T>(deps: Pax8BillingDeps, operation: string, what: string, m: Mapped<T>, id: string | null): T {
  reportOddRecord(deps.events, 'pax8', operation, what, id, m.problems, m.value);
  return m.value;
}

/** `GET /invoices`: the partner's invoices, newest first (`sort=invoiceDate,desc`), by customer and date range. */
export function pax8Invoices(deps: Pax8BillingDeps, options: ListInvoicesOptions): PagedList<Invoice> {
  let n = 0;
  return deps.paged(
    'listInvoices',
    '/invoices',
    {
      companyId: options.customerId,
      invoiceDateRangeStart: options.from,
      invoiceDateRangeEnd: options.to,
      sort: 'invoiceDate,desc',
    },
    (raw) => {
      n += 1;
      const m = mapPax8Invoice(raw, `#${n}`);
      return keep(deps, 'listInvoices', 'invoice', m, m.value.id);
    },
    options.signal,
  );
}

/**
 * `GET /invoices/{id}/items`, or `GET /invoices/draftItems?monthOffset=0` for `draft: true` (the current month's
 * charges not yet invoiced; Pax8 leaves usage billed in arrears out of drafts). `customerId` filters draft items at
 * Pax8 and an invoice's items here (Pax8 has no such filter on invoice items).
 */
export function pax8InvoiceLines(deps: Pax8BillingDeps, options: ListInvoiceLinesOptions): PagedList<InvoiceLine> {
  const customer = options.customerId?.toLowerCase();
  if (options.draft === true) {
    return deps.paged(
      'listInvoiceLines',
      '/invoices/draftItems',
      { monthOffset: '0', companyId: options.customerId },
      (raw) => {
        const m = mapPax8InvoiceItem(raw, null);
        return keep(deps, 'listInvoiceLines', 'draft invoice item', m, m.value.id);
      },
      options.signal,
    );
  }
  const invoiceId = String(options.invoiceId).trim();
  return deps.paged(
    'listInvoiceLines',
    `/invoices/${encodeURIComponent(invoiceId)}/items`,
    {},
    (raw) => {
      const m = mapPax8InvoiceItem(raw, invoiceId);
      const line = keep(deps, 'listInvoiceLines', 'invoice item', m, m.value.id);
      // A line whose customer is unknown is kept: never drop what cannot be told apart.
      if (customer !== undefined && line.customerId !== null && line.customerId.toLowerCase() !== customer) {
        return undefined;
      }
      return line;
    },
    options.signal,
  );
}

/** `GET /products/{id}/pricing[?companyId=]`: every rate of every billing term and commitment. */
export async function pax8ProductPricing(
  deps: Pax8BillingDeps,
  productId: string,
  options: ProductPricingOptions,
): Promise<ProductPricing> {
  const res = await deps.send({
    operation: 'getProductPricing',
    method: 'GET',
    path: `/products/${encodeURIComponent(productId)}/pricing`,
    query: { companyId: options.customerId },
    signal: options.signal,
  });
  const m = mapPax8Pricing(res.data, productId, options.customerId ?? null);
  return keep(deps, 'getProductPricing', 'product pricing', m, productId);
}

/** `GET /orders[?companyId=]`. */
export function pax8Orders(deps: Pax8BillingDeps, options: ListOrdersOptions): PagedList<Order> {
  let n = 0;
  return deps.paged(
    'listOrders',
    '/orders',
    { companyId: options.customerId },
    (raw) => {
      n += 1;
      const m = mapPax8Order(raw, `#${n}`);
      return keep(deps, 'listOrders', 'order', m, m.value.id);
    },
    options.signal,
  );
}

/** The days from `from` to `to` (both `YYYY-MM-DD`, ends included). */
function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Checks `listUsage`'s options before any request: Pax8 keeps usage per subscription, so a subscription or a
 * customer is required; a date range (both ends, at most {@link PAX8_MAX_USAGE_DAYS} days) reads daily lines.
 */
export function checkPax8Usage(options: ListUsageOptions): void {
  const fail = (message: string, path: string) => {
    throw new ValidationError(`listUsage: ${message}`, [{ path, message }], {
      provider: 'pax8',
      operation: 'listUsage',
    });
  };
  if (!options.subscriptionId?.trim() && !options.customerId?.trim()) {
    fail('Pax8 keeps usage per subscription: pass subscriptionId or customerId', 'subscriptionId');
  }
  if ((options.from === undefined) !== (options.to === undefined)) {
    fail('daily usage lines need both from and to (or neither, for the current month summaries)', 'to');
  }
  if (options.from !== undefined && options.to !== undefined) {
    const days = daysBetween(options.from, options.to).length;
    if (days > PAX8_MAX_USAGE_DAYS) {
      fail(`at most ${PAX8_MAX_USAGE_DAYS} days of daily usage lines at once (asked ${days})`, 'to');
    }
  }
}

/**
 * Usage: each subscription's usage summaries (`GET /subscriptions/{id}/usage-summaries`, the current month);
 * with `from`/`to`, each summary's daily lines (`GET /usage-summaries/{id}/usage-lines?usageDate=`) instead.
 * With only `customerId`, the customer's subscriptions are listed first (one listing, then one read each).
 */
export function pax8Usage(deps: Pax8BillingDeps, options: ListUsageOptions): PagedList<UsageRecord> {
  const days = options.from !== undefined && options.to !== undefined ? daysBetween(options.from, options.to) : [];
  const op = 'listUsage';

  async function* pages(
    path: string,
    query: Record<string, string | undefined>,
    signal: AbortSignal | undefined,
    sendPaging = true,
  ): AsyncGenerator<{ content: unknown[]; total: number }, void, undefined> {
    for (let page = 0; ; page += 1) {
      // The spec declares no page/size on usage lines (yet answers with a page): asked only past the first page.
      const paging = sendPaging
        ? { page: String(page), size: String(deps.pageSize) }
        : page > 0
          ? { page: String(page) }
          : {};
      const res = await deps.send({ operation: op, method: 'GET', path, query: { ...query, ...paging }, signal });
      const env = mapPage(res.data, { provider: 'pax8', operation: op, requestId: res.vendorRequestId });
      yield { content: env.content, total: env.page.totalElements };
      if (!(env.page.number + 1 < env.page.totalPages && env.content.length > 0)) return;
    }
  }

  async function* subscriptionIds(signal: AbortSignal | undefined): AsyncGenerator<string, void, undefined> {
    if (options.subscriptionId?.trim()) {
      yield options.subscriptionId.trim();
      return;
    }
    for await (const p of pages('/subscriptions', { companyId: options.customerId }, signal)) {
      for (const raw of p.content) {
        const id = (raw as { id?: unknown } | null)?.id;
        if (typeof id === 'string' && id !== '') yield id;
      }
    }
  }

  async function* all(signal: AbortSignal | undefined): AsyncGenerator<YieldedPage<UsageRecord>, void, undefined> {
    for await (const subscriptionId of subscriptionIds(signal)) {
      const path = `/subscriptions/${encodeURIComponent(subscriptionId)}/usage-summaries`;
      for await (const p of pages(path, { companyId: options.customerId }, signal)) {
        const summaries = p.content.map((raw) => {
          const m = mapPax8UsageSummary(raw, subscriptionId);
          return { raw, record: keep(deps, op, 'usage summary', m, (raw as { id?: string } | null)?.id ?? null) };
        });
        if (days.length === 0) {
          yield { items: summaries.map((s) => s.record) };
          continue;
        }
        for (const s of summaries) {
          const summaryId = (s.raw as { id?: unknown } | null)?.id;
          if (typeof summaryId !== 'string' || summaryId === '') continue;
          for (const day of days) {
            const linesPath = `/usage-summaries/${encodeURIComponent(summaryId)}/usage-lines`;
            for await (const l of pages(linesPath, { usageDate: day }, signal, false)) {
              const items = l.content
                .map((raw) =>
                  keep(
                    deps,
                    op,
                    'usage line',
                    mapPax8UsageLine(raw, { subscriptionId, customerId: s.record.customerId }),
                    summaryId,
                  ),
                )
                .filter((u) => inDayRange(u.periodStart, options));
              yield { items };
            }
          }
        }
      }
    }
  }

  return sequentialPages(all, options.signal, deps.limits);
}
