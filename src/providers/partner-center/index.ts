/**
 * The Microsoft Partner Center provider alone: `import { createPartnerCenterClient } from 'msp-marketplace-sdk/partner-center'`.
 *
 * @module msp-marketplace-sdk/partner-center
 */
export {
  PartnerCenterClient,
  createPartnerCenterClient,
  PARTNER_CENTER_DEFAULTS,
  type PartnerCenterClientOptions,
  type PartnerCenterCredentials,
  type PartnerCenterPurchaseInput,
} from './client.js';
export {
  mapCustomer as mapPartnerCenterCustomer,
  mapProduct as mapPartnerCenterProduct,
  mapSubscription as mapPartnerCenterSubscription,
} from './map.js';
export * from '../../core/public.js';
