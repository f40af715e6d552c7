import { ValidationError } from '../errors.js';
import type { GetOptions, ListOptions, ListSubscriptionsOptions } from '../marketplace-client.js';
import { type KnownKeys, knownKeys, rejectUnknownKeys } from './strict-keys.js';

/** Options of `listProducts` on every provider (some add their own keys, e.g. Sherweb's `customerId`). */
export type ListProductsOptions = ListOptions & { search?: string | undefined };

/** Known keys of `listSubscriptions` options. */
export const LIST_SUBSCRIPTIONS_OPTION_KEYS: KnownKeys = knownKeys<ListSubscriptionsOptions>(
  'listSubscriptions options',
  { customerId: true, productId: true, status: true, billingTerm: true, signal: true },
);

/** Known keys of `listCustomers` options. */
export const LIST_CUSTOMERS_OPTION_KEYS: KnownKeys = knownKeys<ListOptions>('listCustomers options', { signal: true });

/** Known keys of `listProducts` options. */
export const LIST_PRODUCTS_OPTION_KEYS: KnownKeys = knownKeys<ListProductsOptions>('listProducts options', {
  signal: true,
  search: true,
});

/** Known keys of the options of a read of one item (`getCustomer`, `getSubscription`, `verifyConnection`). */
export const GET_OPTION_KEYS: KnownKeys = knownKeys<GetOptions>('read options', { signal: true });

/**
 * Checks the options object of a read call: an object (or nothing) with known keys only. Throws a
 * `ValidationError` naming each unknown key and the closest known one (`customerID` -> `customerId`), so a
 * misspelled filter never silently widens a listing. Called before any request.
 */
export function checkCallOptions(known: KnownKeys, options: unknown, provider: string, operation: string): void {
  if (options === undefined) return;
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
