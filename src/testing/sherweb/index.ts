/** Stateful msw fake of the Sherweb Service Provider API. */
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
export * from './state.js';
