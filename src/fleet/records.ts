import type { ProviderId } from '../model/common.js';
import type { Customer } from '../model/customer.js';
import type { Subscription } from '../model/subscription.js';
import type { SyncRecord } from '../workflows/sync.js';

/** One record a fleet job delivers to its sink: a sync record tagged with its account, JSON-safe. */
export type FleetRecord =
  | { account: string; type: 'customer'; provider: ProviderId; customer: Customer }
  | { account: string; type: 'subscription'; provider: ProviderId; customerId: string; subscription: Subscription }
  | {
      account: string;
      type: 'error';
      provider: ProviderId;
      scope: 'provider' | 'customer';
      customerId?: string | undefined;
      kind: string;
      message: string;
    };

/** The fleet form of a sync record: the account added, an error's `error` object left out (its text stays). */
export function toFleetRecord(account: string, record: SyncRecord): FleetRecord {
  if (record.type === 'error') {
    const { error: _error, ...rest } = record;
    return { account, ...rest };
  }
  return { account, ...record };
}
