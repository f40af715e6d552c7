/**
 * Stateful fake of the Pax8 Partner API: state, seed data and msw handlers. Only Pax8-named symbols are
 * re-exported, so this module can sit next to other vendors' fakes in one barrel without name clashes.
 */
export {
  PAX8_DEFAULT_BASE_URL,
  PAX8_LEGACY_TOKEN_URL,
  PAX8_PARTNER_AUDIENCES,
  type Pax8AppliedWrite,
  type Pax8Fake,
  type Pax8FakeCredentials,
  type Pax8FakeOptions,
  createPax8Fake,
} from './fake.js';
export { PAX8_SEED_IDS, type Pax8SeedOptions, createSeededPax8State, seedPax8State } from './seed.js';
export {
  type AddPax8CompanyInput,
  type AddPax8SubscriptionInput,
  PAX8_BILLING_TERMS,
  PAX8_COMPANY_STATUSES,
  PAX8_SUBSCRIPTION_STATUSES,
  type Pax8Address,
  type Pax8BillingTerm,
  type Pax8Commitment,
  type Pax8Company,
  type Pax8CompanyStatus,
  type Pax8Order,
  type Pax8OrderLineItem,
  type Pax8Pricing,
  type Pax8Product,
  type Pax8ProductDependency,
  type Pax8ProductDetail,
  type Pax8ProductRecord,
  type Pax8ProvisioningDetail,
  type Pax8Rate,
  type Pax8State,
  type Pax8Subscription,
  type Pax8SubscriptionCommitment,
  type Pax8SubscriptionStatus,
  addPax8Company,
  addPax8Subscription,
  createPax8State,
} from './state.js';
