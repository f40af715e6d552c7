/**
 * `verifyConnection` counts are accurate (what `listCustomers` returns) or say "at least": for every provider,
 * against the fakes, through the public API.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultTokenCache } from '../../src/core/auth/token-provider.js';
import { type ProviderId, createMarketplaceClient } from '../../src/index.js';
import { type MockMarketplace, createMockMarketplace } from '../../src/testing/index.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();
let mock: MockMarketplace;

beforeEach(() => {
  defaultTokenCache.clear();
  mock = createMockMarketplace();
  server.use(...mock.handlers);
});

const PROVIDERS: ProviderId[] = ['pax8', 'dandh', 'ingram', 'sherweb', 'partner-center', 'td-synnex'];

describe.each(PROVIDERS)('verifyConnection of %s', (provider) => {
  it('counts the customers a listing returns, exactly', async () => {
    const client = createMarketplaceClient({
      provider,
      ...mock.clientOptions(provider),
      rateLimit: false,
    } as Parameters<typeof createMarketplaceClient>[0]);
    const report = await client.verifyConnection();
    const listed = await client.listCustomers().toArray({ limit: Number.POSITIVE_INFINITY });
    expect(report.customers).toBe(listed.length);
    expect(report.customersExact).toBe(true);
    if (report.subscriptions === null) expect(report.subscriptionsExact).toBe(false);
    else expect(report.subscriptions).toBeGreaterThan(0);
  });
});
