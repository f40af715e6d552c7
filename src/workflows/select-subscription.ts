import { ConflictError, ValidationError } from '../core/errors.js';
import type { ProviderId } from '../model/common.js';
import {
  type BillingTerm,
  BillingTermSchema,
  type Subscription,
  type SubscriptionStatus,
} from '../model/subscription.js';

/**
 * One preference of a {@link SelectionPolicy}. Preferences are applied in order; each keeps only the candidates
 * that satisfy it best, and a preference that no candidate satisfies is skipped (the next one decides): that is
 * how "monthly first, otherwise the one with most seats" is written.
 */
export type Preference =
  /** Keep subscriptions with one of these billing terms; earlier terms win. */
  | { kind: 'billingTerm'; terms: readonly BillingTerm[] }
  /** Keep subscriptions whose seats can be decreased now (`constraints.canDecrease === true`). */
  | { kind: 'decreasableNow' }
  /** Keep subscriptions whose seats can be increased now (`constraints.canIncrease !== false`). */
  | { kind: 'increasableNow' }
  /** Keep the one(s) with the most seats. */
  | { kind: 'mostSeats' }
  /** Keep the one(s) with the fewest seats. */
  | { kind: 'fewestSeats' }
  /** Keep the one(s) renewing soonest (unknown renewal dates last). */
  | { kind: 'soonestRenewal' }
  /** Keep the one(s) with the shortest commitment (no commitment first). */
  | { kind: 'shortestCommitment' }
  /** Keep subscriptions of these providers; earlier providers win. */
  | { kind: 'provider'; providers: readonly ProviderId[] }
  /** Keep subscriptions for which `test` is true; `description` is used in the reason. */
  | {
      kind: 'predicate';
      /** True to keep the subscription. */
      test: (s: Subscription) => boolean;
      description: string;
    };

/** Hard requirements: a subscription failing one is never chosen. */
export interface SelectionRequirements {
  /** Allowed statuses (default `['active']`). */
  statuses?: readonly SubscriptionStatus[] | undefined;
  /** Seats must be increasable now (`canIncrease !== false`: unknown is accepted, the vendor decides). */
  increasable?: boolean | undefined;
  /** Seats must be decreasable now (`canDecrease !== false` unless `strict`). */
  decreasable?: boolean | 'strict' | undefined;
  /** At least this many seats (e.g. 2 to remove one and keep the subscription). */
  minSeats?: number | undefined;
  /** Custom requirements, each with a description for the reason. */
  predicates?:
    | readonly {
        /** True when the subscription meets the requirement. */
        test: (s: Subscription) => boolean;
        description: string;
      }[]
    | undefined;
}

/** A declarative choice among subscriptions of one license. */
export interface SelectionPolicy {
  /** A name for reasons and logs. */
  name: string;
  /** What a subscription must satisfy at all. */
  require?: SelectionRequirements | undefined;
  /** Ordered preferences among the qualifying ones. */
  prefer?: readonly Preference[] | undefined;
  /** Policies tried in order when none qualifies under this one. */
  fallbacks?: readonly SelectionPolicy[] | undefined;
}

/** The chosen subscription and why. */
export interface Selection {
  subscription: Subscription;
  /** Human-readable explanation of the choice. */
  reason: string;
  /** The policy (or fallback) that chose it. */
  policy: string;
}

/** A subscription that was not eligible, and why. */
export interface RejectedCandidate {
  subscription: Subscription;
  reasons: string[];
}

/**
 * No subscription qualifies under the policy (nor its fallbacks). A {@link ConflictError}: the state of the
 * company's subscriptions does not allow the change, nothing was written. `rejected` says why each one failed.
 */
export class NoEligibleSubscriptionError extends ConflictError {
  /** Every candidate and why it was not eligible. */
  readonly rejected: RejectedCandidate[];
  /** The policy asked. */
  readonly policy: string;
  constructor(message: string, policy: string, rejected: RejectedCandidate[], hint?: string) {
    super(message, { operation: 'selectSubscription', hint, expected: policy, actual: rejected.length });
    this.policy = policy;
    this.rejected = rejected;
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      policy: this.policy,
      rejected: this.rejected.map((r) => ({ subscriptionId: r.subscription.id, reasons: r.reasons })),
    };
  }
}

// ---- builders ------------------------------------------------------------------------------------------------

/** Prefer these billing terms, in order (`preferBillingTerm('monthly')`: "always the monthly one"). */
export function preferBillingTerm(...terms: BillingTerm[]): Preference {
  for (const t of terms) {
    if (!BillingTermSchema.safeParse(t).success) {
      throw new ValidationError(`Unknown billing term "${String(t)}"`, [
        { path: 'terms', message: `must be one of ${BillingTermSchema.options.join(', ')}` },
      ]);
    }
  }
  if (terms.length === 0) throw new ValidationError('preferBillingTerm needs at least one term', []);
  return { kind: 'billingTerm', terms };
}
/** Prefer subscriptions whose seats can be decreased now. */
export function preferDecreasableNow(): Preference {
  return { kind: 'decreasableNow' };
}
/** Prefer subscriptions whose seats can be increased now. */
export function preferIncreasableNow(): Preference {
  return { kind: 'increasableNow' };
}
/** Prefer the subscription with the most seats. */
export function mostSeats(): Preference {
  return { kind: 'mostSeats' };
}
/** Prefer the subscription with the fewest seats. */
export function fewestSeats(): Preference {
  return { kind: 'fewestSeats' };
}
/** Prefer the subscription renewing soonest. */
export function soonestRenewal(): Preference {
  return { kind: 'soonestRenewal' };
}
/** Prefer the shortest commitment (none, then P1M, P1Y, P3Y...). */
export function shortestCommitment(): Preference {
  return { kind: 'shortestCommitment' };
}
/** Prefer these providers, in order. */
export function preferProvider(...providers: ProviderId[]): Preference {
  return { kind: 'provider', providers };
}
/** Prefer subscriptions for which `test` is true. */
export function prefer(test: (s: Subscription) => boolean, description: string): Preference {
  if (typeof test !== 'function') throw new ValidationError('prefer needs a predicate function', []);
  return { kind: 'predicate', test, description };
}

// ---- defaults ------------------------------------------------------------------------------------------------

/**
 * Adding seats: active, increasable; the monthly subscription first (seats bought there can be removed again
 * at the month's end), then the shortest commitment, then the most seats.
 */
export const DEFAULT_ADD_POLICY: SelectionPolicy = Object.freeze<SelectionPolicy>({
  name: 'default-add',
  require: { statuses: ['active'], increasable: true },
  prefer: [preferBillingTerm('monthly'), shortestCommitment(), mostSeats()],
});

/**
 * Removing seats: active, at least two seats (removing the last one is a cancellation), not known to refuse decreases; the one decreasable now first,
 * then monthly, then the one whose decrease window closes soonest, then most seats.
 */
export const DEFAULT_REMOVE_POLICY: SelectionPolicy = Object.freeze<SelectionPolicy>({
  name: 'default-remove',
  require: { statuses: ['active'], decreasable: true, minSeats: 2 },
  prefer: [
    preferDecreasableNow(),
    preferBillingTerm('monthly'),
    {
      kind: 'predicate',
      test: (s: Subscription) => s.constraints.decreaseAllowedUntil !== null,
      description: 'a decrease window that closes',
    },
    mostSeats(),
  ],
});

// ---- selection -----------------------------------------------------------------------------------------------

const TERM_MONTHS: Record<string, number> = { D: 1 / 30, W: 0.25, M: 1, Y: 12 };

function commitmentMonths(s: Subscription): number {
  const m = s.commitment?.term.match(/^P(\d+)([DWMY])$/);
  if (!m) return 0;
  return Number(m[1]) * (TERM_MONTHS[m[2]!] ?? 1);
}

function time(v: string | null): number {
  const t = v ? Date.parse(v) : Number.NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

function rejectionReasons(s: Subscription, r: SelectionRequirements): string[] {
  const out: string[] = [];
  const statuses = r.statuses ?? ['active'];
  if (!statuses.includes(s.status)) out.push(`status is ${s.status} (needs ${statuses.join(' or ')})`);
  if (r.increasable && s.constraints.canIncrease === false) out.push('seats cannot be increased now');
  if (r.decreasable === 'strict' && s.constraints.canDecrease !== true) {
    out.push(s.constraints.canDecrease === false ? 'seats cannot be decreased now' : 'not known to be decreasable now');
  } else if (r.decreasable && s.constraints.canDecrease === false) {
    const why = s.constraints.notes.find((n) => /decrease/i.test(n));
    out.push(`seats cannot be decreased now${why ? ` (${why})` : ''}`);
  }
  if (r.minSeats !== undefined && s.quantity < r.minSeats) out.push(`has ${s.quantity} seats (needs ${r.minSeats})`);
  for (const p of r.predicates ?? []) if (!p.test(s)) out.push(`not ${p.description}`);
  return out;
}

/** Applies one preference; returns the kept candidates and a phrase for the reason (undefined: skipped). */
function applyPreference(p: Preference, cands: Subscription[]): { kept: Subscription[]; phrase?: string } {
  const keepBest = (score: (s: Subscription) => number, phrase: string) => {
    const best = Math.min(...cands.map(score));
    if (!Number.isFinite(best)) return { kept: cands };
    const kept = cands.filter((s) => score(s) === best);
    return { kept, phrase: kept.length < cands.length ? phrase : undefined };
  };
  switch (p.kind) {
    case 'billingTerm': {
      const score = (s: Subscription) => {
        const i = p.terms.indexOf(s.billingTerm);
        return i < 0 ? Number.POSITIVE_INFINITY : i;
      };
      const r = keepBest(score, '');
      const term = r.kept[0]?.billingTerm;
      return { kept: r.kept, phrase: r.kept.length < cands.length ? `billing term ${term} preferred` : undefined };
    }
    case 'decreasableNow':
      return keepBest(
        (s) => (s.constraints.canDecrease === true ? 0 : Number.POSITIVE_INFINITY),
        'seats decreasable now',
      );
    case 'increasableNow':
      return keepBest(
        (s) => (s.constraints.canIncrease !== false ? 0 : Number.POSITIVE_INFINITY),
        'seats increasable now',
      );
    case 'mostSeats': {
      const r = keepBest((s) => -s.quantity, '');
      return { kept: r.kept, phrase: r.phrase !== undefined ? `most seats (${r.kept[0]?.quantity})` : undefined };
    }
    case 'fewestSeats': {
      const r = keepBest((s) => s.quantity, '');
      return { kept: r.kept, phrase: r.phrase !== undefined ? `fewest seats (${r.kept[0]?.quantity})` : undefined };
    }
    case 'soonestRenewal': {
      const r = keepBest((s) => time(s.renewalDate), '');
      const d = r.kept[0]?.renewalDate?.slice(0, 10);
      return { kept: r.kept, phrase: r.phrase !== undefined ? `renews soonest (${d})` : undefined };
    }
    case 'shortestCommitment': {
      const r = keepBest(commitmentMonths, '');
      const t = r.kept[0]?.commitment?.term ?? 'none';
      return { kept: r.kept, phrase: r.phrase !== undefined ? `shortest commitment (${t})` : undefined };
    }
    case 'provider': {
      const r = keepBest((s) => {
        const i = p.providers.indexOf(s.provider);
        return i < 0 ? Number.POSITIVE_INFINITY : i;
      }, '');
      return { kept: r.kept, phrase: r.phrase !== undefined ? `provider ${r.kept[0]?.provider} preferred` : undefined };
    }
    case 'predicate':
      return keepBest((s) => (p.test(s) ? 0 : Number.POSITIVE_INFINITY), p.description);
    default: {
      const never: never = p;
      throw new ValidationError(`Unknown preference ${JSON.stringify(never)}`, []);
    }
  }
}

function describe(s: Subscription): string {
  const commitment = s.commitment ? `, ${s.commitment.term}` : '';
  return `${s.name} (${s.provider} ${s.id}, ${s.billingTerm}${commitment}, ${s.quantity} seats)`;
}

function validatePolicy(policy: SelectionPolicy, path = 'policy'): void {
  if (!policy || typeof policy !== 'object' || typeof policy.name !== 'string') {
    throw new ValidationError('Invalid selection policy: needs at least a name', [
      { path, message: 'must be a policy' },
    ]);
  }
  const min = policy.require?.minSeats;
  if (min !== undefined && !(Number.isInteger(min) && min >= 0)) {
    throw new ValidationError('Invalid selection policy', [
      { path: `${path}.require.minSeats`, message: 'must be a whole number' },
    ]);
  }
  for (const [i, f] of (policy.fallbacks ?? []).entries()) validatePolicy(f, `${path}.fallbacks[${i}]`);
}

function trySelect(subs: readonly Subscription[], policy: SelectionPolicy): Selection | RejectedCandidate[] {
  const rejected: RejectedCandidate[] = [];
  let cands: Subscription[] = [];
  for (const s of subs) {
    const reasons = rejectionReasons(s, policy.require ?? {});
    if (reasons.length) rejected.push({ subscription: s, reasons });
    else cands.push(s);
  }
  if (cands.length === 0) return rejected;
  const total = cands.length;
  const phrases: string[] = [];
  for (const p of policy.prefer ?? []) {
    if (cands.length === 1) break;
    const { kept, phrase } = applyPreference(p, cands);
    if (kept.length > 0) {
      if (phrase) phrases.push(phrase);
      cands = kept;
    }
  }
  const chosen = cands[0]!;
  const parts = [`chose ${describe(chosen)} by policy ${policy.name}`];
  if (total === 1) parts.push(subs.length === 1 ? 'the only subscription' : 'the only eligible subscription');
  else if (phrases.length) parts.push(phrases.join(', then '));
  if (cands.length > 1) parts.push(`${cands.length} equally good, took the first listed`);
  if (rejected.length) {
    parts.push(`not eligible: ${rejected.map((r) => `${r.subscription.id} (${r.reasons.join(', ')})`).join('; ')}`);
  }
  return { subscription: chosen, reason: parts.join('; '), policy: policy.name };
}

/**
 * Picks the subscription to change from `subscriptions` (usually all of one license for one company) by a
 * declarative policy: requirements filter, ordered preferences narrow, fallbacks are tried in order when nothing
 * qualifies. Deterministic: among equally good ones the first in input order wins. Returns the choice and a
 * human-readable reason; throws {@link NoEligibleSubscriptionError} (a `ConflictError`) when none qualifies and
 * {@link ValidationError} for a malformed policy.
 */
export function selectSubscription(subscriptions: readonly Subscription[], policy: SelectionPolicy): Selection {
  validatePolicy(policy);
  if (!Array.isArray(subscriptions)) {
    throw new ValidationError('selectSubscription needs an array of subscriptions', [
      { path: 'subscriptions', message: 'must be an array' },
    ]);
  }
  const tried: string[] = [];
  let firstRejected: RejectedCandidate[] = [];
  for (const p of [policy, ...(policy.fallbacks ?? [])]) {
    const r = trySelect(subscriptions, p);
    if (!Array.isArray(r)) {
      return tried.length ? { ...r, reason: `${r.reason}; fell back from ${tried.join(', ')}` } : r;
    }
    if (tried.length === 0) firstRejected = r;
    tried.push(p.name);
  }
  if (subscriptions.length === 0) {
    throw new NoEligibleSubscriptionError(
      'No subscription to choose from: the company has no subscription of this license',
      policy.name,
      [],
      'Check the license name/SKU and the company marketplace ids, or buy the license first.',
    );
  }
  throw new NoEligibleSubscriptionError(
    `No subscription qualifies under ${tried.join(' or ')}: ${firstRejected
      .map((r) => `${r.subscription.id} ${r.reasons.join(', ')}`)
      .join('; ')}`,
    policy.name,
    firstRejected,
    'Nothing was changed. Pick another policy, or change the subscription by hand.',
  );
}
