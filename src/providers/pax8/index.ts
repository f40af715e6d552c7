/**
 * The Pax8 provider alone: `import { createPax8Client } from 'msp-marketplace-sdk/pax8'`.
 *
 * @module msp-marketplace-sdk/pax8
 */
export {
  Pax8Client,
  createPax8Client,
  PAX8_DEFAULTS,
  type Pax8ClientOptions,
  type Pax8Credentials,
  type Pax8PurchaseInput,
} from './client.js';
export type { Pax8ProvisioningDetails } from './provisioning.js';
export {
  mapCompany as mapPax8Company,
  mapProduct as mapPax8Product,
  mapSubscription as mapPax8Subscription,
} from './map.js';
export * from '../../core/public.js';
