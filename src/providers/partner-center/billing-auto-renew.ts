import { setAutoRenewVerified } from '../../core/auto-renew.js';
import type { EventHub } from '../../core/events.js';
import type { HttpResponse } from '../../core/http.js';
import type { WriteOptions } from '../../core/marketplace-client.js';
import type { AutoRenewResult } from '../../model/operations.js';
import type { Subscription, SubscriptionRef } from '../../model/subscription.js';

/** What `setAutoRenew` needs from the Partner Center client. */
export interface PartnerCenterAutoRenewDeps {
  /** The client's subscription PATCH (its `MS-RequestId` reused on the transport's retries of a lost answer). */
  patch(
    operation: string,
    ref: SubscriptionRef,
    before: Subscription,
    change: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<HttpResponse<unknown> & { msRequestId: string }>;
  /** Reads the subscription (verification after the PATCH). */
  read(ref: SubscriptionRef): Promise<Subscription>;
  /** Maps a PATCH answer, or undefined when it is not a readable subscription. */
  mapAnswer(data: unknown, ref: SubscriptionRef, requestId: string | null): Subscription | undefined;
  events: EventHub;
  actor: string | undefined;
  /** Pauses before each verifying read (a vendor's reads may lag its writes). */
  verifyDelaysMs: readonly number[];
}

/**
 * `setAutoRenew` for Partner Center: `PATCH /customers/{c}/subscriptions/{s}` with `autoRenewEnabled` (Microsoft
 * docs, "Update autorenew"), under the write-safety rules of core/auto-renew.ts. The PATCH carries an
 * `MS-RequestId` the transport reuses if it resends a lost answer (Partner Center replays the same request).
 */
export function partnerCenterSetAutoRenew(
  deps: PartnerCenterAutoRenewDeps,
  ref: SubscriptionRef,
  enabled: boolean,
  before: Subscription,
  options: WriteOptions,
): Promise<AutoRenewResult> {
  return setAutoRenewVerified(
    {
      provider: 'partner-center',
      send: async (value, signal) => {
        const res = await deps.patch('setAutoRenew', ref, before, { autoRenewEnabled: value }, signal);
        return { status: res.status, data: res.data, requestId: res.msRequestId };
      },
      read: deps.read,
      mapAnswer: deps.mapAnswer,
      events: deps.events,
      actor: deps.actor,
      verifyDelaysMs: deps.verifyDelaysMs,
      unknownHint:
        'Read the subscription again before changing it; sending the same change again reuses its MS-RequestId.',
    },
    ref,
    enabled,
    before,
    options,
  );
}
