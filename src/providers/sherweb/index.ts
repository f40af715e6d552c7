/**
 * The Sherweb provider alone: `import { createSherwebClient } from 'msp-marketplace-sdk/sherweb'`.
 *
 * @module msp-marketplace-sdk/sherweb
 */
export {
  SherwebClient,
  createSherwebClient,
  SHERWEB_DEFAULTS,
  type SherwebClientOptions,
  type SherwebCredentials,
  type SherwebListProductsOptions,
} from './client.js';
export {
  mapCustomer as mapSherwebCustomer,
  mapCatalogItem as mapSherwebCatalogItem,
  mapSubscription as mapSherwebSubscription,
} from './map.js';
export { sherwebProblemOf, type SherwebProblem } from './errors.js';
export * from '../../core/public.js';
