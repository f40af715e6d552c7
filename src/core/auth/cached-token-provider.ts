import type { EventHub } from '../events.js';
import type { Redactor } from '../redact.js';
import {
  type AccessToken,
  type FetchedToken,
  type TokenCacheStore,
  MemoryTokenCache,
  type TokenProvider,
  defaultTokenCache,
} from './token-provider.js';

/** Options of {@link CachedTokenProvider}. */
export interface CachedTokenProviderOptions {
  provider: string;
  /** Hash of every credential field and the token endpoint (see `hashKey`). */
  cacheKey: string;
  /** Fetches a fresh token from the vendor. Called without a signal: the fetch is shared by every waiting caller. */
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
 * Waits for `shared` or for `signal`, whichever comes first. The shared promise goes on either way: one caller
 * giving up never fails the others waiting on the same fetch.
 */
export function raceSignal<T>(shared: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return shared;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Caches a grant's tokens: refreshed shortly before expiry, single-flight (a thousand concurrent calls
 * make one token request), evicted on 401. The shared fetch runs without any caller's signal; each caller
 * races its own, so one aborting caller never fails the others (issue 21).
 */
export class CachedTokenProvider implements TokenProvider {
  readonly #o: CachedTokenProviderOptions;
  readonly #cache: TokenCacheStore;
  readonly #now: () => number;
  /** The last token this provider handed out, for the synchronous path when the cache is not in memory. */
  #last: AccessToken | undefined;

  constructor(options: CachedTokenProviderOptions) {
    this.#o = options;
    this.#cache = options.cache ?? defaultTokenCache;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The cached token at once if it is fresh, else undefined (no request, no await): the in-process cache is read
   * directly; with another store (Redis), the token this provider last received is used until its refresh time.
   */
  peekToken(): AccessToken | undefined {
    const cached = this.#cache instanceof MemoryTokenCache ? this.#cache.get(this.#o.cacheKey) : this.#last;
    if (!cached || !this.#fresh(cached)) return undefined;
    // Another client of the credential may have fetched it: this client's redactor must know it too.
    this.#o.redactor?.addToken(cached.value);
    return cached;
  }

  async getToken(signal?: AbortSignal): Promise<AccessToken> {
    const key = this.#o.cacheKey;
    const local = this.peekToken();
    if (local) return local;
    signal?.throwIfAborted();
    const cached = await this.#cache.get(key);
    if (cached && this.#fresh(cached)) {
      this.#o.redactor?.addToken(cached.value);
      this.#last = cached;
      return cached;
    }
    let pending = inflight.get(key);
    if (!pending) {
      const fetchOnce = this.#cache.fetchOnce?.bind(this.#cache);
      // No caller's signal here: the fetch is shared (the token transport has its own deadline).
      const fetched = fetchOnce
        ? fetchOnce(
            key,
            () => this.#fetch(),
            (t) => this.#fresh(t),
          ).then((t) => {
            this.#o.redactor?.addToken(t.value);
            return t;
          })
        : this.#fetch();
      pending = fetched.finally(() => inflight.delete(key));
      // Every waiter may have given up: a failure then must not become an unhandled rejection.
      pending.catch(() => undefined);
      inflight.set(key, pending);
    }
    const token = await raceSignal(pending, signal);
    // Another client of the same credential may have started the fetch: this client's redactor learns it too.
    this.#o.redactor?.addToken(token.value);
    this.#last = token;
    return token;
  }

  invalidate(token: string): void {
    if (this.#last?.value === token) this.#last = undefined;
    void this.#cache.delete(this.#o.cacheKey, token);
    this.#o.events?.emit('token', { provider: this.#o.provider, action: 'evicted' });
  }

  #fresh(token: AccessToken): boolean {
    return this.#now() < (token.refreshAt ?? token.expiresAt - 30_000);
  }

  async #fetch(): Promise<AccessToken> {
    const fetched = await this.#o.fetchToken();
    this.#o.redactor?.addToken(fetched.accessToken);
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
