/**
 * Deterministic seed data for the Graph fake: the "Contoso Ltd" tenant (the same tenant id as the Partner Center
 * fake's Contoso customer) with its licence pools and 113 users.
 *
 * - Microsoft 365 Business Premium (`SPB`): 100 enabled seats (the 80 + 20 Partner Center subscriptions, whose ids
 *   are its `subscriptionIds`), 98 consumed: two free seats.
 * - Exchange Online (Plan 1): 10 enabled, 7 consumed. Entra ID P1: 5 enabled, 5 consumed (no free seat).
 *   Office 365 E3: 3 enabled, 2 consumed. Power Automate Free: 10 000 enabled, 0 consumed.
 * - Users: 98 with Business Premium (5 of them also Entra ID P1), 7 with Exchange Online, 2 with Office 365 E3,
 *   3 unlicensed users with a usage location and 3 unlicensed users without one.
 *
 * SKU and service-plan GUIDs are the public ones Microsoft documents for these products as far as we know; the
 * fake does not promise they match a live tenant.
 */
import { createRandom } from '../kit/faults.js';
import { PARTNER_CENTER_SEED_IDS } from '../partner-center/seed.js';
import { uuidFrom } from '../partner-center/state.js';
import { type GraphState, addGraphSku, addGraphTenant, addGraphUser } from './state.js';

/** Fixed ids of the seed records that tests and the demo look up. */
export const GRAPH_SEED_IDS = {
  /** Contoso's tenant id (= the Partner Center customer id of Contoso). */
  contosoTenant: PARTNER_CENTER_SEED_IDS.contoso,
  contosoDomain: 'contoso.onmicrosoft.com',
  skus: {
    /** Microsoft 365 Business Premium. */
    businessPremium: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46',
    /** Exchange Online (Plan 1). */
    exchangeOnlinePlan1: '4b9405b0-7788-4568-add1-99614e613b69',
    /** Microsoft Entra ID P1 (no free seat in the seed). */
    entraIdP1: '078d2b04-f1bd-4111-bbd4-b4b1b354cef4',
    /** Office 365 E3. */
    office365E3: '6fd2c87f-b296-42f0-b197-1e91e994b900',
    /** Power Automate Free. */
    flowFree: 'f30db892-07e9-47e9-837c-80727f46fd3d',
    /** Microsoft 365 Business Basic: NOT in Contoso's tenant (assigning it fails). */
    businessBasicNotOwned: '3b555118-da6a-4418-894f-7df1e2096870',
  },
  servicePlans: {
    exchangeStandard: '9aaf7827-d63c-4b61-89c3-182f06f82e5c',
    teams: '57ff2da0-773e-42df-b2af-ffb7a2317929',
    sharePointStandard: 'c7699d2e-19aa-44de-8edf-1736da088ca1',
    intune: 'c1ec4a95-1f05-45b3-a911-aa3fa01094f5',
    mfaPremium: '8a256a2b-b617-496d-b51b-e76466e88db0',
  },
  users: {
    /** Adele Vance: Business Premium assigned, usage location US. */
    licensed: '6e7b768e-07e2-4810-8459-485f84f8f204',
    /** Megan Bowen: unlicensed, usage location US (can receive a licence). */
    unlicensedWithUsageLocation: '48d31887-5fad-4d73-a9f5-3c356e68a038',
    /** Alex Wilber: unlicensed, no usage location (assignment fails until it is set). */
    withoutUsageLocation: '87d349ed-44d7-43e1-9a83-5f2406dee5bd',
  },
} as const;

const GIVEN = [
  'Lee',
  'Diego',
  'Isaiah',
  'Joni',
  'Lidia',
  'Lynne',
  'Miriam',
  'Nestor',
  'Patti',
  'Pradeep',
  'Grady',
  'Henrietta',
];
const SUR = [
  'Gu',
  'Siciliani',
  'Langer',
  'Sherman',
  'Holloway',
  'Robbins',
  'Graham',
  'Wilke',
  'Fernandez',
  'Gupta',
  'Archie',
  'Mueller',
];

/** Options of {@link seedGraphState}. */
export interface GraphSeedOptions {
  /** PRNG seed (default 365). */
  seed?: number;
}

/** Fills `state` with the Contoso tenant. */
export function seedGraphState(state: GraphState, options: GraphSeedOptions = {}): void {
  const random = createRandom(options.seed ?? 365);
  const ids = GRAPH_SEED_IDS;
  const tenant = addGraphTenant(state, { id: ids.contosoTenant, displayName: 'Contoso Ltd' });
  const plans = ids.servicePlans;
  addGraphSku(tenant, {
    skuId: ids.skus.businessPremium,
    skuPartNumber: 'SPB',
    enabled: 100,
    servicePlans: [
      { servicePlanId: plans.exchangeStandard, servicePlanName: 'EXCHANGE_S_STANDARD' },
      { servicePlanId: plans.teams, servicePlanName: 'TEAMS1' },
      { servicePlanId: plans.sharePointStandard, servicePlanName: 'SHAREPOINTSTANDARD' },
      { servicePlanId: plans.intune, servicePlanName: 'INTUNE_A' },
      { servicePlanId: plans.mfaPremium, servicePlanName: 'MFA_PREMIUM' },
    ],
    subscriptionIds: [
      PARTNER_CENTER_SEED_IDS.subscriptions.contosoBusinessPremiumAnnual,
      PARTNER_CENTER_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly,
    ],
  });
  addGraphSku(tenant, {
    skuId: ids.skus.exchangeOnlinePlan1,
    skuPartNumber: 'EXCHANGESTANDARD',
    enabled: 10,
    servicePlans: [{ servicePlanId: plans.exchangeStandard, servicePlanName: 'EXCHANGE_S_STANDARD' }],
    subscriptionIds: [PARTNER_CENTER_SEED_IDS.subscriptions.contosoExchangeOnlinePlan1],
  });
  addGraphSku(tenant, {
    skuId: ids.skus.entraIdP1,
    skuPartNumber: 'AAD_PREMIUM',
    enabled: 5,
    servicePlans: [{ servicePlanId: plans.mfaPremium, servicePlanName: 'MFA_PREMIUM' }],
    subscriptionIds: [PARTNER_CENTER_SEED_IDS.subscriptions.contosoEntraIdP1],
  });
  addGraphSku(tenant, {
    skuId: ids.skus.office365E3,
    skuPartNumber: 'ENTERPRISEPACK',
    enabled: 3,
    servicePlans: [
      { servicePlanId: plans.exchangeStandard, servicePlanName: 'EXCHANGE_S_ENTERPRISE' },
      { servicePlanId: plans.teams, servicePlanName: 'TEAMS1' },
    ],
    subscriptionIds: [PARTNER_CENTER_SEED_IDS.subscriptions.contosoLegacyOffice365E3],
  });
  addGraphSku(tenant, {
    skuId: ids.skus.flowFree,
    skuPartNumber: 'FLOW_FREE',
    enabled: 10_000,
    servicePlans: [{ servicePlanId: uuidFrom(random), servicePlanName: 'FLOW_P2_VIRAL' }],
  });

  const domain = ids.contosoDomain;
  const generic = (n: number, skuIds: string[], usageLocation: string | null) => {
    const given = GIVEN[n % GIVEN.length] ?? 'User';
    const surname = SUR[Math.floor(n / GIVEN.length) % SUR.length] ?? 'Contoso';
    addGraphUser(tenant, {
      id: uuidFrom(random),
      givenName: given,
      surname,
      alias: `${given}.${surname}${n}`.toLowerCase(),
      domain,
      usageLocation,
      skuIds,
    });
  };
  addGraphUser(tenant, {
    id: ids.users.licensed,
    givenName: 'Adele',
    surname: 'Vance',
    domain,
    usageLocation: 'US',
    skuIds: [ids.skus.businessPremium],
    jobTitle: 'Retail Manager',
  });
  for (let n = 1; n < 98; n += 1) {
    generic(n, n < 6 ? [ids.skus.businessPremium, ids.skus.entraIdP1] : [ids.skus.businessPremium], 'US');
  }
  for (let n = 98; n < 105; n += 1) generic(n, [ids.skus.exchangeOnlinePlan1], 'US');
  for (let n = 105; n < 107; n += 1) generic(n, [ids.skus.office365E3], 'GB');
  addGraphUser(tenant, {
    id: ids.users.unlicensedWithUsageLocation,
    givenName: 'Megan',
    surname: 'Bowen',
    domain,
    usageLocation: 'US',
  });
  generic(108, [], 'US');
  generic(109, [], 'US');
  addGraphUser(tenant, {
    id: ids.users.withoutUsageLocation,
    givenName: 'Alex',
    surname: 'Wilber',
    domain,
    usageLocation: null,
  });
  generic(111, [], null);
  generic(112, [], null);
}
