/**
 * A rate limiter shared by every process using one vendor credential, through Redis: keys
 * `msp:<provider>:{<credential-hash>}:*` (core/redis-limiter-scripts.ts).
 *
 * The same rules as the in-process limiter (spaced-limiter.ts), decided in Redis for the whole fleet:
 * - at most `maxConcurrent` slots taken at once; a slot is held until its task ends, or at most its hold (so a
 *   process that died mid-request frees its slots, and only then);
 * - starts on an even grid of `minTime = perMs / requests`, up to the same burst tolerance;
 * - start `k` no earlier than `perMs` after start `k - requests` *finished* (the vendor counted that one before its
 *   answer came back, so no rolling window ever sees `requests + 1` arrivals, whatever the network did).
 *
 * Per task: one script before it starts (take a slot, or be told to wait) and one after (give it back, not
 * awaited). A start that is refused waits in a FIFO queue of its process until a release publishes a wake-up on
 * the limiter's channel (only when a start was refused, so most releases publish nothing), its own process frees
 * a slot, or {@link RECHECK_MS} passes (a wake-up lost to a reconnect or a Redis restart).
 *
 * Why not bottleneck's clustering, which this replaced (docs/scaling.md, DESIGN.md): it sent 5.4 scripts and
 * 1.2 pub/sub messages per request (with our window guard) and cost about 0.6 ms of CPU per task in the process;
 * on a 2-core machine running 4 workers that was 1.1-1.3 s of a 5 s fleet sync. It also needed patches for Redis 7
 * (`ERR`-prefixed script errors) and never freed the slots of a process that stopped heartbeating.
 */
import type { EventHub } from './events.js';
import { type Limiter, type RateLimit, type ScheduleOptions, getLimiter } from './limiter.js';
import { type LimiterScripts, limiterKeys, withLimiterScripts } from './redis-limiter-scripts.js';
import {
  REDIS_KEY_PREFIX,
  type RedisBackend,
  type RedisFallback,
  isRedisError,
  onRedisClose,
  redisUnavailable,
} from './redis.js';
import { burstTolerance } from './spaced-limiter.js';

/** Redis keys of an idle limiter expire after this long, so no stale key stays. */
export const LIMITER_KEY_TTL_MS = 15 * 60_000;
/** A slot's hold beyond the window wait and the task's longest run (event-loop delays, a token read in the slot). */
export const HOLD_MARGIN_MS = 5_000;
/** A start still unfinished after this long counts as finished (its process may have died mid-request). */
export const UNFINISHED_AFTER_MS = 30_000;
/** The longest a refused start waits before asking again when no wake-up comes. */
export const RECHECK_MS = 1_000;

/** The limiter id (and Redis key stem) of a provider + credential hash. */
export function limiterId(provider: string, credentialHash: string): string {
  return `${REDIS_KEY_PREFIX}${provider}:${credentialHash}`;
}

/** Makes slot ids unique across the fleet: this process's random part, then a counter. */
const processTag = `${process.pid}.${crypto.randomUUID().slice(0, 8)}`;
let slotSeq = 0;

/** A start asked for and not yet given a slot. */
interface Waiter {
  readonly id: string;
  readonly seq: number;
  readonly limit: RateLimit;
  readonly holdMs: number;
  /** Settled (granted, failed, or given up on an outage): a slot granted later is released at once. */
  done: boolean;
  resolve(id: string): void;
  reject(error: unknown): void;
  stopWatchingOutage(): void;
}

/**
 * The slots of one limiter id as seen by one process (every client of the credential on one backend): its queue
 * of refused starts and its wake-up subscription.
 */
class FleetSlots {
  readonly #backend: RedisBackend;
  readonly #keys: ReturnType<typeof limiterKeys>;
  readonly #keyList: string[];
  #client: LimiterScripts | undefined;
  #ready: Promise<LimiterScripts> | undefined;
  readonly #queue: Waiter[] = [];
  #pumping = false;
  /** A wake-up came while the pump's request was in flight: ask again instead of waiting. */
  #kicked = false;
  /** Wake-ups so far: a start refused while one came (its message can beat the refusal's reply) asks again. */
  #wakes = 0;
  #recheck: NodeJS.Timeout | undefined;
  #closed = false;
  /** Whether wake-ups are subscribed (else refused starts rely on the re-check, and subscribing is tried again). */
  #listening = false;
  readonly #onWakeUp = () => this.#wake();

  constructor(backend: RedisBackend, id: string) {
    this.#backend = backend;
    this.#keys = limiterKeys(id);
    this.#keyList = [this.#keys.slots, this.#keys.state, this.#keys.starts, this.#keys.finished];
  }

  /** The command client with the scripts, once subscribed to wake-ups (so no wake-up can be missed after it). */
  #connect(): Promise<LimiterScripts> {
    if (!this.#ready) {
      const pending = (async () => {
        const client = withLimiterScripts(await this.#backend.client());
        await this.#listen();
        this.#client = client;
        return client;
      })();
      this.#ready = pending;
      pending.catch(() => {
        if (this.#ready === pending) this.#ready = undefined;
      });
    }
    return this.#ready;
  }

  /** Subscribes to wake-ups; never fails a call: without them a refused start asks again within {@link RECHECK_MS}. */
  async #listen(): Promise<void> {
    try {
      const subscriber = await this.#backend.subscriber();
      await subscriber.listen(this.#keys.channel, this.#onWakeUp);
      this.#listening = true;
    } catch {
      this.#listening = false;
    }
  }

  /** Takes a slot held at most `holdMs`; resolves with its id once its start time has come. */
  take(limit: RateLimit, holdMs: number, provider: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const seq = ++slotSeq;
      const waiter: Waiter = {
        id: `${processTag}.${seq}`,
        seq,
        limit,
        holdMs,
        done: false,
        resolve,
        reject,
        stopWatchingOutage: () => undefined,
      };
      waiter.stopWatchingOutage = this.#backend.onOutage((reason) => {
        this.#fail(waiter, redisUnavailable(this.#backend.target, reason, provider));
      });
      const client = this.#client;
      // Nobody of this process waits: ask at once (FIFO is kept: a refused start joins the queue by its number).
      if (client && this.#queue.length === 0 && !this.#pumping) this.#first(client, waiter);
      else if (client) this.#enqueue(waiter);
      else
        this.#connect().then(
          () => this.#enqueue(waiter),
          (error: unknown) => this.#fail(waiter, error),
        );
    });
  }

  /** Gives a slot back: sent before the caller sees its task's outcome, so its next start finds the slot free. */
  release(id: string): void {
    const client = this.#client;
    if (!client) return;
    const k = this.#keys;
    const args = [k.slots, k.state, k.finished, id, Date.now(), k.channel] as const;
    if (this.#closed || client.status === 'end') {
      // Connections closed while the task ran (closeRedisConnections): free the slot on the backend's next
      // connection, or it would stay taken for its whole hold.
      this.#backend
        .client()
        .then((next) => withLimiterScripts(next).mspLimiterRelease(...args))
        .catch(() => undefined);
    } else client.mspLimiterRelease(...args).catch(() => undefined);
    if (this.#queue.length > 0) this.#wake();
  }

  /** Fails every waiting start (the connections are being closed). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#recheck);
    for (const w of [...this.#queue]) this.#fail(w, new Error('Connection is closed (closeRedisConnections)'));
  }

  #acquire(client: LimiterScripts, w: Waiter): Promise<number> {
    const { requests, perMs } = w.limit;
    return client.mspLimiterAcquire(
      ...this.#keyList,
      Date.now(),
      w.id,
      w.limit.maxConcurrent ?? 10,
      perMs / requests,
      burstTolerance(requests, perMs),
      w.holdMs,
      requests,
      perMs,
      UNFINISHED_AFTER_MS,
      LIMITER_KEY_TTL_MS,
    );
  }

  #first(client: LimiterScripts, w: Waiter): void {
    const wakes = this.#wakes;
    this.#acquire(client, w).then(
      (wait) => {
        if (w.done) this.#giveBack(wait, w);
        else if (wait >= 0) this.#grant(w, wait);
        else this.#enqueue(w, this.#wakes === wakes ? -wait : undefined);
      },
      (error: unknown) => this.#fail(w, error),
    );
  }

  #enqueue(w: Waiter, retryInMs?: number): void {
    if (w.done) return;
    let i = this.#queue.length;
    while (i > 0 && this.#queue[i - 1]!.seq > w.seq) i--;
    this.#queue.splice(i, 0, w);
    if (retryInMs === undefined) this.#wake();
    else if (!this.#pumping) this.#armRecheck(retryInMs);
  }

  #wake(): void {
    this.#wakes++;
    if (this.#pumping) {
      this.#kicked = true;
      return;
    }
    if (this.#queue.length > 0) void this.#pump();
  }

  /** Asks for the queue's first start until one is refused; then waits for a wake-up or the recheck. */
  async #pump(): Promise<void> {
    const client = this.#client;
    if (!client || this.#closed) return;
    this.#pumping = true;
    clearTimeout(this.#recheck);
    this.#recheck = undefined;
    try {
      while (this.#queue.length > 0) {
        this.#kicked = false;
        const w = this.#queue[0]!;
        let wait: number;
        try {
          wait = await this.#acquire(client, w);
        } catch (error) {
          this.#fail(w, error);
          continue;
        }
        if (w.done) {
          this.#giveBack(wait, w);
          continue;
        }
        if (wait >= 0) {
          this.#remove(w);
          this.#grant(w, wait);
          continue;
        }
        if (this.#kicked) continue;
        this.#armRecheck(-wait);
        return;
      }
    } finally {
      this.#pumping = false;
    }
  }

  #armRecheck(inMs: number): void {
    if (this.#recheck || this.#closed) return;
    this.#recheck = setTimeout(
      () => {
        this.#recheck = undefined;
        if (!this.#listening) void this.#listen();
        this.#wake();
      },
      Math.min(Math.max(1, inMs), RECHECK_MS),
    );
  }

  #grant(w: Waiter, wait: number): void {
    w.done = true;
    w.stopWatchingOutage();
    if (wait <= 0) w.resolve(w.id);
    else startAt(Date.now() + wait, () => w.resolve(w.id));
  }

  /** A slot granted to a start already given up: free it at once (it was never used). */
  #giveBack(wait: number, w: Waiter): void {
    this.#remove(w);
    if (wait >= 0) this.release(w.id);
  }

  #fail(w: Waiter, error: unknown): void {
    this.#remove(w);
    if (w.done) return;
    w.done = true;
    w.stopWatchingOutage();
    w.reject(error);
  }

  #remove(w: Waiter): void {
    const i = this.#queue.indexOf(w);
    if (i >= 0) this.#queue.splice(i, 1);
    if (this.#queue.length === 0) {
      clearTimeout(this.#recheck);
      this.#recheck = undefined;
    }
  }
}

/** Runs `start` at `Date.now()` >= `at` (a timer may fire a millisecond early by the wall clock). */
function startAt(at: number, start: () => void): void {
  const wait = at - Date.now();
  if (wait <= 0) start();
  else setTimeout(() => startAt(at, start), wait);
}

/** This process's slots per backend (its connections) and limiter id: two backends stand for two processes. */
let shared = new Map<RedisBackend, Map<string, FleetSlots>>();
onRedisClose(() => {
  for (const byId of shared.values()) for (const slots of byId.values()) slots.close();
  shared = new Map();
});

function fleetSlots(backend: RedisBackend, id: string): FleetSlots {
  let byId = shared.get(backend);
  if (!byId) {
    byId = new Map();
    shared.set(backend, byId);
  }
  let slots = byId.get(id);
  if (!slots) {
    slots = new FleetSlots(backend, id);
    byId.set(id, slots);
  }
  return slots;
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
   * How long a task may hold its slot in Redis: longer than any attempt can run (its timeout plus a wait in the
   * window), so only a slot of a process that died (SIGKILL, lost machine) ever expires. Default: `perMs` + 30 s +
   * 5 s. A task scheduled with `maxRunMs` holds its slot for the longer of this and `perMs` + `maxRunMs` +
   * {@link HOLD_MARGIN_MS}.
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
  let fallingBack = false;
  const recovered = () => {
    fallingBack = false;
    o.events?.emit('warning', {
      provider: o.provider,
      code: 'redis-recovered',
      message: `Redis at ${o.backend.target} is reachable again; the rate limit is shared again`,
    });
  };
  const unavailable = <T>(error: unknown, task: () => Promise<T>, options?: ScheduleOptions): Promise<T> => {
    if (!isRedisError(error) && !(error instanceof Error && error.name === 'NetworkError')) throw error;
    if (o.fallback !== 'in-process') {
      throw error instanceof Error && error.name === 'NetworkError'
        ? error
        : redisUnavailable(o.backend.target, error, o.provider);
    }
    if (!fallingBack) {
      fallingBack = true;
      o.events?.emit('warning', {
        provider: o.provider,
        code: 'redis-fallback',
        message: `Redis at ${o.backend.target} is unavailable (${error instanceof Error ? error.message : String(error)}); using an in-process rate limit, which other processes do not share`,
      });
    }
    return local.schedule(task, options);
  };
  return {
    async schedule<T>(task: () => Promise<T>, options?: ScheduleOptions): Promise<T> {
      // Looked up per call: after closeRedisConnections() the next call starts afresh on new connections.
      const slots = fleetSlots(o.backend, id);
      let slot: string;
      try {
        slot = await slots.take(o.limit, holdOf(o, options?.maxRunMs), o.provider);
      } catch (error) {
        return unavailable(error, task, options);
      }
      if (fallingBack) recovered();
      let running: Promise<T>;
      try {
        running = task();
      } catch (error) {
        running = Promise.reject(error);
      }
      // The release is sent in the reaction to the task's outcome, before the caller's own reaction runs.
      return running.finally(() => slots.release(slot));
    },
  };
}
