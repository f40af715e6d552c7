/**
 * Rotating refresh tokens in Redis, for fleets: the record of each key lives at `msp:rt:<key hash>` and
 * refreshes are serialized across processes by a Redis lock (`msp:rt:<key hash>:lock`, `SET NX PX`, renewed
 * while held, released only by its owner). There is no in-process fallback: a process that cannot reach
 * Redis must not refresh with a token another process may already have spent, so it fails with `NetworkError`.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { KeyedMutex } from '../keyed-mutex.js';
import { REDIS_KEY_PREFIX, type RedisBackend, type RedisOption, redisBackend, redisUnavailable } from '../redis.js';
import { sleep } from '../sleep.js';
import { RELEASE_LOCK_LUA } from './redis-token-cache.js';
import type { StoredRefreshToken, TokenStore } from './token-store.js';

const RENEW_LOCK_LUA =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0";

/** Options of {@link RedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** A record not rotated for this long expires (default 90 days; longer than any vendor's refresh-token life). */
  ttlMs?: number | undefined;
  /** The lock expires after this long should its holder die; renewed every third of it while held (default 30 s). */
  lockTtlMs?: number | undefined;
  /** Give up waiting for the lock after this long (default 60 s). */
  lockTimeoutMs?: number | undefined;
  /** How often a waiting process tries the lock (default 50 ms). */
  lockPollMs?: number | undefined;
  /** Replicas that must acknowledge a `set` before it resolves (Redis `WAIT`; default 0). */
  replicas?: number | undefined;
}

/** Redis keys of a refresh-token record. */
export function tokenStoreKeys(key: string): { record: string; lock: string } {
  const record = `${REDIS_KEY_PREFIX}rt:${key}`;
  return { record, lock: `${record}:lock` };
}

/**
 * A {@link TokenStore} in Redis. `set` resolves once Redis acknowledged the write (and `replicas` replicas,
 * when asked); run Redis with AOF (`appendonly yes`) if a restart must not lose the current refresh token.
 */
export class RedisTokenStore implements TokenStore {
  readonly #backend: RedisBackend;
  readonly #ttlMs: number;
  readonly #lockTtlMs: number;
  readonly #lockTimeoutMs: number;
  readonly #pollMs: number;
  readonly #replicas: number;
  readonly #local = new KeyedMutex();

  /** `redis`: a URL, an ioredis client, or a backend from `redisBackend`. */
  constructor(redis: RedisOption | RedisBackend, options: RedisTokenStoreOptions = {}) {
    this.#backend = isBackend(redis) ? redis : redisBackend(redis);
    this.#ttlMs = options.ttlMs ?? 90 * 86_400_000;
    this.#lockTtlMs = options.lockTtlMs ?? 30_000;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
    this.#pollMs = options.lockPollMs ?? 50;
    this.#replicas = options.replicas ?? 0;
  }

  async #client(): Promise<Redis> {
    return this.#backend.client();
  }

  async #do<T>(op: (c: Redis) => Promise<T>): Promise<T> {
    const c = await this.#client();
    try {
      return await this.#backend.raceOutage(op(c));
    } catch (error) {
      throw error instanceof Error && error.name === 'NetworkError'
        ? error
        : redisUnavailable(this.#backend.target, error);
    }
  }

  async get(key: string): Promise<StoredRefreshToken | undefined> {
    const raw = await this.#do((c) => c.get(tokenStoreKeys(key).record));
    if (!raw) return undefined;
    const v = JSON.parse(raw) as StoredRefreshToken;
    return typeof v.refreshToken === 'string' ? v : undefined;
  }

  async set(key: string, value: StoredRefreshToken): Promise<void> {
    await this.#do(async (c) => {
      await c.set(tokenStoreKeys(key).record, JSON.stringify(value), 'PX', this.#ttlMs);
      if (this.#replicas > 0) {
        const acked = await c.wait(this.#replicas, 5_000);
        if (acked < this.#replicas) throw new Error(`only ${acked} of ${this.#replicas} replicas acknowledged`);
      }
    });
  }

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.#local.run(key, async () => {
      const { lock } = tokenStoreKeys(key);
      const owner = randomUUID();
      const deadline = Date.now() + this.#lockTimeoutMs;
      for (;;) {
        const ok = await this.#do(async (c) => (await c.set(lock, owner, 'PX', this.#lockTtlMs, 'NX')) === 'OK');
        if (ok) break;
        if (Date.now() >= deadline) {
          throw redisUnavailable(
            this.#backend.target,
            new Error(`could not take the refresh lock within ${this.#lockTimeoutMs} ms (another process holds it)`),
          );
        }
        await sleep(this.#pollMs);
      }
      const renew = setInterval(
        () => {
          void this.#client()
            .then((c) => c.eval(RENEW_LOCK_LUA, 1, lock, owner, String(this.#lockTtlMs)))
            .catch(() => undefined);
        },
        Math.max(10, Math.floor(this.#lockTtlMs / 3)),
      );
      renew.unref();
      try {
        return await fn();
      } finally {
        clearInterval(renew);
        await this.#do((c) => c.eval(RELEASE_LOCK_LUA, 1, lock, owner)).catch(() => undefined);
      }
    });
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RedisTokenStore { redis: ${this.#backend.target} }`;
  }
}

function isBackend(x: RedisOption | RedisBackend): x is RedisBackend {
  return typeof x === 'object' && x !== null && typeof (x as RedisBackend).raceOutage === 'function';
}
