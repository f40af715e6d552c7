import { KeyedMutex } from '../keyed-mutex.js';
import { lockTimeout } from './errors.js';
import type { HeldSeatLock, PendingSeatChain, SeatLock, SeatLockRunOptions } from './types.js';

/** One queue per subscription key, shared by every client of the process. */
const mutex = new KeyedMutex();

/**
 * The seat lock without Redis: one queue per subscription in this process, shared by every client of the
 * process. Other processes do not see it: the guarantee is per process (`capabilities.seatLockScope`). The
 * pending chain is the client's own: a client remembers the asynchronous changes it sent (share one client per
 * credential in a process, or set `redis`, for every writer to see them).
 */
class ProcessSeatLock implements SeatLock {
  readonly scope = 'process' as const;
  readonly #chains = new Map<string, PendingSeatChain>();

  run<T>(key: string, task: (held: HeldSeatLock) => Promise<T>, options: SeatLockRunOptions): Promise<T> {
    const held: HeldSeatLock = {
      assertHeld: async () => undefined,
      pendingChain: async () => this.#live(key),
      setPendingChain: async (chain) => {
        if (chain) this.#chains.set(key, chain);
        else this.#chains.delete(key);
      },
    };
    return mutex.run(key, () => task(held), {
      waitMs: options.waitMs,
      signal: options.signal,
      timeoutError: () => lockTimeout(options.provider, options.operation, options.waitMs),
    });
  }

  async peekChain(key: string): Promise<PendingSeatChain | undefined> {
    return this.#live(key);
  }

  async dropChainTail(key: string, operationId: string): Promise<boolean> {
    const chain = this.#chains.get(key);
    if (!chain || chain.operations.at(-1) !== operationId) return false;
    this.#chains.delete(key);
    return true;
  }

  #live(key: string): PendingSeatChain | undefined {
    const chain = this.#chains.get(key);
    if (chain && chain.expiresAt <= Date.now()) {
      this.#chains.delete(key);
      return undefined;
    }
    return chain;
  }
}

/** An in-process seat lock for one client: the process-wide queues, the client's own pending chains. */
export function processSeatLock(): SeatLock {
  return new ProcessSeatLock();
}
