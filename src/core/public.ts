/** What every entry point re-exports: errors, the client contract, events, paging and the model. */
export * from './errors.js';
export {
  RedirectRefusedError,
  ResponseTooLargeError,
  PagingLimitError,
  type PagingStopReason,
  DeadlineExceededError,
} from './transport-errors.js';
export {
  type ClientLimits,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_MAX_PAGES,
  DEFAULT_DEADLINE_MS,
} from './limits.js';
export type * from './marketplace-client.js';
export type { ListProductsOptions } from './options/call-options.js';
export type {
  Logger,
  SdkEvents,
  SdkEventName,
  AuditEvent,
  RequestEvent,
  ResponseEvent,
  RetryEvent,
  TokenEvent,
  WarningEvent,
} from './events.js';
export {
  PagedList,
  type Page,
  type ByPageOptions,
  type PagedListOptions,
  type PageSource,
  type PageReader,
  type PageSourceContext,
} from './pagination.js';
export type { CommonClientOptions } from './client-options.js';
export type { RateLimit, RateLimitOption } from './limiter.js';
export type { RetryOptions } from './retry.js';
export type { CallOptions, CallRetryOption, ResponseInfo } from './call-context.js';
export type { RawRequestOptions, RawResponse } from './raw-request.js';
export type { HttpMethod } from './http.js';
export type { AccessToken, TokenCacheStore, TokenProvider } from './auth/token-provider.js';
export { MemoryTokenCache } from './auth/token-provider.js';
export {
  MemoryTokenStore,
  FileTokenStore,
  type TokenStore,
  type StoredRefreshToken,
  type FileTokenStoreOptions,
} from './auth/token-store.js';
export { Secret } from './redact.js';
export {
  closeRedisConnections,
  type RedisOption,
  type RedisFallback,
  type RedisClientLike,
} from './redis.js';
export { RedisTokenCache, type RedisTokenCacheOptions } from './auth/redis-token-cache.js';
export { RedisTokenStore, type RedisTokenStoreOptions } from './auth/redis-token-store.js';
export * from '../model/index.js';
