import { knownKeys, rejectUnknownKeys } from '../core/options/strict-keys.js';
import { MarketplaceError, ValidationError } from '../core/errors.js';
import type { ProviderId } from '../model/common.js';
import type { AutoRenewResult } from '../model/operations.js';
import type { BillingTerm, Subscription, SubscriptionStatus } from '../model/subscription.js';
import type { MarketplaceFailure } from './license-subscriptions.js';
import { type DecreaseWindow, decreaseWindowOf, problemsOf, termEndOf } from './reconcile.js';
import type { CompanyRef, Marketplaces } from './registry.js';

/** One subscription in the renewal calendar. */
export interface RenewalEntry {
  /** The company's name, when given. */
  company: string | null;
  provider: ProviderId;
  customerId: string;
  subscriptionId: string;
  name: string;
  status: SubscriptionStatus;
  seats: number;
  billingTerm: BillingTerm;
  commitmentTerm: string | null;
  /** The end of the current term (renewal date); null when the vendor does not say. */
  termEnd: string | null;
  /** Whole days from the calendar's date to `termEnd` (negative: past). */
  daysLeft: number | null;
  autoRenew: boolean | null;
  /** Whether the vendor lets the SDK turn auto-renew on or off (`capabilities.setAutoRenew`). */
  canSetAutoRenew: boolean;
  window: DecreaseWindow;
  /** The record's problems (flagged: shown, never acted on). */
  problems: unknown[];
}

/** The result of {@link renewalCalendar}. */
export interface RenewalCalendar {
  at: string;
  /** Sorted by term end (unknown last), then provider and name. */
  entries: RenewalEntry[];
  failures: (MarketplaceFailure & { company: string | null })[];
}

/** Input of {@link renewalCalendar}. */
export interface RenewalCalendarInput {
  marketplaces: Marketplaces;
  /** The companies (their marketplace ids). */
  companies: readonly CompanyRef[];
  /** Only term ends within this many days (default: all). */
  withinDays?: number | undefined;
  /** Statuses to include (default active, pending and pending-cancel). */
  statuses?: readonly SubscriptionStatus[] | undefined;
  now?: Date | undefined;
  /** Called after each company's marketplaces are read. */
  onProgress?: ((event: { done: number; total: number; company: string | null }) => void) | undefined;
  signal?: AbortSignal | undefined;
}

const CALENDAR_KEYS = knownKeys<RenewalCalendarInput>('renewalCalendar input', {
  marketplaces: true,
  companies: true,
  withinDays: true,
  statuses: true,
  now: true,
  onProgress: true,
  signal: true,
});

const DAY_MS = 86_400_000;
const DEFAULT_STATUSES: readonly SubscriptionStatus[] = ['active', 'pending', 'pending-cancel'];

/** Calendar entries of subscriptions already read, sorted by term end. */
export function renewalEntries(
  subscriptions: readonly Subscription[],
  options: {
    now?: Date | undefined;
    company?: string | null | undefined;
    marketplaces?: Marketplaces | undefined;
  } = {},
): RenewalEntry[] {
  const now = options.now ?? new Date();
  return subscriptions.map((s) => {
    const end = termEndOf(s);
    const endMs = end ? Date.parse(end) : Number.NaN;
    return {
      company: options.company ?? null,
      provider: s.provider,
      customerId: s.customerId,
      subscriptionId: s.id,
      name: s.name,
      status: s.status,
      seats: s.quantity,
      billingTerm: s.billingTerm,
      commitmentTerm: s.commitment?.term ?? null,
      termEnd: end,
      daysLeft: Number.isNaN(endMs) ? null : Math.floor((endMs - now.getTime()) / DAY_MS),
      autoRenew: s.autoRenew,
      canSetAutoRenew: options.marketplaces?.get(s.provider)?.capabilities.setAutoRenew === true,
      window: decreaseWindowOf(s, now),
      problems: problemsOf(s),
    };
  });
}

function sortEntries(entries: RenewalEntry[]): RenewalEntry[] {
  const key = (e: RenewalEntry) => (e.termEnd ? Date.parse(e.termEnd) : Number.POSITIVE_INFINITY);
  return entries.sort(
    (a, b) =>
      key(a) - key(b) ||
      a.provider.localeCompare(b.provider) ||
      a.name.localeCompare(b.name) ||
      a.subscriptionId.localeCompare(b.subscriptionId),
  );
}

/**
 * The renewal calendar of some companies: every subscription's term end, auto-renew state and decrease window,
 * sorted by date. A marketplace that cannot be read is listed in `failures` (the others are shown).
 */
export async function renewalCalendar(input: RenewalCalendarInput): Promise<RenewalCalendar> {
  rejectUnknownKeys(input, CALENDAR_KEYS, { operation: 'renewalCalendar' });
  if (!input.marketplaces || !Array.isArray(input.companies)) {
    throw new ValidationError('renewalCalendar needs marketplaces and a list of companies', [
      { path: 'companies', message: 'must be an array of companies' },
    ]);
  }
  const within = input.withinDays;
  if (within !== undefined && !(Number.isFinite(within) && within >= 0)) {
    throw new ValidationError('Invalid withinDays: must be a number of days, 0 or more', [
      { path: 'withinDays', message: 'must be >= 0' },
    ]);
  }
  const now = input.now ?? new Date();
  const statuses = new Set(input.statuses ?? DEFAULT_STATUSES);
  const entries: RenewalEntry[] = [];
  const failures: RenewalCalendar['failures'] = [];
  let done = 0;
  for (const company of input.companies) {
    const name = company.name ?? null;
    for (const c of input.marketplaces.allForCompany(company)) {
      try {
        const subs: Subscription[] = [];
        for await (const s of c.client.listSubscriptions({ customerId: c.customerId, signal: input.signal })) {
          if (s.customerId.toLowerCase() === c.customerId.toLowerCase() && statuses.has(s.status)) subs.push(s);
        }
        entries.push(...renewalEntries(subs, { now, company: name, marketplaces: input.marketplaces }));
      } catch (error) {
        if (!(error instanceof MarketplaceError)) throw error;
        failures.push({ company: name, provider: c.provider, customerId: c.customerId, error });
      }
    }
    done += 1;
    try {
      input.onProgress?.({ done, total: input.companies.length, company: name });
    } catch {
      // An observer's bug must not change the outcome.
    }
  }
  const kept =
    within === undefined
      ? entries
      : entries.filter((e) => e.daysLeft !== null && e.daysLeft <= within && e.daysLeft >= 0);
  return { at: now.toISOString(), entries: sortEntries(kept), failures };
}

/** The outcome of {@link changeAutoRenew}: the vendor's answer, or `unsupported` without a call. */
export type AutoRenewChange =
  | (AutoRenewResult & { supported: true })
  | {
      supported: false;
      provider: ProviderId;
      customerId: string;
      subscriptionId: string;
      reason: string;
    };

/** Options of {@link changeAutoRenew}. */
export interface ChangeAutoRenewOptions {
  /** Check only (default true): pass `dryRun: false` to change it. */
  dryRun?: boolean | undefined;
  actor?: string | undefined;
  signal?: AbortSignal | undefined;
}

const AUTO_RENEW_KEYS = knownKeys<ChangeAutoRenewOptions>('changeAutoRenew options', {
  dryRun: true,
  actor: true,
  signal: true,
});

/**
 * Turns auto-renewal of a calendar entry (or any subscription reference) on or off where the vendor supports it
 * (`capabilities.setAutoRenew`); elsewhere answers `supported: false` with the reason and sends nothing. A dry
 * run unless `dryRun: false`.
 */
export async function changeAutoRenew(
  marketplaces: Marketplaces,
  entry: Pick<RenewalEntry, 'provider' | 'customerId' | 'subscriptionId'> & { problems?: unknown[] | undefined },
  enabled: boolean,
  options: ChangeAutoRenewOptions = {},
): Promise<AutoRenewChange> {
  rejectUnknownKeys(options, AUTO_RENEW_KEYS, { path: 'options', operation: 'changeAutoRenew' });
  if (typeof enabled !== 'boolean') {
    throw new ValidationError('changeAutoRenew: enabled must be true or false', [
      { path: 'enabled', message: 'must be a boolean' },
    ]);
  }
  if (entry.problems?.length) {
    throw new ValidationError(
      `changeAutoRenew refused: subscription ${entry.subscriptionId} was read with problems; nothing was sent`,
      [{ path: 'entry.problems', message: 'a flagged record is never acted on' }],
    );
  }
  const client = marketplaces.require(entry.provider);
  const base = { provider: entry.provider, customerId: entry.customerId, subscriptionId: entry.subscriptionId };
  if (client.capabilities.setAutoRenew !== true) {
    return {
      supported: false,
      ...base,
      reason: `${entry.provider} does not let the SDK change auto-renewal (capabilities.setAutoRenew is off): change it in the vendor's portal`,
    };
  }
  const r = await client.setAutoRenew({ customerId: entry.customerId, subscriptionId: entry.subscriptionId }, enabled, {
    dryRun: options.dryRun ?? true,
    actor: options.actor,
    signal: options.signal,
  });
  return { ...r, supported: true };
}
