/**
 * Sherweb purchases and provisioning ("platform") parameters: Sherweb publishes no contract for them, and the
 * order body known from independent clients (`{ cartItems: [{ sku, quantity }], orderedBy }`) has no place for
 * them (docs/providers/sherweb.md "Purchases and platform parameters"). A purchase that carries parameters is
 * refused before any request reaches the vendor (a look-alike counts them); empty parameters ask for nothing and
 * the purchase goes ahead without them.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSherwebClient } from '../../../src/providers/sherweb/index.js';
import { send, useLookAlike } from '../../helpers/lookalike.js';

const CUSTOMER = '5d1f0a0e-0000-4000-8000-00000000c0e1';
const SKU = 'MS-365-BB-MONTHLY';
// Started before and closed after this file's tests.
const lookalike = useLookAlike([
  {
    method: 'POST',
    path: '/auth/token',
    handle: (_r, res) => send(res, 200, { access_token: `sw-${randomUUID()}`, expires_in: 3600, token_type: 'Bearer' }),
  },
  {
    method: 'GET',
    path: `/customer-catalogs/${CUSTOMER}`,
    handle: (_r, res) =>
      send(res, 200, {
        customerId: CUSTOMER,
        catalogItems: [
          {
            sku: SKU,
            name: [{ culture: 'en-CA', value: 'Microsoft 365 Business Basic' }],
            description: [],
            billingCycle: 'Monthly',
            commitmentTerm: 'Monthly',
          },
        ],
      }),
  },
  { method: 'POST', path: '/orders/validate', handle: (_r, res) => send(res, 200, { isValid: true }) },
  { method: 'POST', path: '/orders', handle: (_r, res) => send(res, 200, { requestTrackingId: randomUUID() }) },
]);
beforeEach(() => {
  lookalike.current.seen.length = 0;
});

function client() {
  return createSherwebClient({
    credentials: { clientId: 'params-test', clientSecret: `secret-${randomUUID()}`, subscriptionKey: 'key-params' },
    baseUrl: lookalike.current.url,
    tokenUrl: `${lookalike.current.url}/auth/token`,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });
}

const purchase = { customerId: CUSTOMER, productId: SKU, quantity: 2, billingTerm: 'monthly' as const };

describe('Sherweb: purchases with provisioning parameters', () => {
  const given: Record<string, unknown>[] = [
    { parameters: { domain: 'contoso.example' } },
    { platformParameters: [{ name: 'TenantId', value: 'x' }] },
    { provisioningDetails: { msDomain: 'contoso' } },
    { attributes: [{ name: 'domainName', value: 'contoso' }] },
  ];
  for (const extra of given) {
    for (const dryRun of [false, true]) {
      it(`${Object.keys(extra)[0]}${dryRun ? ' (dry run)' : ''}: UnsupportedOperationError, nothing sent`, async () => {
        const error = await client()
          .purchase({ ...purchase, ...extra, dryRun } as typeof purchase)
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ kind: 'unsupported', provider: 'sherweb', operation: 'purchase' });
        expect((error as Error).message).toContain(Object.keys(extra)[0]);
        expect((error as { hint?: string }).hint).toMatch(/per customer/);
        expect(lookalike.current.seen).toHaveLength(0);
      });
    }
  }

  it('empty parameters ask for nothing: the order is placed without them', async () => {
    const result = await client().purchase({ ...purchase, parameters: {} } as typeof purchase);
    expect(result.outcome).toBe('pending');
    const order = lookalike.current.seen.find((r) => r.method === 'POST' && r.path === '/orders');
    expect(order?.json).toEqual({ cartItems: [{ sku: SKU, quantity: 2 }], orderedBy: 'msp-marketplace-sdk' });
  });
});
