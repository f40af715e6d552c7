/**
 * A rate limiter shared by every process using one vendor credential: bottleneck in clustering mode
 * (datastore `ioredis`), keyed `msp:<provider>:<credential-hash>`.
 *
 * Settings, measured with 4 processes against a limit-enforcing fake (test/scale): requests are spaced by
 * `minTime = perMs / requests` across the fleet (bottleneck keeps the next free slot in Redis), never
 * released by a reservoir, because in clustering mode a reservoir is refilled only on the heartbeat and
 * reached about a quarter of the limit. Spacing holds a per-window limit whether the vendor counts in fixed
 * or rolling windows and sends no bursts.
 *
 * Spacing alone is not enough at the exact limit, for the reason spaced-limiter.ts gives: a request reaches
 * the vendor some time after it starts, so a late arrival (a busy event loop, a slow connection) followed by
 * a prompt one puts `requests + 1` arrivals in one rolling window. The fleet test saw 2 × 429 that way on a
 * loaded 2-core machine. So, as in-process, task `k` of the fleet also starts no earlier than `perMs` after
 * task `k - requests` *finished* (the vendor counted that one before its answer came back): a ring of the last
 * `requests` starts in Redis ({@link WindowGuard}).
 */
import type Bottleneck from 'bottleneck';
import type { Redis } from 'ioredis';
import type { EventHub } from './events.js';
import { type Limiter, type RateLimit, type ScheduleOptions, getLimiter } from './limiter.js';
import {
  REDIS_KEY_PREFIX,
  type RedisBackend,
  type RedisFallback,
  isRedisError,
  onRedisClose,
  redisUnavailable,
} from './redis.js';
import { sleep } from './sleep.js';
import { optionalImport } from './optional-import.js';

/** Redis keys of an idle limiter expire after this long (bottleneck's `timeout`), so no stale key stays. */
export const LIMITER_KEY_TTL_MS = 15 * 60_000;
/** How often each process reports to Redis (bottleneck's heartbeat: dead-process cleanup, capacity broadcast). */
const HEARTBEAT_MS = 2_000;
/** How often a process with queued jobs re-announces itself, so a queue left waiting by a Redis restart drains. */
const NUDGE_MS = 1_000;
/** A slot's hold beyond the window wait and the task's longest run (event-loop delays, a token read in the slot). */
export const HOLD_MARGIN_MS = 5_000;

/** A start still unfinished after this long counts as finished (its process may have died mid-request). */
export const UNFINISHED_AFTER_MS = 30_000;
/** How often a start that waits for an unfinished one checks again. */
const UNFINISHED_POLL_MS = 10;

/**
 * `KEYS[1]` list of the last `ARGV[3]` start ids (oldest first), `KEYS[2]` hash id -> `r:<start>` while running,
 * `f:<finish>` after. Records a start for `ARGV[2]` at `ARGV[1]` and returns 0, or returns how many ms to wait
 * because the start `requests` back finished less than `perMs` (`ARGV[4]`) ago or is still running.
 */
const WINDOW_ENTER_LUA = `
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[3])
if redis.call('llen', KEYS[1]) >= n then
  local t = redis.call('hget', KEYS[2], redis.call('lindex', KEYS[1], 0))
  if t then
    local at = tonumber(string.sub(t, 3))
    if string.sub(t, 1, 1) == 'f' then
      if at + tonumber(ARGV[4]) > now then return at + tonumber(ARGV[4]) - now end
    elseif at + tonumber(ARGV[5]) > now then
      return math.min(at + tonumber(ARGV[5]) - now, tonumber(ARGV[6]))
    end
  end
end
redis.call('rpush', KEYS[1], ARGV[2])
redis.call('hset', KEYS[2], ARGV[2], 'r:' .. ARGV[1])
while redis.call('llen', KEYS[1]) > n do redis.call('hdel', KEYS[2], redis.call('lpop', KEYS[1])) end
redis.call('pexpire', KEYS[1], ARGV[7])
redis.call('pexpire', KEYS[2], ARGV[7])
return 0
`;

/** Marks start `ARGV[1]` finished at `ARGV[2]` (if it is still in the ring). */
const WINDOW_LEAVE_LUA = `
if redis.call('hexists', KEYS[1], ARGV[1]) == 1 then redis.call('hset', KEYS[1], ARGV[1], 'f:' .. ARGV[2]) end
return 0
`;

/** A client with the guard's scripts defined: sent by SHA (`EVALSHA`, `EVAL` once per connection on `NOSCRIPT`). */
type WindowScripts = Redis & {
  mspWindowEnter(...keysAndArgs: (string | number)[]): Promise<unknown>;
  mspWindowLeave(...keysAndArgs: (string | number)[]): Promise<unknown>;
};

function withWindowScripts(client: Redis): WindowScripts {
  const c = client as WindowScripts;
  if (typeof c.mspWindowEnter !== 'function') {
    c.defineCommand('mspWindowEnter', { numberOfKeys: 2, lua: WINDOW_ENTER_LUA });
    c.defineCommand('mspWindowLeave', { numberOfKeys: 1, lua: WINDOW_LEAVE_LUA });
  }
  return c;
}

/**
 * The fleet-wide "no more than `requests` arrivals in any `perMs`" guard: keys `<limiter id>:starts` (list) and
 * `<limiter id>:finished` (hash), expiring with the limiter's keys. Times are each process's `Date.now()`.
 */
export class WindowGuard {
  readonly #backend: RedisBackend;
  readonly #keys: [string, string];
  readonly #limit: RateLimit;
  #seq = 0;

  constructor(backend: RedisBackend, id: string, limit: RateLimit) {
    this.#backend = backend;
    this.#keys = [`${id}:starts`, `${id}:finished`];
    this.#limit = limit;
  }

  /** Waits until a start is allowed and records it; returns its id for {@link leave}. Rejects on Redis errors. */
  async enter(): Promise<string> {
    const id = `${process.pid}.${crypto.randomUUID().slice(0, 8)}.${++this.#seq}`;
    const client = withWindowScripts(await this.#backend.client());
    for (;;) {
      const wait = Number(
        await client.mspWindowEnter(
          ...this.#keys,
          Date.now(),
          id,
          this.#limit.requests,
          this.#limit.perMs,
          UNFINISHED_AFTER_MS,
          UNFINISHED_POLL_MS,
          LIMITER_KEY_TTL_MS,
        ),
      );
      if (!(wait > 0)) return id;
      await sleep(Math.ceil(wait));
    }
  }

  /** Records that start `id` finished (best effort: an unrecorded finish counts after {@link UNFINISHED_AFTER_MS}). */
  leave(id: string): void {
    this.#backend
      .client()
      .then((c) => withWindowScripts(c).mspWindowLeave(this.#keys[1], id, Date.now()))
      .catch(() => undefined);
  }
}

/** `task`'s outcome, one macrotask after it settles (see `outcome` in {@link createClusteredLimiter}). */
function settledAfterFree<T>(task: Promise<T>): Promise<T> {
  const later = () => new Promise<void>((resolve) => setImmediate(resolve));
  return task.then(
    (value) => later().then(() => value),
    (error: unknown) => later().then(() => Promise.reject(error)),
  );
}

/** Bottleneck settings of a clustered limiter for a vendor limit. */
export function clusteredSettings(limit: RateLimit): { minTime: number; maxConcurrent: number } {
  return { minTime: Math.ceil(limit.perMs / limit.requests), maxConcurrent: limit.maxConcurrent ?? 10 };
}

/** The bottleneck id (and Redis key stem) of a provider + credential hash. */
export function limiterId(provider: string, credentialHash: string): string {
  return `${REDIS_KEY_PREFIX}${provider}:${credentialHash}`;
}

interface Shared {
  signature: string;
  bottleneck: Promise<Bottleneck>;
}

/**
 * Clustered bottlenecks of this process, per backend (its connections) and limiter id. Two backends of one target
 * (two clients passed, tests standing for two processes) each have their own, as separate processes would.
 */
let shared = new Map<RedisBackend, Map<string, Shared>>();
onRedisClose(() => {
  for (const byId of shared.values()) {
    for (const s of byId.values()) void s.bottleneck.then((b) => b.disconnect(false)).catch(() => undefined);
  }
  shared = new Map();
});

async function createBottleneck(backend: RedisBackend, id: string, limit: RateLimit): Promise<Bottleneck> {
  const connection = await backend.bottleneckConnection();
  // Loaded here, by a name bundlers do not follow: code that never sets `redis` neither loads nor bundles it.
  const { default: BottleneckCtor } = await optionalImport<typeof import('bottleneck')>('bottleneck');
  const settings = clusteredSettings(limit);
  const b = new BottleneckCtor({
    ...settings,
    id,
    datastore: 'ioredis',
    connection,
    timeout: LIMITER_KEY_TTL_MS,
    heartbeatInterval: HEARTBEAT_MS,
    clearDatastore: false,
  });
  b.on('error', () => undefined);
  await b.ready();
  // An existing limiter keeps its settings on init; apply ours so a changed rateLimit takes effect.
  await updateSettings(b, settings);
  // After a Redis restart the state is gone and nothing may wake a queue that waits for capacity:
  // re-announcing the settings re-creates the state (bottleneck re-inits on SETTINGS_KEY_NOT_FOUND) and
  // broadcasts the capacity to every process.
  const nudge = setInterval(() => {
    if (b.counts().QUEUED > 0) updateSettings(b, settings).catch(() => undefined);
  }, NUDGE_MS);
  nudge.unref();
  const disconnect = b.disconnect.bind(b);
  b.disconnect = (flush?: boolean) => {
    clearInterval(nudge);
    return disconnect(flush);
  };
  return b;
}

/** `updateSettings` returns a promise (the .d.ts says the limiter). */
function updateSettings(b: Bottleneck, settings: Bottleneck.ConstructorOptions): Promise<unknown> {
  return Promise.resolve(b.updateSettings(settings) as unknown);
}

function sharedBottleneck(backend: RedisBackend, id: string, limit: RateLimit): Promise<Bottleneck> {
  let byId = shared.get(backend);
  if (!byId) {
    byId = new Map();
    shared.set(backend, byId);
  }
  const signature = `${limit.requests}/${limit.perMs}/${limit.maxConcurrent ?? 10}`;
  const existing = byId.get(id);
  if (existing && existing.signature === signature) return existing.bottleneck;
  if (existing) void existing.bottleneck.then((b) => b.disconnect(false)).catch(() => undefined);
  const entry: Shared = { signature, bottleneck: createBottleneck(backend, id, limit) };
  const entries = byId;
  entry.bottleneck.catch(() => {
    if (entries.get(id) === entry) entries.delete(id);
  });
  byId.set(id, entry);
  return entry.bottleneck;
}

/** Options of {@link createClusteredLimiter}. */
export interface ClusteredLimiterOptions {
  provider: string;
  credentialHash: string;
  limit: RateLimit;
  backend: RedisBackend;
  fallback: RedisFallback;
  /** Receives the `warning` event when the limiter falls back to in-process limits. */
  events?: EventHub | undefined;
  /**
   * How long a task may hold its slot in Redis (bottleneck's job `expiration`): longer than any attempt can run
   * (its timeout plus a wait in the window guard), so only a slot of a process that died (SIGKILL, lost machine)
   * ever expires. Without it such a slot stays taken for good and the credential's other processes run with one
   * slot less per request the dead process had in flight. Default: `perMs` + 30 s + 5 s. A task scheduled with
   * `maxRunMs` holds its slot for the longer of this and `perMs` + `maxRunMs` + {@link HOLD_MARGIN_MS}.
   */
  holdMs?: number | undefined;
}

/** A task's hold (see {@link ClusteredLimiterOptions.holdMs}): never shorter than the longest the task can run. */
function holdOf(o: ClusteredLimiterOptions, maxRunMs: number | undefined): number {
  const hold = o.holdMs ?? o.limit.perMs + 30_000 + HOLD_MARGIN_MS;
  if (maxRunMs === undefined || !Number.isFinite(maxRunMs)) return hold;
  return Math.max(hold, Math.ceil(o.limit.perMs + maxRunMs + HOLD_MARGIN_MS));
}

/**
 * A {@link Limiter} whose limit is shared through Redis. When Redis fails before a task started, the call
 * fails with a `NetworkError`, or with `fallback: 'in-process'` runs under the in-process limiter of the same
 * key (one `warning` event per outage). A task's own failure is passed through unchanged.
 */
export function createClusteredLimiter(o: ClusteredLimiterOptions): Limiter {
  const id = limiterId(o.provider, o.credentialHash);
  const local = getLimiter(`${o.provider}:${o.credentialHash}`, o.limit);
  const guard = new WindowGuard(o.backend, id, o.limit);
  let fallingBack = false;
  return {
    async schedule<T>(task: () => Promise<T>, options?: ScheduleOptions): Promise<T> {
      let started = false;
      let abandoned = false;
      let running: Promise<T> | undefined;
      // Settles with the task, one macrotask later: bottleneck's `free` of the slot is sent in the microtasks right
      // after the task settles, so by then it is on the connection ahead of anything the caller sends next (its
      // next request's `submit`/`register` find the slot free), but the caller does not wait for its round trip.
      let onStart!: () => void;
      const outcome = new Promise<void>((resolve) => {
        onStart = resolve;
      }).then(() => settledAfterFree(running as Promise<T>));
      outcome.catch(() => undefined);
      try {
        const b = await sharedBottleneck(o.backend, id, o.limit);
        const holdMs = holdOf(o, options?.maxRunMs);
        const scheduled = b.schedule({ expiration: holdMs }, async () => {
          // A job abandoned during an outage may still be drained later: it must not run the task then.
          if (abandoned) return undefined as T;
          const entry = await guard.enter();
          if (abandoned) {
            guard.leave(entry);
            return undefined as T;
          }
          started = true;
          try {
            running = task();
            onStart();
            return await running;
          } finally {
            guard.leave(entry);
          }
        });
        scheduled.catch(() => undefined);
        const result = await Promise.race([
          scheduled,
          outcome,
          o.backend.outage.then((reason) => {
            if (started) return scheduled;
            abandoned = true;
            throw redisUnavailable(o.backend.target, reason, o.provider);
          }),
        ]);
        if (fallingBack) {
          fallingBack = false;
          o.events?.emit('warning', {
            provider: o.provider,
            code: 'redis-recovered',
            message: `Redis at ${o.backend.target} is reachable again; the rate limit is shared again`,
          });
        }
        return result;
      } catch (error) {
        // The slot expired in Redis while the task still runs (longer than `holdMs`): its own result stands.
        if (started && running && error instanceof Error && error.name === 'BottleneckError') return await running;
        if (started) throw error;
        if (!isRedisError(error) && !(error instanceof Error && error.name === 'NetworkError')) throw error;
        if (o.fallback !== 'in-process') throw redisUnavailable(o.backend.target, error, o.provider);
        if (!fallingBack) {
          fallingBack = true;
          o.events?.emit('warning', {
            provider: o.provider,
            code: 'redis-fallback',
            message: `Redis at ${o.backend.target} is unavailable (${error instanceof Error ? error.message : String(error)}); using an in-process rate limit, which other processes do not share`,
          });
        }
        return local.schedule(task, options);
      }
    },
  };
}
