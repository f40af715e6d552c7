/**
 * msp-marketplace-sdk: one typed API over the cloud marketplaces MSPs buy licenses from.
 * Start with {@link createMarketplaceClient}; see README.md and docs/.
 *
 * @module msp-marketplace-sdk
 */
export {
  createMarketplaceClient,
  type MarketplaceClientOptions,
  type MarketplaceClientByProvider,
} from './create-client.js';
export {
  Pax8Client,
  createPax8Client,
  PAX8_DEFAULTS,
  type Pax8ClientOptions,
  type Pax8Credentials,
} from './providers/pax8/client.js';
export {
  IngramClient,
  createIngramClient,
  INGRAM_DEFAULTS,
  type IngramClientOptions,
  type IngramCredentials,
} from './providers/ingram/client.js';
export { resolveIngramEndpoint, type IngramEndpoint, type IngramEndpointInput } from './providers/ingram/endpoint.js';
export {
  SherwebClient,
  createSherwebClient,
  SHERWEB_DEFAULTS,
  type SherwebClientOptions,
  type SherwebCredentials,
  type SherwebListProductsOptions,
} from './providers/sherweb/client.js';
export {
  TdSynnexClient,
  createTdSynnexClient,
  TD_SYNNEX_DEFAULTS,
  type TdSynnexClientOptions,
  type TdSynnexCredentials,
  type TdSynnexPurchaseInput,
} from './providers/td-synnex/client.js';
export {
  DandhClient,
  createDandhClient,
  DANDH_DEFAULTS,
  type DandhClientOptions,
  type DandhCredentials,
} from './providers/dandh/client.js';
export {
  PartnerCenterClient,
  createPartnerCenterClient,
  PARTNER_CENTER_DEFAULTS,
  type PartnerCenterClientOptions,
  type PartnerCenterCredentials,
} from './providers/partner-center/client.js';
export * from './core/public.js';
export * from './workflows/index.js';
export * from './graph/index.js';
export { SDK_VERSION } from './version.js';
