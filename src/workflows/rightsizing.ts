import { knownKeys, rejectUnknownKeys } from '../core/options/strict-keys.js';
import { ConflictError, MarketplaceError, ValidationError } from '../core/errors.js';
import type { Money, ProviderId } from '../model/common.js';
import type { DryRunCheckedBy, SeatChangeResult } from '../model/operations.js';
import { type CompanyReconciliation, type MoneyTotals, type SeatRelease, addMoney } from './reconcile.js';
import type { Marketplaces } from './registry.js';

/** What the dry run of a planned change said. */
export interface PlannedChangeCheck {
  /** True when the dry run passed: the change may be executed (with confirmation). */
  ok: boolean;
  /** Who checked it: the vendor, the SDK's rules, or nothing (null when the dry run failed before answering). */
  checkedBy: DryRunCheckedBy | null;
  /** The rules applied, in words. */
  rules: string[];
  /** Why it failed, when it did. */
  error?: { kind: string; message: string; hint: string | null } | undefined;
}

/** One seat decrease of the plan: from the subscription's current seats to `to`, inside an open window. */
export interface PlannedSeatChange {
  /** Its number in the plan (`1`, `2`, ...), to execute a part of it (`only`). */
  id: string;
  license: string;
  provider: ProviderId;
  customerId: string;
  subscriptionId: string;
  name: string;
  /** The seats the plan saw (sent as `ifCurrent`). */
  from: number;
  to: number;
  remove: number;
  /** The last instant of the decrease window, when the vendor says; executing after it is refused. */
  windowClosesAt: string | null;
  /** What the removed seats cost per month (null when unknown). */
  monthlySaving: Money | null;
  check: PlannedChangeCheck;
}

/** A licence the plan makes no change for, and why. */
export interface SkippedLicense {
  license: string;
  reason: string;
}

/** The seat changes to make for a company, each checked by a dry run; nothing is sent until {@link executePlan}. */
export interface RightsizingPlan {
  createdAt: string;
  company: string | null;
  tenantId: string | null;
  /** Decreases that can be made now (inside an open window), each with its dry-run check. */
  changes: PlannedSeatChange[];
  /** Unused seats that can only go at a later date (term end, or the subscription ends): not executable now. */
  later: (SeatRelease & { license: string })[];
  skipped: SkippedLicense[];
  totals: {
    seatsNow: number;
    monthlySavingNow: MoneyTotals;
    seatsLater: number;
    /** What the later seats cost until they go. */
    costUntilLater: MoneyTotals;
  };
}

/** Options of {@link buildRightsizingPlan}. */
export interface BuildPlanOptions {
  /** The marketplaces the reconciliation read (their clients run the dry runs). */
  marketplaces: Marketplaces;
  /** Who asks, for the dry runs' audit events. */
  actor?: string | undefined;
  /**
   * Check each change with a dry run (default true). `false` sends nothing at all (a read-only session): every
   * change is then unchecked (`check.ok` false) and {@link executePlan} skips it.
   */
  dryRun?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

const BUILD_KEYS = knownKeys<BuildPlanOptions>('buildRightsizingPlan options', {
  marketplaces: true,
  actor: true,
  dryRun: true,
  signal: true,
});

/**
 * The rightsizing plan of a reconciliation: for each unused seat releasable now, a seat decrease on its
 * subscription, checked by a dry run through the safe write path (`setSeats(..., { dryRun: true, ifCurrent })`,
 * whose `checkedBy` says who checked it). Seats that can go only at renewal are listed in `later`, never as a
 * change; licences that are not decidable (no Graph SKU, flagged records) are in `skipped`. Sends no change.
 */
export async function buildRightsizingPlan(
  reconciliation: CompanyReconciliation,
  options: BuildPlanOptions,
): Promise<RightsizingPlan> {
  rejectUnknownKeys(options, BUILD_KEYS, { path: 'options', operation: 'buildRightsizingPlan' });
  if (!reconciliation || !Array.isArray(reconciliation.licenses)) {
    throw new ValidationError('buildRightsizingPlan needs the result of reconcileLicenses', [
      { path: 'reconciliation', message: 'must be a reconciliation' },
    ]);
  }
  if (!options?.marketplaces) {
    throw new ValidationError('buildRightsizingPlan needs the marketplaces', [
      { path: 'options.marketplaces', message: 'is required' },
    ]);
  }
  const now = Date.parse(reconciliation.at);
  const plan: RightsizingPlan = {
    createdAt: new Date().toISOString(),
    company: reconciliation.company,
    tenantId: reconciliation.tenantId,
    changes: [],
    later: [],
    skipped: [],
    totals: { seatsNow: 0, monthlySavingNow: [], seatsLater: 0, costUntilLater: [] },
  };
  for (const l of reconciliation.licenses) {
    if (!l.decidable) {
      plan.skipped.push({ license: l.label, reason: l.notes.join('; ') || 'not decidable' });
      continue;
    }
    if (!l.unused) continue;
    for (const r of l.releases) {
      if (r.when !== 'now') {
        plan.later.push({ ...r, license: l.label });
        plan.totals.seatsLater += r.seats;
        if (r.costUntilRelease)
          addMoney(plan.totals.costUntilLater, r.costUntilRelease.amount, r.costUntilRelease.currency);
        continue;
      }
      // Belt and braces: a window that closed (or a reconciliation that says otherwise) never becomes a change.
      const sub = l.subscriptions.find((s) => s.provider === r.provider && s.subscriptionId === r.subscriptionId);
      const closes = r.windowClosesAt ? Date.parse(r.windowClosesAt) : null;
      if (sub?.window.state !== 'open' || (closes !== null && closes <= now)) {
        plan.skipped.push({ license: l.label, reason: `${r.subscriptionId}: its decrease window is not open` });
        continue;
      }
      plan.changes.push({
        id: String(plan.changes.length + 1),
        license: l.label,
        provider: r.provider,
        customerId: r.customerId,
        subscriptionId: r.subscriptionId,
        name: r.name,
        from: r.currentSeats,
        to: r.currentSeats - r.seats,
        remove: r.seats,
        windowClosesAt: r.windowClosesAt,
        monthlySaving: r.monthlyCost,
        check: { ok: false, checkedBy: null, rules: [] },
      });
    }
  }
  // Every change is dry-run through the client's own safe write path, one after another (same vendor limits).
  for (const c of plan.changes) {
    if (options.dryRun === false) {
      c.check = {
        ok: false,
        checkedBy: null,
        rules: [],
        error: { kind: 'unchecked', message: 'not checked (dryRun: false): plan again with dry runs', hint: null },
      };
      continue;
    }
    c.check = await dryRun(options, c);
    if (c.check.ok) {
      plan.totals.seatsNow += c.remove;
      if (c.monthlySaving) addMoney(plan.totals.monthlySavingNow, c.monthlySaving.amount, c.monthlySaving.currency);
    }
  }
  return plan;
}

async function dryRun(options: BuildPlanOptions, c: PlannedSeatChange): Promise<PlannedChangeCheck> {
  const client = options.marketplaces.get(c.provider);
  if (!client) {
    return {
      ok: false,
      checkedBy: null,
      rules: [],
      error: { kind: 'configuration', message: `no ${c.provider} client is configured`, hint: null },
    };
  }
  try {
    const r = await client.setSeats({ customerId: c.customerId, subscriptionId: c.subscriptionId }, c.to, {
      dryRun: true,
      ifCurrent: c.from,
      actor: options.actor,
      signal: options.signal,
    });
    return { ok: r.outcome === 'dry-run', checkedBy: r.checkedBy ?? null, rules: r.rules ?? [] };
  } catch (error) {
    if (!(error instanceof MarketplaceError)) throw error;
    return {
      ok: false,
      checkedBy: null,
      rules: [],
      error: { kind: error.kind, message: error.message, hint: error.hint ?? null },
    };
  }
}

/** Options of {@link executePlan}. */
export interface ExecutePlanOptions {
  /** Must be `true`: executing changes seats (and money). Without it nothing is sent. */
  confirm: boolean;
  /** The marketplaces to send the changes through (the same as for the plan). */
  marketplaces: Marketplaces;
  /** Only these change ids (default: every change whose dry run passed). */
  only?: readonly string[] | undefined;
  /** Refuse a plan older than this (default 1 hour): seats and assignments move. */
  maxAgeMs?: number | undefined;
  /** Who executes, for the audit events. */
  actor?: string | undefined;
  /** The clock (default `Date.now`). */
  now?: (() => number) | undefined;
  signal?: AbortSignal | undefined;
}

/** What happened to one planned change. */
export interface ExecutedChange {
  change: PlannedSeatChange;
  /** `applied`/`pending`/`unchanged` as the vendor answered; `skipped` (not sent) or `failed`. */
  outcome: SeatChangeResult['outcome'] | 'skipped' | 'failed';
  reason: string;
  result?: SeatChangeResult | undefined;
  error?: { kind: string; message: string; hint: string | null } | undefined;
}

const EXECUTE_KEYS = knownKeys<ExecutePlanOptions>('executePlan options', {
  confirm: true,
  marketplaces: true,
  only: true,
  maxAgeMs: true,
  actor: true,
  now: true,
  signal: true,
});

/**
 * Executes a rightsizing plan: each change whose dry run passed, as `setSeats(to, { ifCurrent: from })`, so a
 * subscription whose seats changed since the plan is left alone (conflict). A change whose window has closed is
 * skipped, never sent. Throws {@link ValidationError} before sending anything unless `confirm: true`, or when the
 * plan is older than `maxAgeMs`. One change failing does not stop the others; each outcome is returned.
 */
export async function executePlan(plan: RightsizingPlan, options: ExecutePlanOptions): Promise<ExecutedChange[]> {
  rejectUnknownKeys(options, EXECUTE_KEYS, { path: 'options', operation: 'executePlan' });
  if (options?.confirm !== true) {
    throw new ValidationError('executePlan refused: pass { confirm: true } to change seats; nothing was sent', [
      { path: 'options.confirm', message: 'must be true' },
    ]);
  }
  if (!plan || !Array.isArray(plan.changes)) {
    throw new ValidationError('executePlan needs a plan from buildRightsizingPlan', [
      { path: 'plan', message: 'must be a plan' },
    ]);
  }
  if (!options.marketplaces) {
    throw new ValidationError('executePlan needs the marketplaces', [
      { path: 'options.marketplaces', message: 'is required' },
    ]);
  }
  const clock = options.now ?? Date.now;
  const maxAge = options.maxAgeMs ?? 3_600_000;
  const age = clock() - Date.parse(plan.createdAt);
  if (!(age <= maxAge)) {
    throw new ValidationError(
      `executePlan refused: the plan is ${Math.round(age / 60_000)} minute(s) old (limit ${Math.round(maxAge / 60_000)}); reconcile and plan again. Nothing was sent`,
      [{ path: 'plan.createdAt', message: 'too old' }],
    );
  }
  const only = options.only ? new Set(options.only) : null;
  if (only) {
    const unknown = [...only].filter((id) => !plan.changes.some((c) => c.id === id));
    if (unknown.length) {
      throw new ValidationError(`executePlan: unknown change id(s) ${unknown.join(', ')}; nothing was sent`, [
        { path: 'options.only', message: 'must name changes of the plan' },
      ]);
    }
  }
  const results: ExecutedChange[] = [];
  for (const change of plan.changes) {
    if (only && !only.has(change.id)) continue;
    if (!change.check.ok) {
      results.push({ change, outcome: 'skipped', reason: 'its dry run did not pass' });
      continue;
    }
    if (change.windowClosesAt && Date.parse(change.windowClosesAt) <= clock()) {
      results.push({ change, outcome: 'skipped', reason: `its decrease window closed at ${change.windowClosesAt}` });
      continue;
    }
    const client = options.marketplaces.get(change.provider);
    if (!client) {
      results.push({ change, outcome: 'skipped', reason: `no ${change.provider} client is configured` });
      continue;
    }
    try {
      const result = await client.setSeats(
        { customerId: change.customerId, subscriptionId: change.subscriptionId },
        change.to,
        { ifCurrent: change.from, actor: options.actor, signal: options.signal },
      );
      results.push({ change, outcome: result.outcome, reason: `${change.from} -> ${change.to} seats`, result });
    } catch (error) {
      if (!(error instanceof MarketplaceError)) throw error;
      const reason =
        error instanceof ConflictError
          ? 'the seats changed since the plan: nothing was changed; reconcile and plan again'
          : error.message;
      results.push({
        change,
        outcome: 'failed',
        reason,
        error: { kind: error.kind, message: error.message, hint: error.hint ?? null },
      });
    }
  }
  return results;
}
