import type { EventHub } from '../events.js';
import type { Redactor } from '../redact.js';
import {
  type AccessToken,
  type FetchedToken,
  type TokenCacheStore,
  type TokenProvider,
  defaultTokenCache,
} from './token-provider.js';

/** Options of {@link CachedTokenProvider}. */
export interface CachedTokenProviderOptions {
  provider: string;
  /** Hash of every credential field and the token endpoint (see `hashKey`). */
  cacheKey: string;
  /** Fetches a fresh token from the vendor. */
  fetchToken: (signal?: AbortSignal) => Promise<FetchedToken>;
  cache?: TokenCacheStore | undefined;
  events?: EventHub | undefined;
  redactor?: Redactor | undefined;
  now?: () => number;
}

/** In-flight fetches per cache key, so concurrent cold calls across clients of one credential share one. */
const inflight = new Map<string, Promise<AccessToken>>();

/** How long before expiry a token is refreshed: 10% of its lifetime, between 30 s and 5 min (at most half). */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(lifetimeMs / 2, 5 * 60_000, Math.max(30_000, lifetimeMs * 0.1));
}

/**
 * Caches a grant's tokens: refreshed shortly before expiry, single-flight (a thousand concurrent calls
 * make one token request), evicted on 401.
 */
export class CachedTokenProvider implements TokenProvider {
  readonly #o: CachedTokenProviderOptions;
  readonly #cache: TokenCacheStore;
  readonly #now: () => number;

  constructor(options: CachedTokenProviderOptions) {
    this.#o = options;
    this.#cache = options.cache ?? defaultTokenCache;
    this.#now = options.now ?? Date.now;
  }

  async getToken(signal?: AbortSignal): Promise<AccessToken> {
    const key = this.#o.cacheKey;
    const cached = await this.#cache.get(key);
    if (cached && this.#fresh(cached)) {
      this.#o.redactor?.add(cached.value);
      return cached;
    }
    let pending = inflight.get(key);
    if (!pending) {
      const fetchOnce = this.#cache.fetchOnce?.bind(this.#cache);
      const fetched = fetchOnce
        ? fetchOnce(
            key,
            () => this.#fetch(signal),
            (t) => this.#fresh(t),
            signal,
          ).then((t) => {
            this.#o.redactor?.add(t.value);
            return t;
          })
        : this.#fetch(signal);
      pending = fetched.finally(() => inflight.delete(key));
      inflight.set(key, pending);
    }
    return pending;
  }

  invalidate(token: string): void {
    void this.#cache.delete(this.#o.cacheKey, token);
    this.#o.events?.emit('token', { provider: this.#o.provider, action: 'evicted' });
  }

  #fresh(token: AccessToken): boolean {
    return this.#now() < (token.refreshAt ?? token.expiresAt - 30_000);
  }

  async #fetch(signal?: AbortSignal): Promise<AccessToken> {
    const fetched = await this.#o.fetchToken(signal);
    this.#o.redactor?.add(fetched.accessToken);
    const lifetimeMs = Math.max(0, fetched.expiresInSeconds * 1000);
    const expiresAt = this.#now() + lifetimeMs;
    const token: AccessToken = {
      value: fetched.accessToken,
      expiresAt,
      refreshAt: expiresAt - refreshMarginMs(lifetimeMs),
    };
    await this.#cache.set(this.#o.cacheKey, token);
    this.#o.events?.emit('token', {
      provider: this.#o.provider,
      action: 'fetched',
      expiresAt: new Date(token.expiresAt).toISOString(),
    });
    return token;
  }
}
