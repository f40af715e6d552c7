/**
 * The fleet-wide token single-flight (RedisTokenCache.fetchOnce) under cancellation (issue 21): the caller that
 * started the fetch aborts while the token request is in flight; the fetch goes on, every other caller gets the
 * token, and one token request is made. Needs REDIS_URL (a real redis-server); skipped without it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeRedisConnections, createMarketplaceClient } from '../../../src/index.js';
import { type LookAlike, json, lookAlike, unique } from './look-alike.js';

const REDIS_URL = process.env.REDIS_URL;
let api: LookAlike;

beforeAll(async () => {
  api = await lookAlike();
});
afterAll(async () => {
  await api.close();
  await closeRedisConnections();
});
afterEach(() => {
  api.seen.length = 0;
});

describe.skipIf(!REDIS_URL)('token single-flight through Redis', () => {
  it('200 cold calls sharing a Redis token cache, the first aborting mid-fetch: 199 succeed, 1 token request', async () => {
    const controller = new AbortController();
    api.handler = (q, res) => {
      if (q.path === '/v1/token') {
        controller.abort();
        setTimeout(() => json(res, 200, { access_token: `tok-redis-${unique()}`, expires_in: 3600 }), 30);
        return;
      }
      return json(res, 200, { id: q.path.split('/').pop(), name: 'n' });
    };
    const client = createMarketplaceClient({
      provider: 'pax8',
      credentials: { clientId: 'pax8-id', clientSecret: `pax8-secret-${unique()}` },
      baseUrl: `${api.origin}/v1`,
      redis: REDIS_URL!,
      rateLimit: false,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    const calls = [client.getCustomer('c-0', { signal: controller.signal })];
    for (let i = 1; i < 200; i++) calls.push(client.getCustomer(`c-${i}`));
    const results = await Promise.allSettled(calls);
    expect(results[0]!.status).toBe('rejected');
    expect(((results[0] as PromiseRejectedResult).reason as Error).name).toBe('AbortError');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(199);
    expect(api.seen.filter((s) => s.path === '/v1/token')).toHaveLength(1);
  });
});
