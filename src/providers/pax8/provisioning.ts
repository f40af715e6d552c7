import { ValidationError } from '../../core/errors.js';
import type { components } from '../../../generated/pax8.js';

type ProvisioningDetail = components['schemas']['ProvisioningDetail'];

/** Provisioning details of a Pax8 purchase: key (from `GET /products/{id}/provision-details`) -> value(s). */
export type Pax8ProvisioningDetails = Record<string, string | readonly string[]>;

function refuse(message: string, path: string, why: string, hint?: string): never {
  throw new ValidationError(`purchase: ${message}`, [{ path, message: why }], {
    provider: 'pax8',
    operation: 'purchase',
    ...(hint ? { hint } : {}),
  });
}

/** The shape of the caller's details, checked before any request. */
export function checkProvisioningShape(value: unknown): Pax8ProvisioningDetails | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    refuse('provisioningDetails must be an object of key -> value(s)', 'provisioningDetails', 'must be an object');
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const values = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(values) || values.length === 0 || values.some((x) => typeof x !== 'string' || x.trim() === '')) {
      refuse(
        `provisioningDetails.${key} must be a non-empty string or a non-empty list of them`,
        `provisioningDetails.${key}`,
        'must be a non-empty string or list of strings',
      );
    }
  }
  return value as Pax8ProvisioningDetails;
}

/**
 * Checks the caller's details against what the product declares and returns the order line's
 * `provisioningDetails` (`[{ key, values }]`). Unknown keys, a value outside `possibleValues` and several values
 * for a `Single-Value` detail are refused before the order. Pax8 does not say which details are required (some
 * depend on others, e.g. `msTenantId` when `msCustExists` is yes): missing ones are left to Pax8 (try `dryRun`).
 */
export function provisioningLine(
  productId: string,
  given: Pax8ProvisioningDetails,
  declared: readonly ProvisioningDetail[],
): { key: string; values: string[] }[] {
  const byKey = new Map(declared.map((d) => [d.key, d]));
  const known = declared.map((d) => d.key).join(', ') || 'none';
  return Object.entries(given).map(([key, raw]) => {
    const values = typeof raw === 'string' ? [raw] : [...raw];
    const detail = byKey.get(key);
    if (!detail) {
      refuse(
        `product ${productId} has no provisioning detail ${JSON.stringify(key)} (it has: ${known})`,
        `provisioningDetails.${key}`,
        `must be one of: ${known}`,
      );
    }
    if (detail.valueType === 'Single-Value' && values.length !== 1) {
      refuse(`provisioningDetails.${key} takes exactly one value`, `provisioningDetails.${key}`, 'one value');
    }
    const allowed = detail.possibleValues ?? null;
    if ((detail.valueType === 'Single-Value' || detail.valueType === 'Multi-Value') && allowed) {
      const bad = values.filter((v) => !allowed.includes(v));
      if (bad.length > 0) {
        refuse(
          `provisioningDetails.${key}: ${bad.map((b) => JSON.stringify(b)).join(', ')} is not a possible value`,
          `provisioningDetails.${key}`,
          `must be one of: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
        );
      }
    }
    return { key, values };
  });
}
