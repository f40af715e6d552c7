import { createRandom } from '../kit/faults.js';
import {
  type SherwebCatalogEntry,
  type SherwebCommitmentTermType,
  type SherwebCustomer,
  type SherwebState,
  type SherwebSubscriptionRecord,
  addMonths,
  commitmentFor,
  sherwebDateTime,
  termMonths,
} from './state.js';

/** Fixed ids of the seeded data that tests and examples address directly. */
export const SHERWEB_SEED_IDS = {
  /** Customer "Contoso Ltd". */
  contoso: '0c6a1f3e-5b2d-4e8a-9f10-c0a7c0de0001',
  /** Contoso's Microsoft 365 Business Premium, annual commitment, 80 seats (outside its grace window). */
  contosoM365BusinessPremiumAnnual: '5b8e2d41-7a9c-4f3e-8d21-c0a7c0de0101',
  /** Contoso's Microsoft 365 Business Premium, monthly commitment, 20 seats (bought 3 days ago: in grace). */
  contosoM365BusinessPremiumMonthly: '5b8e2d41-7a9c-4f3e-8d21-c0a7c0de0102',
} as const;

/** Microsoft 365 Business Premium product SKU id on the Microsoft side. */
const M365_BP = 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46';

interface ProductDef {
  code: string;
  name: string;
  microsoftSkuId: string | null;
  annualFee: number | null;
  monthlyFee: number | null;
  noCommitmentFee?: number;
  quantityLocked?: boolean;
}

const PRODUCTS: ProductDef[] = [
  { code: 'M365BP', name: 'Microsoft 365 Business Premium', microsoftSkuId: M365_BP, annualFee: 22, monthlyFee: 26.4 },
  {
    code: 'M365BS',
    name: 'Microsoft 365 Business Standard',
    microsoftSkuId: 'f245ecc8-75af-4f8e-b61f-27d8114de5f3',
    annualFee: 12.5,
    monthlyFee: 15,
  },
  {
    code: 'M365BB',
    name: 'Microsoft 365 Business Basic',
    microsoftSkuId: '3b555118-da6a-4418-894f-7df1e2096870',
    annualFee: 6,
    monthlyFee: 7.2,
  },
  {
    code: 'EXOP1',
    name: 'Exchange Online (Plan 1)',
    microsoftSkuId: '4b9405b0-7788-4568-add1-99614e613b69',
    annualFee: 4,
    monthlyFee: 4.8,
  },
  {
    code: 'M365E3',
    name: 'Microsoft 365 E3',
    microsoftSkuId: '05e9a617-0261-4cee-bb44-138d3ef5d965',
    annualFee: 36,
    monthlyFee: 43.2,
  },
  {
    code: 'AZUREPLAN',
    name: 'Azure plan',
    microsoftSkuId: null,
    annualFee: null,
    monthlyFee: null,
    noCommitmentFee: 0,
    quantityLocked: true,
  },
  {
    code: 'ACRONIS-CPC',
    name: 'Acronis Cyber Protect Cloud - Workstation',
    microsoftSkuId: null,
    annualFee: null,
    monthlyFee: null,
    noCommitmentFee: 3.5,
  },
];

/** SKU of a product for a commitment (`null`: no commitment). SKUs encode term and billing cycle. */
export function sherwebSku(code: string, term: SherwebCommitmentTermType | null): string {
  if (term === null) return `SW-${code}-MONTHLY`;
  return `MS-NCE-${code}-${term === 'Annual' ? 'P1Y' : 'P1M'}-MONTHLY`;
}

function catalogEntries(): SherwebCatalogEntry[] {
  const out: SherwebCatalogEntry[] = [];
  for (const p of PRODUCTS) {
    const variants: [SherwebCommitmentTermType | null, number | null][] = [
      ['Annual', p.annualFee],
      ['Monthly', p.monthlyFee],
      [null, p.noCommitmentFee ?? null],
    ];
    for (const [term, fee] of variants) {
      if (fee === null) continue;
      const label = term === null ? 'no commitment' : `${term.toLowerCase()} commitment`;
      out.push({
        item: {
          sku: sherwebSku(p.code, term),
          name: [
            { culture: 'en', value: p.name },
            { culture: 'fr', value: p.name },
          ],
          description: [{ culture: 'en', value: `${p.name}, ${label}, billed monthly` }],
          billingCycle: 'monthly',
          commitmentTerm: term,
          microsoftSkuId: p.microsoftSkuId,
        },
        recurringFee: fee,
        currency: 'Usd',
        quantityLocked: p.quantityLocked ?? false,
      });
    }
  }
  return out;
}

/** A deterministic UUID v4 from the PRNG. */
export function randomUuid(rand: () => number): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(rand() * 16).toString(16);
  const variant = '89ab'[Math.floor(rand() * 4)] ?? '8';
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`;
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

const DAY_MS = 86_400_000;

/** Fills `state` with Contoso Ltd, ~30 other customers, the catalog and 100+ subscriptions, relative to `nowMs`. */
export function seedSherweb(state: SherwebState, nowMs: number): void {
  const rand = createRandom(0x5e4e_b001);
  state.catalog = catalogEntries();
  const root = ['Fake MSP Partner'];
  const addCustomer = (c: SherwebCustomer): void => {
    state.customers.set(c.id, c);
  };
  const entry = (code: string, term: SherwebCommitmentTermType | null): SherwebCatalogEntry => {
    const e = state.catalog.find((x) => x.item.sku === sherwebSku(code, term));
    if (!e) throw new Error(`seed: no catalog entry ${code}/${String(term)}`);
    return e;
  };
  const addSubscription = (
    id: string,
    customerId: string,
    e: SherwebCatalogEntry,
    quantity: number,
    termStartMs: number,
    renewals: number,
  ): void => {
    const term = e.item.commitmentTerm;
    const purchase = term === null ? termStartMs : addMonths(termStartMs, -renewals * termMonths(term));
    const record: SherwebSubscriptionRecord = {
      customerId,
      cancelledOn: null,
      quantityLocked: e.quantityLocked,
      pendingTrackingId: null,
      subscription: {
        id,
        productName: e.item.name[0]?.value ?? e.item.sku,
        description: e.item.description[0]?.value ?? '',
        sku: e.item.sku,
        quantity,
        billingCycle: e.item.billingCycle,
        purchaseDate: sherwebDateTime(purchase),
        fees: e.item.sku.includes('AZUREPLAN')
          ? null
          : { recurringFee: e.recurringFee, setupFee: 0, currency: e.currency },
        commitmentTerm: term === null ? null : commitmentFor(term, termStartMs, nowMs),
      },
    };
    state.subscriptions.set(id, record);
  };

  addCustomer({ id: SHERWEB_SEED_IDS.contoso, displayName: 'Contoso Ltd', path: root, suspendedOn: null });
  addSubscription(
    SHERWEB_SEED_IDS.contosoM365BusinessPremiumAnnual,
    SHERWEB_SEED_IDS.contoso,
    entry('M365BP', 'Annual'),
    80,
    nowMs - 200 * DAY_MS,
    1,
  );
  addSubscription(
    SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly,
    SHERWEB_SEED_IDS.contoso,
    entry('M365BP', 'Monthly'),
    20,
    nowMs - 3 * DAY_MS,
    0,
  );
  addSubscription(randomUuid(rand), SHERWEB_SEED_IDS.contoso, entry('EXOP1', 'Annual'), 5, nowMs - 90 * DAY_MS, 0);
  addSubscription(randomUuid(rand), SHERWEB_SEED_IDS.contoso, entry('AZUREPLAN', null), 1, nowMs - 400 * DAY_MS, 0);
  addSubscription(randomUuid(rand), SHERWEB_SEED_IDS.contoso, entry('M365E3', 'Annual'), 3, nowMs - 30 * DAY_MS, 0);

  for (const [i, name] of COMPANY_NAMES.entries()) {
    const id = randomUuid(rand);
    const suspended = i % 13 === 12;
    addCustomer({
      id,
      displayName: name,
      path: root,
      suspendedOn: suspended ? sherwebDateTime(nowMs - (10 + i) * DAY_MS) : null,
    });
    const count = 3 + Math.floor(rand() * 3);
    for (let k = 0; k < count; k++) {
      const e = state.catalog[Math.floor(rand() * state.catalog.length)];
      if (!e) continue;
      const term = e.item.commitmentTerm;
      const span = term === 'Annual' ? 365 : 30;
      const termStart = nowMs - Math.floor(rand() * span) * DAY_MS - 3_600_000;
      const quantity = e.quantityLocked ? 1 : 1 + Math.floor(rand() * 40);
      addSubscription(randomUuid(rand), id, e, quantity, termStart, Math.floor(rand() * 3));
    }
  }
}
