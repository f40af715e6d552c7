/**
 * Issue #17, per-item tolerance against a Pax8 look-alike (plain node:http): one odd record among good ones is
 * delivered with its page, flagged with the fields the SDK could not read and reported once as a warning; a
 * seat change on it is refused before any request; drift and selection never read it as deleted or as 0 seats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  Marketplaces,
  ValidationError,
  listLicenseSubscriptions,
  offboardUser,
  onboardUser,
  parseMarketplaceIds,
  type WarningEvent,
  createPax8Client,
  createSnapshot,
  diffSnapshots,
  selectSubscription,
  DEFAULT_ADD_POLICY,
  NoEligibleSubscriptionError,
} from '../../src/index.js';
import { type Vendor, reply, startVendor } from './server.js';

const CUSTOMER = '0b6f2c1e-7a51-4c2e-9d3a-6f1e2d3c4b5a';
const GOOD_1 = '1c1a7c39-3b8e-4f6e-9a40-1d0e6f5b2a01';
const ODD = '2d2b8d4a-4c9f-4a7f-8b51-2e1f7a6c3b02';
const GOOD_2 = '3e3c9e5b-5d0a-4b80-9c62-3f2a8b7d4c03';

const sub = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  companyId: CUSTOMER,
  productName: 'Microsoft 365 Business Premium',
  vendorSkuId: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46',
  quantity: 10,
  status: 'Active',
  billingTerm: 'Monthly',
  startDate: '2026-01-10T00:00:00Z',
  commitmentTerm: null,
  ...extra,
});

// The odd one: a seat count that is not a count, a start date that is not a date, a commitment term nobody knows.
const odd = sub(ODD, {
  quantity: 'many',
  startDate: 'yesterday',
  commitmentTerm: { id: 'k', term: 'Fortnightly', endDate: '2027-01-01T00:00:00Z' },
});
let subscriptions: unknown[] = [];
let vendor: Vendor;

beforeAll(async () => {
  vendor = await startVendor((req, res) => {
    if (req.method === 'POST' && req.path === '/token') {
      return reply(res, 200, { access_token: 'tol-token', token_type: 'Bearer', expires_in: 3600 });
    }
    if (req.headers.authorization !== 'Bearer tol-token') return reply(res, 401, { message: 'Unauthorized' });
    const page = (content: unknown[]) =>
      reply(res, 200, { content, page: { size: 200, totalElements: content.length, totalPages: 1, number: 0 } });
    if (req.method === 'GET' && req.path === '/subscriptions') return page(subscriptions);
    if (req.method === 'GET' && req.path === '/companies') {
      // A company without an id: it cannot be addressed, and is still returned (flagged).
      return page([
        { id: CUSTOMER, name: 'Contoso', status: 'Active' },
        { name: 'Nameless Ltd', status: 'Active' },
      ]);
    }
    const m = /^\/subscriptions\/([^/]+)$/.exec(req.path);
    const found = m && (subscriptions as { id: string }[]).find((s) => s.id === m[1]);
    if (!found) return reply(res, 404, { message: 'Not found' });
    if (req.method === 'GET') return reply(res, 200, found);
    // Any write would land here: the tests count them.
    (found as unknown as { quantity: unknown }).quantity = JSON.parse(req.body || '{}').quantity;
    return reply(res, 200, found);
  });
});
afterAll(() => vendor.close());

function client() {
  const c = createPax8Client({
    credentials: { clientId: 'tol-id', clientSecret: 'tol-secret-value' },
    baseUrl: vendor.url,
    rateLimit: false,
    retry: { retries: 0 },
  });
  const warnings: WarningEvent[] = [];
  c.on('warning', (w) => warnings.push(w));
  return { c, warnings };
}

describe('Pax8: one odd subscription among good ones', () => {
  it('delivers the page whole, the odd one flagged with the right fields and raw, one warning naming it', async () => {
    subscriptions = [sub(GOOD_1), odd, sub(GOOD_2, { quantity: '7' })];
    const { c, warnings } = client();
    const items = await c.listSubscriptions({ customerId: CUSTOMER }).toArray({ limit: 10 });
    expect(items.map((s) => s.id)).toEqual([GOOD_1, ODD, GOOD_2]);
    expect(items[0]).not.toHaveProperty('problems');
    expect(items[2]).toMatchObject({ quantity: 7 });
    expect(items[2]).not.toHaveProperty('problems');
    const flagged = items[1]!;
    expect(flagged.problems?.map((p) => p.field).sort()).toEqual(['commitment', 'quantity', 'startDate']);
    expect(flagged.raw).toEqual(odd);
    expect(flagged).toMatchObject({ quantity: 0, startDate: null, status: 'active' });
    const unreadable = warnings.filter((w) => w.code === 'record-unreadable');
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]!.message).toContain(ODD);
    expect(unreadable[0]!.message).toMatch(/listSubscriptions/);
    expect(unreadable[0]!.message).toMatch(/quantity/);
    // No vendor value and no payload in the warning (the record's raw has them).
    expect(unreadable[0]!.message).not.toMatch(/many|yesterday|Fortnightly/);
  });

  it('a company without an id is returned flagged, not dropped and not failing the page', async () => {
    const { c, warnings } = client();
    const customers = await c.listCustomers().toArray({ limit: 10 });
    expect(customers).toHaveLength(2);
    expect(customers[1]).toMatchObject({ id: '', name: 'Nameless Ltd', problems: [{ field: 'id' }] });
    expect(warnings.filter((w) => w.code === 'record-unreadable')[0]!.message).toMatch(/without id/);
  });

  it('refuses setSeats, addSeats and removeSeats on it before any write request', async () => {
    subscriptions = [sub(GOOD_1), odd];
    const { c } = client();
    const ref = { customerId: CUSTOMER, subscriptionId: ODD };
    const before = vendor.writes().length;
    for (const change of [() => c.setSeats(ref, 12), () => c.addSeats(ref, 1), () => c.removeSeats(ref, 1)]) {
      const error = await change().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'RECORD_UNREADABLE', provider: 'pax8' });
      expect((error as ValidationError).hint).toMatch(/could not be read/);
    }
    expect(vendor.writes().length - before).toBe(0);
    // A readable subscription of the same listing still changes (the refusal is per record).
    await c.setSeats({ customerId: CUSTOMER, subscriptionId: GOOD_1 }, 11);
    expect(vendor.writes().length - before).toBe(1);
  });

  it('drift does not call it deleted nor count a seat change; selection never picks it', async () => {
    const { c } = client();
    subscriptions = [sub(GOOD_1), sub(ODD, { quantity: 40 })];
    const lastWeek = await createSnapshot(c.listSubscriptions({ customerId: CUSTOMER }), { takenAt: '2026-03-01' });
    subscriptions = [sub(GOOD_1), odd];
    const listed = await c.listSubscriptions({ customerId: CUSTOMER }).toArray({ limit: 10 });
    const now = await createSnapshot(listed, { takenAt: '2026-03-08' });
    const diff = diffSnapshots(lastWeek, now);
    expect(diff.removed).toEqual([]);
    expect(diff.seatChanges).toEqual([]);
    expect(diff.unreadable.map((e) => [e.subscriptionId, e.unreadable])).toEqual([
      [ODD, expect.arrayContaining(['quantity'])],
    ]);
    // Only the odd one exists: nothing qualifies, and the error says why.
    const error = (() => {
      try {
        return selectSubscription([listed[1]!], DEFAULT_ADD_POLICY);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NoEligibleSubscriptionError);
    expect((error as Error).message).toMatch(/could not be read \(.*quantity/);
    expect(selectSubscription(listed, DEFAULT_ADD_POLICY).subscription.id).toBe(GOOD_1);
  });

  it("a flagged customer's empty id cannot list everybody's subscriptions", () => {
    const { c } = client();
    const before = vendor.seen.length;
    expect(() => c.listSubscriptions({ customerId: '' })).toThrow(ValidationError);
    expect(vendor.seen.length).toBe(before);
  });
});

describe('Onboarding and offboarding never act on what could not be read', () => {
  const SKU = 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46';
  const pool = (extra: Record<string, unknown> = {}) => ({
    id: `t_${SKU}`,
    skuId: SKU,
    skuPartNumber: 'SPB',
    capabilityStatus: 'Enabled',
    appliesTo: 'User',
    consumed: 20,
    enabled: 20,
    suspended: 0,
    warning: 0,
    lockedOut: 0,
    freeSeats: 0,
    servicePlans: [],
    subscriptionIds: [],
    raw: {},
    ...extra,
  });
  const graphStub = (sku: ReturnType<typeof pool>, hasLicense: boolean) => {
    const assigned: unknown[] = [];
    const graph = {
      getAssignedLicenses: async () => (hasLicense ? [{ skuId: SKU, disabledPlans: [] }] : []),
      getSubscribedSku: async () => sku,
      assignLicense: async (_user: string, change: unknown) => {
        assigned.push(change);
        return {};
      },
    };
    return { graph: graph as unknown as Parameters<typeof onboardUser>[0]['graph'], assigned };
  };
  const input = (graph: Parameters<typeof onboardUser>[0]['graph']) => ({
    marketplaces: new Marketplaces([client().c]),
    graph,
    company: { marketplaceIds: parseMarketplaceIds(`PAX8:${CUSTOMER}`) },
    license: 'Microsoft 365 Business Premium',
    userId: 'user-1',
    skuId: SKU,
  });

  it('onboarding refuses to buy a seat while a subscription of the license could not be read', async () => {
    subscriptions = [sub(GOOD_1), odd];
    const { graph, assigned } = graphStub(pool(), false);
    const before = vendor.writes().length;
    const listed = await listLicenseSubscriptions(
      input(graph).marketplaces,
      input(graph).company,
      'Microsoft 365 Business Premium',
    );
    expect(listed.unreadable.map((s) => s.id)).toEqual([ODD]);
    const error = await onboardUser(input(graph)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'RECORD_UNREADABLE' });
    expect((error as Error).message).toContain(ODD);
    expect(vendor.writes().length - before).toBe(0);
    expect(assigned).toEqual([]);
  });

  it('onboarding refuses on Graph counts it could not read; offboarding keeps the seat', async () => {
    subscriptions = [sub(GOOD_1)];
    const flaggedPool = pool({ problems: [{ field: 'freeSeats', message: 'placeholders' }] });
    const before = vendor.writes().length;
    const on = graphStub(flaggedPool, false);
    await expect(onboardUser(input(on.graph))).rejects.toMatchObject({ code: 'RECORD_UNREADABLE' });
    const off = graphStub({ ...flaggedPool, freeSeats: 1 }, true);
    const r = await offboardUser(input(off.graph));
    expect(r.seat).toMatchObject({ released: false, reason: expect.stringMatching(/could not be fully read/) });
    expect(vendor.writes().length - before).toBe(0);
  });
});
