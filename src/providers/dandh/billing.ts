import { reportOddRecord, sequentialPages } from '../../core/billing-wire.js';
import { ValidationError } from '../../core/errors.js';
import type { EventHub } from '../../core/events.js';
import type { HttpResponse } from '../../core/http.js';
import type { ListInvoiceLinesOptions, ListInvoicesOptions } from '../../core/marketplace-client.js';
import type { PagedList, PagedListOptions } from '../../core/pagination.js';
import type { Invoice, InvoiceLine } from '../../model/billing.js';
import {
  dandhCharges,
  dandhInvoiceId,
  dandhInterval,
  mapDandhCharge,
  mapDandhInvoice,
  parseDandhInvoiceId,
} from './billing-map.js';

/** What the billing reads need from the D&H client. */
export interface DandhBillingDeps {
  /** One SimpleAPI read (POST `/{method}`). */
  call(operation: string, method: string, body: object, signal?: AbortSignal): Promise<HttpResponse<unknown>>;
  events: EventHub;
  limits: PagedListOptions;
}

/** Most billing months one `listInvoices` reads (one request per month). */
export const DANDH_MAX_INVOICE_MONTHS = 24;

function list(data: unknown): unknown[] {
  return Array.isArray(data) ? data : [];
}

/** The months (`YYYY-MM`) from `from` to `to`, newest first. */
function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(to.slice(0, 4));
  let m = Number(to.slice(5, 7));
  const stop = from.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    if (key < stop) return out;
    out.push(key);
    m -= 1;
    if (m === 0) {
      m = 12;
      y -= 1;
    }
  }
}

function fail(operation: string, message: string, path: string): never {
  throw new ValidationError(`${operation}: ${message}`, [{ path, message }], { provider: 'dandh', operation });
}

/** Checks `listInvoices`' range before any request: both ends or neither, at most {@link DANDH_MAX_INVOICE_MONTHS} months. */
export function checkDandhInvoices(options: ListInvoicesOptions): void {
  if ((options.from === undefined) !== (options.to === undefined)) {
    fail(
      'listInvoices',
      'D&H reads invoices per billing month: give both from and to (or neither, for the last closed month)',
      'to',
    );
  }
  if (options.from !== undefined && options.to !== undefined) {
    const n = monthsBetween(options.from, options.to).length;
    if (n > DANDH_MAX_INVOICE_MONTHS)
      fail('listInvoices', `at most ${DANDH_MAX_INVOICE_MONTHS} months at once (asked ${n})`, 'from');
  }
}

/** Checks `listInvoiceLines`' invoice id (the SDK's `<InvoiceNumber>@<YYYY-MM>`) before any request. */
export function checkDandhInvoiceLines(options: ListInvoiceLinesOptions): void {
  if (options.draft !== true && !parseDandhInvoiceId(String(options.invoiceId))) {
    fail('listInvoiceLines', 'a D&H invoice id is <InvoiceNumber>@<YYYY-MM>, as listInvoices returns it', 'invoiceId');
  }
}

const sameCustomer = (raw: unknown, customerId: string | undefined): boolean => {
  if (customerId === undefined) return true;
  const r = raw as { CompanyAccountId?: unknown; CustomerId?: unknown } | null;
  return String(r?.CompanyAccountId ?? '') === customerId.trim() || String(r?.CustomerId ?? '') === customerId.trim();
};

/**
 * Invoices, one billing month per page: the last closed month (`GetLatestInvoices`), or each month from `to` back
 * to `from` (`GetLatestInvoicesForPeriod { year, month }`). D&H invoices one customer per invoice.
 */
export function dandhInvoices(deps: DandhBillingDeps, options: ListInvoicesOptions): PagedList<Invoice> {
  const op = 'listInvoices';
  const months =
    options.from !== undefined && options.to !== undefined ? monthsBetween(options.from, options.to) : [undefined];
  return sequentialPages(
    async function* (signal) {
      for (const month of months) {
        const res = month
          ? await deps.call(
              op,
              'GetLatestInvoicesForPeriod',
              { year: Number(month.slice(0, 4)), month: Number(month.slice(5, 7)) },
              signal,
            )
          : await deps.call(op, 'GetLatestInvoices', {}, signal);
        const items = list(res.data)
          .filter((raw) => sameCustomer(raw, options.customerId))
          .map((raw) => {
            const m = mapDandhInvoice(raw, month ?? null);
            reportOddRecord(deps.events, 'dandh', op, 'invoice', m.value.id, m.problems, m.value);
            return m.value;
          });
        yield { items };
      }
    },
    options.signal,
    deps.limits,
  );
}

/**
 * Lines of one invoice (its month re-read with `GetLatestInvoicesForPeriod`, the invoice found by number), or the
 * current month's preview charges (`GetPreviewInvoices`: D&H regenerates the preview every Friday).
 */
export function dandhInvoiceLines(deps: DandhBillingDeps, options: ListInvoiceLinesOptions): PagedList<InvoiceLine> {
  const op = 'listInvoiceLines';
  const wanted = options.draft === true ? undefined : parseDandhInvoiceId(String(options.invoiceId));
  return sequentialPages(
    async function* (signal) {
      const res = wanted
        ? await deps.call(op, 'GetLatestInvoicesForPeriod', { year: wanted.year, month: wanted.month }, signal)
        : await deps.call(op, 'GetPreviewInvoices', {}, signal);
      for (const invoice of list(res.data)) {
        if (!sameCustomer(invoice, options.customerId)) continue;
        const number = (invoice as { InvoiceNumber?: unknown } | null)?.InvoiceNumber;
        if (wanted && String(number ?? '') !== wanted.number) continue;
        const month = dandhInterval(String((invoice as { BillingInterval?: unknown } | null)?.BillingInterval ?? ''));
        const invoiceId = wanted && month ? dandhInvoiceId(wanted.number, month) : null;
        const items = dandhCharges(invoice).map((raw) => {
          const m = mapDandhCharge(raw, invoiceId, invoice);
          reportOddRecord(deps.events, 'dandh', op, 'invoice charge', m.value.subscriptionId, m.problems, m.value);
          return m.value;
        });
        yield { items };
      }
    },
    options.signal,
    deps.limits,
  );
}
