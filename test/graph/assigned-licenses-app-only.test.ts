/**
 * Issue 17: with application permissions Graph does not support `GET /users/{id}/licenseDetails` (Microsoft Learn,
 * user-list-licensedetails permissions: "Application: Not supported"). This node:http look-alike refuses it the way
 * Graph refuses an unsupported permission (403) and serves `GET /users/{id}?$select=...assignedLicenses`; the
 * license read and the recovery read after an assignLicense whose answer is lost must use the latter.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryTokenCache, defaultTokenCache } from '../../src/core/auth/token-provider.js';
import { PermissionError } from '../../src/core/errors.js';
import { createGraphClient } from '../../src/graph/index.js';
import { GRAPH_SEED_IDS, createGraphFake } from '../../src/testing/graph/index.js';

const TENANT = '3f2a8c1e-6b4d-4e7a-9c10-5d2e8f4a1b01';
const USER = '0a1b2c3d-0000-4000-8000-000000000001';
const SKU = 'CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46'; // upper case on the wire: the SDK compares lower case
let licenses: { skuId: string; disabledPlans: string[] }[] = [];
let loseNextAssignAnswer = false;
const seen: string[] = [];
let server: Server;
let base = '';

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push(`${req.method} ${url.pathname}${url.search}`);
      if (url.pathname.endsWith('/oauth2/v2.0/token')) {
        return json(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: 'app-only-token' });
      }
      if (url.pathname === `/v1.0/users/${USER}/licenseDetails`) {
        return json(res, 403, {
          error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' },
        });
      }
      if (url.pathname === `/v1.0/users/${USER}` && req.method === 'GET') {
        const select = (url.searchParams.get('$select') ?? '').split(',');
        const user: Record<string, unknown> = { id: USER, userPrincipalName: 'adele@contoso.example' };
        if (select.includes('assignedLicenses')) user.assignedLicenses = licenses;
        return json(res, 200, user);
      }
      if (url.pathname === `/v1.0/users/${USER}/assignLicense` && req.method === 'POST') {
        const change = JSON.parse(body) as { addLicenses: { skuId: string }[]; removeLicenses: string[] };
        licenses = [
          ...licenses.filter((l) => !change.removeLicenses.includes(l.skuId.toLowerCase())),
          ...change.addLicenses.map((a) => ({ skuId: a.skuId.toUpperCase(), disabledPlans: [] })),
        ];
        if (loseNextAssignAnswer) {
          loseNextAssignAnswer = false;
          return res.socket?.destroy(); // applied, answer lost
        }
        return json(res, 200, { id: USER, assignedLicenses: licenses });
      }
      json(res, 404, { error: { code: 'Request_ResourceNotFound', message: 'not found' } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
  licenses = [];
  defaultTokenCache.clear();
});

const graph = () =>
  createGraphClient({
    credentials: { tenantId: TENANT, clientId: 'app', clientSecret: 'graph-secret-do-not-leak' },
    baseUrl: `${base}/v1.0`,
    authorityUrl: base,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });

it('reads assigned licenses app-only through $select=assignedLicenses, never licenseDetails', async () => {
  licenses = [{ skuId: SKU, disabledPlans: [] }];
  const held = await graph().getAssignedLicenses(USER);
  expect(held).toEqual([{ skuId: SKU.toLowerCase(), disabledPlans: [] }]);
  expect(seen.some((s) => s.includes('licenseDetails'))).toBe(false);
  expect(seen.find((s) => s.startsWith('GET /v1.0/users/'))).toMatch(/(\$|%24)select=id(%2C|,)assignedLicenses/);
});

it('settles an assignLicense whose answer was lost by reading assignedLicenses (applied, sent once)', async () => {
  loseNextAssignAnswer = true;
  const user = await graph().assignLicense(USER, { add: [SKU.toLowerCase()] });
  expect(user.id).toBe(USER);
  expect(seen.filter((s) => s.endsWith('/assignLicense'))).toHaveLength(1);
  expect(seen.some((s) => s.includes('licenseDetails'))).toBe(false);
  expect(licenses.map((l) => l.skuId)).toEqual([SKU]);
});

describe('the Graph fake, like Graph with an app-only token', () => {
  const msw = setupServer();
  beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => msw.close());

  it('refuses licenseDetails (403) and serves $select=assignedLicenses; onboarding reads use the latter', async () => {
    const fake = createGraphFake();
    msw.resetHandlers(...fake.handlers);
    const g = createGraphClient({
      credentials: fake.credentials,
      rateLimit: false,
      tokenCache: new MemoryTokenCache(),
    });
    const { users, skus } = GRAPH_SEED_IDS;
    await expect(g.listLicenseDetails(users.unlicensedWithUsageLocation)).rejects.toBeInstanceOf(PermissionError);
    await g.assignLicense(users.unlicensedWithUsageLocation, { add: [skus.businessPremium] });
    expect((await g.getAssignedLicenses(users.unlicensedWithUsageLocation)).map((l) => l.skuId)).toEqual([
      skus.businessPremium,
    ]);
  });
});
