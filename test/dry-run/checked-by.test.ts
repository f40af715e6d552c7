/**
 * Every dry run of every provider says what checked it (`checkedBy`: vendor, sdk or nothing) and the rules
 * applied, or refuses with the typed error the real write would meet. Through the public API, against the fakes.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultTokenCache } from '../../src/core/auth/token-provider.js';
import {
  type CancelResult,
  MarketplaceError,
  type MarketplaceClient,
  type ProviderId,
  type PurchaseResult,
  type SeatChangeResult,
  createMarketplaceClient,
} from '../../src/index.js';
import {
  DANDH_SEED_IDS,
  INGRAM_SEED_IDS,
  type MockMarketplace,
  PARTNER_CENTER_SEED_IDS,
  PAX8_SEED_IDS,
  SHERWEB_SEED_IDS,
  TD_SYNNEX_SEED_IDS,
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

interface Case {
  provider: ProviderId;
  customerId: string;
  monthly: string;
  annual: string;
}

const CASES: Case[] = [
  {
    provider: 'pax8',
    customerId: PAX8_SEED_IDS.contoso,
    monthly: PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly,
    annual: PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumAnnual,
  },
  {
    provider: 'dandh',
    customerId: String(DANDH_SEED_IDS.contoso),
    monthly: String(DANDH_SEED_IDS.contosoBusinessPremiumMonthly),
    annual: String(DANDH_SEED_IDS.contosoBusinessPremiumAnnual),
  },
  {
    provider: 'ingram',
    customerId: INGRAM_SEED_IDS.contoso,
    monthly: INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly,
    annual: INGRAM_SEED_IDS.contosoM365BusinessPremiumAnnual,
  },
  {
    provider: 'sherweb',
    customerId: SHERWEB_SEED_IDS.contoso,
    monthly: SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly,
    annual: SHERWEB_SEED_IDS.contosoM365BusinessPremiumAnnual,
  },
  {
    provider: 'partner-center',
    customerId: PARTNER_CENTER_SEED_IDS.contoso,
    monthly: PARTNER_CENTER_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly,
    annual: PARTNER_CENTER_SEED_IDS.subscriptions.contosoBusinessPremiumAnnual,
  },
  {
    provider: 'td-synnex',
    customerId: TD_SYNNEX_SEED_IDS.contoso,
    monthly: TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthly,
    annual: TD_SYNNEX_SEED_IDS.contosoBusinessPremiumAnnual,
  },
];

function clientFor(provider: ProviderId): MarketplaceClient {
  const options = {
    ...mock.clientOptions(provider),
    rateLimit: false as const,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  };
  return createMarketplaceClient({ provider, ...options } as Parameters<typeof createMarketplaceClient>[0]);
}

const CHECKED_BY = ['vendor', 'sdk', 'nothing'];

/** A dry run either says what checked it, or refuses with the typed error of the vendor's rules. */
async function dryRun(
  run: () => Promise<SeatChangeResult | CancelResult | PurchaseResult>,
): Promise<SeatChangeResult | CancelResult | PurchaseResult | MarketplaceError> {
  try {
    const result = await run();
    expect(CHECKED_BY).toContain(result.checkedBy);
    expect(Array.isArray(result.rules)).toBe(true);
    if (result.checkedBy !== 'nothing') expect(result.rules!.length).toBeGreaterThan(0);
    return result;
  } catch (error) {
    // A refusal is a typed error of the kind the real write meets (not a crash, not an OK).
    expect(error).toBeInstanceOf(MarketplaceError);
    expect(['business-rule', 'validation', 'unsupported']).toContain((error as MarketplaceError).kind);
    return error as MarketplaceError;
  }
}

describe.each(CASES)('dry runs of $provider say what checked them', ({ provider, customerId, monthly, annual }) => {
  it('seat increase, decrease, no-op and cancel of the monthly and annual subscriptions', async () => {
    const c = clientFor(provider);
    const before =
      mock[provider === 'td-synnex' ? 'tdSynnex' : provider === 'partner-center' ? 'partnerCenter' : provider].requests
        .length;
    for (const subscriptionId of [monthly, annual]) {
      const ref = { customerId, subscriptionId };
      const add = await dryRun(() => c.addSeats(ref, 1, { dryRun: true }));
      // An increase of an active subscription is not refused by any vendor's rules.
      expect(add).not.toBeInstanceOf(MarketplaceError);
      expect((add as SeatChangeResult).outcome).toBe('dry-run');
      const remove = await dryRun(() => c.removeSeats(ref, 1, { dryRun: true }));
      if (process.env.DRY_RUN_DEBUG) {
        const say = (r: unknown) =>
          r instanceof MarketplaceError ? `refused ${r.kind}` : (r as SeatChangeResult).checkedBy;
        console.log(provider, subscriptionId, 'add', say(add), 'remove', say(remove));
      }
      const same = await dryRun(() => c.setSeats(ref, (add as SeatChangeResult).before, { dryRun: true }));
      expect(same).toMatchObject({ outcome: 'unchanged', checkedBy: 'sdk' });
      if (c.capabilities.cancelSubscription) await dryRun(() => c.cancelSubscription(ref, { dryRun: true }));
    }
    // Nothing was changed by any dry run.
    const fake =
      mock[provider === 'td-synnex' ? 'tdSynnex' : provider === 'partner-center' ? 'partnerCenter' : provider];
    expect(fake.requests.length).toBeGreaterThan(before);
    const sub = await c.getSubscription({ customerId, subscriptionId: annual });
    expect(sub.quantity).toBeGreaterThan(0);
  });

  it('purchase dry run', async () => {
    const c = clientFor(provider);
    if (!c.capabilities.purchase) return;
    // Sherweb's catalog is per customer.
    const listOptions = (provider === 'sherweb' ? { customerId } : {}) as Parameters<typeof c.listProducts>[0];
    const products = await c.listProducts(listOptions).toArray({ limit: 500 });
    // The first Business Basic/Premium offer sold monthly that the vendor's rules accept.
    const candidates = products.filter((p) => /business (basic|premium)/i.test(p.name)).slice(0, 8);
    let accepted: PurchaseResult | undefined;
    for (const product of candidates) {
      const r = await dryRun(() =>
        c.purchase({ customerId, productId: product.id, quantity: 1, billingTerm: 'monthly', dryRun: true }),
      );
      if (!(r instanceof MarketplaceError)) {
        accepted = r as PurchaseResult;
        break;
      }
    }
    expect(accepted).toMatchObject({ outcome: 'dry-run' });
    if (c.capabilities.dryRunPurchase === 'vendor') expect(accepted?.checkedBy).toBe('vendor');
  });
});
