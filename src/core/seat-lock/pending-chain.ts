/**
 * Asynchronous vendors (the change is accepted now and applied later): while a change is pending, a read still
 * shows the old count. The lock's store keeps the pending targets in order, and the next change computes from
 * the last of them, so ten `addSeats(+1)` in a row end ten seats up, not one. Targets are absolute, so a vendor
 * that applies its queue in order ends at the last one.
 */
import type { PendingSeatChain } from './types.js';

/** How long a pending chain is remembered after its last change was sent (30 minutes). */
export const PENDING_CHAIN_TTL_MS = 30 * 60_000;

/** What a fresh read means next to the recorded chain. */
export type ChainReading =
  /** No change is pending: compute from the read. */
  | { kind: 'none'; count: number }
  /** The vendor shows the last target: every pending change landed, the chain can be forgotten. */
  | { kind: 'landed'; count: number }
  /** The vendor is on the way (it shows a count of the chain): compute from the last target. */
  | { kind: 'in-flight'; count: number; chain: PendingSeatChain }
  /** The vendor shows a count the chain never passes through: something outside the SDK changed it. */
  | { kind: 'diverged'; read: number; chain: PendingSeatChain };

/** Interprets `read` (the vendor's count now) against the recorded chain. */
export function readChain(read: number, chain: PendingSeatChain | undefined, now = Date.now()): ChainReading {
  if (!chain || chain.expiresAt <= now || chain.counts.length < 2) return { kind: 'none', count: read };
  const last = chain.counts.at(-1)!;
  if (read === last) return { kind: 'landed', count: read };
  if (chain.counts.includes(read)) return { kind: 'in-flight', count: last, chain };
  return { kind: 'diverged', read, chain };
}

/** How many finished changes the history keeps. */
const HISTORY = 100;

/**
 * The chain after one more pending change (`target`, operation `operationId`) computed from `reading`; `recorded`
 * is the chain as it was stored (its history carries over).
 */
export function extendChain(
  reading: ChainReading,
  target: number,
  operationId: string,
  recorded: PendingSeatChain | undefined,
  now = Date.now(),
): PendingSeatChain {
  const expiresAt = now + PENDING_CHAIN_TTL_MS;
  const history: Array<[string, number]> = [...(recorded?.history ?? []), [operationId, target]];
  history.splice(0, Math.max(0, history.length - HISTORY));
  if (reading.kind !== 'in-flight') {
    const from = reading.kind === 'diverged' ? reading.read : reading.count;
    return { counts: [from, target], operations: [operationId], history, expiresAt };
  }
  return {
    counts: [...reading.chain.counts, target],
    operations: [...reading.chain.operations, operationId],
    history,
    expiresAt,
  };
}

/** The chain once every pending change landed: nothing in flight, the history kept. */
export function landedChain(chain: PendingSeatChain): PendingSeatChain {
  return { ...chain, counts: [], operations: [] };
}

/**
 * The counts that prove `operationId` was applied once it finished: its own target, or the target of a change
 * sent after it (the vendor may have applied that one too by the time it is read).
 */
export function acceptableCounts(chain: PendingSeatChain | undefined, operationId: string, target: number): number[] {
  const history = chain?.history ?? [];
  const i = history.findIndex(([id]) => id === operationId);
  return i < 0 ? [target] : [target, ...history.slice(i + 1).map(([, t]) => t)];
}
