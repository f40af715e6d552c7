/**
 * Issue 18: Partner Center `setAutoRenew` (PATCH the subscription with `autoRenewEnabled`, Microsoft docs
 * "update-autorenew-for-an-azure-marketplace-subscription") against a node:http look-alike written here from
 * Microsoft's docs: the Entra v1 token endpoint, GET/PATCH of one new-commerce subscription, `MS-RequestId` echoed.
 * Odd-but-legal answers: the answer lost after the change was applied, an echo in PascalCase, a 202 with no body
 * whose change shows only on a later read.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryTokenCache } from '../../../src/core/auth/token-provider.js';
import { WriteOutcomeUnknownError } from '../../../src/core/errors.js';
import type { AuditEvent } from '../../../src/core/events.js';
import { createPartnerCenterClient } from '../../../src/providers/partner-center/index.js';
import { type SeenRequest, loseAnswer, send, useLookAlike } from '../../helpers/lookalike.js';

const TENANT = '11111111-2222-4333-8444-555555555555';
const CUSTOMER = '3f2a8c1e-6b4d-4e7a-9c10-5d2e8f4a1b01';
const SUB = '9d8e7f60-1a2b-4c3d-8e4f-5a6b7c8d9e01';

type Mode = 'echo' | 'lost-after-apply' | 'lost-not-applied' | 'pascal-echo' | 'accepted-later';
const vendor = {
  autoRenew: true,
  mode: 'echo' as Mode,
  readsUntilApplied: 0,
  pending: undefined as boolean | undefined,
};

function subscription() {
  return {
    id: SUB,
    offerId: 'CFQ7TTC0LCHC:0002:CFQ7TTC0LQ5B',
    offerName: 'Microsoft 365 Business Premium',
    friendlyName: 'Microsoft 365 Business Premium',
    productType: { id: 'OnlineServicesNCE', displayName: 'OnlineServicesNCE' },
    quantity: 10,
    unitType: 'Licenses',
    creationDate: '2026-01-01T00:00:00Z',
    effectiveStartDate: '2026-01-01T00:00:00Z',
    commitmentEndDate: '2026-12-31T00:00:00Z',
    status: 'active',
    autoRenewEnabled: vendor.autoRenew,
    billingType: 'license',
    billingCycle: 'monthly',
    termDuration: 'P1Y',
    isTrial: false,
    attributes: { etag: 'etag-1', objectType: 'Subscription' },
  };
}

const server = useLookAlike((req: SeenRequest, res) => {
  const requestId = String(req.headers['ms-requestid'] ?? 'none');
  if (req.path === `/${TENANT}/oauth2/token`) {
    return send(res, 200, { token_type: 'Bearer', expires_in: '3599', access_token: 'pc-app-token' });
  }
  if (req.path !== `/v1/customers/${CUSTOMER}/subscriptions/${SUB}`)
    return send(res, 404, { code: 1000, description: 'Not found' });
  if (req.method === 'GET') {
    if (vendor.pending !== undefined) {
      vendor.readsUntilApplied -= 1;
      if (vendor.readsUntilApplied <= 0) {
        vendor.autoRenew = vendor.pending;
        vendor.pending = undefined;
      }
    }
    return send(res, 200, subscription(), { 'MS-RequestId': requestId });
  }
  if (req.method !== 'PATCH') return send(res, 405, { code: 405, description: 'Method not allowed' });
  const wanted = (req.json as { autoRenewEnabled?: unknown } | undefined)?.autoRenewEnabled;
  if (typeof wanted !== 'boolean') return send(res, 400, { code: 800002, description: 'Invalid subscription' });
  switch (vendor.mode) {
    case 'lost-after-apply':
      vendor.autoRenew = wanted;
      return loseAnswer(res);
    case 'lost-not-applied':
      return loseAnswer(res);
    case 'pascal-echo':
      vendor.autoRenew = wanted;
      return send(res, 200, { Id: SUB, AutoRenewEnabled: wanted, Status: 'Active' }, { 'MS-RequestId': requestId });
    case 'accepted-later':
      vendor.pending = wanted;
      vendor.readsUntilApplied = 2;
      return send(res, 202, undefined, {
        'MS-RequestId': requestId,
        Location: `/v1/customers/${CUSTOMER}/subscriptions/${SUB}`,
      });
    default:
      vendor.autoRenew = wanted;
      return send(res, 200, subscription(), { 'MS-RequestId': requestId });
  }
});

function client(readOnly = false) {
  return createPartnerCenterClient({
    credentials: { tenantId: TENANT, clientId: 'app-id', clientSecret: 'app-secret-value-123' },
    baseUrl: `${server.current.url}/v1`,
    tokenUrl: `${server.current.url}/${TENANT}/oauth2/token`,
    tokenCache: new MemoryTokenCache(),
    rateLimit: false,
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 },
    readOnly,
  });
}

const ref = { customerId: CUSTOMER, subscriptionId: SUB };
const patches = () => server.current.seen.filter((r) => r.method === 'PATCH');

beforeEach(() => {
  vendor.autoRenew = true;
  vendor.mode = 'echo';
  vendor.pending = undefined;
  server.current.seen.length = 0;
});

describe('Partner Center setAutoRenew against a look-alike', () => {
  it('an answer lost after the change was applied is settled by reading: applied, not failed, one MS-RequestId', async () => {
    vendor.mode = 'lost-after-apply';
    const c = client();
    const audits: AuditEvent[] = [];
    c.on('audit', (a) => audits.push(a));
    const result = await c.setAutoRenew(ref, false);
    expect(result).toMatchObject({ before: true, requested: false, after: false, outcome: 'applied' });
    expect(vendor.autoRenew).toBe(false);
    // The transport may resend a lost PATCH only under the same MS-RequestId (Partner Center replays it).
    expect(new Set(patches().map((p) => p.headers['ms-requestid'])).size).toBe(1);
    expect(audits.map((a) => a.outcome)).toEqual(['applied']);
  });

  it('an answer lost with nothing applied is WriteOutcomeUnknownError (never "failed", never a new request id)', async () => {
    vendor.mode = 'lost-not-applied';
    const c = client();
    const audits: AuditEvent[] = [];
    c.on('audit', (a) => audits.push(a));
    const error = await c.setAutoRenew(ref, false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteOutcomeUnknownError);
    expect(error).toMatchObject({ before: true, expected: false, observed: true });
    expect(new Set(patches().map((p) => p.headers['ms-requestid'])).size).toBe(1);
    expect(audits.map((a) => a.outcome)).toEqual(['unknown']);
  });

  it('an echo the SDK cannot read (PascalCase) is verified by reading the subscription', async () => {
    vendor.mode = 'pascal-echo';
    const result = await client().setAutoRenew(ref, false);
    expect(result).toMatchObject({ after: false, outcome: 'applied' });
    expect(patches()).toHaveLength(1);
    expect(server.current.seen.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(2);
  });

  it('a 202 whose change shows only on a later read is applied once a read shows it', async () => {
    vendor.mode = 'accepted-later';
    const result = await client().setAutoRenew(ref, false);
    expect(result).toMatchObject({ after: false, outcome: 'applied' });
    expect(patches()).toHaveLength(1);
  });

  it('a dry run sends no PATCH; a read-only client sends nothing at all', async () => {
    const dry = await client().setAutoRenew(ref, false, { dryRun: true });
    expect(dry.outcome).toBe('dry-run');
    expect(patches()).toHaveLength(0);
    expect(vendor.autoRenew).toBe(true);
    server.current.seen.length = 0;
    await expect(client(true).setAutoRenew(ref, false)).rejects.toThrow(/read-only/);
    expect(server.current.seen).toHaveLength(0);
  });
});
