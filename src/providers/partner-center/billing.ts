import { type YieldedPage, inDayRange, reportOddRecord, sequentialPages } from '../../core/billing-wire.js';
import { ConfigurationError, NotFoundError, PermissionError, ValidationError } from '../../core/errors.js';
import type { EventHub } from '../../core/events.js';
import type { HttpRequest } from '../../core/http.js';
import type {
  ListInvoiceLinesOptions,
  ListInvoicesOptions,
  ListOrdersOptions,
  ListUsageOptions,
} from '../../core/marketplace-client.js';
import type { PagedList, PagedListOptions } from '../../core/pagination.js';
import type { Invoice, InvoiceLine, Order, UsageRecord } from '../../model/billing.js';
import {
  type InvoiceDetailRef,
  type Mapped,
  invoiceDetailsOf,
  mapPartnerCenterInvoice,
  mapPartnerCenterLine,
  mapPartnerCenterOrder,
  mapPartnerCenterUsage,
} from './billing-map.js';
import type { PartnerCenterPage } from './map.js';

const PROVIDER = 'partner-center';

/** A collection page to read: the first (`path` + `query`) or the one a `links.next` points at. */
export type PartnerCenterPageRef =
  | { path: string; query?: HttpRequest['query'] }
  | { uri: string; headers: Record<string, string> };

/** What the billing reads need from the Partner Center client. */
export interface PartnerCenterBillingDeps {
  /** One collection page (follows `links.next` with its `MS-ContinuationToken`). */
  page(
    operation: string,
    from: PartnerCenterPageRef,
    signal?: AbortSignal,
  ): Promise<PartnerCenterPage & { requestId: string }>;
  /** One resource. */
  get(operation: string, path: string, signal?: AbortSignal): Promise<unknown>;
  events: EventHub;
  limits: PagedListOptions;
  /** `size` of the first page of each collection. */
  pageSize: number;
  /** The partner's billing currency for unbilled lines (`billingCurrency` option), when configured. */
  billingCurrency: string | undefined;
  /** Customer ids whose orders to read when `listOrders` is called without one (the customer listing). */
  customers(signal?: AbortSignal): AsyncGenerator<string, void, undefined>;
}

/** Most line items Partner Center returns per page (its documented maximum `size` for reconciliation lines). */
export const PARTNER_CENTER_LINE_PAGE_SIZE = 2000;

function keep<T>(deps: PartnerCenterBillingDeps, operation: string, what: string, m: Mapped<T>, id: string | null): T {
  reportOddRecord(deps.events, PROVIDER, operation, what, id, m.problems, m.value);
  return m.value;
}

/** Every page of a collection, following `links.next` (a repeated link ends the walk: never loop). */
async function* walk(
  deps: PartnerCenterBillingDeps,
  operation: string,
  first: PartnerCenterPageRef,
  signal: AbortSignal | undefined,
): AsyncGenerator<PartnerCenterPage, void, undefined> {
  let from: PartnerCenterPageRef = first;
  const seen = new Set<string>();
  for (;;) {
    const page = await deps.page(operation, from, signal);
    yield page;
    if (!page.next) return;
    const key = JSON.stringify(page.next);
    if (seen.has(key)) {
      deps.events.emit('warning', {
        provider: PROVIDER,
        code: 'listing-stopped',
        message: `${operation}: Partner Center returned the same next link twice; the listing was stopped there`,
      });
      return;
    }
    seen.add(key);
    from = page.next;
  }
}

/**
 * `GET /invoices`: the partner's monthly invoices (each covers every customer: `customerId` null, so a
 * `customerId` filter keeps them all). `from`/`to` filter by invoice date here (the API has no date filter).
 */
export function partnerCenterInvoices(
  deps: PartnerCenterBillingDeps,
  options: ListInvoicesOptions,
): PagedList<Invoice> {
  const op = 'listInvoices';
  let n = 0;
  return sequentialPages(
    async function* (signal) {
      for await (const page of walk(deps, op, { path: '/invoices', query: { size: deps.pageSize } }, signal)) {
        const items = page.items
          .map((raw) => {
            n += 1;
            const m = mapPartnerCenterInvoice(raw, `#${n}`);
            return keep(deps, op, 'invoice', m, m.value.id);
          })
          .filter((i) => inDayRange(i.invoiceDate, options));
        yield { items, total: undefined };
      }
    },
    options.signal,
    deps.limits,
  );
}

/** The first page of an invoice's reconciliation lines for one billing provider, or undefined when not read. */
function lineSource(invoiceId: string, detail: InvoiceDetailRef, size: number): PartnerCenterPageRef | undefined {
  const provider = detail.provider.toLowerCase().replace(/_/g, '');
  const type = detail.lineItemType.toLowerCase().replace(/_/g, '');
  if (type !== 'billinglineitems') return undefined;
  const base = `/invoices/${encodeURIComponent(invoiceId)}/lineitems`;
  if (provider === 'onetime') {
    return { path: base, query: { provider: 'onetime', invoicelineitemtype: 'billinglineitems', size } };
  }
  if (provider === 'office') return { path: `${base}/office/billinglineitems`, query: { size } };
  return undefined;
}

/**
 * Lines of an invoice (`GET /invoices/{id}`, then each billing provider's reconciliation lines: `onetime` for
 * new commerce and marketplace, `office` for legacy licences; usage providers are reported, not read), or the
 * current period's unbilled lines (`GET /invoices/unbilled/lineitems?provider=onetime&period=current`).
 */
export function partnerCenterInvoiceLines(
  deps: PartnerCenterBillingDeps,
  options: ListInvoiceLinesOptions,
): PagedList<InvoiceLine> {
  const op = 'listInvoiceLines';
  const customer = options.customerId?.toLowerCase();
  const keepLine = (line: InvoiceLine) =>
    customer === undefined || line.customerId === null || line.customerId.toLowerCase() === customer;
  const size = Math.min(PARTNER_CENTER_LINE_PAGE_SIZE, Math.max(deps.pageSize, 1));

  async function* linesOf(
    first: PartnerCenterPageRef,
    invoiceId: string | null,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<YieldedPage<InvoiceLine>, void, undefined> {
    for await (const page of walk(deps, op, first, signal)) {
      const items = page.items
        .map((raw) => {
          const m = mapPartnerCenterLine(raw, invoiceId);
          return keep(deps, op, 'invoice line', m, m.value.id);
        })
        .filter(keepLine);
      yield { items };
    }
  }

  if (options.draft === true) {
    return sequentialPages(
      async function* (signal) {
        const currency = deps.billingCurrency ?? (await currentCurrency(deps, signal));
        const query = {
          provider: 'onetime',
          invoicelineitemtype: 'billinglineitems',
          currencycode: currency,
          period: 'current',
          size,
        };
        yield* linesOf({ path: '/invoices/unbilled/lineitems', query }, null, signal);
      },
      options.signal,
      deps.limits,
    );
  }
  const invoiceId = String(options.invoiceId).trim();
  return sequentialPages(
    async function* (signal) {
      const invoice = await deps.get(op, `/invoices/${encodeURIComponent(invoiceId)}`, signal);
      let details = invoiceDetailsOf(invoice);
      // No details listed: new commerce is where license lines are today.
      if (details.length === 0) details = [{ provider: 'one_time', lineItemType: 'billing_line_items' }];
      const seen = new Set<string>();
      for (const detail of details) {
        const first = lineSource(invoiceId, detail, size);
        const key = first ? JSON.stringify(first) : '';
        if (first && seen.has(key)) continue;
        if (!first) {
          deps.events.emit('warning', {
            provider: PROVIDER,
            code: 'lines-not-read',
            message: `${op}: invoice ${invoiceId} also has ${detail.provider} ${detail.lineItemType}, which the SDK does not read (usage or another billing provider); see docs/providers/partner-center.md`,
          });
          continue;
        }
        seen.add(key);
        yield* linesOf(first, invoiceId, signal);
      }
    },
    options.signal,
    deps.limits,
  );
}

/** The partner's billing currency, from its most recent invoice (for unbilled lines when none is configured). */
async function currentCurrency(deps: PartnerCenterBillingDeps, signal: AbortSignal | undefined): Promise<string> {
  let newest: { date: string; currency: string } | undefined;
  for await (const page of walk(
    deps,
    'listInvoiceLines',
    { path: '/invoices', query: { size: deps.pageSize } },
    signal,
  )) {
    for (const raw of page.items) {
      const r = raw as { invoiceDate?: unknown; currencyCode?: unknown } | null;
      if (typeof r?.currencyCode !== 'string' || typeof r.invoiceDate !== 'string') continue;
      if (!newest || r.invoiceDate > newest.date) newest = { date: r.invoiceDate, currency: r.currencyCode };
    }
  }
  if (newest) return newest.currency;
  throw new ConfigurationError(
    'listInvoiceLines: Partner Center needs the billing currency for unbilled lines and the partner has no invoice to take it from',
    {
      provider: PROVIDER,
      operation: 'listInvoiceLines',
      hint: "Create the client with billingCurrency (the partner's billing currency, e.g. 'USD').",
    },
  );
}

/**
 * A per-customer read as one listing: `customerId`'s pages, or, without it, every customer's, customer by customer
 * (a customer the partner cannot read is skipped with a `warning`, as `listSubscriptions` does).
 */
function perCustomer<T>(
  deps: PartnerCenterBillingDeps,
  op: string,
  options: { customerId?: string | undefined; signal?: AbortSignal | undefined },
  readOne: (customerId: string, signal: AbortSignal | undefined) => AsyncGenerator<YieldedPage<T>, void, undefined>,
): PagedList<T> {
  return sequentialPages(
    async function* (signal) {
      if (options.customerId !== undefined) {
        yield* readOne(options.customerId.trim(), signal);
        return;
      }
      for await (const customerId of deps.customers(signal)) {
        try {
          yield* readOne(customerId, signal);
        } catch (error) {
          if (!(error instanceof PermissionError || error instanceof NotFoundError)) throw error;
          deps.events.emit('warning', {
            provider: PROVIDER,
            code: 'customer-skipped',
            message: `${op}: skipped customer ${customerId}: ${error.message}`,
          });
        }
      }
    },
    options.signal,
    deps.limits,
  );
}

/**
 * Orders of a customer (`GET /customers/{id}/orders`), or, without `customerId`, of every customer, customer by
 * customer (a customer the partner cannot read is skipped with a `warning`, as `listSubscriptions` does).
 */
export function partnerCenterOrders(deps: PartnerCenterBillingDeps, options: ListOrdersOptions): PagedList<Order> {
  const op = 'listOrders';
  let n = 0;
  async function* ordersOf(customerId: string, signal: AbortSignal | undefined) {
    const path = `/customers/${encodeURIComponent(customerId)}/orders`;
    for await (const page of walk(deps, op, { path }, signal)) {
      const items = page.items.map((raw) => {
        n += 1;
        const m = mapPartnerCenterOrder(raw, customerId, `#${n}`);
        return keep(deps, op, 'order', m, m.value.id);
      });
      yield { items };
    }
  }
  return perCustomer(deps, op, options, ordersOf);
}

/**
 * Usage of usage-billed subscriptions (Azure plans and the like) for the current billing period:
 * `GET /customers/{id}/subscriptions/usagerecords` for one customer, or customer by customer without `customerId`
 * (a customer the partner cannot read is skipped with a `warning`). Microsoft documents it for App+User tokens only
 * and for the current period only, so `from`/`to` are refused before any request.
 */
export function partnerCenterUsage(deps: PartnerCenterBillingDeps, options: ListUsageOptions): PagedList<UsageRecord> {
  const op = 'listUsage';
  if (options.from !== undefined || options.to !== undefined) {
    throw new ValidationError(
      'listUsage: Partner Center usage records cover the current billing period only; from/to cannot be honoured',
      [{ path: options.from !== undefined ? 'from' : 'to', message: 'not supported by Partner Center usage records' }],
      {
        provider: PROVIDER,
        operation: op,
        hint: "Omit from/to; for past periods read the invoices' usage reconciliation lines in the Partner Center portal.",
      },
    );
  }
  const subscription = options.subscriptionId?.trim().toLowerCase();
  async function* usageOf(customerId: string, signal: AbortSignal | undefined) {
    const path = `/customers/${encodeURIComponent(customerId)}/subscriptions/usagerecords`;
    for await (const page of walk(deps, op, { path }, signal)) {
      const items = page.items
        .map((raw) => {
          const m = mapPartnerCenterUsage(raw, customerId);
          return keep(deps, op, 'usage record', m, m.value.subscriptionId);
        })
        .filter((u) => subscription === undefined || u.subscriptionId?.toLowerCase() === subscription);
      yield { items };
    }
  }
  return perCustomer(deps, op, options, usageOf);
}
