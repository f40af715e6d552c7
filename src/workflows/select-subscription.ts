import { ConflictError, ValidationError } from '../core/errors.js';
import { type KnownKeys, knownKeys, rejectUnknownKeys } from '../core/options/strict-keys.js';
import { type ProviderId, problemFields } from '../model/common.js';
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
  /**
   * Keep subscriptions billed with one of these billing terms; earlier terms win. Billing frequency only: a P1Y
   * subscription billed monthly is `monthly` here. For "the monthly subscription" use `commitmentTerm`.
   */
  | { kind: 'billingTerm'; terms: readonly BillingTerm[] }
  /** Keep subscriptions with one of these commitment terms (see {@link CommitmentTermChoice}); earlier terms win. */
  | { kind: 'commitmentTerm'; terms: readonly CommitmentTermChoice[] }
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

/**
 * A commitment term: an ISO 8601 duration (`P1M`, `P1Y`, `P3Y`), or `none` for a subscription that reports no
 * commitment. `P1M` is "monthly" in an MSP's sense: a one-month commitment, **or** no commitment on a subscription
 * billed monthly (month-to-month; seats can go at the month's end). A subscription with no reported commitment and
 * another billing term does not count as `P1M`: its commitment is unknown, and seats added to it may be locked.
 */
export type CommitmentTermChoice = `P${number}${'M' | 'Y'}` | 'none';

/** Hard requirements: a subscription failing one is never chosen. */
export interface SelectionRequirements {
  /** Allowed statuses (default `['active']`). */
  statuses?: readonly SubscriptionStatus[] | undefined;
  /**
   * Allowed commitment terms (one or several, see {@link CommitmentTermChoice}). `'P1M'` is "always the monthly
   * subscription": when none has it, selection fails with {@link NoEligibleSubscriptionError} naming what exists,
   * never falls back to a longer commitment.
   */
  commitmentTerm?: CommitmentTermChoice | readonly CommitmentTermChoice[] | undefined;
  /**
   * Allowed billing terms (how often the invoice comes, nothing more: a P1Y subscription is often billed monthly).
   */
  billingTerm?: BillingTerm | readonly BillingTerm[] | undefined;
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
  /**
   * What the chosen subscription is for. `add`: the selection carries a {@link SelectionWarning} when the seats
   * would go to a commitment longer than one month (or an unknown one). Default: none (no warnings).
   */
  purpose?: 'add' | 'remove' | undefined;
  /** What a subscription must satisfy at all. */
  require?: SelectionRequirements | undefined;
  /** Ordered preferences among the qualifying ones. */
  prefer?: readonly Preference[] | undefined;
  /** Policies tried in order when none qualifies under this one. */
  fallbacks?: readonly SelectionPolicy[] | undefined;
}

/**
 * Seats would be added to a subscription whose commitment is longer than one month (`long-commitment`) or unknown
 * (`unknown-commitment`): they may not be removable until the term ends, and the MSP pays for them until then.
 */
export interface SelectionWarning {
  code: 'long-commitment' | 'unknown-commitment';
  /** One sentence for people (and agents), with the dates. */
  message: string;
  provider: ProviderId;
  customerId: string;
  subscriptionId: string;
  /** The commitment term (`P1Y`, `P3Y`), or null when none is reported. */
  commitmentTerm: string | null;
  /**
   * Microsoft NCE: seats added now can be removed again (prorated refund) until this instant, 7 days (168 h) after
   * the add (Microsoft's new-commerce cancellation policy; seats added mid-term get their own window). Other
   * products may allow no window at all.
   */
  removableUntil: string;
  /**
   * After that window, the next time the seats can be removed: the end of the commitment term (the renewal), when
   * the vendor reports it; null when unknown.
   */
  nextRemovableAt: string | null;
}

/** The chosen subscription and why. */
export interface Selection {
  subscription: Subscription;
  /** Human-readable explanation of the choice. */
  reason: string;
  /** The policy (or fallback) that chose it. */
  policy: string;
  /** Warnings about the choice (policies with `purpose: 'add'`): seats that would be locked in a long commitment. */
  warnings: SelectionWarning[];
}

/** Options of {@link selectSubscription}. */
export interface SelectSubscriptionOptions {
  /** The time the change would be made, for warning dates (default: now). */
  now?: Date | undefined;
  /** Called once per warning (e.g. to emit it as an event); the warnings are in the result too. */
  onWarning?: ((warning: SelectionWarning) => void) | undefined;
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
      rejected: this.rejected.map((r) => ({
        provider: r.subscription.provider,
        customerId: r.subscription.customerId,
        subscriptionId: r.subscription.id,
        name: r.subscription.name,
        billingTerm: r.subscription.billingTerm,
        commitmentTerm: r.subscription.commitment?.term ?? null,
        seats: r.subscription.quantity,
        reasons: r.reasons,
      })),
    };
  }
}

// ---- builders ------------------------------------------------------------------------------------------------

/**
 * Prefer these billing terms, in order. Billing frequency only: `preferBillingTerm('monthly')` also keeps a P1Y
 * subscription billed monthly. For "always the monthly subscription" use {@link monthlyCommitment} or
 * `require: { commitmentTerm: 'P1M' }`.
 */
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
/**
 * Prefer these commitment terms, in order (`preferCommitment('P1M')`: the monthly commitment when there is one).
 * A preference only: when none has the term the next preference decides. To refuse anything else, require it
 * (`require: { commitmentTerm: 'P1M' }`).
 */
export function preferCommitment(...terms: CommitmentTermChoice[]): Preference {
  if (terms.length === 0) throw new ValidationError('preferCommitment needs at least one term', []);
  return { kind: 'commitmentTerm', terms: checkCommitmentTerms(terms, 'terms') };
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

// ---- commitment terms ----------------------------------------------------------------------------------------

const TERM_MONTHS: Record<string, number> = { D: 1 / 30, W: 0.25, M: 1, Y: 12 };

function termMonths(term: string): number | undefined {
  const m = term.match(/^P(\d+)([DWMY])$/);
  return m ? Number(m[1]) * (TERM_MONTHS[m[2]!] ?? 1) : undefined;
}

function commitmentMonths(s: Subscription): number {
  return s.commitment ? (termMonths(s.commitment.term) ?? 0) : 0;
}

const COMMITMENT_CHOICE = /^(P[1-9]\d*[MY]|none)$/;

function checkCommitmentTerms(terms: readonly unknown[], path: string): CommitmentTermChoice[] {
  for (const t of terms) {
    if (typeof t !== 'string' || !COMMITMENT_CHOICE.test(t)) {
      throw new ValidationError(`Unknown commitment term ${JSON.stringify(t)}`, [
        { path, message: 'must be an ISO 8601 duration such as P1M, P1Y or P3Y, or "none"' },
      ]);
    }
  }
  return terms as CommitmentTermChoice[];
}

function checkBillingTerms(terms: readonly unknown[], path: string): BillingTerm[] {
  for (const t of terms) {
    if (!BillingTermSchema.safeParse(t).success) {
      throw new ValidationError(`Unknown billing term ${JSON.stringify(t)}`, [
        { path, message: `must be one of ${BillingTermSchema.options.join(', ')}` },
      ]);
    }
  }
  return terms as BillingTerm[];
}

const asList = <T>(v: T | readonly T[] | undefined): readonly T[] =>
  v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T];

/** Whether the subscription has the commitment term `choice` (`P1M` includes month-to-month without commitment). */
function hasCommitment(s: Subscription, choice: CommitmentTermChoice): boolean {
  if (choice === 'none') return s.commitment === null;
  const months = termMonths(choice);
  if (s.commitment === null) return months === 1 && s.billingTerm === 'monthly';
  return termMonths(s.commitment.term) === months;
}

function describeCommitment(s: Subscription): string {
  return s.commitment ? `commitment is ${s.commitment.term}` : `no commitment reported and billed ${s.billingTerm}`;
}

// ---- defaults ------------------------------------------------------------------------------------------------

/**
 * Adding seats: active, increasable; the monthly commitment first (seats bought there can be removed again at
 * the month's end), then the shortest commitment, then billed monthly, then the most seats. It still picks a
 * longer commitment when that is all there is, with a {@link SelectionWarning}; to refuse that, use
 * {@link monthlyCommitment}.
 */
export const DEFAULT_ADD_POLICY: SelectionPolicy = Object.freeze<SelectionPolicy>({
  name: 'default-add',
  purpose: 'add',
  require: { statuses: ['active'], increasable: true },
  prefer: [preferCommitment('P1M'), shortestCommitment(), preferBillingTerm('monthly'), mostSeats()],
});

/**
 * Removing seats: active, at least two seats (removing the last one is a cancellation), not known to refuse
 * decreases; the one decreasable now first, then the monthly commitment, then the one whose decrease window
 * closes soonest, then most seats.
 */
export const DEFAULT_REMOVE_POLICY: SelectionPolicy = Object.freeze<SelectionPolicy>({
  name: 'default-remove',
  purpose: 'remove',
  require: { statuses: ['active'], decreasable: true, minSeats: 2 },
  prefer: [
    preferDecreasableNow(),
    preferCommitment('P1M'),
    {
      kind: 'predicate',
      test: (s: Subscription) => s.constraints.decreaseAllowedUntil !== null,
      description: 'a decrease window that closes',
    },
    mostSeats(),
  ],
});

/**
 * The MSP rule "always add seats to the monthly subscription", as a policy: `base` (default
 * {@link DEFAULT_ADD_POLICY}) with the requirement `commitmentTerm: 'P1M'` (a one-month commitment, or none on a
 * subscription billed monthly). When no such subscription exists, {@link selectSubscription} throws
 * {@link NoEligibleSubscriptionError} naming what exists; it never falls back to an annual one.
 */
export function monthlyCommitment(base: SelectionPolicy = DEFAULT_ADD_POLICY): SelectionPolicy {
  validatePolicy(base);
  return {
    ...base,
    name: 'monthly-commitment',
    require: { ...base.require, commitmentTerm: 'P1M' },
    fallbacks: undefined,
  };
}

// ---- selection -----------------------------------------------------------------------------------------------

function time(v: string | null): number {
  const t = v ? Date.parse(v) : Number.NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

function rejectionReasons(s: Subscription, r: SelectionRequirements): string[] {
  const out: string[] = [];
  // A record the SDK could not fully read is never a write target (its problems say what is unknown).
  const unread = problemFields(s);
  if (unread.length) out.push(`the vendor record could not be read (${unread.join(', ')}; see problems)`);
  const statuses = r.statuses ?? ['active'];
  if (!statuses.includes(s.status)) out.push(`status is ${s.status} (needs ${statuses.join(' or ')})`);
  const commitments = asList(r.commitmentTerm);
  if (commitments.length && !commitments.some((c) => hasCommitment(s, c))) {
    out.push(`${describeCommitment(s)} (needs commitment ${commitments.join(' or ')})`);
  }
  const billing = asList(r.billingTerm);
  if (billing.length && !billing.includes(s.billingTerm)) {
    out.push(`billed ${s.billingTerm} (needs billing ${billing.join(' or ')})`);
  }
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
      return { kept: r.kept, phrase: r.kept.length < cands.length ? `billed ${term} preferred` : undefined };
    }
    case 'commitmentTerm': {
      const score = (s: Subscription) => {
        const i = p.terms.findIndex((t) => hasCommitment(s, t));
        return i < 0 ? Number.POSITIVE_INFINITY : i;
      };
      const r = keepBest(score, '');
      const term = r.kept[0] ? p.terms[score(r.kept[0])] : undefined;
      return { kept: r.kept, phrase: r.kept.length < cands.length ? `commitment ${term} preferred` : undefined };
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

/** One subscription in a reason or an error: name, provider, id, billing, commitment, seats. */
export function describeSubscription(s: Subscription): string {
  const commitment = s.commitment ? `commitment ${s.commitment.term}` : 'no commitment reported';
  return `${s.name} (${s.provider} ${s.id}, billed ${s.billingTerm}, ${commitment}, ${s.quantity} seats)`;
}

const POLICY_KEYS: KnownKeys = knownKeys<SelectionPolicy>('selection policy', {
  name: true,
  purpose: true,
  require: true,
  prefer: true,
  fallbacks: true,
});
const REQUIREMENT_KEYS: KnownKeys = knownKeys<SelectionRequirements>('selection requirements', {
  statuses: true,
  commitmentTerm: true,
  billingTerm: true,
  increasable: true,
  decreasable: true,
  minSeats: true,
  predicates: true,
});
const SELECT_OPTION_KEYS: KnownKeys = knownKeys<SelectSubscriptionOptions>('selectSubscription options', {
  now: true,
  onWarning: true,
});
const PREFERENCE_KEYS: Record<Preference['kind'], readonly string[]> = {
  billingTerm: ['kind', 'terms'],
  commitmentTerm: ['kind', 'terms'],
  decreasableNow: ['kind'],
  increasableNow: ['kind'],
  mostSeats: ['kind'],
  fewestSeats: ['kind'],
  soonestRenewal: ['kind'],
  shortestCommitment: ['kind'],
  provider: ['kind', 'providers'],
  predicate: ['kind', 'test', 'description'],
} satisfies { [K in Preference['kind']]: readonly (keyof Extract<Preference, { kind: K }>)[] };

function validatePolicy(policy: SelectionPolicy, path = 'policy'): void {
  if (!policy || typeof policy !== 'object' || typeof policy.name !== 'string') {
    throw new ValidationError('Invalid selection policy: needs at least a name', [
      { path, message: 'must be a policy' },
    ]);
  }
  rejectUnknownKeys(policy, POLICY_KEYS, { path, operation: 'selectSubscription' });
  if (policy.purpose !== undefined && policy.purpose !== 'add' && policy.purpose !== 'remove') {
    throw new ValidationError('Invalid selection policy', [
      { path: `${path}.purpose`, message: 'must be add or remove' },
    ]);
  }
  const req = policy.require;
  if (req !== undefined) {
    rejectUnknownKeys(req, REQUIREMENT_KEYS, { path: `${path}.require`, operation: 'selectSubscription' });
    checkCommitmentTerms(asList(req.commitmentTerm), `${path}.require.commitmentTerm`);
    checkBillingTerms(asList(req.billingTerm), `${path}.require.billingTerm`);
  }
  const min = req?.minSeats;
  if (min !== undefined && !(Number.isInteger(min) && min >= 0)) {
    throw new ValidationError('Invalid selection policy', [
      { path: `${path}.require.minSeats`, message: 'must be a whole number' },
    ]);
  }
  for (const [i, p] of (policy.prefer ?? []).entries()) {
    const at = `${path}.prefer[${i}]`;
    const known = p && typeof p === 'object' ? PREFERENCE_KEYS[p.kind] : undefined;
    if (!known) {
      throw new ValidationError('Invalid selection policy: unknown preference', [
        { path: at, message: `must be a preference built by preferCommitment(), preferBillingTerm(), mostSeats() ...` },
      ]);
    }
    rejectUnknownKeys(p, knownKeysOf(p.kind, known), { path: at, operation: 'selectSubscription' });
    if (p.kind === 'commitmentTerm') checkCommitmentTerms(p.terms, `${at}.terms`);
    if (p.kind === 'billingTerm') checkBillingTerms(p.terms, `${at}.terms`);
  }
  for (const [i, f] of (policy.fallbacks ?? []).entries()) validatePolicy(f, `${path}.fallbacks[${i}]`);
}

function knownKeysOf(kind: string, keys: readonly string[]): KnownKeys {
  return { what: `${kind} preference`, keys };
}

/** NCE: seats added mid-term can be removed for 7 days (168 h) after the add (see {@link SelectionWarning}). */
const NCE_DECREASE_WINDOW_MS = 168 * 3_600_000;

function commitmentWarning(s: Subscription, now: Date): SelectionWarning | undefined {
  const months = s.commitment ? termMonths(s.commitment.term) : undefined;
  const long = months !== undefined && months > 1;
  const unknown = s.commitment === null && s.billingTerm !== 'monthly';
  if (!long && !unknown) return undefined;
  const removableUntil = new Date(now.getTime() + NCE_DECREASE_WINDOW_MS).toISOString();
  const nextRemovableAt = s.commitment?.endDate ?? s.renewalDate ?? null;
  const day = (d: string) => d.slice(0, 10);
  const then = nextRemovableAt ? `not before ${day(nextRemovableAt)}` : 'not before the term ends (end date unknown)';
  const message = long
    ? `Seats added to ${describeSubscription(s)} are committed for ${s.commitment!.term}: they can be removed until ${removableUntil} (Microsoft NCE: 7 days after the add), then ${then}; the MSP pays for them until then.`
    : `Seats added to ${describeSubscription(s)} may be committed: the vendor reports no commitment for a subscription billed ${s.billingTerm}. Under Microsoft NCE rules they can be removed until ${removableUntil} (7 days after the add), then ${then}.`;
  return {
    code: long ? 'long-commitment' : 'unknown-commitment',
    message,
    provider: s.provider,
    customerId: s.customerId,
    subscriptionId: s.id,
    commitmentTerm: s.commitment?.term ?? null,
    removableUntil,
    nextRemovableAt,
  };
}

function trySelect(
  subs: readonly Subscription[],
  policy: SelectionPolicy,
): Omit<Selection, 'warnings'> | RejectedCandidate[] {
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
  const parts = [`chose ${describeSubscription(chosen)} by policy ${policy.name}`];
  if (total === 1) parts.push(subs.length === 1 ? 'the only subscription' : 'the only eligible subscription');
  else if (phrases.length) parts.push(phrases.join(', then '));
  if (cands.length > 1) parts.push(`${cands.length} equally good, took the first listed`);
  if (rejected.length) {
    parts.push(`not eligible: ${rejected.map((r) => `${r.subscription.id} (${r.reasons.join(', ')})`).join('; ')}`);
  }
  return { subscription: chosen, reason: parts.join('; '), policy: policy.name };
}

function requirementText(r: SelectionRequirements | undefined): string {
  const parts: string[] = [];
  const c = asList(r?.commitmentTerm);
  if (c.length) parts.push(`commitment ${c.join(' or ')}`);
  const b = asList(r?.billingTerm);
  if (b.length) parts.push(`billed ${b.join(' or ')}`);
  return parts.join(', ');
}

/**
 * Picks the subscription to change from `subscriptions` (usually all of one license for one company) by a
 * declarative policy: requirements filter, ordered preferences narrow, fallbacks are tried in order when nothing
 * qualifies. Deterministic: among equally good ones the first in input order wins. Returns the choice, a
 * human-readable reason and, for `purpose: 'add'`, warnings when the seats would be locked in a commitment
 * longer than a month. Throws {@link NoEligibleSubscriptionError} (a `ConflictError`) naming every subscription
 * that exists and why it does not qualify when none does, and {@link ValidationError} for a malformed policy
 * (unknown keys included).
 */
export function selectSubscription(
  subscriptions: readonly Subscription[],
  policy: SelectionPolicy,
  options: SelectSubscriptionOptions = {},
): Selection {
  validatePolicy(policy);
  rejectUnknownKeys(options, SELECT_OPTION_KEYS, { path: 'options', operation: 'selectSubscription' });
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
      const purpose = p.purpose ?? policy.purpose;
      const warning = purpose === 'add' ? commitmentWarning(r.subscription, options.now ?? new Date()) : undefined;
      const warnings = warning ? [warning] : [];
      for (const w of warnings) options.onWarning?.(w);
      const reason = tried.length ? `${r.reason}; fell back from ${tried.join(', ')}` : r.reason;
      return { ...r, reason: warning ? `${reason}; WARNING: ${warning.message}` : reason, warnings };
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
  const needs = requirementText(policy.require);
  throw new NoEligibleSubscriptionError(
    `No subscription qualifies under ${tried.join(' or ')}${needs ? ` (requires ${needs})` : ''}; what exists: ${firstRejected
      .map((r) => `${describeSubscription(r.subscription)}: ${r.reasons.join(', ')}`)
      .join('; ')}`,
    policy.name,
    firstRejected,
    asList(policy.require?.commitmentTerm).length
      ? 'Nothing was changed. Buy a subscription with the required commitment (e.g. P1M) for this license, or change the listed one knowingly (its seats are committed until the term ends).'
      : 'Nothing was changed. Pick another policy, or change the subscription by hand.',
  );
}

// ---- named policies (the CLI and the MCP tools) --------------------------------------------------------------

/**
 * Preferences by name, for callers that cannot pass functions (CLI flags, MCP tools). "monthly" alone is
 * ambiguous, so there is none: `commitment-P1M` is the one-month commitment, `billed-monthly` the billing frequency.
 */
export const NAMED_PREFERENCES = {
  /** Prefer a one-month commitment (or month-to-month): the MSP's "monthly". */
  'commitment-P1M': () => preferCommitment('P1M'),
  /** Prefer an annual commitment. */
  'commitment-P1Y': () => preferCommitment('P1Y'),
  /** Prefer monthly billing frequency (an annual commitment can be billed monthly). */
  'billed-monthly': () => preferBillingTerm('monthly'),
  /** Prefer annual billing frequency. */
  'billed-annually': () => preferBillingTerm('annual'),
  /** Prefer the shortest commitment term. */
  'shortest-commitment': shortestCommitment,
  /** Prefer the subscription with the most seats. */
  'most-seats': mostSeats,
  /** Prefer the subscription with the fewest seats. */
  'fewest-seats': fewestSeats,
  /** Prefer the subscription that renews soonest. */
  'soonest-renewal': soonestRenewal,
  /** Prefer a subscription whose seats can be decreased now. */
  'decreasable-now': preferDecreasableNow,
  /** Prefer a subscription whose seats can be increased now. */
  'increasable-now': preferIncreasableNow,
} as const satisfies Record<string, () => Preference>;

/** A name of {@link NAMED_PREFERENCES}. */
export type PreferenceName = keyof typeof NAMED_PREFERENCES;

/** What {@link policyFor} builds a policy from: plain data (CLI flags, MCP arguments, config). */
export interface PolicySpec {
  /** `add` starts from {@link DEFAULT_ADD_POLICY}, `remove` from {@link DEFAULT_REMOVE_POLICY}. */
  purpose: 'add' | 'remove';
  /** Requirements added to the default ones (`{ commitmentTerm: 'P1M' }`: "always the monthly subscription"). */
  require?: { commitmentTerm?: CommitmentTermChoice | undefined; billingTerm?: BillingTerm | undefined } | undefined;
  /** Preference names replacing the default order. */
  prefer?: readonly PreferenceName[] | undefined;
}

const POLICY_SPEC_KEYS = knownKeys<PolicySpec>('policy', { purpose: true, require: true, prefer: true });
const POLICY_SPEC_REQUIRE_KEYS = knownKeys<NonNullable<PolicySpec['require']>>('requirements', {
  commitmentTerm: true,
  billingTerm: true,
});

/**
 * Builds a policy from plain data: the default policy of `purpose`, plus `require`, with `prefer` replacing the
 * preferences. Its name says what was asked (`default-add+commitmentTerm=P1M`). Unknown keys and names are refused.
 */
export function policyFor(spec: PolicySpec): SelectionPolicy {
  rejectUnknownKeys(spec, POLICY_SPEC_KEYS, { path: 'policy', operation: 'selectSubscription' });
  rejectUnknownKeys(spec.require, POLICY_SPEC_REQUIRE_KEYS, {
    path: 'policy.require',
    operation: 'selectSubscription',
  });
  if (spec.purpose !== 'add' && spec.purpose !== 'remove') {
    throw new ValidationError('Invalid policy: purpose must be add or remove', [
      { path: 'policy.purpose', message: 'must be add or remove' },
    ]);
  }
  const base = spec.purpose === 'add' ? DEFAULT_ADD_POLICY : DEFAULT_REMOVE_POLICY;
  const required: SelectionRequirements = {};
  if (spec.require?.commitmentTerm !== undefined) required.commitmentTerm = spec.require.commitmentTerm;
  if (spec.require?.billingTerm !== undefined) required.billingTerm = spec.require.billingTerm;
  const prefer = spec.prefer?.map((n, i) => {
    const make = (NAMED_PREFERENCES as Record<string, () => Preference>)[n];
    if (!make) {
      const ambiguous = String(n) === 'monthly' ? ': "monthly" is ambiguous, say commitment-P1M or billed-monthly' : '';
      throw new ValidationError(`Unknown preference "${String(n)}"${ambiguous}`, [
        { path: `policy.prefer[${i}]`, message: `must be one of ${Object.keys(NAMED_PREFERENCES).join(', ')}` },
      ]);
    }
    return make();
  });
  const name = [
    base.name,
    ...Object.entries(required).map(([k, v]) => `${k}=${String(v)}`),
    ...(spec.prefer?.length ? [`prefer=${spec.prefer.join(',')}`] : []),
  ].join('+');
  const policy: SelectionPolicy = {
    ...base,
    name,
    require: { ...base.require, ...required },
    prefer: prefer ?? base.prefer,
  };
  validatePolicy(policy);
  return policy;
}
