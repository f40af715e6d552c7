/**
 * Issue #17 against an Ingram Micro look-alike (plain node:http): `products: []` and a negative quantity used to
 * end the whole listing. Now the page is delivered whole, the odd ones flagged on `quantity` (with `raw`), one
 * warning each, and a seat change on them is refused before any order is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError, type WarningEvent, createIngramClient } from '../../src/index.js';
import { type Vendor, reply, startVendor } from './server.js';

const CUSTOMER = 'C-7001';
const period = { type: 'month', duration: 1 };
const row = (id: string | undefined) => ({
  ...(id === undefined ? {} : { id }),
  customerId: CUSTOMER,
  name: `Subscription ${id ?? '?'}`,
  status: 'active',
  subscriptionPeriod: period,
  billingPeriod: period,
});
const detail = (id: string, products: unknown[]) => ({
  ...row(id),
  renewalStatus: true,
  renewalDate: '2026-07-01T00:00:00Z',
  creationDate: '2026-01-01T00:00:00Z',
  products,
});
const line = (quantity: unknown) => ({ mpn: 'MS-BP-MONTHLY', vendor: 'Microsoft', name: 'Business Premium', quantity });
const details: Record<string, unknown> = {
  'S-1': detail('S-1', [line(12)]),
  'S-EMPTY': detail('S-EMPTY', []),
  'S-NEG': detail('S-NEG', [line(-3)]),
  'S-2': detail('S-2', [line('4')]),
};
let vendor: Vendor;

beforeAll(async () => {
  vendor = await startVendor((req, res) => {
    if (req.method === 'POST' && req.path === '/token')
      return reply(res, 200, { token: 'tol', expiresInSeconds: 1500 });
    if (req.headers.authorization !== 'Bearer tol') return reply(res, 401, { message: 'Unauthorized' });
    if (req.method === 'GET' && req.path === '/subscriptions') {
      const data = ['S-1', 'S-EMPTY', 'S-NEG', undefined, 'S-2'].map(row);
      return reply(res, 200, { data, pagination: { offset: 0, limit: 100, total: data.length } });
    }
    const m = /^\/subscriptions\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && m && details[m[1]!]) return reply(res, 200, details[m[1]!]);
    // Orders (seat changes) would land here: counted by the tests.
    return reply(res, 404, { message: 'Not found' });
  });
});
afterAll(() => vendor.close());

function client() {
  const c = createIngramClient({
    credentials: { username: 'tol.API', password: `pw-${Math.random()}`, subscriptionKey: 'key-tol' },
    marketplace: 'us',
    baseUrl: vendor.url,
    rateLimit: false,
    retry: { retries: 0 },
  });
  const warnings: WarningEvent[] = [];
  c.on('warning', (w) => warnings.push(w));
  return { c, warnings };
}

describe('Ingram: products: [], a negative quantity and a row without id in one listing', () => {
  it('delivers the page whole; the odd ones flagged on quantity / id with raw; one warning each', async () => {
    const { c, warnings } = client();
    const items = await c.listSubscriptions({ customerId: CUSTOMER }).toArray({ limit: 10 });
    expect(items.map((s) => s.id)).toEqual(['S-1', 'S-EMPTY', 'S-NEG', '', 'S-2']);
    expect(items[0]).toMatchObject({ quantity: 12 });
    expect(items[0]).not.toHaveProperty('problems');
    expect(items[4]).toMatchObject({ quantity: 4 });
    expect(items[4]).not.toHaveProperty('problems');
    expect(items[1]!.problems).toEqual([{ field: 'quantity', message: expect.stringMatching(/products is empty/) }]);
    expect(items[1]!.raw).toEqual(details['S-EMPTY']);
    expect(items[2]!.problems).toEqual([{ field: 'quantity', message: expect.stringMatching(/negative/) }]);
    // The row without an id cannot be read in detail: returned as the row shows it, flagged on id and quantity.
    expect(items[3]!.problems?.map((p) => p.field)).toEqual(['quantity', 'id']);
    expect(items[3]).toMatchObject({ customerId: CUSTOMER, name: 'Subscription ?' });
    const unreadable = warnings.filter((w) => w.code === 'record-unreadable');
    expect(unreadable.map((w) => w.message.match(/subscription (\S+)/)?.[1])).toEqual(['S-EMPTY', 'S-NEG', '(without']);
    expect(unreadable.every((w) => w.provider === 'ingram' && /listSubscriptions/.test(w.message))).toBe(true);
    expect(unreadable.some((w) => /-3/.test(w.message))).toBe(false);
  });

  it('refuses a seat change on them with 0 write requests', async () => {
    const { c } = client();
    const before = vendor.writes().length;
    for (const id of ['S-EMPTY', 'S-NEG']) {
      const ref = { customerId: CUSTOMER, subscriptionId: id };
      for (const change of [() => c.setSeats(ref, 5), () => c.addSeats(ref, 1), () => c.removeSeats(ref, 1)]) {
        const error = await change().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect(error).toMatchObject({ code: 'RECORD_UNREADABLE', provider: 'ingram' });
      }
    }
    expect(vendor.writes().length - before).toBe(0);
  });

  it("a flagged customer's empty id cannot list everybody's subscriptions", async () => {
    const { c } = client();
    const before = vendor.seen.length;
    expect(() => c.listSubscriptions({ customerId: ' ' })).toThrow(ValidationError);
    expect(vendor.seen.length).toBe(before);
  });
});
