export * from './common.js';
export * from './customer.js';
export * from './product.js';
export * from './subscription.js';
export * from './operations.js';
export * from './country.js';
export * from './billing.js';
