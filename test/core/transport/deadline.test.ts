/**
 * One overall deadline per call, over token acquisition, attempts and backoff (issue 14: a failing token
 * endpoint once cost 16 token requests and 32 s for one call with timeoutMs 2000). Token retries no longer nest
 * inside call retries: a failed token request (after its own retries) ends the call.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeadlineExceededError, ServerError, createMarketplaceClient } from '../../../src/index.js';
import type { ClientLimits } from '../../../src/index.js';
import { type LookAlike, json, lookAlike, unique } from './look-alike.js';

let api: LookAlike;

beforeAll(async () => {
  api = await lookAlike();
});
afterAll(() => api.close());
afterEach(() => {
  api.seen.length = 0;
});

function pax8(timeoutMs: number, limits?: ClientLimits) {
  return createMarketplaceClient({
    provider: 'pax8',
    credentials: { clientId: 'pax8-id', clientSecret: `pax8-secret-${unique()}` },
    baseUrl: `${api.origin}/v1`,
    rateLimit: false,
    retry: { retries: 4, baseDelayMs: 1, maxDelayMs: 2 },
    timeoutMs,
    limits,
  });
}

const tokenRequests = () => api.seen.filter((s) => s.path === '/v1/token').length;
const apiRequests = () => api.seen.filter((s) => s.path !== '/v1/token').length;

describe('token failures do not multiply with call retries', () => {
  it('a token endpoint answering 503: one round of token retries (5 requests), then the call fails', async () => {
    api.handler = (_q, res) => json(res, 503, { message: 'down' });
    const error = await pax8(2_000)
      .getCustomer('c-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(tokenRequests()).toBe(5);
    expect(apiRequests()).toBe(0);
  });
});

describe('the overall deadline', () => {
  it('a token endpoint that never answers: the call ends at its deadline, token requests bounded', async () => {
    api.handler = () => {
      // never answers
    };
    const started = performance.now();
    const error = await pax8(100, { deadlineMs: 450 })
      .getCustomer('c-1')
      .catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error).toMatchObject({ kind: 'timeout', code: 'DEADLINE_EXCEEDED', deadlineMs: 450, retryable: false });
    // 100 ms attempts inside a 450 ms deadline: at most 5 token requests, no API request.
    expect(tokenRequests()).toBeGreaterThanOrEqual(1);
    expect(tokenRequests()).toBeLessThanOrEqual(5);
    expect(apiRequests()).toBe(0);
    // Nested retries took 5 x 5 attempts; bounded now by the deadline (loose bound for a loaded machine).
    expect(elapsed).toBeLessThan(2_500);
  });

  it('a retry whose wait would end past the deadline is not started: the last error is thrown at once', async () => {
    api.handler = (q, res) => {
      if (q.path === '/v1/token') return json(res, 200, { access_token: 'tok-dl', expires_in: 3600 });
      return json(res, 503, { message: 'busy' }, { 'retry-after': '30' });
    };
    const error = await pax8(2_000, { deadlineMs: 1_000 })
      .getCustomer('c-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(apiRequests()).toBe(1);
  });
});
