/**
 * The Redis connection behind the scale-out features (shared limiter, token cache, refresh-token store).
 * Redis is optional: `ioredis` is an optional peer dependency, loaded only when a `redis` option is given.
 *
 * One {@link RedisBackend} per Redis target and process: a command client (a new connection for a URL, a
 * `duplicate()` of a client the caller passed, so the SDK never changes or closes the caller's connection)
 * and one bottleneck `IORedisConnection` built on it (bottleneck adds its own subscriber connection), shared by
 * every clustered limiter of the process as bottleneck's `connection` option allows.
 */
import type Bottleneck from 'bottleneck';
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
  #connection: Promise<Bottleneck.IORedisConnection> | undefined;
  #failedAt = 0;
  #failure: unknown;
  #outage!: Promise<Error>;
  #declareOutage!: (error: Error) => void;
  #outageTimer: NodeJS.Timeout | undefined;

  constructor(option: RedisOption) {
    this.#option = option;
    this.target = describeRedis(option);
    this.#resetOutage();
  }

  #resetOutage(): void {
    this.#outage = new Promise((resolve) => {
      this.#declareOutage = resolve;
    });
  }

  /**
   * Resolves (with the reason) once the connection has been lost for {@link REDIS_OUTAGE_MS}; a short blip
   * such as a restart resolves nothing, as ioredis reconnects and replays queued commands.
   */
  get outage(): Promise<Error> {
    return this.#outage;
  }

  #watch(client: Redis): void {
    client.on('close', () => {
      if (this.#outageTimer) return;
      this.#outageTimer = setTimeout(() => {
        this.#outageTimer = undefined;
        if (client.status !== 'ready') {
          this.#declareOutage(new Error(`connection lost for more than ${REDIS_OUTAGE_MS} ms`));
        }
      }, REDIS_OUTAGE_MS);
      this.#outageTimer.unref();
    });
    client.on('ready', () => {
      clearTimeout(this.#outageTimer);
      this.#outageTimer = undefined;
      this.#resetOutage();
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
   * The bottleneck connection shared by this process's clustered limiters (built on the command client).
   * @internal
   */
  bottleneckConnection(): Promise<Bottleneck.IORedisConnection> {
    if (!this.#connection) {
      const pending = this.#createConnection();
      this.#connection = pending;
      pending.catch(() => {
        if (this.#connection === pending) this.#connection = undefined;
      });
    }
    return this.#connection;
  }

  async #createConnection(): Promise<Bottleneck.IORedisConnection> {
    const client = await this.client();
    const { default: BottleneckCtor } = await optionalImport<typeof import('bottleneck')>('bottleneck');
    const mod = await loadIoredis();
    // bottleneck calls `duplicate()` on the client for its subscriber; `Redis` spares it a CJS require.
    const connection = new BottleneckCtor.IORedisConnection({ client, Redis: mod.default } as never);
    connection.on('error', () => undefined);
    normalizeScriptErrors(connection);
    return connection;
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
      // Our own connection: bottleneck defines script commands on it and the SDK may close it.
      client = (this.#option as Redis).duplicate(options);
    } else {
      throw new ConfigurationError('The `redis` option must be a redis:// URL or an ioredis client', {
        operation: 'redis',
      });
    }
    client.on('error', () => undefined);
    try {
      // Not lazy, so bottleneck's `duplicate()` (its subscriber) connects by itself too.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)),
          CONNECT_TIMEOUT_MS,
        );
        timer.unref();
        client.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
        client.once('error', (error: Error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
    } catch (cause) {
      client.disconnect();
      throw redisUnavailable(this.target, cause);
    }
    this.#watch(client);
    return client;
  }

  /** Closes this process's connections (tests, graceful shutdown). */
  async close(): Promise<void> {
    const pending = this.#client;
    const connection = this.#connection;
    this.#client = undefined;
    this.#connection = undefined;
    clearTimeout(this.#outageTimer);
    if (connection) await (await connection.catch(() => undefined))?.disconnect(false);
    if (pending) (await pending.catch(() => undefined))?.disconnect();
  }
}

/**
 * Redis 7 prefixes a Lua `error_reply` without an error code with `ERR `, so bottleneck 2 no longer recognizes
 * its own `SETTINGS_KEY_NOT_FOUND` / `UNKNOWN_CLIENT` replies and never re-creates its state after a Redis
 * restart or key expiry. This strips the prefix from those replies on our connection, restoring its recovery.
 */
function normalizeScriptErrors(connection: Bottleneck.IORedisConnection): void {
  type ScriptFn = (...args: unknown[]) => unknown;
  const c = connection as unknown as { __scriptFn__?: (name: string) => ScriptFn };
  const original = c.__scriptFn__;
  if (typeof original !== 'function') return;
  c.__scriptFn__ = (name: string) => {
    const fn = original.call(connection, name);
    return (...args: unknown[]) => {
      const cb = args.at(-1);
      if (typeof cb === 'function') {
        args[args.length - 1] = (err: Error | null, replies: unknown) => {
          if (err && /^ERR (SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT|OVERWEIGHT)/.test(err.message)) {
            err.message = err.message.slice(4);
          }
          return (cb as (e: Error | null, r: unknown) => unknown)(err, replies);
        };
      }
      return fn(...args);
    };
  };
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
