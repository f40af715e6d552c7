/**
 * The seat lock: every seat change and cancellation of one subscription runs alone, in this process
 * (`process` scope) or in every process sharing the client's `redis` (`fleet` scope), and the asynchronous
 * changes still pending at the vendor are remembered next to the lock (see pending-chain.ts).
 */

/** Where the seat lock holds: this process only, or every process that shares the client's `redis`. */
export type SeatLockScope = 'process' | 'fleet';

/**
 * The asynchronous seat changes of one subscription the vendor accepted and has not applied yet, in the order
 * they were sent. The next change starts from the last target, never from the vendor's stale count.
 */
export interface PendingSeatChain {
  /** The count the vendor showed when the first change was sent, then each pending target, in order. */
  counts: number[];
  /** The vendor operation id of each pending change (`counts[i + 1]` is the target of `operations[i]`). */
  operations: string[];
  /**
   * Every pending change recorded lately, `[operation id, target]`, oldest first, kept after the chain landed:
   * a change that finished is proven applied by its own target or by the target of a change sent after it.
   */
  history: Array<[string, number]>;
  /** When the chain is forgotten (epoch ms): each new pending change sets it again. */
  expiresAt: number;
}

/** The lock, while held by one task. */
export interface HeldSeatLock {
  /**
   * Throws `ConflictError` (code `SEAT_LOCK_LOST`) when this holder no longer holds the lock (its lease ran out
   * and another holder may have started): called right before each write is sent, so a stale holder never sends.
   */
  assertHeld(): Promise<void>;
  /** The subscription's pending chain, if one is recorded and not expired. */
  pendingChain(): Promise<PendingSeatChain | undefined>;
  /** Records (or with `undefined` forgets) the pending chain; refused like `assertHeld` when the lock was lost. */
  setPendingChain(chain: PendingSeatChain | undefined): Promise<void>;
}

/** What a lock run needs besides the key. */
export interface SeatLockRunOptions {
  /** The most time to wait for the lock; then `ConflictError` with code `SEAT_LOCK_TIMEOUT`. */
  waitMs: number;
  signal?: AbortSignal | undefined;
  /** For errors: the provider and the SDK operation waiting. */
  provider: string;
  operation: string;
}

/** A seat lock implementation. */
export interface SeatLock {
  readonly scope: SeatLockScope;
  /** Runs `task` holding the lock of `key`. */
  run<T>(key: string, task: (held: HeldSeatLock) => Promise<T>, options: SeatLockRunOptions): Promise<T>;
  /** The pending chain of `key`, read without the lock (to verify a pending change once it finished). */
  peekChain(key: string): Promise<PendingSeatChain | undefined>;
  /**
   * Without the lock: forgets the chain of `key` when `operationId` is its last change (that change failed at
   * the vendor, so the count stays what it was). Returns whether it did.
   */
  dropChainTail(key: string, operationId: string): Promise<boolean>;
}
