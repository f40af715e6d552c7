/**
 * Issue 17: Partner Center refuses a cart line for a product that enforces an attestation with cart error 10012
 * (AttestationNotAccepted) unless the line carries `attestationAccepted: true`. Against a node:http look-alike
 * written from Microsoft's cart docs (create-a-cart.md, checkout-a-cart.md; PC SDK CartErrorCode) and against the
 * msw fake.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryTokenCache } from '../../../src/core/auth/token-provider.js';
import { ValidationError } from '../../../src/core/errors.js';
import { createPartnerCenterClient } from '../../../src/providers/partner-center/index.js';
import { PARTNER_CENTER_SEED_IDS, createPartnerCenterFake } from '../../../src/testing/partner-center/index.js';

const TENANT = '11111111-2222-4333-8444-555555555555';
const CUSTOMER = '3f2a8c1e-6b4d-4e7a-9c10-5d2e8f4a1b01';
const CATALOG_ITEM = 'CFQ7TTC0ATTS:0001:CFQ7TTC0AVAL';
const carts: Record<string, unknown>[] = [];
let checkouts = 0;
let server: Server;
let base = '';

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'ms-requestid': 'srv-req-1' });
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
      if (url.pathname === `/${TENANT}/oauth2/token`) {
        return json(res, 200, { token_type: 'Bearer', expires_in: '3599', access_token: 'pc-app-token' });
      }
      if (url.pathname === '/v1/products/CFQ7TTC0ATTS/skus/0001/availabilities') {
        return json(res, 200, {
          totalCount: 1,
          items: [
            {
              id: 'CFQ7TTC0AVAL',
              productId: 'CFQ7TTC0ATTS',
              skuId: '0001',
              catalogItemId: CATALOG_ITEM,
              terms: [{ duration: 'P1M', billingCycle: 'Monthly', description: '1 month' }],
            },
          ],
          attributes: { objectType: 'Collection' },
        });
      }
      if (url.pathname === `/v1/customers/${CUSTOMER}/carts` && req.method === 'POST') {
        const cart = JSON.parse(body) as { lineItems: Record<string, unknown>[] };
        carts.push(cart);
        const line = cart.lineItems[0]!;
        const refused = line.attestationAccepted !== true;
        return json(res, 201, {
          id: `cart-${carts.length}`,
          status: 'Active',
          lineItems: [
            {
              ...line,
              currencyCode: 'USD',
              ...(refused
                ? {
                    error: { errorCode: 10012, errorDescription: 'Attestation is not accepted for this catalog item.' },
                  }
                : {}),
            },
          ],
        });
      }
      if (/^\/v1\/customers\/[^/]+\/carts\/[^/]+\/checkout$/.test(url.pathname)) {
        checkouts++;
        return json(res, 200, {
          orders: [
            {
              id: 'order-1',
              status: 'completed',
              lineItems: [{ lineItemNumber: 0, offerId: CATALOG_ITEM, quantity: 2, subscriptionId: 'sub-1' }],
            },
          ],
          orderErrors: [],
        });
      }
      json(res, 404, { code: 600001, description: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  carts.length = 0;
  checkouts = 0;
});

const client = () =>
  createPartnerCenterClient({
    credentials: { tenantId: TENANT, clientId: 'app', clientSecret: 'pc-secret-do-not-leak', refreshToken: 'pc-rt' },
    baseUrl: `${base}/v1`,
    tokenUrl: `${base}/${TENANT}/oauth2/token`,
    rateLimit: false,
    tokenCache: new MemoryTokenCache(),
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });

const order = { customerId: CUSTOMER, productId: CATALOG_ITEM, quantity: 2, billingTerm: 'monthly' as const };

it('without attestationAccepted: 10012 is a ValidationError saying how to attest, and nothing is checked out', async () => {
  const err = (await client()
    .purchase(order)
    .catch((e: unknown) => e)) as ValidationError;
  expect(err).toBeInstanceOf(ValidationError);
  expect(err.code).toBe('10012');
  expect(err.hint).toMatch(/attestationAccepted: true/);
  expect(carts[0]!.lineItems).toEqual([expect.not.objectContaining({ attestationAccepted: expect.anything() })]);
  expect(checkouts).toBe(0);
});

it('with attestationAccepted: true the cart line carries it and the order is placed once', async () => {
  const r = await client().purchase({ ...order, attestationAccepted: true });
  expect(r.outcome).toBe('ordered');
  expect(carts[0]!.lineItems).toEqual([expect.objectContaining({ attestationAccepted: true })]);
  expect(checkouts).toBe(1);
});

it('refuses a non-boolean attestationAccepted before any request', async () => {
  await expect(client().purchase({ ...order, attestationAccepted: 'yes' as never })).rejects.toBeInstanceOf(
    ValidationError,
  );
  expect(carts).toHaveLength(0);
});

describe('the Partner Center fake enforces attestation on SKUs that declare it', () => {
  const msw = setupServer();
  beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => msw.close());

  it('10012 without, ordered with attestationAccepted', async () => {
    const fake = createPartnerCenterFake();
    msw.resetHandlers(...fake.handlers);
    const { products, catalogItems, contoso } = PARTNER_CENTER_SEED_IDS;
    fake.state.products.get(products.teamsEssentials)!.skus[0]!.sku.attestationProperties = {
      attestationType: 'Custom',
      enforceAttestation: true,
    };
    const c = createPartnerCenterClient({
      credentials: fake.credentials,
      baseUrl: fake.baseUrl,
      tokenUrl: fake.tokenUrl,
      rateLimit: false,
      tokenCache: new MemoryTokenCache(),
    });
    const input = {
      customerId: contoso,
      productId: catalogItems.teamsEssentials,
      quantity: 1,
      billingTerm: 'monthly' as const,
    };
    await expect(c.purchase({ ...input, dryRun: true })).rejects.toMatchObject({ code: '10012' });
    const r = await c.purchase({ ...input, attestationAccepted: true });
    expect(['ordered', 'pending']).toContain(r.outcome);
  });
});
