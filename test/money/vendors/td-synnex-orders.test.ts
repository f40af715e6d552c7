/**
 * TD SYNNEX StreamOne Ion look-alike (node:http, from the Ion v3 docs: CREATE orders, rotating refresh token,
 * 403 for a stale access token) that places the order and then answers 429, 401 or 403. Ion orders carry no
 * idempotency key: the order must be sent once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/events.js';
import { createTdSynnexClient } from '../../../src/providers/td-synnex/index.js';
import { type LookAlike, send, startLookAlike } from './lookalike.js';

const run = randomUUID();
const state = { rotations: 0, orderPosts: 0 };
let orderAnswer: '429' | '401' | '403' = '429';
let vendor: LookAlike;

beforeAll(async () => {
  vendor = await startLookAlike((req, res) => {
    if (req.method === 'POST' && req.path === '/oauth/token') {
      state.rotations += 1;
      return send(res, 200, {
        access_token: `at-${run}-${state.rotations}`,
        refresh_token: `rt-${run}-${state.rotations}`,
        expires_in: 3600,
      });
    }
    if (req.method === 'GET' && req.path === '/api/v3/accounts/10001/products') {
      return send(res, 200, {
        products: [
          {
            name: 'accounts/10001/products/P1',
            definition: {
              skus: [
                {
                  id: 'S1',
                  displayName: 'M365 BP',
                  plans: [{ id: 'PLAN-M', displayName: 'Monthly P1M', billingPeriod: 'MONTHLY' }],
                },
              ],
            },
          },
        ],
      });
    }
    if (req.method === 'POST' && req.path === '/api/v3/accounts/10001/customers/501/orders') {
      state.orderPosts += 1; // placed, whatever the answer says
      if (orderAnswer === '429') return send(res, 429, { code: 'RESOURCE_EXHAUSTED' }, { 'retry-after': '0' });
      if (orderAnswer === '401') return send(res, 401, { code: 'UNAUTHENTICATED' });
      return send(res, 403, { code: 'PERMISSION_DENIED', message: 'token expired' });
    }
    return send(res, 404, { message: `no route ${req.method} ${req.path}` });
  });
});
afterAll(() => vendor.close());
afterEach(() => {
  state.orderPosts = 0;
});

describe('TD SYNNEX: a CREATE order is sent once', () => {
  for (const answer of ['429', '401', '403'] as const) {
    it(`answered ${answer} after placing -> one order, WriteOutcomeUnknownError, audit unknown`, async () => {
      orderAnswer = answer;
      const c = createTdSynnexClient({
        credentials: { refreshToken: `rt-${run}-0` },
        accountId: '10001',
        baseUrl: vendor.url,
        rateLimit: false,
        retry: { baseDelayMs: 1, maxDelayMs: 2 },
      });
      const audits: AuditEvent[] = [];
      c.on('audit', (e) => audits.push(e));
      const error = await c
        .purchase({ customerId: '501', productId: 'P1/S1/PLAN-M', quantity: 2, billingTerm: 'monthly' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'write-outcome-unknown', operation: 'purchase', status: Number(answer) });
      expect(state.orderPosts).toBe(1);
      expect(audits.map((a) => a.outcome)).toEqual(['unknown']);
    });
  }
});
