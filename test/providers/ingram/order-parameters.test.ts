/**
 * Issue 17: an Ingram purchase can carry activation parameters (e.g. the domain), validated with
 * `POST /validation/parameters` before the order and sent as the order line's `parameters: [{ name, value }]`.
 * Against a node:http look-alike written from ingram.yaml (ParameterValidationRequest / ParameterValidationResult,
 * OrderLineProduct.parameters), unlike the msw fake. Its base URL is not an api.cloud.im one, so it is used as given.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { MemoryTokenCache } from '../../../src/core/auth/token-provider.js';
import { ValidationError } from '../../../src/core/errors.js';
import { createIngramClient } from '../../../src/providers/ingram/index.js';

const CUSTOMER = '1002001';
const MPN = 'CFQ7TTC0LH18_MONTHLY';
const calls: { path: string; body: Record<string, unknown> | undefined }[] = [];
let server: Server;
let base = '';

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'x-correlation-id': 'corr-1' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString();
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      calls.push({ path: url.pathname, body });
      if (url.pathname === '/mp/token') return json(res, 200, { token: 'ingram-token', expiresInSeconds: 1500 });
      if (url.pathname === '/mp/products') {
        return json(res, 200, {
          data: [
            {
              mpn: MPN,
              vendor: 'Microsoft',
              name: 'Microsoft 365 Business Basic',
              subscriptionPeriod: { type: 'month', duration: 1 },
              billingPeriod: { type: 'month', duration: 1 },
            },
          ],
          pagination: { offset: 0, limit: 10, total: 1 },
        });
      }
      if (url.pathname === '/mp/validation/parameters') {
        const products = (body?.products ?? []) as { mpn: string; parameters: { name: string; value: unknown }[] }[];
        return json(res, 200, {
          data: products.map((p) => ({
            mpn: p.mpn,
            parameters: p.parameters.map((x) =>
              x.name === 'domain' && x.value === 'taken.example'
                ? { name: 'domain', result: 'error', message: 'Domain is not available.' }
                : { name: x.name, result: 'success', message: 'Domain available to purchase.' },
            ),
          })),
          pagination: { offset: 0, limit: 1, total: 1 },
        });
      }
      if (url.pathname === '/mp/orders' || url.pathname === '/mp/orders/estimate') {
        return json(res, url.pathname.endsWith('estimate') ? 200 : 201, {
          id: 'SO1',
          orderNumber: 'SO1',
          type: 'sales',
          customerId: CUSTOMER,
          status: 'submitted',
          products: (body?.products as unknown[]) ?? [],
        });
      }
      json(res, 404, { status: 404, message: 'not found', path: url.pathname });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  calls.length = 0;
});

const client = () =>
  createIngramClient({
    credentials: { username: 'reseller', password: 'ingram-password-do-not-leak', subscriptionKey: 'ingram-key-x' },
    baseUrl: `${base}/mp`,
    marketplace: 'us',
    rateLimit: false,
    tokenCache: new MemoryTokenCache(),
  });
const order = { customerId: CUSTOMER, productId: MPN, quantity: 2, billingTerm: 'monthly' as const };

it('validates the parameters, then sends them on the order line', async () => {
  const r = await client().purchase({ ...order, parameters: { domain: 'contoso.example' } });
  expect(r.outcome).toBe('pending');
  const validation = calls.find((c) => c.path === '/mp/validation/parameters')!;
  expect(validation.body).toEqual({
    customerId: CUSTOMER,
    products: [{ mpn: MPN, parameters: [{ name: 'domain', value: 'contoso.example' }] }],
  });
  const placed = calls.find((c) => c.path === '/mp/orders')!;
  expect(placed.body?.products).toEqual([
    { mpn: MPN, quantity: 2, parameters: [{ name: 'domain', value: 'contoso.example' }] },
  ]);
});

it('a parameter Ingram rejects is a ValidationError with its message, and no order (nor estimate) is sent', async () => {
  for (const dryRun of [false, true]) {
    const err = (await client()
      .purchase({ ...order, dryRun, parameters: { domain: 'taken.example' } })
      .catch((e: unknown) => e)) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/domain: Domain is not available/);
  }
  expect(calls.filter((c) => c.path.startsWith('/mp/orders'))).toHaveLength(0);
});

it('refuses malformed parameters before any request; without parameters nothing extra is sent', async () => {
  await expect(client().purchase({ ...order, parameters: { domain: '' } })).rejects.toBeInstanceOf(ValidationError);
  await expect(client().purchase({ ...order, parameters: ['domain'] as never })).rejects.toBeInstanceOf(
    ValidationError,
  );
  expect(calls).toHaveLength(0);
  await client().purchase(order);
  expect(calls.some((c) => c.path === '/mp/validation/parameters')).toBe(false);
  expect(calls.find((c) => c.path === '/mp/orders')!.body?.products).toEqual([{ mpn: MPN, quantity: 2 }]);
});
