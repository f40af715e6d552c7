/**
 * What a provider's client calls to get its limiter, token cache and refresh-token store: in-process by
 * default, shared through Redis when the `redis` option is set (see docs/scaling.md).
 */
import { RedisTokenCache } from './auth/redis-token-cache.js';
import { RedisTokenStore } from './auth/redis-token-store.js';
import type { TokenCacheStore } from './auth/token-provider.js';
import type { TokenStore } from './auth/token-store.js';
import type { CommonClientOptions } from './client-options.js';
import type { EventHub } from './events.js';
import { type Limiter, type RateLimit, getLimiter, validateRateLimit } from './limiter.js';
import { redisBackend, validateRedisFallback } from './redis.js';
import { HOLD_MARGIN_MS, createClusteredLimiter } from './redis-limiter.js';

/** The options {@link createLimiterFor} and {@link tokenCacheFor} read. */
export type ScaleOptions = Pick<
  CommonClientOptions,
  'rateLimit' | 'redis' | 'redisFallback' | 'tokenCache' | 'timeoutMs'
>;

/**
 * The limiter of a provider + credential hash: `options.rateLimit` (or `defaults`), in-process, or shared
 * by every process of the credential through Redis when `options.redis` is set.
 */
export function createLimiterFor(
  provider: string,
  credentialHash: string,
  options: ScaleOptions,
  defaults: RateLimit,
  events?: EventHub,
): Limiter {
  const limit = options.rateLimit ?? defaults;
  validateRateLimit(limit);
  const fallback = validateRedisFallback(options.redisFallback);
  if (limit === false || options.redis === undefined) return getLimiter(`${provider}:${credentialHash}`, limit);
  return createClusteredLimiter({
    provider,
    credentialHash,
    limit,
    backend: redisBackend(options.redis),
    fallback,
    events,
    // Longer than any attempt (its timeout, default 30 s, after a wait of up to one window): see `holdMs`. An
    // attempt with a longer per-call timeout says so when it is scheduled (`maxRunMs`, core/http.ts).
    holdMs: limit.perMs + (options.timeoutMs ?? 30_000) + HOLD_MARGIN_MS,
  });
}

/** Requests a client sends at once under its rate limit (`maxConcurrent`, 10 by default or with limiting off). */
export function requestConcurrencyOf(options: Pick<ScaleOptions, 'rateLimit'>, defaults: RateLimit): number {
  const limit = options.rateLimit ?? defaults;
  return limit === false ? 10 : (limit.maxConcurrent ?? 10);
}

/** The access-token cache: `options.tokenCache`, else Redis when `options.redis` is set, else the default. */
export function tokenCacheFor(
  options: ScaleOptions,
  events?: EventHub,
  provider?: string,
): TokenCacheStore | undefined {
  if (options.tokenCache) return options.tokenCache;
  if (options.redis === undefined) return undefined;
  return new RedisTokenCache(redisBackend(options.redis), {
    fallback: validateRedisFallback(options.redisFallback),
    events,
    provider,
  });
}

/** The rotating-refresh-token store in Redis when `options.redis` is set (else undefined: the caller's default). */
export function tokenStoreFor(options: Pick<CommonClientOptions, 'redis'>): TokenStore | undefined {
  return options.redis === undefined ? undefined : new RedisTokenStore(redisBackend(options.redis));
}
