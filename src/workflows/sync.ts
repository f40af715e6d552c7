import { knownKeys, rejectUnknownKeys } from '../core/options/strict-keys.js';
import { MarketplaceError, NotFoundError, PermissionError } from '../core/errors.js';
import type { MarketplaceClient } from '../core/marketplace-client.js';
import type { ProviderId } from '../model/common.js';
import type { Customer } from '../model/customer.js';
import type { Subscription } from '../model/subscription.js';
import type { Marketplaces } from './registry.js';

/** One record of a sync: a customer, a subscription, or a failure, always tagged with its provider. */
export type SyncRecord =
  | { type: 'customer'; provider: ProviderId; customer: Customer }
  | { type: 'subscription'; provider: ProviderId; customerId: string; subscription: Subscription }
  | {
      type: 'error';
      provider: ProviderId;
      /** `provider`: the provider stopped (the others go on); `customer`: one customer's subscriptions were skipped. */
      scope: 'provider' | 'customer';
      customerId?: string | undefined;
      /** The error's kind (`server`, `network`, `permission`, ...) or `unexpected`. */
      kind: string;
      message: string;
      error: unknown;
    };

/**
 * How a provider is synced: `per-customer` lists each customer's subscriptions right after the customer;
 * `all-at-once` lists every customer, then every subscription in one account-wide listing (far fewer requests:
 * with 2,000 Pax8 customers, 510 instead of 2,010). Chosen from `capabilities.listAllSubscriptionsNative`.
 */
export type SyncMode = 'per-customer' | 'all-at-once';

/** Where a provider's sync stands. */
export interface ProviderCheckpoint {
  status: 'pending' | 'in-progress' | 'done' | 'failed';
  /** Set when the provider starts; a resumed run keeps it (absent in checkpoints of older versions: per customer). */
  mode?: SyncMode | undefined;
  /** `all-at-once` only: which listing is being worked on (absent: the customers). */
  phase?: 'customers' | 'subscriptions' | undefined;
  /** The cursor of the customer page being worked on (undefined: the first page). */
  pageCursor?: string | undefined;
  /** `all-at-once` only: the cursor of the subscription page being worked on (undefined: the first page). */
  subscriptionCursor?: string | undefined;
  /**
   * Ids already finished in the page being worked on: customers (per customer: with all their subscriptions
   * emitted); in the `subscriptions` phase of `all-at-once`, subscriptions.
   */
  doneInPage: string[];
  customers: number;
  subscriptions: number;
  errors: number;
  /** The last failure's message, when `failed`. */
  lastError?: string | undefined;
}

/** A JSON-safe snapshot of a sync's progress; pass it back as `checkpoint` to resume. */
export interface SyncCheckpoint {
  version: 1;
  startedAt: string;
  updatedAt: string;
  providers: Partial<Record<ProviderId, ProviderCheckpoint>>;
}

/**
 * A progress event of {@link syncAll}. `customer-done` comes after each customer synced `per-customer`;
 * `page-done` after each page of an `all-at-once` provider (`phase` says which listing).
 */
export interface SyncProgress {
  type: 'provider-started' | 'customer-done' | 'page-done' | 'provider-done' | 'provider-failed' | 'provider-skipped';
  provider: ProviderId;
  customers: number;
  subscriptions: number;
  errors: number;
  customerId?: string | undefined;
  /** `page-done`: the listing the page belongs to. */
  phase?: 'customers' | 'subscriptions' | undefined;
  message?: string | undefined;
}

/** Options of {@link syncAll}. */
export interface SyncOptions {
  /** Resume from this checkpoint (providers `done` are skipped; others continue where they stopped). */
  checkpoint?: SyncCheckpoint | undefined;
  /** Only these providers (default: every configured one, in preference order). */
  providers?: readonly ProviderId[] | undefined;
  /** Progress events. */
  onProgress?: ((event: SyncProgress) => void) | undefined;
  /**
   * Called with the new checkpoint (persist it): per customer, after each finished customer; all at once, after
   * each page; and at each provider's end.
   */
  onCheckpoint?: ((checkpoint: SyncCheckpoint) => void | Promise<void>) | undefined;
  signal?: AbortSignal | undefined;
  /** Clock for checkpoint times (default `() => new Date()`). */
  now?: (() => Date) | undefined;
}

/** An async iterable of sync records with the current checkpoint. */
export interface SyncRun extends AsyncIterable<SyncRecord> {
  /** A copy of the checkpoint as of the last finished customer (per customer) or record (all at once). */
  checkpoint(): SyncCheckpoint;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function kindOf(error: unknown): string {
  return error instanceof MarketplaceError ? error.kind : 'unexpected';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Errors that concern one customer only: its subscriptions are skipped, the provider goes on. */
function customerScoped(error: unknown): boolean {
  return error instanceof NotFoundError || error instanceof PermissionError;
}

/** Known keys of {@link SyncOptions}: a misspelled key (`checkPoint`) is refused, never silently ignored. */
const SYNC_OPTION_KEYS = knownKeys<SyncOptions>('syncAll options', {
  checkpoint: true,
  providers: true,
  onProgress: true,
  onCheckpoint: true,
  signal: true,
  now: true,
});

/**
 * Streams every customer and subscription of every configured provider as normalized, provider-tagged records,
 * with the fewest requests the vendor allows and flat memory (nothing is held but the page being read):
 *
 * - Where the vendor lists all subscriptions in one account-wide listing (`capabilities.listAllSubscriptionsNative`:
 *   Pax8, Ingram Micro, TD SYNNEX), every customer is emitted first (page by page), then every subscription
 *   (each with its `customerId`): one request per page of each listing. A customer without subscriptions still
 *   has its `customer` record.
 * - Elsewhere, customers are read page by page and each customer's subscriptions right after it.
 *
 * Error isolation: a provider that fails (down, credentials refused, retries exhausted) yields one `error` record
 * with `scope: 'provider'` and the others go on; per customer, a customer whose subscriptions cannot be read (not
 * found, no permission) yields an `error` record with `scope: 'customer'` and its provider goes on.
 *
 * Resumable: `run.checkpoint()` is current to the last record delivered, `onCheckpoint` runs after each finished
 * customer (per customer) or page (all at once); pass a checkpoint back as `checkpoint` to continue in the mode it
 * started with. Delivery is at least once (the customer, or from a saved checkpoint the page, being worked on
 * when a run stopped is emitted again), so store records as upserts keyed by provider and id.
 */
export function syncAll(marketplaces: Marketplaces, options: SyncOptions = {}): SyncRun {
  rejectUnknownKeys(options, SYNC_OPTION_KEYS, { path: 'options', operation: 'syncAll' });
  const now = options.now ?? (() => new Date());
  const stamp = now().toISOString();
  const state: SyncCheckpoint = options.checkpoint
    ? clone(options.checkpoint)
    : { version: 1, startedAt: stamp, updatedAt: stamp, providers: {} };
  const providers = (options.providers ?? marketplaces.providers).filter((p) => marketplaces.has(p));
  for (const p of providers) {
    state.providers[p] ??= { status: 'pending', doneInPage: [], customers: 0, subscriptions: 0, errors: 0 };
  }
  const progress = (event: Omit<SyncProgress, 'customers' | 'subscriptions' | 'errors'>) => {
    const cp = state.providers[event.provider]!;
    try {
      options.onProgress?.({ ...event, customers: cp.customers, subscriptions: cp.subscriptions, errors: cp.errors });
    } catch {
      // Observers cannot break the sync.
    }
  };
  const save = async () => {
    state.updatedAt = now().toISOString();
    await options.onCheckpoint?.(clone(state));
  };

  /** Per customer: each customer, then its subscriptions (one listing per customer). */
  async function* perCustomer(provider: ProviderId, client: MarketplaceClient): AsyncGenerator<SyncRecord> {
    const cp = state.providers[provider]!;
    const list = client.listCustomers({ signal: options.signal });
    for await (const page of list.byPage({ cursor: cp.pageCursor })) {
      const done = new Set(cp.doneInPage);
      for (const customer of page.items) {
        if (done.has(customer.id)) continue;
        yield { type: 'customer', provider, customer };
        let count = 0;
        try {
          for await (const subscription of client.listSubscriptions({
            customerId: customer.id,
            signal: options.signal,
          })) {
            yield { type: 'subscription', provider, customerId: customer.id, subscription };
            count += 1;
          }
        } catch (error) {
          if (!customerScoped(error)) throw error;
          cp.errors += 1;
          yield {
            type: 'error',
            provider,
            scope: 'customer',
            customerId: customer.id,
            kind: kindOf(error),
            message: messageOf(error),
            error,
          };
        }
        // Counted when the customer is finished, so a resumed run does not count a customer twice.
        cp.subscriptions += count;
        cp.customers += 1;
        cp.doneInPage.push(customer.id);
        progress({ type: 'customer-done', provider, customerId: customer.id });
        await save();
      }
      cp.pageCursor = page.nextCursor;
      cp.doneInPage = [];
      await save();
    }
  }

  /**
   * All at once: every customer, then every subscription from the account-wide listing. Each record is counted
   * (and its id kept in `doneInPage`) once the consumer asked for the next one, so `run.checkpoint()` repeats
   * nothing delivered but the record in flight; `onCheckpoint` runs once a page.
   */
  async function* allAtOnce(provider: ProviderId, client: MarketplaceClient): AsyncGenerator<SyncRecord> {
    const cp = state.providers[provider]!;
    if (cp.phase !== 'subscriptions') {
      cp.phase = 'customers';
      for await (const page of client.listCustomers({ signal: options.signal }).byPage({ cursor: cp.pageCursor })) {
        const done = new Set(cp.doneInPage);
        for (const customer of page.items) {
          if (done.has(customer.id)) continue;
          yield { type: 'customer', provider, customer };
          cp.customers += 1;
          cp.doneInPage.push(customer.id);
        }
        cp.pageCursor = page.nextCursor;
        cp.doneInPage = [];
        progress({ type: 'page-done', provider, phase: 'customers' });
        await save();
      }
      cp.phase = 'subscriptions';
      cp.pageCursor = undefined;
      await save();
    }
    const list = client.listSubscriptions({ signal: options.signal });
    for await (const page of list.byPage({ cursor: cp.subscriptionCursor })) {
      const done = new Set(cp.doneInPage);
      for (const subscription of page.items) {
        if (done.has(subscription.id)) continue;
        yield { type: 'subscription', provider, customerId: subscription.customerId, subscription };
        cp.subscriptions += 1;
        cp.doneInPage.push(subscription.id);
      }
      cp.subscriptionCursor = page.nextCursor;
      cp.doneInPage = [];
      progress({ type: 'page-done', provider, phase: 'subscriptions' });
      await save();
    }
  }

  async function* syncProvider(provider: ProviderId, client: MarketplaceClient): AsyncGenerator<SyncRecord> {
    const cp = state.providers[provider]!;
    // A resumed provider keeps the mode it started with (its cursors mean different things in each).
    if (!cp.mode) {
      const started = cp.pageCursor !== undefined || cp.doneInPage.length > 0 || cp.customers > 0;
      cp.mode =
        !started && client.capabilities.listAllSubscriptions && client.capabilities.listAllSubscriptionsNative === true
          ? 'all-at-once'
          : 'per-customer';
    }
    cp.status = 'in-progress';
    cp.lastError = undefined;
    progress({ type: 'provider-started', provider });
    try {
      yield* cp.mode === 'all-at-once' ? allAtOnce(provider, client) : perCustomer(provider, client);
      cp.status = 'done';
      cp.pageCursor = undefined;
      cp.subscriptionCursor = undefined;
      cp.phase = undefined;
      progress({ type: 'provider-done', provider });
      await save();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      cp.status = 'failed';
      cp.errors += 1;
      cp.lastError = messageOf(error);
      progress({ type: 'provider-failed', provider, message: cp.lastError });
      await save();
      yield { type: 'error', provider, scope: 'provider', kind: kindOf(error), message: messageOf(error), error };
    }
  }

  return {
    checkpoint: () => clone(state),
    async *[Symbol.asyncIterator]() {
      for (const provider of providers) {
        const cp = state.providers[provider]!;
        if (cp.status === 'done') {
          progress({ type: 'provider-skipped', provider, message: 'already done in the checkpoint' });
          continue;
        }
        yield* syncProvider(provider, marketplaces.require(provider));
      }
    },
  };
}
