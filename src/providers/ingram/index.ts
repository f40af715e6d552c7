/**
 * The Ingram Micro provider alone: `import { createIngramClient } from 'msp-marketplace-sdk/ingram'`.
 *
 * @module msp-marketplace-sdk/ingram
 */
export {
  IngramClient,
  createIngramClient,
  INGRAM_DEFAULTS,
  type IngramClientOptions,
  type IngramCredentials,
  type IngramPurchaseInput,
} from './client.js';
export type { IngramOrderParameters } from './parameters.js';
export {
  resolveIngramEndpoint,
  ingramRegionUrl,
  INGRAM_MARKETPLACE_REGIONS,
  type IngramEndpoint,
  type IngramEndpointInput,
} from './endpoint.js';
export {
  mapCustomer as mapIngramCustomer,
  mapProduct as mapIngramProduct,
  mapSubscription as mapIngramSubscription,
} from './map.js';
export * from '../../core/public.js';
