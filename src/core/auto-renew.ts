import type { ProviderId } from '../model/common.js';
import type { AutoRenewResult } from '../model/operations.js';
import type { Subscription, SubscriptionRef } from '../model/subscription.js';
import { BusinessRuleError, MarketplaceError, WriteOutcomeUnknownError, isAmbiguousWriteFailure } from './errors.js';
import type { AuditEvent, EventHub } from './events.js';
import type { WriteOptions } from './marketplace-client.js';
import { sleep } from './sleep.js';

/** The vendor's answer to an auto-renew change: its HTTP status, body and request id. */
export interface AutoRenewAnswer {
  status: number;
  data: unknown;
  requestId: string | null;
}

/** What {@link setAutoRenewVerified} needs from a provider. */
export interface AutoRenewDeps {
  provider: ProviderId;
  /** Sends the change once (retried by the transport only where the vendor makes it idempotent). */
  send(enabled: boolean, signal?: AbortSignal): Promise<AutoRenewAnswer>;
  /** Reads the subscription (verification after the PATCH). */
  read(ref: SubscriptionRef): Promise<Subscription>;
  /** Maps the answer, or undefined when it is not a readable subscription. */
  mapAnswer(data: unknown, ref: SubscriptionRef, requestId: string | null): Subscription | undefined;
  events: EventHub;
  actor: string | undefined;
  /** Pauses before each verifying read (a vendor's reads may lag its writes). */
  verifyDelaysMs: readonly number[];
  /** What to tell the caller when the outcome is unknown (how sending again behaves at this vendor). */
  unknownHint: string;
}

/** Why a vendor would refuse an auto-renew change on this subscription (it is not live), if the SDK knows. */
function refusal(before: Subscription): string | undefined {
  if (before.status === 'cancelled' || before.status === 'expired') {
    return `the subscription is ${before.status}: only a live subscription renews`;
  }
  if (before.status === 'pending') return 'the subscription is still being provisioned';
  return undefined;
}

/**
 * `setAutoRenew` with the write-safety rules (issue 18): already in the asked state -> `unchanged`, nothing sent;
 * dry run -> nothing sent (the SDK checks the subscription is live); the change counts as applied only once the
 * answer or a read shows it; an answer lost after the request left is settled by reading (never reported failed,
 * never sent again by the SDK); no read showing it -> `WriteOutcomeUnknownError`. One `audit` event per call.
 */
export async function setAutoRenewVerified(
  deps: AutoRenewDeps,
  ref: SubscriptionRef,
  enabled: boolean,
  before: Subscription,
  options: WriteOptions,
): Promise<AutoRenewResult> {
  const dryRun = options.dryRun === true;
  const audit: AuditEvent = {
    provider: deps.provider,
    operation: 'setAutoRenew',
    actor: options.actor ?? deps.actor,
    customerId: ref.customerId,
    subscriptionId: ref.subscriptionId,
    dryRun,
    outcome: 'failed',
    before: before.autoRenew,
    requested: enabled,
    at: new Date().toISOString(),
  };
  const emit = (event: Partial<AuditEvent>) =>
    deps.events.emit('audit', { ...audit, ...event, at: new Date().toISOString() });
  const result = (outcome: AutoRenewResult['outcome'], after: boolean | null, requestId: string | null) =>
    ({
      provider: deps.provider as ProviderId,
      customerId: ref.customerId,
      subscriptionId: ref.subscriptionId,
      before: before.autoRenew,
      requested: enabled,
      after,
      outcome,
      requestId,
    }) satisfies AutoRenewResult;

  if (before.autoRenew === enabled) {
    emit({ outcome: 'unchanged', after: enabled });
    return {
      ...result('unchanged', enabled, null),
      ...(dryRun
        ? { checked: { checkedBy: 'sdk' as const, rules: [`auto-renew is already ${enabled ? 'on' : 'off'}`] } }
        : {}),
    };
  }
  const refused = refusal(before);
  if (dryRun) {
    if (refused) {
      const e = new BusinessRuleError(`setAutoRenew (dry run): the change would be refused: ${refused}`, {
        provider: deps.provider,
        operation: 'setAutoRenew',
      });
      emit({ outcome: 'refused', error: { kind: e.kind, message: e.message } });
      throw e;
    }
    emit({ outcome: 'dry-run' });
    return {
      ...result('dry-run', null, null),
      // No vendor dry run for this change: the SDK checked the subscription's state only.
      checked: { checkedBy: 'sdk', rules: [`the subscription is ${before.status}: auto-renew can be changed`] },
    };
  }

  const verify = async (requestId: string | null, cause?: unknown): Promise<AutoRenewResult> => {
    let observed: Subscription | undefined;
    let lastError: unknown = cause;
    for (const delay of deps.verifyDelaysMs) {
      await sleep(delay);
      try {
        observed = await deps.read(ref);
        if (observed.autoRenew === enabled) {
          emit({ outcome: 'applied', after: enabled, requestId: requestId ?? undefined });
          return result('applied', enabled, requestId);
        }
      } catch (error) {
        lastError = error;
      }
    }
    const e = new WriteOutcomeUnknownError(
      `setAutoRenew: the change to auto-renew ${enabled ? 'on' : 'off'} was sent, but ${observed ? `the subscription still reads ${observed.autoRenew === null ? 'unknown' : observed.autoRenew ? 'on' : 'off'}` : 'the subscription could not be read back'}`,
      {
        provider: deps.provider,
        operation: 'setAutoRenew',
        before: before.autoRenew,
        expected: enabled,
        observed: observed?.autoRenew,
        requestId: requestId ?? undefined,
        hint: deps.unknownHint,
        cause: lastError instanceof MarketplaceError ? lastError : undefined,
      },
    );
    emit({ outcome: 'unknown', error: { kind: e.kind, message: e.message } });
    throw e;
  };

  let res: AutoRenewAnswer;
  try {
    res = await deps.send(enabled, options.signal);
  } catch (error) {
    // Sent and unanswered (timeout, reset, 5xx after whatever retries the vendor's idempotency allows): the change
    // may be in place, so it is settled by reading, not reported failed and not sent again.
    if (isAmbiguousWriteFailure(error)) return verify(null, error);
    emit({
      outcome: 'failed',
      error: {
        kind: error instanceof MarketplaceError ? error.kind : 'unexpected',
        message: String((error as Error)?.message ?? error),
      },
    });
    throw error;
  }
  const echoed = res.status === 200 ? deps.mapAnswer(res.data, ref, res.requestId) : undefined;
  if (echoed?.autoRenew === enabled) {
    emit({ outcome: 'applied', after: enabled, requestId: res.requestId ?? undefined });
    return result('applied', enabled, res.requestId);
  }
  // 202 (still in progress), an empty or unreadable answer, or one that does not show the change: read it.
  return verify(res.requestId);
}
