/**
 * The seat lock of a fleet: a Redis lock per subscription, taken with Redlock (`@sesamecare-oss/redlock`, loaded
 * only when a client has `redis`), with a lease that is extended while the holder works, and a fencing token.
 *
 * Keys, all under `msp:seat:{<hash of provider + canonical subscription key>}:` (one hash slot):
 * - `lock`: Redlock's lease (value: the holder's random id).
 * - `fence`: a counter; each holder takes the next value (`INCR`) when it gets the lease.
 * - `holder`: the fencing token of the current holder.
 * - `pending`: the pending chain of asynchronous changes (JSON, expires with the chain).
 *
 * Right before a write is sent, and with every change of `pending`, one script checks that the lease is still
 * this holder's and that no later holder took a token: a holder whose lease ran out (a long pause, a Redis
 * outage) learns it before it sends, never after. Vendors take no fencing token, so the check covers the time
 * up to the request leaving the process; the lease (extended every third of its length) covers the rest.
 *
 * Within a process, the waiters of one subscription queue in a {@link KeyedMutex} first, so only one of them
 * polls Redis at a time.
 */
import type { Redis } from 'ioredis';
import { ConfigurationError } from '../errors.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { optionalImport } from '../optional-import.js';
import { REDIS_KEY_PREFIX, type RedisBackend, redisUnavailable } from '../redis.js';
import { sleep } from '../sleep.js';
import { lockLost, lockTimeout } from './errors.js';
import type { HeldSeatLock, PendingSeatChain, SeatLock, SeatLockRunOptions } from './types.js';

type RedlockModule = typeof import('@sesamecare-oss/redlock');
type Redlock = InstanceType<RedlockModule['Redlock']>;
type Lock = Awaited<ReturnType<Redlock['acquire']>>;

/** The lease: how long a holder that stops extending (dies, pauses) keeps the lock. */
export const SEAT_LEASE_MS = 15_000;
/** How often a waiting process tries the lock (with as much jitter again). */
const POLL_MS = 15;
/** The fence counter and holder token outlive any lease (a week), so tokens keep increasing. */
const FENCE_TTL_MS = 7 * 86_400_000;

/** Takes the next fencing token for the holder `ARGV[1]` of lock `KEYS[1]`; -1 when it no longer holds it. */
const FENCE_LUA = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return -1 end
local t = redis.call('incr', KEYS[2])
redis.call('pexpire', KEYS[2], ARGV[2])
redis.call('set', KEYS[3], t, 'PX', ARGV[2])
return t`;

/** 1 when `ARGV[1]` still holds lock `KEYS[1]` with token `ARGV[2]` (`KEYS[2]`), else 0. */
const CHECK_LUA = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('get', KEYS[2]) ~= ARGV[2] then return 0 end
return 1`;

/** Like {@link CHECK_LUA}, then sets `KEYS[3]` to `ARGV[3]` for `ARGV[4]` ms, or deletes it when `ARGV[3]` is ''. */
const SET_PENDING_LUA = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('get', KEYS[2]) ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('del', KEYS[3]) else redis.call('set', KEYS[3], ARGV[3], 'PX', ARGV[4]) end
return 1`;

/** Deletes the chain `KEYS[1]` when its last operation is `ARGV[1]`. */
const DROP_TAIL_LUA = `
local v = redis.call('get', KEYS[1])
if not v then return 0 end
local ok, chain = pcall(cjson.decode, v)
if not ok or type(chain.operations) ~= 'table' then return 0 end
if chain.operations[#chain.operations] ~= ARGV[1] then return 0 end
redis.call('del', KEYS[1])
return 1`;

interface SeatScripts {
  mspSeatFence(lock: string, fence: string, holder: string, value: string, ttl: number): Promise<number>;
  mspSeatCheck(lock: string, holder: string, value: string, token: string): Promise<number>;
  mspSeatSetPending(
    lock: string,
    holder: string,
    pending: string,
    value: string,
    token: string,
    json: string,
    ttl: number,
  ): Promise<number>;
  mspSeatDropTail(pending: string, operationId: string): Promise<number>;
}

function keysOf(key: string) {
  const base = `${REDIS_KEY_PREFIX}seat:{${key}}:`;
  return { lock: `${base}lock`, fence: `${base}fence`, holder: `${base}holder`, pending: `${base}pending` };
}

function loadRedlock(): Promise<RedlockModule> {
  return optionalImport<RedlockModule>('@sesamecare-oss/redlock').catch((cause: unknown) => {
    throw new ConfigurationError('The fleet seat lock needs the package @sesamecare-oss/redlock', {
      operation: 'redis',
      cause,
      hint: 'npm install ioredis @sesamecare-oss/redlock (optional peers, needed only with `redis`)',
    });
  });
}

/** The seat lock of one Redis target (one per {@link RedisBackend}). */
class RedisSeatLock implements SeatLock {
  readonly scope = 'fleet' as const;
  readonly #backend: RedisBackend;
  readonly #local = new KeyedMutex();
  readonly #redlocks = new WeakMap<Redis, Redlock>();

  constructor(backend: RedisBackend) {
    this.#backend = backend;
  }

  /** The backend's current connection (a new one after `closeRedisConnections`), with the scripts and Redlock on it. */
  async #connect(provider: string): Promise<{ client: Redis & SeatScripts; redlock: Redlock; mod: RedlockModule }> {
    try {
      const client = (await this.#backend.client()) as Redis & SeatScripts;
      const mod = await loadRedlock();
      let redlock = this.#redlocks.get(client);
      if (!redlock) {
        if (typeof client.mspSeatFence !== 'function') {
          client.defineCommand('mspSeatFence', { numberOfKeys: 3, lua: FENCE_LUA });
          client.defineCommand('mspSeatCheck', { numberOfKeys: 2, lua: CHECK_LUA });
          client.defineCommand('mspSeatSetPending', { numberOfKeys: 3, lua: SET_PENDING_LUA });
          client.defineCommand('mspSeatDropTail', { numberOfKeys: 1, lua: DROP_TAIL_LUA });
        }
        // Redlock's scripts SELECT a database: the one this connection uses, so every key lives together.
        const db = Number((client as { options?: { db?: number } }).options?.db ?? 0);
        redlock = new mod.Redlock([client], { retryCount: 0, db, automaticExtensionThreshold: 0 });
        this.#redlocks.set(client, redlock);
      }
      return { client, redlock, mod };
    } catch (error) {
      throw error instanceof ConfigurationError || isSdkNetworkError(error)
        ? error
        : redisUnavailable(this.#backend.target, error, provider);
    }
  }

  run<T>(key: string, task: (held: HeldSeatLock) => Promise<T>, options: SeatLockRunOptions): Promise<T> {
    const deadline = Date.now() + options.waitMs;
    const timeout = () => lockTimeout(options.provider, options.operation, options.waitMs);
    return this.#local.run(key, () => this.#runHeld(key, task, options, deadline, timeout), {
      waitMs: options.waitMs,
      signal: options.signal,
      timeoutError: timeout,
    });
  }

  async #runHeld<T>(
    key: string,
    task: (held: HeldSeatLock) => Promise<T>,
    options: SeatLockRunOptions,
    deadline: number,
    timeout: () => Error,
  ): Promise<T> {
    const { client, redlock, mod } = await this.#connect(options.provider);
    const keys = keysOf(key);
    const fail = (error: unknown) => redisUnavailable(this.#backend.target, error, options.provider);
    let lock: Lock | undefined;
    for (;;) {
      try {
        lock = await redlock.acquire([keys.lock], SEAT_LEASE_MS);
        break;
      } catch (error) {
        if (!(await isLockedByOther(error, mod))) throw fail(error);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw timeout();
      await sleep(Math.min(left, POLL_MS + Math.floor(Math.random() * POLL_MS)), options.signal);
    }
    let current: Lock = lock;
    let lost = false;
    let extending: Promise<void> | undefined;
    const timer = setInterval(() => {
      extending ??= current
        .extend(SEAT_LEASE_MS)
        .then(
          (next) => {
            current = next;
          },
          () => {
            lost = true;
          },
        )
        .finally(() => {
          extending = undefined;
        });
    }, SEAT_LEASE_MS / 3);
    timer.unref();
    try {
      const token = String(await client.mspSeatFence(keys.lock, keys.fence, keys.holder, lock.value, FENCE_TTL_MS));
      if (token === '-1') throw lockLost(options.provider, options.operation);
      const held: HeldSeatLock = {
        assertHeld: async () => {
          let ok: number;
          try {
            ok = lost ? 0 : await client.mspSeatCheck(keys.lock, keys.holder, lock.value, token);
          } catch (error) {
            throw fail(error);
          }
          if (ok !== 1) throw lockLost(options.provider, options.operation);
        },
        pendingChain: async () => {
          let raw: string | null;
          try {
            raw = await client.get(keys.pending);
          } catch (error) {
            throw fail(error);
          }
          return parseChain(raw);
        },
        setPendingChain: async (chain) => {
          const json = chain ? JSON.stringify(chain) : '';
          const ttl = chain ? Math.max(1, chain.expiresAt - Date.now()) : 1;
          let ok: number;
          try {
            ok = await client.mspSeatSetPending(keys.lock, keys.holder, keys.pending, lock.value, token, json, ttl);
          } catch (error) {
            throw fail(error);
          }
          if (ok !== 1) throw lockLost(options.provider, options.operation);
        },
      };
      return await task(held);
    } finally {
      clearInterval(timer);
      await extending;
      await current.release().catch(() => undefined);
    }
  }

  async peekChain(key: string): Promise<PendingSeatChain | undefined> {
    const { client } = await this.#connect('');
    return parseChain(await client.get(keysOf(key).pending));
  }

  async dropChainTail(key: string, operationId: string): Promise<boolean> {
    const { client } = await this.#connect('');
    return (await client.mspSeatDropTail(keysOf(key).pending, operationId)) === 1;
  }
}

/** Whether Redlock's refusal was "another holder has it" (as opposed to Redis failing). */
async function isLockedByOther(error: unknown, mod: RedlockModule): Promise<boolean> {
  if (!(error instanceof mod.ExecutionError)) return false;
  const stats = await error.attempts.at(-1);
  const reasons = stats ? [...stats.votesAgainst.values()] : [];
  return reasons.length > 0 && reasons.every((r) => r instanceof mod.ResourceLockedError);
}

function isSdkNetworkError(error: unknown): boolean {
  return error instanceof Error && (error as { kind?: string }).kind === 'network';
}

function parseChain(raw: string | null): PendingSeatChain | undefined {
  if (!raw) return undefined;
  try {
    const chain = JSON.parse(raw) as PendingSeatChain;
    if (!Array.isArray(chain.counts) || !Array.isArray(chain.operations) || typeof chain.expiresAt !== 'number') {
      return undefined;
    }
    if (!Array.isArray(chain.history)) chain.history = [];
    return chain.expiresAt > Date.now() ? chain : undefined;
  } catch {
    return undefined;
  }
}

const locks = new WeakMap<RedisBackend, SeatLock>();

/** The fleet seat lock of a Redis backend (one per backend and process). */
export function redisSeatLock(backend: RedisBackend): SeatLock {
  let lock = locks.get(backend);
  if (!lock) {
    lock = new RedisSeatLock(backend);
    locks.set(backend, lock);
  }
  return lock;
}
