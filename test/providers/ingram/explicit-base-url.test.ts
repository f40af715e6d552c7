/**
 * Issue 17: the API URL from the reseller's own portal wins. `baseUrl: '.../marketplace/eu', marketplace: 'uk'`
 * (a UK reseller whose portal shows the eu URL) works; the SDK's marketplace -> region table is an inference, so a
 * disagreement is one `warning` event (and a logger line), never a refusal.
 */
import { beforeEach, expect, it } from 'vitest';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import type { WarningEvent } from '../../../src/core/events.js';
import { createIngramClient } from '../../../src/providers/ingram/index.js';
import { INGRAM_SEED_IDS, createIngramFake } from '../../../src/testing/ingram/index.js';
import { useMswServer } from '../../helpers/msw.js';

const server = useMswServer();
const EU = 'https://api.cloud.im/marketplace/eu';

beforeEach(() => defaultTokenCache.clear());

it('uses an explicit eu baseUrl for the uk marketplace, warning once instead of refusing', async () => {
  const fake = createIngramFake({ region: 'eu', credentials: { marketplace: 'uk' } });
  server.use(...fake.handlers);
  const logged: string[] = [];
  const c = createIngramClient({
    credentials: {
      username: fake.credentials.username,
      password: fake.credentials.password,
      subscriptionKey: fake.credentials.subscriptionKey,
    },
    baseUrl: EU,
    marketplace: 'uk',
    rateLimit: false,
    logger: { debug() {}, info() {}, warn: (m: string) => logged.push(m), error() {} },
  });
  const warnings: WarningEvent[] = [];
  c.on('warning', (w) => warnings.push(w));
  expect(c.endpoint).toMatchObject({ baseUrl: EU, marketplace: 'uk' });
  await c.getCustomer(INGRAM_SEED_IDS.contoso);
  await c.getCustomer(INGRAM_SEED_IDS.contoso);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]!.message).toMatch(/usually in region uk/);
  expect(logged.join('\n')).toMatch(/usually in region uk/);
  // The token request carried the marketplace given, to the URL given.
  const token = fake.requests.find((r) => r.path.endsWith('/token'));
  expect(token?.body).toEqual({ marketplace: 'uk' });
});
