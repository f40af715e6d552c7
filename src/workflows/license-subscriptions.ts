import { knownKeys, rejectUnknownKeys } from '../core/options/strict-keys.js';
import { ValidationError } from '../core/errors.js';
import type { MarketplaceClient } from '../core/marketplace-client.js';
import { type ProviderId, problemFields } from '../model/common.js';
import type { Subscription, SubscriptionStatus } from '../model/subscription.js';
import type { CompanyRef, Marketplaces } from './registry.js';

/**
 * Which license to look for. A string matches a subscription's SKU, product id or name; an object may give
 * several terms (any one matching is enough) plus the Microsoft Graph SKU the license is assigned with.
 */
export type LicenseQuery =
  | string
  | {
      /** Terms matched against SKU, product id and name (any one is enough; `skuId` is matched too). */
      match: string | readonly string[];
      /** The Microsoft Graph `skuId` (GUID) of this license, used by onboarding and reconciliation. */
      skuId?: string | undefined;
      /** The Microsoft Graph `skuPartNumber` (e.g. `SPB`), an alternative to `skuId`. */
      skuPartNumber?: string | undefined;
      /** A name for reports (default: the first match term). */
      label?: string | undefined;
    };

/** Lower-cases and drops everything but letters and digits: `Microsoft 365 Business-Premium!` -> `microsoft365businesspremium`. */
export function normalizeLicenseKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** The match terms of a query. */
export function licenseTerms(license: LicenseQuery): string[] {
  const raw =
    typeof license === 'string'
      ? [license]
      : [...(typeof license.match === 'string' ? [license.match] : (license.match ?? [])), license.skuId ?? ''];
  const terms = (raw ?? []).map((t) => (typeof t === 'string' ? normalizeLicenseKey(t) : '')).filter((t) => t !== '');
  if (terms.length === 0) {
    throw new ValidationError('Invalid license: give a SKU, product id or name with at least one letter or digit', [
      { path: 'license', message: 'must not be empty' },
    ]);
  }
  return terms;
}

/** A label for a license query in reports. */
export function licenseLabel(license: LicenseQuery): string {
  if (typeof license === 'string') return license;
  return license.label ?? (typeof license.match === 'string' ? license.match : (license.match[0] ?? '?'));
}

/**
 * A trailing parenthesised qualifier some marketplaces add to product names, e.g. D&H's
 * `Microsoft 365 Business Premium (NCE, annual commitment)`: the license is the name without it.
 */
const TRAILING_QUALIFIER = /\s*\([^()]*\)\s*$/;

/**
 * Whether a subscription is of the license: its SKU, product id or name equals a term (case- and
 * punctuation-insensitive). A name also matches without a trailing parenthesised qualifier; nothing else is a
 * partial match, so "Business Premium" never matches "Business Premium and Defender".
 */
export function matchesLicense(subscription: Subscription, license: LicenseQuery): boolean {
  const terms = new Set(licenseTerms(license));
  const name = subscription.name;
  const candidates = [subscription.sku, subscription.productId, name, name.replace(TRAILING_QUALIFIER, '')];
  return candidates.some((v) => typeof v === 'string' && v !== '' && terms.has(normalizeLicenseKey(v)));
}

/** Options of {@link listLicenseSubscriptions}. */
export interface ListLicenseSubscriptionsOptions {
  /** Statuses to keep (default: every status except `cancelled` and `expired`). */
  statuses?: readonly SubscriptionStatus[] | undefined;
  /** Provider preference order for this call (see `Marketplaces`). */
  preference?: readonly ProviderId[] | undefined;
  /**
   * What to do when one marketplace fails: `throw` (default; selecting from an incomplete list could change the
   * wrong subscription) or `skip` (the failure is listed in `failures`).
   */
  onError?: 'throw' | 'skip' | undefined;
  signal?: AbortSignal | undefined;
}

/** A marketplace that could not be listed (with `onError: 'skip'`). */
export interface MarketplaceFailure {
  provider: ProviderId;
  customerId: string;
  error: unknown;
}

/** Every subscription of one license for one company, across its mapped marketplaces. */
export interface LicenseSubscriptions {
  /** The license asked for. */
  license: LicenseQuery;
  /** Matching subscriptions, by marketplace preference order, then in the vendor's order. */
  subscriptions: Subscription[];
  /** The marketplaces searched (configured and mapped), in preference order. */
  searched: { provider: ProviderId; customerId: string }[];
  /** Marketplaces that failed (only with `onError: 'skip'`). */
  failures: MarketplaceFailure[];
  /**
   * Subscriptions of the company the SDK could not fully read (`problems`) that are, or may be, of this license:
   * matching ones (also in `subscriptions`, where selection rejects them) and ones without a readable SKU,
   * product id or name. While any is here, a seat count summed over the license is not known.
   */
  unreadable: Subscription[];
}

const LIST_LICENSE_OPTION_KEYS = knownKeys<ListLicenseSubscriptionsOptions>('listLicenseSubscriptions options', {
  statuses: true,
  preference: true,
  onError: true,
  signal: true,
});

const DEFAULT_EXCLUDED: ReadonlySet<SubscriptionStatus> = new Set<SubscriptionStatus>(['cancelled', 'expired']);

async function listFor(
  client: MarketplaceClient,
  customerId: string,
  license: LicenseQuery,
  keep: (s: Subscription) => boolean,
  signal: AbortSignal | undefined,
): Promise<{ matching: Subscription[]; unreadable: Subscription[] }> {
  const matching: Subscription[] = [];
  const unreadable: Subscription[] = [];
  for await (const s of client.listSubscriptions({ customerId, signal })) {
    // Guards against a vendor that ignores the customer filter (ids compared case-insensitively).
    const flagged = problemFields(s).length > 0;
    // A flagged record without a readable owner was listed for this customer: it may be theirs.
    const mine = s.customerId.toLowerCase() === customerId.toLowerCase() || (flagged && s.customerId === '');
    if (!mine || !keep(s)) continue;
    const matches = matchesLicense(s, license);
    if (matches) matching.push(s);
    if (flagged && (matches || (!s.sku && !s.productId && !s.name))) unreadable.push(s);
  }
  return { matching, unreadable };
}

/**
 * Lists every subscription of one license (matched by SKU, vendor product id or name, case- and
 * punctuation-insensitive) of a company, across all its mapped marketplaces with a configured client. Each
 * subscription carries its id, billing term, commitment term, seats, renewal date and constraints.
 */
export async function listLicenseSubscriptions(
  marketplaces: Marketplaces,
  company: CompanyRef,
  license: LicenseQuery,
  options: ListLicenseSubscriptionsOptions = {},
): Promise<LicenseSubscriptions> {
  rejectUnknownKeys(options, LIST_LICENSE_OPTION_KEYS, { path: 'options', operation: 'listLicenseSubscriptions' });
  licenseTerms(license);
  const keep = (s: Subscription) =>
    options.statuses ? options.statuses.includes(s.status) : !DEFAULT_EXCLUDED.has(s.status);
  const choices = marketplaces.allForCompany(company, { preference: options.preference });
  const results = await Promise.allSettled(
    choices.map((c) => listFor(c.client, c.customerId, license, keep, options.signal)),
  );
  const subscriptions: Subscription[] = [];
  const unreadable: Subscription[] = [];
  const failures: MarketplaceFailure[] = [];
  results.forEach((r, i) => {
    const c = choices[i]!;
    if (r.status === 'fulfilled') {
      subscriptions.push(...r.value.matching);
      unreadable.push(...r.value.unreadable);
    } else if (options.onError === 'skip')
      failures.push({ provider: c.provider, customerId: c.customerId, error: r.reason });
    else throw r.reason;
  });
  return {
    license,
    subscriptions,
    searched: choices.map((c) => ({ provider: c.provider, customerId: c.customerId })),
    failures,
    unreadable,
  };
}

/** One subscription as a flat row for tables and logs. */
export interface SubscriptionSummary {
  provider: ProviderId;
  customerId: string;
  subscriptionId: string;
  name: string;
  sku: string | null;
  status: SubscriptionStatus;
  billingTerm: Subscription['billingTerm'];
  commitmentTerm: string | null;
  seats: number;
  renewalDate: string | null;
  canIncrease: boolean | null;
  canDecrease: boolean | null;
  decreaseAllowedUntil: string | null;
  /** The fields the SDK could not read (then `seats` may be a placeholder); absent when it read everything. */
  unreadable?: string[];
}

/** Flattens a subscription for display. */
export function summarizeSubscription(s: Subscription): SubscriptionSummary {
  return {
    provider: s.provider,
    customerId: s.customerId,
    subscriptionId: s.id,
    name: s.name,
    sku: s.sku,
    status: s.status,
    billingTerm: s.billingTerm,
    commitmentTerm: s.commitment?.term ?? null,
    seats: s.quantity,
    renewalDate: s.renewalDate,
    canIncrease: s.constraints.canIncrease,
    canDecrease: s.constraints.canDecrease,
    decreaseAllowedUntil: s.constraints.decreaseAllowedUntil,
    ...(s.problems?.length ? { unreadable: problemFields(s) } : {}),
  };
}
