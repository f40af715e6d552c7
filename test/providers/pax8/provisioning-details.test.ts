/**
 * Issue 17: a Pax8 purchase can carry the product's provisioning details (`CreateLineItem.provisioningDetails`,
 * `[{ key, values }]`), checked against `GET /products/{id}/provision-details` before the order. Against a node:http
 * look-alike written from pax8.json (its Office 365 E3 provision-details example), unlike the msw fake.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { MemoryTokenCache } from '../../../src/core/auth/token-provider.js';
import { ValidationError } from '../../../src/core/errors.js';
import { createPax8Client } from '../../../src/providers/pax8/index.js';

const COMPANY = '7b1f2d34-5c6e-4f80-9a1b-2c3d4e5f6a7b';
const PRODUCT = '0e5a2b7c-1111-4222-8333-444455556666';
const EXISTS = [
  'No, the customer does not have a Microsoft account',
  'Yes, the customer has and can log into their Microsoft account',
];
const orders: { query: string; body: Record<string, unknown> }[] = [];
let server: Server;
let base = '';

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/v1/token')
        return json(res, 200, { access_token: 'pax8-token', expires_in: 86400, token_type: 'Bearer' });
      if (url.pathname === `/v1/products/${PRODUCT}`) {
        return json(res, 200, {
          id: PRODUCT,
          name: 'Microsoft 365 E3',
          vendorName: 'Microsoft',
          requiresCommitment: false,
        });
      }
      if (url.pathname === `/v1/products/${PRODUCT}/provision-details`) {
        return json(res, 200, {
          content: [
            { label: 'Existing account?', key: 'msCustExists', valueType: 'Single-Value', possibleValues: EXISTS },
            { label: 'Domain prefix', key: 'msDomain', valueType: 'Input' },
            { label: 'Tenant ID', key: 'msTenantId', valueType: 'Input' },
          ],
        });
      }
      if (url.pathname === '/v1/orders' && req.method === 'POST') {
        const order = JSON.parse(body) as Record<string, unknown>;
        orders.push({ query: url.search, body: order });
        const line = (order.lineItems as Record<string, unknown>[])[0]!;
        return json(res, 200, {
          id: 'a0b1c2d3-0000-4000-8000-00000000000a',
          companyId: COMPANY,
          lineItems: [{ ...line, id: 'l1', subscriptionId: 'b0b1c2d3-0000-4000-8000-00000000000b' }],
        });
      }
      json(res, 404, { message: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  orders.length = 0;
});

const client = () =>
  createPax8Client({
    credentials: { clientId: 'pax8-app', clientSecret: 'pax8-secret-do-not-leak' },
    baseUrl: `${base}/v1`,
    rateLimit: false,
    tokenCache: new MemoryTokenCache(),
  });
const order = { customerId: COMPANY, productId: PRODUCT, quantity: 5, billingTerm: 'monthly' as const };

it('sends the details as the line item provisioningDetails ([{ key, values }])', async () => {
  const r = await client().purchase({
    ...order,
    provisioningDetails: { msCustExists: EXISTS[1]!, msTenantId: '3f2a8c1e-6b4d-4e7a-9c10-5d2e8f4a1b01' },
  });
  expect(r.outcome).toBe('ordered');
  const line = (orders[0]!.body.lineItems as Record<string, unknown>[])[0]!;
  expect(line.provisioningDetails).toEqual([
    { key: 'msCustExists', values: [EXISTS[1]] },
    { key: 'msTenantId', values: ['3f2a8c1e-6b4d-4e7a-9c10-5d2e8f4a1b01'] },
  ]);
});

it('a dry run carries them too (Pax8 validates with isMock)', async () => {
  await client().purchase({ ...order, dryRun: true, provisioningDetails: { msDomain: 'contoso' } });
  expect(orders[0]!.query).toContain('isMock=true');
  expect((orders[0]!.body.lineItems as Record<string, unknown>[])[0]!.provisioningDetails).toEqual([
    { key: 'msDomain', values: ['contoso'] },
  ]);
});

it('refuses an unknown key, a value outside possibleValues, or two values for a Single-Value detail: no order', async () => {
  const attempts: Record<string, string | string[]>[] = [
    { msDomian: 'contoso' },
    { msCustExists: 'maybe' },
    { msCustExists: [EXISTS[0]!, EXISTS[1]!] },
  ];
  for (const provisioningDetails of attempts) {
    const err = await client()
      .purchase({ ...order, provisioningDetails })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
  }
  expect(orders).toHaveLength(0);
});

it('refuses a malformed value before any request', async () => {
  await expect(client().purchase({ ...order, provisioningDetails: { msDomain: '' } })).rejects.toBeInstanceOf(
    ValidationError,
  );
  await expect(client().purchase({ ...order, provisioningDetails: 'msDomain=x' as never })).rejects.toBeInstanceOf(
    ValidationError,
  );
  expect(orders).toHaveLength(0);
});

it('without details, the order is sent as before (no provision-details read)', async () => {
  await client().purchase(order);
  expect((orders[0]!.body.lineItems as Record<string, unknown>[])[0]).not.toHaveProperty('provisioningDetails');
});
