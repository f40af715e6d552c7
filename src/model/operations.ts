import * as z from 'zod';
import { type ProviderId, ProviderIdSchema } from './common.js';
import type { Subscription } from './subscription.js';

/** Who checked a dry run: the vendor (its own validation), the SDK (rules it knows), or nobody. */
export type DryRunCheckedBy = 'vendor' | 'sdk' | 'nothing';

/**
 * What a dry run checked. `checkedBy: 'nothing'` means the answer only says the input was well formed:
 * the vendor may still refuse the real change. `rules` lists, in words, each rule that was applied.
 */
export interface DryRunCheck {
  checkedBy: DryRunCheckedBy;
  /** The rules applied (empty when nothing was checked). */
  rules: string[];
}

/** The seat count of a write as it went. */
export const SeatChangeSchema = z.object({
  provider: ProviderIdSchema,
  customerId: z.string(),
  subscriptionId: z.string(),
  /**
   * The count the change was computed from: the vendor's count as read, or, while an earlier asynchronous change
   * is still pending at the vendor, that change's target (docs/reliability.md).
   */
  before: z.number().int().nonnegative(),
  requested: z.number().int().nonnegative(),
  /** The count the vendor reports after the change; null while an asynchronous change is pending. */
  after: z.number().int().nonnegative().nullable(),
  outcome: z.enum(['applied', 'unchanged', 'pending', 'dry-run']),
  requestId: z.string().nullable(),
});

/** Status of an asynchronous vendor operation (an order, an amendment, a tracking id). */
export type OperationStatus = 'pending' | 'succeeded' | 'failed' | 'partially-succeeded' | 'cancelled';

/** A snapshot of an asynchronous vendor operation. */
export interface OperationState {
  id: string;
  status: OperationStatus;
  /** The vendor's own status text. */
  rawStatus: string | null;
  /** Why it failed, when it did. */
  message: string | null;
  raw: unknown;
}

/** Options for waiting on an asynchronous operation. */
export interface WaitOptions {
  /** Give up after this long (default 10 minutes); throws a `TimeoutError`. */
  timeoutMs?: number;
  /** Poll interval (default from the provider, e.g. 5 s). */
  pollIntervalMs?: number;
  signal?: AbortSignal;
  /** Called with each state seen. */
  onProgress?: (state: OperationState) => void;
}

/** An operation the vendor accepted but has not finished; `waitForCompletion` polls until it settles. */
export interface PendingOperation {
  readonly provider: string;
  readonly id: string;
  /** What the operation does (`seat-change`, `cancel`, `purchase`). */
  readonly kind: string;
  /** The first state the vendor reported. */
  readonly initial: OperationState;
  /** Polls until success, failure or partial success; throws `TimeoutError` on timeout. */
  waitForCompletion(options?: WaitOptions): Promise<OperationState>;
}

/** What a seat change returned: the counts, and the subscription or the pending operation. */
export interface SeatChangeResult extends z.infer<typeof SeatChangeSchema> {
  /** The subscription as the vendor reported it after the change (absent while pending or on dry run). */
  subscription?: Subscription | undefined;
  /** The vendor operation to await, for vendors whose changes are asynchronous. */
  operation?: PendingOperation | undefined;
  /** On a dry run: who checked it (`vendor`, `sdk` or `nothing`). */
  checkedBy?: DryRunCheckedBy | undefined;
  /** On a dry run: the rules applied, in words. */
  rules?: string[] | undefined;
}

/** What a cancellation returned. */
export interface CancelResult {
  provider: string;
  customerId: string;
  subscriptionId: string;
  outcome: 'cancelled' | 'scheduled' | 'pending' | 'dry-run';
  /** When the cancellation takes effect, if known. */
  effectiveDate: string | null;
  requestId: string | null;
  subscription?: Subscription | undefined;
  operation?: PendingOperation | undefined;
  /** On a dry run: who checked it (`vendor`, `sdk` or `nothing`). */
  checkedBy?: DryRunCheckedBy | undefined;
  /** On a dry run: the rules applied, in words. */
  rules?: string[] | undefined;
}

/** One line of a purchase as the vendor confirmed it. */
export interface PurchaseLine {
  productId: string;
  quantity: number;
  /** The new subscription's id, when the vendor gives it. */
  subscriptionId: string | null;
}

/** What a purchase returned. */
export interface PurchaseResult {
  provider: string;
  customerId: string;
  /** The vendor's order id; null on a dry run where the vendor assigns none. */
  orderId: string | null;
  outcome: 'ordered' | 'pending' | 'dry-run';
  lines: PurchaseLine[];
  requestId: string | null;
  operation?: PendingOperation | undefined;
  /** On a dry run: who checked it (`vendor`, `sdk` or `nothing`). */
  checkedBy?: DryRunCheckedBy | undefined;
  /** On a dry run: the rules applied, in words. */
  rules?: string[] | undefined;
  raw: unknown;
}

/** What `verifyConnection` found. */
export interface ConnectionReport {
  provider: string;
  ok: true;
  /** How many customers the credentials can see; null when not counted. See `customersExact`. */
  customers: number | null;
  /** Whether `customers` is the exact count (false: "at least `customers`", counting stopped early). */
  customersExact: boolean;
  /** How many subscriptions are visible, when cheap to count; null when not counted. */
  subscriptions: number | null;
  /** Whether `subscriptions` is the exact count (false: "at least", or null when not counted). */
  subscriptionsExact: boolean;
  /** Base URL used. */
  baseUrl: string;
  details: Record<string, unknown>;
}

/** The outcome of `setAutoRenew`. */
export interface AutoRenewResult {
  provider: ProviderId;
  customerId: string;
  subscriptionId: string;
  /** Auto-renewal before the change, as read (null when the vendor does not say). */
  before: boolean | null;
  requested: boolean;
  /** Auto-renewal as the vendor reports it after the change; null when unknown (dry run or not echoed). */
  after: boolean | null;
  outcome: 'applied' | 'unchanged' | 'dry-run';
  /** What a dry run checked (set when `outcome` is `dry-run`). */
  checked?: DryRunCheck | undefined;
  requestId: string | null;
}
