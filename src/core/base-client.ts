import type { Customer } from '../model/customer.js';
import type { ProviderId } from '../model/common.js';
import type {
  CancelResult,
  ConnectionReport,
  PendingOperation,
  PurchaseResult,
  SeatChangeResult,
} from '../model/operations.js';
import type { Product } from '../model/product.js';
import type { Subscription, SubscriptionRef } from '../model/subscription.js';
import type { CommonClientOptions } from './client-options.js';
import {
  ConflictError,
  MarketplaceError,
  ReadOnlyError,
  UnsupportedOperationError,
  ValidationError,
  WriteOutcomeUnknownError,
  isAmbiguousWriteFailure,
} from './errors.js';
import { type AuditEvent, EventHub, type SdkEventName, type SdkListener } from './events.js';
import { KeyedMutex } from './keyed-mutex.js';
import type {
  CancelOptions,
  Capabilities,
  GetOptions,
  ListOptions,
  ListSubscriptionsOptions,
  MarketplaceClient,
  PurchaseInput,
  SeatChangeOptions,
} from './marketplace-client.js';
import type { PagedList } from './pagination.js';
import { Redactor } from './redact.js';
import { validateRateLimit } from './limiter.js';
import { validateRetryOptions } from './retry.js';
import {
  CancelOptionsSchema,
  IdSchema,
  PurchaseInputSchema,
  SeatCountSchema,
  SeatDeltaSchema,
  SeatOptionsSchema,
  SubscriptionRefSchema,
  validateInput,
} from './validate.js';

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

const seatLocks = new KeyedMutex();

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

  protected constructor(options: CommonClientOptions) {
    validateRetryOptions(options.retry);
    validateRateLimit(options.rateLimit);
    if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
      throw new ValidationError('Invalid timeoutMs', [{ path: 'timeoutMs', message: 'must be a positive number' }]);
    }
    this.events = new EventHub(options.logger);
    this.readOnly = options.readOnly === true;
    this.actor = options.actor;
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
  /** Vendor-side dry run of a seat change, where the vendor has one; the default checks nothing more. */
  protected async dryRunSeats(_ref: SubscriptionRef, _target: number, _before: Subscription): Promise<void> {}
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

  // ---- public API ------------------------------------------------------------------------------------
  on<K extends SdkEventName>(event: K, listener: SdkListener<K>): () => void {
    return this.events.on(event, listener);
  }

  async getCustomer(customerId: string, options: GetOptions = {}): Promise<Customer> {
    this.#require('getCustomer');
    const id = validateInput(IdSchema, customerId, 'customerId', 'customerId');
    return this.fetchCustomer(id, options);
  }

  async getSubscription(ref: SubscriptionRef, options: GetOptions = {}): Promise<Subscription> {
    this.#require('getSubscription');
    return this.fetchSubscription(validateInput(SubscriptionRefSchema, ref, 'subscription reference', 'ref'), options);
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
    const valid = validateInput(SubscriptionRefSchema, ref, 'subscription reference', 'ref');
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
    return seatLocks.run(this.#lockKey(valid), async () => {
      const before = await this.fetchSubscription(valid, { signal: opts.signal });
      const base = {
        provider: this.provider,
        customerId: valid.customerId,
        subscriptionId: valid.subscriptionId,
        effectiveDate: opts.effectiveDate ?? null,
      };
      if (before.status === 'cancelled') {
        this.#audit({ ...audit, outcome: 'unchanged', before: before.status, after: before.status });
        return {
          ...base,
          outcome: endsLater(before.endDate) ? 'scheduled' : 'cancelled',
          requestId: null,
          subscription: before,
        };
      }
      if (opts.dryRun) {
        this.#audit({ ...audit, outcome: 'dry-run', before: before.status, requested: 'cancelled' });
        return { ...base, outcome: 'dry-run', requestId: null, subscription: before };
      }
      let result: CancelWriteResult;
      try {
        result = await this.writeCancel(valid, opts.effectiveDate, before, options);
      } catch (error) {
        if (!isAmbiguousWriteFailure(error)) {
          this.#audit({ ...audit, outcome: 'failed', before: before.status, error: errorSummary(error) });
          throw error;
        }
        result = await this.#settleAmbiguousCancel(valid, before, opts.effectiveDate, options, error, audit);
      }
      if (result.kind === 'pending') {
        this.#audit({ ...audit, outcome: 'pending', before: before.status, requestId: result.requestId ?? undefined });
        return { ...base, outcome: 'pending', requestId: result.requestId, operation: result.operation };
      }
      const after = result.subscription;
      this.#audit({
        ...audit,
        outcome: 'applied',
        before: before.status,
        after: after?.status,
        requestId: result.requestId ?? undefined,
      });
      return {
        ...base,
        outcome: endsLater(opts.effectiveDate ?? null) || endsLater(after?.endDate ?? null) ? 'scheduled' : 'cancelled',
        requestId: result.requestId,
        subscription: after,
      };
    });
  }

  async purchase(input: PurchaseInput): Promise<PurchaseResult> {
    const valid = validateInput(PurchaseInputSchema, input, 'purchase', 'input');
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
      const result = await this.writePurchase({ ...valid, dryRun: valid.dryRun === true });
      this.#audit({
        ...audit,
        outcome: result.outcome === 'ordered' ? 'applied' : result.outcome,
        after: { orderId: result.orderId, lines: result.lines },
        requestId: result.requestId ?? undefined,
      });
      return result;
    } catch (error) {
      if (!valid.dryRun && isAmbiguousWriteFailure(error)) {
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
      this.#audit({ ...audit, outcome: 'failed', error: errorSummary(error) });
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
    const valid = validateInput(SubscriptionRefSchema, ref, 'subscription reference', 'ref');
    const opts = validateInput(SeatOptionsSchema, options, `${operation} options`, 'options');
    this.#refuseIfReadOnly(operation);
    this.#require('setSeats', operation);
    const dryRun = opts.dryRun === true;
    const audit = this.#auditBase(operation, valid, opts.actor, dryRun);
    return seatLocks.run(this.#lockKey(valid), async () => {
      const before = await this.fetchSubscription(valid, { signal: opts.signal });
      const result = (
        outcome: SeatChangeResult['outcome'],
        requested: number,
        after: number | null,
        extra: Partial<SeatChangeResult> = {},
      ): SeatChangeResult => ({
        provider: this.provider,
        customerId: valid.customerId,
        subscriptionId: valid.subscriptionId,
        before: before.quantity,
        requested,
        after,
        outcome,
        requestId: null,
        ...extra,
      });
      if (opts.ifCurrent !== undefined && opts.ifCurrent !== before.quantity) {
        const conflict = new ConflictError(
          `${operation}: the subscription has ${before.quantity} seats, not ${opts.ifCurrent} as expected; nothing was changed`,
          {
            provider: this.provider,
            operation,
            expected: opts.ifCurrent,
            actual: before.quantity,
            hint: 'Re-read the subscription and decide again with the current seat count.',
          },
        );
        this.#audit({ ...audit, outcome: 'refused', before: before.quantity, error: errorSummary(conflict) });
        throw conflict;
      }
      let wanted: number;
      try {
        wanted = target(before.quantity);
      } catch (error) {
        this.#audit({
          ...audit,
          outcome: 'refused',
          before: before.quantity,
          error: errorSummary(nameSeatOperation(error, operation)),
        });
        throw error;
      }
      if (wanted === before.quantity) {
        this.#audit({ ...audit, outcome: 'unchanged', before: before.quantity, requested: wanted, after: wanted });
        return result('unchanged', wanted, wanted, { subscription: before });
      }
      const refusal = wanted === 0 ? this.zeroSeatsRefusal() : undefined;
      if (refusal) {
        if (!dryRun) {
          this.#audit({
            ...audit,
            outcome: 'failed',
            before: before.quantity,
            requested: wanted,
            error: errorSummary(nameSeatOperation(refusal, operation)),
          });
        }
        throw refusal;
      }
      if (dryRun) {
        await this.dryRunSeats(valid, wanted, before);
        this.#audit({ ...audit, outcome: 'dry-run', before: before.quantity, requested: wanted });
        return result('dry-run', wanted, null, { subscription: before });
      }
      const written = await this.#writeSeatsSafely(operation, valid, wanted, before, options, audit);
      if (written.kind === 'pending') {
        this.#audit({
          ...audit,
          outcome: 'pending',
          before: before.quantity,
          requested: wanted,
          requestId: written.requestId ?? undefined,
        });
        return result('pending', wanted, null, { operation: written.operation, requestId: written.requestId });
      }
      const after = written.subscription?.quantity ?? wanted;
      this.#audit({
        ...audit,
        outcome: 'applied',
        before: before.quantity,
        requested: wanted,
        after,
        requestId: written.requestId ?? undefined,
      });
      return result('applied', wanted, after, { subscription: written.subscription, requestId: written.requestId });
    });
  }

  async #writeSeatsSafely(
    operation: SeatOperation,
    ref: SubscriptionRef,
    target: number,
    before: Subscription,
    options: SeatChangeOptions,
    audit: AuditEvent,
  ): Promise<SeatWriteResult> {
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        return await this.writeSeats(ref, target, before, options);
      } catch (error) {
        if (!isAmbiguousWriteFailure(error)) {
          this.#audit({
            ...audit,
            outcome: 'failed',
            before: before.quantity,
            requested: target,
            error: errorSummary(nameSeatOperation(error, operation)),
          });
          throw error;
        }
        failure = error;
      }
      // The change may or may not have been applied: look before doing anything else.
      const unknown = (observed: unknown, cause: unknown) =>
        new WriteOutcomeUnknownError(
          `${operation}: the seat change may or may not have been applied (expected ${target}, before ${before.quantity}, observed ${String(observed)})`,
          {
            provider: this.provider,
            operation,
            before: before.quantity,
            expected: target,
            observed,
            requestId: (failure as MarketplaceError).requestId,
            hint: "Check the subscription in the vendor's portal before changing it again.",
            cause,
          },
        );
      let observed: Subscription;
      let pending: PendingOperation | undefined;
      try {
        pending = await this.findPendingChange(ref, options.signal);
        observed = await this.fetchSubscription(ref, { signal: options.signal });
      } catch (readError) {
        const e = unknown(undefined, readError);
        this.#audit({
          ...audit,
          outcome: 'unknown',
          before: before.quantity,
          requested: target,
          error: errorSummary(e),
        });
        throw e;
      }
      if (pending) return { kind: 'pending', operation: pending, requestId: null };
      if (observed.quantity === target) {
        return { kind: 'done', subscription: observed, requestId: (failure as MarketplaceError).requestId ?? null };
      }
      if (observed.quantity === before.quantity && attempt === 1) continue;
      const e = unknown(observed.quantity, failure);
      this.#audit({
        ...audit,
        outcome: 'unknown',
        before: before.quantity,
        requested: target,
        after: observed.quantity,
        error: errorSummary(e),
      });
      throw e;
    }
  }

  async #settleAmbiguousCancel(
    ref: SubscriptionRef,
    before: Subscription,
    effectiveDate: string | undefined,
    options: CancelOptions,
    failure: unknown,
    audit: AuditEvent,
  ): Promise<CancelWriteResult> {
    const unknown = (observed: unknown, cause: unknown) => {
      const e = new WriteOutcomeUnknownError(
        `cancelSubscription: the cancellation may or may not have been applied (observed status ${String(observed)})`,
        {
          provider: this.provider,
          operation: 'cancelSubscription',
          before: before.status,
          expected: 'cancelled',
          observed,
          requestId: (failure as MarketplaceError).requestId,
          hint: "Check the subscription in the vendor's portal before cancelling again.",
          cause,
        },
      );
      this.#audit({ ...audit, outcome: 'unknown', before: before.status, error: errorSummary(e) });
      return e;
    };
    let observed: Subscription;
    let pending: PendingOperation | undefined;
    try {
      pending = await this.findPendingChange(ref, options.signal);
      observed = await this.fetchSubscription(ref, { signal: options.signal });
    } catch (readError) {
      throw unknown(undefined, readError);
    }
    if (pending) return { kind: 'pending', operation: pending, requestId: null };
    if (observed.status === 'cancelled' || (observed.endDate !== null && observed.endDate !== before.endDate)) {
      return { kind: 'done', subscription: observed, requestId: null };
    }
    if (observed.status !== before.status || observed.endDate !== before.endDate)
      throw unknown(observed.status, failure);
    try {
      return await this.writeCancel(ref, effectiveDate, before, options);
    } catch (error) {
      if (isAmbiguousWriteFailure(error)) throw unknown(before.status, error);
      throw error;
    }
  }

  // ---- helpers -------------------------------------------------------------------------------------------
  /** Throws `UnsupportedOperationError` when the provider cannot do `capability`. */
  #require(capability: keyof Capabilities, operation: string = capability): void {
    if (this.capabilities[capability] === false) {
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

  #lockKey(ref: SubscriptionRef): string {
    return `${this.provider}\u0000${ref.customerId}\u0000${ref.subscriptionId}`;
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

/** Whether a cancellation date lies in the future (the subscription still runs until then). */
function endsLater(date: string | null): boolean {
  return date !== null && Date.parse(date) > Date.now();
}

function errorSummary(error: unknown): { kind: string; message: string } {
  if (error instanceof MarketplaceError) return { kind: error.kind, message: error.message };
  return { kind: 'unexpected', message: error instanceof Error ? error.message : String(error) };
}
