import { CALL_OPTION_KEY_RECORD } from '../call-context.js';
import { ValidationError } from '../errors.js';
import type {
  DateRange,
  GetOptions,
  ListInvoiceLinesOptions,
  ListInvoicesOptions,
  ListOptions,
  ListOrdersOptions,
  ListSubscriptionsOptions,
  ListUsageOptions,
  ProductPricingOptions,
  WriteOptions,
} from '../marketplace-client.js';
import { type KnownKeys, knownKeys, rejectUnknownKeys } from './strict-keys.js';

/** Options of `listProducts` on every provider (some add their own keys, e.g. Sherweb's `customerId`). */
export type ListProductsOptions = ListOptions & { search?: string | undefined };

/** Known keys of `listSubscriptions` options. */
export const LIST_SUBSCRIPTIONS_OPTION_KEYS: KnownKeys = knownKeys<ListSubscriptionsOptions>(
  'listSubscriptions options',
  { ...CALL_OPTION_KEY_RECORD, customerId: true, productId: true, status: true, billingTerm: true, signal: true },
);

/** Known keys of `listCustomers` options. */
export const LIST_CUSTOMERS_OPTION_KEYS: KnownKeys = knownKeys<ListOptions>('listCustomers options', {
  ...CALL_OPTION_KEY_RECORD,
  signal: true,
});

/** Known keys of `listProducts` options. */
export const LIST_PRODUCTS_OPTION_KEYS: KnownKeys = knownKeys<ListProductsOptions>('listProducts options', {
  ...CALL_OPTION_KEY_RECORD,
  signal: true,
  search: true,
});

/** Known keys of the options of a read of one item (`getCustomer`, `getSubscription`, `verifyConnection`). */
export const GET_OPTION_KEYS: KnownKeys = knownKeys<GetOptions>('read options', {
  ...CALL_OPTION_KEY_RECORD,
  signal: true,
});

/** Known keys of `listInvoices` options. */
export const LIST_INVOICES_OPTION_KEYS: KnownKeys = knownKeys<ListInvoicesOptions>('listInvoices options', {
  ...CALL_OPTION_KEY_RECORD,
  signal: true,
  customerId: true,
  from: true,
  to: true,
});

/** Known keys of `listInvoiceLines` options. */
export const LIST_INVOICE_LINES_OPTION_KEYS: KnownKeys = knownKeys<ListInvoiceLinesOptions>(
  'listInvoiceLines options',
  { ...CALL_OPTION_KEY_RECORD, signal: true, invoiceId: true, draft: true, customerId: true },
);

/** Known keys of `listUsage` options. */
export const LIST_USAGE_OPTION_KEYS: KnownKeys = knownKeys<ListUsageOptions>('listUsage options', {
  ...CALL_OPTION_KEY_RECORD,
  signal: true,
  customerId: true,
  subscriptionId: true,
  from: true,
  to: true,
});

/** Known keys of `listOrders` options. */
export const LIST_ORDERS_OPTION_KEYS: KnownKeys = knownKeys<ListOrdersOptions>('listOrders options', {
  ...CALL_OPTION_KEY_RECORD,
  signal: true,
  customerId: true,
});

/** Known keys of `getProductPricing` options. */
export const PRODUCT_PRICING_OPTION_KEYS: KnownKeys = knownKeys<ProductPricingOptions>('getProductPricing options', {
  ...CALL_OPTION_KEY_RECORD,
  signal: true,
  customerId: true,
});

/** Known keys of plain write options (`setAutoRenew`). */
export const WRITE_OPTION_KEYS: KnownKeys = knownKeys<WriteOptions>('write options', {
  ...CALL_OPTION_KEY_RECORD,
  dryRun: true,
  actor: true,
  signal: true,
});

/** Whether an object has no own enumerable string key. */
function isEmpty(value: object): boolean {
  for (const k in value) if (Object.hasOwn(value, k)) return false;
  return true;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Checks `from`/`to` of a date-range filter: `YYYY-MM-DD`, a real date, `from` not after `to`. */
export function checkDateRange(range: DateRange, provider: string, operation: string): void {
  const issues: { path: string; message: string }[] = [];
  for (const key of ['from', 'to'] as const) {
    const v = range[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !ISO_DATE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) {
      issues.push({ path: key, message: 'must be a YYYY-MM-DD date' });
    } else if (new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) {
      issues.push({ path: key, message: 'is not a calendar date' });
    }
  }
  if (issues.length === 0 && range.from !== undefined && range.to !== undefined && range.from > range.to) {
    issues.push({ path: 'from', message: 'must not be after to' });
  }
  if (issues.length > 0) {
    throw new ValidationError(`Invalid ${operation} date range`, issues, { provider, operation });
  }
}

/**
 * Checks the options object of a read call: an object (or nothing) with known keys only. Throws a
 * `ValidationError` naming each unknown key and the closest known one (`customerID` -> `customerId`), so a
 * misspelled filter never silently widens a listing. Called before any request.
 */
export function checkCallOptions(known: KnownKeys, options: unknown, provider: string, operation: string): void {
  if (options === undefined) return;
  // The common case costs no allocation (issue 21): a plain object with no own enumerable key.
  if (typeof options === 'object' && options !== null && !Array.isArray(options) && isEmpty(options)) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValidationError(
      `Invalid ${known.what}: must be an object`,
      [{ path: 'options', message: 'must be an object' }],
      {
        provider,
        operation,
      },
    );
  }
  rejectUnknownKeys(options, known, { provider, operation });
}
