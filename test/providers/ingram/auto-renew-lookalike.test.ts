/**
 * Issue 18: Ingram Micro `setAutoRenew` against a node:http look-alike written here from Ingram's spec (`POST
 * /token`, `GET`/`PATCH /subscriptions/{id}` with `renewalStatus`, `SubscriptionDetailed` answers). Ingram has no
 * idempotency key: a PATCH whose answer is lost is never resent; it is settled by reading.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryTokenCache } from '../../../src/core/auth/token-provider.js';
import { WriteOutcomeUnknownError } from '../../../src/core/errors.js';
import type { AuditEvent } from '../../../src/core/events.js';
import { createIngramClient } from '../../../src/providers/ingram/index.js';
import { type SeenRequest, loseAnswer, send, useLookAlike } from '../../helpers/lookalike.js';

const SUB = '2005001';
const vendor = { renewal: true, lose: 'after-apply' as 'after-apply' | 'before-apply' | 'no' };
const look = useLookAlike((req: SeenRequest, res) => {
  if (req.path === '/token') return send(res, 200, { token: 'ingram-token', expiresInSeconds: 1500 });
  if (req.path !== `/subscriptions/${SUB}`) return send(res, 404, { status: 404, message: 'Not found' });
  const sub = {
    id: SUB,
    customerId: '1002001',
    name: 'M365',
    status: 'active',
    renewalStatus: vendor.renewal,
    products: [{ mpn: 'X', quantity: 5 }],
  };
  if (req.method === 'GET') return send(res, 200, sub);
  const wanted = (req.json as { renewalStatus?: unknown }).renewalStatus;
  if (typeof wanted !== 'boolean') return send(res, 400, { status: 400, message: 'Bad Request' });
  if (vendor.lose === 'before-apply') return loseAnswer(res);
  vendor.renewal = wanted;
  if (vendor.lose === 'after-apply') return loseAnswer(res);
  return send(res, 200, { ...sub, renewalStatus: wanted });
});

describe('Ingram setAutoRenew against a look-alike', () => {
  const ref = { customerId: '1002001', subscriptionId: SUB };
  const lookClient = () =>
    createIngramClient({
      credentials: { username: 'me.API', password: 'pw-secret-123', subscriptionKey: 'key-secret-456' },
      marketplace: 'us',
      baseUrl: look.current.url,
      tokenCache: new MemoryTokenCache(),
      rateLimit: false,
      retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
  beforeEach(() => {
    vendor.renewal = true;
    look.current.seen.length = 0;
  });

  it('an answer lost after the change was applied: applied (read back), the PATCH sent once', async () => {
    vendor.lose = 'after-apply';
    const c = lookClient();
    const audits: AuditEvent[] = [];
    c.on('audit', (a) => audits.push(a));
    const result = await c.setAutoRenew(ref, false);
    expect(result).toMatchObject({ outcome: 'applied', after: false });
    expect(look.current.seen.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expect(audits.map((a) => a.outcome)).toEqual(['applied']);
  });

  it('an answer lost before anything changed: WriteOutcomeUnknownError, the PATCH sent once', async () => {
    vendor.lose = 'before-apply';
    const error = await lookClient()
      .setAutoRenew(ref, false)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteOutcomeUnknownError);
    expect(look.current.seen.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('dry run: nothing sent but reads', async () => {
    vendor.lose = 'no';
    const dry = await lookClient().setAutoRenew(ref, false, { dryRun: true });
    expect(dry.outcome).toBe('dry-run');
    expect(look.current.seen.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });
});
