import type { Invoice, InvoiceLine, Order, ProductPricing, UsageRecord } from '../model/billing.js';
import type { Customer } from '../model/customer.js';
import type { ProviderId } from '../model/common.js';
import type {
  AutoRenewResult,
  CancelResult,
  ConnectionReport,
  DryRunCheck,
  OperationState,
  PendingOperation,
  PurchaseResult,
  SeatChangeResult,
  WaitOptions,
} from '../model/operations.js';
import type { Product } from '../model/product.js';
import type { Subscription, SubscriptionRef } from '../model/subscription.js';
import type { CommonClientOptions } from './client-options.js';
import { type ClientOptionKeys, checkClientOptions } from './options/client-options.js';
import {
  GET_OPTION_KEYS,
  LIST_INVOICES_OPTION_KEYS,
  LIST_INVOICE_LINES_OPTION_KEYS,
  LIST_ORDERS_OPTION_KEYS,
  LIST_USAGE_OPTION_KEYS,
  PRODUCT_PRICING_OPTION_KEYS,
  WRITE_OPTION_KEYS,
  checkCallOptions,
  checkDateRange,
} from './options/call-options.js';
import {
  ConflictError,
  MarketplaceError,
  NotFoundError,
  ReadOnlyError,
  SeatChangeNotObservedError,
  UnsupportedOperationError,
  ValidationError,
  WriteOutcomeUnknownError,
  isAmbiguousWriteFailure,
} from './errors.js';
import { type AuditEvent, EventHub, type SdkEventName, type SdkListener } from './events.js';
import { cancelByConstraints } from './dry-run.js';
import type {
  CancelOptions,
  Capabilities,
  GetOptions,
  ListInvoiceLinesOptions,
  ListInvoicesOptions,
  ListOptions,
  ListOrdersOptions,
  ListSubscriptionsOptions,
  ListUsageOptions,
  MarketplaceClient,
  ProductPricingOptions,
  PurchaseInput,
  SeatChangeOptions,
  WriteOptions,
} from './marketplace-client.js';
import type { PagedList } from './pagination.js';
import { Redactor } from './redact.js';
import { redisBackend } from './redis.js';
import {
  type ChainReading,
  type HeldSeatLock,
  type SeatLock,
  type SeatLockRunOptions,
  type SeatLockScope,
  acceptableCounts,
  canonicalId,
  extendChain,
  landedChain,
  processSeatLock,
  readChain,
  redisSeatLock,
  seatLockKey,
} from './seat-lock/index.js';
import { sleep } from './sleep.js';
import { scrubErrorsAtBoundary } from './secret-boundary.js';
import type { HttpMethod, HttpTransport } from './http.js';
import {
  type RawRequestOptions,
  type RawResponse,
  checkRawRequest,
  rawRequestPath,
  sendRawRequest,
} from './raw-request.js';
import { validateRateLimit } from './limiter.js';
import { validateRetryOptions } from './retry.js';
import {
  CancelOptionsSchema,
  IdSchema,
  MAX_SEATS,
  PurchaseInputSchema,
  SeatCountSchema,
  SeatDeltaSchema,
  SeatOptionsSchema,
  validateInput,
  validateSubscriptionRef,
} from './validate.js';
import { unreadableForSeats } from './item-problems.js';

/** What a provider's seat write returns: the subscription after the change, or an operation to await. */
export type SeatWriteResult =
  | { kind: 'done'; subscription?: Subscription | undefined; requestId: string | null }
  | { kind: 'pending'; operation: PendingOperation; requestId: string | null };

/** What a provider's cancel returns. */
export type CancelWriteResult =
  | { kind: 'done'; subscription?: Subscription | undefined; requestId: string | null }
  | { kind: 'pending'; operation: PendingOperation; requestId: string | null };

/** A validated purchase, as handed to a provider. */
export interface ValidPurchase {
  customerId: string;
  productId: string;
  quantity: number;
  billingTerm: PurchaseInput['billingTerm'];
  commitmentTerm?: string | undefined;
  dryRun: boolean;
  signal?: AbortSignal | undefined;
}

/** How long a seat change waits for the subscription's seat lock by default. */
export const DEFAULT_SEAT_LOCK_WAIT_MS = 120_000;

/** One seat write under the lock, as the write-safety steps see it. */
interface SeatWrite {
  operation: SeatOperation;
  ref: SubscriptionRef;
  /** The absolute count sent. */
  target: number;
  /** The subscription as read under the lock (handed to the provider). */
  read: Subscription;
  /** The count the change was computed from: the read, or the last target still pending at the vendor. */
  current: number;
  reading: ChainReading;
  audit: AuditEvent;
  held: HeldSeatLock;
}

/** The public seat methods. */
type SeatOperation = 'setSeats' | 'addSeats' | 'removeSeats';

/**
 * The label of the seat write path the three seat methods share: providers name their seat-write steps
 * (the vendor request, its dry run, their own refusals) `setSeats`, whichever method the caller used.
 */
const SEAT_WRITE_PATH = 'setSeats';

/**
 * Names the public seat method on an error leaving it. An SDK error labelled with the shared seat write
 * path, or with no operation at all (input validation), gets the method the caller invoked; the
 * `setSeats` that starts its message (`setSeats: Pax8 answered 422 ...`) is renamed with it. Other labels
 * name a distinct step and stay, as they do for every method: `token` (credentials) and `getSubscription`
 * (reading the subscription). Request, response and retry events, and the `cause` of an error, keep the
 * vendor call's own label. The error is renamed in place (same object, class, fields and cause), so naming
 * it twice changes nothing.
 */
function nameSeatOperation(error: unknown, operation: SeatOperation): unknown {
  if (!(error instanceof MarketplaceError) || error.operation === operation) return error;
  if (error.operation === SEAT_WRITE_PATH) {
    const renamed = error.message.replace(/^setSeats(?=[\s:(]|$)/, operation);
    if (renamed !== error.message) Object.defineProperty(error, 'message', { value: renamed });
  } else if (error.operation !== undefined) {
    return error;
  }
  Object.defineProperty(error, 'operation', { value: operation });
  return error;
}

/**
 * The behaviour every provider shares: input validation before any request, read-only mode, audit
 * events, `ifCurrent`, and write safety (absolute targets, re-read after an ambiguous failure, one
 * retry only when the re-read proves nothing changed). Providers implement the vendor primitives.
 */
export abstract class BaseMarketplaceClient implements MarketplaceClient {
  abstract readonly provider: ProviderId;
  abstract readonly capabilities: Capabilities;
  /** The client's event hub. */
  protected readonly events: EventHub;
  /** Knows this client's secrets; every text from outside passes through it. */
  protected readonly redactor = new Redactor();
  protected readonly readOnly: boolean;
  protected readonly actor: string | undefined;
  /**
   * Where this client's seat lock holds (`capabilities.seatLockScope`): `fleet` with `redis`, else `process`.
   * Set before the provider's fields, so a provider's `capabilities` literal can read it.
   */
  protected readonly seatLockScope: SeatLockScope;
  /**
   * The pauses before each read that verifies a change the vendor reported done (a vendor's reads may lag its
   * writes for a moment): the change is `applied` at the first read showing it, else `SeatChangeNotObservedError`.
   */
  protected readonly seatVerifyDelaysMs: readonly number[] = [0, 250, 1_000];
  /**
   * Whether {@link findPendingChange} asks the vendor (and so sees every writer's changes), not only this client's
   * memory. When true, recorded pending changes the vendor no longer lists (cancelled, failed, dropped) are
   * forgotten and the next change starts from the read; when false they are trusted until they land or expire.
   */
  protected readonly pendingChangesListed: boolean = false;
  readonly #seatLock: SeatLock;
  readonly #seatLockWaitMs: number;

  /**
   * @param optionKeys Every key the provider's options (and credentials) may have: unknown keys are refused with
   * a `ConfigurationError` naming the closest known key, before anything else (see core/options).
   */
  protected constructor(options: CommonClientOptions, optionKeys: ClientOptionKeys) {
    checkClientOptions(options, optionKeys);
    validateRetryOptions(options.retry);
    validateRateLimit(options.rateLimit);
    if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
      throw new ValidationError('Invalid timeoutMs', [{ path: 'timeoutMs', message: 'must be a positive number' }]);
    }
    this.events = new EventHub(options.logger);
    this.readOnly = options.readOnly === true;
    this.actor = options.actor;
    const wait = options.seatLockWaitMs;
    if (wait !== undefined && !(Number.isFinite(wait) && wait >= 0)) {
      throw new ValidationError('Invalid seatLockWaitMs', [
        { path: 'seatLockWaitMs', message: 'must be a number of milliseconds, 0 or more' },
      ]);
    }
    this.#seatLockWaitMs = wait ?? DEFAULT_SEAT_LOCK_WAIT_MS;
    this.#seatLock = options.redis === undefined ? processSeatLock() : redisSeatLock(redisBackend(options.redis));
    this.seatLockScope = this.#seatLock.scope;
    // Every method of every provider scrubs what it throws (core/secret-boundary.ts).
    scrubErrorsAtBoundary(this, BaseMarketplaceClient.prototype);
  }

  // ---- vendor primitives -------------------------------------------------------------------------------
  /** Checks the credentials and reports what they can see. */
  abstract verifyConnection(options?: GetOptions): Promise<ConnectionReport>;
  /** Lists the customers (companies, tenants) under the reseller account, page by page as you iterate. */
  abstract listCustomers(options?: ListOptions): PagedList<Customer>;
  /** Lists the catalog (optionally filtered by a vendor-side `search`), page by page as you iterate. */
  abstract listProducts(options?: ListOptions & { search?: string | undefined }): PagedList<Product>;
  /** Lists subscriptions, filtered by customer, product, status or billing term. */
  abstract listSubscriptions(options?: ListSubscriptionsOptions): PagedList<Subscription>;
  protected abstract fetchCustomer(customerId: string, options: GetOptions): Promise<Customer>;
  protected abstract fetchSubscription(ref: SubscriptionRef, options: GetOptions): Promise<Subscription>;
  /** Sends the absolute seat count. Never retried by the caller except as write safety decides. */
  protected abstract writeSeats(
    ref: SubscriptionRef,
    target: number,
    before: Subscription,
    options: SeatChangeOptions,
  ): Promise<SeatWriteResult>;
  /**
   * For vendors that cannot hold a subscription at 0 seats: the error to throw when a seat change would reach 0
   * (checked before any write; for `setSeats(ref, 0)` before any request). The default allows 0.
   */
  protected zeroSeatsRefusal(): ValidationError | undefined {
    return undefined;
  }
  /**
   * Dry run of a seat change: the vendor's own validation where it has one, else the rules the SDK knows.
   * Throws the error the real write would meet when the change would be refused; otherwise says what was
   * checked. The default checks nothing (`undefined`: `checkedBy: 'nothing'`).
   */
  protected async dryRunSeats(
    _ref: SubscriptionRef,
    _target: number,
    _before: Subscription,
  ): Promise<DryRunCheck | undefined> {
    return undefined;
  }
  /**
   * Dry run of a cancellation, same contract as {@link dryRunSeats}. The default applies the subscription's
   * `constraints.canCancel` (refused: `BusinessRuleError`; unknown: `checkedBy: 'nothing'`).
   */
  protected async dryRunCancel(
    _ref: SubscriptionRef,
    _effectiveDate: string | undefined,
    before: Subscription,
  ): Promise<DryRunCheck | undefined> {
    return cancelByConstraints(before, { provider: this.provider });
  }
  protected abstract writeCancel(
    ref: SubscriptionRef,
    effectiveDate: string | undefined,
    before: Subscription,
    options: CancelOptions,
  ): Promise<CancelWriteResult>;
  protected abstract writePurchase(input: ValidPurchase): Promise<PurchaseResult>;
  /**
   * For vendors with asynchronous changes: an operation still in flight on this subscription, if any.
   * Write safety asks after an ambiguous failure, so a change that was accepted is awaited, not resent.
   */
  protected async findPendingChange(
    _ref: SubscriptionRef,
    _signal?: AbortSignal,
  ): Promise<PendingOperation | undefined> {
    return undefined;
  }
  /**
   * What the vendor treats as one subscription, as a string: the seat lock and the pending chain are keyed by it
   * (with the provider). The default trims both ids and lower-cases UUIDs (`{ABC-...}` and `abc-...` are one).
   * A provider overrides it where the vendor compares ids otherwise, or where a subscription id is unique only
   * within an account (then the account belongs in the key). Two credentials of one account share the key.
   */
  protected canonicalSubscriptionKey(ref: SubscriptionRef): string {
    return `${canonicalId(ref.customerId)}\u0000${canonicalId(ref.subscriptionId)}`;
  }

  // ---- billing and order reads (issue 18): a provider overrides the hooks it has and sets the capability ----
  /** Invoices (`capabilities.invoices`). Called after the capability and the options were checked. */
  protected readInvoices(_options: ListInvoicesOptions): PagedList<Invoice> {
    throw this.#unsupported('listInvoices');
  }
  /** Invoice lines (`capabilities.invoices` / `draftInvoiceLines`). Called after the checks. */
  protected readInvoiceLines(_options: ListInvoiceLinesOptions): PagedList<InvoiceLine> {
    throw this.#unsupported('listInvoiceLines');
  }
  /** Usage (`capabilities.usage`). Called after the checks. */
  protected readUsage(_options: ListUsageOptions): PagedList<UsageRecord> {
    throw this.#unsupported('listUsage');
  }
  /** Pricing (`capabilities.productPricing`). Called after the checks. */
  protected readProductPricing(_productId: string, _options: ProductPricingOptions): Promise<ProductPricing> {
    throw this.#unsupported('getProductPricing');
  }
  /** Orders (`capabilities.listOrders`). Called after the checks. */
  protected readOrders(_options: ListOrdersOptions): PagedList<Order> {
    throw this.#unsupported('listOrders');
  }
  /**
   * Sets auto-renewal (`capabilities.setAutoRenew`). Called after the checks, the read-only refusal, and with
   * the subscription as read (`before`); `options.dryRun` must not change anything.
   */
  protected writeAutoRenew(
    _ref: SubscriptionRef,
    _enabled: boolean,
    _before: Subscription,
    _options: WriteOptions,
  ): Promise<AutoRenewResult> {
    throw this.#unsupported('setAutoRenew');
  }

  // ---- public API ------------------------------------------------------------------------------------
  listInvoices(options: ListInvoicesOptions = {}): PagedList<Invoice> {
    this.#require('invoices', 'listInvoices');
    checkCallOptions(LIST_INVOICES_OPTION_KEYS, options, this.provider, 'listInvoices');
    checkDateRange(options, this.provider, 'listInvoices');
    return this.readInvoices(options);
  }

  listInvoiceLines(options: ListInvoiceLinesOptions): PagedList<InvoiceLine> {
    checkCallOptions(LIST_INVOICE_LINES_OPTION_KEYS, options, this.provider, 'listInvoiceLines');
    const byInvoice = typeof options?.invoiceId === 'string' && options.invoiceId.trim() !== '';
    const draft = options?.draft === true;
    if (byInvoice === draft) {
      throw new ValidationError(
        'listInvoiceLines needs exactly one of invoiceId (a non-empty string) and draft: true',
        [{ path: 'options', message: 'set invoiceId or draft: true, not both' }],
        { provider: this.provider, operation: 'listInvoiceLines' },
      );
    }
    this.#require(draft ? 'draftInvoiceLines' : 'invoices', 'listInvoiceLines');
    return this.readInvoiceLines(options);
  }

  listUsage(options: ListUsageOptions = {}): PagedList<UsageRecord> {
    this.#require('usage', 'listUsage');
    checkCallOptions(LIST_USAGE_OPTION_KEYS, options, this.provider, 'listUsage');
    checkDateRange(options, this.provider, 'listUsage');
    return this.readUsage(options);
  }

  async getProductPricing(productId: string, options: ProductPricingOptions = {}): Promise<ProductPricing> {
    this.#require('productPricing', 'getProductPricing');
    const id = validateInput(IdSchema, productId, 'productId', 'productId');
    checkCallOptions(PRODUCT_PRICING_OPTION_KEYS, options, this.provider, 'getProductPricing');
    return this.readProductPricing(id, options);
  }

  listOrders(options: ListOrdersOptions = {}): PagedList<Order> {
    this.#require('listOrders');
    checkCallOptions(LIST_ORDERS_OPTION_KEYS, options, this.provider, 'listOrders');
    return this.readOrders(options);
  }

  async setAutoRenew(ref: SubscriptionRef, enabled: boolean, options: WriteOptions = {}): Promise<AutoRenewResult> {
    this.#require('setAutoRenew');
    const valid = validateSubscriptionRef(ref);
    if (typeof enabled !== 'boolean') {
      throw new ValidationError('enabled must be true or false', [{ path: 'enabled', message: 'must be a boolean' }], {
        provider: this.provider,
        operation: 'setAutoRenew',
      });
    }
    checkCallOptions(WRITE_OPTION_KEYS, options, this.provider, 'setAutoRenew');
    this.#refuseIfReadOnly('setAutoRenew');
    const before = await this.fetchSubscription(valid, { signal: options.signal });
    return this.writeAutoRenew(valid, enabled, before, options);
  }

  on<K extends SdkEventName>(event: K, listener: SdkListener<K>): () => void {
    return this.events.on(event, listener);
  }

  /**
   * The transport {@link request} sends through (the client's API transport: auth, limiter, retries, limits,
   * redaction); undefined where the provider offers no raw requests.
   */
  protected requestTransport(): HttpTransport | undefined {
    return undefined;
  }

  /**
   * Calls any endpoint of the vendor's API with this client's auth, limiter, retries, limits and redaction (the
   * escape hatch for what the SDK does not model). `path` is relative to the client's base URL, with `{name}`
   * placeholders filled from `options.params`; an absolute URL or another origin is refused before anything is
   * sent. GET is retried like any read; other methods only where nothing can have been applied (429), and are
   * refused on a read-only client. See docs/requests.md.
   */
  async request<T = unknown>(
    method: HttpMethod,
    path: string,
    options: RawRequestOptions = {},
  ): Promise<RawResponse<T>> {
    checkRawRequest(method, options, this.provider);
    const target = rawRequestPath(path, options.params, this.provider);
    if (method !== 'GET') this.#refuseIfReadOnly('request');
    const transport = this.requestTransport();
    if (!transport) throw this.#unsupported('request');
    return sendRawRequest<T>(transport, this.redactor, method, target, options);
  }

  async getCustomer(customerId: string, options: GetOptions = {}): Promise<Customer> {
    this.#require('getCustomer');
    const id = validateInput(IdSchema, customerId, 'customerId', 'customerId');
    checkCallOptions(GET_OPTION_KEYS, options, this.provider, 'getCustomer');
    return this.fetchCustomer(id, options);
  }

  async getSubscription(ref: SubscriptionRef, options: GetOptions = {}): Promise<Subscription> {
    this.#require('getSubscription');
    checkCallOptions(GET_OPTION_KEYS, options, this.provider, 'getSubscription');
    return this.fetchSubscription(validateSubscriptionRef(ref), options);
  }

  async setSeats(ref: SubscriptionRef, quantity: number, options: SeatChangeOptions = {}): Promise<SeatChangeResult> {
    return this.#seatCall('setSeats', async () => {
      const q = validateInput(SeatCountSchema, quantity, 'quantity', 'quantity');
      const refusal = q === 0 ? this.zeroSeatsRefusal() : undefined;
      if (refusal) throw refusal;
      return this.#changeSeats('setSeats', ref, () => q, options);
    });
  }

  async addSeats(ref: SubscriptionRef, count: number, options: SeatChangeOptions = {}): Promise<SeatChangeResult> {
    return this.#seatCall('addSeats', async () => {
      const n = validateInput(SeatDeltaSchema, count, 'seat count', 'count');
      return this.#changeSeats('addSeats', ref, (before) => before + n, options);
    });
  }

  async removeSeats(ref: SubscriptionRef, count: number, options: SeatChangeOptions = {}): Promise<SeatChangeResult> {
    return this.#seatCall('removeSeats', async () => {
      const n = validateInput(SeatDeltaSchema, count, 'seat count', 'count');
      return this.#changeSeats(
        'removeSeats',
        ref,
        (before) => {
          if (before - n < 0) {
            throw new ValidationError(`Cannot remove ${n} seats: the subscription has ${before}`, [
              { path: 'count', message: `must be at most ${before}` },
            ]);
          }
          return before - n;
        },
        options,
      );
    });
  }

  async cancelSubscription(ref: SubscriptionRef, options: CancelOptions = {}): Promise<CancelResult> {
    const valid = validateSubscriptionRef(ref);
    const opts = validateInput(CancelOptionsSchema, options, 'cancel options', 'options');
    this.#refuseIfReadOnly('cancelSubscription');
    this.#require('cancelSubscription');
    if (opts.effectiveDate && !this.capabilities.scheduledCancel) {
      throw new UnsupportedOperationError(`${this.provider} cannot schedule a cancellation for a later date`, {
        provider: this.provider,
        operation: 'cancelSubscription',
        hint: 'Cancel without effectiveDate, or cancel on that date yourself.',
      });
    }
    const audit = this.#auditBase('cancelSubscription', valid, opts.actor, opts.dryRun === true);
    return this.#seatLock.run(
      this.#seatKey(valid),
      async (held) => {
        const before = await this.fetchSubscription(valid, { signal: opts.signal });
        const base = {
          provider: this.provider,
          customerId: valid.customerId,
          subscriptionId: valid.subscriptionId,
          effectiveDate: opts.effectiveDate ?? null,
        };
        if (before.status === 'cancelled' || before.status === 'pending-cancel') {
          this.#audit({ ...audit, outcome: 'unchanged', before: before.status, after: before.status });
          return {
            ...base,
            outcome: before.status === 'pending-cancel' || endsLater(before.endDate) ? 'scheduled' : 'cancelled',
            requestId: null,
            subscription: before,
            ...(opts.dryRun ? alreadyDone(`the subscription is already ${before.status}: nothing to send`) : {}),
          };
        }
        if (opts.dryRun) {
          const check = (await this.dryRunCancel(valid, opts.effectiveDate, before)) ?? nothingChecked();
          this.#audit({ ...audit, outcome: 'dry-run', before: before.status, requested: 'cancelled' });
          return { ...base, outcome: 'dry-run', requestId: null, subscription: before, ...check };
        }
        try {
          await this.#beforeSend(held, opts.signal);
        } catch (error) {
          this.#audit({ ...audit, outcome: 'refused', before: before.status, error: errorSummary(error) });
          throw error;
        }
        let result: CancelWriteResult;
        let observed = false;
        try {
          result = await this.writeCancel(valid, opts.effectiveDate, before, options);
        } catch (error) {
          if (!isAmbiguousWriteFailure(error) && !isAbortDuringWrite(error, opts.signal)) {
            this.#audit({ ...audit, outcome: outcomeOf(error), before: before.status, error: errorSummary(error) });
            throw error;
          }
          result = await this.#settleAmbiguousCancel(valid, before, opts.effectiveDate, options, error, audit, held);
          observed = result.kind === 'done';
        }
        if (result.kind === 'pending') {
          this.#audit({
            ...audit,
            outcome: 'pending',
            before: before.status,
            requestId: result.requestId ?? undefined,
          });
          const operation = this.#verifiedCancelOperation(valid, before, audit, result.operation);
          return { ...base, outcome: 'pending', requestId: result.requestId, operation };
        }
        // Cancelled means observed: a read shows it cancelled (or scheduled to end).
        const after = observed
          ? result.subscription
          : await this.#observeCancel(valid, before, audit, result.requestId);
        this.#audit({
          ...audit,
          outcome: 'applied',
          before: before.status,
          after: after?.status ?? 'gone',
          requestId: result.requestId ?? undefined,
        });
        return {
          ...base,
          outcome:
            endsLater(opts.effectiveDate ?? null) ||
            endsLater(after?.endDate ?? null) ||
            after?.status === 'pending-cancel'
              ? 'scheduled'
              : 'cancelled',
          requestId: result.requestId,
          subscription: after,
        };
      },
      this.#lockOptions('cancelSubscription', opts.signal),
    );
  }

  async purchase(input: PurchaseInput): Promise<PurchaseResult> {
    const valid = validateInput(PurchaseInputSchema, input, 'purchase', 'input');
    const retries = valid.retry === false ? 0 : Number(valid.retry?.retries ?? 0);
    if (retries > 0) {
      // Order safety wins (core/order-safety.ts): an order without an idempotency key is sent once.
      throw new ValidationError(
        'purchase: retry cannot ask for retries: an order is never sent twice (a retry could buy twice); nothing was sent',
        [{ path: 'input.retry.retries', message: 'must be 0 (or leave retry out) for a purchase' }],
        { provider: this.provider, operation: 'purchase' },
      );
    }
    this.#refuseIfReadOnly('purchase');
    this.#require('purchase');
    const audit: AuditEvent = {
      provider: this.provider,
      operation: 'purchase',
      actor: valid.actor ?? this.actor,
      customerId: valid.customerId,
      productId: valid.productId,
      dryRun: valid.dryRun === true,
      outcome: 'failed',
      requested: { quantity: valid.quantity, billingTerm: valid.billingTerm, commitmentTerm: valid.commitmentTerm },
      at: new Date().toISOString(),
    };
    try {
      const written = await this.writePurchase({ ...valid, dryRun: valid.dryRun === true });
      const result: PurchaseResult =
        valid.dryRun && written.checkedBy === undefined
          ? {
              ...written,
              ...(this.capabilities.dryRunPurchase === 'vendor' ? vendorChecked(this.provider) : nothingChecked()),
            }
          : written;
      this.#audit({
        ...audit,
        outcome: result.outcome === 'ordered' ? 'applied' : result.outcome,
        after: { orderId: result.orderId, lines: result.lines },
        requestId: result.requestId ?? undefined,
      });
      return result;
    } catch (error) {
      if (!valid.dryRun && (isAmbiguousWriteFailure(error) || isAbortDuringWrite(error, valid.signal))) {
        // Orders carry no idempotency key at most vendors: resending could buy twice.
        const unknown = new WriteOutcomeUnknownError(
          `purchase: the order may or may not have been placed (${(error as MarketplaceError).message})`,
          {
            provider: this.provider,
            operation: 'purchase',
            before: null,
            expected: audit.requested,
            observed: null,
            requestId: (error as MarketplaceError).requestId,
            hint: "Check the customer's orders and subscriptions in the vendor's portal before buying again.",
            cause: error,
          },
        );
        this.#audit({ ...audit, outcome: 'unknown', error: errorSummary(unknown) });
        throw unknown;
      }
      // A provider's own WriteOutcomeUnknownError (e.g. a 429/401 answered to a sent order) is not a failure.
      this.#audit({ ...audit, outcome: outcomeOf(error), error: errorSummary(error) });
      throw error;
    }
  }

  // ---- write safety ------------------------------------------------------------------------------------
  /**
   * The public boundary of the three seat methods: an error leaving them names the method the caller invoked,
   * whichever provider threw it (see {@link nameSeatOperation} for the steps that keep their own name).
   */
  async #seatCall(operation: SeatOperation, run: () => Promise<SeatChangeResult>): Promise<SeatChangeResult> {
    try {
      return await run();
    } catch (error) {
      throw nameSeatOperation(error, operation);
    }
  }

  async #changeSeats(
    operation: SeatOperation,
    ref: SubscriptionRef,
    target: (before: number) => number,
    options: SeatChangeOptions,
  ): Promise<SeatChangeResult> {
    const valid = validateSubscriptionRef(ref);
    const opts = validateInput(SeatOptionsSchema, options, `${operation} options`, 'options');
    this.#refuseIfReadOnly(operation);
    this.#require('setSeats', operation);
    const dryRun = opts.dryRun === true;
    const audit = this.#auditBase(operation, valid, opts.actor, dryRun);
    return this.#seatLock.run(
      this.#seatKey(valid),
      async (held) => {
        const read = await this.fetchSubscription(valid, { signal: opts.signal });
        // A flagged record whose seat count (or id) is unreadable never drives a write (issue 17).
        const unreadable = unreadableForSeats(read, this.provider, operation);
        if (unreadable) this.#refuseSeatChange(audit, undefined, unreadable);
        // An asynchronous change still pending at the vendor is the base of this one (core/seat-lock/pending-chain.ts).
        const recorded = await held.pendingChain();
        let reading = readChain(read.quantity, recorded);
        if (reading.kind === 'landed' && recorded) await held.setPendingChain(landedChain(recorded));
        if (
          recorded &&
          (reading.kind === 'in-flight' || reading.kind === 'diverged') &&
          this.pendingChangesListed &&
          !(await this.findPendingChange(valid, opts.signal))
        ) {
          // The vendor lists nothing in flight: the recorded changes were cancelled or failed. Start from the read.
          this.events.emit('warning', {
            provider: this.provider,
            code: 'pending-change-gone',
            message: `${operation}: pending change(s) ${recorded.operations.join(', ')} to ${recorded.counts.at(-1)} seats are no longer in flight at the vendor and the subscription shows ${read.quantity}; starting from ${read.quantity}`,
          });
          await held.setPendingChain(landedChain(recorded));
          reading = { kind: 'none', count: read.quantity };
        }
        if (reading.kind === 'diverged') {
          const conflict = new ConflictError(
            `${operation}: the subscription shows ${read.quantity} seats while changes to ${reading.chain.counts.at(-1)} sent by the SDK are still pending (${reading.chain.operations.join(', ')}); something else changed it, nothing was sent`,
            {
              provider: this.provider,
              operation,
              code: 'PENDING_CHANGE_DIVERGED',
              expected: reading.chain.counts.at(-1),
              actual: read.quantity,
              hint: "Wait for the pending operations to finish (or check them in the vendor's portal), then decide again.",
            },
          );
          this.#refuseSeatChange(audit, read.quantity, conflict);
        }
        const current = reading.count;
        const result = (
          outcome: SeatChangeResult['outcome'],
          requested: number,
          after: number | null,
          extra: Partial<SeatChangeResult> = {},
        ): SeatChangeResult => ({
          provider: this.provider,
          customerId: valid.customerId,
          subscriptionId: valid.subscriptionId,
          before: current,
          requested,
          after,
          outcome,
          requestId: null,
          ...extra,
        });
        if (opts.ifCurrent !== undefined && opts.ifCurrent !== current) {
          const conflict = new ConflictError(
            `${operation}: the subscription has ${current} seats${current === read.quantity ? '' : ' (once its pending changes land)'}, not ${opts.ifCurrent} as expected; nothing was changed`,
            {
              provider: this.provider,
              operation,
              expected: opts.ifCurrent,
              actual: current,
              hint: 'Re-read the subscription and decide again with the current seat count.',
            },
          );
          this.#refuseSeatChange(audit, current, conflict);
        }
        let wanted: number;
        try {
          wanted = target(current);
          if (wanted > MAX_SEATS) {
            throw new ValidationError(
              `${operation}: ${current} + ${wanted - current} seats would exceed the SDK's maximum of ${MAX_SEATS} seats per subscription`,
              [{ path: 'count', message: `must be at most ${MAX_SEATS - current}` }],
              { provider: this.provider, operation },
            );
          }
        } catch (error) {
          this.#audit({
            ...audit,
            outcome: 'refused',
            before: current,
            error: errorSummary(nameSeatOperation(error, operation)),
          });
          throw error;
        }
        if (wanted === current) {
          this.#audit({ ...audit, outcome: 'unchanged', before: current, requested: wanted, after: wanted });
          return result('unchanged', wanted, wanted, {
            subscription: read,
            ...(dryRun ? alreadyDone(`the subscription already has ${wanted} seats: nothing to send`) : {}),
          });
        }
        const refusal = wanted === 0 ? this.zeroSeatsRefusal() : undefined;
        if (refusal) {
          if (!dryRun) {
            this.#audit({
              ...audit,
              outcome: 'failed',
              before: current,
              requested: wanted,
              error: errorSummary(nameSeatOperation(refusal, operation)),
            });
          }
          throw refusal;
        }
        if (dryRun) {
          const check = (await this.dryRunSeats(valid, wanted, read)) ?? nothingChecked();
          this.#audit({ ...audit, outcome: 'dry-run', before: current, requested: wanted });
          return result('dry-run', wanted, null, {
            subscription: read,
            checkedBy: check.checkedBy,
            rules: check.rules,
          });
        }
        const seat: SeatWrite = { operation, ref: valid, target: wanted, read, current, reading, audit, held };
        const written = await this.#writeSeatsSafely(seat, options);
        if (written.kind === 'pending') {
          try {
            await held.setPendingChain(extendChain(reading, wanted, written.operation.id, recorded));
          } catch (error) {
            this.events.emit('warning', {
              provider: this.provider,
              code: 'pending-change-not-recorded',
              message: `${operation}: the pending change ${written.operation.id} could not be recorded with the seat lock (${errorSummary(error).message}); the next change of this subscription may start from a stale count until it lands`,
            });
          }
          this.#audit({
            ...audit,
            outcome: 'pending',
            before: current,
            requested: wanted,
            requestId: written.requestId ?? undefined,
          });
          return result('pending', wanted, null, {
            operation: this.#verifiedSeatOperation(seat, written.operation),
            requestId: written.requestId,
          });
        }
        // Applied means observed: a read (the settling read, or one now) shows the requested count.
        // A settling read the SDK could not fully read (seat count or id flagged) proves nothing: read again.
        const settled = written.observed && !unreadableForSeats(written.observed, this.provider, operation);
        const observed = settled ? written.observed! : await this.#observeSeats(seat, written.requestId);
        if (recorded && recorded.counts.length > 0) await held.setPendingChain(landedChain(recorded));
        this.#audit({
          ...audit,
          outcome: 'applied',
          before: current,
          requested: wanted,
          after: observed.quantity,
          requestId: written.requestId ?? undefined,
        });
        return result('applied', wanted, observed.quantity, { subscription: observed, requestId: written.requestId });
      },
      this.#lockOptions(operation, opts.signal),
    );
  }

  /**
   * Sends the seat change, settling an ambiguous failure by reading: the target is there -> done (observed);
   * nothing changed -> sent once more (an absolute target, under the lock); anything else ->
   * `WriteOutcomeUnknownError`. An abort while the write was under way is ambiguous too (the request may have
   * left): it is settled by reading, never resent.
   */
  async #writeSeatsSafely(
    seat: SeatWrite,
    options: SeatChangeOptions,
  ): Promise<(SeatWriteResult & { kind: 'pending' }) | (SeatWriteResult & { kind: 'done'; observed?: Subscription })> {
    const { operation, ref, target, read, current, reading, audit, held } = seat;
    const signal = options.signal;
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        await this.#beforeSend(held, signal);
      } catch (error) {
        this.#audit({
          ...audit,
          outcome: 'refused',
          before: current,
          requested: target,
          error: errorSummary(nameSeatOperation(error, operation)),
        });
        throw error;
      }
      try {
        return await this.writeSeats(ref, target, read, options);
      } catch (error) {
        if (!isAmbiguousWriteFailure(error) && !isAbortDuringWrite(error, signal)) {
          this.#audit({
            ...audit,
            outcome: outcomeOf(error),
            before: current,
            requested: target,
            error: errorSummary(nameSeatOperation(error, operation)),
          });
          throw error;
        }
        failure = error;
      }
      const aborted = isAbortDuringWrite(failure, signal);
      // The change may or may not have been applied: look before doing anything else (without the caller's
      // signal, which may be the very abort).
      const unknown = (observed: unknown, cause: unknown) =>
        new WriteOutcomeUnknownError(
          `${operation}: the seat change may or may not have been applied (expected ${target}, before ${current}, observed ${String(observed)})${aborted ? '; the call was aborted after the change was sent' : ''}`,
          {
            provider: this.provider,
            operation,
            before: current,
            expected: target,
            observed,
            requestId: failure instanceof MarketplaceError ? failure.requestId : undefined,
            hint: "Check the subscription in the vendor's portal before changing it again.",
            cause,
          },
        );
      let observed: Subscription;
      let pending: PendingOperation | undefined;
      try {
        pending = await this.findPendingChange(ref);
        observed = await this.fetchSubscription(ref, {});
        // A read whose seat count is a placeholder (flagged) cannot settle anything: 0 is not "nothing changed".
        const unreadable = unreadableForSeats(observed, this.provider, operation);
        if (unreadable) throw unreadable;
      } catch (readError) {
        const e = unknown(undefined, readError);
        this.#audit({ ...audit, outcome: 'unknown', before: current, requested: target, error: errorSummary(e) });
        throw e;
      }
      if (pending) return { kind: 'pending', operation: pending, requestId: null };
      const requestId = failure instanceof MarketplaceError ? (failure.requestId ?? null) : null;
      if (observed.quantity === target) return { kind: 'done', subscription: observed, observed, requestId };
      const untouched =
        observed.quantity === read.quantity ||
        (reading.kind === 'in-flight' && reading.chain.counts.includes(observed.quantity));
      if (untouched && attempt === 1 && !aborted) continue;
      const e = unknown(observed.quantity, failure);
      this.#audit({
        ...audit,
        outcome: 'unknown',
        before: current,
        requested: target,
        after: observed.quantity,
        error: errorSummary(e),
      });
      throw e;
    }
  }

  /** Right before a write leaves: the lock is still ours (fencing) and the caller has not aborted. */
  async #beforeSend(held: HeldSeatLock, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    await held.assertHeld();
  }

  /**
   * Reads until the subscription shows the target (a vendor's reads may lag its writes by a moment; see
   * {@link seatVerifyDelaysMs}); else `SeatChangeNotObservedError`, audited `unknown`.
   */
  async #observeSeats(
    seat: SeatWrite,
    requestId: string | null,
    accept: number[] = [seat.target],
  ): Promise<Subscription> {
    let observed: number | undefined;
    let lastError: unknown;
    for (const delay of this.seatVerifyDelaysMs) {
      await sleep(delay);
      try {
        const sub = await this.fetchSubscription(seat.ref, {});
        const unreadable = unreadableForSeats(sub, this.provider, seat.operation);
        if (unreadable) {
          lastError = unreadable;
          continue;
        }
        if (accept.includes(sub.quantity)) return sub;
        observed = sub.quantity;
      } catch (error) {
        lastError = error;
      }
    }
    const e = new SeatChangeNotObservedError(
      `${seat.operation}: ${this.provider} reported the change done, but ${observed === undefined ? 'the subscription could not be read back' : `the subscription shows ${observed} seats`}, not the ${seat.target} requested (before ${seat.current})`,
      {
        provider: this.provider,
        operation: seat.operation,
        before: seat.current,
        requested: seat.target,
        observed,
        requestId: requestId ?? undefined,
        hint: "Check the subscription in the vendor's portal before changing it again: the vendor may read the quantity differently, or still be applying it.",
        cause: observed === undefined ? lastError : undefined,
      },
    );
    this.#audit({
      ...seat.audit,
      outcome: 'unknown',
      before: seat.current,
      requested: seat.target,
      after: observed,
      requestId: requestId ?? undefined,
      error: errorSummary(e),
    });
    throw e;
  }

  /**
   * A pending seat change whose `waitForCompletion` says `succeeded` only once a read shows the target (or the
   * target of a change stacked on it since); a failed one is dropped from the pending chain.
   */
  #verifiedSeatOperation(seat: SeatWrite, operation: PendingOperation): PendingOperation {
    const key = this.#seatKey(seat.ref);
    return {
      provider: operation.provider,
      id: operation.id,
      kind: operation.kind,
      initial: operation.initial,
      waitForCompletion: async (wait?: WaitOptions): Promise<OperationState> => {
        const state = await operation.waitForCompletion(wait);
        if (state.status === 'succeeded') {
          const chain = await this.#seatLock.peekChain(key).catch(() => undefined);
          await this.#observeSeats(seat, operation.id, acceptableCounts(chain, operation.id, seat.target));
        } else if (state.status === 'failed' || state.status === 'cancelled') {
          const dropped = await this.#seatLock.dropChainTail(key, operation.id).catch(() => false);
          const chain = dropped ? undefined : await this.#seatLock.peekChain(key).catch(() => undefined);
          if (chain?.operations.includes(operation.id)) {
            this.events.emit('warning', {
              provider: this.provider,
              code: 'stacked-change-failed',
              message: `${seat.operation}: pending change ${operation.id} ended ${state.status}, but later changes (${chain.operations.slice(chain.operations.indexOf(operation.id) + 1).join(', ')}) were computed on top of it; their absolute targets include its seats`,
            });
          }
        }
        return state;
      },
    };
  }

  async #settleAmbiguousCancel(
    ref: SubscriptionRef,
    before: Subscription,
    effectiveDate: string | undefined,
    options: CancelOptions,
    failure: unknown,
    audit: AuditEvent,
    held: HeldSeatLock,
  ): Promise<CancelWriteResult> {
    const aborted = isAbortDuringWrite(failure, options.signal);
    const unknown = (observed: unknown, cause: unknown) => {
      const e = new WriteOutcomeUnknownError(
        `cancelSubscription: the cancellation may or may not have been applied (observed status ${String(observed)})${aborted ? '; the call was aborted after it was sent' : ''}`,
        {
          provider: this.provider,
          operation: 'cancelSubscription',
          before: before.status,
          expected: 'cancelled',
          observed,
          requestId: failure instanceof MarketplaceError ? failure.requestId : undefined,
          hint: "Check the subscription in the vendor's portal before cancelling again.",
          cause,
        },
      );
      this.#audit({ ...audit, outcome: 'unknown', before: before.status, error: errorSummary(e) });
      return e;
    };
    let observed: Subscription | undefined;
    let pending: PendingOperation | undefined;
    try {
      // Without the caller's signal: it may be the very abort.
      pending = await this.findPendingChange(ref);
      observed = await this.fetchSubscription(ref, {});
    } catch (readError) {
      // Vendors that list only live subscriptions no longer find a cancelled one.
      if (!(readError instanceof NotFoundError)) throw unknown(undefined, readError);
    }
    if (pending) return { kind: 'pending', operation: pending, requestId: null };
    if (!observed || showsCancelled(observed, before)) return { kind: 'done', subscription: observed, requestId: null };
    if (aborted || observed.status !== before.status || observed.endDate !== before.endDate)
      throw unknown(observed.status, failure);
    await this.#beforeSend(held, options.signal);
    try {
      return await this.writeCancel(ref, effectiveDate, before, options);
    } catch (error) {
      if (isAmbiguousWriteFailure(error) || isAbortDuringWrite(error, options.signal))
        throw unknown(before.status, error);
      throw error;
    }
  }

  /** Reads until the subscription shows the cancellation; else `WriteOutcomeUnknownError`, audited `unknown`. */
  async #observeCancel(
    ref: SubscriptionRef,
    before: Subscription,
    audit: AuditEvent,
    requestId: string | null,
  ): Promise<Subscription | undefined> {
    let observed: Subscription | undefined;
    let lastError: unknown;
    for (const delay of this.seatVerifyDelaysMs) {
      await sleep(delay);
      try {
        observed = await this.fetchSubscription(ref, {});
        if (showsCancelled(observed, before)) return observed;
      } catch (error) {
        // Vendors that list only live subscriptions no longer find a cancelled one.
        if (error instanceof NotFoundError) return undefined;
        lastError = error;
      }
    }
    const e = new WriteOutcomeUnknownError(
      `cancelSubscription: ${this.provider} reported the cancellation done, but ${observed ? `the subscription reads ${observed.status}${observed.endDate ? ` ending ${observed.endDate}` : ' with no end date'}` : 'the subscription could not be read back'}`,
      {
        provider: this.provider,
        operation: 'cancelSubscription',
        before: before.status,
        expected: 'cancelled',
        observed: observed?.status,
        requestId: requestId ?? undefined,
        hint: "The vendor may still be processing it: read the subscription again later, or check the vendor's portal.",
        cause: observed ? undefined : lastError,
      },
    );
    this.#audit({ ...audit, outcome: 'unknown', before: before.status, error: errorSummary(e) });
    throw e;
  }

  /** A pending cancellation whose `waitForCompletion` says `succeeded` only once a read shows it cancelled. */
  #verifiedCancelOperation(
    ref: SubscriptionRef,
    before: Subscription,
    audit: AuditEvent,
    operation: PendingOperation,
  ): PendingOperation {
    return {
      provider: operation.provider,
      id: operation.id,
      kind: operation.kind,
      initial: operation.initial,
      waitForCompletion: async (wait?: WaitOptions): Promise<OperationState> => {
        const state = await operation.waitForCompletion(wait);
        if (state.status === 'succeeded') {
          await this.#observeCancel(ref, before, audit, operation.id);
        }
        return state;
      },
    };
  }

  // ---- helpers -------------------------------------------------------------------------------------------
  #unsupported(operation: string): UnsupportedOperationError {
    return new UnsupportedOperationError(`${this.provider} does not support ${operation}`, {
      provider: this.provider,
      operation,
      hint: `See capabilities and docs/providers/${this.provider}.md.`,
    });
  }

  /** Throws `UnsupportedOperationError` when the provider cannot do `capability` (optional flags: absent = no). */
  #require(capability: keyof Capabilities, operation: string = capability): void {
    const flag = this.capabilities[capability];
    if (flag === false || flag === undefined) {
      throw new UnsupportedOperationError(`${this.provider} does not support ${operation}`, {
        provider: this.provider,
        operation,
        hint: `See capabilities and docs/providers/${this.provider}.md.`,
      });
    }
  }

  #refuseIfReadOnly(operation: string): void {
    if (!this.readOnly) return;
    throw new ReadOnlyError(`${operation} refused: this client is read-only`, {
      provider: this.provider,
      operation,
      hint: 'Create the client without readOnly: true to make changes.',
    });
  }

  /** The seat lock key of a subscription: the provider and what the vendor treats as the same subscription. */
  #seatKey(ref: SubscriptionRef): string {
    return seatLockKey(this.provider, this.canonicalSubscriptionKey(ref));
  }

  #lockOptions(operation: string, signal: AbortSignal | undefined): SeatLockRunOptions {
    return { waitMs: this.#seatLockWaitMs, signal, provider: this.provider, operation };
  }

  #auditBase(operation: string, ref: SubscriptionRef, actor: string | undefined, dryRun: boolean): AuditEvent {
    return {
      provider: this.provider,
      operation,
      actor: actor ?? this.actor,
      customerId: ref.customerId,
      subscriptionId: ref.subscriptionId,
      dryRun,
      outcome: 'failed',
      at: new Date().toISOString(),
    };
  }

  /** Audits a seat change refused before anything was sent (`before`: the count it was judged on), and throws. */
  #refuseSeatChange(audit: AuditEvent, before: number | undefined, refusal: MarketplaceError): never {
    this.#audit({
      ...audit,
      outcome: 'refused',
      ...(before === undefined ? {} : { before }),
      error: errorSummary(refusal),
    });
    throw refusal;
  }

  #audit(event: AuditEvent): void {
    this.events.emit('audit', { ...event, at: new Date().toISOString() });
  }

  /** Keeps secrets out of `console.log(client)`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `${this.constructor.name} { provider: '${this.provider}', readOnly: ${this.readOnly} }`;
  }

  /** Keeps secrets out of `JSON.stringify(client)`: only the provider and the read-only flag. */
  toJSON(): Record<string, unknown> {
    return { provider: this.provider, readOnly: this.readOnly };
  }
}

/** A dry run nobody checked: the input was well formed, nothing more. */
function nothingChecked(): DryRunCheck {
  return { checkedBy: 'nothing', rules: [] };
}

/** A dry run the vendor validated (Pax8 `isMock`, Ingram `/orders/estimate`, ...). */
function vendorChecked(provider: string): DryRunCheck {
  return { checkedBy: 'vendor', rules: [`${provider} validated the request without applying it`] };
}

/** A dry run of a change that is already in place: the SDK read the subscription and found nothing to do. */
function alreadyDone(rule: string): DryRunCheck {
  return { checkedBy: 'sdk', rules: [rule] };
}

/** Whether a cancellation date lies in the future (the subscription still runs until then). */
function endsLater(date: string | null): boolean {
  return date !== null && Date.parse(date) > Date.now();
}

/**
 * Whether a write call ended by an abort (the caller's signal, or an abort-like error such as
 * `AbortSignal.timeout`'s) rather than by an answer: the request may already have left, so the outcome is
 * unknown. Conservative: the transport does not yet tell whether the request was sent, so any abort during
 * the write call counts (an abort before the call starts is a plain abort: see `#beforeSend`).
 */
function isAbortDuringWrite(error: unknown, signal: AbortSignal | undefined): boolean {
  if (error instanceof MarketplaceError) return false;
  if (signal?.aborted) return true;
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/**
 * Whether a read shows a cancellation (done, or scheduled to end) that `before` did not. `suspended` counts: vendors
 * that cancel by suspending (Partner Center legacy offers) show nothing else.
 */
function showsCancelled(observed: Subscription, before: Subscription): boolean {
  return (
    observed.status === 'cancelled' ||
    observed.status === 'pending-cancel' ||
    observed.status === 'suspended' ||
    (observed.endDate !== null && observed.endDate !== before.endDate)
  );
}

/** The audit outcome of a write that threw: `unknown` when the provider said the outcome is unknown. */
function outcomeOf(error: unknown): 'failed' | 'unknown' {
  return error instanceof WriteOutcomeUnknownError ? 'unknown' : 'failed';
}

function errorSummary(error: unknown): { kind: string; message: string } {
  if (error instanceof MarketplaceError) return { kind: error.kind, message: error.message };
  return { kind: 'unexpected', message: error instanceof Error ? error.message : String(error) };
}
