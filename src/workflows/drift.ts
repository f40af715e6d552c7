import { knownKeys, rejectUnknownKeys } from '../core/options/strict-keys.js';
import type { GraphClient } from '../graph/client.js';
import type { GraphUser, SubscribedSku } from '../graph/map.js';
import { type ProviderId, problemFields } from '../model/common.js';
import type { BillingTerm, Subscription, SubscriptionStatus } from '../model/subscription.js';
import { type LicenseQuery, licenseLabel, matchesLicense } from './license-subscriptions.js';
import type { SyncRecord } from './sync.js';

/** One subscription in a snapshot: what drift compares. */
export interface SnapshotEntry {
  provider: ProviderId;
  customerId: string;
  subscriptionId: string;
  productId: string | null;
  sku: string | null;
  name: string;
  status: SubscriptionStatus;
  quantity: number;
  billingTerm: BillingTerm;
  commitmentTerm: string | null;
  renewalDate: string | null;
  /**
   * The fields the SDK could not read in the vendor's record (its `problems`); absent when it read everything.
   * When it names `quantity`, `quantity` is a placeholder: drift never reads it as a seat count.
   */
  unreadable?: string[];
}

/** Every subscription at one moment (JSON-safe: store it and diff it next week). */
export interface Snapshot {
  version: 1;
  takenAt: string;
  /** Providers whose listing finished; a provider missing here was not (fully) read. */
  completeProviders: ProviderId[];
  /** Providers that failed during the sync that made the snapshot. */
  failedProviders: ProviderId[];
  entries: SnapshotEntry[];
}

/** A seat count that changed. */
export interface SeatChange {
  entry: SnapshotEntry;
  before: number;
  after: number;
  delta: number;
}

/** A status that changed. */
export interface StatusChange {
  entry: SnapshotEntry;
  before: SubscriptionStatus;
  after: SubscriptionStatus;
}

/** What changed between two snapshots. */
export interface SnapshotDiff {
  from: string;
  to: string;
  added: SnapshotEntry[];
  removed: SnapshotEntry[];
  seatChanges: SeatChange[];
  statusChanges: StatusChange[];
  /** Providers not complete in one of the snapshots: their absent subscriptions are not reported as removed. */
  incompleteProviders: ProviderId[];
  /**
   * Subscriptions the vendor returned but the SDK could not fully read now (or before), with the fields: never
   * reported as removed, and no seat change is computed from an unreadable seat count.
   */
  unreadable: SnapshotEntry[];
  /**
   * Subscriptions absent now while the same provider (and customer) returned a record without a readable id: it
   * may be one of them, so they are not reported as removed.
   */
  unconfirmedRemovals: SnapshotEntry[];
  summary: {
    added: number;
    removed: number;
    seatsAdded: number;
    seatsRemoved: number;
    statusChanges: number;
  };
}

/** The key of a subscription across snapshots. */
export function snapshotKey(e: Pick<SnapshotEntry, 'provider' | 'customerId' | 'subscriptionId'>): string {
  return `${e.provider}\u0000${e.customerId}\u0000${e.subscriptionId}`;
}

/** A subscription as a snapshot entry. */
export function toSnapshotEntry(s: Subscription): SnapshotEntry {
  return {
    provider: s.provider,
    customerId: s.customerId,
    subscriptionId: s.id,
    productId: s.productId,
    sku: s.sku,
    name: s.name,
    status: s.status,
    quantity: s.quantity,
    billingTerm: s.billingTerm,
    commitmentTerm: s.commitment?.term ?? null,
    renewalDate: s.renewalDate,
    ...(s.problems?.length ? { unreadable: problemFields(s) } : {}),
  };
}

/** Whether a snapshot entry's seat count is a placeholder (the vendor's could not be read). */
function seatsUnread(e: SnapshotEntry): boolean {
  return e.unreadable?.includes('quantity') === true;
}

/** An entry without a readable id: it cannot be matched across snapshots. */
function idUnread(e: SnapshotEntry): boolean {
  return e.subscriptionId === '' || e.unreadable?.includes('id') === true;
}

/** Options of {@link createSnapshot}. */
export interface CreateSnapshotOptions {
  /** When the snapshot was taken (default: now). */
  takenAt?: Date | string | undefined;
}

const SNAPSHOT_OPTION_KEYS = knownKeys<CreateSnapshotOptions>('createSnapshot options', { takenAt: true });

/**
 * Builds a snapshot from sync records (`syncAll(...)`) or plain subscriptions. With sync records, providers with
 * a provider-level error are marked failed, so a later diff does not read their missing subscriptions as removed.
 */
export async function createSnapshot(
  source: AsyncIterable<SyncRecord | Subscription> | Iterable<SyncRecord | Subscription>,
  options: CreateSnapshotOptions = {},
): Promise<Snapshot> {
  rejectUnknownKeys(options, SNAPSHOT_OPTION_KEYS, { path: 'options', operation: 'createSnapshot' });
  const entries = new Map<string, SnapshotEntry>();
  const seen = new Set<ProviderId>();
  const failed = new Set<ProviderId>();
  // Records without a readable id cannot share one key: each is kept under its own.
  const keyOf = (e: SnapshotEntry) => (idUnread(e) ? `${snapshotKey(e)}\u0000#${entries.size}` : snapshotKey(e));
  const add = (item: SyncRecord | Subscription) => {
    if ('type' in item) {
      seen.add(item.provider);
      if (item.type === 'subscription') {
        const e = toSnapshotEntry(item.subscription);
        entries.set(keyOf(e), e);
      }
      if (item.type === 'error' && item.scope === 'provider') failed.add(item.provider);
      return;
    }
    seen.add(item.provider);
    const e = toSnapshotEntry(item);
    entries.set(keyOf(e), e);
  };
  if (Symbol.asyncIterator in Object(source)) {
    for await (const item of source as AsyncIterable<SyncRecord | Subscription>) add(item);
  } else {
    for (const item of source as Iterable<SyncRecord | Subscription>) add(item);
  }
  const takenAt = options.takenAt === undefined ? new Date().toISOString() : new Date(options.takenAt).toISOString();
  const sorted = [...entries.values()].sort((a, b) => snapshotKey(a).localeCompare(snapshotKey(b)));
  return {
    version: 1,
    takenAt,
    completeProviders: [...seen].filter((p) => !failed.has(p)).sort(),
    failedProviders: [...failed].sort(),
    entries: sorted,
  };
}

/**
 * Compares two snapshots: new and removed subscriptions, seat-count changes and status changes. A provider that
 * was not complete in either snapshot has its disappeared subscriptions left out of `removed` (and listed in
 * `incompleteProviders`): a vendor outage is not a cancellation.
 */
export function diffSnapshots(previous: Snapshot, current: Snapshot): SnapshotDiff {
  const before = new Map(previous.entries.filter((e) => !idUnread(e)).map((e) => [snapshotKey(e), e]));
  const after = new Map(current.entries.filter((e) => !idUnread(e)).map((e) => [snapshotKey(e), e]));
  const unreadable = current.entries.filter((e) => e.unreadable?.length);
  // Where the vendor now returns a record without a readable id, an absent subscription may be that record.
  const idless = current.entries.filter(idUnread);
  const maybeIdless = (e: SnapshotEntry) =>
    idless.some((x) => x.provider === e.provider && (x.customerId === '' || x.customerId === e.customerId));
  const unconfirmedRemovals: SnapshotEntry[] = [];
  const complete = new Set(current.completeProviders);
  const prevComplete = new Set(previous.completeProviders);
  const incomplete = new Set<ProviderId>();
  for (const e of [...previous.entries, ...current.entries]) {
    if (!complete.has(e.provider) || !prevComplete.has(e.provider)) incomplete.add(e.provider);
  }
  const added: SnapshotEntry[] = [];
  const removed: SnapshotEntry[] = [];
  const seatChanges: SeatChange[] = [];
  const statusChanges: StatusChange[] = [];
  for (const [key, cur] of after) {
    const prev = before.get(key);
    if (!prev) {
      if (prevComplete.has(cur.provider)) added.push(cur);
      continue;
    }
    if (cur.unreadable?.length && !unreadable.includes(cur)) unreadable.push(cur);
    if (prev.unreadable?.length && !cur.unreadable?.length && !unreadable.includes(cur)) unreadable.push(prev);
    // A seat count that could not be read (now or before) is not a change of seats.
    if (!seatsUnread(prev) && !seatsUnread(cur) && prev.quantity !== cur.quantity) {
      seatChanges.push({ entry: cur, before: prev.quantity, after: cur.quantity, delta: cur.quantity - prev.quantity });
    }
    if (prev.status !== cur.status) statusChanges.push({ entry: cur, before: prev.status, after: cur.status });
  }
  for (const [key, prev] of before) {
    if (after.has(key) || !complete.has(prev.provider)) continue;
    if (maybeIdless(prev)) unconfirmedRemovals.push(prev);
    else removed.push(prev);
  }
  return {
    from: previous.takenAt,
    to: current.takenAt,
    added,
    removed,
    seatChanges,
    statusChanges,
    incompleteProviders: [...incomplete].sort(),
    unreadable,
    unconfirmedRemovals,
    summary: {
      added: added.length,
      removed: removed.length,
      seatsAdded: seatChanges.filter((c) => c.delta > 0).reduce((n, c) => n + c.delta, 0),
      seatsRemoved: seatChanges.filter((c) => c.delta < 0).reduce((n, c) => n - c.delta, 0),
      statusChanges: statusChanges.length,
    },
  };
}

/** A license to reconcile: how to find its marketplace subscriptions and its Graph SKU. */
export interface ReconcileLicense {
  /** Matches marketplace subscriptions (see `LicenseQuery`). */
  license: LicenseQuery;
  /** The Graph SKU (GUID); or give `skuPartNumber`. */
  skuId?: string | undefined;
  skuPartNumber?: string | undefined;
}

/** Purchased vs assigned seats of one license of one company. */
export interface LicenseReconciliation {
  label: string;
  skuId: string | null;
  skuPartNumber: string | null;
  /** Seats bought at the marketplaces (active and pending subscriptions). */
  purchased: number;
  /** Seats Graph has enabled (`prepaidUnits.enabled`); null when the tenant has no such SKU. */
  enabled: number | null;
  /** Seats assigned to users. */
  consumed: number;
  /** Purchased but not assigned: candidates to release. */
  unusedSeats: number;
  /** Assigned beyond what was purchased (users without a purchased seat). */
  usersWithoutSeats: number;
  /** `purchased - enabled`: seats bought but not (yet) in Graph, or bought elsewhere when negative. */
  pendingOrElsewhere: number | null;
  /** The marketplace subscriptions counted. */
  subscriptions: { provider: ProviderId; subscriptionId: string; quantity: number; status: SubscriptionStatus }[];
  /** Advice in words. */
  notes: string[];
}

/** The result of {@link reconcileWithGraph}. */
export interface Reconciliation {
  tenantId: string;
  licenses: LicenseReconciliation[];
  /** Enabled users with no license at all (only with `includeUnlicensedUsers`). */
  unlicensedUsers?: { id: string; userPrincipalName: string | null }[] | undefined;
}

/** Input of {@link reconcileWithGraph}. */
export interface ReconcileInput {
  /** The company's marketplace subscriptions (e.g. `listLicenseSubscriptions(...)` results or a sync's). */
  subscriptions: readonly Subscription[];
  /** A Graph client of the company's tenant, or its SKUs already read. */
  graph: GraphClient | { tenantId: string; skus: readonly SubscribedSku[] };
  /** The licenses to compare. */
  licenses: readonly ReconcileLicense[];
  /** List enabled users without any license (reads every user; default false). */
  includeUnlicensedUsers?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Compares what a company bought at its marketplaces with what Microsoft 365 shows as enabled and assigned, per
 * license: unused seats (purchased - consumed, to release) and users without seats (consumed - purchased).
 */
export async function reconcileWithGraph(input: ReconcileInput): Promise<Reconciliation> {
  const isClient = typeof (input.graph as GraphClient).listSubscribedSkus === 'function';
  const skus: readonly SubscribedSku[] = isClient
    ? await (input.graph as GraphClient).listSubscribedSkus({ signal: input.signal })
    : (input.graph as { skus: readonly SubscribedSku[] }).skus;
  const licenses = input.licenses.map((l): LicenseReconciliation => {
    const sku =
      (l.skuId && skus.find((s) => s.skuId === l.skuId!.toLowerCase())) ||
      (l.skuPartNumber && skus.find((s) => s.skuPartNumber.toLowerCase() === l.skuPartNumber!.toLowerCase())) ||
      undefined;
    const subs = input.subscriptions.filter(
      (s) =>
        // A subscription cancelled at its term end is still provisioned (and billed) until then.
        (s.status === 'active' || s.status === 'pending' || s.status === 'pending-cancel') &&
        matchesLicense(s, l.license),
    );
    const purchased = subs.reduce((n, s) => n + s.quantity, 0);
    const consumed = sku?.consumed ?? 0;
    const enabled = sku ? sku.enabled : null;
    const unusedSeats = Math.max(0, purchased - consumed);
    const usersWithoutSeats = Math.max(0, consumed - purchased);
    const notes: string[] = [];
    if (!sku) notes.push('the tenant has no such SKU in Graph (check skuId / skuPartNumber)');
    const unread = subs.filter((s) => problemFields(s).includes('quantity'));
    if (unread.length) {
      notes.push(
        `${unread.length} subscription(s) could not be read (${unread.map((s) => s.id || '(without id)').join(', ')}): their seats are not counted in purchased; do not act on the difference before checking them`,
      );
    }
    if (sku?.problems?.length) {
      notes.push(`Graph's license pool could not be fully read (${sku.problems.map((p) => p.field).join(', ')})`);
    }
    if (unusedSeats > 0) notes.push(`${unusedSeats} purchased seat(s) are not assigned: release them or assign them`);
    if (usersWithoutSeats > 0) {
      notes.push(
        `${usersWithoutSeats} user(s) hold seats not bought at the configured marketplaces (trial, another reseller, or a missing mapping)`,
      );
    }
    if (enabled !== null && purchased !== enabled) {
      notes.push(
        purchased > enabled
          ? `${purchased - enabled} seat(s) bought but not enabled in Graph yet (or suspended)`
          : `${enabled - purchased} enabled seat(s) do not come from the configured marketplaces`,
      );
    }
    return {
      label: licenseLabel(l.license),
      skuId: sku?.skuId ?? l.skuId ?? null,
      skuPartNumber: sku?.skuPartNumber ?? l.skuPartNumber ?? null,
      purchased,
      enabled,
      consumed,
      unusedSeats,
      usersWithoutSeats,
      pendingOrElsewhere: enabled === null ? null : purchased - enabled,
      subscriptions: subs.map((s) => ({
        provider: s.provider,
        subscriptionId: s.id,
        quantity: s.quantity,
        status: s.status,
      })),
      notes,
    };
  });
  const result: Reconciliation = { tenantId: input.graph.tenantId, licenses };
  if (input.includeUnlicensedUsers && isClient) {
    const users: GraphUser[] = [];
    for await (const u of (input.graph as GraphClient).listUsers({
      select: ['id', 'userPrincipalName', 'accountEnabled', 'assignedLicenses'],
      pageSize: 999,
      signal: input.signal,
    })) {
      if (u.accountEnabled !== false && (u.assignedLicenses ?? []).length === 0) users.push(u);
    }
    result.unlicensedUsers = users.map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName }));
  }
  return result;
}
