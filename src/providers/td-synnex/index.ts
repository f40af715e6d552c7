/**
 * The TD SYNNEX StreamOne Ion provider alone: `import { createTdSynnexClient } from 'msp-marketplace-sdk/td-synnex'`.
 *
 * @module msp-marketplace-sdk/td-synnex
 */
export {
  TdSynnexClient,
  createTdSynnexClient,
  TD_SYNNEX_DEFAULTS,
  type TdSynnexClientOptions,
  type TdSynnexCredentials,
  type TdSynnexPurchaseInput,
} from './client.js';
export {
  mapCustomer as mapTdSynnexCustomer,
  mapSubscription as mapTdSynnexSubscription,
  mapCatalogProduct as mapTdSynnexCatalogProduct,
  mapOrderState as mapTdSynnexOrderState,
} from './map.js';
export { mapTdSynnexError } from './errors.js';
export { TOKEN_NOT_SAVED } from './auth.js';
export { defaultTokenStore } from '../../core/auth/token-store.js';
export * from '../../core/public.js';
