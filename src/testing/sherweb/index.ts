/**
 * Stateful fake of the Sherweb Service Provider API: state, seed data and msw handlers. Only Sherweb-named
 * symbols are re-exported, so this module can sit next to other vendors' fakes in one barrel.
 */
export {
  createSherwebFake,
  SHERWEB_DEFAULT_BASE_URL,
  SHERWEB_DEFAULT_TOKEN_URL,
  SHERWEB_FAKE_CREDENTIALS,
  type SherwebCredentials,
  type SherwebFake,
  type SherwebFakeOptions,
  type SherwebTrackingIdShape,
} from './fake.js';
export { SHERWEB_SEED_IDS, seedSherweb, sherwebSku } from './seed.js';
export {
  createSherwebState,
  SHERWEB_GRACE_DAYS,
  type SherwebAmendmentStatus,
  type SherwebAppliedWrite,
  type SherwebCatalogEntry,
  type SherwebCatalogItem,
  type SherwebCommitmentTerm,
  type SherwebCommitmentTermType,
  type SherwebCommittedMinimalQuantity,
  type SherwebCurrency,
  type SherwebCustomer,
  type SherwebLocalizedText,
  type SherwebOperation,
  type SherwebOperationItem,
  type SherwebOperationKind,
  type SherwebRenewalConfiguration,
  type SherwebState,
  type SherwebSubscription,
  type SherwebSubscriptionFees,
  type SherwebSubscriptionRecord,
  type SherwebToken,
  type SherwebTrackingStatus,
  sherwebDate,
  sherwebDateTime,
} from './state.js';
