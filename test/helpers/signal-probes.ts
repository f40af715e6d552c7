/**
 * What tests read on an `AbortSignal` to prove nothing is left on it: its abort listeners, and the signals
 * `AbortSignal.any` registered on it (on Node 20 those stay alive as long as the signal lives, nodejs/node#55351).
 */
import { getEventListeners } from 'node:events';

/** The abort listeners on `signal` now. */
export const abortListeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;

/**
 * Signals `AbortSignal.any` made from `signal` and registered on it (Node's internal `kDependantSignals` set).
 * Undefined when this Node keeps no such set.
 */
export function dependantSignals(signal: AbortSignal): number | undefined {
  const key = Object.getOwnPropertySymbols(signal).find((s) => s.description === 'kDependantSignals');
  if (key === undefined) return undefined;
  const set = (signal as unknown as Record<symbol, Set<unknown> | undefined>)[key];
  return set?.size ?? 0;
}
