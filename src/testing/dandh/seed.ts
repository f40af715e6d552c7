import { createRandom } from '../kit/faults.js';
import {
  type DandhAccountField,
  type DandhCompany,
  type DandhService,
  type DandhState,
  type DandhSubscription,
  dandhCompanyDate,
  dandhDate,
} from './state.js';

const DAY = 86_400_000;

/** The marketplace every seeded service belongs to. */
export const DANDH_MARKETPLACE_ID = 101;

/** Catalog service names (`ServiceName`) of the seeded services. */
export const DANDH_SERVICES = {
  tenant: '101_MicrosoftOrganizationtenant_50001',
  businessPremiumAnnual: '101_Microsoft365BusinessPremiumNCEAnnual_50002',
  businessPremiumMonthly: '101_Microsoft365BusinessPremiumNCEMonthly_50003',
  e3Annual: '101_Microsoft365E3NCEAnnual_50004',
  businessBasicMonthly: '101_Microsoft365BusinessBasicNCEMonthly_50005',
  exchangePlan1Legacy: '101_ExchangeOnlinePlan1CSP_50006',
  visioPlan2Legacy: '101_VisioPlan2CSP_50007',
  businessStandardAnnual: '101_Microsoft365BusinessStandardNCEAnnual_50008',
} as const;

/** Fixed ids of the seeded records tests rely on. */
export const DANDH_SEED_IDS = {
  /** A second-tier reseller under the caller's reseller account (its companies need `GetResellers` recursion). */
  subReseller: 100_900,
  /** The "Contoso Ltd" company account. */
  contoso: 100_101,
  /** Contoso's Microsoft tenant subscription (no quantity field). */
  contosoTenant: 200_101,
  /** Microsoft 365 Business Premium, annual commitment, 80 seats (decrease window closed). */
  contosoBusinessPremiumAnnual: 200_102,
  /** Microsoft 365 Business Premium, monthly commitment, 20 seats (decrease window open). */
  contosoBusinessPremiumMonthly: 200_103,
  /** Exchange Online Plan 1 (legacy CSP), 10 seats; its quantity field is `NumberofCSPlicenses`. */
  contosoExchange: 200_104,
} as const;

function field(
  Name: string,
  DisplayName: string,
  DisplayType: DandhAccountField['DisplayType'],
  Type: string,
  extra: Partial<DandhAccountField> = {},
): DandhAccountField {
  return {
    Name,
    DisplayName,
    DisplayType,
    DisplayTemplate: Type === 'int' ? 'NumericUpDown' : 'TextBox',
    Type,
    Hint: '',
    IsList: false,
    IsUnique: false,
    IsRemoteValidation: false,
    IsPartialValidation: false,
    MinValue: null,
    MaxValue: null,
    Validator: '',
    DefaultValue: { Value: null },
    EnumMembers: [],
    CustomProperties: {},
    ...extra,
  };
}

interface ServiceSeed {
  name: string;
  display: string;
  quantityField: string | null;
  quantityLabel: string;
  commitmentMonths: number;
  prepaidMonths: number;
  vendorSku: string;
  msrp: number;
  requiresTenant: boolean;
}

const SERVICE_SEEDS: ServiceSeed[] = [
  {
    name: DANDH_SERVICES.tenant,
    display: 'Microsoft Organization tenant',
    quantityField: null,
    quantityLabel: '',
    commitmentMonths: 0,
    prepaidMonths: 1,
    vendorSku: 'MS-TENANT',
    msrp: 0,
    requiresTenant: false,
  },
  {
    name: DANDH_SERVICES.businessPremiumAnnual,
    display: 'Microsoft 365 Business Premium (NCE, annual commitment)',
    quantityField: 'Quantity',
    quantityLabel: 'Quantity',
    commitmentMonths: 12,
    prepaidMonths: 1,
    vendorSku: 'CFQ7TTC0LCHC:0002:P1Y:M',
    msrp: 22,
    requiresTenant: true,
  },
  {
    name: DANDH_SERVICES.businessPremiumMonthly,
    display: 'Microsoft 365 Business Premium (NCE, monthly commitment)',
    quantityField: 'Quantity',
    quantityLabel: 'Quantity',
    commitmentMonths: 1,
    prepaidMonths: 1,
    vendorSku: 'CFQ7TTC0LCHC:0002:P1M:M',
    msrp: 26.4,
    requiresTenant: true,
  },
  {
    name: DANDH_SERVICES.e3Annual,
    display: 'Microsoft 365 E3 (NCE, annual commitment)',
    quantityField: 'Quantity',
    quantityLabel: 'Quantity',
    commitmentMonths: 12,
    prepaidMonths: 12,
    vendorSku: 'CFQ7TTC0LFLX:0001:P1Y:A',
    msrp: 36,
    requiresTenant: true,
  },
  {
    name: DANDH_SERVICES.businessBasicMonthly,
    display: 'Microsoft 365 Business Basic (NCE, monthly commitment)',
    quantityField: 'Quantity',
    quantityLabel: 'Quantity',
    commitmentMonths: 1,
    prepaidMonths: 1,
    vendorSku: 'CFQ7TTC0LH18:0001:P1M:M',
    msrp: 7.2,
    requiresTenant: true,
  },
  {
    name: DANDH_SERVICES.exchangePlan1Legacy,
    display: 'Exchange Online (Plan 1) - CSP',
    quantityField: 'NumberofCSPlicenses',
    quantityLabel: 'Number of CSP licenses',
    commitmentMonths: 0,
    prepaidMonths: 1,
    vendorSku: '195416C1-3447-423A-B37B-EE59A99A19C4',
    msrp: 4,
    requiresTenant: true,
  },
  {
    name: DANDH_SERVICES.visioPlan2Legacy,
    display: 'Visio Plan 2 - CSP',
    quantityField: 'NumberofCSPlicenses',
    quantityLabel: 'Number of CSP licenses',
    commitmentMonths: 0,
    prepaidMonths: 1,
    vendorSku: '4B244418-9658-4451-A2B8-E0B7EB1FFA1F',
    msrp: 15,
    requiresTenant: true,
  },
  {
    name: DANDH_SERVICES.businessStandardAnnual,
    display: 'Microsoft 365 Business Standard (NCE, annual commitment)',
    quantityField: 'Quantity',
    quantityLabel: 'Quantity',
    commitmentMonths: 12,
    prepaidMonths: 1,
    vendorSku: 'CFQ7TTC0LDPB:0001:P1Y:M',
    msrp: 12.5,
    requiresTenant: true,
  },
];

function buildService(s: ServiceSeed, index: number): DandhService {
  const fields: DandhAccountField[] = [];
  if (s.quantityField) {
    fields.push(
      field(s.quantityField, s.quantityLabel, 'Mandatory', 'int', {
        MinValue: 1,
        MaxValue: 10_000,
        DefaultValue: { Value: 1 },
        Validator: '^[0-9]+$',
      }),
      field('SubscriptionName', 'Subscription name', 'Optional', 'string'),
      field('OfferId', 'Offer ID', 'Readonly', 'string', { DefaultValue: { Value: s.vendorSku } }),
      field('BillingType', 'Billing type', 'Readonly', 'string', { DefaultValue: { Value: 'license' } }),
      field('Subscriptionstatus', 'Subscription status', 'Readonly', 'string'),
      field('MicrosoftTenantId', 'Microsoft tenant ID', 'Readonly', 'string'),
    );
  } else {
    fields.push(
      field('Primarydomainname', 'Primary domain name', 'Mandatory', 'string', {
        Hint: 'Only letters and numbers are allowed.',
        Validator: '^[0-9a-zA-Z]+$',
        IsUnique: true,
      }),
      field('MicrosoftTenantId', 'Microsoft tenant ID', 'Readonly', 'string'),
    );
  }
  const purchasePrice = Math.round(s.msrp * 0.8 * 100) / 100;
  return {
    info: {
      ProductName: s.name,
      DisplayName: s.display,
      Description: `${s.display}. Fake catalog entry.`,
      OwnerName: 'Microsoft',
      Icon: '',
      IsTCAccepted: true,
      DependencyInfo: s.requiresTenant
        ? [{ ServiceName: DANDH_SERVICES.tenant, DisplayName: 'Microsoft Organization tenant' }]
        : [],
      IndirectDependencies: [],
      SimpleProductBillingInfo: [
        {
          BillableTimeUnit: 'Month',
          ChargeFirstTimeUnit: true,
          ChargeLastTimeUnit: false,
          AdvancePaymentPeriodInMonths: s.prepaidMonths,
          FieldDisplayName: s.quantityLabel,
          FieldDisplayValue: '',
          FieldName: s.quantityField ?? '',
          FieldValue: '',
          VendorSku: s.vendorSku,
          MaterialNumber: String(7_000_000 + index),
        },
      ],
    },
    fields,
    quantityField: s.quantityField,
    commitmentMonths: s.commitmentMonths,
    prepaidMonths: s.prepaidMonths,
    vendorSku: s.vendorSku,
    materialNumber: String(7_000_000 + index),
    purchasePrice,
    salesPrice: s.msrp,
    msrp: s.msrp,
    requiresTenant: s.requiresTenant,
    marketplaceId: DANDH_MARKETPLACE_ID,
  };
}

/** Adds the catalog (marketplace and services) to a state; done even when `seed: false`. */
export function seedDandhCatalog(state: DandhState): void {
  SERVICE_SEEDS.forEach((s, i) => {
    state.services.set(s.name, buildService(s, i));
  });
  state.marketplaces = [
    {
      Id: DANDH_MARKETPLACE_ID,
      Name: 'D&H Cloud Marketplace',
      ServiceCount: SERVICE_SEEDS.length,
      HiddenServiceCount: 0,
      AssigneeCount: 31,
      Priority: 1,
      PricingMode: 'dynamic',
    },
  ];
}

function hexGuid(random: () => number): string {
  const hex = (n: number) =>
    Array.from({ length: n }, () =>
      Math.floor(random() * 16)
        .toString(16)
        .toLowerCase(),
    ).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

/** Adds `months` calendar months to an epoch-ms date (UTC). */
export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

/** The end of the current commitment term: start + n × term, the first such date after `now`. */
function termEnd(start: number, months: number, now: number): number {
  if (months <= 0) return addMonths(now, 1);
  let end = addMonths(start, months);
  while (end <= now) end = addMonths(end, months);
  return end;
}

/** Options to build one subscription. */
export interface NewDandhSubscription {
  accountId: number;
  company: DandhCompany;
  service: DandhService;
  quantity: number | null;
  start: number;
  now: number;
  tenant?: DandhSubscription;
  name?: string;
  vendorReferenceId: string;
  fields?: Record<string, string>;
}

/** Builds a subscription wire object for a service and company. */
export function buildDandhSubscription(o: NewDandhSubscription): DandhSubscription {
  const s = o.service;
  const tenantId = o.tenant?.Fields.find((f) => f.Name === 'MicrosoftTenantId')?.Value ?? '';
  const values: Record<string, string> = {};
  for (const f of s.fields) {
    if (f.DefaultValue.Value !== null && f.DefaultValue.Value !== undefined)
      values[f.Name] = String(f.DefaultValue.Value);
  }
  if (s.quantityField) {
    values[s.quantityField] = String(o.quantity ?? 1);
    values.SubscriptionName = o.name ?? s.info.DisplayName;
    values.Subscriptionstatus = 'active';
    values.MicrosoftTenantId = tenantId;
  }
  Object.assign(values, o.fields ?? {});
  const end = termEnd(o.start, s.commitmentMonths, o.now);
  return {
    AccountId: o.accountId,
    AccountState: 'Active',
    ParentAccountId: o.company.AccountId,
    CompanyAccountId: o.company.AccountId,
    ParentType: 'Company',
    Status: 'Active',
    ProvisioningStatus: 'Provisioned',
    ErrorDetails: '',
    ServiceName: s.info.ProductName,
    ServiceDisplayName: s.info.DisplayName,
    VendorDisplayName: 'Microsoft',
    VendorReferenceId: o.vendorReferenceId,
    SecondVendorReferenceId: '',
    Fields: s.fields.map((f) => ({ DisplayName: f.DisplayName, Name: f.Name, Value: values[f.Name] ?? '' })),
    RenewFields: [],
    PriceableItems: s.quantityField
      ? [
          {
            ChargeType: 'Recurring',
            Currency: o.company.Currency,
            FieldName: s.quantityField,
            IsUDRCField: true,
            PriceableItemDescription: `${s.info.DisplayName} license`,
            PriceableItemType: s.prepaidMonths === 12 ? 'Yearly' : 'Monthly',
            PurchasePrice: s.purchasePrice,
            SalesPrice: s.salesPrice,
            SuggestedRetailPrice: s.msrp,
            MaterialNumber: s.materialNumber,
            ProductNumber: s.vendorSku,
            PrepaidPeriodInMonths: s.prepaidMonths,
            CommitementPeriodInMonths: s.commitmentMonths,
            PriceableItemId: o.accountId * 10 + 1,
          },
        ]
      : [],
    BillingStartDate: dandhDate(o.start),
    ContractEndDate: s.commitmentMonths > 0 ? dandhDate(end) : '',
    PriceProtectionEndDate: s.commitmentMonths > 0 ? dandhDate(end) : '',
    ScheduledTerminationDate: '',
    AdvancePeriodEndDate: s.commitmentMonths > 0 ? dandhDate(end) : '',
    AdvancePeriodEndAction: 'Renew',
    HasRenewActionValuesConfigured: s.commitmentMonths > 0,
    RemainingCreditLimit: 50_000,
    PurchaseOrderNumber: '',
    ContractId: '',
    DependencyAccountId: o.tenant ? o.tenant.AccountId : null,
    DependencyServiceName: o.tenant ? o.tenant.ServiceName : '',
  };
}

const COMPANY_NAMES = [
  'Adatum Corporation',
  'Alpine Ski House',
  'Bellows College',
  'Best For You Organics',
  'Blue Yonder Airlines',
  'City Power & Light',
  'Coho Vineyard',
  'Consolidated Messenger',
  'Contoso Pharmaceuticals',
  'Datum Engineering',
  'Fourth Coffee',
  'Graphic Design Institute',
  'Humongous Insurance',
  'Liberty Delightful Sinful Bakery',
  'Litware Inc',
  'Lucerne Publishing',
  'Margie Travel',
  'Munson Pickles',
  'Nod Publishers',
  'Northwind Traders',
  'Proseware Inc',
  'Relecloud',
  'School of Fine Art',
  'Southridge Video',
  'Tailspin Toys',
  'Trey Research',
  'VanArsdel Ltd',
  'Wide World Importers',
  'Wingtip Toys',
  'Woodgrove Bank',
];

function company(
  accountId: number,
  parent: number,
  name: string,
  type: DandhCompany['AccountType'],
  created: number,
): DandhCompany {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '');
  return {
    AccountId: accountId,
    ParentAccountId: parent,
    AccountState: 'Active',
    AccountType: type,
    CompanyName: name,
    VATID: '',
    Domain: [`${slug}.com`],
    BillingStartDate: dandhCompanyDate(created),
    ContractId: '',
    PurchaseOrderNumber: '',
    CustomerId: `C${accountId}`,
    Currency: 'USD',
    Address: '1 Main Street',
    City: 'Harrisburg',
    Country: 'United States',
    Zip: '17101',
    Email: `it@${slug}.com`,
    TechnicalEmail: `admin@${slug}.com`,
    Marketplace: DANDH_MARKETPLACE_ID,
    Marketplaces: [DANDH_MARKETPLACE_ID],
    MPNId: '',
  };
}

/**
 * Seeds a deterministic tenant: the caller's reseller account, one sub-reseller, "Contoso Ltd" with the 80/20
 * Business Premium split, and 30 more companies with 100+ subscriptions in total.
 */
export function seedDandh(state: DandhState, nowMs: number): void {
  const random = createRandom(4242);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const reseller = state.resellerAccountId;
  state.accounts.set(reseller, company(reseller, 1, 'Fake MSP Reseller', 'Reseller', nowMs - 900 * DAY));
  state.accounts.set(
    DANDH_SEED_IDS.subReseller,
    company(DANDH_SEED_IDS.subReseller, reseller, 'Fabrikam Partners', 'Reseller', nowMs - 800 * DAY),
  );
  const svc = (name: string): DandhService => state.services.get(name)!;
  let nextSub = 200_200;
  const addTenant = (c: DandhCompany, accountId: number): DandhSubscription => {
    const slug = c.CompanyName.toLowerCase().replace(/[^a-z0-9]/g, '');
    const tenantId = hexGuid(random);
    const sub = buildDandhSubscription({
      accountId,
      company: c,
      service: svc(DANDH_SERVICES.tenant),
      quantity: null,
      start: nowMs - 700 * DAY,
      now: nowMs,
      vendorReferenceId: tenantId,
      fields: { Primarydomainname: slug, MicrosoftTenantId: tenantId },
    });
    state.subscriptions.set(accountId, sub);
    return sub;
  };

  // Contoso Ltd.
  const contoso = company(DANDH_SEED_IDS.contoso, reseller, 'Contoso Ltd', 'Company', nowMs - 700 * DAY);
  state.accounts.set(contoso.AccountId, contoso);
  const tenant = addTenant(contoso, DANDH_SEED_IDS.contosoTenant);
  const fixed: [number, string, number, number][] = [
    [DANDH_SEED_IDS.contosoBusinessPremiumAnnual, DANDH_SERVICES.businessPremiumAnnual, 80, nowMs - 150 * DAY],
    [DANDH_SEED_IDS.contosoBusinessPremiumMonthly, DANDH_SERVICES.businessPremiumMonthly, 20, nowMs - 2 * DAY],
    [DANDH_SEED_IDS.contosoExchange, DANDH_SERVICES.exchangePlan1Legacy, 10, nowMs - 400 * DAY],
  ];
  for (const [id, name, qty, start] of fixed) {
    state.subscriptions.set(
      id,
      buildDandhSubscription({
        accountId: id,
        company: contoso,
        service: svc(name),
        quantity: qty,
        start,
        now: nowMs,
        tenant,
        vendorReferenceId: hexGuid(random),
      }),
    );
  }

  // 30 other companies: 27 directly under the reseller, 3 under the sub-reseller.
  const seatServices = SERVICE_SEEDS.filter((s) => s.quantityField).map((s) => s.name);
  COMPANY_NAMES.forEach((name, i) => {
    const parent = i >= 27 ? DANDH_SEED_IDS.subReseller : reseller;
    const c = company(100_200 + i, parent, name, 'Company', nowMs - (100 + i * 10) * DAY);
    state.accounts.set(c.AccountId, c);
    const t = addTenant(c, nextSub++);
    const count = 2 + Math.floor(random() * 4);
    const chosen = new Set<string>();
    while (chosen.size < count) chosen.add(pick(seatServices));
    for (const name of chosen) {
      const id = nextSub++;
      const sub = buildDandhSubscription({
        accountId: id,
        company: c,
        service: svc(name),
        quantity: 1 + Math.floor(random() * 60),
        start: nowMs - Math.floor(10 + random() * 600) * DAY,
        now: nowMs,
        tenant: t,
        vendorReferenceId: hexGuid(random),
      });
      state.subscriptions.set(id, sub);
    }
  });
  // A few terminated subscriptions and one failed provisioning, as a real tenant has.
  for (const id of [200_205, 200_230, 200_260]) {
    const sub = state.subscriptions.get(id);
    if (sub && sub.ServiceName !== DANDH_SERVICES.tenant) {
      sub.AccountState = 'Terminated';
      sub.Status = 'Terminated';
      sub.ScheduledTerminationDate = dandhDate(nowMs - 30 * DAY);
    }
  }
  const failed = state.subscriptions.get(200_240);
  if (failed && failed.ServiceName !== DANDH_SERVICES.tenant) {
    failed.ProvisioningStatus = 'Failed';
    failed.ErrorDetails = 'Microsoft Partner Center returned an error: the customer has not accepted the MCA.';
  }
  state.nextAccountId = 300_000;
}
