/**
 * The Microsoft Partner Center fake: `createPartnerCenterFake()` plus its state model and seed ids.
 */
export * from './fake.js';
export * from './seed.js';
export * from './state.js';
