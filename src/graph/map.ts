import * as z from 'zod';
import { type WireContext, parseWire } from '../core/wire.js';

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
}

/** A license assigned to a user (`licenseDetails`). */
export interface LicenseDetail {
  id: string;
  skuId: string;
  skuPartNumber: string | null;
  servicePlans: ServicePlan[];
  raw: unknown;
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
}

const str = z.string().nullish();
const int = z.coerce.number().int().nullish();

const ServicePlanWire = z.looseObject({
  servicePlanId: z.string(),
  servicePlanName: str,
  provisioningStatus: str,
  appliesTo: str,
});

const SkuWire = z.looseObject({
  id: z.string().min(1),
  skuId: z.string().min(1),
  skuPartNumber: z.string().nullish(),
  capabilityStatus: str,
  appliesTo: str,
  consumedUnits: int,
  prepaidUnits: z.looseObject({ enabled: int, suspended: int, warning: int, lockedOut: int }).nullish(),
  servicePlans: z.array(ServicePlanWire).nullish(),
  subscriptionIds: z.array(z.string()).nullish(),
});

const LicenseDetailWire = z.looseObject({
  id: z.string(),
  skuId: z.string().min(1),
  skuPartNumber: str,
  servicePlans: z.array(ServicePlanWire).nullish(),
});

const UserWire = z.looseObject({
  id: z.string().min(1),
  displayName: str,
  userPrincipalName: str,
  mail: str,
  accountEnabled: z.boolean().nullish(),
  usageLocation: str,
  assignedLicenses: z
    .array(z.looseObject({ skuId: z.string(), disabledPlans: z.array(z.string()).nullish() }))
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
  const s = parseWire(SkuWire, raw, 'subscribedSku', ctx);
  const enabled = s.prepaidUnits?.enabled ?? 0;
  const consumed = s.consumedUnits ?? 0;
  return {
    id: s.id,
    skuId: s.skuId.toLowerCase(),
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
  };
}

/** Graph `licenseDetails` -> {@link LicenseDetail}. */
export function mapLicenseDetail(raw: unknown, ctx: WireContext): LicenseDetail {
  const d = parseWire(LicenseDetailWire, raw, 'licenseDetails', ctx);
  return {
    id: d.id,
    skuId: d.skuId.toLowerCase(),
    skuPartNumber: d.skuPartNumber ?? null,
    servicePlans: plans(d.servicePlans),
    raw,
  };
}

/** Graph `user` -> {@link GraphUser}. */
export function mapGraphUser(raw: unknown, ctx: WireContext): GraphUser {
  const u = parseWire(UserWire, raw, 'user', ctx);
  return {
    id: u.id,
    displayName: u.displayName ?? null,
    userPrincipalName: u.userPrincipalName ?? null,
    mail: u.mail ?? null,
    accountEnabled: u.accountEnabled ?? null,
    usageLocation: u.usageLocation ?? null,
    assignedLicenses:
      u.assignedLicenses === undefined || u.assignedLicenses === null
        ? null
        : u.assignedLicenses.map((l) => ({ skuId: l.skuId.toLowerCase(), disabledPlans: l.disabledPlans ?? [] })),
    raw,
  };
}
