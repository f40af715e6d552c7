/**
 * Issue 16, targeting: "always add seats to the monthly subscription" is a commitment requirement (P1M), not a
 * billing preference; nothing qualifying is a conflict naming what exists; seats going into a longer commitment
 * come with a warning and the dates they could be removed again. Against the msw fakes (createMockMarketplace) and
 * against a TD SYNNEX Ion look-alike written here with node:http.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMarketplaceClient } from '../../src/create-client.js';
import { ValidationError } from '../../src/core/errors.js';
import { MemoryTokenStore } from '../../src/core/auth/token-store.js';
import { DANDH_SEED_IDS, PAX8_SEED_IDS, TD_SYNNEX_SEED_IDS, createMockMarketplace } from '../../src/testing/index.js';
import {
  DEFAULT_ADD_POLICY,
  Marketplaces,
  NoEligibleSubscriptionError,
  type SelectionWarning,
  listLicenseSubscriptions,
  monthlyCommitment,
  parseMarketplaceId,
  policyFor,
  preferBillingTerm,
  selectSubscription,
} from '../../src/workflows/index.js';

const BP = 'Microsoft 365 Business Premium';
const HOUR = 3_600_000;

describe('targeting against the fakes (createMockMarketplace)', () => {
  const mock = createMockMarketplace();
  beforeAll(() => mock.start());
  afterAll(() => mock.stop());

  const marketplaces = () =>
    new Marketplaces([
      createMarketplaceClient({ provider: 'dandh', ...mock.clientOptions('dandh'), rateLimit: false }),
      createMarketplaceClient({ provider: 'td-synnex', ...mock.clientOptions('td-synnex'), rateLimit: false }),
      createMarketplaceClient({ provider: 'pax8', ...mock.clientOptions('pax8'), rateLimit: false }),
    ]);

  it.each([
    ['dandh', `D_AND_H:${DANDH_SEED_IDS.contoso}`, String(DANDH_SEED_IDS.contosoBusinessPremiumMonthly)],
    ['td-synnex', `TD_SYNNEX:${TD_SYNNEX_SEED_IDS.contoso}`, TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthly],
  ])(
    '"always the monthly subscription" on %s picks the P1M one, not the P1Y billed monthly',
    async (_p, id, monthly) => {
      const m = marketplaces();
      const listed = await listLicenseSubscriptions(m, { marketplaceIds: [parseMarketplaceId(id)] }, BP);
      // The trap of the issue: both are billed monthly, so billing alone cannot tell them apart.
      const billedMonthly = listed.subscriptions.filter((s) => s.billingTerm === 'monthly');
      expect(billedMonthly.map((s) => s.commitment?.term).sort()).toEqual(['P1M', 'P1Y']);
      const annualFirst = [...listed.subscriptions].sort((a) => (a.commitment?.term === 'P1Y' ? -1 : 1));
      const billing = selectSubscription(annualFirst, {
        name: 'billed-monthly',
        prefer: [preferBillingTerm('monthly')],
      });
      expect(billing.subscription.commitment?.term).toBe('P1Y'); // what the issue saw: a preference cannot say it

      for (const policy of [monthlyCommitment(), policyFor({ purpose: 'add', require: { commitmentTerm: 'P1M' } })]) {
        const r = selectSubscription(annualFirst, policy);
        expect(r.subscription.id).toBe(monthly);
        expect(r.subscription.commitment?.term).toBe('P1M');
        expect(r.warnings).toEqual([]);
        expect(r.reason).toMatch(/commitment is P1Y \(needs commitment P1M\)/);
      }
      // The default add policy agrees without being told.
      expect(selectSubscription(annualFirst, DEFAULT_ADD_POLICY).subscription.id).toBe(monthly);
      // Requirements combine: P1M and billed monthly.
      const both = policyFor({ purpose: 'add', require: { commitmentTerm: 'P1M', billingTerm: 'monthly' } });
      expect(selectSubscription(annualFirst, both).subscription.id).toBe(monthly);
    },
  );

  it('with only an annual P1Y Exchange subscription: a conflict naming it, not a pick', async () => {
    const m = marketplaces();
    const company = { marketplaceIds: [parseMarketplaceId(`PAX8:${PAX8_SEED_IDS.contoso}`)] };
    const listed = await listLicenseSubscriptions(m, company, 'Exchange Online (Plan 1)');
    expect(listed.subscriptions).toHaveLength(1);
    const only = listed.subscriptions[0]!;
    expect(only.commitment?.term).toBe('P1Y');
    const error = (() => {
      try {
        selectSubscription(listed.subscriptions, monthlyCommitment());
      } catch (e) {
        return e;
      }
      throw new Error('selected a subscription');
    })();
    expect(error).toBeInstanceOf(NoEligibleSubscriptionError);
    const e = error as NoEligibleSubscriptionError;
    expect(e.kind).toBe('conflict');
    expect(e.message).toContain(`Exchange Online (Plan 1) (pax8 ${only.id}, billed annual, commitment P1Y, 15 seats)`);
    expect(e.message).toMatch(/requires commitment P1M/);
    expect(e.rejected.map((r) => r.subscription.id)).toEqual([only.id]);
    expect(e.toJSON()).toMatchObject({ rejected: [{ subscriptionId: only.id, commitmentTerm: 'P1Y', seats: 15 }] });
    // A fallback to the annual one has to be written, and is said.
    const withFallback = { ...monthlyCommitment(), fallbacks: [DEFAULT_ADD_POLICY] };
    const r = selectSubscription(listed.subscriptions, withFallback);
    expect(r.reason).toMatch(/fell back from monthly-commitment/);
    expect(r.warnings).toHaveLength(1);
  });

  it('warns with the removal dates when seats would be added to P1Y', async () => {
    const m = marketplaces();
    const company = { marketplaceIds: [parseMarketplaceId(`PAX8:${PAX8_SEED_IDS.contoso}`)] };
    const listed = await listLicenseSubscriptions(m, company, 'Exchange Online (Plan 1)');
    const now = new Date('2026-12-05T10:00:00.000Z');
    const seen: SelectionWarning[] = [];
    const r = selectSubscription(listed.subscriptions, DEFAULT_ADD_POLICY, { now, onWarning: (w) => seen.push(w) });
    const s = r.subscription;
    expect(r.warnings).toEqual([
      {
        code: 'long-commitment',
        message: expect.stringContaining('committed for P1Y'),
        provider: 'pax8',
        customerId: s.customerId,
        subscriptionId: s.id,
        commitmentTerm: 'P1Y',
        removableUntil: new Date(now.getTime() + 168 * HOUR).toISOString(),
        nextRemovableAt: s.commitment?.endDate ?? s.renewalDate,
      },
    ]);
    expect(r.warnings[0]!.nextRemovableAt).not.toBeNull();
    expect(r.warnings[0]!.message).toContain(`not before ${r.warnings[0]!.nextRemovableAt!.slice(0, 10)}`);
    expect(seen).toEqual(r.warnings);
    expect(r.reason).toMatch(/WARNING: Seats added to Exchange Online/);
    // Removing seats is no commitment: no warning.
    const remove = policyFor({ purpose: 'remove' });
    const many = listed.subscriptions.map((x) => ({ ...x, constraints: { ...x.constraints, canDecrease: true } }));
    expect(selectSubscription(many, remove).warnings).toEqual([]);
  });

  it('refuses misspelled requirements and the ambiguous "monthly" preference name', () => {
    const bad = { name: 'x', require: { commitmentterm: 'P1M' } } as never;
    expect(() => selectSubscription([], bad)).toThrow(ValidationError);
    expect(() => selectSubscription([], bad)).toThrow(
      /"policy\.require\.commitmentterm" \(did you mean "policy\.require\.commitmentTerm"\?\)/,
    );
    expect(() => policyFor({ purpose: 'add', prefer: ['monthly' as never] })).toThrow(/ambiguous/);
    expect(() => policyFor({ purpose: 'add', require: { commitmentTerm: 'monthly' as never } })).toThrow(
      /Unknown commitment term "monthly"/,
    );
  });
});

// ---- a TD SYNNEX Ion look-alike ----------------------------------------------------------------------------------

/**
 * Answers like Ion does, deliberately unlike our fake: the P1Y billed monthly subscription comes first with the
 * most seats, billing cycle and term in odd-but-legal casing (`MONTHLY`, `p1y`), the total in
 * `paginationResponse.totalSize` instead of `totalCount`, and a cancelled P1M subscription of the same license.
 */
function ionLookAlike(subscriptions: Record<string, unknown>[]) {
  let rotation = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (req.method === 'POST' && url.pathname === '/oauth/token') {
        // Single-use refresh tokens: only the last one issued is accepted.
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== `rt-${rotation}`) {
          return send(400, { error: 'invalid_grant' });
        }
        rotation += 1;
        return send(200, { access_token: `at-${rotation}`, expires_in: 3600, refresh_token: `rt-${rotation}` });
      }
      if (req.method === 'GET' && url.pathname === '/api/v3/accounts/77/subscriptions') {
        const customer = url.searchParams.get('customerId');
        const items = subscriptions.filter((s) => String(s.customerId) === customer);
        return send(200, { items, paginationResponse: { totalSize: String(items.length) } });
      }
      send(404, { message: `no route ${req.method} ${url.pathname}` });
    });
  });
  return server;
}

const ion = (over: Record<string, unknown>) => ({
  customerId: 9001,
  subscriptionName: BP,
  ccpProductId: 'MS-BP',
  ccpSkuId: 'CFQ7TTC0LCHC',
  subscriptionStatus: 'Active',
  subscriptionBillingCycle: 'MONTHLY',
  subscriptionStartDate: '2026-07-08T00:00:00Z',
  subscriptionEndDate: '2027-07-08T00:00:00Z',
  renewalDate: '2027-07-08T00:00:00Z',
  cancellationAllowedUntilDate: '2026-07-15T00:00:00Z',
  currency: 'USD',
  ...over,
});

describe('targeting against a TD SYNNEX Ion look-alike', () => {
  const server = ionLookAlike([
    ion({ id: 'a1', subscriptionTotalLicenses: '80', subscriptionBillingTerm: 'p1y' }),
    ion({ id: 'c1', subscriptionTotalLicenses: 5, subscriptionStatus: 'Cancelled', subscriptionBillingTerm: 'P1M' }),
    ion({
      id: 'm1',
      subscriptionTotalLicenses: 20,
      subscriptionBillingTerm: 'P1M',
      subscriptionEndDate: '2027-01-03T00:00:00Z',
      renewalDate: '2027-01-03T00:00:00Z',
    }),
    ion({
      id: 'x1',
      subscriptionName: 'Exchange Online (Plan 1)',
      ccpProductId: 'MS-EXO',
      subscriptionTotalLicenses: 10,
      subscriptionBillingCycle: 'Annual',
      subscriptionBillingTerm: 'P1Y',
    }),
  ]);
  let baseUrl = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const marketplaces = () =>
    new Marketplaces([
      createMarketplaceClient({
        provider: 'td-synnex',
        credentials: { refreshToken: 'rt-0' },
        accountId: '77',
        baseUrl,
        tokenStore: new MemoryTokenStore(),
        rateLimit: false,
        retry: { retries: 0 },
      }),
    ]);
  const company = { marketplaceIds: [parseMarketplaceId('TD_SYNNEX:9001')] };

  it('"always the monthly subscription" picks the active P1M one among P1Y-billed-monthly and cancelled P1M', async () => {
    const listed = await listLicenseSubscriptions(marketplaces(), company, BP, {
      statuses: ['active', 'cancelled'],
    });
    expect(listed.subscriptions.map((s) => [s.id, s.billingTerm, s.commitment?.term, s.status])).toEqual([
      ['a1', 'monthly', 'P1Y', 'active'],
      ['c1', 'monthly', 'P1M', 'cancelled'],
      ['m1', 'monthly', 'P1M', 'active'],
    ]);
    const r = selectSubscription(listed.subscriptions, monthlyCommitment());
    expect(r.subscription.id).toBe('m1');
    expect(r.warnings).toEqual([]);
  });

  it('only an annual Exchange subscription: conflict naming it; the default add policy warns with its end date', async () => {
    const listed = await listLicenseSubscriptions(marketplaces(), company, 'Exchange Online (Plan 1)');
    expect(() => selectSubscription(listed.subscriptions, monthlyCommitment())).toThrow(
      /what exists: Exchange Online \(Plan 1\) \(td-synnex x1, billed annual, commitment P1Y, 10 seats\): commitment is P1Y/,
    );
    const now = new Date('2026-12-05T00:00:00.000Z');
    const r = selectSubscription(listed.subscriptions, DEFAULT_ADD_POLICY, { now });
    expect(r.warnings[0]).toMatchObject({
      code: 'long-commitment',
      subscriptionId: 'x1',
      removableUntil: '2026-12-12T00:00:00.000Z',
      nextRemovableAt: '2027-07-08T00:00:00.000Z',
    });
  });
});
