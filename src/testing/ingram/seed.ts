import { createRandom } from '../kit/faults.js';
import {
  addMonths,
  INGRAM_CHANGE_WINDOW_DAYS,
  type IngramBillingModel,
  type IngramCustomer,
  type IngramPeriod,
  type IngramProduct,
  type IngramState,
  type IngramSubscriptionStatus,
  ingramDate,
  money,
  periodMonths,
} from './state.js';

/** Fixed ids of the seeded data that tests and examples address directly. */
export const INGRAM_SEED_IDS = {
  /** Customer "Contoso Ltd". */
  contoso: '1002001',
  /** Contoso's Microsoft 365 Business Premium, annual term, 80 seats (outside its change window). */
  contosoM365BusinessPremiumAnnual: '2005001',
  /** Contoso's Microsoft 365 Business Premium, monthly term, 20 seats (bought 3 days ago: inside the window). */
  contosoM365BusinessPremiumMonthly: '2005002',
} as const;

/** The reseller account every seeded customer belongs to. */
export const INGRAM_SEED_RESELLER_ID = '1000001';

const DAY_MS = 86_400_000;

interface ProductDef {
  key: string;
  name: string;
  vendor: string;
  serviceName: string;
  /** Microsoft product GUID, used to build MPNs `<GUID>_ANNUAL` / `<GUID>_MONTHLY`. */
  guid: string | null;
  annual: number | null;
  monthly: number | null;
  flat?: { mpn: string; price: number; max: string; model: IngramBillingModel };
  max?: string;
}

const PRODUCTS: ProductDef[] = [
  {
    key: 'M365BP',
    name: 'Microsoft 365 Business Premium',
    vendor: 'Microsoft',
    serviceName: 'Microsoft 365 NCE',
    guid: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46',
    annual: 22,
    monthly: 26.4,
    max: '300',
  },
  {
    key: 'M365BS',
    name: 'Microsoft 365 Business Standard',
    vendor: 'Microsoft',
    serviceName: 'Microsoft 365 NCE',
    guid: 'f245ecc8-75af-4f8e-b61f-27d8114de5f3',
    annual: 12.5,
    monthly: 15,
    max: '300',
  },
  {
    key: 'M365BB',
    name: 'Microsoft 365 Business Basic',
    vendor: 'Microsoft',
    serviceName: 'Microsoft 365 NCE',
    guid: '3b555118-da6a-4418-894f-7df1e2096870',
    annual: 6,
    monthly: 7.2,
    max: '300',
  },
  {
    key: 'EXOP1',
    name: 'Exchange Online (Plan 1)',
    vendor: 'Microsoft',
    serviceName: 'Microsoft 365 NCE',
    guid: '4b9405b0-7788-4568-add1-99614e613b69',
    annual: 4,
    monthly: 4.8,
  },
  {
    key: 'M365E3',
    name: 'Microsoft 365 E3',
    vendor: 'Microsoft',
    serviceName: 'Microsoft 365 NCE',
    guid: '05e9a617-0261-4cee-bb44-138d3ef5d965',
    annual: 36,
    monthly: 43.2,
  },
  {
    key: 'AZURE',
    name: 'Azure plan',
    vendor: 'Microsoft',
    serviceName: 'Microsoft Azure',
    guid: null,
    annual: null,
    monthly: null,
    flat: { mpn: 'AZURE-PLAN', price: 0, max: '1', model: 'chargeExternalRating' },
  },
  {
    key: 'ACRONIS',
    name: 'Acronis Cyber Protect Cloud - Workstation',
    vendor: 'Acronis',
    serviceName: 'Acronis Cyber Protect Cloud',
    guid: null,
    annual: null,
    monthly: null,
    flat: { mpn: 'ACR-CPC-WS', price: 3.5, max: '10000', model: 'chargeAfterBillingPeriod' },
  },
];

/** MPN of a Microsoft product for a term. */
export function ingramMpn(guid: string, term: 'annual' | 'monthly'): string {
  return `${guid.toUpperCase()}_${term.toUpperCase()}`;
}

/** A deterministic UUID v4 from the PRNG. */
export function randomUuid(rand: () => number): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(rand() * 16).toString(16);
  const variant = '89ab'[Math.floor(rand() * 4)] ?? '8';
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`;
}

function buildProducts(rand: () => number): IngramProduct[] {
  const out: IngramProduct[] = [];
  const month: IngramPeriod = { type: 'month', duration: 1 };
  for (const p of PRODUCTS) {
    if (p.flat) {
      out.push({
        mpn: p.flat.mpn,
        vendor: p.vendor,
        id: randomUuid(rand),
        serviceName: p.serviceName,
        name: p.name,
        minimumQuantity: '1',
        maximumQuantity: p.flat.max,
        prices: [{ ...money(p.flat.price), type: 'recurring' }],
        costs: [{ ...money(p.flat.price * 0.85), type: 'recurring' }],
        billingPeriod: month,
        subscriptionPeriod: month,
        billingModel: p.flat.model,
      });
      continue;
    }
    for (const term of ['annual', 'monthly'] as const) {
      const price = term === 'annual' ? p.annual : p.monthly;
      if (price === null || p.guid === null) continue;
      out.push({
        mpn: ingramMpn(p.guid, term),
        vendor: p.vendor,
        id: randomUuid(rand),
        serviceName: p.serviceName,
        name: p.name,
        minimumQuantity: '1',
        maximumQuantity: p.max ?? '1000000',
        prices: [{ ...money(price), type: 'recurring' }],
        costs: [{ ...money(price * 0.85), type: 'recurring' }],
        billingPeriod: month,
        subscriptionPeriod: term === 'annual' ? { type: 'year', duration: 1 } : month,
        billingModel: 'chargeBeforeBillingPeriod',
      });
    }
  }
  return out;
}

const COMPANY_NAMES = [
  'Fabrikam Inc',
  'Northwind Traders',
  'Adventure Works',
  'Tailspin Toys',
  'Wide World Importers',
  'Litware Inc',
  'Proseware Inc',
  'Woodgrove Bank',
  'Alpine Ski House',
  'Blue Yonder Airlines',
  'Coho Winery',
  'Consolidated Messenger',
  'Fourth Coffee',
  'Graphic Design Institute',
  'Humongous Insurance',
  'Lamna Healthcare',
  'Lucerne Publishing',
  'Margie Travel',
  'Nod Publishers',
  'Southridge Video',
  'Trey Research',
  'VanArsdel Ltd',
  'Wingtip Toys',
  'School of Fine Art',
  'City Power & Light',
  'Bellows College',
  'Relecloud',
  'Munson Pickles',
  'Datum Corporation',
  'Best For You Organics',
];

const CITIES: [string, string, string][] = [
  ['Amsterdam', '1012 AB', 'NL'],
  ['Stockholm', '111 22', 'SE'],
  ['Berlin', '10115', 'DE'],
  ['Dublin', 'D02 X285', 'IE'],
  ['Paris', '75001', 'FR'],
];

function customer(id: string, name: string, index: number, status: IngramCustomer['status']): IngramCustomer {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '');
  const [city, postalCode, countryCode] = CITIES[index % CITIES.length] ?? ['Amsterdam', '1012 AB', 'NL'];
  return {
    id,
    externalId: `CRM-${String(1000 + index)}`,
    attributes: {},
    status,
    name,
    address: { streetAddress: `${10 + index} Main Street`, postalCode, city, countryCode },
    contactPersons: [
      {
        type: 'admin',
        firstName: 'Alex',
        lastName: 'Admin',
        email: `admin@${slug}.example`,
        phoneNumber: `+31 20 555 ${String(1000 + index)}`,
      },
    ],
    language: 'en',
    resellerId: INGRAM_SEED_RESELLER_ID,
  };
}

/** Fills `state` with the catalog, Contoso Ltd, ~30 other customers and 100+ subscriptions, relative to `nowMs`. */
export function seedIngram(state: IngramState, nowMs: number): void {
  const rand = createRandom(0x1a6e_a001);
  state.products = buildProducts(rand);
  let createdAt = nowMs - 1000 * DAY_MS;

  const addSubscription = (
    id: string,
    customerId: string,
    product: IngramProduct,
    quantity: number,
    termStartMs: number,
    renewals: number,
    status: IngramSubscriptionStatus = 'active',
  ): void => {
    const months = periodMonths(product.subscriptionPeriod);
    const committed = product.billingModel !== 'chargeExternalRating' && product.vendor === 'Microsoft';
    const purchase = addMonths(termStartMs, -renewals * months);
    const next = addMonths(termStartMs, months || 1);
    const unit = Number(product.prices[0]?.amount ?? '0');
    const cost = Number(product.costs[0]?.amount ?? '0');
    createdAt += 1000;
    state.subscriptions.set(id, {
      createdAt,
      changeWindowEnd: committed ? termStartMs + INGRAM_CHANGE_WINDOW_DAYS * DAY_MS : null,
      subscription: {
        id,
        name: product.name,
        customerId,
        status,
        attributes: {},
        renewalStatus: true,
        creationDate: ingramDate(purchase),
        renewalDate: ingramDate(next),
        lastModifiedDate: ingramDate(termStartMs),
        expirationDate: ingramDate(next),
        billingModel: product.billingModel,
        billingPeriod: product.billingPeriod,
        subscriptionPeriod: product.subscriptionPeriod,
        totalPrice: money(unit * quantity),
        products: [
          {
            mpn: product.mpn,
            vendor: product.vendor,
            id: product.id,
            quantity,
            name: product.name,
            unitPrice: money(unit),
            unitCost: money(cost),
            extendedPrice: money(unit * quantity),
            vendorSubscriptionId: randomUuid(rand),
          },
        ],
        orderParameters: [],
        fulfillmentParameters: [],
        planId: 100 + state.products.indexOf(product),
      },
    });
  };
  const product = (mpnPrefix: string, term?: 'annual' | 'monthly'): IngramProduct => {
    const found = state.products.find(
      (p) => p.mpn.startsWith(mpnPrefix) && (!term || p.mpn.endsWith(term.toUpperCase())),
    );
    if (!found) throw new Error(`seed: no product ${mpnPrefix}`);
    return found;
  };

  state.customers.set(INGRAM_SEED_IDS.contoso, customer(INGRAM_SEED_IDS.contoso, 'Contoso Ltd', 0, 'active'));
  const bp = 'CBDC14AB';
  addSubscription(
    INGRAM_SEED_IDS.contosoM365BusinessPremiumAnnual,
    INGRAM_SEED_IDS.contoso,
    product(bp, 'annual'),
    80,
    nowMs - 200 * DAY_MS,
    1,
  );
  addSubscription(
    INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly,
    INGRAM_SEED_IDS.contoso,
    product(bp, 'monthly'),
    20,
    nowMs - 3 * DAY_MS,
    0,
  );
  addSubscription('2005003', INGRAM_SEED_IDS.contoso, product('4B9405B0', 'annual'), 5, nowMs - 90 * DAY_MS, 0);
  addSubscription('2005004', INGRAM_SEED_IDS.contoso, product('AZURE-PLAN'), 1, nowMs - 400 * DAY_MS, 0);
  addSubscription('2005005', INGRAM_SEED_IDS.contoso, product('05E9A617', 'annual'), 3, nowMs - 30 * DAY_MS, 0);

  let subId = 2_005_010;
  for (const [i, name] of COMPANY_NAMES.entries()) {
    const id = String(1_002_002 + i);
    state.customers.set(id, customer(id, name, i + 1, i % 11 === 10 ? 'creditHold' : 'active'));
    const count = 3 + Math.floor(rand() * 3);
    for (let k = 0; k < count; k++) {
      const p = state.products[Math.floor(rand() * state.products.length)];
      if (!p) continue;
      const span = p.subscriptionPeriod.type === 'year' ? 365 : 30;
      const termStart = nowMs - Math.floor(rand() * span) * DAY_MS - 3_600_000;
      const max = Number(p.maximumQuantity);
      const quantity = Math.min(max, 1 + Math.floor(rand() * 40));
      const status: IngramSubscriptionStatus = rand() < 0.08 ? 'terminated' : 'active';
      addSubscription(String(subId++), id, p, quantity, termStart, Math.floor(rand() * 3), status);
    }
  }
}
