import type { TokenCacheStore } from './auth/token-provider.js';
import type { Logger } from './events.js';
import type { ClientLimits } from './limits.js';
import type { OptionKeys } from './options/strict-keys.js';
import type { RateLimitOption } from './limiter.js';
import type { RedisFallback, RedisOption } from './redis.js';
import type { RetryOptions } from './retry.js';

/** Options every provider's client takes. */
export interface CommonClientOptions {
  /** The vendor API's base URL (each provider has a default). */
  baseUrl?: string | undefined;
  /** Per-request timeout in ms (default 30 000). */
  timeoutMs?: number | undefined;
  /** Retry settings for reads. */
  retry?: RetryOptions | undefined;
  /** Rate limit override, or `false` to turn the limiter off (default: the vendor's documented limit). */
  rateLimit?: RateLimitOption | undefined;
  /** Refuse every write with `ReadOnlyError` before any network call. */
  readOnly?: boolean | undefined;
  /** Receives debug/info/warn/error lines (no secrets). */
  logger?: Logger | undefined;
  /** Aborts every call of this client. */
  signal?: AbortSignal | undefined;
  /** Who is acting, recorded in audit events (a call's `actor` wins). */
  actor?: string | undefined;
  /** A custom fetch (proxies, tests). */
  fetch?: typeof fetch | undefined;
  /** Where access tokens are cached (default: in-process, shared by clients of the same credential). */
  tokenCache?: TokenCacheStore | undefined;
  /**
   * Share the rate limit, the access-token cache and the refresh-token store with every process using the same
   * credential, through Redis: a `redis://` URL or an ioredis client (the SDK uses its own duplicate). Needs the
   * optional peer dependency `ioredis`. See docs/scaling.md.
   */
  redis?: RedisOption | undefined;
  /**
   * When Redis cannot be reached: `'error'` (default) fails calls with `NetworkError`; `'in-process'` runs with
   * in-process limits and token cache, announced by a `warning` event (other processes then do not share them).
   */
  redisFallback?: RedisFallback | undefined;
  /**
   * How long a seat change or cancellation waits for the subscription's seat lock while other changes of the same
   * subscription run (default 120 000 ms); then it fails with `ConflictError` (code `SEAT_LOCK_TIMEOUT`) and
   * nothing is sent. See docs/reliability.md.
   */
  seatLockWaitMs?: number | undefined;
  /**
   * Bounds per call and per listing: `maxResponseBytes` (default 32 MiB, decoded), `maxPages` per listing
   * (default 10 000) and `deadlineMs`, one overall deadline per call covering token acquisition, attempts and
   * retries (default: the larger of 120 000 and 2 x `timeoutMs`). Checked when the client is created
   * (`ValidationError`). See docs/reliability.md, "Limits".
   */
  limits?: ClientLimits | undefined;
}

/**
 * Every key of {@link CommonClientOptions}. Typed as `OptionKeys`, so a key added to the interface above and not
 * here does not compile: client constructors refuse unknown keys against this list (see core/options).
 */
export const COMMON_CLIENT_OPTION_KEYS: OptionKeys<CommonClientOptions> = {
  baseUrl: true,
  timeoutMs: true,
  retry: true,
  rateLimit: true,
  readOnly: true,
  logger: true,
  signal: true,
  actor: true,
  fetch: true,
  tokenCache: true,
  redis: true,
  redisFallback: true,
  seatLockWaitMs: true,
  limits: true,
};
