/**
 * Partner Center with `redis`: the newest app+user refresh token (Entra may rotate it on each use) is shared
 * through Redis, so a second process starting from the original token refreshes with the newest one. The
 * look-alike (node:http, Entra v1 token endpoint + Partner Center customers) records every refresh token it
 * is shown. Needs REDIS_URL (a real redis-server; `.ci/run` starts one).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedisConnections } from '../../../src/core/redis.js';
import { createPartnerCenterClient } from '../../../src/providers/partner-center/index.js';
import { type LookAlike, send, startLookAlike } from './lookalike.js';

const REDIS_URL = process.env.REDIS_URL;
const CUSTOMER = '7e1c2d3f-0000-4000-8000-00000000c001';
const run = randomUUID();
const entra = { presented: [] as string[], issued: 0, revoked: new Set<string>() };
let vendor: LookAlike;

beforeAll(async () => {
  vendor = await startLookAlike((req, res) => {
    if (req.method === 'POST' && req.path === '/token') {
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') === 'refresh_token') entra.presented.push(form.get('refresh_token') ?? '');
      entra.issued += 1;
      return send(res, 200, {
        token_type: 'Bearer',
        expires_in: '3599',
        access_token: `at-${run}-${entra.issued}`,
        refresh_token: `rt-${run}-${entra.issued}`,
      });
    }
    if (req.method === 'GET' && req.path === `/v1/customers/${CUSTOMER}`) {
      const access = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (entra.revoked.has(access)) return send(res, 401, { code: 401, description: 'token expired' });
      return send(res, 200, { id: CUSTOMER, companyProfile: { tenantId: CUSTOMER, companyName: 'Contoso' } });
    }
    return send(res, 404, { description: `no route ${req.method} ${req.path}` });
  });
});
afterAll(async () => {
  await closeRedisConnections();
  await vendor?.close();
});

describe.skipIf(!REDIS_URL)('Partner Center: redis shares the rotated refresh token', () => {
  it('a second client starting from the original token refreshes with the newest one', async () => {
    const make = () =>
      createPartnerCenterClient({
        credentials: {
          tenantId: '7e1c2d3f-0000-4000-8000-0000000000aa',
          clientId: `app-${run}`,
          clientSecret: 'secret-money-test',
          refreshToken: `rt-${run}-0`,
        },
        baseUrl: `${vendor.url}/v1`,
        tokenUrl: `${vendor.url}/token`,
        appUserFor: 'all',
        redis: REDIS_URL,
        rateLimit: false,
      });
    await make().getCustomer(CUSTOMER);
    expect(entra.presented).toEqual([`rt-${run}-0`]);
    // The access token ends early (a second process finds it in the shared cache and is refused with 401).
    entra.revoked.add(`at-${run}-1`);
    await make().getCustomer(CUSTOMER);
    // The second client was built with rt-0 but refreshed with the newest token, saved in Redis by the first.
    expect(entra.presented).toEqual([`rt-${run}-0`, `rt-${run}-1`]);
  });
});
