/**
 * `msp-marketplace-sdk/testing`: stateful msw fakes of the vendors' APIs with fault injection.
 * Needs `msw` (a peer dependency) installed.
 *
 * @module msp-marketplace-sdk/testing
 */
export {
  createMockMarketplace,
  type MockMarketplace,
  type MockMarketplaceOptions,
  type FakeClientOptions,
} from './mock-marketplace.js';
export { FaultInjector, createRandom, type FaultKind, type FaultRule, type FiredFault } from './kit/faults.js';
export { RateWindow, type RateWindowOptions } from './kit/rate-window.js';
export type { VendorFake, Clock } from './kit/types.js';
export type { RecordedRequest, FakeRequest } from './kit/fake-server.js';
export * from './pax8/index.js';
export * from './sherweb/index.js';
export * from './ingram/index.js';
export * from './dandh/index.js';
export * from './td-synnex/index.js';
export * from './partner-center/index.js';
export * from './graph/index.js';
