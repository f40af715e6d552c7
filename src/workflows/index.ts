/**
 * Vendor-neutral license workflows: company routing, subscription targeting, user lifecycle, sync and drift.
 *
 * @module msp-marketplace-sdk/workflows
 */
export * from './marketplace-ids.js';
export * from './companies-csv.js';
export * from './registry.js';
export * from './license-subscriptions.js';
export * from './select-subscription.js';
export * from './onboarding.js';
export * from './sync.js';
export * from './drift.js';
export * from './reconcile.js';
export * from './rightsizing.js';
export * from './renewals.js';
export * from './margin.js';
