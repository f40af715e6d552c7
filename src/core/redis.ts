/**
 * The Redis connection behind the scale-out features (shared limiter, token cache, refresh-token store).
 * Redis is optional: `ioredis` is an optional peer dependency, loaded only when a `redis` option is given.
 *
 * One {@link RedisBackend} per Redis target and process: a command client (a new connection for a URL, a
 * `duplicate()` of a client the caller passed, so the SDK never changes or closes the caller's connection)
 * and, once a shared limiter needs it, one subscriber connection (a `duplicate()` of the command client) on which
 * every limiter of the process hears that a slot was freed.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { ConfigurationError, NetworkError } from './errors.js';
import { optionalImport } from './optional-import.js';

/** A connected ioredis client (only what the SDK relies on is checked: it can be duplicated). */
export interface RedisClientLike {
  /** A new connection with the same options (the SDK uses its own, never the caller's). */
  duplicate(): unknown;
}

/** Where the shared state lives: a `redis://` / `rediss://` URL or an ioredis client. */
export type RedisOption = string | RedisClientLike;

/** What to do when Redis cannot be reached: fail (default) or run in-process and emit a `warning` event. */
export type RedisFallback = 'error' | 'in-process';

/** Every key the SDK writes starts with this. */
export const REDIS_KEY_PREFIX = 'msp:';

/** How long to wait for the first connection before reporting Redis unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;
/** After a failed connection, how long before the next call tries again. */
const RETRY_AFTER_FAILURE_MS = 10_000;
/** A connection lost for this long is an outage: waiting calls fail (or fall back) instead of waiting on. */
export const REDIS_OUTAGE_MS = 5_000;

/** The Redis target without credentials, for messages. */
export function describeRedis(option: RedisOption): string {
  if (typeof option !== 'string') return 'the given ioredis client';
  try {
    const u = new URL(option);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'an invalid Redis URL';
  }
}

/** Whether an error comes from Redis or the connection to it (as opposed to the caller's task). */
export function isRedisError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const name = error.name;
  return (
    name === 'ReplyError' ||
    name === 'MaxRetriesPerRequestError' ||
    name === 'AbortError' ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection is closed|Stream isn't writeable|NOSCRIPT|LOADING|READONLY/.test(
      error.message,
    )
  );
}

/** Wraps a Redis failure in a {@link NetworkError} that names the target (never its password). */
export function redisUnavailable(target: string, cause: unknown, provider?: string): NetworkError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new NetworkError(`Redis at ${target} is unavailable: ${why}`, {
    provider,
    operation: 'redis',
    retryable: true,
    cause,
    hint: "Start Redis or fix the `redis` option; or pass `redisFallback: 'in-process'` to run with in-process limits and token cache while Redis is down.",
  });
}

/**
 * Loads ioredis, the optional peer, by a name bundlers do not follow (core/optional-import.ts): a consumer's
 * bundle neither fails without ioredis nor carries it when `redis` is never set.
 */
function loadIoredis(): Promise<typeof import('ioredis')> {
  return optionalImport<typeof import('ioredis')>('ioredis').catch((cause: unknown) => {
    throw new ConfigurationError('The `redis` option needs the optional peer dependency ioredis', {
      operation: 'redis',
      cause,
      hint: 'npm install ioredis',
    });
  });
}

/** The Redis connections of one target in this process. */
export class RedisBackend {
  /** The target without credentials. */
  readonly target: string;
  readonly #option: RedisOption;
  #client: Promise<Redis> | undefined;
  #subscriber: Promise<Subscriber> | undefined;
  #failedAt = 0;
  #failure: unknown;
  /** The reason of the outage going on, if any (cleared when the connection is ready again). */
  #outage: Error | undefined;
  readonly #outageListeners = new Set<(reason: Error) => void>();
  #outageTimer: NodeJS.Timeout | undefined;
  /** The command client whose connection is watched; a closed one's events no longer count. */
  #watched: Redis | undefined;

  constructor(option: RedisOption) {
    this.#option = option;
    this.target = describeRedis(option);
  }

  /**
   * Calls `listener` (with the reason) once the connection has been lost for {@link REDIS_OUTAGE_MS}, or at once
   * if it is lost now; a short blip such as a restart calls nothing, as ioredis reconnects and replays queued
   * commands. Returns the function that removes the listener: call it when the operation ends, so nothing is
   * kept per operation while Redis stays up (a pending promise raced per call would keep one reaction per call).
   */
  onOutage(listener: (reason: Error) => void): () => void {
    const outage = this.#outage;
    if (outage) {
      queueMicrotask(() => listener(outage));
      return () => undefined;
    }
    this.#outageListeners.add(listener);
    return () => this.#outageListeners.delete(listener);
  }

  /** Listeners waiting for an outage now (tests: none may be left once operations end). @internal */
  get outageListenerCount(): number {
    return this.#outageListeners.size;
  }

  /** `op`, or a rejection with {@link redisUnavailable} if an outage is declared before `op` settles. */
  raceOutage<T>(op: Promise<T>, provider?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const off = this.onOutage((reason) => reject(redisUnavailable(this.target, reason, provider)));
      op.then(
        (value) => {
          off();
          resolve(value);
        },
        (error: unknown) => {
          off();
          reject(error);
        },
      );
    });
  }

  #declareOutage(reason: Error): void {
    this.#outage = reason;
    const listeners = [...this.#outageListeners];
    this.#outageListeners.clear();
    for (const listener of listeners) listener(reason);
  }

  #watch(client: Redis): void {
    this.#watched = client;
    this.#outage = undefined;
    client.on('close', () => {
      if (this.#watched !== client || this.#outageTimer) return;
      this.#outageTimer = setTimeout(() => {
        this.#outageTimer = undefined;
        if (client.status !== 'ready') {
          this.#declareOutage(new Error(`connection lost for more than ${REDIS_OUTAGE_MS} ms`));
        }
      }, REDIS_OUTAGE_MS);
      this.#outageTimer.unref();
    });
    client.on('ready', () => {
      if (this.#watched !== client) return;
      clearTimeout(this.#outageTimer);
      this.#outageTimer = undefined;
      this.#outage = undefined;
    });
  }

  /**
   * The command client, connected; rejects with {@link NetworkError} / {@link ConfigurationError}.
   * @internal Left out of the published types, which must not need ioredis's types (an optional peer).
   */
  client(): Promise<Redis> {
    if (!this.#client && this.#failedAt && Date.now() - this.#failedAt < RETRY_AFTER_FAILURE_MS) {
      return Promise.reject(this.#failure);
    }
    if (!this.#client) {
      this.#client = this.#connect().catch((error: unknown) => {
        this.#client = undefined;
        this.#failedAt = Date.now();
        this.#failure = error;
        throw error;
      });
    }
    return this.#client;
  }

  /** Whether the command client is connected right now. */
  async healthy(): Promise<boolean> {
    try {
      return (await this.client()).status === 'ready';
    } catch {
      return false;
    }
  }

  /**
   * The subscriber connection shared by this process's limiters (a `duplicate()` of the command client), connected.
   * ioredis subscribes again by itself after a reconnect.
   * @internal
   */
  subscriber(): Promise<Subscriber> {
    if (!this.#subscriber) {
      // Subscribing before the connection is ready races ioredis's ready check (its INFO is then refused in
      // subscriber mode: "Connection in subscriber mode", ioredis issue 2037, since 5.8.2).
      const pending = this.client().then(async (client) => new Subscriber(await this.#ready(client.duplicate())));
      this.#subscriber = pending;
      pending.catch(() => {
        if (this.#subscriber === pending) this.#subscriber = undefined;
      });
    }
    return this.#subscriber;
  }

  async #connect(): Promise<Redis> {
    const mod = await loadIoredis();
    const options: RedisOptions = { connectTimeout: CONNECT_TIMEOUT_MS, lazyConnect: false };
    let client: Redis;
    if (typeof this.#option === 'string') {
      let url: URL;
      try {
        url = new URL(this.#option);
      } catch (cause) {
        throw new ConfigurationError('The `redis` option is not a valid URL', { operation: 'redis', cause });
      }
      if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
        throw new ConfigurationError(`The \`redis\` URL must start with redis:// or rediss:// (got ${url.protocol})`, {
          operation: 'redis',
        });
      }
      client = new mod.default(this.#option, options);
    } else if (this.#option && typeof this.#option.duplicate === 'function') {
      // Our own connection: the SDK defines script commands on it and may close it.
      client = (this.#option as Redis).duplicate(options);
    } else {
      throw new ConfigurationError('The `redis` option must be a redis:// URL or an ioredis client', {
        operation: 'redis',
      });
    }
    // Not lazy, so the subscriber's `duplicate()` connects by itself too.
    this.#watch(await this.#ready(client));
    return client;
  }

  /** `connection` once ready; closed, and a {@link redisUnavailable} error, if it fails or does not answer in time. */
  async #ready(connection: Redis): Promise<Redis> {
    connection.on('error', () => undefined);
    try {
      await whenReady(connection);
      return connection;
    } catch (cause) {
      connection.disconnect();
      throw redisUnavailable(this.target, cause);
    }
  }

  /** Closes this process's connections (tests, graceful shutdown). */
  async close(): Promise<void> {
    const pending = this.#client;
    const subscriber = this.#subscriber;
    this.#client = undefined;
    this.#subscriber = undefined;
    clearTimeout(this.#outageTimer);
    this.#outageTimer = undefined;
    // Closed on purpose: not an outage, and the next use connects afresh.
    this.#watched = undefined;
    this.#outage = undefined;
    if (subscriber) (await subscriber.catch(() => undefined))?.close();
    if (pending) (await pending.catch(() => undefined))?.disconnect();
  }
}

/** Resolves once `client` is ready; rejects on its first error or after {@link CONNECT_TIMEOUT_MS}. */
function whenReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', done);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const timer = setTimeout(() => done(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    timer.unref();
    client.once('ready', onReady);
    client.once('error', done);
  });
}

/**
 * One subscriber connection and the handlers of its channels. A handler is called for every message on its
 * channel; the message itself carries nothing (a wake-up).
 */
export class Subscriber {
  readonly #connection: Redis;
  readonly #handlers = new Map<string, Set<() => void>>();
  readonly #subscribed = new Map<string, Promise<unknown>>();

  constructor(connection: Redis) {
    this.#connection = connection;
    connection.on('message', (channel: string) => {
      for (const handler of this.#handlers.get(channel) ?? []) handler();
    });
  }

  /** Calls `handler` on every message of `channel`; resolves once Redis confirmed the subscription. */
  async listen(channel: string, handler: () => void): Promise<void> {
    let handlers = this.#handlers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
    }
    handlers.add(handler);
    let subscribed = this.#subscribed.get(channel);
    if (!subscribed) {
      subscribed = this.#connection.subscribe(channel);
      this.#subscribed.set(channel, subscribed);
      subscribed.catch(() => this.#subscribed.delete(channel));
    }
    await subscribed;
  }

  close(): void {
    this.#handlers.clear();
    this.#connection.disconnect();
  }
}

const byUrl = new Map<string, RedisBackend>();
let byClient = new WeakMap<object, RedisBackend>();
const everyBackend = new Set<RedisBackend>();

/** The process-wide backend of a `redis` option (one per URL or client object). */
export function redisBackend(option: RedisOption): RedisBackend {
  if (typeof option === 'string') {
    let b = byUrl.get(option);
    if (!b) {
      b = new RedisBackend(option);
      byUrl.set(option, b);
      everyBackend.add(b);
    }
    return b;
  }
  if (!option || typeof option !== 'object') {
    throw new ConfigurationError('The `redis` option must be a redis:// URL or an ioredis client', {
      operation: 'configure',
    });
  }
  let b = byClient.get(option);
  if (!b) {
    b = new RedisBackend(option);
    byClient.set(option, b);
    everyBackend.add(b);
  }
  return b;
}

/**
 * Closes every Redis connection the SDK opened in this process (the clients you passed are left alone).
 * Call it on shutdown so the process can exit; clustered limiters stop with their connection.
 */
export async function closeRedisConnections(): Promise<void> {
  const all = [...everyBackend];
  everyBackend.clear();
  byUrl.clear();
  byClient = new WeakMap();
  for (const hook of closeHooks) hook();
  await Promise.all(all.map((b) => b.close()));
}

const closeHooks = new Set<() => void>();

/** Registers a function run by {@link closeRedisConnections} (limiter caches forget their limiters). */
export function onRedisClose(hook: () => void): void {
  closeHooks.add(hook);
}

/** Checks the `redisFallback` option. */
export function validateRedisFallback(value: unknown): RedisFallback {
  if (value === undefined || value === 'error') return 'error';
  if (value === 'in-process') return 'in-process';
  throw new ConfigurationError(`redisFallback must be 'error' or 'in-process' (got ${String(value)})`, {
    operation: 'configure',
  });
}
