import { RecordReader, reportOddRecord, sequentialPages } from '../../core/billing-wire.js';
import { ResponseValidationError } from '../../core/errors.js';
import type { EventHub } from '../../core/events.js';
import type { HttpRequest, HttpResponse } from '../../core/http.js';
import type { ListInvoiceLinesOptions } from '../../core/marketplace-client.js';
import type { PagedList, PagedListOptions } from '../../core/pagination.js';
import type { InvoiceLine } from '../../model/billing.js';
import { mapSherwebCharge } from './billing-map.js';

/** What the billing reads need from the Sherweb client. */
export interface SherwebBillingDeps {
  send<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>>;
  /** Every customer id (one `GET /customers`), for reads without `customerId`. */
  customerIds(signal?: AbortSignal): Promise<string[]>;
  events: EventHub;
  limits: PagedListOptions;
}

/**
 * `listInvoiceLines({ draft: true })`: the current billing period's receivable charges of a customer
 * (`GET /billing/receivable-charges?customerId=`, Sherweb's spec), or of every customer, one customer per page.
 * Sherweb refuses this read while a PSA integration is enabled on the account (its spec says so).
 */
export function sherwebDraftLines(deps: SherwebBillingDeps, options: ListInvoiceLinesOptions): PagedList<InvoiceLine> {
  const op = 'listInvoiceLines';
  async function linesOf(customerId: string, signal: AbortSignal | undefined): Promise<InvoiceLine[]> {
    const res = await deps.send({
      operation: op,
      method: 'GET',
      path: '/billing/receivable-charges',
      query: { customerId },
      signal,
    });
    const top = new RecordReader(res.data);
    const period = { from: top.date('periodFrom'), to: top.date('periodTo') };
    const charges = top.get('charges');
    // The envelope is strict (a page the SDK cannot read fails): only its records are tolerant.
    if (!Array.isArray(charges)) {
      throw new ResponseValidationError(`${op}: Sherweb answered without a charges list for customer ${customerId}`, {
        provider: 'sherweb',
        operation: op,
        field: 'charges',
        requestId: res.vendorRequestId ?? res.requestId,
        hint: 'Sherweb refuses receivable charges while a PSA integration is enabled; see docs/providers/sherweb.md.',
      });
    }
    reportOddRecord(deps.events, 'sherweb', op, 'charges envelope', customerId, top.problems);
    return charges.map((raw) => {
      const m = mapSherwebCharge(raw, customerId, period);
      reportOddRecord(deps.events, 'sherweb', op, 'receivable charge', m.value.id, m.problems, m.value);
      return m.value;
    });
  }
  return sequentialPages(
    async function* (signal) {
      const ids = options.customerId !== undefined ? [options.customerId.trim()] : await deps.customerIds(signal);
      for (const id of ids) yield { items: await linesOf(id, signal) };
    },
    options.signal,
    deps.limits,
  );
}
