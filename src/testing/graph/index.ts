/**
 * The Microsoft Graph licence fake: `createGraphFake()` plus its state model and seed ids.
 */
export * from './fake.js';
export * from './seed.js';
export * from './state.js';
