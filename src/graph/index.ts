/**
 * Microsoft Graph license assignment: `import { createGraphClient } from 'msp-marketplace-sdk/graph'`.
 *
 * @module msp-marketplace-sdk/graph
 */
export {
  GraphClient,
  createGraphClient,
  GRAPH_DEFAULTS,
  type GraphClientOptions,
  type GraphCredentials,
  type GraphWriteOptions,
  type LicenseChange,
  type LicenseToAdd,
  type ListUsersOptions,
} from './client.js';
export { GRAPH_SCOPE, createGraphTokenProvider } from './auth.js';
export { NoFreeSeatsError, UsageLocationMissingError, mapGraphError } from './errors.js';
export {
  type GraphUser,
  type LicenseDetail,
  type ServicePlan,
  type SubscribedSku,
  mapGraphUser,
  mapLicenseDetail,
  mapSubscribedSku,
} from './map.js';
