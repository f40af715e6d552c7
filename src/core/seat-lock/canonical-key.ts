import { hashKey } from '../sha.js';

const UUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/**
 * An id as vendors compare it: trimmed, and a UUID (GUID) lower-cased without braces, since every vendor
 * here treats `ABCD...` and `abcd...` as the same subscription. Other ids are kept as they are.
 */
export function canonicalId(id: string): string {
  const trimmed = id.trim();
  const uuid = UUID.exec(trimmed);
  return uuid ? uuid[1]!.toLowerCase() : trimmed;
}

/** The lock key of a subscription: a hash of the provider and its canonical subscription key. */
export function seatLockKey(provider: string, canonicalKey: string): string {
  return hashKey('seat', provider, canonicalKey).slice(0, 40);
}
