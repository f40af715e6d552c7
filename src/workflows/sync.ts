import { knownKeys, rejectUnknownKeys } from '../core/options/strict-keys.js';
import { MarketplaceError, NotFoundError, PermissionError, ValidationError } from '../core/errors.js';
import type { MarketplaceClient } from '../core/marketplace-client.js';
import type { Page } from '../core/pagination.js';
import type { ProviderId } from '../model/common.js';
import type { Customer } from '../model/customer.js';
import type { Subscription } from '../model/subscription.js';
import type { Marketplaces } from './registry.js';
import { Wakeup } from '../core/wakeup.js';
import { followSignal, unfollowSignal } from '../core/follow-signal.js';
import { allowManyListeners } from '../core/page-read-ahead.js';

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
  /**
   * Customers whose subscriptions are listed at once, for providers synced per customer: a number for every
   * provider, or one per provider. Default: the client's `requestConcurrency` (its rate limit's `maxConcurrent`),
   * so the listings fill the client's limiter and no more. More than the limiter allows only queues in it.
   */
  concurrency?: number | Partial<Record<ProviderId, number>> | undefined;
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

/**
 * The copy `clone` would make of a value that is JSON already (the sync's state: built from a cloned checkpoint and
 * strings, finite counts and arrays of ids), without printing and parsing it: properties set to undefined are
 * left out, as JSON leaves them. The state is copied at every finished customer (issue 20: a fleet worker's CPU).
 */
function copyJson<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = v[i] === undefined ? null : copyJson(v[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    const value = (v as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = copyJson(value);
  }
  return out as T;
}

function kindOf(error: unknown): string {
  if (error instanceof UnreadableCustomerError) return error.kind;
  return error instanceof MarketplaceError ? error.kind : 'unexpected';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A customer the vendor listed without an id: reported in its place (`kind: 'unreadable'`), the sync goes on. */
class UnreadableCustomerError extends Error {
  readonly kind = 'unreadable';
  constructor() {
    super('the customer was listed without an id (see its `problems`): its subscriptions cannot be listed');
    this.name = 'UnreadableCustomerError';
  }
}

/** Errors that concern one customer only: its subscriptions are skipped, the provider goes on. */
function customerScoped(error: unknown): boolean {
  return error instanceof NotFoundError || error instanceof PermissionError || error instanceof UnreadableCustomerError;
}

/** Listings started per request slot of the client's limiter (see `perCustomer` in {@link syncAll}). */
const AHEAD_PER_SLOT = 4;
/** Pages of the account-wide subscription listing read while the customers are still being emitted. */
const SUBSCRIPTION_PAGES_AHEAD = 16;
/** Customer pages read ahead of the one being emitted, when syncing all at once. */
const CUSTOMER_PAGES_AHEAD = 1;
/** Requests in flight when neither the options nor the client say (the limiter's own default). */
const DEFAULT_CONCURRENCY = 10;

/** A counting semaphore: `acquire` waits (first come, first served) while `size` holders are in. */
class Slots {
  #free: number;
  #waiting: (() => void)[] = [];
  constructor(size: number) {
    this.#free = size;
  }
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free += 1;
  }
}

/**
 * A listing read ahead by at most `capacity` pages (one customer's listing: 1): the reader pauses until the
 * oldest is taken.
 */
class PageChannel<T> {
  #pages: T[] = [];
  #ended = false;
  #failed: { error: unknown } | undefined;
  #discarded = false;
  #changed = new Wakeup();
  readonly #wake: Wakeup;
  readonly #capacity: number;
  constructor(wake: Wakeup, capacity = 1) {
    this.#wake = wake;
    this.#capacity = capacity;
  }
  async push(items: T): Promise<void> {
    while (this.#pages.length >= this.#capacity && !this.#discarded) await this.#changed.wait();
    if (this.#discarded) return;
    this.#pages.push(items);
    this.#notify();
  }
  end(): void {
    this.#ended = true;
    this.#notify();
  }
  fail(error: unknown): void {
    this.#failed = { error };
    this.#notify();
  }
  /** Drops what was read and lets the reader run out (the sync stopped). */
  discard(): void {
    this.#discarded = true;
    this.#pages = [];
    this.#notify();
  }
  /** The next page, or undefined at the end; throws the listing's error after the pages read before it. */
  async next(): Promise<T | undefined> {
    for (;;) {
      if (this.#pages.length > 0) {
        const page = this.#pages.shift() as T;
        this.#notify();
        return page;
      }
      if (this.#failed) throw this.#failed.error;
      if (this.#ended) return undefined;
      await this.#changed.wait();
    }
  }
  #notify(): void {
    this.#changed.notify();
    this.#wake.notify();
  }
}

/**
 * Reads `pages` into `channel` in the background (bounded by the channel's capacity), ending or failing it with the
 * listing. The listing is opened inside the try, so a listing refused synchronously fails the channel.
 */
function fillChannel<T>(channel: PageChannel<T>, pages: () => AsyncIterable<T>): void {
  void (async () => {
    try {
      for await (const page of pages()) await channel.push(page);
      channel.end();
    } catch (error) {
      channel.fail(error);
    }
  })();
}

/** What the per-customer loop works through, in order: page boundaries, customers, a failed customer page. */
interface CustomerEntry {
  kind: 'customer';
  customer: Customer;
  listing?: PageChannel<Subscription[]> | undefined;
}
type Entry =
  | { kind: 'page'; cursor: string | undefined; first: boolean }
  | CustomerEntry
  | { kind: 'failed'; error: unknown };

/** Known keys of {@link SyncOptions}: a misspelled key (`checkPoint`) is refused, never silently ignored. */
const SYNC_OPTION_KEYS = knownKeys<SyncOptions>('syncAll options', {
  checkpoint: true,
  providers: true,
  onProgress: true,
  onCheckpoint: true,
  signal: true,
  now: true,
  concurrency: true,
});

/** Refuses a concurrency that is not a positive whole number, before any request. */
function validateConcurrency(option: SyncOptions['concurrency']): void {
  if (option === undefined) return;
  const entries: [string, unknown][] =
    typeof option === 'object' && option !== null ? Object.entries(option) : [['', option]];
  const bad = entries.filter(([, v]) => v !== undefined && !(Number.isSafeInteger(v) && (v as number) > 0));
  if (bad.length) {
    throw new ValidationError(
      'Invalid syncAll options: concurrency must be a positive whole number (or one per provider)',
      bad.map(([k]) => ({
        path: k ? `options.concurrency.${k}` : 'options.concurrency',
        message: 'must be a positive whole number',
      })),
    );
  }
}

/**
 * Streams every customer and subscription of every configured provider as normalized, provider-tagged records,
 * with the fewest requests the vendor allows and bounded memory (a few pages read ahead at most):
 *
 * - Where the vendor lists all subscriptions in one account-wide listing (`capabilities.listAllSubscriptionsNative`:
 *   Pax8, Ingram Micro, TD SYNNEX), every customer is emitted first (page by page), then every subscription
 *   (each with its `customerId`): one request per page of each listing. A customer without subscriptions still
 *   has its `customer` record.
 * - Elsewhere, customers are read page by page and each customer's subscriptions right after it; the listings
 *   run `concurrency` at once (the client's `requestConcurrency` by default), read ahead by a bounded number of
 *   customers, while records still come out customer by customer.
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
  validateConcurrency(options.concurrency);
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
  const concurrencyFor = (provider: ProviderId, client: MarketplaceClient): number => {
    const option = options.concurrency;
    const chosen = typeof option === 'number' ? option : option?.[provider];
    return chosen ?? client.requestConcurrency ?? DEFAULT_CONCURRENCY;
  };
  /**
   * The signal of a provider's listings: `stop`'s, aborted when the sync ends early or, with its reason, by the
   * caller's signal, which it follows until {@link endListings} (core/follow-signal.ts: not `AbortSignal.any`, which on
   * Node 20 keeps one signal per sync alive as long as a long-lived caller's signal lives). Every listing in flight
   * (and each of its attempts) listens to it: many listeners are expected, not a leak.
   */
  const listingSignal = (stop: AbortController): AbortSignal => {
    if (options.signal) followSignal(options.signal, stop);
    allowManyListeners(stop.signal);
    return stop.signal;
  };
  /** Ends a provider's listings: the ones still running are not needed any more. */
  const endListings = (stop: AbortController): void => {
    if (options.signal) unfollowSignal(options.signal, stop);
    stop.abort();
  };
  const save = async () => {
    state.updatedAt = now().toISOString();
    await options.onCheckpoint?.(copyJson(state));
  };

  /**
   * Per customer: each customer, then its subscriptions (one listing per customer). Listing requests run
   * `concurrency` at once (the client's `maxConcurrent` by default), read ahead by up to 4 customers per slot, each
   * holding at most one unread page, while records leave in customer order: a customer's records are contiguous
   * and the checkpoint after each finished customer is exact (only the customer being emitted is repeated on
   * resume). A customer's listing that fails is reported in its place; a provider-wide failure (credentials,
   * network, the customer listing itself) ends the provider where it happened, after every customer before it.
   */
  async function* perCustomer(provider: ProviderId, client: MarketplaceClient): AsyncGenerator<SyncRecord> {
    const cp = state.providers[provider]!;
    const concurrency = concurrencyFor(provider, client);
    // More listings ahead than requests in flight: a customer whose listing is done waits (holding one page) for
    // the ones before it to be emitted, and must not hold a request slot meanwhile.
    const ahead = concurrency * AHEAD_PER_SLOT;
    const slots = new Slots(concurrency);
    const stop = new AbortController();
    const signal = listingSignal(stop);
    const customerPages = client.listCustomers({ signal }).byPage({ cursor: cp.pageCursor })[Symbol.asyncIterator]();
    const queue: Entry[] = [];
    const wake = new Wakeup();
    let exhausted = false;
    let fetching = false;
    let started = 0;
    let firstPage = true;
    let nextCursor = cp.pageCursor;

    const startListing = (entry: CustomerEntry) => {
      entry.listing = new PageChannel<Subscription[]>(wake);
      started += 1;
      const channel = entry.listing;
      void (async () => {
        if (entry.customer.id === '') {
          // A customer listed without an id (flagged, see `problems`) cannot be asked for its subscriptions.
          channel.fail(new UnreadableCustomerError());
          return;
        }
        try {
          // Inside the try: a listing refused synchronously (bad input) fails this channel instead of hanging it.
          // Page by page (no read-ahead): each request holds one of the `concurrency` slots below.
          const pages = client.listSubscriptions({ customerId: entry.customer.id, signal }).byPage({ pagesAhead: 0 });
          for (;;) {
            // A request slot per page read: at most `concurrency` listing requests in flight, in start order.
            await slots.acquire();
            let next: IteratorResult<Page<Subscription>>;
            try {
              next = await pages.next();
            } finally {
              slots.release();
            }
            if (next.done) break;
            await channel.push(next.value.items);
          }
          channel.end();
        } catch (error) {
          channel.fail(error);
        }
      })();
    };
    const fetchCustomers = () => {
      fetching = true;
      const cursor = nextCursor;
      void customerPages.next().then(
        (next) => {
          fetching = false;
          if (next.done) {
            exhausted = true;
          } else {
            const skip = firstPage ? new Set(cp.doneInPage) : new Set<string>();
            queue.push({ kind: 'page', cursor, first: firstPage });
            for (const customer of next.value.items) {
              if (!skip.has(customer.id)) queue.push({ kind: 'customer', customer });
            }
            nextCursor = next.value.nextCursor;
            if (next.value.nextCursor === undefined) exhausted = true;
          }
          firstPage = false;
          wake.notify();
        },
        (error: unknown) => {
          fetching = false;
          exhausted = true;
          queue.push({ kind: 'failed', error });
          wake.notify();
        },
      );
    };
    /** Starts listings up to `ahead` unemitted customers and reads the next customer page when they run short. */
    const fill = () => {
      let unstarted = 0;
      for (const entry of queue) {
        if (entry.kind !== 'customer' || entry.listing) continue;
        if (started < ahead) startListing(entry);
        else unstarted += 1;
      }
      if (!exhausted && !fetching && unstarted < ahead) fetchCustomers();
    };

    try {
      for (;;) {
        fill();
        const head = queue[0];
        if (!head) {
          if (exhausted && !fetching) break;
          await wake.wait();
          continue;
        }
        if (head.kind === 'failed') throw head.error;
        if (head.kind === 'page') {
          queue.shift();
          // Entering a new customer page: the checkpoint now points at it (the first one keeps its done ids).
          if (!head.first) {
            cp.pageCursor = head.cursor;
            cp.doneInPage = [];
            await save();
          }
          continue;
        }
        if (!head.listing) startListing(head);
        const { customer } = head;
        const listing = head.listing!;
        yield { type: 'customer', provider, customer };
        let count = 0;
        try {
          for (;;) {
            const items = await listing.next();
            if (items === undefined) break;
            for (const subscription of items) {
              yield { type: 'subscription', provider, customerId: customer.id, subscription };
              count += 1;
            }
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
        queue.shift();
        started -= 1;
        // Counted when the customer is finished, so a resumed run does not count a customer twice.
        cp.subscriptions += count;
        cp.customers += 1;
        cp.doneInPage.push(customer.id);
        progress({ type: 'customer-done', provider, customerId: customer.id });
        await save();
      }
    } finally {
      // The consumer stopped, or the provider failed: the listings still running are not needed any more.
      endListings(stop);
      for (const entry of queue) if (entry.kind === 'customer') entry.listing?.discard();
      void customerPages.return?.(undefined).catch(() => undefined);
    }
    cp.pageCursor = undefined;
    cp.doneInPage = [];
    await save();
  }

  /**
   * All at once: every customer, then every subscription from the account-wide listing. Each record is counted
   * (and its id kept in `doneInPage`) once the consumer asked for the next one, so `run.checkpoint()` repeats
   * nothing delivered but the record in flight; `onCheckpoint` runs once a page.
   */
  async function* allAtOnce(provider: ProviderId, client: MarketplaceClient): AsyncGenerator<SyncRecord> {
    const cp = state.providers[provider]!;
    const stop = new AbortController();
    const signal = listingSignal(stop);
    // The subscription listing starts with the customers (its pages do not depend on them) and reads up to
    // SUBSCRIPTION_PAGES_AHEAD pages ahead, so the two chains of pages overlap instead of following each other.
    // Nothing read ahead counts until it is emitted: the checkpoint stays exact.
    const ahead = new PageChannel<Page<Subscription>>(new Wakeup(), SUBSCRIPTION_PAGES_AHEAD);
    fillChannel(ahead, () => client.listSubscriptions({ signal }).byPage({ cursor: cp.subscriptionCursor }));
    let customerPages: PageChannel<Page<Customer>> | undefined;
    try {
      if (cp.phase !== 'subscriptions') {
        cp.phase = 'customers';
        // The customer pages are read one ahead too: page k+1 is asked for (its cursor is in page k's answer)
        // while page k's customers are emitted, so the customer chain costs one round trip a page, not one plus
        // the consumer's time (issue 20). The checkpoint still moves only as pages are emitted.
        customerPages = new PageChannel<Page<Customer>>(new Wakeup(), CUSTOMER_PAGES_AHEAD);
        fillChannel(customerPages, () => client.listCustomers({ signal }).byPage({ cursor: cp.pageCursor }));
        for (;;) {
          const page = await customerPages.next();
          if (page === undefined) break;
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
      for (;;) {
        const page = await ahead.next();
        if (page === undefined) break;
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
    } finally {
      endListings(stop);
      ahead.discard();
      customerPages?.discard();
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
    checkpoint: () => copyJson(state),
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
