import { knownKeys, rejectUnknownKeys } from '../core/options/strict-keys.js';
import { MarketplaceError, ValidationError } from '../core/errors.js';
import type { MarketplaceClient } from '../core/marketplace-client.js';
import type { GraphClient } from '../graph/client.js';
import type { SubscribedSku } from '../graph/map.js';
import type { ProductPricing } from '../model/billing.js';
import type { LicenseIdentity, Money, ProviderId } from '../model/common.js';
import type { BillingTerm, Subscription, SubscriptionStatus } from '../model/subscription.js';
import type { ReconcileLicense } from './drift.js';
import { type MarketplaceFailure, licenseLabel, matchesLicense, normalizeLicenseKey } from './license-subscriptions.js';
import type { CompanyRef, Marketplaces } from './registry.js';

// ---- money -------------------------------------------------------------------------------------------------------

/** Where a unit cost or price came from: the subscription record, or the product's pricing (`getProductPricing`). */
export type CostSource = 'subscription' | 'product-pricing';

/**
 * What a unit cost (or price) is per. Vendors give subscription prices per unit either per billing period or per
 * month, and most do not say which (docs/workflows.md). For a subscription billed monthly both readings agree, so
 * the monthly amount is known; for annual or longer billing it is known only when the caller says (`costPeriod`).
 */
export type CostPeriod = 'billing-period' | 'month';

/** A per-unit amount and what it is known to mean per month. */
export interface UnitAmount {
  /** Per unit, exactly as the source gives it. */
  amount: number;
  currency: string | null;
  source: CostSource;
  /** Per unit per month; null when the period the amount covers is unknown (never guessed). */
  monthly: number | null;
  /** How `monthly` was derived, or why it is unknown, in words. */
  basis: string;
}

/** Sums of money, one per currency (amounts in different currencies are never added). */
export type MoneyTotals = Money[];

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Adds `amount` in `currency` to `totals` (a list with one entry per currency). */
export function addMoney(totals: MoneyTotals, amount: number, currency: string | null): void {
  const hit = totals.find((m) => m.currency === currency);
  if (hit) hit.amount = round2(hit.amount + amount);
  else totals.push({ amount: round2(amount), currency });
}

/** Formats money totals for people: `44.88 USD`, `12.00 EUR + 3.00 USD`, `-` when empty. */
export function formatMoneyTotals(totals: readonly Money[] | null | undefined): string {
  if (!totals || totals.length === 0) return '-';
  return totals.map((m) => `${m.amount.toFixed(2)} ${m.currency ?? '(currency unknown)'}`).join(' + ');
}

const MONTHS_PER_TERM: Partial<Record<BillingTerm, number>> = { monthly: 1, annual: 12, biennial: 24, triennial: 36 };

function unitAmount(
  amount: Money,
  source: CostSource,
  billingTerm: BillingTerm,
  period: CostPeriod | undefined,
): UnitAmount {
  const months = MONTHS_PER_TERM[billingTerm];
  let monthly: number | null = null;
  let basis: string;
  if (billingTerm === 'monthly') {
    monthly = amount.amount;
    basis = 'billed monthly: per billing period and per month agree';
  } else if (period === 'month') {
    monthly = amount.amount;
    basis = 'per month (costPeriod: month)';
  } else if (period === 'billing-period' && months !== undefined) {
    monthly = amount.amount / months;
    basis = `per ${billingTerm} billing period / ${months} (costPeriod: billing-period)`;
  } else {
    basis = `billed ${billingTerm}: the vendor does not say whether the amount is per month or per billing period (set costPeriod)`;
  }
  return {
    amount: amount.amount,
    currency: amount.currency,
    source,
    monthly: monthly === null ? null : Math.round(monthly * 10_000) / 10_000,
    basis,
  };
}

// ---- decrease windows --------------------------------------------------------------------------------------------

/** Microsoft NCE: seats can be removed (prorated refund) for 7 days (168 h) after purchase, renewal or an increase. */
export const NCE_DECREASE_WINDOW_MS = 168 * 3_600_000;

/** When seats of a subscription can be removed, as far as its record tells. */
export interface DecreaseWindow {
  /**
   * `open`: the vendor says seats can be removed now (until `openUntil`, when it says); `closed`: not now, next at
   * `earliest`; `unknown`: the vendor does not say (treated as not now); `ending`: the subscription ends at
   * `earliest` (cancelled at term end or auto-renew off) and its seats go then; `none`: not a running subscription.
   */
  state: 'open' | 'closed' | 'unknown' | 'ending' | 'none';
  /** While open: the last instant seats can be removed, when the vendor says (null: no deadline given). */
  openUntil: string | null;
  /** The earliest date a decrease is allowed or takes effect: now when open, else the term end (null: unknown). */
  earliest: string | null;
  /** Seats the vendor says can be removed now (null: not said). */
  refundable: number | null;
  /** Why, in words. */
  reason: string;
}

/** The end of the current term: the commitment end, else the renewal date, else the end date. */
export function termEndOf(s: Subscription): string | null {
  return s.commitment?.endDate ?? s.renewalDate ?? s.endDate ?? null;
}

const ms = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
};

/**
 * When seats of `s` can be removed, from its constraints and terms only (never assumed): `open` only when the vendor
 * says so (`constraints.canDecrease === true`, or a `decreaseAllowedUntil` still ahead with `canDecrease` not false)
 * and the window has not closed by `now`; otherwise the term end (NCE: decreases outside the 7-day window after
 * purchase or renewal take effect at renewal).
 */
export function decreaseWindowOf(s: Subscription, now: Date): DecreaseWindow {
  const t = now.getTime();
  const c = s.constraints;
  const end = termEndOf(s);
  const until = c.decreaseAllowedUntil;
  const untilMs = ms(until);
  if (s.status === 'pending-cancel') {
    return {
      state: 'ending',
      openUntil: null,
      earliest: s.endDate ?? end,
      refundable: null,
      reason: `cancelled at the term end: its seats go on ${day(s.endDate ?? end) ?? 'an unknown date'}`,
    };
  }
  if (s.status !== 'active') {
    return { state: 'none', openUntil: null, earliest: null, refundable: null, reason: `status ${s.status}` };
  }
  const closedAt = untilMs !== null && untilMs <= t ? until : null;
  if (closedAt) {
    return {
      state: 'closed',
      openUntil: null,
      earliest: end,
      refundable: 0,
      reason: `the decrease window closed on ${closedAt}; next at the term end (${day(end) ?? 'date unknown'})`,
    };
  }
  const open = c.canDecrease === true || (c.canDecrease === null && untilMs !== null && untilMs > t);
  if (open && c.refundableQuantity !== 0) {
    return {
      state: 'open',
      openUntil: until,
      earliest: now.toISOString(),
      refundable: c.refundableQuantity,
      reason: until
        ? `the vendor allows decreases until ${until}`
        : 'the vendor allows decreases now (no deadline given)',
    };
  }
  if (s.autoRenew === false && end) {
    return {
      state: 'ending',
      openUntil: null,
      earliest: end,
      refundable: 0,
      reason: `auto-renew is off: the subscription and its seats end on ${day(end)}`,
    };
  }
  if (c.canDecrease === false || (open && c.refundableQuantity === 0)) {
    return {
      state: 'closed',
      openUntil: null,
      earliest: end,
      refundable: 0,
      reason: `the vendor refuses decreases now; next at the term end (${day(end) ?? 'date unknown'})`,
    };
  }
  const start = ms(s.startDate);
  const nce =
    start !== null && s.commitment && t < start + NCE_DECREASE_WINDOW_MS
      ? `; NCE would allow it until ${new Date(start + NCE_DECREASE_WINDOW_MS).toISOString()}, but the vendor did not confirm`
      : '';
  return {
    state: 'unknown',
    openUntil: null,
    earliest: end,
    refundable: null,
    reason: `the vendor does not say whether seats can be removed now (treated as not now)${nce}; at the term end (${day(end) ?? 'date unknown'})`,
  };
}

function day(iso: string | null | undefined): string | null {
  return iso ? iso.slice(0, 10) : null;
}

// ---- flagged records ---------------------------------------------------------------------------------------------

/** The problems a tolerant read attached to a record (`problems`), or none. */
export function problemsOf(record: unknown): unknown[] {
  const p = (record as { problems?: unknown } | null)?.problems;
  return Array.isArray(p) ? p : [];
}

/** A record read with problems: reported, never used for a decision. */
export interface FlaggedRecord {
  kind: 'subscription' | 'graph-sku';
  provider: ProviderId | 'graph';
  id: string;
  name: string;
  problems: unknown[];
}

// ---- the reconciliation ------------------------------------------------------------------------------------------

/** How a subscription was joined to its license group. */
export type JoinedBy = 'graph-sku-id' | 'microsoft-product' | 'graph-subscription-id' | 'mapping' | 'name';

/** One subscription of a license, as reconciled. */
export interface ReconciledSubscription {
  provider: ProviderId;
  customerId: string;
  subscriptionId: string;
  name: string;
  status: SubscriptionStatus;
  seats: number;
  billingTerm: BillingTerm;
  commitmentTerm: string | null;
  /** The end of the current term (renewal). */
  termEnd: string | null;
  autoRenew: boolean | null;
  unitCost: UnitAmount | null;
  unitPrice: UnitAmount | null;
  window: DecreaseWindow;
  joinedBy: JoinedBy;
  /** The record's problems (a flagged record is reported, never used for a decision). */
  problems: unknown[];
  /** The subscription as read. */
  subscription: Subscription;
}

/** Some unused seats of one subscription, and when they can go. */
export interface SeatRelease {
  provider: ProviderId;
  customerId: string;
  subscriptionId: string;
  name: string;
  /** The subscription's seats now. */
  currentSeats: number;
  /** Seats to release. */
  seats: number;
  /** `now` (window open), `term-end` (a decrease takes effect at renewal), `ending` (the subscription ends anyway). */
  when: 'now' | 'term-end' | 'ending';
  /** When they go: now (ISO) or the term end. */
  at: string;
  /** For `now`: the last instant of the window, when known. */
  windowClosesAt: string | null;
  /** What these seats cost per month (null when unknown). */
  monthlyCost: Money | null;
  /** What they cost from now until `at` (null when unknown; zero for `now`). */
  costUntilRelease: Money | null;
}

/** The Graph side of a license. */
export interface GraphLicense {
  skuId: string;
  skuPartNumber: string;
  /** `prepaidUnits.enabled`. */
  enabled: number;
  /** `consumedUnits`: seats assigned to users. */
  assigned: number;
  capabilityStatus: string;
  problems: unknown[];
}

/** One license of the company: bought (per marketplace subscription), assigned (Graph), unused, cost, releases. */
export interface LicenseBalance {
  /** The join key (`graph:<skuId>`, `ms:<product>:<sku>`, `name:<name>`). */
  key: string;
  label: string;
  /** The license identity, merged over its subscriptions. */
  identity: LicenseIdentity;
  graph: GraphLicense | null;
  /** Seats bought: active, pending and pending-cancel subscriptions. */
  bought: number;
  /** Seats assigned in Graph; null when the license has no Graph SKU (no tenant, or not joined). */
  assigned: number | null;
  /** `bought - assigned` when positive; null when `assigned` is unknown. */
  unused: number | null;
  /** `assigned - bought` when positive: users holding seats not bought at the configured marketplaces. */
  overAssigned: number;
  /** Whether decisions may be based on it (Graph joined, no flagged record, one Graph SKU). */
  decidable: boolean;
  subscriptions: ReconciledSubscription[];
  /** Where the unused seats go, by subscription, earliest first. */
  releases: SeatRelease[];
  /** Unused seats that can be released now. */
  releasableNow: number;
  /** Monthly cost of the unused seats, per currency; `costComplete` false when some seat's cost is unknown. */
  unusedMonthlyCost: MoneyTotals;
  /** What the unused seats cost until they can be released, per currency. */
  costUntilReleased: MoneyTotals;
  costComplete: boolean;
  flagged: FlaggedRecord[];
  notes: string[];
}

/** A progress event of {@link reconcileLicenses} (and the other long workflows). */
export interface ReconcileProgress {
  step: 'subscriptions' | 'graph' | 'pricing' | 'done';
  message: string;
  done: number;
  total: number;
}

/** Input of {@link reconcileLicenses}. */
export interface ReconcileLicensesInput {
  marketplaces: Marketplaces;
  /** The company (its marketplace ids; a `Company` from the CSV fits). */
  company: CompanyRef;
  /** A Graph client of the company's tenant, or its SKUs already read. Without it, assigned seats are unknown. */
  graph?: GraphClient | { tenantId: string; skus: readonly SubscribedSku[] } | undefined;
  /** Extra joins for subscriptions whose vendor gives no license identity (SKU, name) -> Graph SKU. */
  licenses?: readonly ReconcileLicense[] | undefined;
  /**
   * What a unit cost of a subscription billed annually (or longer) is per: for every provider, or per provider.
   * Default: unknown, so such costs are shown as given and their monthly amount is null.
   */
  costPeriod?: CostPeriod | Partial<Record<ProviderId, CostPeriod>> | undefined;
  /** Read `getProductPricing` for subscriptions without a cost, where the vendor has it (default true). */
  pricing?: boolean | undefined;
  /** The time of the reconciliation (default now). */
  now?: Date | undefined;
  /** `skip` (default): a marketplace that fails is listed in `failures`; `throw`: the first failure is thrown. */
  onError?: 'throw' | 'skip' | undefined;
  /** Called as each marketplace and the Graph read start and finish (for a progress display). */
  onProgress?: ((event: ReconcileProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** A Graph SKU no marketplace subscription joined (bought elsewhere, free, or not mapped). */
export interface UnmatchedGraphSku extends GraphLicense {
  /** Enabled but unassigned seats. */
  free: number;
}

/** The result of {@link reconcileLicenses}. */
export interface CompanyReconciliation {
  company: string | null;
  tenantId: string | null;
  /** When it was computed (ISO). */
  at: string;
  licenses: LicenseBalance[];
  /** Graph SKUs of the tenant with no marketplace subscription joined. */
  graphOnly: UnmatchedGraphSku[];
  /** Marketplaces that could not be read (their subscriptions are missing from the counts). */
  failures: MarketplaceFailure[];
  /** Every flagged record. */
  flagged: FlaggedRecord[];
  totals: {
    bought: number;
    assigned: number;
    unused: number;
    releasableNow: number;
    unusedMonthlyCost: MoneyTotals;
    costUntilReleased: MoneyTotals;
    costComplete: boolean;
  };
  /** What the input said about cost periods (for reports). */
  costPeriod: ReconcileLicensesInput['costPeriod'] | null;
}

const RECONCILE_KEYS = knownKeys<ReconcileLicensesInput>('reconcileLicenses input', {
  marketplaces: true,
  company: true,
  graph: true,
  licenses: true,
  costPeriod: true,
  pricing: true,
  now: true,
  onError: true,
  onProgress: true,
  signal: true,
});

const COUNTED: ReadonlySet<SubscriptionStatus> = new Set<SubscriptionStatus>(['active', 'pending', 'pending-cancel']);
const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRAILING_QUALIFIER = /\s*\([^()]*\)\s*$/;
const MONTH_MS = (365.25 / 12) * 86_400_000;

function validate(input: ReconcileLicensesInput): void {
  if (!input || typeof input !== 'object') throw new ValidationError('reconcileLicenses needs an input object', []);
  rejectUnknownKeys(input, RECONCILE_KEYS, { operation: 'reconcileLicenses' });
  const issues = [];
  if (!input.marketplaces || typeof input.marketplaces.allForCompany !== 'function')
    issues.push({ path: 'marketplaces', message: 'must be a Marketplaces registry' });
  if (!input.company || !Array.isArray(input.company.marketplaceIds))
    issues.push({ path: 'company', message: 'must have marketplaceIds' });
  if (input.now !== undefined && !(input.now instanceof Date && !Number.isNaN(input.now.getTime())))
    issues.push({ path: 'now', message: 'must be a valid Date' });
  const cp = input.costPeriod;
  const okPeriod = (v: unknown) => v === 'billing-period' || v === 'month';
  if (cp !== undefined && !okPeriod(cp) && !(cp && typeof cp === 'object' && Object.values(cp).every(okPeriod)))
    issues.push({ path: 'costPeriod', message: 'must be billing-period or month, or an object of them by provider' });
  for (const [i, l] of (input.licenses ?? []).entries()) {
    if (l.skuId !== undefined && !GUID_RE.test(l.skuId))
      issues.push({ path: `licenses[${i}].skuId`, message: 'must be a GUID' });
  }
  if (input.onError !== undefined && input.onError !== 'throw' && input.onError !== 'skip')
    issues.push({ path: 'onError', message: 'must be throw or skip' });
  if (issues.length)
    throw new ValidationError(`Invalid input: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues);
}

function periodFor(input: ReconcileLicensesInput, provider: ProviderId): CostPeriod | undefined {
  const cp = input.costPeriod;
  if (cp === undefined) return undefined;
  return typeof cp === 'string' ? cp : cp[provider];
}

/** Union-find over join keys. */
class Groups {
  readonly #parent = new Map<string, string>();
  find(k: string): string {
    let p = this.#parent.get(k) ?? k;
    if (p !== k) {
      p = this.find(p);
      this.#parent.set(k, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.#parent.set(rb, ra);
  }
}

const licenseName = (s: Subscription) => normalizeLicenseKey(s.name.replace(TRAILING_QUALIFIER, ''));

async function listCompany(
  input: ReconcileLicensesInput,
  progress: (e: ReconcileProgress) => void,
): Promise<{ subs: Subscription[]; failures: MarketplaceFailure[] }> {
  const choices = input.marketplaces.allForCompany(input.company);
  const subs: Subscription[] = [];
  const failures: MarketplaceFailure[] = [];
  let done = 0;
  await Promise.all(
    choices.map(async (c) => {
      try {
        const mine: Subscription[] = [];
        for await (const s of c.client.listSubscriptions({ customerId: c.customerId, signal: input.signal })) {
          // Guards against a vendor that ignores the customer filter.
          if (s.customerId.toLowerCase() === c.customerId.toLowerCase()) mine.push(s);
        }
        subs.push(...mine);
      } catch (error) {
        if (input.onError === 'throw' || !(error instanceof MarketplaceError)) throw error;
        failures.push({ provider: c.provider, customerId: c.customerId, error });
      } finally {
        done += 1;
        progress({ step: 'subscriptions', message: `read ${c.provider}`, done, total: choices.length });
      }
    }),
  );
  // Deterministic order whatever answered first: preference order, then the vendor's order.
  const rank = new Map(choices.map((c, i) => [c.provider, i]));
  subs.sort((a, b) => (rank.get(a.provider) ?? 0) - (rank.get(b.provider) ?? 0));
  return { subs, failures };
}

async function readSkus(input: ReconcileLicensesInput): Promise<{ tenantId: string | null; skus: SubscribedSku[] }> {
  const g = input.graph;
  if (!g) return { tenantId: null, skus: [] };
  if (typeof (g as GraphClient).listSubscribedSkus === 'function') {
    return { tenantId: g.tenantId, skus: await (g as GraphClient).listSubscribedSkus({ signal: input.signal }) };
  }
  return { tenantId: g.tenantId, skus: [...(g as { skus: readonly SubscribedSku[] }).skus] };
}

function pickPrice(pricing: ProductPricing, s: Subscription): Money | null {
  const term = s.commitment?.term ?? null;
  const fits = pricing.prices.filter(
    (p) =>
      p.billingTerm === s.billingTerm &&
      p.commitmentTerm === term &&
      (p.minQuantity === null || s.quantity >= p.minQuantity) &&
      (p.maxQuantity === null || s.quantity <= p.maxQuantity),
  );
  // Two different costs for the same terms and quantity: ambiguous, so unknown rather than guessed.
  const costs = new Set(fits.map((p) => (p.cost ? `${p.cost.amount} ${p.cost.currency}` : 'null')));
  if (fits.length === 0 || costs.size !== 1) return null;
  return fits[0]!.cost;
}

/**
 * Reconciles a company's licenses: per license (subscriptions joined across marketplaces by their license identity,
 * and to the Graph SKU of the tenant), the seats bought per subscription, the seats assigned in Microsoft 365, the
 * unused seats, what they cost per month (from the subscription's cost, else the product's pricing where the vendor
 * publishes it; null when unknown) and when each can be released: now while the vendor's decrease window is open,
 * else at the subscription's term end (Microsoft NCE). Records flagged with problems are reported, never used.
 */
export async function reconcileLicenses(input: ReconcileLicensesInput): Promise<CompanyReconciliation> {
  validate(input);
  const now = input.now ?? new Date();
  const progress = (e: ReconcileProgress) => {
    try {
      input.onProgress?.(e);
    } catch {
      // An observer's bug must not change the outcome.
    }
  };
  const [{ subs: all, failures }, { tenantId, skus }] = await Promise.all([
    listCompany(input, progress),
    readSkus(input),
  ]);
  progress({ step: 'graph', message: `${skus.length} Graph SKU(s)`, done: 1, total: 1 });
  const subs = all.filter((s) => COUNTED.has(s.status));

  // Join keys: identity first, then Graph's own subscription ids, then the caller's mappings.
  const skuById = new Map(skus.map((k) => [k.skuId.toLowerCase(), k]));
  const skuBySubscription = new Map<string, SubscribedSku>();
  for (const k of skus) for (const id of k.subscriptionIds) skuBySubscription.set(id.toLowerCase(), k);
  const groups = new Groups();
  const joined = new Map<Subscription, JoinedBy>();
  const keysOf = new Map<Subscription, string[]>();
  for (const s of subs) {
    const keys: string[] = [];
    let how: JoinedBy | undefined;
    const id = s.license;
    if (id?.graphSkuId) {
      keys.push(`graph:${id.graphSkuId.toLowerCase()}`);
      how = 'graph-sku-id';
    }
    if (id?.microsoftProductId) {
      keys.push(`ms:${id.microsoftProductId}${id.microsoftSkuId ? `:${id.microsoftSkuId}` : ''}`);
      how ??= 'microsoft-product';
    }
    const viaGraph = skuBySubscription.get(s.id.toLowerCase());
    if (viaGraph) {
      keys.push(`graph:${viaGraph.skuId.toLowerCase()}`);
      how ??= 'graph-subscription-id';
    }
    for (const l of input.licenses ?? []) {
      if (!matchesLicense(s, l.license)) continue;
      const sku = l.skuId
        ? l.skuId.toLowerCase()
        : l.skuPartNumber
          ? skus.find((k) => k.skuPartNumber.toLowerCase() === l.skuPartNumber!.toLowerCase())?.skuId.toLowerCase()
          : undefined;
      keys.push(sku ? `graph:${sku}` : `map:${normalizeLicenseKey(licenseLabel(l.license))}`);
      how ??= 'mapping';
    }
    for (const k of keys.slice(1)) groups.union(keys[0]!, k);
    if (keys.length) {
      keysOf.set(s, keys);
      joined.set(s, how!);
    }
  }
  // Subscriptions without any identity join by name (its full name, or without a trailing qualifier such as D&H's
  // "(NCE, annual commitment)"), only when exactly one identified group has a subscription of exactly that name.
  const byName = new Map<string, Set<string>>();
  for (const [s, keys] of keysOf) {
    const n = normalizeLicenseKey(s.name);
    byName.set(n, (byName.get(n) ?? new Set()).add(groups.find(keys[0]!)));
  }
  for (const s of subs) {
    if (keysOf.has(s)) continue;
    const full = normalizeLicenseKey(s.name);
    const candidates = byName.get(full) ?? byName.get(licenseName(s));
    const key = candidates && candidates.size === 1 ? [...candidates][0]! : `name:${full}`;
    keysOf.set(s, [key]);
    joined.set(s, 'name');
  }

  // Pricing for subscriptions without a cost, where the vendor publishes it (one read per product and customer).
  const costs = new Map<Subscription, { money: Money; source: CostSource }>();
  const pricingCache = new Map<string, Promise<ProductPricing | null>>();
  const pricingNotes = new Map<Subscription, string>();
  const needPricing = subs.filter((s) => !s.cost && s.productId);
  let priced = 0;
  await Promise.all(
    needPricing.map(async (s) => {
      const client: MarketplaceClient | undefined = input.marketplaces.get(s.provider);
      if (input.pricing === false || !client?.capabilities.productPricing) return;
      const key = `${s.provider}\u0000${s.productId}\u0000${s.customerId}`;
      let p = pricingCache.get(key);
      if (!p) {
        p = client
          .getProductPricing(s.productId!, { customerId: s.customerId, signal: input.signal })
          .catch((error: unknown) => {
            if (!(error instanceof MarketplaceError)) throw error;
            pricingNotes.set(s, `pricing of ${s.productId} could not be read (${error.kind}: ${error.message})`);
            return null;
          });
        pricingCache.set(key, p);
      }
      const pricing = await p;
      const cost = pricing ? pickPrice(pricing, s) : null;
      if (cost) costs.set(s, { money: cost, source: 'product-pricing' });
      else if (pricing && !pricingNotes.has(s))
        pricingNotes.set(
          s,
          `no single published cost of ${s.productId} for ${s.billingTerm} ${s.commitment?.term ?? 'no commitment'}`,
        );
      priced += 1;
      progress({ step: 'pricing', message: `priced ${s.productId}`, done: priced, total: needPricing.length });
    }),
  );
  for (const s of subs) if (s.cost) costs.set(s, { money: s.cost, source: 'subscription' });

  // Groups -> licenses.
  const members = new Map<string, Subscription[]>();
  for (const s of subs) {
    const root = groups.find(keysOf.get(s)![0]!);
    members.set(root, [...(members.get(root) ?? []), s]);
  }
  const usedSkus = new Set<string>();
  const licenses: LicenseBalance[] = [];
  for (const [root, list] of members) {
    const graphKeys = [...new Set(list.flatMap((s) => keysOf.get(s)!))].filter((k) => k.startsWith('graph:'));
    const graphSkus = [...new Set(graphKeys.map((k) => k.slice('graph:'.length)))]
      .map((id) => skuById.get(id))
      .filter((k): k is SubscribedSku => k !== undefined);
    for (const k of graphSkus) usedSkus.add(k.skuId.toLowerCase());
    licenses.push(
      balance(root, list, graphSkus, graphKeys.length > 0, skus.length > 0 || !!input.graph, {
        now,
        joined,
        costs,
        pricingNotes,
        period: (p) => periodFor(input, p),
      }),
    );
  }
  licenses.sort((a, b) => a.label.localeCompare(b.label));

  const graphOnly: UnmatchedGraphSku[] = skus
    .filter((k) => !usedSkus.has(k.skuId.toLowerCase()))
    .map((k) => ({ ...graphLicense(k), free: Math.max(0, k.enabled - k.consumed) }));
  const flagged = [
    ...licenses.flatMap((l) => l.flagged),
    ...graphOnly.filter((g) => g.problems.length).map((g) => flagOfSku(g)),
    ...all.filter((s) => !COUNTED.has(s.status) && problemsOf(s).length).map((s) => flagOfSubscription(s)),
  ];
  const totals = {
    bought: 0,
    assigned: 0,
    unused: 0,
    releasableNow: 0,
    unusedMonthlyCost: [] as MoneyTotals,
    costUntilReleased: [] as MoneyTotals,
    costComplete: true,
  };
  for (const l of licenses) {
    totals.bought += l.bought;
    totals.assigned += l.assigned ?? 0;
    totals.unused += l.unused ?? 0;
    totals.releasableNow += l.releasableNow;
    for (const m of l.unusedMonthlyCost) addMoney(totals.unusedMonthlyCost, m.amount, m.currency);
    for (const m of l.costUntilReleased) addMoney(totals.costUntilReleased, m.amount, m.currency);
    if (!l.costComplete) totals.costComplete = false;
  }
  progress({ step: 'done', message: `${licenses.length} license(s)`, done: 1, total: 1 });
  return {
    company: input.company.name ?? null,
    tenantId,
    at: now.toISOString(),
    licenses,
    graphOnly,
    failures,
    flagged,
    totals,
    costPeriod: input.costPeriod ?? null,
  };
}

function graphLicense(k: SubscribedSku): GraphLicense {
  return {
    skuId: k.skuId,
    skuPartNumber: k.skuPartNumber,
    enabled: k.enabled,
    assigned: k.consumed,
    capabilityStatus: k.capabilityStatus,
    problems: problemsOf(k),
  };
}

function flagOfSubscription(s: Subscription): FlaggedRecord {
  return { kind: 'subscription', provider: s.provider, id: s.id, name: s.name, problems: problemsOf(s) };
}

function flagOfSku(g: GraphLicense): FlaggedRecord {
  return { kind: 'graph-sku', provider: 'graph', id: g.skuId, name: g.skuPartNumber, problems: g.problems };
}

interface BalanceContext {
  now: Date;
  joined: Map<Subscription, JoinedBy>;
  costs: Map<Subscription, { money: Money; source: CostSource }>;
  pricingNotes: Map<Subscription, string>;
  period: (p: ProviderId) => CostPeriod | undefined;
}

function balance(
  key: string,
  list: Subscription[],
  graphSkus: SubscribedSku[],
  wantsGraph: boolean,
  haveGraph: boolean,
  ctx: BalanceContext,
): LicenseBalance {
  const notes: string[] = [];
  const rows: ReconciledSubscription[] = list.map((s) => {
    const cost = ctx.costs.get(s);
    const note = ctx.pricingNotes.get(s);
    if (note && !cost) notes.push(`${s.provider} ${s.id}: ${note}`);
    return {
      provider: s.provider,
      customerId: s.customerId,
      subscriptionId: s.id,
      name: s.name,
      status: s.status,
      seats: s.quantity,
      billingTerm: s.billingTerm,
      commitmentTerm: s.commitment?.term ?? null,
      termEnd: termEndOf(s),
      autoRenew: s.autoRenew,
      unitCost: cost ? unitAmount(cost.money, cost.source, s.billingTerm, ctx.period(s.provider)) : null,
      unitPrice: s.price ? unitAmount(s.price, 'subscription', s.billingTerm, ctx.period(s.provider)) : null,
      window: decreaseWindowOf(s, ctx.now),
      joinedBy: ctx.joined.get(s) ?? 'name',
      problems: problemsOf(s),
      subscription: s,
    };
  });
  const identity: LicenseIdentity = {
    microsoftProductId: list.find((s) => s.license?.microsoftProductId)?.license?.microsoftProductId ?? null,
    microsoftSkuId: list.find((s) => s.license?.microsoftSkuId)?.license?.microsoftSkuId ?? null,
    graphSkuId: graphSkus[0]?.skuId ?? list.find((s) => s.license?.graphSkuId)?.license?.graphSkuId ?? null,
  };
  const flagged = [
    ...rows.filter((r) => r.problems.length).map((r) => flagOfSubscription(r.subscription)),
    ...graphSkus.filter((k) => problemsOf(k).length).map((k) => flagOfSku(graphLicense(k))),
  ];
  const sku = graphSkus.length === 1 ? graphSkus[0]! : null;
  const bought = rows.reduce((n, r) => n + r.seats, 0);
  const assigned = sku ? sku.consumed : null;
  const unused = assigned === null ? null : Math.max(0, bought - assigned);
  const overAssigned = assigned === null ? 0 : Math.max(0, assigned - bought);
  // The shortest name: D&H's "Microsoft 365 Business Premium (NCE, annual commitment)" reads as Pax8's name.
  const label = list.map((s) => s.name).reduce((a, b) => (b.length < a.length ? b : a));

  if (graphSkus.length > 1) {
    notes.push(
      `joined to ${graphSkus.length} Graph SKUs (${graphSkus.map((k) => k.skuPartNumber).join(', ')}): the identities conflict, no decision is made`,
    );
  } else if (!sku) {
    notes.push(
      !haveGraph
        ? 'no Graph client given: assigned seats unknown'
        : wantsGraph
          ? 'the tenant has no such SKU in Graph (a wrong tenant, or the seats are not provisioned): assigned seats unknown'
          : 'the vendor gives no Microsoft license identity and nothing joined it to a Graph SKU (pass `licenses` to map it): assigned seats unknown',
    );
  }
  if (sku && sku.enabled !== bought) {
    notes.push(
      bought > sku.enabled
        ? `${bought - sku.enabled} seat(s) bought but not enabled in Graph (pending, suspended, or another tenant)`
        : `${sku.enabled - bought} enabled seat(s) in Graph do not come from the configured marketplaces`,
    );
  }
  if (overAssigned > 0) {
    notes.push(
      `${overAssigned} more seat(s) assigned than bought at the configured marketplaces (trial, another reseller, or a missing mapping): nothing to release`,
    );
  }
  if (flagged.length) notes.push(`${flagged.length} record(s) flagged with problems: reported, no decision made`);
  const decidable = sku !== null && graphSkus.length === 1 && flagged.length === 0;

  const releases = decidable && unused ? allocate(rows, unused, ctx.now) : [];
  const releasableNow = releases.filter((r) => r.when === 'now').reduce((n, r) => n + r.seats, 0);
  const allocated = releases.reduce((n, r) => n + r.seats, 0);
  if (decidable && unused && allocated < unused) {
    notes.push(
      `${unused - allocated} unused seat(s) have no known release date (every subscription keeps at least one seat, or its term end is unknown)`,
    );
  }
  const unusedMonthlyCost: MoneyTotals = [];
  const costUntilReleased: MoneyTotals = [];
  let costComplete = unused === 0 || (unused !== null && allocated === unused);
  for (const r of releases) {
    if (r.monthlyCost) addMoney(unusedMonthlyCost, r.monthlyCost.amount, r.monthlyCost.currency);
    else costComplete = false;
    if (r.costUntilRelease) addMoney(costUntilReleased, r.costUntilRelease.amount, r.costUntilRelease.currency);
  }
  if (unused === null) costComplete = false;
  return {
    key,
    label,
    identity,
    graph: sku ? graphLicense(sku) : null,
    bought,
    assigned,
    unused,
    overAssigned,
    decidable,
    subscriptions: rows,
    releases,
    releasableNow,
    unusedMonthlyCost,
    costUntilReleased,
    costComplete,
    flagged,
    notes,
  };
}

/**
 * Spreads `unused` seats over the subscriptions: first those ending anyway, then those whose window is open now
 * (closing soonest first, then the most expensive), then at the earliest term ends. A subscription keeps at least
 * one seat (removing the last one is a cancellation, a decision for a person); an open window is limited by the
 * vendor's refundable quantity.
 */
function allocate(rows: ReconciledSubscription[], unused: number, now: Date): SeatRelease[] {
  let left = unused;
  const out: SeatRelease[] = [];
  const taken = new Map<ReconciledSubscription, number>();
  const monthlyOf = (r: ReconciledSubscription) => r.unitCost?.monthly ?? null;
  const push = (r: ReconciledSubscription, seats: number, when: SeatRelease['when'], at: string) => {
    if (seats <= 0) return;
    taken.set(r, (taken.get(r) ?? 0) + seats);
    left -= seats;
    const perMonth = monthlyOf(r);
    const monthlyCost = perMonth === null ? null : { amount: round2(perMonth * seats), currency: r.unitCost!.currency };
    const months = Math.max(0, (Date.parse(at) - now.getTime()) / MONTH_MS);
    out.push({
      provider: r.provider,
      customerId: r.customerId,
      subscriptionId: r.subscriptionId,
      name: r.name,
      currentSeats: r.seats,
      seats,
      when,
      at,
      windowClosesAt: when === 'now' ? r.window.openUntil : null,
      monthlyCost,
      costUntilRelease:
        when === 'now'
          ? monthlyCost
            ? { amount: 0, currency: monthlyCost.currency }
            : null
          : monthlyCost
            ? { amount: round2(monthlyCost.amount * months), currency: monthlyCost.currency }
            : null,
    });
  };
  const room = (r: ReconciledSubscription, keepOne: boolean) => r.seats - (taken.get(r) ?? 0) - (keepOne ? 1 : 0);
  const expensiveFirst = (a: ReconciledSubscription, b: ReconciledSubscription) =>
    (monthlyOf(b) ?? -1) - (monthlyOf(a) ?? -1);

  // 1. Seats that go anyway (cancelled at term end, auto-renew off): no action, counted first.
  for (const r of rows.filter((x) => x.window.state === 'ending' && x.window.earliest)) {
    if (left <= 0) break;
    push(r, Math.min(left, room(r, false)), 'ending', r.window.earliest!);
  }
  // 2. Open windows: the one closing soonest first, then the most expensive.
  const open = rows
    .filter((x) => x.window.state === 'open')
    .sort(
      (a, b) =>
        (ms(a.window.openUntil) ?? Number.POSITIVE_INFINITY) - (ms(b.window.openUntil) ?? Number.POSITIVE_INFINITY) ||
        expensiveFirst(a, b),
    );
  for (const r of open) {
    if (left <= 0) break;
    const cap = r.window.refundable === null ? room(r, true) : Math.min(room(r, true), r.window.refundable);
    push(r, Math.min(left, cap), 'now', now.toISOString());
  }
  // 3. At the term end, earliest first (then the most expensive).
  const later = rows
    .filter(
      (x) => (x.window.state === 'closed' || x.window.state === 'unknown' || x.window.state === 'open') && x.termEnd,
    )
    .sort((a, b) => (ms(a.termEnd) ?? 0) - (ms(b.termEnd) ?? 0) || expensiveFirst(a, b));
  for (const r of later) {
    if (left <= 0) break;
    if (ms(r.termEnd)! <= now.getTime()) continue;
    push(r, Math.min(left, room(r, true)), 'term-end', r.termEnd!);
  }
  return out;
}
