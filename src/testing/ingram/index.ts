/**
 * Stateful fake of the Ingram Micro Cloud Marketplace API: state, seed data and msw handlers. Only
 * Ingram-named symbols are re-exported, so this module can sit next to other vendors' fakes in one barrel.
 */
export {
  createIngramFake,
  INGRAM_FAKE_CREDENTIALS,
  ingramBaseUrl,
  type IngramCredentials,
  type IngramFake,
  type IngramFakeOptions,
} from './fake.js';
export { INGRAM_SEED_IDS, INGRAM_SEED_RESELLER_ID, ingramMpn, seedIngram } from './seed.js';
export {
  createIngramState,
  INGRAM_CHANGE_WINDOW_DAYS,
  type IngramAddress,
  type IngramAppliedWrite,
  type IngramBillingModel,
  type IngramContactPerson,
  type IngramCustomer,
  type IngramCustomerStatus,
  type IngramMoney,
  type IngramOrder,
  type IngramOrderDetail,
  type IngramOrderLineProduct,
  type IngramOrderRecord,
  type IngramOrderStatus,
  type IngramOrderType,
  type IngramPeriod,
  type IngramProduct,
  type IngramProductPrice,
  type IngramState,
  type IngramSubscription,
  type IngramSubscriptionDetailed,
  type IngramSubscriptionProduct,
  type IngramSubscriptionRecord,
  type IngramSubscriptionStatus,
  type IngramToken,
  ingramDate,
} from './state.js';
