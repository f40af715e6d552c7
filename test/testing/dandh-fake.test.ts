import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DANDH_DEFAULT_BASE_URL,
  DANDH_MFA_USERNAME,
  DANDH_SEED_IDS,
  DANDH_SERVICES,
  type DandhFake,
  type DandhSubscription,
  createDandhFake,
} from '../../src/testing/dandh/index.js';

const BASE = DANDH_DEFAULT_BASE_URL;
const START = Date.parse('2025-03-10T12:00:00Z');
let t = START;
let fake: DandhFake;
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
afterEach(() => server.resetHandlers());

function makeFake(opts: Parameters<typeof createDandhFake>[0] = {}): DandhFake {
  t = START;
  const f = createDandhFake({ now: () => new Date(t), ...opts });
  server.use(...f.handlers);
  return f;
}

beforeEach(() => {
  fake = makeFake();
});

async function call(method: string, body: unknown, token?: string, headerValue?: string): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (headerValue !== undefined) headers.Authenticate = headerValue;
  else if (token) headers.Authenticate = `CCPSessionId ${token}`;
  return fetch(`${BASE}/${method}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

async function login(username = fake.credentials.username, password = fake.credentials.password): Promise<string> {
  const res = await call('GetSessionToken', { username, password });
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text.startsWith('"')).toBe(true);
  return JSON.parse(text) as string;
}

async function faultOf(res: Response): Promise<{ message: string; expired: boolean }> {
  expect(res.headers.get('content-type')).toContain('text/xml');
  const xml = await res.text();
  expect(xml).toContain('Nervogrid.Platform.API');
  return {
    message: /<Message>([^<]*)<\/Message>/.exec(xml)?.[1] ?? '',
    expired: /<IsSessionExpired>true<\/IsSessionExpired>/.test(xml),
  };
}

async function getSub(token: string, accountId: number): Promise<DandhSubscription> {
  const res = await call('GetSubscription', { accountId }, token);
  expect(res.status).toBe(200);
  return (await res.json()) as DandhSubscription;
}

/** How the SDK should find the quantity field: the UDRC priceable item names it. */
function quantityOf(sub: DandhSubscription): number | undefined {
  const name = sub.PriceableItems.find((p) => p.IsUDRCField)?.FieldName;
  const v = sub.Fields.find((f) => f.Name === name)?.Value;
  return v === undefined ? undefined : Number(v);
}

describe('D&H fake: session auth', () => {
  it('issues a JSON-quoted session token and accepts it in the Authenticate header', async () => {
    const token = await login();
    expect(fake.issuedTokens).toBe(1);
    const res = await call('GetCompanies', { parentAccountId: Number(fake.credentials.accountId) }, token);
    expect(res.status).toBe(200);
    const companies = (await res.json()) as { CompanyName: string }[];
    expect(companies.map((c) => c.CompanyName)).toContain('Contoso Ltd');
  });

  it('refuses bad credentials with HTTP 500 and an XML fault', async () => {
    const res = await call('GetSessionToken', { username: fake.credentials.username, password: 'nope' });
    expect(res.status).toBe(500);
    expect((await faultOf(res)).message).toMatch(/check your username and password/);
  });

  it('refuses an MFA-enabled user', async () => {
    const res = await call('GetSessionToken', { username: DANDH_MFA_USERNAME, password: fake.credentials.password });
    expect(res.status).toBe(500);
    expect((await faultOf(res)).message.toLowerCase()).toContain('users with enabled mfa are not supported');
  });

  it('refuses a missing header and a header without the CCPSessionId prefix', async () => {
    const token = await login();
    const missing = await call('PingPong', {});
    expect(missing.status).toBe(500);
    expect((await faultOf(missing)).expired).toBe(false);
    const bare = await call('PingPong', {}, undefined, token);
    expect(bare.status).toBe(500);
    const ok = await call('PingPong', {}, token);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('');
  });

  it('can accept a bare token when asked to', async () => {
    fake = makeFake({ acceptBareToken: true });
    const token = await login();
    expect((await call('PingPong', {}, undefined, token)).status).toBe(200);
  });

  it('expires sessions per the clock with the IsSessionExpired fault', async () => {
    fake = makeFake({ sessionLifetimeMs: 10 * 60_000 });
    const token = await login();
    t += 9 * 60_000;
    expect((await call('PingPong', {}, token)).status).toBe(200);
    t += 2 * 60_000;
    const res = await call('PingPong', {}, token);
    expect(res.status).toBe(500);
    expect((await faultOf(res)).expired).toBe(true);
  });

  it('expireAllTokens() and TerminateSessionToken end sessions', async () => {
    const a = await login();
    fake.expireAllTokens();
    expect((await faultOf(await call('PingPong', {}, a))).expired).toBe(true);
    const b = await login();
    expect((await call('TerminateSessionToken', {}, b)).status).toBe(200);
    expect((await faultOf(await call('PingPong', {}, b))).expired).toBe(true);
    expect(fake.issuedTokens).toBe(2);
  });

  it('answers 405 for GET and 404 for an unknown method', async () => {
    const token = await login();
    const get = await fetch(`${BASE}/GetCompanies`, { headers: { Authenticate: `CCPSessionId ${token}` } });
    expect(get.status).toBe(405);
    expect((await call('GetEverything', {}, token)).status).toBe(404);
  });
});

describe('D&H fake: reads', () => {
  it('lists first-level companies only; the sub-reseller needs GetResellers; 100+ subscriptions', async () => {
    const token = await login();
    const reseller = Number(fake.credentials.accountId);
    const direct = (await (await call('GetCompanies', { parentAccountId: reseller }, token)).json()) as {
      AccountId: number;
    }[];
    expect(direct).toHaveLength(28);
    const resellers = (await (await call('GetResellers', { parentAccountId: reseller }, token)).json()) as {
      AccountId: number;
    }[];
    expect(resellers.map((r) => r.AccountId)).toEqual([DANDH_SEED_IDS.subReseller]);
    const nested = (await (
      await call('GetCompanies', { parentAccountId: DANDH_SEED_IDS.subReseller }, token)
    ).json()) as { AccountId: number }[];
    expect(nested).toHaveLength(3);
    let total = 0;
    for (const c of [...direct, ...nested]) {
      const subs = (await (
        await call('GetSubscriptions', { parentAccountId: c.AccountId }, token)
      ).json()) as unknown[];
      expect(Array.isArray(subs)).toBe(true);
      total += subs.length;
    }
    expect(total).toBeGreaterThanOrEqual(100);
  });

  it('GetCompany answers an array (as the spec declares), defaulting to the caller’s own account', async () => {
    const token = await login();
    const own = (await (await call('GetCompany', {}, token)).json()) as { AccountId: number; AccountType: string }[];
    expect(own).toEqual([expect.objectContaining({ AccountId: 100001, AccountType: 'Reseller' })]);
    const contoso = (await (await call('GetCompany', { accountId: DANDH_SEED_IDS.contoso }, token)).json()) as {
      CompanyName: string;
    }[];
    expect(contoso[0]?.CompanyName).toBe('Contoso Ltd');
  });

  it('seeds Contoso with an 80-seat annual and a 20-seat monthly Business Premium', async () => {
    const token = await login();
    const subs = (await (
      await call('GetSubscriptions', { parentAccountId: DANDH_SEED_IDS.contoso, excludeUserLevel: true }, token)
    ).json()) as DandhSubscription[];
    const annual = subs.find((s) => s.AccountId === DANDH_SEED_IDS.contosoBusinessPremiumAnnual)!;
    const monthly = subs.find((s) => s.AccountId === DANDH_SEED_IDS.contosoBusinessPremiumMonthly)!;
    expect(quantityOf(annual)).toBe(80);
    expect(annual.PriceableItems[0]?.CommitementPeriodInMonths).toBe(12);
    expect(quantityOf(monthly)).toBe(20);
    expect(monthly.PriceableItems[0]?.CommitementPeriodInMonths).toBe(1);
    expect(annual.Fields.find((f) => f.Name === 'Quantity')?.Value).toBe('80');
    expect(annual.BillingStartDate).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    const exchange = subs.find((s) => s.AccountId === DANDH_SEED_IDS.contosoExchange)!;
    expect(exchange.Fields.some((f) => f.Name === 'Quantity')).toBe(false);
    expect(exchange.PriceableItems[0]?.FieldName).toBe('NumberofCSPlicenses');
    expect(quantityOf(exchange)).toBe(10);
    const tenant = subs.find((s) => s.AccountId === DANDH_SEED_IDS.contosoTenant)!;
    expect(tenant.PriceableItems).toEqual([]);
    expect(annual.DependencyAccountId).toBe(DANDH_SEED_IDS.contosoTenant);
  });

  it('declares each service’s quantity field in GetFieldsForService', async () => {
    const token = await login();
    const fields = async (productName: string) =>
      (
        (await (
          await call('GetFieldsForService', { parentAccountId: DANDH_SEED_IDS.contoso, productName }, token)
        ).json()) as { Fields: { Name: string; Type: string; DisplayType: string }[] }
      ).Fields;
    expect((await fields(DANDH_SERVICES.businessPremiumAnnual))[0]).toMatchObject({ Name: 'Quantity', Type: 'int' });
    expect((await fields(DANDH_SERVICES.exchangePlan1Legacy))[0]).toMatchObject({ Name: 'NumberofCSPlicenses' });
    const catalog = (await (
      await call('GetPossibleServicesForParent', { parentAccountId: DANDH_SEED_IDS.contoso }, token)
    ).json()) as { ProductName: string; SimpleProductBillingInfo: { FieldName: string }[] }[];
    expect(catalog.length).toBeGreaterThanOrEqual(8);
    const markets = (await (await call('GetMarketplaces', {}, token)).json()) as { Id: number }[];
    const services = (await (await call('ListMarketplaceServices', { marketplaceId: markets[0]?.Id }, token)).json()) as
      | unknown[]
      | undefined;
    expect(services?.length).toBe(catalog.length);
  });

  it('treats body parameters as case-sensitive and refuses resellerContext: null', async () => {
    const token = await login();
    const wrongCase = await call('GetCompanies', { ParentAccountId: 100001 }, token);
    expect(wrongCase.status).toBe(500);
    expect((await faultOf(wrongCase)).message).toContain('parentAccountId');
    const nullCtx = await call(
      'GetSubscriptions',
      { parentAccountId: DANDH_SEED_IDS.contoso, resellerContext: null },
      token,
    );
    expect(nullCtx.status).toBe(500);
    const ok = await call(
      'GetSubscriptions',
      { parentAccountId: DANDH_SEED_IDS.contoso, resellerContext: 100001 },
      token,
    );
    expect(ok.status).toBe(200);
  });

  it('answers a fault for an unknown subscription', async () => {
    const token = await login();
    const res = await call('GetSubscription', { accountId: 999_999 }, token);
    expect(res.status).toBe(500);
    expect((await faultOf(res)).message).toContain('999999');
  });
});

describe('D&H fake: writes', () => {
  const update = (token: string, sub: DandhSubscription, name: string, value: string) =>
    call(
      'UpdateSubscription',
      { subscription: { AccountId: sub.AccountId, ServiceName: sub.ServiceName, Fields: [{ name, value }] } },
      token,
    );

  it('changes seats through UpdateSubscription; provisioning completes per clock', async () => {
    fake = makeFake({ provisioningMs: 30_000 });
    const token = await login();
    const sub = await getSub(token, DANDH_SEED_IDS.contosoBusinessPremiumAnnual);
    const res = await update(token, sub, 'Quantity', '85');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const after = await getSub(token, sub.AccountId);
    expect(quantityOf(after)).toBe(85);
    expect(after.ProvisioningStatus).toBe('Pending');
    expect(fake.pendingProvisioning()).toEqual([sub.AccountId]);
    t += 31_000;
    expect((await getSub(token, sub.AccountId)).ProvisioningStatus).toBe('Provisioned');
    expect(fake.appliedWrites).toEqual([
      expect.objectContaining({ operation: 'UpdateSubscription', accountId: sub.AccountId }),
    ]);
  });

  it('uses the service’s own quantity field name (no hard-coded "Quantity")', async () => {
    const token = await login();
    const exchange = await getSub(token, DANDH_SEED_IDS.contosoExchange);
    const wrong = await update(token, exchange, 'Quantity', '12');
    expect(wrong.status).toBe(500);
    expect((await faultOf(wrong)).message).toContain("Unknown field 'Quantity'");
    expect((await update(token, exchange, 'NumberofCSPlicenses', '12')).status).toBe(200);
    expect(fake.quantityOf(exchange.AccountId)).toBe(12);
    // Legacy CSP has no commitment: decreases are always allowed.
    expect((await update(token, exchange, 'NumberofCSPlicenses', '3')).status).toBe(200);
  });

  it('refuses a decrease outside the cancellation window but allows it inside', async () => {
    const token = await login();
    const annual = await getSub(token, DANDH_SEED_IDS.contosoBusinessPremiumAnnual);
    const refused = await update(token, annual, 'Quantity', '70');
    expect(refused.status).toBe(500);
    expect((await faultOf(refused)).message).toMatch(/cannot be decreased/);
    expect(fake.quantityOf(annual.AccountId)).toBe(80);
    const monthly = await getSub(token, DANDH_SEED_IDS.contosoBusinessPremiumMonthly);
    expect((await update(token, monthly, 'Quantity', '15')).status).toBe(200);
    expect(fake.quantityOf(monthly.AccountId)).toBe(15);
  });

  it('validates values, wrappers and read-only fields', async () => {
    const token = await login();
    const monthly = await getSub(token, DANDH_SEED_IDS.contosoBusinessPremiumMonthly);
    expect((await update(token, monthly, 'Quantity', '0')).status).toBe(500);
    expect((await update(token, monthly, 'Quantity', 'ten')).status).toBe(500);
    expect((await update(token, monthly, 'OfferId', 'X')).status).toBe(500);
    const otherWrapper = await call(
      'UpdateSubscription',
      {
        subscriptionAccount: {
          AccountId: monthly.AccountId,
          ServiceName: monthly.ServiceName,
          Fields: { Quantity: 5 },
        },
      },
      token,
    );
    expect(otherWrapper.status).toBe(500);
    expect(fake.appliedWrites).toEqual([]);
  });

  it('ValidateFields dry-runs an update without applying it', async () => {
    const token = await login();
    const body = (Quantity: number) => ({
      subscriptionAccount: {
        AccountId: DANDH_SEED_IDS.contosoBusinessPremiumAnnual,
        ParentAccountId: DANDH_SEED_IDS.contoso,
        ServiceName: DANDH_SERVICES.businessPremiumAnnual,
        Fields: { Quantity },
      },
    });
    expect(await (await call('ValidateFields', body(70), token)).json()).toMatchObject({ Result: 'FAILED' });
    expect(await (await call('ValidateFields', body(90), token)).json()).toMatchObject({ Result: 'SUCCESS' });
    expect(fake.quantityOf(DANDH_SEED_IDS.contosoBusinessPremiumAnnual)).toBe(80);
  });

  it('fail() puts the quantity back and reports the error on the subscription', async () => {
    const token = await login();
    const sub = await getSub(token, DANDH_SEED_IDS.contosoBusinessPremiumAnnual);
    await update(token, sub, 'Quantity', '90');
    fake.fail(sub.AccountId, 'Partner Center refused the change');
    const after = await getSub(token, sub.AccountId);
    expect(quantityOf(after)).toBe(80);
    expect(after.ProvisioningStatus).toBe('Failed');
    expect(after.ErrorDetails).toBe('Partner Center refused the change');
  });

  it('creates a subscription that provisions asynchronously', async () => {
    const token = await login();
    const res = await call(
      'CreateSubscription',
      {
        subscriptionAccount: {
          ParentAccountId: DANDH_SEED_IDS.contoso,
          ServiceName: DANDH_SERVICES.e3Annual,
          Fields: { Quantity: 5 },
          PurchaseOrderNumber: 'PO-1',
        },
      },
      token,
    );
    expect(res.status).toBe(200);
    const created = (await res.json()) as DandhSubscription;
    expect(created).toMatchObject({ ProvisioningStatus: 'Pending', ServiceName: DANDH_SERVICES.e3Annual });
    expect(quantityOf(created)).toBe(5);
    expect(fake.completeAll()).toBe(1);
    expect((await getSub(token, created.AccountId)).ProvisioningStatus).toBe('Provisioned');
    const missing = await call(
      'CreateSubscription',
      {
        subscriptionAccount: {
          ParentAccountId: DANDH_SEED_IDS.contoso,
          ServiceName: DANDH_SERVICES.e3Annual,
          Fields: {},
        },
      },
      token,
    );
    expect((await faultOf(missing)).message).toContain("'Quantity' is mandatory");
  });

  it('terminates inside the window, refuses outside it', async () => {
    const token = await login();
    const ok = await call('TerminateAccount', { accountId: DANDH_SEED_IDS.contosoBusinessPremiumMonthly }, token);
    expect(ok.status).toBe(200);
    expect((await getSub(token, DANDH_SEED_IDS.contosoBusinessPremiumMonthly)).AccountState).toBe('Terminated');
    const refused = await call(
      'TerminateAccount',
      { accountId: DANDH_SEED_IDS.contosoBusinessPremiumAnnual, terminationReason: 'no longer needed' },
      token,
    );
    expect(refused.status).toBe(500);
    expect((await faultOf(refused)).message).toMatch(/AdvancePeriodEndAction/);
  });

  it('applies a write whose response is lost (client sees a network error)', async () => {
    const token = await login();
    const sub = await getSub(token, DANDH_SEED_IDS.contosoBusinessPremiumMonthly);
    fake.faults.add({ kind: 'response-lost', path: '/UpdateSubscription', times: 1 });
    await expect(update(token, sub, 'Quantity', '21')).rejects.toThrow();
    expect(fake.quantityOf(sub.AccountId)).toBe(21);
    expect(fake.appliedWrites).toHaveLength(1);
    expect(fake.faults.fired).toEqual([{ kind: 'response-lost', method: 'POST', path: '/UpdateSubscription' }]);
  });
});

describe('D&H fake: rate limit', () => {
  it('answers 429 with Retry-After once over the limit', async () => {
    fake = makeFake({ rateLimit: { limit: 3, windowMs: 60_000, retryAfter: true } });
    const token = await login();
    expect((await call('PingPong', {}, token)).status).toBe(200);
    expect((await call('PingPong', {}, token)).status).toBe(200);
    const limited = await call('PingPong', {}, token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    t += 60_000;
    expect((await call('PingPong', {}, token)).status).toBe(200);
    expect(fake.rateWindow?.rejected).toBe(1);
  });
});
