/**
 * The D&H Cloud Marketplace provider alone: `import { createDandhClient } from 'msp-marketplace-sdk/dandh'`.
 *
 * @module msp-marketplace-sdk/dandh
 */
export {
  DandhClient,
  createDandhClient,
  DANDH_DEFAULTS,
  type DandhClientOptions,
  type DandhCredentials,
} from './client.js';
export {
  mapCompany as mapDandhCompany,
  mapService as mapDandhService,
  mapSubscription as mapDandhSubscription,
  DEFAULT_STATUS_RULES as DANDH_DEFAULT_STATUS_RULES,
  type DandhStatusRules,
} from './map.js';
export { parseDandhFault, type DandhFault, DANDH_SESSION_EXPIRED } from './errors.js';
export * from '../../core/public.js';
