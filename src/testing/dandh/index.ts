/**
 * Stateful msw fake of the D&H Cloud Marketplace SimpleAPI (ALSO Cloud Marketplace platform).
 * @packageDocumentation
 */
export {
  createDandhFake,
  dandhFault,
  DANDH_DEFAULT_BASE_URL,
  DANDH_DEFAULT_CREDENTIALS,
  DANDH_MFA_USERNAME,
  type DandhAppliedWrite,
  type DandhCredentials,
  type DandhFake,
  type DandhFakeOptions,
} from './fake.js';
export { DANDH_MARKETPLACE_ID, DANDH_SEED_IDS, DANDH_SERVICES } from './seed.js';
export {
  createDandhState,
  dandhDate,
  parseDandhDate,
  type DandhAccountField,
  type DandhAccountState,
  type DandhCompany,
  type DandhField,
  type DandhMarketplace,
  type DandhPriceableItem,
  type DandhProductInfo,
  type DandhProvisioning,
  type DandhService,
  type DandhSession,
  type DandhState,
  type DandhSubscription,
} from './state.js';
