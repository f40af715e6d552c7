import { ConflictError } from '../errors.js';

/** The lock could not be had within the wait: nothing was read or sent. */
export function lockTimeout(provider: string, operation: string, waitMs: number): ConflictError {
  return new ConflictError(
    `${operation}: another change of this subscription held its seat lock for more than ${waitMs} ms; nothing was changed`,
    {
      provider,
      operation,
      code: 'SEAT_LOCK_TIMEOUT',
      retryable: true,
      hint: 'Other seat changes of this subscription are queued ahead: try again later, or raise seatLockWaitMs.',
    },
  );
}

/** The lease ran out (a paused or disconnected holder): this holder must not send anything. */
export function lockLost(provider: string, operation: string): ConflictError {
  return new ConflictError(
    `${operation}: this process lost the seat lock of the subscription before sending the change; nothing was sent`,
    {
      provider,
      operation,
      code: 'SEAT_LOCK_LOST',
      retryable: true,
      hint: 'The lock lease expired (a long pause or a Redis outage): read the subscription and try again.',
    },
  );
}
