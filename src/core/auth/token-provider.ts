/** An access token and when it stops working. */
export interface AccessToken {
  value: string;
  /** Epoch ms after which the vendor refuses it. */
  expiresAt: number;
  /** Epoch ms after which the SDK fetches a new one (shortly before `expiresAt`). */
  refreshAt?: number;
}

/**
 * Supplies access tokens to the HTTP layer. Implementations cache, refresh before expiry and
 * single-flight; `invalidate` is called once when the vendor answers 401 with a token.
 */
export interface TokenProvider {
  /** A valid token (cached when possible). */
  getToken(signal?: AbortSignal): Promise<AccessToken>;
  /** Forgets `token` if it is still the cached one, so the next `getToken` fetches a new one. */
  invalidate(token: string): void;
}

/** What a grant returns when it fetches a fresh token. */
export interface FetchedToken {
  accessToken: string;
  /** Lifetime in seconds, as the vendor stated (`expires_in`). */
  expiresInSeconds: number;
}

/**
 * Where access tokens are cached. In-process by default; a shared store (Redis) lets a fleet of processes
 * use one token. Keys are hashes of every credential field, never a secret.
 */
export interface TokenCacheStore {
  /** The stored token of `key`, if any. */
  get(key: string): Promise<AccessToken | undefined> | AccessToken | undefined;
  /** Stores the token of `key`. */
  set(key: string, token: AccessToken): Promise<void> | void;
  /** Forgets the token of `key`; with `onlyIf`, only while the stored token is still that one. */
  delete(key: string, onlyIf?: string): Promise<void> | void;
  /**
   * Optional single-flight across every process sharing the store: runs `fetch` (which stores the new token)
   * while holding a lock of `key`; other callers wait and receive the stored token instead of fetching, so a
   * fleet makes one token request. `isFresh` tells whether a stored token is still good to use.
   */
  fetchOnce?(
    key: string,
    fetch: () => Promise<AccessToken>,
    isFresh: (token: AccessToken) => boolean,
    signal?: AbortSignal,
  ): Promise<AccessToken>;
}

/** The default in-process token cache, shared by every client in the process. */
export class MemoryTokenCache implements TokenCacheStore {
  readonly #map = new Map<string, AccessToken>();
  get(key: string): AccessToken | undefined {
    return this.#map.get(key);
  }
  set(key: string, token: AccessToken): void {
    this.#map.set(key, token);
  }
  delete(key: string, onlyIf?: string): void {
    if (onlyIf === undefined || this.#map.get(key)?.value === onlyIf) this.#map.delete(key);
  }
  /** Empties the cache (tests). */
  clear(): void {
    this.#map.clear();
  }
}

/** The process-wide default token cache. */
export const defaultTokenCache = new MemoryTokenCache();

/** The `authorization: Bearer <token>` header of a token, or undefined without one (for `AuthHandler.peek`). */
export function bearerHeader(token: AccessToken | undefined): Record<string, string> | undefined {
  return token ? { authorization: `Bearer ${token.value}` } : undefined;
}
