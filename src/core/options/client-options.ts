import { COMMON_CLIENT_OPTION_KEYS, type CommonClientOptions } from '../client-options.js';
import type { RateLimit } from '../limiter.js';
import type { RetryOptions } from '../retry.js';
import { type KnownKeys, type OptionKeys, knownKeys, rejectUnknownKeys } from './strict-keys.js';

const RETRY_KEYS = knownKeys<RetryOptions>('retry options', {
  retries: true,
  baseDelayMs: true,
  maxDelayMs: true,
  maxRetryAfterMs: true,
});

const RATE_LIMIT_KEYS = knownKeys<RateLimit>('rateLimit options', { requests: true, perMs: true, maxConcurrent: true });

/** The known keys of one client's options: the top level and its credentials. */
export interface ClientOptionKeys {
  /** The client, for messages and the error's `provider` (`pax8`, `graph`). */
  readonly client: string;
  readonly options: KnownKeys;
  /** Keys of `options.credentials`, for clients that take credentials. */
  readonly credentials?: KnownKeys | undefined;
}

/**
 * The known keys of a client's options type `T`: {@link COMMON_CLIENT_OPTION_KEYS} plus `own`, which must list
 * exactly the keys `T` adds (the compiler refuses a missing or an extra one), and the keys of its credentials.
 */
export function clientOptionKeys<T extends CommonClientOptions, C = never>(
  client: string,
  own: OptionKeys<Omit<T, keyof CommonClientOptions>>,
  credentials?: OptionKeys<C>,
): ClientOptionKeys {
  return Object.freeze({
    client,
    options: knownKeys<T>(`${client} client options`, { ...COMMON_CLIENT_OPTION_KEYS, ...own } as OptionKeys<T>),
    credentials: credentials ? knownKeys<C>(`${client} credentials`, credentials) : undefined,
  });
}

/**
 * Refuses unknown keys in a client's options, its `credentials`, `retry` and `rateLimit` with a
 * `ConfigurationError` naming the key and the closest known one (`readonly` -> `readOnly`). Runs in the
 * constructor, before any request; never echoes a value.
 */
export function checkClientOptions(options: unknown, keys: ClientOptionKeys): void {
  if (!options || typeof options !== 'object') return;
  const o = options as Record<string, unknown>;
  const fields = { error: 'configuration' as const, provider: keys.client, operation: 'configure' };
  rejectUnknownKeys(o, keys.options, fields);
  if (keys.credentials) rejectUnknownKeys(o.credentials, keys.credentials, { ...fields, path: 'credentials' });
  rejectUnknownKeys(o.retry, RETRY_KEYS, { ...fields, path: 'retry' });
  if (o.rateLimit !== false) rejectUnknownKeys(o.rateLimit, RATE_LIMIT_KEYS, { ...fields, path: 'rateLimit' });
}
