/**
 * Deterministic seed data for the Pax8 fake: the "Contoso Ltd" company with the classic 80/20 annual/monthly
 * split of Microsoft 365 Business Premium, about 60 other companies, ten products and 300+ subscriptions.
 * The same `baseDate` and `seed` always give the same state (ids included).
 */
import { createRandom } from '../kit/faults.js';
import {
  type Pax8BillingTerm,
  type Pax8Commitment,
  type Pax8Company,
  type Pax8Pricing,
  type Pax8ProductRecord,
  type Pax8ProvisioningDetail,
  type Pax8State,
  type Pax8SubscriptionStatus,
  addDays,
  addMonths,
  addPax8Company,
  addPax8Subscription,
  createPax8State,
  termMonths,
  uuidFromRandom,
} from './state.js';

/** Fixed ids of the seed records tests and the demo look up. */
export const PAX8_SEED_IDS = {
  /** "Contoso Ltd". */
  contoso: '7b1f2d34-5c6e-4f80-9a1b-2c3d4e5f6a7b',
  products: {
    businessPremium: '5c0a3d2e-1b4f-4a6c-8d7e-9f0a1b2c3d01',
    businessBasic: '5c0a3d2e-1b4f-4a6c-8d7e-9f0a1b2c3d02',
    businessStandard: '5c0a3d2e-1b4f-4a6c-8d7e-9f0a1b2c3d03',
    e3: '5c0a3d2e-1b4f-4a6c-8d7e-9f0a1b2c3d04',
    e5: '5c0a3d2e-1b4f-4a6c-8d7e-9f0a1b2c3d05',
    exchangeOnlinePlan1: '5c0a3d2e-1b4f-4a6c-8d7e-9f0a1b2c3d06',
    defenderForBusiness: '5c0a3d2e-1b4f-4a6c-8d7e-9f0a1b2c3d07',
    teamsEssentials: '5c0a3d2e-1b4f-4a6c-8d7e-9f0a1b2c3d08',
    acronisBackup: '5c0a3d2e-1b4f-4a6c-8d7e-9f0a1b2c3d09',
    keeperBusiness: '5c0a3d2e-1b4f-4a6c-8d7e-9f0a1b2c3d0a',
  },
  /** Commitment dependencies of Microsoft 365 Business Premium. */
  commitments: {
    businessPremiumMonthly: '6d1b4e3f-2c5a-4b7d-9e8f-0a1b2c3d4e01',
    businessPremium1Year: '6d1b4e3f-2c5a-4b7d-9e8f-0a1b2c3d4e02',
    businessPremium3Year: '6d1b4e3f-2c5a-4b7d-9e8f-0a1b2c3d4e03',
  },
  subscriptions: {
    /** Contoso, Business Premium, 80 seats, billingTerm Annual, commitment 1-Year, started 200 days before the base date. */
    contosoBusinessPremiumAnnual: '8e2c5f40-3d6b-4c8e-af90-1b2c3d4e5f01',
    /** Contoso, Business Premium, 20 seats, billingTerm Monthly, no commitment. */
    contosoBusinessPremiumMonthly: '8e2c5f40-3d6b-4c8e-af90-1b2c3d4e5f02',
    /** Contoso, Exchange Online (Plan 1), 15 seats, Annual. */
    contosoExchangeOnlinePlan1: '8e2c5f40-3d6b-4c8e-af90-1b2c3d4e5f03',
    /** Contoso, Microsoft 365 E3, 10 seats, Annual. */
    contosoE3: '8e2c5f40-3d6b-4c8e-af90-1b2c3d4e5f04',
  },
} as const;

/** Options of {@link seedPax8State}. */
export interface Pax8SeedOptions {
  /** The "now" the seed is built around; every date in the seed is relative to it. */
  baseDate: Date;
  /** PRNG seed for generated ids, names and quantities (default 8). */
  seed?: number;
}

interface ProductSpec {
  id: string;
  name: string;
  vendorName: string;
  sku: string;
  vendorSku: string;
  /** Suggested retail price per unit and month on a 1-year commitment (or monthly when no commitment). */
  monthly: number;
  /** Microsoft NCE-style product: commitment dependencies Monthly / 1-Year / 3-Year. */
  microsoft: boolean;
  trial?: boolean;
}

// Vendor SKUs other than Business Premium's are illustrative, not checked against Microsoft's catalogue.
const PRODUCT_SPECS: ProductSpec[] = [
  {
    id: PAX8_SEED_IDS.products.businessPremium,
    name: 'Microsoft 365 Business Premium',
    vendorName: 'Microsoft',
    sku: 'MST-MCB-PRE',
    vendorSku: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46',
    monthly: 22,
    microsoft: true,
    trial: true,
  },
  {
    id: PAX8_SEED_IDS.products.businessBasic,
    name: 'Microsoft 365 Business Basic',
    vendorName: 'Microsoft',
    sku: 'MST-MCB-BAS',
    vendorSku: '3b555118-da6a-4418-894f-7df1e2096870',
    monthly: 6,
    microsoft: true,
    trial: true,
  },
  {
    id: PAX8_SEED_IDS.products.businessStandard,
    name: 'Microsoft 365 Business Standard',
    vendorName: 'Microsoft',
    sku: 'MST-MCB-STD',
    vendorSku: 'f245ecc8-75af-4f8e-b61f-27d8114de5f3',
    monthly: 12.5,
    microsoft: true,
    trial: true,
  },
  {
    id: PAX8_SEED_IDS.products.e3,
    name: 'Microsoft 365 E3',
    vendorName: 'Microsoft',
    sku: 'MST-M365-E3',
    vendorSku: '05e9a617-0261-4cee-bb44-138d3ef5d965',
    monthly: 36,
    microsoft: true,
  },
  {
    id: PAX8_SEED_IDS.products.e5,
    name: 'Microsoft 365 E5',
    vendorName: 'Microsoft',
    sku: 'MST-M365-E5',
    vendorSku: '06ebc4ee-1bb5-47dd-8120-11324bc54e06',
    monthly: 57,
    microsoft: true,
  },
  {
    id: PAX8_SEED_IDS.products.exchangeOnlinePlan1,
    name: 'Exchange Online (Plan 1)',
    vendorName: 'Microsoft',
    sku: 'MST-EXO-P1',
    vendorSku: '4b9405b0-7788-4568-add1-99614e613b69',
    monthly: 4,
    microsoft: true,
  },
  {
    id: PAX8_SEED_IDS.products.defenderForBusiness,
    name: 'Microsoft Defender for Business',
    vendorName: 'Microsoft',
    sku: 'MST-DFB',
    vendorSku: 'bfc1bbd9-981b-4f71-9b82-17c35fd0e2a4',
    monthly: 3,
    microsoft: true,
  },
  {
    id: PAX8_SEED_IDS.products.teamsEssentials,
    name: 'Microsoft Teams Essentials',
    vendorName: 'Microsoft',
    sku: 'MST-TEAMS-ESS',
    vendorSku: '3ab6abff-666f-4424-bfb7-f0bc274ec7bc',
    monthly: 4,
    microsoft: true,
    trial: true,
  },
  {
    id: PAX8_SEED_IDS.products.acronisBackup,
    name: 'Acronis Cyber Protect Cloud - Backup (per workload)',
    vendorName: 'Acronis',
    sku: 'ACR-CPC-BKP',
    vendorSku: 'SK1AMSENS',
    monthly: 5.5,
    microsoft: false,
  },
  {
    id: PAX8_SEED_IDS.products.keeperBusiness,
    name: 'Keeper Business',
    vendorName: 'Keeper Security',
    sku: 'KPR-BUS',
    vendorSku: 'KEEPER-BUSINESS',
    monthly: 3.75,
    microsoft: false,
    trial: true,
  },
];

const round2 = (n: number): number => Math.round(n * 100) / 100;

function rates(retail: number): Pax8Pricing['rates'] {
  return [
    {
      partnerBuyRate: round2(retail * 0.85),
      suggestedRetailPrice: round2(retail),
      startQuantityRange: 1,
      endQuantityRange: null,
      chargeType: 'Per Unit',
    },
  ];
}

const MICROSOFT_PROVISIONING: Pax8ProvisioningDetail[] = [
  {
    label: 'Microsoft Domain',
    key: 'msDomain',
    description: 'The onmicrosoft.com domain of the customer tenant',
    valueType: 'Input',
    possibleValues: null,
  },
  {
    label: 'Existing Microsoft customer',
    key: 'msCustExists',
    description: 'Does the customer already have a Microsoft tenant?',
    valueType: 'Single-Value',
    possibleValues: ['Yes', 'No'],
  },
  {
    label: 'Microsoft Customer Agreement acceptance email',
    key: 'mca2020Email',
    description: 'Email of the person who accepted the Microsoft Customer Agreement',
    valueType: 'Input',
    possibleValues: null,
  },
];

function commitment(id: string, term: string): Pax8Commitment {
  const monthly = term === 'Monthly';
  return {
    id,
    term,
    autoRenew: true,
    renewalWindowDaysBeforeTermEnd: monthly ? 0 : 30,
    renewalWindowDaysAfterTermEnd: monthly ? 0 : 7,
    allowForQuantityIncrease: true,
    allowForQuantityDecrease: false,
    allowForEarlyCancellation: false,
    cancellationFeeApplied: !monthly,
    isTransferable: true,
  };
}

function productRecord(spec: ProductSpec, random: () => number): Pax8ProductRecord {
  const isBp = spec.id === PAX8_SEED_IDS.products.businessPremium;
  const commitmentDependencies: Pax8Commitment[] = spec.microsoft
    ? [
        commitment(isBp ? PAX8_SEED_IDS.commitments.businessPremiumMonthly : uuidFromRandom(random), 'Monthly'),
        commitment(isBp ? PAX8_SEED_IDS.commitments.businessPremium1Year : uuidFromRandom(random), '1-Year'),
        commitment(isBp ? PAX8_SEED_IDS.commitments.businessPremium3Year : uuidFromRandom(random), '3-Year'),
      ]
    : [];
  const base = { productId: spec.id, productName: spec.name, type: 'Flat' as const, unitOfMeasurement: 'Each' };
  const pricing: Pax8Pricing[] = spec.microsoft
    ? [
        {
          ...base,
          billingTerm: 'Monthly',
          commitmentTerm: 'Monthly',
          commitmentTermInMonths: 1,
          rates: rates(spec.monthly * 1.2),
        },
        {
          ...base,
          billingTerm: 'Monthly',
          commitmentTerm: '1-Year',
          commitmentTermInMonths: 12,
          rates: rates(spec.monthly),
        },
        {
          ...base,
          billingTerm: 'Annual',
          commitmentTerm: '1-Year',
          commitmentTermInMonths: 12,
          rates: rates(spec.monthly * 12),
        },
        {
          ...base,
          billingTerm: '3-Year',
          commitmentTerm: '3-Year',
          commitmentTermInMonths: 36,
          rates: rates(spec.monthly * 34),
        },
      ]
    : [{ ...base, billingTerm: 'Monthly', rates: rates(spec.monthly) }];
  if (spec.trial) pricing.push({ ...base, billingTerm: 'Trial', rates: rates(0) });
  return {
    product: {
      id: spec.id,
      name: spec.name,
      vendorName: spec.vendorName,
      shortDescription: `${spec.name} from ${spec.vendorName}`,
      description: `${spec.name}, sold through Pax8. Seed data of the msp-marketplace-sdk fake.`,
      sku: spec.sku,
      vendorSku: spec.vendorSku,
      requiresCommitment: spec.microsoft,
    },
    pricing,
    commitmentDependencies,
    productDependencies: [],
    provisionDetails: spec.microsoft
      ? MICROSOFT_PROVISIONING
      : [
          {
            label: 'Admin email',
            key: 'adminEmail',
            description: 'Email of the administrator of the vendor account',
            valueType: 'Input',
            possibleValues: null,
          },
        ],
  };
}

const NAME_A = [
  'Northwind',
  'Fabrikam',
  'Tailspin',
  'Wingtip',
  'Woodgrove',
  'Litware',
  'Proseware',
  'Alpine',
  'Coho',
  'Trey',
];
const NAME_B = [
  'Traders',
  'Dental',
  'Logistics',
  'Legal',
  'Builders',
  'Health',
  'Accounting',
  'Studios',
  'Foods',
  'Labs',
];
const NAME_SUFFIX = ['LLC', 'Inc', 'Ltd', 'Group', 'Co'];
const CITIES: Array<Pick<Pax8Company['address'], 'city' | 'stateOrProvince' | 'postalCode' | 'country'>> = [
  { city: 'Denver', stateOrProvince: 'CO', postalCode: '80202', country: 'US' },
  { city: 'Austin', stateOrProvince: 'TX', postalCode: '78701', country: 'US' },
  { city: 'Seattle', stateOrProvince: 'WA', postalCode: '98101', country: 'US' },
  { city: 'Toronto', stateOrProvince: 'ON', postalCode: 'M5H 2N2', country: 'CA' },
  { city: 'London', stateOrProvince: 'London', postalCode: 'EC1A 1BB', country: 'GB' },
  { city: 'Boston', stateOrProvince: 'MA', postalCode: '02108', country: 'US' },
];

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick: empty list');
  return item;
}

function earliest(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}

function int(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Fills `state` with the seed data (products, companies, subscriptions) and returns it. */
export function seedPax8State(state: Pax8State, options: Pax8SeedOptions): Pax8State {
  const random = createRandom(options.seed ?? 8);
  const base = options.baseDate;
  const now = base;

  for (const spec of PRODUCT_SPECS) state.products.set(spec.id, productRecord(spec, random));

  const ids = PAX8_SEED_IDS;
  addPax8Company(state, {
    id: ids.contoso,
    name: 'Contoso Ltd',
    address: { street: '1 Contoso Way', city: 'Redmond', stateOrProvince: 'WA', postalCode: '98052', country: 'US' },
    phone: '425-555-0100',
    website: 'https://www.contoso.com',
    externalId: 'CRM-0001',
    billOnBehalfOfEnabled: false,
    selfServiceAllowed: false,
    orderApprovalRequired: false,
    status: 'Active',
  });
  const annualStart = addDays(base, -200);
  addPax8Subscription(state, {
    id: ids.subscriptions.contosoBusinessPremiumAnnual,
    companyId: ids.contoso,
    productId: ids.products.businessPremium,
    quantity: 80,
    billingTerm: 'Annual',
    commitmentTermId: ids.commitments.businessPremium1Year,
    startDate: annualStart,
    updatedDate: addDays(base, -60),
    vendorSubscriptionId: uuidFromRandom(random),
    now,
  });
  addPax8Subscription(state, {
    id: ids.subscriptions.contosoBusinessPremiumMonthly,
    companyId: ids.contoso,
    productId: ids.products.businessPremium,
    quantity: 20,
    billingTerm: 'Monthly',
    commitmentTermId: ids.commitments.businessPremiumMonthly,
    startDate: addDays(base, -95),
    updatedDate: addDays(base, -30),
    vendorSubscriptionId: uuidFromRandom(random),
    now,
  });
  addPax8Subscription(state, {
    id: ids.subscriptions.contosoExchangeOnlinePlan1,
    companyId: ids.contoso,
    productId: ids.products.exchangeOnlinePlan1,
    quantity: 15,
    billingTerm: 'Annual',
    startDate: addDays(base, -300),
    updatedDate: addDays(base, -300),
    vendorSubscriptionId: uuidFromRandom(random),
    now,
  });
  addPax8Subscription(state, {
    id: ids.subscriptions.contosoE3,
    companyId: ids.contoso,
    productId: ids.products.e3,
    quantity: 10,
    billingTerm: 'Annual',
    startDate: addDays(base, -45),
    updatedDate: addDays(base, -45),
    vendorSubscriptionId: uuidFromRandom(random),
    now,
  });

  const productIds = PRODUCT_SPECS.map((p) => p.id);
  for (let i = 0; i < 60; i += 1) {
    const place = pick(random, CITIES);
    const status: Pax8Company['status'] = i % 20 === 19 ? 'Inactive' : i === 57 ? 'Deleted' : 'Active';
    const company = addPax8Company(state, {
      id: uuidFromRandom(random),
      name: `${NAME_A[i % NAME_A.length]} ${NAME_B[Math.floor(i / NAME_A.length) % NAME_B.length]} ${pick(random, NAME_SUFFIX)}`,
      address: { street: `${int(random, 10, 9999)} Market St`, ...place },
      phone: `555-${String(int(random, 100, 999))}-${String(int(random, 1000, 9999))}`,
      website: `https://www.company${i + 1}.example`,
      ...(i % 3 === 0 ? { externalId: `CRM-${String(i + 2).padStart(4, '0')}` } : {}),
      billOnBehalfOfEnabled: random() < 0.2,
      selfServiceAllowed: random() < 0.3,
      orderApprovalRequired: random() < 0.1,
      status,
    });
    const count = 5 + int(random, 0, 2);
    for (let j = 0; j < count; j += 1) {
      const productId = pick(random, productIds);
      const record = state.products.get(productId);
      if (!record) continue;
      const roll = random();
      let subStatus: Pax8SubscriptionStatus =
        roll < 0.8 ? 'Active' : roll < 0.87 ? 'PendingAutomated' : roll < 0.95 ? 'Cancelled' : 'Trial';
      if (status === 'Deleted') subStatus = 'Cancelled';
      const hasTrial = record.pricing.some((p) => p.billingTerm === 'Trial');
      if (subStatus === 'Trial' && !hasTrial) subStatus = 'Active';
      let billingTerm: Pax8BillingTerm = 'Monthly';
      let commitmentTermId: string | null | undefined;
      if (subStatus === 'Trial') {
        billingTerm = 'Trial';
        commitmentTermId = null;
      } else if (record.product.requiresCommitment) {
        const t = random();
        const term = t < 0.45 ? 'Monthly' : t < 0.6 ? '1-Year' : t < 0.95 ? 'Annual' : '3-Year';
        billingTerm = term === 'Annual' ? 'Annual' : term === '3-Year' ? '3-Year' : 'Monthly';
        const depTerm = term === 'Annual' ? '1-Year' : term;
        commitmentTermId = record.commitmentDependencies.find((c) => c.term === depTerm)?.id ?? null;
      }
      const startDate = addDays(base, subStatus === 'Trial' ? -int(random, 1, 25) : -int(random, 8, 900));
      const depTerm = record.commitmentDependencies.find((c) => c.id === commitmentTermId)?.term;
      const endDate =
        subStatus === 'Cancelled'
          ? earliest(
              addDays(startDate, int(random, 30, Math.max(31, termMonths(depTerm ?? 'Monthly') * 30))),
              addDays(base, -1),
            )
          : subStatus === 'Trial'
            ? addDays(startDate, 30)
            : undefined;
      const sub = addPax8Subscription(state, {
        id: uuidFromRandom(random),
        companyId: company.id,
        productId,
        quantity: int(random, 1, 60),
        billingTerm,
        commitmentTermId,
        status: subStatus,
        startDate,
        updatedDate: earliest(addDays(startDate, int(random, 0, 30)), base),
        ...(endDate ? { endDate } : {}),
        currencyCode: place.country === 'GB' ? 'GBP' : place.country === 'CA' ? 'CAD' : 'USD',
        vendorSubscriptionId: uuidFromRandom(random),
        now,
      });
      // Auto-renewal: a live commitment that ended before the base date has rolled over into a new term,
      // which (as at purchase) opens a new 7-day window for removing seats.
      const commitmentTerm = sub.commitmentTerm;
      if (commitmentTerm && sub.status !== 'Cancelled') {
        const months = termMonths(commitmentTerm.term);
        let end = new Date(commitmentTerm.endDate);
        let renewedAt: Date | undefined;
        while (end.getTime() <= base.getTime()) {
          renewedAt = end;
          end = addMonths(end, months);
        }
        commitmentTerm.endDate = end.toISOString();
        if (renewedAt) state.seatsAddedAt.set(sub.id, renewedAt.toISOString());
      }
    }
  }
  return state;
}

/** A new state filled with the seed data. */
export function createSeededPax8State(options: Pax8SeedOptions): Pax8State {
  return seedPax8State(createPax8State(), options);
}
