import type { SyncRecord } from '../workflows/sync.js';

/**
 * One record a fleet job delivers to its sink: a sync record tagged with its account, JSON-safe (an error's
 * `error` object left out, its text kept).
 */
export type FleetRecord = { account: string } & (
  | Exclude<SyncRecord, { type: 'error' }>
  | Omit<Extract<SyncRecord, { type: 'error' }>, 'error'>
);

/** The fleet form of a sync record: the account added, an error's `error` object left out (its text stays). */
export function toFleetRecord(account: string, record: SyncRecord): FleetRecord {
  if (record.type === 'error') {
    const { error: _error, ...rest } = record;
    return { account, ...rest };
  }
  return { account, ...record };
}
