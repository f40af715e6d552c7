import { createHash } from 'node:crypto';

/** Hex SHA-256 of the parts, joined unambiguously; used for cache and limiter keys so no secret is a key. */
export function hashKey(...parts: Array<string | undefined>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(String(p?.length ?? -1));
    h.update(':');
    h.update(p ?? '');
  }
  return h.digest('hex');
}
