/**
 * In-memory state of the Microsoft Graph licence fake: one entry per Entra tenant (a CSP partner asks for a
 * token against each customer's tenant), each with its licence pool (`subscribedSkus`) and its users. Records are
 * kept in Graph's wire shape (camelCase, GUID strings, `capabilityStatus` in PascalCase).
 */

/** `servicePlanInfo` of a SKU or a licence detail. */
export interface GraphServicePlanInfo {
  servicePlanId: string;
  servicePlanName: string;
  provisioningStatus: string;
  appliesTo: string;
}

/** `licenseUnitsDetail`: seat counts by state. */
export interface GraphLicenseUnitsDetail {
  enabled: number;
  suspended: number;
  warning: number;
  lockedOut: number;
}

/** A `subscribedSku` (one licence pool of a tenant). */
export interface GraphSubscribedSku {
  id: string;
  accountId: string;
  accountName: string;
  appliesTo: 'User' | 'Company';
  /** `Enabled`, `Warning`, `Suspended`, `Deleted`, `LockedOut`. */
  capabilityStatus: string;
  consumedUnits: number;
  prepaidUnits: GraphLicenseUnitsDetail;
  servicePlans: GraphServicePlanInfo[];
  skuId: string;
  skuPartNumber: string;
  subscriptionIds: string[];
}

/** `assignedLicense` of a user. */
export interface GraphAssignedLicense {
  skuId: string;
  disabledPlans: string[];
}

/** A user (every property the fake knows; `GET` without `$select` returns Graph's default set only). */
export interface GraphUser {
  id: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  userPrincipalName: string;
  mail: string | null;
  jobTitle: string | null;
  mobilePhone: string | null;
  officeLocation: string | null;
  preferredLanguage: string | null;
  businessPhones: string[];
  accountEnabled: boolean;
  /** ISO 3166-1 alpha-2 country, or null when never set (licence assignment then fails). */
  usageLocation: string | null;
  assignedLicenses: GraphAssignedLicense[];
}

/** A change of `prepaidUnits.enabled` that lands when the fake's clock passes `at`. */
export interface GraphScheduledUnits {
  skuId: string;
  enabled: number;
  at: Date;
}

/** One Entra tenant. */
export interface GraphTenant {
  id: string;
  displayName: string;
  /** By `skuId`. */
  skus: Map<string, GraphSubscribedSku>;
  /** In directory order (the order `GET /users` pages through). */
  users: GraphUser[];
  scheduled: GraphScheduledUnits[];
}

/** Everything the fake knows. Open for tests to read and change. */
export interface GraphState {
  tenants: Map<string, GraphTenant>;
}

/** An empty state. */
export function createGraphState(): GraphState {
  return { tenants: new Map() };
}

/** Properties `GET /users` returns when there is no `$select` (Graph's default set). */
export const GRAPH_DEFAULT_USER_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

/** Adds an empty tenant. */
export function addGraphTenant(state: GraphState, input: { id: string; displayName: string }): GraphTenant {
  const tenant: GraphTenant = {
    id: input.id,
    displayName: input.displayName,
    skus: new Map(),
    users: [],
    scheduled: [],
  };
  state.tenants.set(tenant.id, tenant);
  return tenant;
}

/** Input of {@link addGraphSku}. */
export interface AddGraphSkuInput {
  skuId: string;
  skuPartNumber: string;
  enabled: number;
  consumedUnits?: number;
  servicePlans?: { servicePlanId: string; servicePlanName: string }[];
  capabilityStatus?: string;
  appliesTo?: 'User' | 'Company';
  subscriptionIds?: string[];
}

/** Adds a licence pool to a tenant. */
export function addGraphSku(tenant: GraphTenant, input: AddGraphSkuInput): GraphSubscribedSku {
  const appliesTo = input.appliesTo ?? 'User';
  const sku: GraphSubscribedSku = {
    id: `${tenant.id}_${input.skuId}`,
    accountId: tenant.id,
    accountName: tenant.displayName,
    appliesTo,
    capabilityStatus: input.capabilityStatus ?? 'Enabled',
    consumedUnits: input.consumedUnits ?? 0,
    prepaidUnits: { enabled: input.enabled, suspended: 0, warning: 0, lockedOut: 0 },
    servicePlans: (input.servicePlans ?? []).map((p) => ({
      ...p,
      provisioningStatus: 'Success',
      appliesTo,
    })),
    skuId: input.skuId,
    skuPartNumber: input.skuPartNumber,
    subscriptionIds: input.subscriptionIds ?? [],
  };
  tenant.skus.set(sku.skuId, sku);
  return sku;
}

/** Input of {@link addGraphUser}. */
export interface AddGraphUserInput {
  id: string;
  givenName: string;
  surname: string;
  /** Local part of the UPN (default `given.surname`). */
  alias?: string;
  domain: string;
  usageLocation?: string | null;
  /** SKU ids to assign (consumed units are counted up). */
  skuIds?: string[];
  jobTitle?: string | null;
}

/** Adds a user; licences listed in `skuIds` are counted as consumed in the tenant's pools. */
export function addGraphUser(tenant: GraphTenant, input: AddGraphUserInput): GraphUser {
  const alias = input.alias ?? `${input.givenName}.${input.surname}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
  const upn = `${alias}@${input.domain}`;
  const user: GraphUser = {
    id: input.id,
    displayName: `${input.givenName} ${input.surname}`,
    givenName: input.givenName,
    surname: input.surname,
    userPrincipalName: upn,
    mail: upn,
    jobTitle: input.jobTitle ?? null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
    businessPhones: [],
    accountEnabled: true,
    usageLocation: input.usageLocation ?? null,
    assignedLicenses: (input.skuIds ?? []).map((skuId) => ({ skuId, disabledPlans: [] })),
  };
  for (const skuId of input.skuIds ?? []) {
    const sku = tenant.skus.get(skuId);
    if (sku) sku.consumedUnits += 1;
  }
  tenant.users.push(user);
  return user;
}

/** Finds a user by id or userPrincipalName (ignoring case), as `/users/{id | userPrincipalName}` does. */
export function findGraphUser(tenant: GraphTenant, idOrUpn: string): GraphUser | undefined {
  const key = idOrUpn.toLowerCase();
  return tenant.users.find((u) => u.id.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key);
}
