import type { TokenCacheStore } from './auth/token-provider.js';
import type { Logger } from './events.js';
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
}
