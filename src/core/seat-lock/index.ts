/** The seat lock: in-process by default, fleet-wide through Redis (see types.ts and docs/reliability.md). */
export { canonicalId, seatLockKey } from './canonical-key.js';
export { lockLost, lockTimeout } from './errors.js';
export {
  PENDING_CHAIN_TTL_MS,
  acceptableCounts,
  extendChain,
  landedChain,
  readChain,
  type ChainReading,
} from './pending-chain.js';
export { processSeatLock } from './process-lock.js';
export { SEAT_LEASE_MS, redisSeatLock } from './redis-lock.js';
export type { HeldSeatLock, PendingSeatChain, SeatLock, SeatLockRunOptions, SeatLockScope } from './types.js';
