/**
 * Stateful msw fake of TD SYNNEX StreamOne Ion v3.
 * @packageDocumentation
 */
export {
  createTdSynnexFake,
  TD_SYNNEX_DEFAULT_BASE_URL,
  TD_SYNNEX_DEFAULT_CREDENTIALS,
  type TdSynnexAppliedWrite,
  type TdSynnexCredentials,
  type TdSynnexFake,
  type TdSynnexFakeOptions,
} from './fake.js';
export { ION_CANCEL_WINDOW_MS, TD_SYNNEX_CATALOG, TD_SYNNEX_SEED_IDS } from './seed.js';
export {
  createIonState,
  ionCustomerId,
  type IonAccessToken,
  type IonActivityLog,
  type IonAttribute,
  type IonCcpProductInfo,
  type IonCustomer,
  type IonCustomerStatus,
  type IonOrder,
  type IonOrderError,
  type IonOrderItem,
  type IonOrderProgress,
  type IonOrderStatus,
  type IonPlan,
  type IonProduct,
  type IonRefreshToken,
  type IonSku,
  type IonState,
  type IonSubscription,
} from './state.js';
