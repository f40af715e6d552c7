/**
 * Cancellation dry runs of the vendors without a cancel validation agree with the real cancellation: refused
 * where the vendor refuses, and OK (with what was checked) where it accepts. Against the fakes, public API.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultTokenCache } from '../../src/core/auth/token-provider.js';
import { BusinessRuleError, createMarketplaceClient } from '../../src/index.js';
import {
  DANDH_SEED_IDS,
  type MockMarketplace,
  PARTNER_CENTER_SEED_IDS,
  createMockMarketplace,
} from '../../src/testing/index.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();
let mock: MockMarketplace;

beforeEach(() => {
  defaultTokenCache.clear();
  mock = createMockMarketplace();
  server.use(...mock.handlers);
});

describe('D&H cancellation dry run', () => {
  const ref = {
    customerId: String(DANDH_SEED_IDS.contoso),
    subscriptionId: String(DANDH_SEED_IDS.contosoBusinessPremiumAnnual),
  };
  const client = (cancelAtTermEndWhenRefused: boolean) =>
    createMarketplaceClient({
      provider: 'dandh',
      ...mock.clientOptions('dandh'),
      rateLimit: false,
      cancelAtTermEndWhenRefused,
    });

  it('outside the window: refused like the real TerminateAccount', async () => {
    const c = client(false);
    const dry = await c.cancelSubscription(ref, { dryRun: true }).catch((e: unknown) => e);
    expect(dry).toBeInstanceOf(BusinessRuleError);
    await expect(c.cancelSubscription(ref)).rejects.toBeInstanceOf(BusinessRuleError);
  });

  it('with cancelAtTermEndWhenRefused: OK, and the real cancel ends it with its term (pending-cancel)', async () => {
    const c = client(true);
    const dry = await c.cancelSubscription(ref, { dryRun: true });
    expect(dry).toMatchObject({ outcome: 'dry-run', checkedBy: 'sdk' });
    expect(dry.rules!.join(' ')).toMatch(/end with its term/);
    await c.cancelSubscription(ref);
    expect((await c.getSubscription(ref)).status).toBe('pending-cancel');
  });
});

describe('Partner Center cancellation dry run', () => {
  const ids = PARTNER_CENTER_SEED_IDS;
  const client = () =>
    createMarketplaceClient({ provider: 'partner-center', ...mock.clientOptions('partner-center'), rateLimit: false });

  it('inside the window OK (sdk) and the real cancel passes; outside refused like the real PATCH', async () => {
    const c = client();
    const inside = { customerId: ids.contoso, subscriptionId: ids.subscriptions.contosoExchangeOnlinePlan1 };
    const dry = await c.cancelSubscription(inside, { dryRun: true });
    expect(dry).toMatchObject({ outcome: 'dry-run', checkedBy: 'sdk' });
    await expect(c.cancelSubscription(inside)).resolves.toMatchObject({ outcome: 'cancelled' });
    const outside = { customerId: ids.contoso, subscriptionId: ids.subscriptions.contosoBusinessPremiumAnnual };
    await expect(c.cancelSubscription(outside, { dryRun: true })).rejects.toBeInstanceOf(BusinessRuleError);
    await expect(c.cancelSubscription(outside)).rejects.toBeInstanceOf(BusinessRuleError);
  });
});
