import { distance } from 'fastest-levenshtein';
import { ConfigurationError, type ValidationIssue, ValidationError } from '../errors.js';

/**
 * Every key of the options type `T`, each set to `true`. Written as an object literal typed `OptionKeys<T>`, the
 * compiler refuses both a key `T` does not have and a key of `T` that is missing: adding an option to an interface
 * without adding it to its key list does not compile.
 */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/** The known keys of one public options object, and how to name that object in errors. */
export interface KnownKeys {
  /** What the object is, for messages: `pax8 client options`, `listSubscriptions options`. */
  readonly what: string;
  /** Every key the object may have. */
  readonly keys: readonly string[];
}

/** Builds the {@link KnownKeys} of an options type from its complete key record. */
export function knownKeys<T>(what: string, keys: OptionKeys<T>): KnownKeys {
  return Object.freeze({ what, keys: Object.freeze(Object.keys(keys)) });
}

/** The same known keys under another name (e.g. the Pax8 credentials of `createMarketplaceClient`). */
export function renamedKeys(known: KnownKeys, what: string): KnownKeys {
  return Object.freeze({ what, keys: known.keys });
}

/**
 * The known key closest to `key`: a case-insensitive match first, else the one at the smallest edit distance
 * (fastest-levenshtein) when that distance is small for the key's length. Undefined when nothing is close.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase) return sameCase;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  // "billingterm" -> "billingTerm" (0 after lower-casing), "customerID" -> "customerId", "readonly" -> "readOnly";
  // an unrelated key gets no suggestion rather than a misleading one.
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * The keys of `value` (own, enumerable, string) that `known` does not list. Non-objects have none. A key whose
 * value is `undefined` is not counted: it asks for nothing, so it cannot be silently ignored (spreading shared
 * option objects such as `{ customerId: maybe }` stays possible).
 */
export function unknownKeys(value: unknown, known: KnownKeys): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  // A loop, not entries/filter/Set: this runs on every call with options (issue 21).
  const bad: string[] = [];
  for (const k of Object.keys(value)) {
    if ((value as Record<string, unknown>)[k] !== undefined && !known.keys.includes(k)) bad.push(k);
  }
  return bad;
}

/** How {@link rejectUnknownKeys} reports. */
export interface RejectUnknownKeysOptions {
  /** `validation` (default; call options, workflow input) or `configuration` (client options). */
  error?: 'validation' | 'configuration' | undefined;
  /** Prefix of the key path in issues and messages (`credentials`, `options`, `policy.require`). */
  path?: string | undefined;
  provider?: string | undefined;
  operation?: string | undefined;
}

/** One unknown key as a sentence part: `"readonly" (did you mean "readOnly"?)`. */
export function describeUnknownKey(key: string, known: readonly string[], path?: string): string {
  const suggestion = closestKey(key, known);
  const full = path ? `${path}.${key}` : key;
  return `"${full}"${suggestion ? ` (did you mean "${path ? `${path}.` : ''}${suggestion}"?)` : ''}`;
}

/**
 * Throws when `value` has a key `known` does not list: a `ValidationError` (or `ConfigurationError`) naming each
 * unknown key and the closest known one, and listing the known keys. Only key names appear in the message, never a
 * value (values may be secrets). Nothing is thrown for a non-object: the caller's own checks report that.
 */
export function rejectUnknownKeys(value: unknown, known: KnownKeys, options: RejectUnknownKeysOptions = {}): void {
  const bad = unknownKeys(value, known);
  if (bad.length === 0) return;
  const path = options.path;
  const parts = bad.map((k) => describeUnknownKey(k, known.keys, path));
  const message = `Unknown ${bad.length === 1 ? 'option' : 'options'} ${parts.join(', ')} in ${known.what}; nothing was sent`;
  const hint = `Known ${known.what}: ${known.keys.join(', ')}.`;
  const fields = { provider: options.provider, operation: options.operation, hint };
  if (options.error === 'configuration') throw new ConfigurationError(message, fields);
  const issues: ValidationIssue[] = bad.map((k) => {
    const suggestion = closestKey(k, known.keys);
    return {
      path: path ? `${path}.${k}` : k,
      message: `unknown option${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
    };
  });
  throw new ValidationError(message, issues, fields);
}
