/**
 * Durable storage for rotating refresh tokens (TD SYNNEX StreamOne Ion and any vendor whose refresh token is
 * single-use). Each refresh returns a new refresh token and kills the old one, so the new one must be saved
 * before anything else happens, and two refreshers must never use the same token at once: a store persists
 * the current token per key and serializes refreshes per key with `withLock`.
 *
 * `MemoryTokenStore` (the default, one process), `FileTokenStore` (scripts and single hosts) and, later, a
 * Redis store (fleets) implement the same interface. Keys are hashes, never secrets.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KeyedMutex } from '../keyed-mutex.js';
import { optionalImport } from '../optional-import.js';

/** What a store keeps per key: the current refresh token, and optionally the access token issued with it. */
export interface StoredRefreshToken {
  /** The refresh token to use next (every earlier one is spent). */
  refreshToken: string;
  /** The access token issued with it, so another process can use it instead of refreshing again. */
  accessToken?: string | undefined;
  /** Epoch ms when that access token expires. */
  accessExpiresAt?: number | undefined;
  /** ISO time of the rotation. */
  updatedAt: string;
}

/** Where rotating refresh tokens live. Implementations must make `set` durable before it resolves. */
export interface TokenStore {
  /** The stored record for `key`, or undefined when none was saved yet. */
  get(key: string): Promise<StoredRefreshToken | undefined>;
  /** Saves the record for `key`; resolves only once it is durable. Throws when it could not be saved. */
  set(key: string, value: StoredRefreshToken): Promise<void>;
  /** Runs `fn` while holding the lock of `key`, so two refreshes of one token never overlap. */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** In-process store (the default): survives nothing but shares the chain between clients of one process. */
export class MemoryTokenStore implements TokenStore {
  readonly #map = new Map<string, StoredRefreshToken>();
  readonly #locks = new KeyedMutex();

  async get(key: string): Promise<StoredRefreshToken | undefined> {
    const v = this.#map.get(key);
    return v ? { ...v } : undefined;
  }

  async set(key: string, value: StoredRefreshToken): Promise<void> {
    this.#map.set(key, { ...value });
  }

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.run(key, fn);
  }

  /** Forgets every token (tests). */
  clear(): void {
    this.#map.clear();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `MemoryTokenStore { keys: ${this.#map.size} }`;
  }
}

/** The process-wide default store. */
export const defaultTokenStore = new MemoryTokenStore();

/** Options of {@link FileTokenStore}. */
export interface FileTokenStoreOptions {
  /**
   * A lock not refreshed for this long is taken to be left by a dead process and removed (default 30 s, at
   * least 2 s). The holder refreshes its lock every half of this while it holds it, so a live holder's lock is
   * never taken over.
   */
  staleLockMs?: number | undefined;
  /** Give up waiting for the lock after this long (default 60 s). */
  lockTimeoutMs?: number | undefined;
  /** How often to try the lock while waiting (default 50 ms). */
  lockPollMs?: number | undefined;
}

type FileContent = Record<string, StoredRefreshToken>;

/**
 * A JSON file holding every key's record, for scripts and single hosts. Writes go to a temp file in the same
 * folder (mode 0600), are flushed, and renamed over the file, so a crash leaves the old or the new file, never
 * half of one. `withLock` holds an exclusive lock across processes (`<file>.lock`, a directory, by proper-lockfile): the
 * holder refreshes it while it holds it, so only a lock not refreshed for `staleLockMs` (its holder died) is
 * taken over, and a process removes only its own lock.
 */
export class FileTokenStore implements TokenStore {
  readonly #path: string;
  readonly #staleMs: number;
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  readonly #local = new KeyedMutex();

  constructor(path: string, options: FileTokenStoreOptions = {}) {
    if (typeof path !== 'string' || path.trim() === '') throw new TypeError('FileTokenStore needs a file path');
    this.#path = path;
    this.#staleMs = options.staleLockMs ?? 30_000;
    this.#timeoutMs = options.lockTimeoutMs ?? 60_000;
    this.#pollMs = options.lockPollMs ?? 50;
  }

  /** The file this store writes. */
  get path(): string {
    return this.#path;
  }

  async #read(): Promise<FileContent> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    if (text.trim() === '') return {};
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error(`FileTokenStore: ${this.#path} does not hold a JSON object`);
    }
    return parsed as FileContent;
  }

  async get(key: string): Promise<StoredRefreshToken | undefined> {
    const all = await this.#read();
    const v = all[key];
    return v && typeof v.refreshToken === 'string' ? { ...v } : undefined;
  }

  async set(key: string, value: StoredRefreshToken): Promise<void> {
    await mkdir(dirname(this.#path), { recursive: true });
    const all = await this.#read();
    all[key] = { ...value };
    const temp = `${this.#path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      const handle = await open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.#path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    // In-process callers queue on a mutex; across processes proper-lockfile's lock (a directory created
    // atomically, its mtime refreshed while held, so only a dead holder's lock goes stale) decides.
    return this.#local.run(key, async () => {
      await mkdir(dirname(this.#path), { recursive: true });
      const lockfilePath = `${this.#path}.lock`;
      let compromised: Error | undefined;
      let release: () => Promise<void>;
      try {
        // Loaded on first use: a bundle of a client that never stores tokens in a file does not carry it.
        const { lock } = await optionalImport<typeof import('proper-lockfile')>('proper-lockfile');
        release = await lock(this.#path, {
          realpath: false,
          lockfilePath,
          stale: this.#staleMs,
          retries: {
            retries: Math.max(1, Math.ceil(this.#timeoutMs / this.#pollMs)),
            factor: 1,
            minTimeout: this.#pollMs,
            maxTimeout: this.#pollMs,
          },
          // The lock could not be kept fresh (event loop blocked past staleLockMs): remembered, never thrown
          // from a timer (proper-lockfile's default would crash the process).
          onCompromised: (error) => {
            compromised = error;
          },
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
        throw new Error(
          `FileTokenStore: could not take the lock ${lockfilePath} within ${this.#timeoutMs} ms (another live process is refreshing)`,
        );
      }
      try {
        return await fn();
      } finally {
        // Releases only this process's own lock; a compromised lock may be another process's now: left alone.
        if (!compromised) await release().catch(() => undefined);
      }
    });
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `FileTokenStore { path: ${JSON.stringify(this.#path)} }`;
  }
}
