import * as z from 'zod';
import { ItemReader } from '../core/item-problems.js';
import type { WireContext } from '../core/wire.js';
import type { ItemProblem } from '../model/common.js';

/** A service plan inside a SKU or a license detail. */
export interface ServicePlan {
  servicePlanId: string;
  servicePlanName: string | null;
  provisioningStatus: string | null;
  appliesTo: string | null;
}

/** One license pool of a tenant (`subscribedSku`). */
export interface SubscribedSku {
  /** Graph's id of the pool (`{tenantId}_{skuId}`). */
  id: string;
  /** The license's GUID, used in `assignLicense`. */
  skuId: string;
  /** e.g. `SPB` (Microsoft 365 Business Premium), `ENTERPRISEPACK`. */
  skuPartNumber: string;
  /** `Enabled`, `Warning`, `Suspended`, `LockedOut`, ... as Graph sends it. */
  capabilityStatus: string;
  appliesTo: string | null;
  /** Seats assigned to users. */
  consumed: number;
  /** Active seats (`prepaidUnits.enabled`). */
  enabled: number;
  /** Seats of cancelled subscriptions that can still be reactivated. */
  suspended: number;
  /** Seats of expired subscriptions in their grace period. */
  warning: number;
  lockedOut: number;
  /** `enabled - consumed`: seats that can be assigned now (negative when over-assigned). */
  freeSeats: number;
  servicePlans: ServicePlan[];
  /** Commerce subscription ids feeding the pool. */
  subscriptionIds: string[];
  raw: unknown;
  /**
   * What the SDK could not read (absent when it read everything). When it names `freeSeats`, the seat counts are
   * placeholders: never decide to buy or release seats from them.
   */
  problems?: ItemProblem[];
}

/** A license assigned to a user (`licenseDetails`). */
export interface LicenseDetail {
  id: string;
  skuId: string;
  skuPartNumber: string | null;
  servicePlans: ServicePlan[];
  raw: unknown;
  /** What the SDK could not read (absent when it read everything). */
  problems?: ItemProblem[];
}

/** A Graph user (the fields the SDK reads; `raw` has the rest). */
export interface GraphUser {
  id: string;
  displayName: string | null;
  userPrincipalName: string | null;
  mail: string | null;
  /** Present when asked for with `select`. */
  accountEnabled: boolean | null;
  /** Present when asked for with `select`; null means not set (license assignment will fail). */
  usageLocation: string | null;
  /** Present when asked for with `select`. */
  assignedLicenses: { skuId: string; disabledPlans: string[] }[] | null;
  raw: unknown;
  /** What the SDK could not read (absent when it read everything); an assigned license without a skuId is left out. */
  problems?: ItemProblem[];
}

const str = z.string().nullish();
const int = z.coerce.number().int().nullish();

const ServicePlanWire = z.looseObject({
  servicePlanId: z.string(),
  servicePlanName: str,
  provisioningStatus: str,
  appliesTo: str,
});

// Ids are read by an ItemReader: a record without them is returned flagged, not refused.
const SkuWire = z.looseObject({
  id: z.unknown().optional(),
  skuId: z.unknown().optional(),
  skuPartNumber: z.string().nullish(),
  capabilityStatus: str,
  appliesTo: str,
  consumedUnits: int,
  prepaidUnits: z.looseObject({ enabled: int, suspended: int, warning: int, lockedOut: int }).nullish(),
  servicePlans: z.array(ServicePlanWire).nullish(),
  subscriptionIds: z.array(z.string()).nullish(),
});

const LicenseDetailWire = z.looseObject({
  id: z.string().nullish(),
  skuId: z.unknown().optional(),
  skuPartNumber: str,
  servicePlans: z.array(ServicePlanWire).nullish(),
});

const UserWire = z.looseObject({
  id: z.unknown().optional(),
  displayName: str,
  userPrincipalName: str,
  mail: str,
  accountEnabled: z.boolean().nullish(),
  usageLocation: str,
  assignedLicenses: z
    .array(z.looseObject({ skuId: z.unknown().optional(), disabledPlans: z.array(z.string()).nullish() }))
    .nullish(),
});

/** A Graph collection page: `{ value: [...], '@odata.nextLink'?: url }`. */
export const CollectionWire = z.looseObject({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().nullish(),
});

function plans(list: z.infer<typeof ServicePlanWire>[] | null | undefined): ServicePlan[] {
  return (list ?? []).map((p) => ({
    servicePlanId: p.servicePlanId,
    servicePlanName: p.servicePlanName ?? null,
    provisioningStatus: p.provisioningStatus ?? null,
    appliesTo: p.appliesTo ?? null,
  }));
}

/** Graph `subscribedSku` -> {@link SubscribedSku} (free seats = enabled - consumed). */
export function mapSubscribedSku(raw: unknown, ctx: WireContext): SubscribedSku {
  const read = new ItemReader(ctx);
  const s = read.parse(SkuWire, raw, 'subscribedSku');
  // A seat count Graph sent unreadably makes `freeSeats` unknown, not 0: flagged so nobody buys or releases on it.
  if (read.problems.some((p) => /^(consumedUnits|prepaidUnits)/.test(p.field))) {
    read.add('freeSeats', 'consumedUnits or prepaidUnits could not be read: the seat counts are placeholders');
  }
  const enabled = s.prepaidUnits?.enabled ?? 0;
  const consumed = s.consumedUnits ?? 0;
  return read.finish({
    id: read.id(s.id, 'id'),
    skuId: read.id(s.skuId, 'skuId').toLowerCase(),
    skuPartNumber: s.skuPartNumber ?? '',
    capabilityStatus: s.capabilityStatus ?? 'Unknown',
    appliesTo: s.appliesTo ?? null,
    consumed,
    enabled,
    suspended: s.prepaidUnits?.suspended ?? 0,
    warning: s.prepaidUnits?.warning ?? 0,
    lockedOut: s.prepaidUnits?.lockedOut ?? 0,
    freeSeats: enabled - consumed,
    servicePlans: plans(s.servicePlans),
    subscriptionIds: s.subscriptionIds ?? [],
    raw,
  });
}

/** Graph `licenseDetails` -> {@link LicenseDetail}. */
export function mapLicenseDetail(raw: unknown, ctx: WireContext): LicenseDetail {
  const read = new ItemReader(ctx);
  const d = read.parse(LicenseDetailWire, raw, 'licenseDetails');
  return read.finish({
    id: d.id ?? '',
    skuId: read.id(d.skuId, 'skuId').toLowerCase(),
    skuPartNumber: d.skuPartNumber ?? null,
    servicePlans: plans(d.servicePlans),
    raw,
  });
}

/** Graph object ids are strings (GUIDs); a number there means the answer is not a Graph object. */
function graphId(read: ItemReader, value: unknown): string {
  if (typeof value !== 'number') return read.id(value, 'id');
  read.add('id', 'id is not a Graph object id (number)');
  return '';
}

/** Graph `user` -> {@link GraphUser}. */
export function mapGraphUser(raw: unknown, ctx: WireContext): GraphUser {
  const read = new ItemReader(ctx);
  const u = read.parse(UserWire, raw, 'user');
  const licenses = u.assignedLicenses?.flatMap((l, i) => {
    if (typeof l.skuId === 'string' && l.skuId !== '') {
      return [{ skuId: l.skuId.toLowerCase(), disabledPlans: l.disabledPlans ?? [] }];
    }
    read.add('assignedLicenses', `assignedLicenses.${i}.skuId is missing: that license is left out`);
    return [];
  });
  return read.finish({
    id: graphId(read, u.id),
    displayName: u.displayName ?? null,
    userPrincipalName: u.userPrincipalName ?? null,
    mail: u.mail ?? null,
    accountEnabled: u.accountEnabled ?? null,
    usageLocation: u.usageLocation ?? null,
    assignedLicenses: licenses ?? null,
    raw,
  });
}
