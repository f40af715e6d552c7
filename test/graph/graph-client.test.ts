import { inspect } from 'node:util';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryTokenCache } from '../../src/core/auth/token-provider.js';
import { AuthenticationError, NotFoundError, ReadOnlyError, ValidationError } from '../../src/core/errors.js';
import {
  type GraphClient,
  type GraphClientOptions,
  NoFreeSeatsError,
  UsageLocationMissingError,
  createGraphClient,
} from '../../src/graph/index.js';
import { GRAPH_SEED_IDS, type GraphFake, createGraphFake } from '../../src/testing/graph/index.js';

const server = setupServer();
const { skus, users } = GRAPH_SEED_IDS;
let fake: GraphFake;
let graph: GraphClient;

function client(over: Partial<GraphClientOptions> = {}): GraphClient {
  return createGraphClient({
    credentials: fake.credentials,
    rateLimit: false,
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
    tokenCache: new MemoryTokenCache(),
    ...over,
  });
}

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  fake = createGraphFake();
  server.resetHandlers(...fake.handlers);
  graph = client();
});

describe('GraphClient', () => {
  it('gets an app-only token for the tenant with the .default scope, once', async () => {
    await graph.listSubscribedSkus();
    await graph.listSubscribedSkus();
    const tokenCalls = fake.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token'));
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0]?.path).toBe(`/${GRAPH_SEED_IDS.contosoTenant}/oauth2/v2.0/token`);
    expect(tokenCalls[0]?.body).toMatchObject({
      grant_type: 'client_credentials',
      scope: 'https://graph.microsoft.com/.default',
      client_id: fake.credentials.clientId,
    });
  });

  it('lists subscribed SKUs with free seats = enabled - consumed', async () => {
    const list = await graph.listSubscribedSkus();
    const bp = list.find((s) => s.skuId === skus.businessPremium);
    expect(bp).toMatchObject({ skuPartNumber: 'SPB', enabled: 100, consumed: 98, freeSeats: 2 });
    expect((await graph.getSubscribedSku('spb')).skuId).toBe(skus.businessPremium);
    const err = await graph.getSubscribedSku(skus.businessBasicNotOwned).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).hint).toMatch(/SPB/);
  });

  it('assigns a license, always sending both arrays', async () => {
    const user = await graph.assignLicense(users.unlicensedWithUsageLocation, { add: [skus.businessPremium] });
    expect(user.id).toBe(users.unlicensedWithUsageLocation);
    const call = fake.requests.find((r) => r.path.endsWith('/assignLicense'));
    expect(call?.body).toEqual({
      addLicenses: [{ skuId: skus.businessPremium, disabledPlans: [] }],
      removeLicenses: [],
    });
    const held = await graph.getAssignedLicenses(users.unlicensedWithUsageLocation);
    expect(held.map((d) => d.skuId)).toEqual([skus.businessPremium]);
    await graph.assignLicense(users.unlicensedWithUsageLocation, { remove: [skus.businessPremium] });
    const removal = fake.requests.filter((r) => r.path.endsWith('/assignLicense'))[1];
    expect(removal?.body).toEqual({ addLicenses: [], removeLicenses: [skus.businessPremium] });
    expect(fake.freeUnits(skus.businessPremium)).toBe(2);
  });

  it('types the usageLocation and no-free-seat refusals, with hints', async () => {
    const noLocation = await graph
      .assignLicense(users.withoutUsageLocation, { add: [skus.businessPremium] })
      .catch((e: unknown) => e);
    expect(noLocation).toBeInstanceOf(UsageLocationMissingError);
    expect((noLocation as UsageLocationMissingError).hint).toMatch(/usageLocation/);
    expect((noLocation as UsageLocationMissingError).kind).toBe('business-rule');
    const noSeat = await graph
      .assignLicense(users.unlicensedWithUsageLocation, { add: [skus.entraIdP1] })
      .catch((e: unknown) => e);
    expect(noSeat).toBeInstanceOf(NoFreeSeatsError);
    expect((noSeat as NoFreeSeatsError).status).toBe(400);
    expect((noSeat as NoFreeSeatsError).requestId).toEqual(expect.any(String));
  });

  it('validates input before any request, and honours readOnly', async () => {
    await expect(graph.assignLicense(users.licensed, { add: ['not-a-guid'] })).rejects.toThrow(ValidationError);
    await expect(graph.assignLicense(users.licensed, {})).rejects.toThrow(/Nothing to change/);
    await expect(graph.assignLicense('', { add: [skus.businessPremium] })).rejects.toThrow(ValidationError);
    expect(() => graph.listUsers({ pageSize: 1000 })).toThrow(ValidationError);
    const ro = client({ readOnly: true });
    await expect(ro.assignLicense(users.licensed, { remove: [skus.businessPremium] })).rejects.toThrow(ReadOnlyError);
    expect(fake.requests).toHaveLength(0);
  });

  it('pages users by @odata.nextLink, lazily', async () => {
    const pages = [];
    for await (const page of graph
      .listUsers({ pageSize: 50, select: ['id', 'usageLocation', 'assignedLicenses'] })
      .byPage()) {
      pages.push(page.items.length);
    }
    expect(pages).toEqual([50, 50, 13]);
    const followUps = fake.requests.filter((r) => r.path === '/users' && r.query.includes('skiptoken'));
    expect(followUps).toHaveLength(2);
    const first = await graph.listUsers().toArray({ limit: 3 });
    expect(first).toHaveLength(3);
    const u = await graph.getUser(users.withoutUsageLocation);
    expect(u.usageLocation).toBeNull();
    expect(u.assignedLicenses).toEqual([]);
  });

  it('fetches a new token once when the cached one is refused (401)', async () => {
    await graph.listSubscribedSkus();
    fake.expireAllTokens();
    await graph.listSubscribedSkus();
    expect(fake.issuedTokens).toBe(2);
  });

  it('waits Retry-After on 429 and retries reads', async () => {
    fake.faults.add({ kind: 'http-429', path: '/subscribedSkus', times: 1, retryAfterSeconds: 1 });
    const retries: number[] = [];
    graph.on('retry', (e) => retries.push(e.delayMs));
    const list = await graph.listSubscribedSkus();
    expect(list.length).toBeGreaterThan(0);
    expect(retries).toEqual([1000]);
  });

  it('settles an assignment whose answer was lost by re-reading the licenses', async () => {
    fake.faults.add({ kind: 'response-lost', method: 'POST', path: /assignLicense$/, times: 1 });
    const audits: string[] = [];
    graph.on('audit', (e) => audits.push(e.outcome));
    const user = await graph.assignLicense(users.unlicensedWithUsageLocation, { add: [skus.businessPremium] });
    expect(user.assignedLicenses?.map((l) => l.skuId)).toEqual([skus.businessPremium]);
    expect(fake.appliedWrites.filter((w) => w.path.endsWith('/assignLicense'))).toHaveLength(1);
    expect(audits).toEqual(['applied']);
  });

  it('retries once an assignment that failed before being applied', async () => {
    fake.faults.add({ kind: 'http-503', method: 'POST', path: /assignLicense$/, times: 1 });
    await graph.assignLicense(users.unlicensedWithUsageLocation, { add: [skus.businessPremium] });
    expect(fake.appliedWrites.filter((w) => w.path.endsWith('/assignLicense'))).toHaveLength(1);
  });

  it('maps a wrong secret to an AuthenticationError with a hint, and never shows the secret', async () => {
    const bad = client({ credentials: { ...fake.credentials, clientSecret: 'wrong-secret-value' } });
    const err = await bad.listSubscribedSkus().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).hint).toMatch(/client secret/);
    expect(JSON.stringify(err)).not.toContain('wrong-secret-value');
    expect(inspect(bad)).not.toContain('wrong-secret-value');
    expect(JSON.stringify(bad)).not.toContain('wrong-secret-value');
  });

  it('refuses bad options before any request', () => {
    expect(() => createGraphClient({ credentials: { tenantId: 't', clientId: '', clientSecret: 's' } })).toThrow(
      /clientId/,
    );
    expect(() => client({ baseUrl: 'http://graph.example.com' })).toThrow(/https/);
  });
});
