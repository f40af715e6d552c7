import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  GRAPH_SEED_IDS,
  type GraphFake,
  type GraphFakeOptions,
  createGraphFake,
} from '../../src/testing/graph/index.js';
import { PARTNER_CENTER_SEED_IDS, createPartnerCenterFake } from '../../src/testing/partner-center/index.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const START = Date.parse('2025-06-02T09:00:00Z');
const { skus, users } = GRAPH_SEED_IDS;

type Json = Record<string, unknown>;
const json = async (res: Response) => (await res.json()) as Json;

interface Harness {
  fake: GraphFake;
  clock: { t: number };
  token(form?: Record<string, string>, tenant?: string): Promise<Response>;
  api(path: string, init?: { method?: string; body?: unknown }): Promise<Response>;
  get(url: string): Promise<Response>;
}

function setup(options: GraphFakeOptions = {}): Harness {
  const clock = { t: START };
  const fake = createGraphFake({ now: () => new Date(clock.t), ...options });
  server.use(...fake.handlers);
  const token = (form: Record<string, string> = {}, tenant = fake.credentials.tenantId) =>
    fetch(`${fake.authorityUrl}/${tenant}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: fake.credentials.clientId,
        client_secret: fake.credentials.clientSecret,
        scope: 'https://graph.microsoft.com/.default',
        ...form,
      }),
    });
  let cached: string | undefined;
  const bearer = async () => {
    if (!cached) cached = String((await json(await token())).access_token);
    return cached;
  };
  const get = async (url: string) => fetch(url, { headers: { Authorization: `Bearer ${await bearer()}` } });
  const api = async (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${fake.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        Authorization: `Bearer ${await bearer()}`,
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  return { fake, clock, token, api, get };
}

const assign = (h: Harness, user: string, add: string[], remove: string[] = []) =>
  h.api(`/users/${user}/assignLicense`, {
    method: 'POST',
    body: { addLicenses: add.map((skuId) => ({ skuId, disabledPlans: [] })), removeLicenses: remove },
  });

describe('Graph fake: Entra v2.0 token endpoint', () => {
  it('issues tokens for the .default scope with numeric expires_in', async () => {
    const h = setup();
    const res = await h.token();
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    expect(h.fake.issuedTokens).toBe(1);
  });

  it('refuses bad scope, secret and tenant the Entra way', async () => {
    const h = setup();
    const scope = await h.token({ scope: 'User.Read.All' });
    expect(scope.status).toBe(400);
    expect(await json(scope)).toMatchObject({ error: 'invalid_scope', error_codes: [1002012] });
    const secret = await h.token({ client_secret: 'x' });
    expect(secret.status).toBe(401);
    expect((await json(secret)).error).toBe('invalid_client');
    const tenant = await h.token({}, 'unknown-tenant');
    expect((await json(tenant)).error_codes).toEqual([90002]);
  });

  it('runs next to the Partner Center fake in one msw server', async () => {
    const h = setup();
    const pc = createPartnerCenterFake({ now: () => new Date(START) });
    server.use(...pc.handlers);
    const pcToken = await fetch(pc.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: pc.credentials.clientId,
        client_secret: pc.credentials.clientSecret,
        resource: 'https://api.partnercenter.microsoft.com',
      }),
    });
    expect(pcToken.status).toBe(200);
    expect((await h.token()).status).toBe(200);
    expect(pc.issuedTokens).toBe(1);
    expect(h.fake.issuedTokens).toBe(1);
    expect(GRAPH_SEED_IDS.contosoTenant).toBe(PARTNER_CENTER_SEED_IDS.contoso);
  });
});

describe('Graph fake: auth', () => {
  it('answers 401 InvalidAuthenticationToken without a token and after expiry', async () => {
    const h = setup();
    const none = await fetch(`${h.fake.baseUrl}/subscribedSkus`);
    expect(none.status).toBe(401);
    expect(((await json(none)).error as Json).code).toBe('InvalidAuthenticationToken');
    expect((await h.api('/subscribedSkus')).status).toBe(200);
    h.clock.t += 3600 * 1000;
    const expired = await h.api('/subscribedSkus');
    expect(expired.status).toBe(401);
    expect(((await json(expired)).error as Json).message).toMatch(/expired/);
  });

  it('refuses a token issued for another resource', async () => {
    const h = setup();
    const other = await json(await h.token({ scope: 'https://api.partnercenter.microsoft.com/.default' }));
    const res = await fetch(`${h.fake.baseUrl}/users`, {
      headers: { Authorization: `Bearer ${String(other.access_token)}` },
    });
    expect(res.status).toBe(401);
  });
});

describe('Graph fake: subscribedSkus and users', () => {
  it('lists Contoso licence pools with Business Premium at 100 enabled / 98 consumed', async () => {
    const h = setup();
    const body = await json(await h.api('/subscribedSkus'));
    const spb = (body.value as Json[]).find((s) => s.skuId === skus.businessPremium) as Json;
    expect(spb).toMatchObject({
      skuPartNumber: 'SPB',
      appliesTo: 'User',
      capabilityStatus: 'Enabled',
      consumedUnits: 98,
      prepaidUnits: { enabled: 100, suspended: 0, warning: 0, lockedOut: 0 },
      subscriptionIds: [
        PARTNER_CENTER_SEED_IDS.subscriptions.contosoBusinessPremiumAnnual,
        PARTNER_CENTER_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly,
      ],
    });
    expect((spb.servicePlans as Json[])[0]).toHaveProperty('servicePlanId');
  });

  it('pages users with @odata.nextLink (default 100, $top, $select kept on later pages)', async () => {
    const h = setup();
    const first = await json(await h.api('/users'));
    expect((first.value as Json[]).length).toBe(100);
    expect((first.value as Json[])[0]).not.toHaveProperty('usageLocation');
    const second = await json(await h.get(String(first['@odata.nextLink'])));
    expect((second.value as Json[]).length).toBe(13);
    expect(second).not.toHaveProperty('@odata.nextLink');

    let url: string | undefined = `${h.fake.baseUrl}/users?$top=50&$select=id,usageLocation,assignedLicenses`;
    const all: Json[] = [];
    while (url) {
      const page = await json(await h.get(url));
      all.push(...(page.value as Json[]));
      url = page['@odata.nextLink'] as string | undefined;
    }
    expect(all).toHaveLength(113);
    expect(Object.keys(all[0] ?? {})).toEqual(['id', 'usageLocation', 'assignedLicenses']);
    expect(all.filter((u) => u.usageLocation === null)).toHaveLength(3);
    expect((await h.api('/users?$top=1000')).status).toBe(400);
  });

  it('gets a user by id or UPN, 404 Request_ResourceNotFound otherwise', async () => {
    const h = setup();
    const byUpn = await json(await h.api('/users/adele.vance@contoso.onmicrosoft.com?$select=id,usageLocation'));
    expect(byUpn).toMatchObject({ id: users.licensed, usageLocation: 'US' });
    const missing = await h.api('/users/nobody@contoso.onmicrosoft.com');
    expect(missing.status).toBe(404);
    expect(((await json(missing)).error as Json).code).toBe('Request_ResourceNotFound');
  });
});

describe('Graph fake: assignLicense', () => {
  it('assigns while seats are free, then fails with no available licenses until enabled units grow', async () => {
    const h = setup();
    const first = await assign(h, users.unlicensedWithUsageLocation, [skus.businessPremium]);
    expect(first.status).toBe(200);
    expect((await json(first)).id).toBe(users.unlicensedWithUsageLocation);
    expect(h.fake.sku(skus.businessPremium).consumedUnits).toBe(99);
    const userList = await json(await h.api('/users?$select=id,usageLocation,assignedLicenses&$top=999'));
    const others = (userList.value as Json[]).filter(
      (u) => u.usageLocation && (u.assignedLicenses as unknown[]).length === 0,
    );
    expect(others).toHaveLength(2);
    expect((await assign(h, String(others[0]?.id), [skus.businessPremium])).status).toBe(200);
    expect(h.fake.freeUnits(skus.businessPremium)).toBe(0);

    const full = await assign(h, String(others[1]?.id), [skus.businessPremium]);
    expect(full.status).toBe(400);
    const err = (await json(full)).error as Json;
    expect(err.code).toBe('Request_BadRequest');
    expect(err.message).toBe(`Subscription with SKU ${skus.businessPremium} does not have any available licenses.`);
    expect(err.innerError).toHaveProperty('request-id');

    h.fake.setEnabledUnits(skus.businessPremium, 101);
    expect((await assign(h, String(others[1]?.id), [skus.businessPremium])).status).toBe(200);
    expect(h.fake.sku(skus.businessPremium).consumedUnits).toBe(101);
    expect(h.fake.appliedWrites).toHaveLength(3);
  });

  it('shows the licence in licenseDetails with disabled plans', async () => {
    const h = setup({ licenseDetails: 'served' }); // as with a delegated token (app-only: 403 by default)
    const res = await h.api(`/users/${users.unlicensedWithUsageLocation}/assignLicense`, {
      method: 'POST',
      body: {
        addLicenses: [{ skuId: skus.businessPremium, disabledPlans: [GRAPH_SEED_IDS.servicePlans.teams] }],
        removeLicenses: [],
      },
    });
    expect(res.status).toBe(200);
    const details = await json(await h.api(`/users/${users.unlicensedWithUsageLocation}/licenseDetails`));
    const entry = (details.value as Json[])[0] as Json;
    expect(entry).toMatchObject({ skuId: skus.businessPremium, skuPartNumber: 'SPB' });
    const teams = (entry.servicePlans as Json[]).find((p) => p.servicePlanName === 'TEAMS1');
    expect(teams?.provisioningStatus).toBe('Disabled');
  });

  it('requires both arrays', async () => {
    const h = setup();
    const res = await h.api(`/users/${users.unlicensedWithUsageLocation}/assignLicense`, {
      method: 'POST',
      body: { addLicenses: [{ skuId: skus.businessPremium, disabledPlans: [] }] },
    });
    expect(res.status).toBe(400);
    expect(((await json(res)).error as Json).message).toBe(
      "Invalid value specified for property 'removeLicenses' of resource 'User'.",
    );
    expect(h.fake.sku(skus.businessPremium).consumedUnits).toBe(98);
  });

  it('refuses a user without usageLocation until it is set', async () => {
    const h = setup();
    const res = await assign(h, users.withoutUsageLocation, [skus.businessPremium]);
    expect(res.status).toBe(400);
    expect(((await json(res)).error as Json).message).toBe(
      'License assignment cannot be done for user with invalid usage location.',
    );
    const patch = await h.api(`/users/${users.withoutUsageLocation}`, {
      method: 'PATCH',
      body: { usageLocation: 'US' },
    });
    expect(patch.status).toBe(204);
    expect((await assign(h, users.withoutUsageLocation, [skus.businessPremium])).status).toBe(200);
  });

  it('refuses SKUs the tenant does not own, removals of unassigned licences, and frees a seat on removal', async () => {
    const h = setup();
    const notOwned = await assign(h, users.unlicensedWithUsageLocation, [skus.businessBasicNotOwned]);
    expect(((await json(notOwned)).error as Json).message).toMatch(/does not correspond to a valid company License/);
    const notAssigned = await assign(h, users.unlicensedWithUsageLocation, [], [skus.businessPremium]);
    expect(notAssigned.status).toBe(400);
    expect((await assign(h, users.licensed, [], [skus.businessPremium])).status).toBe(200);
    expect(h.fake.sku(skus.businessPremium).consumedUnits).toBe(97);
    expect((await assign(h, 'nobody@contoso.onmicrosoft.com', [skus.businessPremium])).status).toBe(404);
  });

  it('lets seats appear later with scheduleEnabledUnits()', async () => {
    const h = setup();
    h.fake.scheduleEnabledUnits(skus.entraIdP1, 6, 60_000);
    expect((await assign(h, users.unlicensedWithUsageLocation, [skus.entraIdP1])).status).toBe(400);
    h.clock.t += 60_000;
    expect((await assign(h, users.unlicensedWithUsageLocation, [skus.entraIdP1])).status).toBe(200);
    h.fake.scheduleEnabledUnits(skus.entraIdP1, 7, 3_600_000);
    expect(h.fake.completeAll()).toBe(1);
    expect(h.fake.sku(skus.entraIdP1).prepaidUnits.enabled).toBe(7);
  });

  it('response-lost: the assignment is applied though the client sees a network error', async () => {
    const h = setup();
    h.fake.faults.add({ kind: 'response-lost', method: 'POST', path: /assignLicense$/, times: 1 });
    await expect(assign(h, users.unlicensedWithUsageLocation, [skus.businessPremium])).rejects.toThrow();
    expect(h.fake.sku(skus.businessPremium).consumedUnits).toBe(99);
    const again = await assign(h, users.unlicensedWithUsageLocation, [skus.businessPremium]);
    expect(again.status).toBe(200);
    expect(h.fake.sku(skus.businessPremium).consumedUnits).toBe(99);
  });
});

describe('Graph fake: throttling', () => {
  it('answers 429 TooManyRequests with Retry-After', async () => {
    const h = setup({ rateLimit: { limit: 1, windowMs: 10_000 } });
    expect((await h.api('/subscribedSkus')).status).toBe(200);
    const res = await h.api('/subscribedSkus');
    expect(res.status).toBe(429);
    expect(res.headers.get('Retry-After')).toBe('10');
    expect(((await json(res)).error as Json).code).toBe('TooManyRequests');
    expect(h.fake.rateLimited).toBe(1);
  });
});
