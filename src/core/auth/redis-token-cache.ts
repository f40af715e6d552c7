/**
 * An access-token cache in Redis, shared by a fleet of processes, with a cross-process single-flight:
 * the first process to miss takes a lock (`SET NX PX`), fetches and stores the token; the others poll for
 * the stored token, so N cold processes make one token request. Keys hold hashes only; every key expires.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { EventHub } from '../events.js';
import { REDIS_KEY_PREFIX, type RedisBackend, type RedisFallback, isRedisError, redisUnavailable } from '../redis.js';
import { sleep } from '../sleep.js';
import { type AccessToken, type TokenCacheStore, defaultTokenCache } from './token-provider.js';
import { raceSignal } from './cached-token-provider.js';

/** Deletes `KEYS[1]` only while it still holds `ARGV[1]` (a lock released only by its owner). */
export const RELEASE_LOCK_LUA =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
const DELETE_TOKEN_IF_LUA = `local v = redis.call('get', KEYS[1])
if v and cjson.decode(v).value == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0`;

/** Options of {@link RedisTokenCache}. */
export interface RedisTokenCacheOptions {
  /** `'in-process'`: use the process's memory cache while Redis is unavailable (with a `warning` event). */
  fallback?: RedisFallback | undefined;
  /** Receives `warning` events. */
  events?: EventHub | undefined;
  /** Provider id for events and errors. */
  provider?: string | undefined;
  /** The fetch lock expires after this long, should its holder die (default 30 s). */
  lockTtlMs?: number | undefined;
  /** How often a waiting process looks for the token (default 50 ms). */
  pollMs?: number | undefined;
}

/** Redis keys of the token cache: `msp:token:<cache key hash>` and `...:lock`. */
export function tokenCacheKeys(cacheKey: string): { token: string; lock: string } {
  const token = `${REDIS_KEY_PREFIX}token:${cacheKey}`;
  return { token, lock: `${token}:lock` };
}

/**
 * A {@link TokenCacheStore} in Redis. Tokens are stored as JSON with a TTL ending at the token's expiry;
 * `fetchOnce` gives one token request per fleet.
 */
export class RedisTokenCache implements TokenCacheStore {
  readonly #backend: RedisBackend;
  readonly #fallback: RedisFallback;
  readonly #events: EventHub | undefined;
  readonly #provider: string;
  readonly #lockTtlMs: number;
  readonly #pollMs: number;
  #warned = false;

  constructor(backend: RedisBackend, options: RedisTokenCacheOptions = {}) {
    this.#backend = backend;
    this.#fallback = options.fallback ?? 'error';
    this.#events = options.events;
    this.#provider = options.provider ?? 'redis';
    this.#lockTtlMs = options.lockTtlMs ?? 30_000;
    this.#pollMs = options.pollMs ?? 50;
  }

  /** Runs a Redis operation; on an outage throws `NetworkError`, or runs `local` with the in-process fallback. */
  async #run<T>(op: (client: Redis) => Promise<T>, local: () => T | Promise<T>): Promise<T> {
    try {
      const client = await this.#backend.client();
      const result = await this.#backend.raceOutage(op(client), this.#provider);
      this.#warned = false;
      return result;
    } catch (error) {
      if (!isRedisError(error) && !(error instanceof Error && error.name === 'NetworkError')) throw error;
      if (this.#fallback !== 'in-process') {
        throw error instanceof Error && error.name === 'NetworkError'
          ? error
          : redisUnavailable(this.#backend.target, error, this.#provider);
      }
      if (!this.#warned) {
        this.#warned = true;
        this.#events?.emit('warning', {
          provider: this.#provider,
          code: 'redis-fallback',
          message: `Redis at ${this.#backend.target} is unavailable; caching access tokens in this process only`,
        });
      }
      return local();
    }
  }

  get(key: string): Promise<AccessToken | undefined> {
    return this.#run(
      async (c) => parseToken(await c.get(tokenCacheKeys(key).token)),
      () => defaultTokenCache.get(key),
    );
  }

  set(key: string, token: AccessToken): Promise<void> {
    const ttl = Math.max(1, Math.floor(token.expiresAt - Date.now()));
    return this.#run(
      async (c) => {
        await c.set(tokenCacheKeys(key).token, JSON.stringify(token), 'PX', ttl);
        defaultTokenCache.set(key, token);
      },
      () => defaultTokenCache.set(key, token),
    );
  }

  delete(key: string, onlyIf?: string): Promise<void> {
    defaultTokenCache.delete(key, onlyIf);
    const k = tokenCacheKeys(key).token;
    return this.#run(
      async (c) => {
        if (onlyIf === undefined) await c.del(k);
        else await c.eval(DELETE_TOKEN_IF_LUA, 1, k, onlyIf);
      },
      () => undefined,
    );
  }

  /**
   * One token request per fleet. The lock, the fetch and the polling run without `signal`: a caller that aborts
   * only stops waiting (its promise rejects with the abort reason), while the fetch it may have started goes on,
   * stores the token and releases the lock for everyone else.
   */
  fetchOnce(
    key: string,
    fetch: () => Promise<AccessToken>,
    isFresh: (token: AccessToken) => boolean,
    signal?: AbortSignal,
  ): Promise<AccessToken> {
    const shared = this.#fetchOnce(key, fetch, isFresh);
    if (!signal) return shared;
    shared.catch(() => undefined);
    return raceSignal(shared, signal);
  }

  async #fetchOnce(
    key: string,
    fetch: () => Promise<AccessToken>,
    isFresh: (token: AccessToken) => boolean,
  ): Promise<AccessToken> {
    const { lock } = tokenCacheKeys(key);
    const owner = randomUUID();
    const deadline = Date.now() + this.#lockTtlMs * 2;
    for (;;) {
      const stored = await this.get(key);
      if (stored && isFresh(stored)) return stored;
      const taken = await this.#run<boolean | 'local'>(
        async (c) => (await c.set(lock, owner, 'PX', this.#lockTtlMs, 'NX')) === 'OK',
        () => 'local',
      );
      if (taken === 'local') return fetch();
      if (taken) {
        try {
          const again = await this.get(key);
          if (again && isFresh(again)) return again;
          return await fetch();
        } finally {
          await this.#run(
            (c) => c.eval(RELEASE_LOCK_LUA, 1, lock, owner),
            () => 0,
          ).catch(() => undefined);
        }
      }
      // Another process is fetching: wait for its token (or for its lock to expire, should it die).
      if (Date.now() > deadline) return fetch();
      await sleep(this.#pollMs);
    }
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RedisTokenCache { redis: ${this.#backend.target} }`;
  }
}

function parseToken(raw: string | null): AccessToken | undefined {
  if (!raw) return undefined;
  try {
    const t = JSON.parse(raw) as AccessToken;
    return typeof t.value === 'string' && typeof t.expiresAt === 'number' ? t : undefined;
  } catch {
    return undefined;
  }
}
