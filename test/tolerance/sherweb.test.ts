/**
 * Issue #17 against a Sherweb look-alike (plain node:http), a per-customer vendor: one odd subscription among
 * good ones is delivered flagged with its customer's page; a customer without an id is returned flagged and its
 * (unaskable) subscriptions are not requested; a seat change on the odd one sends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError, type WarningEvent, createSherwebClient } from '../../src/index.js';
import { type Vendor, reply, startVendor } from './server.js';

const CUSTOMER = '4f4daf6c-6e1b-4c91-8d73-4a3b9c8e5d04';
const GOOD = '5a5eb07d-7f2c-4da2-9e84-5b4cad9f6e05';
const ODD = '6b6fc18e-8a3d-4eb3-8f95-6c5dbea07f06';
const sub = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  productName: 'Microsoft 365 Business Premium',
  sku: 'MS-BP-MONTHLY',
  quantity: 8,
  billingCycle: 'Monthly',
  purchaseDate: '2026-01-01T00:00:00Z',
  ...extra,
});
const odd = sub(ODD, { quantity: -2, purchaseDate: 'last spring' });
let vendor: Vendor;

beforeAll(async () => {
  vendor = await startVendor((req, res) => {
    if (req.method === 'POST' && req.path === '/token') {
      return reply(res, 200, { access_token: 'sw-tol', token_type: 'Bearer', expires_in: 3600 });
    }
    if (req.headers.authorization !== 'Bearer sw-tol') return reply(res, 401, { title: 'Unauthorized', status: 401 });
    if (req.method === 'GET' && req.path === '/customers') {
      return reply(res, 200, { items: [{ id: CUSTOMER, displayName: 'Contoso' }, { displayName: 'No id Inc' }] });
    }
    if (req.method === 'GET' && req.path === '/billing/subscriptions') {
      if (req.query.get('customerId')?.toLowerCase() !== CUSTOMER) return reply(res, 404, { title: 'Not found' });
      return reply(res, 200, { items: [sub(GOOD), odd] });
    }
    // Amendments (seat changes) would land here: counted by the tests.
    return reply(res, 500, { title: 'unexpected' });
  });
});
afterAll(() => vendor.close());

function client() {
  const c = createSherwebClient({
    credentials: { clientId: 'sw-id', clientSecret: 'sw-secret-value', subscriptionKey: 'sw-key-value' },
    baseUrl: vendor.url,
    tokenUrl: `${vendor.url}/token`,
    rateLimit: false,
    retry: { retries: 0 },
  });
  const warnings: WarningEvent[] = [];
  c.on('warning', (w) => warnings.push(w));
  return { c, warnings };
}

describe('Sherweb: one odd subscription, one customer without id', () => {
  it('delivers every page; the odd subscription and the id-less customer flagged; nothing asked for the latter', async () => {
    const { c, warnings } = client();
    const items = await c.listSubscriptions().toArray({ limit: 10 });
    expect(items.map((s) => s.id)).toEqual([GOOD, ODD]);
    expect(items[0]).not.toHaveProperty('problems');
    expect(items[1]!.problems).toEqual([
      { field: 'quantity', message: 'quantity is not a seat count (negative)' },
      { field: 'startDate', message: 'purchaseDate is not a date' },
    ]);
    expect(items[1]!.raw).toEqual(odd);
    // One subscription listing: the customer without an id is not asked for (there is nothing to ask with).
    expect(vendor.seen.filter((r) => r.path === '/billing/subscriptions').length).toBeGreaterThanOrEqual(1);
    expect(vendor.seen.some((r) => r.path === '/billing/subscriptions' && !r.query.get('customerId'))).toBe(false);
    const messages = warnings.filter((w) => w.code === 'record-unreadable').map((w) => w.message);
    expect(messages).toEqual([
      expect.stringMatching(/listSubscriptions: customer \(without id\) could not be fully read \(id\)/),
      expect.stringMatching(new RegExp(`listSubscriptions: subscription ${ODD} .*\\(quantity, startDate\\)`)),
    ]);
    const customers = await c.listCustomers().toArray({ limit: 10 });
    expect(customers[1]).toMatchObject({ id: '', name: 'No id Inc', problems: [{ field: 'id' }] });
  });

  it('refuses a seat change on the odd subscription with 0 write requests', async () => {
    const { c } = client();
    const before = vendor.writes().length;
    const ref = { customerId: CUSTOMER, subscriptionId: ODD };
    for (const change of [() => c.setSeats(ref, 5), () => c.addSeats(ref, 1), () => c.removeSeats(ref, 1)]) {
      const error = await change().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'RECORD_UNREADABLE', provider: 'sherweb' });
    }
    expect(vendor.writes().length - before).toBe(0);
  });
});
