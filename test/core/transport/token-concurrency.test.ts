/**
 * Token single-flight under cancellation and expiry (issue 21), against a token look-alike written here:
 * - 1,000 concurrent cold calls, one aborting during the shared token fetch: 999 succeed, 1 AbortError, 1 token
 *   request (the shared fetch runs without any caller's signal);
 * - the token revoked mid-burst: the token is read inside the limiter slot, so the requests that go out with the
 *   dead token (401) are at most the limiter's concurrency.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMarketplaceClient } from '../../../src/index.js';
import { type LookAlike, json, lookAlike, unique } from './look-alike.js';

const CONCURRENCY = 10;
let api: LookAlike;

beforeAll(async () => {
  api = await lookAlike();
});
afterAll(() => api.close());
afterEach(() => {
  api.seen.length = 0;
});

function pax8() {
  return createMarketplaceClient({
    provider: 'pax8',
    credentials: { clientId: 'pax8-id', clientSecret: `pax8-secret-${unique()}` },
    baseUrl: `${api.origin}/v1`,
    // High rate, bounded concurrency: the burst is limited by slots, not by spacing.
    rateLimit: { requests: 1_000_000, perMs: 1_000, maxConcurrent: CONCURRENCY },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    timeoutMs: 10_000,
  });
}

const tokenRequests = () => api.seen.filter((s) => s.path === '/v1/token').length;

describe('token single-flight', () => {
  it('1,000 cold calls, one aborting during the token fetch: 999 succeed, 1 AbortError, 1 token request', async () => {
    const controller = new AbortController();
    api.handler = (q, res) => {
      if (q.path === '/v1/token') {
        // The first caller gives up while the shared token request is in flight.
        controller.abort();
        setTimeout(() => json(res, 200, { access_token: 'tok-shared', expires_in: 3600 }), 20);
        return;
      }
      return json(res, 200, { id: q.path.split('/').pop(), name: 'n' });
    };
    const client = pax8();
    const calls = [client.getCustomer('c-0', { signal: controller.signal })];
    for (let i = 1; i < 1000; i++) calls.push(client.getCustomer(`c-${i}`));
    const results = await Promise.allSettled(calls);
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect(results[0]!.status).toBe('rejected');
    expect(((results[0] as PromiseRejectedResult).reason as Error).name).toBe('AbortError');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(999);
    expect(tokenRequests()).toBe(1);
  });

  it('the token revoked mid-burst: requests sent with the dead token are at most the concurrency', async () => {
    let issued = 0;
    let apiCalls = 0;
    let revoked = '';
    let wasted = 0;
    api.handler = (q, res) => {
      if (q.path === '/v1/token') {
        issued += 1;
        return json(res, 200, { access_token: `tok-${issued}`, expires_in: 3600 });
      }
      apiCalls += 1;
      // The vendor revokes the first token after 300 API calls (a password reset, an admin action).
      if (apiCalls === 300) revoked = 'Bearer tok-1';
      if (q.headers.authorization === revoked) {
        wasted += 1;
        return json(res, 401, { message: 'token revoked' });
      }
      return json(res, 200, { id: q.path.split('/').pop(), name: 'n' });
    };
    const client = pax8();
    const results = await Promise.allSettled(Array.from({ length: 1000 }, (_, i) => client.getCustomer(`c-${i}`)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1000);
    expect(wasted).toBeGreaterThan(0);
    expect(wasted).toBeLessThanOrEqual(CONCURRENCY);
    expect(issued).toBe(2);
  });
});
