/**
 * Issue 18: Partner Center `listUsage` (`GET /customers/{id}/subscriptions/usagerecords`, Microsoft Learn "Get
 * subscription usage records for a customer": `SubscriptionMonthlyUsageRecord`, current billing period) against a
 * node:http look-alike written here from that page. Odd but legal: the record's id/name under the REST page's
 * `id`/`name` for one customer and the .NET SDK's `resourceId`/`resourceName` for another, a record without an id,
 * one customer the partner may not read (403), two pages with `links.next` and a continuation token.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryTokenCache } from '../../../src/core/auth/token-provider.js';
import { ValidationError } from '../../../src/core/errors.js';
import type { WarningEvent } from '../../../src/core/events.js';
import { createPartnerCenterClient } from '../../../src/providers/partner-center/index.js';
import { send, useLookAlike } from '../../helpers/lookalike.js';

const TENANT = '11111111-2222-4333-8444-555555555555';
const A = '3f2a8c1e-6b4d-4e7a-9c10-5d2e8f4a1b01';
const B = '4a3b9d2f-7c5e-4f8b-8d21-6e3f9a5b2c02';
const LOCKED = '5b4cae30-8d6f-4a9c-9e32-7f4a0b6c3d03';
const PLAN_A = 'aa11bb22-cc33-4d44-8e55-ff6677889900';
const PLAN_B = 'bb22cc33-dd44-4e55-9f66-007788990011';
const SECRET = 'app-secret-value-123';

const collection = (items: unknown[], next?: string) => ({
  totalCount: items.length,
  items,
  links: next ? { next: { uri: next, method: 'GET', headers: [{ key: 'MS-ContinuationToken', value: 'ct-2' }] } } : {},
  attributes: { objectType: 'Collection' },
});

const server = useLookAlike((req, res) => {
  if (req.path === `/${TENANT}/oauth2/token`) {
    return send(res, 200, { token_type: 'Bearer', expires_in: '3599', access_token: 'pc-usage-token' });
  }
  if (req.headers.authorization !== 'Bearer pc-usage-token') return send(res, 401, { code: 401, description: 'No' });
  if (req.path === '/v1/customers') {
    return send(
      res,
      200,
      collection(
        [{ id: A }, { id: LOCKED }, { id: B }].map((c) => ({
          ...c,
          companyProfile: { tenantId: c.id, companyName: c.id },
        })),
      ),
    );
  }
  const m = /^\/v1\/customers\/([^/]+)\/subscriptions\/usagerecords$/.exec(req.path);
  if (!m || req.method !== 'GET') return send(res, 404, { code: 1000, description: 'Not found' });
  if (m[1] === LOCKED) return send(res, 403, { code: 900403, description: 'Access denied for this customer' });
  if (m[1] === A) {
    if (req.headers['ms-continuationtoken'] === 'ct-2') {
      // An odd record that echoes the credentials it was called with (the secret travels in the token request).
      return send(
        res,
        200,
        collection([{ name: 'Nameless', totalCost: 'n/a', currencyCode: 'EUR', note: `echo ${SECRET}` }]),
      );
    }
    return send(
      res,
      200,
      collection(
        [
          {
            id: PLAN_A,
            name: 'Azure plan',
            offerId: 'DZH318Z0BPS6',
            totalCost: 412.5,
            currencyCode: 'EUR',
            status: 'active',
          },
        ],
        `/customers/${A}/subscriptions/usagerecords?seekOperation=Next`,
      ),
    );
  }
  return send(
    res,
    200,
    collection([{ resourceId: PLAN_B, resourceName: 'Azure plan', totalCost: 12, currencyLocale: 'en-US' }]),
  );
});

function client() {
  const c = createPartnerCenterClient({
    credentials: { tenantId: TENANT, clientId: 'app-id', clientSecret: SECRET },
    baseUrl: `${server.current.url}/v1`,
    tokenUrl: `${server.current.url}/${TENANT}/oauth2/token`,
    tokenCache: new MemoryTokenCache(),
    rateLimit: false,
    retry: { retries: 0 },
  });
  const warnings: WarningEvent[] = [];
  c.on('warning', (w) => warnings.push(w));
  return { c, warnings };
}

beforeEach(() => {
  server.current.seen.length = 0;
});

describe('Partner Center listUsage against a look-alike', () => {
  it("reads every customer's records across pages, skips a customer it may not read, flags an odd record", async () => {
    const { c, warnings } = client();
    expect(c.capabilities.usage).toBe(true);
    const usage = await c.listUsage().toArray({ limit: 100 });
    expect(usage.map((u) => [u.customerId, u.subscriptionId])).toEqual([
      [A, PLAN_A],
      [A, null],
      [B, PLAN_B],
    ]);
    expect(usage[0]).toMatchObject({
      provider: 'partner-center',
      productId: 'DZH318Z0BPS6',
      description: 'Azure plan',
      cost: { amount: 412.5, currency: 'EUR' },
      periodStart: null,
    });
    expect(usage[0]).not.toHaveProperty('problems');
    // A currency locale is not a currency: unknown, never assumed.
    expect(usage[2]!.cost).toEqual({ amount: 12, currency: null });
    expect(usage[1]!.problems?.map((p) => p.field).sort()).toEqual(['resourceId', 'totalCost']);
    // A flagged record's raw is handed over scrubbed: the echoed secret is not in it.
    expect(JSON.stringify(usage[1]!.raw)).not.toContain(SECRET);
    expect(JSON.stringify(usage[1]!.raw)).toContain('[REDACTED]');
    expect(warnings.map((w) => w.code).sort()).toEqual(['customer-skipped', 'odd-record']);
  });

  it('reads one customer, filters by subscription, and refuses a date range before any request', async () => {
    const { c } = client();
    const one = await c.listUsage({ customerId: B, subscriptionId: PLAN_B.toUpperCase() }).toArray({ limit: 10 });
    expect(one.map((u) => u.subscriptionId)).toEqual([PLAN_B]);
    const before = server.current.seen.length;
    expect(() => c.listUsage({ customerId: A, from: '2026-11-01' })).toThrow(ValidationError);
    expect(() => c.listUsage({ customerId: 'not-a-tenant' })).toThrow(ValidationError);
    expect(server.current.seen.length).toBe(before);
  });
});
