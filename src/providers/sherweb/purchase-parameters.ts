/**
 * Sherweb purchases and provisioning ("platform") parameters. Sherweb publishes no contract for them: its public
 * OpenAPI covers neither orders nor platforms, and the order body known from independent clients is
 * `{ cartItems: [{ sku, quantity }], orderedBy }` with no place for parameters. What Sherweb does document by
 * operation name only (GetPlatformRequiredParameters, GetCustomerPlatformsConfigurations) points to parameters
 * configured per customer and platform, before ordering, not per order. So the SDK refuses parameters on a Sherweb
 * purchase, before any network call, instead of inventing a field the vendor might ignore (and bill a product that
 * is never provisioned). See docs/providers/sherweb.md "Purchases and platform parameters".
 */
import { UnsupportedOperationError } from '../../core/errors.js';

/** The names other vendors' purchases use for provisioning data, and the name Sherweb's portal uses. */
export const SHERWEB_REFUSED_PURCHASE_KEYS = [
  'parameters',
  'platformParameters',
  'provisioningDetails',
  'attributes',
] as const;

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/**
 * Refuses a Sherweb purchase that carries provisioning parameters (any of {@link SHERWEB_REFUSED_PURCHASE_KEYS}
 * with content) with an {@link UnsupportedOperationError}; returns the input without those keys when they are
 * absent or empty (nothing is lost: an empty set of parameters asks for nothing).
 */
export function withoutPurchaseParameters<T extends object>(input: T): T {
  if (!input || typeof input !== 'object') return input;
  const record = input as Record<string, unknown>;
  const given = SHERWEB_REFUSED_PURCHASE_KEYS.filter((k) => k in record && !isEmpty(record[k]));
  if (given.length > 0) {
    throw new UnsupportedOperationError(
      `purchase: Sherweb orders cannot carry provisioning parameters (${given.join(', ')}); nothing was sent`,
      {
        provider: 'sherweb',
        operation: 'purchase',
        hint: "Sherweb configures platform parameters (e.g. a Microsoft tenant or domain) per customer, not per order, and publishes no contract for them: set them up in Sherweb's partner portal for the customer's platform, then purchase without parameters.",
      },
    );
  }
  const rest: Record<string, unknown> = { ...record };
  for (const k of SHERWEB_REFUSED_PURCHASE_KEYS) delete rest[k];
  return rest as T;
}
