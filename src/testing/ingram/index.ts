/** Stateful msw fake of the Ingram Micro Cloud Marketplace API. */
export {
  createIngramFake,
  INGRAM_FAKE_CREDENTIALS,
  ingramBaseUrl,
  type IngramCredentials,
  type IngramFake,
  type IngramFakeOptions,
} from './fake.js';
export { INGRAM_SEED_IDS, INGRAM_SEED_RESELLER_ID, ingramMpn, seedIngram } from './seed.js';
export * from './state.js';
