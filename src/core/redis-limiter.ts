/**
 * A rate limiter shared by every process using one vendor credential: bottleneck in clustering mode
 * (datastore `ioredis`), keyed `msp:<provider>:<credential-hash>`.
 *
 * Settings, measured with 4 processes against a limit-enforcing fake (test/scale): requests are spaced by
 * `minTime = perMs / requests` across the fleet (bottleneck keeps the next free slot in Redis), never
 * released by a reservoir, because in clustering mode a reservoir is refilled only on the heartbeat and
 * reached about a quarter of the limit. Spacing holds a per-window limit whether the vendor counts in fixed
 * or rolling windows and sends no bursts.
 */
import Bottleneck from 'bottleneck';
import type { EventHub } from './events.js';
import { type Limiter, type RateLimit, getLimiter } from './limiter.js';
import {
  REDIS_KEY_PREFIX,
  type RedisBackend,
  type RedisFallback,
  isRedisError,
  onRedisClose,
  redisUnavailable,
} from './redis.js';

/** Redis keys of an idle limiter expire after this long (bottleneck's `timeout`), so no stale key stays. */
export const LIMITER_KEY_TTL_MS = 15 * 60_000;
/** How often each process reports to Redis (bottleneck's heartbeat: dead-process cleanup, capacity broadcast). */
const HEARTBEAT_MS = 2_000;
/** How often a process with queued jobs re-announces itself, so a queue left waiting by a Redis restart drains. */
const NUDGE_MS = 1_000;

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

/** Clustered bottlenecks of this process, per Redis target and limiter id. */
let shared = new Map<string, Shared>();
onRedisClose(() => {
  for (const s of shared.values()) void s.bottleneck.then((b) => b.disconnect(false)).catch(() => undefined);
  shared = new Map();
});

async function createBottleneck(backend: RedisBackend, id: string, limit: RateLimit): Promise<Bottleneck> {
  const connection = await backend.bottleneckConnection();
  const settings = clusteredSettings(limit);
  const b = new Bottleneck({
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
  const key = `${backend.target} ${id}`;
  const signature = `${limit.requests}/${limit.perMs}/${limit.maxConcurrent ?? 10}`;
  const existing = shared.get(key);
  if (existing && existing.signature === signature) return existing.bottleneck;
  if (existing) void existing.bottleneck.then((b) => b.disconnect(false)).catch(() => undefined);
  const entry: Shared = { signature, bottleneck: createBottleneck(backend, id, limit) };
  entry.bottleneck.catch(() => {
    if (shared.get(key) === entry) shared.delete(key);
  });
  shared.set(key, entry);
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
}

/**
 * A {@link Limiter} whose limit is shared through Redis. When Redis fails before a task started, the call
 * fails with a `NetworkError`, or with `fallback: 'in-process'` runs under the in-process limiter of the same
 * key (one `warning` event per outage). A task's own failure is passed through unchanged.
 */
export function createClusteredLimiter(o: ClusteredLimiterOptions): Limiter {
  const id = limiterId(o.provider, o.credentialHash);
  const local = getLimiter(`${o.provider}:${o.credentialHash}`, o.limit);
  let fallingBack = false;
  return {
    async schedule<T>(task: () => Promise<T>): Promise<T> {
      let started = false;
      let abandoned = false;
      try {
        const b = await sharedBottleneck(o.backend, id, o.limit);
        const scheduled = b.schedule(() => {
          // A job abandoned during an outage may still be drained later: it must not run the task then.
          if (abandoned) return Promise.resolve(undefined as T);
          started = true;
          return task();
        });
        scheduled.catch(() => undefined);
        const result = await Promise.race([
          scheduled,
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
        return local.schedule(task);
      }
    },
  };
}
