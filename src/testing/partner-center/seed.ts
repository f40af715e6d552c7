/**
 * Deterministic seed data for the Partner Center fake: a small new-commerce catalog, the "Contoso Ltd" customer
 * with the classic 80/20 annual/monthly split of Microsoft 365 Business Premium, 30 other customers and 100+
 * subscriptions. The same `now` and `seed` always give the same state (ids included).
 *
 * Product ids look like Microsoft's catalog ids (`CFQ7TTC0...`) and several are the real ones, but the fake does
 * not promise that any of them matches Microsoft's catalog today.
 */
import { createRandom } from '../kit/faults.js';
import {
  type PartnerCenterAvailability,
  type PartnerCenterProductRecord,
  type PartnerCenterState,
  type PartnerCenterTerm,
  NCE_WINDOW_DAYS,
  addDays,
  addPartnerCenterCustomer,
  addPartnerCenterSubscription,
  uuidFrom,
} from './state.js';

/** Fixed ids of the seed records that tests and the demo look up. */
export const PARTNER_CENTER_SEED_IDS = {
  /** "Contoso Ltd": customer id = its Entra tenant id (the Graph fake's Contoso tenant uses the same id). */
  contoso: '3f2a8c1e-6b4d-4e7a-9c10-5d2e8f4a1b01',
  products: {
    businessPremium: 'CFQ7TTC0LCHC',
    businessBasic: 'CFQ7TTC0LH18',
    businessStandard: 'CFQ7TTC0LDPB',
    exchangeOnlinePlan1: 'CFQ7TTC0LH16',
    microsoft365E3: 'CFQ7TTC0LFLZ',
    entraIdP1: 'CFQ7TTC0LFK5',
    defenderForBusiness: 'CFQ7TTC0LCHD',
    teamsEssentials: 'CFQ7TTC0RM8K',
  },
  /** `productId:skuId:availabilityId`: the cart `catalogItemId` and the new-commerce subscription `offerId`. */
  catalogItems: {
    businessPremium: 'CFQ7TTC0LCHC:0002:CFQ7TTC0LQ5B',
    businessBasic: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971',
    businessStandard: 'CFQ7TTC0LDPB:0001:CFQ7TTC0K3BQ',
    exchangeOnlinePlan1: 'CFQ7TTC0LH16:0001:CFQ7TTC0JN9D',
    microsoft365E3: 'CFQ7TTC0LFLZ:0002:CFQ7TTC0KCKG',
    entraIdP1: 'CFQ7TTC0LFK5:0002:CFQ7TTC0JHR3',
    defenderForBusiness: 'CFQ7TTC0LCHD:0001:CFQ7TTC0TQ2W',
    teamsEssentials: 'CFQ7TTC0RM8K:0001:CFQ7TTC0RQVZ',
  },
  subscriptions: {
    /** Contoso, Business Premium, 80 seats, P1Y billed annually, term started 200 days ago; 5 seats added 2 days ago. */
    contosoBusinessPremiumAnnual: '9d8e7f60-1a2b-4c3d-8e4f-5a6b7c8d9e01',
    /** Contoso, Business Premium, 20 seats, P1M billed monthly, current term started 20 days ago (no refundable seats). */
    contosoBusinessPremiumMonthly: '9d8e7f60-1a2b-4c3d-8e4f-5a6b7c8d9e02',
    /** Contoso, Exchange Online (Plan 1), 10 seats, P1Y annual, bought 3 days ago (still cancellable). */
    contosoExchangeOnlinePlan1: '9d8e7f60-1a2b-4c3d-8e4f-5a6b7c8d9e03',
    /** Contoso, Microsoft Entra ID P1, 5 seats, P1M monthly, term started 10 days ago. */
    contosoEntraIdP1: '9d8e7f60-1a2b-4c3d-8e4f-5a6b7c8d9e04',
    /** Contoso, legacy (pre-NCE) Office 365 E3, 3 seats: cancel it by suspending. */
    contosoLegacyOffice365E3: '9d8e7f60-1a2b-4c3d-8e4f-5a6b7c8d9e05',
  },
  /** Legacy offer id of the Contoso Office 365 E3 subscription. */
  legacyOffice365E3Offer: '796B6B5F-613C-4E24-A17C-EBA730D49C02',
} as const;

interface CatalogDef {
  key: keyof typeof PARTNER_CENTER_SEED_IDS.catalogItems;
  title: string;
  description: string;
  maximumQuantity: number;
  threeYear: boolean;
}

const CATALOG: CatalogDef[] = [
  {
    key: 'businessPremium',
    title: 'Microsoft 365 Business Premium',
    description: 'Productivity apps, email, Teams and advanced security for businesses up to 300 users.',
    maximumQuantity: 300,
    threeYear: true,
  },
  {
    key: 'businessBasic',
    title: 'Microsoft 365 Business Basic',
    description: 'Web and mobile Office apps, email and Teams for businesses up to 300 users.',
    maximumQuantity: 300,
    threeYear: true,
  },
  {
    key: 'businessStandard',
    title: 'Microsoft 365 Business Standard',
    description: 'Desktop Office apps, email and Teams for businesses up to 300 users.',
    maximumQuantity: 300,
    threeYear: true,
  },
  {
    key: 'exchangeOnlinePlan1',
    title: 'Exchange Online (Plan 1)',
    description: 'Business email with a 50 GB mailbox.',
    maximumQuantity: 10_000,
    threeYear: false,
  },
  {
    key: 'microsoft365E3',
    title: 'Microsoft 365 E3',
    description: 'Enterprise productivity and security.',
    maximumQuantity: 10_000,
    threeYear: true,
  },
  {
    key: 'entraIdP1',
    title: 'Microsoft Entra ID P1',
    description: 'Identity and access management.',
    maximumQuantity: 10_000,
    threeYear: false,
  },
  {
    key: 'defenderForBusiness',
    title: 'Microsoft Defender for Business',
    description: 'Endpoint security for businesses up to 300 users.',
    maximumQuantity: 300,
    threeYear: false,
  },
  {
    key: 'teamsEssentials',
    title: 'Microsoft Teams Essentials',
    description: 'Meetings and chat for small businesses.',
    maximumQuantity: 300,
    threeYear: false,
  },
];

const OTHER_COMPANIES = [
  'Fabrikam Inc',
  'Northwind Traders',
  'Adventure Works',
  'Tailspin Toys',
  'Wide World Importers',
  'Woodgrove Bank',
  'Litware Inc',
  'Proseware Inc',
  'Alpine Ski House',
  'Blue Yonder Airlines',
  'Coho Winery',
  'Fourth Coffee',
  'Graphic Design Institute',
  'Humongous Insurance',
  'Lamna Healthcare',
  'Lucerne Publishing',
  "Margie's Travel",
  'Nod Publishers',
  'Relecloud',
  'School of Fine Art',
  'Southridge Video',
  'Trey Research',
  'VanArsdel Ltd',
  'Wingtip Toys',
  'A Datum Corporation',
  'Bellows College',
  'Consolidated Messenger',
  'First Up Consultants',
  'Best For You Organics',
  'City Power and Light',
];

function terms(availabilityId: string, threeYear: boolean): PartnerCenterTerm[] {
  const policy = [
    { refundOptions: [{ sequenceId: 1, type: 'Partial' as const, expiresAfter: `P${NCE_WINDOW_DAYS}D` }] },
  ];
  const list: [string, string, string][] = [
    ['P1M', 'monthly', 'One-Month commitment for monthly/recurring billing'],
    ['P1Y', 'monthly', 'One-Year commitment for monthly/recurring billing'],
    ['P1Y', 'annual', 'One-Year commitment for annual/recurring billing'],
  ];
  if (threeYear) {
    list.push(['P3Y', 'annual', 'Three-Year commitment for annual/recurring billing']);
    list.push(['P3Y', 'triennial', 'Three-Year commitment for triennial/recurring billing']);
  }
  return list.map(([duration, billingCycle, description]) => ({
    id: `${availabilityId}-${duration}-${billingCycle}`,
    duration,
    description,
    billingCycle,
    cancellationPolicies: policy,
  }));
}

/** Adds the new-commerce catalog (always present, even without the customer seed). */
export function seedPartnerCenterCatalog(state: PartnerCenterState): void {
  for (const def of CATALOG) {
    const [productId = '', skuId = '', availabilityId = ''] = PARTNER_CENTER_SEED_IDS.catalogItems[def.key].split(':');
    const availability: PartnerCenterAvailability = {
      id: availabilityId,
      productId,
      skuId,
      catalogItemId: `${productId}:${skuId}:${availabilityId}`,
      defaultCurrency: { code: 'USD', symbol: '$' },
      segment: 'commercial',
      country: 'US',
      isPurchasable: true,
      isRenewable: true,
      terms: terms(availabilityId, def.threeYear),
    };
    const record: PartnerCenterProductRecord = {
      product: {
        id: productId,
        title: def.title,
        description: def.description,
        productType: { id: 'OnlineServices', displayName: 'OnlineServices' },
        isMicrosoftProduct: true,
        publisherName: 'Microsoft Corporation',
      },
      skus: [
        {
          sku: {
            id: skuId,
            productId,
            title: def.title,
            description: def.description,
            minimumQuantity: 1,
            maximumQuantity: def.maximumQuantity,
            isTrial: false,
            supportedBillingCycles: def.threeYear ? ['monthly', 'annual', 'triennial'] : ['monthly', 'annual'],
            purchasePrerequisites: ['MicrosoftCustomerAgreement'],
            inventoryVariables: [],
            provisioningVariables: [],
            dynamicAttributes: { isMicrosoftProduct: true, hasAddOns: false },
          },
          availabilities: [availability],
        },
      ],
    };
    state.products.set(productId, record);
  }
}

/** Options of {@link seedPartnerCenterState}. */
export interface PartnerCenterSeedOptions {
  /** Every date of the seed is relative to this. */
  now: Date;
  /** PRNG seed (default 20211001). */
  seed?: number;
}

/** Fills `state` with the catalog, Contoso and 30 other customers. */
export function seedPartnerCenterState(state: PartnerCenterState, options: PartnerCenterSeedOptions): void {
  const random = createRandom(options.seed ?? 20211001);
  const now = options.now;
  const ids = PARTNER_CENTER_SEED_IDS;
  const items = ids.catalogItems;
  if (state.products.size === 0) seedPartnerCenterCatalog(state);

  addPartnerCenterCustomer(state, { id: ids.contoso, companyName: 'Contoso Ltd', domain: 'contoso.onmicrosoft.com' });
  addPartnerCenterSubscription(state, {
    id: ids.subscriptions.contosoBusinessPremiumAnnual,
    customerId: ids.contoso,
    offerId: items.businessPremium,
    quantity: 80,
    termDuration: 'P1Y',
    billingCycle: 'annual',
    termStart: addDays(now, -200),
    refundBatches: [{ quantity: 5, allowedUntil: addDays(now, NCE_WINDOW_DAYS - 2) }],
  });
  addPartnerCenterSubscription(state, {
    id: ids.subscriptions.contosoBusinessPremiumMonthly,
    customerId: ids.contoso,
    offerId: items.businessPremium,
    quantity: 20,
    termDuration: 'P1M',
    billingCycle: 'monthly',
    termStart: addDays(now, -20),
    creationDate: addDays(now, -140),
  });
  addPartnerCenterSubscription(state, {
    id: ids.subscriptions.contosoExchangeOnlinePlan1,
    customerId: ids.contoso,
    offerId: items.exchangeOnlinePlan1,
    quantity: 10,
    termDuration: 'P1Y',
    billingCycle: 'annual',
    termStart: addDays(now, -3),
    refundBatches: [{ quantity: 10, allowedUntil: addDays(now, NCE_WINDOW_DAYS - 3) }],
  });
  addPartnerCenterSubscription(state, {
    id: ids.subscriptions.contosoEntraIdP1,
    customerId: ids.contoso,
    offerId: items.entraIdP1,
    quantity: 5,
    termDuration: 'P1M',
    billingCycle: 'monthly',
    termStart: addDays(now, -10),
    creationDate: addDays(now, -70),
  });
  addPartnerCenterSubscription(state, {
    id: ids.subscriptions.contosoLegacyOffice365E3,
    customerId: ids.contoso,
    offerId: ids.legacyOffice365E3Offer,
    offerName: 'Office 365 E3',
    legacy: true,
    quantity: 3,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    termStart: addDays(now, -100),
    creationDate: addDays(now, -800),
  });

  const keys = Object.keys(items) as (keyof typeof items)[];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  for (const [index, companyName] of OTHER_COMPANIES.entries()) {
    const customerId = uuidFrom(random);
    addPartnerCenterCustomer(state, { id: customerId, companyName, country: index % 5 === 0 ? 'CA' : 'US' });
    const count = 3 + (index % 2);
    for (let n = 0; n < count; n += 1) {
      const roll = random();
      const status = roll < 0.85 ? 'active' : roll < 0.93 ? 'suspended' : 'deleted';
      const quantity = 1 + Math.floor(random() * 50);
      if (random() < 0.1) {
        addPartnerCenterSubscription(state, {
          id: uuidFrom(random),
          customerId,
          offerId: ids.legacyOffice365E3Offer,
          offerName: 'Office 365 E3',
          legacy: true,
          quantity,
          termDuration: 'P1Y',
          billingCycle: pick(['monthly', 'annual']),
          termStart: addDays(now, -Math.floor(random() * 360)),
          status,
        });
        continue;
      }
      const key = pick(keys);
      const def = CATALOG.find((d) => d.key === key);
      const [termDuration, billingCycle] = pick<[string, string]>([
        ['P1M', 'monthly'],
        ['P1Y', 'annual'],
        ['P1Y', 'monthly'],
        ...(def?.threeYear ? [['P3Y', 'annual'] as [string, string]] : []),
      ]);
      const span = termDuration === 'P1M' ? 29 : termDuration === 'P1Y' ? 364 : 1000;
      const termStart = addDays(now, -Math.floor(random() * span));
      const windowEnd = addDays(termStart, NCE_WINDOW_DAYS);
      addPartnerCenterSubscription(state, {
        id: uuidFrom(random),
        customerId,
        offerId: items[key],
        quantity: Math.min(quantity, def?.maximumQuantity ?? quantity),
        termDuration,
        billingCycle,
        termStart,
        status,
        refundBatches: windowEnd > now && status === 'active' ? [{ quantity, allowedUntil: windowEnd }] : [],
      });
    }
  }
}
