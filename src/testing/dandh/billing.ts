/**
 * Billing reads of the D&H fake (issue 18): `GetLatestInvoices`, `GetLatestInvoicesForPeriod { year, month }` and
 * `GetPreviewInvoices` (D&H's spec: arrays of `Invoice` with `Charges`), derived from the fake's subscriptions at
 * request time so they always agree with them.
 *
 * Choices (the fake's, not D&H's): one invoice per company and month (number `INV<company><yyyymm>`); each live
 * subscription's unit-based priceable items are charges (units from the quantity field they name; monthly items
 * every month since billing started, prepaid yearly ones in the month billing started); `GetLatestInvoices` is the
 * previous month, the preview the current one; a month not yet closed has no final invoices (empty list).
 */
import type { DandhState, DandhSubscription } from './state.js';

/** What the billing methods need from the fake. */
export interface DandhBillingDeps {
  state: DandhState;
  now: () => Date;
  json(value: unknown): Response;
  /** Throws the fake's fault for a bad parameter. */
  badParameter(message: string): never;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const dotted = (d: Date) =>
  `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()}`;

/** The fake's invoices of one month (`year`, `month` 1-12). */
export function dandhFakeInvoices(state: DandhState, year: number, month: number): Record<string, unknown>[] {
  const start = new Date(Date.UTC(year, month - 1, 1));
  const next = new Date(Date.UTC(year, month, 1));
  const byCompany = new Map<number, DandhSubscription[]>();
  for (const sub of state.subscriptions.values()) {
    const started = Date.parse(
      sub.BillingStartDate.replace(' ', 'T') + (sub.BillingStartDate.includes('T') ? '' : 'Z'),
    );
    if (Number.isNaN(started) || started >= next.getTime()) continue;
    if (sub.AccountState === 'Terminated') continue;
    const list = byCompany.get(sub.CompanyAccountId) ?? [];
    list.push(sub);
    byCompany.set(sub.CompanyAccountId, list);
  }
  const invoices: Record<string, unknown>[] = [];
  for (const [companyId, subs] of byCompany) {
    const company = state.accounts.get(companyId);
    const charges: Record<string, unknown>[] = [];
    for (const sub of subs) {
      const started = new Date(
        sub.BillingStartDate.replace(' ', 'T') + (sub.BillingStartDate.includes('T') ? '' : 'Z'),
      );
      for (const item of sub.PriceableItems) {
        if (!item.IsUDRCField) continue;
        if (item.PrepaidPeriodInMonths >= 12 && started.getUTCMonth() !== start.getUTCMonth()) continue;
        const units = Number(sub.Fields.find((f) => f.Name === item.FieldName)?.Value ?? 0);
        charges.push({
          AccountId: sub.AccountId,
          ActualChargeInterval: `${dotted(start)} - ${dotted(next)}`,
          BillableParameter: `Billing Type=${item.PrepaidPeriodInMonths >= 12 ? 'Annual' : 'Monthly'} ${item.FieldName}=${units}`,
          BillingStartDate: sub.BillingStartDate,
          ContractId: sub.ContractId,
          PurchaseOrderNumber: sub.PurchaseOrderNumber,
          Costs: round2(item.PurchasePrice * units),
          CostsOfUnit: item.PurchasePrice,
          Currency: item.Currency,
          VendorReference: sub.VendorReferenceId,
          SecondVendorReference: sub.SecondVendorReferenceId,
          MaterialNumber: item.MaterialNumber,
          PriceableItemDescription: item.PriceableItemDescription,
          SalesPrice: round2(item.SalesPrice * units),
          SalesPriceOfUnit: item.SalesPrice,
          ServiceCode: '',
          ServiceId: sub.ServiceName,
          ServiceName: sub.ServiceDisplayName,
          PriceableItemId: item.PriceableItemId,
          PriceableItemType: item.PriceableItemType,
          ProductNumber: item.ProductNumber,
          UDRCValue: units,
          VendorName: sub.VendorDisplayName,
          EndCustomerName: company?.CompanyName ?? '',
        });
      }
    }
    if (charges.length === 0) continue;
    invoices.push({
      BillingInterval: `${String(month).padStart(2, '0')}/${year}`,
      Charges: charges,
      CompanyAccountId: companyId,
      CompanyName: company?.CompanyName ?? '',
      CustomerId: String(companyId),
      CompanyVatId: company?.VATID ?? '',
      InvoiceNumber: `INV${companyId}${year}${String(month).padStart(2, '0')}`,
      Salesman: 'salesman@example.com',
    });
  }
  return invoices;
}

/** The three SimpleAPI methods, to spread into the fake's method table. */
export function dandhBillingMethods(
  deps: DandhBillingDeps,
): Record<string, (body: Record<string, unknown>) => Response> {
  const current = () => {
    const d = deps.now();
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
  };
  const previous = () => {
    const { year, month } = current();
    return month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 };
  };
  return {
    GetLatestInvoices: () => {
      const p = previous();
      return deps.json(dandhFakeInvoices(deps.state, p.year, p.month));
    },
    GetPreviewInvoices: () => {
      const c = current();
      return deps.json(dandhFakeInvoices(deps.state, c.year, c.month));
    },
    GetLatestInvoicesForPeriod: (body) => {
      const { year, month } = body;
      if (!Number.isInteger(year)) deps.badParameter("The parameter 'year' is required and must be an integer.");
      if (!Number.isInteger(month) || (month as number) < 1 || (month as number) > 12) {
        deps.badParameter("The parameter 'month' is required and must be 1 to 12.");
      }
      const c = current();
      const closed = (year as number) < c.year || ((year as number) === c.year && (month as number) < c.month);
      return deps.json(closed ? dandhFakeInvoices(deps.state, year as number, month as number) : []);
    },
  };
}
