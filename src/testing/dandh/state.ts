/**
 * In-memory state of the D&H Cloud Marketplace fake (ALSO Cloud Marketplace "SimpleAPI" platform).
 *
 * Wire objects are stored exactly as the SimpleAPI sends them (PascalCase keys, integer `AccountId`s, dynamic
 * `Fields`), so the fake answers with clones of what it holds. Fake-only bookkeeping lives next to the wire
 * object, never inside it.
 */

/** Lifecycle state of any SimpleAPI account (company, reseller, subscription). */
export type DandhAccountState = 'Active' | 'Terminated';

/** One dynamic attribute of a subscription (`Fields[]` / `RenewFields[]`). Values are sent as strings. */
export interface DandhField {
  DisplayName: string;
  Name: string;
  Value: string;
}

/** A charge line of a subscription. `FieldName` + `IsUDRCField` tie the charge to the quantity field. */
export interface DandhPriceableItem {
  ChargeType: string;
  Currency: string;
  FieldName: string;
  IsUDRCField: boolean;
  PriceableItemDescription: string;
  PriceableItemType: string;
  PurchasePrice: number;
  SalesPrice: number;
  SuggestedRetailPrice: number;
  MaterialNumber: string;
  ProductNumber: string;
  /** Billing frequency in months (1 = billed monthly, 12 = billed yearly up front). */
  PrepaidPeriodInMonths: number;
  /** Commitment term in months (sic: the vendor spells it "Commitement"). 0 = no commitment. */
  CommitementPeriodInMonths: number;
  PriceableItemId: number;
}

/** A subscription ("Product"/"Service" account) as `GetSubscription(s)` returns it. */
export interface DandhSubscription {
  AccountId: number;
  AccountState: DandhAccountState;
  ParentAccountId: number;
  CompanyAccountId: number;
  ParentType: string;
  Status: string;
  ProvisioningStatus: string;
  ErrorDetails: string;
  ServiceName: string;
  ServiceDisplayName: string;
  VendorDisplayName: string;
  VendorReferenceId: string;
  SecondVendorReferenceId: string;
  Fields: DandhField[];
  RenewFields: DandhField[];
  PriceableItems: DandhPriceableItem[];
  BillingStartDate: string;
  ContractEndDate: string;
  PriceProtectionEndDate: string;
  ScheduledTerminationDate: string;
  AdvancePeriodEndDate: string;
  AdvancePeriodEndAction: 'Renew' | 'Terminate';
  HasRenewActionValuesConfigured: boolean;
  RemainingCreditLimit: number;
  PurchaseOrderNumber: string;
  ContractId: string;
  DependencyAccountId: number | null;
  DependencyServiceName: string;
}

/** A company (end customer) or reseller account as `GetCompanies` / `GetResellers` / `GetCompany` return it. */
export interface DandhCompany {
  AccountId: number;
  ParentAccountId: number;
  AccountState: DandhAccountState;
  AccountType: 'Company' | 'Reseller';
  CompanyName: string;
  VATID: string;
  Domain: string[];
  BillingStartDate: string;
  ContractId: string;
  PurchaseOrderNumber: string;
  CustomerId: string;
  Currency: string;
  Address: string;
  City: string;
  Country: string;
  Zip: string;
  Email: string;
  TechnicalEmail: string;
  Marketplace: number;
  Marketplaces: number[];
  MPNId: string;
}

/** One order-form field of a service (`GetFieldsForService` → `Fields[]`). */
export interface DandhAccountField {
  Name: string;
  DisplayName: string;
  DisplayType: 'Optional' | 'Mandatory' | 'Readonly' | 'Hidden';
  DisplayTemplate: string;
  Type: string;
  Hint: string;
  IsList: boolean;
  IsUnique: boolean;
  IsRemoteValidation: boolean;
  IsPartialValidation: boolean;
  MinValue: number | null;
  MaxValue: number | null;
  Validator: string;
  DefaultValue: { Value: string | number | null };
  EnumMembers: { DisplayName: string; Hint: string; Value: string }[];
  CustomProperties: Record<string, string>;
}

/** A catalog service (`GetPossibleServicesForParent` / `ListMarketplaceServices` items). */
export interface DandhProductInfo {
  ProductName: string;
  DisplayName: string;
  Description: string;
  OwnerName: string;
  Icon: string;
  IsTCAccepted: boolean;
  DependencyInfo: { ServiceName: string; DisplayName: string }[];
  IndirectDependencies: { ServiceName: string; DisplayName: string }[];
  SimpleProductBillingInfo: {
    BillableTimeUnit: string;
    ChargeFirstTimeUnit: boolean;
    ChargeLastTimeUnit: boolean;
    AdvancePaymentPeriodInMonths: number;
    FieldDisplayName: string;
    FieldDisplayValue: string;
    FieldName: string;
    FieldValue: string;
    VendorSku: string;
    MaterialNumber: string;
  }[];
}

/** A marketplace (`GetMarketplaces` item). */
export interface DandhMarketplace {
  Id: number;
  Name: string;
  ServiceCount: number;
  HiddenServiceCount: number;
  AssigneeCount: number;
  Priority: number;
  PricingMode: string;
}

/** A service the fake can sell, with the facts the fake needs to enforce its rules. */
export interface DandhService {
  info: DandhProductInfo;
  /** The order-form fields. The quantity field is the one named by `quantityField`. */
  fields: DandhAccountField[];
  /** Name of the field that carries the seat count on this service (differs between services). */
  quantityField: string | null;
  /** Commitment term in months (12 = annual, 1 = monthly, 0 = none). */
  commitmentMonths: number;
  /** Billing frequency in months. */
  prepaidMonths: number;
  /** Vendor SKU / material number. */
  vendorSku: string;
  materialNumber: string;
  /** Prices per unit per billing period. */
  purchasePrice: number;
  salesPrice: number;
  msrp: number;
  /** Service name of the parent the service hangs under (the Microsoft tenant service), if any. */
  requiresTenant: boolean;
  marketplaceId: number;
}

/** A session issued by `GetSessionToken`. */
export interface DandhSession {
  username: string;
  issuedAt: number;
  expiresAt: number;
}

/** Fake-only bookkeeping for a subscription: when pending provisioning completes, and what to do if it fails. */
export interface DandhProvisioning {
  /** Epoch ms at which pending provisioning completes by itself. */
  readyAt: number;
  /** Quantity field value before the change, restored when provisioning fails (null for a new subscription). */
  previousQuantity: string | null;
}

/** The whole fake state. Tests may read and change it freely. */
export interface DandhState {
  /** The reseller account the API user belongs to (D&H "Account ID", used as `parentAccountId`). */
  resellerAccountId: number;
  /** Every reseller and company account by `AccountId` (the caller's own reseller account included). */
  accounts: Map<number, DandhCompany>;
  /** Subscriptions by `AccountId`. */
  subscriptions: Map<number, DandhSubscription>;
  /** Pending provisioning by subscription `AccountId`. */
  provisioning: Map<number, DandhProvisioning>;
  /** Catalog services by `ServiceName`. */
  services: Map<string, DandhService>;
  marketplaces: DandhMarketplace[];
  /** Live sessions by token. */
  sessions: Map<string, DandhSession>;
  /** Next `AccountId` handed out to a new account. */
  nextAccountId: number;
}

/** An empty state for the given reseller account. */
export function createDandhState(resellerAccountId: number): DandhState {
  return {
    resellerAccountId,
    accounts: new Map(),
    subscriptions: new Map(),
    provisioning: new Map(),
    services: new Map(),
    marketplaces: [],
    sessions: new Map(),
    nextAccountId: 500_000,
  };
}

/**
 * Formats a date the way the fake sends subscription dates: `YYYY-MM-DD HH:mm:ss.ffffff` (UTC, no zone), as in
 * the SimpleAPI examples. The format is not fixed by the vendor, so clients must parse leniently.
 */
export function dandhDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

/** Formats a company date as in the SimpleAPI `Company` example: `YYYY-MM-DDTHH:mm:ss.fff` (no zone). */
export function dandhCompanyDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23);
}

/** Parses a date in either of the fake's formats back to epoch ms (UTC). */
export function parseDandhDate(value: string): number {
  return Date.parse(`${value.replace(' ', 'T').slice(0, 23)}Z`);
}

/** Reads a field value from a subscription's `Fields` (undefined when absent). */
export function fieldValue(sub: DandhSubscription, name: string): string | undefined {
  return sub.Fields.find((f) => f.Name === name)?.Value;
}

/** The quantity of a subscription per the quantity field of its service (null when it has none). */
export function subscriptionQuantity(state: DandhState, sub: DandhSubscription): number | null {
  const service = state.services.get(sub.ServiceName);
  if (!service?.quantityField) return null;
  const raw = fieldValue(sub, service.quantityField);
  return raw === undefined ? null : Number(raw);
}
