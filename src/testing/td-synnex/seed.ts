import { createRandom } from '../kit/faults.js';
import {
  type IonActivityLog,
  type IonCustomer,
  type IonPlan,
  type IonProduct,
  type IonSku,
  type IonState,
  type IonSubscription,
  ionCustomerId,
  ionDate,
} from './state.js';

const DAY = 86_400_000;
/** Microsoft NCE: seats can be reduced or the subscription cancelled within 7 days of a term start. */
export const ION_CANCEL_WINDOW_MS = 7 * DAY;

/** Ion catalog ids of the seeded Microsoft 365 product. */
export const TD_SYNNEX_CATALOG = {
  microsoft365: 'Microsoft365NCE-fake',
  businessPremium: 'Microsoft-365-Business-Premium',
  businessPremiumAnnualPlan: 'Annual-n41',
  businessPremiumMonthlyPlan: 'Monthly-n42',
  azure: 'MSAZURE-fake',
} as const;

/** Fixed ids of the seeded records tests rely on. */
export const TD_SYNNEX_SEED_IDS = {
  /** Contoso Ltd's customer id (last segment of its `name`). */
  contoso: '500100',
  /** Microsoft 365 Business Premium, P1Y, 80 seats (cancellation window closed). Ion internal `id`. */
  contosoBusinessPremiumAnnual: '3100001',
  /** Microsoft 365 Business Premium, P1M, 20 seats (cancellation window open). Ion internal `id`. */
  contosoBusinessPremiumMonthly: '3100002',
  /** Exchange Online (Plan 1), P1M, 10 seats. */
  contosoExchange: '3100003',
  /** Provider (Microsoft) subscription id of the annual subscription: the `resourceId` for UPDATE orders. */
  contosoBusinessPremiumAnnualResourceId: '8c1f0a2e-0000-4000-a000-000003100001',
  /** Provider (Microsoft) subscription id of the monthly subscription. */
  contosoBusinessPremiumMonthlyResourceId: '8c1f0a2e-0000-4000-a000-000003100002',
} as const;

interface SkuSeed {
  id: string;
  name: string;
  providerProductId: string;
  annualPlan: string;
  monthlyPlan: string;
  price: number;
}

const M365_SKUS: SkuSeed[] = [
  {
    id: TD_SYNNEX_CATALOG.businessPremium,
    name: 'Microsoft 365 Business Premium',
    providerProductId: 'CFQ7TTC0LCHC',
    annualPlan: TD_SYNNEX_CATALOG.businessPremiumAnnualPlan,
    monthlyPlan: TD_SYNNEX_CATALOG.businessPremiumMonthlyPlan,
    price: 22,
  },
  {
    id: 'Microsoft-365-Business-Basic',
    name: 'Microsoft 365 Business Basic',
    providerProductId: 'CFQ7TTC0LH18',
    annualPlan: 'Annual-n11',
    monthlyPlan: 'Monthly-n12',
    price: 6,
  },
  {
    id: 'Microsoft-365-Business-Standa-n2',
    name: 'Microsoft 365 Business Standard',
    providerProductId: 'CFQ7TTC0LDPB',
    annualPlan: 'Annual-n21',
    monthlyPlan: 'Monthly-n22',
    price: 12.5,
  },
  {
    id: 'Microsoft-365-E3-n1',
    name: 'Microsoft 365 E3',
    providerProductId: 'CFQ7TTC0LFLX',
    annualPlan: 'Annual-n31',
    monthlyPlan: 'Monthly-n32',
    price: 36,
  },
  {
    id: 'Exchange-Online-Plan-1',
    name: 'Exchange Online (Plan 1)',
    providerProductId: 'CFQ7TTC0LH16',
    annualPlan: 'Annual-n51',
    monthlyPlan: 'Monthly-n52',
    price: 4,
  },
];

function plan(id: string, sku: SkuSeed, term: 'P1Y' | 'P1M'): IonPlan {
  const annual = term === 'P1Y';
  return {
    id,
    displayName: `${sku.name} (${annual ? 'annual' : 'monthly'} commitment, billed monthly)`,
    billingPeriod: 'MONTHLY',
    term,
    mfgPartNumber: `${sku.providerProductId}:0002:${term}:M`,
    price: annual ? sku.price : Math.round(sku.price * 1.2 * 100) / 100,
  };
}

/** Adds the catalog; done even when `seed: false`. */
export function seedIonCatalog(state: IonState): void {
  const skus: IonSku[] = M365_SKUS.map((s) => ({
    id: s.id,
    displayName: s.name,
    description: `${s.name} (New Commerce)`,
    providerProductId: s.providerProductId,
    plans: [plan(s.annualPlan, s, 'P1Y'), plan(s.monthlyPlan, s, 'P1M')],
  }));
  const m365: IonProduct = {
    id: TD_SYNNEX_CATALOG.microsoft365,
    displayName: 'Microsoft 365 NCE',
    description: 'Microsoft 365 New Commerce licenses',
    providerName: 'AZURE',
    cloudProviderId: '30',
    skus,
  };
  const azure: IonProduct = {
    id: TD_SYNNEX_CATALOG.azure,
    displayName: 'Microsoft Azure Plan',
    description: 'Azure consumption plan',
    providerName: 'AZURE',
    cloudProviderId: '30',
    skus: [
      {
        id: 'Azure-Plan',
        displayName: 'Azure Plan',
        description: 'Azure Plan',
        providerProductId: 'DZH318Z0BPS6',
        plans: [
          {
            id: 'Azure-Plan-Usage',
            displayName: 'Monthly',
            billingPeriod: 'MONTHLY',
            term: 'P1M',
            mfgPartNumber: 'DZH318Z0BPS6:0001',
            price: 0,
          },
        ],
      },
    ],
  };
  state.products.set(m365.id, m365);
  state.products.set(azure.id, azure);
}

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

/** Start of the current term of a subscription started at `start` with a term of `months`. */
export function currentTermStart(start: number, months: number, now: number): number {
  let termStart = start;
  for (let next = addMonths(termStart, months); next <= now; next = addMonths(termStart, months)) termStart = next;
  return termStart;
}

/** Options to build one subscription. */
export interface NewIonSubscription {
  id: string;
  subscriptionId: string;
  customer: IonCustomer;
  product: IonProduct;
  sku: IonSku;
  plan: IonPlan;
  quantity: number;
  start: number;
  now: number;
  resellerId: string;
  partnerName: string;
  resellerPO?: string;
}

/** Builds a subscription wire object. */
export function buildIonSubscription(o: NewIonSubscription): IonSubscription {
  const months = o.plan.term === 'P1Y' ? 12 : 1;
  const termStart = currentTermStart(o.start, months, o.now);
  const termEnd = addMonths(termStart, months);
  const isAzure = o.product.id === TD_SYNNEX_CATALOG.azure;
  return {
    id: o.id,
    customerId: ionCustomerId(o.customer),
    resellerId: o.resellerId,
    isvId: '15718',
    cloudProviderId: o.product.cloudProviderId,
    cloudProviderName: 'Microsoft',
    subscriptionId: o.subscriptionId,
    subscriptionName: o.sku.displayName,
    resourceType: 'AZURE::Subscription',
    ccpProductId: o.product.id,
    ccpSkuId: o.sku.id,
    ccpPlanId: o.plan.id,
    subscriptionProductId: o.sku.providerProductId,
    subscriptionSkuId: isAzure ? '0001' : '0002',
    subscriptionOfferId: `${o.sku.providerProductId}:${isAzure ? '0001' : '0002'}`,
    subscriptionTotalLicenses: String(o.quantity),
    unitType: 'Licenses',
    subscriptionStatus: 'active',
    subscriptionPurchasedDate: ionDate(o.start),
    subscriptionStartDate: ionDate(o.start),
    subscriptionEndDate: ionDate(termEnd),
    cancellationAllowedUntilDate: ionDate(termStart + ION_CANCEL_WINDOW_MS),
    subscriptionBillingType: isAzure ? 'usage' : 'license',
    subscriptionBillingCycle: 'monthly',
    subscriptionBillingTerm: o.plan.term,
    subscriptionRenewStatus: 'ENABLED',
    resellerPO: o.resellerPO ?? '',
    customerPO: '',
    ccpProductInfo: {
      productId: o.product.id,
      productDisplayName: o.product.displayName,
      skuId: o.sku.id,
      skuDisplayName: o.sku.displayName,
      planId: o.plan.id,
      planDisplayName: o.plan.displayName,
    },
    isTrial: false,
    autoRenew: true,
    customerName: o.customer.customerOrganization,
    partnerName: o.partnerName,
    lastUpdatedDate: ionDate(o.start),
    price: o.plan.price,
    cost: Math.round(o.plan.price * 0.8 * 100) / 100,
    currency: 'USD',
    margin: Math.round(o.plan.price * 0.2 * 100) / 100,
    total: Math.round(o.plan.price * o.quantity * 100) / 100,
    msrp: o.plan.price,
    renewalDate: ionDate(termEnd),
    mfgPartNumber: o.plan.mfgPartNumber,
  };
}

/** An activity log entry as Ion writes it. */
export function ionActivity(
  id: string,
  sub: IonSubscription,
  actionType: string,
  details: string,
  at: number,
): IonActivityLog {
  return {
    id,
    actionType,
    actionDate: ionDate(at),
    actionStatus: 'succeeded',
    productId: sub.subscriptionProductId,
    skuId: sub.subscriptionSkuId,
    actionDetails: details,
    ccpUserId: '677176',
    ccpUserName: 'Fake API User',
    ccpUserEmail: 'fake-api-user@example.com',
  };
}

const CUSTOMER_NAMES = [
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
  'Liberty Bakery',
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

function customer(accountId: string, id: string, org: string, created: number, status: IonCustomer['customerStatus']) {
  const slug = org.toLowerCase().replace(/[^a-z0-9]+/g, '');
  const c: IonCustomer = {
    name: `accounts/${accountId}/customers/${id}`,
    customerOrganization: org,
    customerAddress: {
      street: '1 Main Street',
      suite: '',
      city: 'Clearwater',
      state: 'FL',
      zip: '33760',
      country: 'US',
    },
    customerName: `IT Admin ${org}`,
    customerEmail: `it@${slug}.com`,
    customerTitle: 'IT Manager',
    customerPhone: '+1 555 0100',
    createTime: ionDate(created),
    updateTime: ionDate(created),
    languageCode: 'en',
    uid: `${Number(id) + 1_000_000}`,
    customerStatus: status,
  };
  return c;
}

/** Seeds Contoso Ltd (80/20 Business Premium split) and 30 more customers with 100+ subscriptions in total. */
export function seedIon(state: IonState, nowMs: number): void {
  const random = createRandom(777);
  const a = state.accountId;
  const m365 = state.products.get(TD_SYNNEX_CATALOG.microsoft365)!;
  const azure = state.products.get(TD_SYNNEX_CATALOG.azure)!;
  const guid = (id: string) => `8c1f0a2e-0000-4000-a000-${id.padStart(12, '0')}`;
  const add = (sub: IonSubscription) => {
    state.subscriptions.set(sub.id, sub);
    state.activity.set(sub.id, [
      ionActivity(
        `act-${sub.id}-1`,
        sub,
        'Subscription Created',
        `Offer Name: ${sub.subscriptionName}; Quantity: ${sub.subscriptionTotalLicenses}; `,
        Date.parse(sub.subscriptionStartDate) + 5_000,
      ),
    ]);
  };
  const common = { now: nowMs, resellerId: a, partnerName: state.partnerName };

  const contoso = customer(a, TD_SYNNEX_SEED_IDS.contoso, 'Contoso Ltd', nowMs - 700 * DAY, 'ACTIVE');
  state.customers.set(TD_SYNNEX_SEED_IDS.contoso, contoso);
  const bp = m365.skus.find((s) => s.id === TD_SYNNEX_CATALOG.businessPremium)!;
  const exo = m365.skus.find((s) => s.id === 'Exchange-Online-Plan-1')!;
  const fixed: [string, IonSku, number, number, number][] = [
    [TD_SYNNEX_SEED_IDS.contosoBusinessPremiumAnnual, bp, 0, 80, nowMs - 150 * DAY],
    [TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthly, bp, 1, 20, nowMs - 2 * DAY],
    [TD_SYNNEX_SEED_IDS.contosoExchange, exo, 1, 10, nowMs - 400 * DAY],
  ];
  for (const [id, sku, planIndex, quantity, start] of fixed) {
    add(
      buildIonSubscription({
        ...common,
        id,
        subscriptionId: guid(id),
        customer: contoso,
        product: m365,
        sku,
        plan: sku.plans[planIndex]!,
        quantity,
        start,
      }),
    );
  }

  let nextSub = 3_100_100;
  CUSTOMER_NAMES.forEach((org, i) => {
    const id = String(500_101 + i);
    const c = customer(a, id, org, nowMs - (100 + i * 11) * DAY, i === 29 ? 'INACTIVE' : 'ACTIVE');
    state.customers.set(id, c);
    const count = 2 + Math.floor(random() * 4);
    const used = new Set<string>();
    for (let k = 0; k < count; k++) {
      const sku = m365.skus[Math.floor(random() * m365.skus.length)]!;
      const p = sku.plans[Math.floor(random() * sku.plans.length)]!;
      if (used.has(p.id)) continue;
      used.add(p.id);
      const subId = String(nextSub++);
      add(
        buildIonSubscription({
          ...common,
          id: subId,
          subscriptionId: guid(subId),
          customer: c,
          product: m365,
          sku,
          plan: p,
          quantity: 1 + Math.floor(random() * 60),
          start: nowMs - Math.floor(10 + random() * 600) * DAY,
        }),
      );
    }
    if (i % 5 === 0) {
      const subId = String(nextSub++);
      add(
        buildIonSubscription({
          ...common,
          id: subId,
          subscriptionId: guid(subId),
          customer: c,
          product: azure,
          sku: azure.skus[0]!,
          plan: azure.skus[0]!.plans[0]!,
          quantity: 1,
          start: nowMs - 200 * DAY,
        }),
      );
    }
  });
  // Some history: cancelled and suspended subscriptions.
  for (const [id, status] of [
    ['3100105', 'cancelled'],
    ['3100131', 'cancelled'],
    ['3100160', 'suspended'],
  ] as const) {
    const sub = state.subscriptions.get(id);
    if (sub) {
      sub.subscriptionStatus = status;
      sub.autoRenew = false;
      sub.subscriptionRenewStatus = 'DISABLED';
    }
  }
}
