import { type OptionKeys, knownKeys, rejectUnknownKeys } from '../core/options/strict-keys.js';
import { BusinessRuleError, ConflictError, TimeoutError, ValidationError } from '../core/errors.js';
import { sleep as coreSleep } from '../core/sleep.js';
import type { GraphClient } from '../graph/client.js';
import { NoFreeSeatsError } from '../graph/errors.js';
import type { SubscribedSku } from '../graph/map.js';
import { problemFields } from '../model/common.js';
import type { SeatChangeResult } from '../model/operations.js';
import type { Subscription } from '../model/subscription.js';
import { type LicenseQuery, listLicenseSubscriptions } from './license-subscriptions.js';
import type { CompanyRef, Marketplaces } from './registry.js';
import {
  DEFAULT_ADD_POLICY,
  DEFAULT_REMOVE_POLICY,
  NoEligibleSubscriptionError,
  type Selection,
  type SelectionPolicy,
  selectSubscription,
} from './select-subscription.js';

/** A step of onboarding or offboarding, reported as it happens. */
export type LifecycleStep =
  | 'checked-user'
  | 'checked-seats'
  | 'selected-subscription'
  | 'commitment-warning'
  | 'seat-added'
  | 'conflict'
  | 'waiting-for-graph'
  | 'seat-visible'
  | 'assigned'
  | 'seat-taken'
  | 'unassigned'
  | 'seat-released'
  | 'seat-kept';

/** A progress event of {@link onboardUser} / {@link offboardUser}. */
export interface LifecycleProgress {
  step: LifecycleStep;
  /** What happened, in words. */
  message: string;
  /** When (ISO, from the injected clock). */
  at: string;
  /** Free seats of the license in Graph, when just read. */
  freeSeats?: number | undefined;
  /** For `waiting-for-graph`: how long the wait has lasted. */
  waitedMs?: number | undefined;
}

/** What both workflows need. */
export interface SeatLifecycleInput {
  /** The configured marketplaces. */
  marketplaces: Marketplaces;
  /** A Graph client of the company's tenant. */
  graph: GraphClient;
  /** The company (its marketplace ids). */
  company: CompanyRef;
  /** The license: matched against marketplace subscriptions; its `skuId`/`skuPartNumber` names the Graph SKU. */
  license: LicenseQuery;
  /** The Graph user (id or userPrincipalName). */
  userId: string;
  /** The Graph SKU (GUID); default the license's `skuId`, else looked up by its `skuPartNumber`. */
  skuId?: string | undefined;
  /**
   * How many conflicts to absorb by re-reading and deciding again (onboarding default 10, offboarding 5). Waits are
   * bounded by time (`waitTimeoutMs`), not by this.
   */
  maxRounds?: number | undefined;
  /** Reports each step. */
  onProgress?: ((event: LifecycleProgress) => void) | undefined;
  /** Decide and report, change nothing. */
  dryRun?: boolean | undefined;
  /** Who is acting, for audit events. */
  actor?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Waits `ms` (default: a real timer; inject one for tests). */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** The clock in ms (default `Date.now`). */
  now?: (() => number) | undefined;
}

/** Options of {@link onboardUser}. */
export interface OnboardUserInput extends SeatLifecycleInput {
  /** Which subscription gets the new seat (default {@link DEFAULT_ADD_POLICY}: monthly first). */
  policy?: SelectionPolicy | undefined;
  /** Service plans (GUIDs) to turn off in the assigned license. */
  disabledPlans?: readonly string[] | undefined;
  /** How long to wait for Graph to show a bought seat (default 15 minutes). */
  waitTimeoutMs?: number | undefined;
  /** How often to look (default 15 s). */
  pollIntervalMs?: number | undefined;
  /**
   * When the marketplaces show more seats than Graph has enabled, treat the difference as seats on their way
   * (bought by an earlier or concurrent run) and wait instead of buying another (default true). This is what
   * makes a rerun after a timeout safe. Turn off only if the totals never agree for other reasons.
   */
  waitForPendingSeats?: boolean | undefined;
}

/** What {@link onboardUser} did. */
export interface OnboardResult {
  /** `assigned`: this run assigned the license; `already-assigned`: nothing to do; `dry-run`: see `plan`. */
  outcome: 'assigned' | 'already-assigned' | 'dry-run';
  userId: string;
  skuId: string;
  /** What a dry run would do. */
  plan?: 'assign-free-seat' | 'add-seat-then-assign' | 'wait-for-pending-seat' | undefined;
  /** The seats this run added (usually none or one). */
  seatChanges: SeatChangeResult[];
  /** The subscription choice, when a seat was (or would be) added. */
  selection: Selection | null;
  /** Why it ended this way, in words. */
  reason: string;
  /** Every progress event, in order. */
  progress: LifecycleProgress[];
}

/** Options of {@link offboardUser}. */
export interface OffboardUserInput extends SeatLifecycleInput {
  /** `if-allowed` (default): release the freed seat when the policy and the commitment allow; `never`: keep it. */
  releaseSeat?: 'if-allowed' | 'never' | undefined;
  /** Which subscription gives up the seat (default {@link DEFAULT_REMOVE_POLICY}: decreasable now first). */
  policy?: SelectionPolicy | undefined;
}

/** What {@link offboardUser} did. */
export interface OffboardResult {
  /** `unassigned`: this run removed the license; `not-assigned`: the user did not have it; `dry-run`. */
  outcome: 'unassigned' | 'not-assigned' | 'dry-run';
  userId: string;
  skuId: string;
  /** Whether a marketplace seat was released, and why (not). */
  seat: { released: boolean; reason: string; change?: SeatChangeResult | undefined; selection?: Selection | undefined };
  progress: LifecycleProgress[];
}

/** Graph did not show the bought seat in time. The seat was bought; a rerun waits for it instead of buying again. */
export class SeatPropagationTimeoutError extends TimeoutError {
  /** The seat changes this run made. */
  readonly seatChanges: SeatChangeResult[];
  constructor(message: string, seatChanges: SeatChangeResult[]) {
    super(message, {
      operation: 'onboardUser',
      retryable: true,
      hint: 'The seat was bought but Microsoft 365 does not show it yet. Run onboardUser again later: it waits for the seat instead of buying another.',
    });
    this.seatChanges = seatChanges;
  }
}

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class Run {
  readonly progress: LifecycleProgress[] = [];
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  constructor(readonly input: SeatLifecycleInput) {
    this.now = input.now ?? Date.now;
    this.sleep = input.sleep ?? coreSleep;
  }
  emit(step: LifecycleStep, message: string, extra: Partial<LifecycleProgress> = {}): void {
    const event: LifecycleProgress = { step, message, at: new Date(this.now()).toISOString(), ...extra };
    this.progress.push(event);
    try {
      this.input.onProgress?.(event);
    } catch {
      // An observer's bug must not change the outcome.
    }
  }
}

const SEAT_LIFECYCLE_KEYS: OptionKeys<SeatLifecycleInput> = {
  marketplaces: true,
  graph: true,
  company: true,
  license: true,
  userId: true,
  skuId: true,
  maxRounds: true,
  onProgress: true,
  dryRun: true,
  actor: true,
  signal: true,
  sleep: true,
  now: true,
};
const ONBOARD_KEYS = knownKeys<OnboardUserInput>('onboardUser input', {
  ...SEAT_LIFECYCLE_KEYS,
  policy: true,
  disabledPlans: true,
  waitTimeoutMs: true,
  pollIntervalMs: true,
  waitForPendingSeats: true,
});
const OFFBOARD_KEYS = knownKeys<OffboardUserInput>('offboardUser input', {
  ...SEAT_LIFECYCLE_KEYS,
  releaseSeat: true,
  policy: true,
});

function validateCommon(input: SeatLifecycleInput): void {
  const issues = [];
  if (!input || typeof input !== 'object') throw new ValidationError('Missing input', []);
  if (!input.marketplaces) issues.push({ path: 'marketplaces', message: 'is required' });
  if (!input.graph) issues.push({ path: 'graph', message: 'is required' });
  if (!input.company) issues.push({ path: 'company', message: 'is required' });
  if (typeof input.userId !== 'string' || input.userId.trim() === '')
    issues.push({ path: 'userId', message: 'is required' });
  if (input.skuId !== undefined && !GUID_RE.test(input.skuId))
    issues.push({ path: 'skuId', message: 'must be a GUID' });
  const r = input.maxRounds;
  if (r !== undefined && !(Number.isInteger(r) && r >= 1 && r <= 50))
    issues.push({ path: 'maxRounds', message: 'must be 1..50' });
  if (issues.length)
    throw new ValidationError(`Invalid input: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues);
}

/** The Graph SKU of the license. */
async function resolveSku(input: SeatLifecycleInput): Promise<string> {
  const fromLicense = typeof input.license === 'object' ? input.license : undefined;
  const direct = input.skuId ?? fromLicense?.skuId;
  if (direct) {
    if (!GUID_RE.test(direct))
      throw new ValidationError('Invalid skuId: must be a GUID', [
        { path: 'license.skuId', message: 'must be a GUID' },
      ]);
    return direct.toLowerCase();
  }
  if (fromLicense?.skuPartNumber) {
    return (await input.graph.getSubscribedSku(fromLicense.skuPartNumber, { signal: input.signal })).skuId;
  }
  throw new ValidationError('Which Microsoft 365 license? Give skuId (or license.skuId / license.skuPartNumber)', [
    { path: 'skuId', message: 'is required to assign in Microsoft Graph' },
  ]);
}

/**
 * Item tolerance (#17): seat counts the SDK could not read never decide a purchase or a release. Graph's pool
 * flagged on its counts, or a subscription of the license flagged, stops the run before any write.
 */
function unreadableSeats(sku: SubscribedSku): string | undefined {
  const fields = (sku.problems ?? []).map((p) => p.field);
  return fields.length
    ? `Graph's license pool ${sku.skuPartNumber || sku.id} could not be fully read (${fields.join(', ')})`
    : undefined;
}

function refuseUnreadable(operation: string, why: string): never {
  throw new ConflictError(`${operation}: ${why}; nothing was bought, released or assigned`, {
    operation,
    code: 'RECORD_UNREADABLE',
    hint: "The vendor's record could not be read (see its `problems` and `raw`): check it in the vendor's portal, then run again.",
  });
}

function unreadableSubscriptions(listed: { unreadable?: readonly Subscription[] | undefined }): string | undefined {
  const subs = listed.unreadable ?? [];
  if (!subs.length) return undefined;
  return `${subs.length} subscription(s) of this license could not be fully read (${subs
    .map((s) => `${s.provider} ${s.id || '(without id)'}: ${problemFields(s).join(', ')}`)
    .join('; ')}), so the seats bought are not known`;
}

function purchasedSeats(subs: readonly Subscription[]): number {
  return subs.filter((s) => s.status === 'active' || s.status === 'pending').reduce((n, s) => n + s.quantity, 0);
}

/**
 * Gives a user a Microsoft 365 license, buying a seat when none is free:
 * 1. If the user has the license already: done (`already-assigned`), so running twice is safe.
 * 2. If Graph shows a free seat: assign it. If another run takes it first, decide again.
 * 3. Otherwise add one seat on the subscription the policy picks (default: the monthly one), conditional on the
 *    seat count just read (`ifCurrent`): when two runs race, one wins and the other re-reads and decides again,
 *    so two onboardings buy two seats, never one or three.
 * 4. Wait (bounded, with `waiting-for-graph` progress) until Graph shows the seat, then assign.
 * When the marketplaces show more seats than Graph has enabled, the difference is treated as seats on their
 * way: the run waits rather than buying again (see `waitForPendingSeats`).
 */
export async function onboardUser(input: OnboardUserInput): Promise<OnboardResult> {
  rejectUnknownKeys(input, ONBOARD_KEYS, { operation: 'onboardUser' });
  validateCommon(input);
  const run = new Run(input);
  const { graph, userId, signal } = input;
  const maxRounds = input.maxRounds ?? 10;
  const timeoutMs = input.waitTimeoutMs ?? 15 * 60_000;
  const pollMs = input.pollIntervalMs ?? 15_000;
  const policy = input.policy ?? DEFAULT_ADD_POLICY;
  const skuId = await resolveSku(input);
  const seatChanges: SeatChangeResult[] = [];
  let selection: Selection | null = null;
  const result = (outcome: OnboardResult['outcome'], reason: string, plan?: OnboardResult['plan']): OnboardResult => ({
    outcome,
    userId,
    skuId,
    plan,
    seatChanges,
    selection,
    reason,
    progress: run.progress,
  });

  const details = await graph.getAssignedLicenses(userId, { signal }); // app-only safe (not licenseDetails)
  if (details.some((d) => d.skuId === skuId)) {
    run.emit('checked-user', `${userId} already has license ${skuId}`);
    return result('already-assigned', `${userId} already has the license; nothing to do`);
  }
  run.emit('checked-user', `${userId} does not have license ${skuId} yet`);

  const started = run.now();
  const waitFor = async (target: number, why: string): Promise<SubscribedSku> => {
    for (;;) {
      const sku = await graph.getSubscribedSku(skuId, { signal });
      const unread = unreadableSeats(sku);
      if (unread) refuseUnreadable('onboardUser', unread);
      const waited = run.now() - started;
      if (sku.freeSeats > 0 || sku.enabled >= target) {
        run.emit('seat-visible', `Graph shows ${sku.enabled} enabled, ${sku.freeSeats} free`, {
          freeSeats: sku.freeSeats,
        });
        return sku;
      }
      if (waited >= timeoutMs) {
        throw new SeatPropagationTimeoutError(
          `onboardUser: after ${Math.round(waited / 1000)} s Graph still shows ${sku.enabled} enabled seats of ${sku.skuPartNumber}, waiting for ${target} (${why})`,
          seatChanges,
        );
      }
      run.emit('waiting-for-graph', `waiting for ${target} enabled seats (Graph shows ${sku.enabled}): ${why}`, {
        freeSeats: sku.freeSeats,
        waitedMs: waited,
      });
      await run.sleep(Math.min(pollMs, Math.max(1, timeoutMs - waited)), signal);
    }
  };

  let conflicts = 0;
  // Right after losing an `ifCurrent` race, the seat on its way is the winner's: buy our own instead of waiting.
  let afterConflict = false;
  // A safety net only: every path below either makes progress, sleeps, or counts a conflict.
  for (let step = 1; step <= maxRounds * 10; step++) {
    const sku = await graph.getSubscribedSku(skuId, { signal });
    const skuUnread = unreadableSeats(sku);
    if (skuUnread) refuseUnreadable('onboardUser', skuUnread);
    run.emit(
      'checked-seats',
      `${sku.skuPartNumber}: ${sku.enabled} enabled, ${sku.consumed} assigned, ${sku.freeSeats} free`,
      {
        freeSeats: sku.freeSeats,
      },
    );
    if (sku.freeSeats > 0) {
      if (input.dryRun) return result('dry-run', `a seat is free: would assign it to ${userId}`, 'assign-free-seat');
      try {
        await graph.assignLicense(
          userId,
          { add: [{ skuId, disabledPlans: input.disabledPlans }], remove: [] },
          { actor: input.actor, signal },
        );
      } catch (error) {
        if (!(error instanceof NoFreeSeatsError)) throw error;
        run.emit('seat-taken', 'the free seat was taken by someone else before the assignment; deciding again');
        continue;
      }
      run.emit('assigned', `assigned ${sku.skuPartNumber} to ${userId}`);
      const bought = seatChanges.length ? ` after adding ${seatChanges.length} seat(s)` : ' (a seat was free)';
      return result('assigned', `assigned ${sku.skuPartNumber} to ${userId}${bought}`);
    }
    const listed = await listLicenseSubscriptions(input.marketplaces, input.company, input.license, { signal });
    const subsUnread = unreadableSubscriptions(listed);
    if (subsUnread) refuseUnreadable('onboardUser', subsUnread);
    const purchased = purchasedSeats(listed.subscriptions);
    if ((input.waitForPendingSeats ?? true) && purchased > sku.enabled && !afterConflict) {
      const why = `the marketplaces show ${purchased} seats and Graph ${sku.enabled}: seats are on their way`;
      if (input.dryRun) return result('dry-run', `${why}; would wait for them and assign`, 'wait-for-pending-seat');
      await waitFor(purchased, why);
      continue;
    }
    afterConflict = false;
    selection = selectSubscription(listed.subscriptions, policy, { now: new Date(run.now()) });
    const target = selection.subscription;
    run.emit('selected-subscription', selection.reason);
    // Seats going into a commitment longer than a month: said as its own event, with the removal dates.
    for (const w of selection.warnings) run.emit('commitment-warning', w.message);
    if (input.dryRun) {
      return result('dry-run', `no free seat: would add one seat: ${selection.reason}`, 'add-seat-then-assign');
    }
    const client = input.marketplaces.require(target.provider);
    let change: SeatChangeResult;
    try {
      change = await client.addSeats({ customerId: target.customerId, subscriptionId: target.id }, 1, {
        ifCurrent: target.quantity,
        actor: input.actor,
        signal,
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      conflicts += 1;
      if (conflicts > maxRounds) break;
      run.emit(
        'conflict',
        `the seat count of ${target.id} changed meanwhile (${error.message}); re-reading and deciding again`,
      );
      afterConflict = true;
      continue;
    }
    seatChanges.push(change);
    run.emit(
      'seat-added',
      `${target.provider} ${target.id}: ${change.before} -> ${change.after ?? change.requested} seats (${change.outcome})`,
    );
    if (change.operation) {
      await change.operation.waitForCompletion({ signal });
    }
    await waitFor(sku.enabled + 1, `the seat just added to ${target.id}`);
  }
  throw new ConflictError(`onboardUser: gave up after ${conflicts} conflicting seat changes; nothing more was bought`, {
    operation: 'onboardUser',
    hint: 'Many changes are happening on this license at once. Run again; it will not buy a seat twice.',
    actual: seatChanges.length,
  });
}

/**
 * Takes a Microsoft 365 license away from a user, then releases the freed seat at the marketplace when the
 * policy and the commitment allow (otherwise `seat.reason` says why it stays):
 * - the seat is released only by the run that removed the license, and only while Graph still shows it free
 *   (not taken by someone else meanwhile), so running twice never releases two seats;
 * - the decrease is conditional on the seat count just read; on a conflict it re-reads and decides again;
 * - a vendor refusal (e.g. outside the commitment's cancellation window) is reported, not thrown.
 */
export async function offboardUser(input: OffboardUserInput): Promise<OffboardResult> {
  rejectUnknownKeys(input, OFFBOARD_KEYS, { operation: 'offboardUser' });
  validateCommon(input);
  const run = new Run(input);
  const { graph, userId, signal } = input;
  const maxRounds = input.maxRounds ?? 5;
  const policy = input.policy ?? DEFAULT_REMOVE_POLICY;
  const skuId = await resolveSku(input);
  const result = (outcome: OffboardResult['outcome'], seat: OffboardResult['seat']): OffboardResult => {
    run.emit(seat.released ? 'seat-released' : 'seat-kept', seat.reason);
    return { outcome, userId, skuId, seat, progress: run.progress };
  };

  const details = await graph.getAssignedLicenses(userId, { signal }); // app-only safe (not licenseDetails)
  const has = details.some((d) => d.skuId === skuId);
  run.emit('checked-user', has ? `${userId} has license ${skuId}` : `${userId} does not have license ${skuId}`);
  if (!has) {
    return result('not-assigned', {
      released: false,
      reason: 'the user did not have the license, so this run freed no seat and releases none',
    });
  }
  if (input.dryRun) {
    const would =
      input.releaseSeat === 'never' ? 'keep the seat (releaseSeat: never)' : 'then release a seat if allowed';
    return result('dry-run', { released: false, reason: `dry run: would unassign the license, ${would}` });
  }
  await graph.assignLicense(userId, { add: [], remove: [skuId] }, { actor: input.actor, signal });
  run.emit('unassigned', `removed ${skuId} from ${userId}`);
  if (input.releaseSeat === 'never') {
    return result('unassigned', { released: false, reason: 'releaseSeat is never: the seat stays for the next user' });
  }

  for (let round = 1; round <= maxRounds; round++) {
    const sku = await graph.getSubscribedSku(skuId, { signal });
    const skuUnread = unreadableSeats(sku);
    if (skuUnread) {
      return result('unassigned', { released: false, reason: `the seat stays: ${skuUnread}` });
    }
    run.emit(
      'checked-seats',
      `${sku.skuPartNumber}: ${sku.enabled} enabled, ${sku.consumed} assigned, ${sku.freeSeats} free`,
      {
        freeSeats: sku.freeSeats,
      },
    );
    if (sku.freeSeats <= 0) {
      return result('unassigned', {
        released: false,
        reason: 'the freed seat was already taken by another user; nothing to release',
      });
    }
    const listed = await listLicenseSubscriptions(input.marketplaces, input.company, input.license, { signal });
    let selection: Selection;
    try {
      selection = selectSubscription(listed.subscriptions, policy);
    } catch (error) {
      if (!(error instanceof NoEligibleSubscriptionError)) throw error;
      return result('unassigned', { released: false, reason: `the seat stays: ${error.message}` });
    }
    run.emit('selected-subscription', selection.reason);
    const target = selection.subscription;
    try {
      const change = await input.marketplaces
        .require(target.provider)
        .removeSeats({ customerId: target.customerId, subscriptionId: target.id }, 1, {
          ifCurrent: target.quantity,
          actor: input.actor,
          signal,
        });
      return result('unassigned', {
        released: true,
        reason: `released one seat: ${target.provider} ${target.id} ${change.before} -> ${change.after ?? change.requested} (${change.outcome})`,
        change,
        selection,
      });
    } catch (error) {
      if (error instanceof ConflictError) {
        run.emit('conflict', `the seat count of ${target.id} changed meanwhile; re-reading and deciding again`);
        continue;
      }
      if (error instanceof BusinessRuleError || error instanceof ValidationError) {
        return result('unassigned', {
          released: false,
          reason: `the seat stays: ${target.provider} refused the decrease (${error.message})${error.hint ? `; ${error.hint}` : ''}`,
          selection,
        });
      }
      throw error;
    }
  }
  return result('unassigned', {
    released: false,
    reason: `the seat stays: gave up after ${maxRounds} conflicting changes; release it later (drift reports unused seats)`,
  });
}
