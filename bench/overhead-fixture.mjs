/**
 * The Pax8 subscription of every overhead figure: bench/server.ts answers it over HTTP, and the per-call scripts
 * (overhead-own-cpu.mjs, overhead-own-cpu-ab.mjs, overhead-gap.mjs, overhead-ab.mjs) read it on an in-memory `fetch`,
 * so their figures compare. Plain JavaScript, so those scripts run on `node` without tsx (types: overhead-fixture.d.mts).
 */
export const CUSTOMER_ID = '5d1f3c2e-0000-4000-8000-000000000001';
export const PRODUCT_ID = '7a3e9b10-0000-4000-8000-000000000002';
export const REF = { customerId: CUSTOMER_ID, subscriptionId: '0c9e2a44-0000-4000-8000-000000000003' };

/** A subscription `id` of the customer `companyId`. */
export const sub = (id, companyId = CUSTOMER_ID) => ({
  id,
  companyId,
  productId: PRODUCT_ID,
  productName: 'Microsoft 365 Business Premium',
  vendorSubscriptionId: 'a1b2c3d4-e5f6-4a5b-8c7d-0123456789ab',
  vendorSkuId: 'CFQ7TTC0LCHC:0002',
  quantity: 25,
  startDate: '2024-01-15T00:00:00Z',
  createdDate: '2024-01-15T10:22:31.153-0700',
  updatedDate: '2024-06-01T08:00:00.000-0700',
  billingStart: '2024-01-15',
  status: 'Active',
  price: 22,
  partnerCost: 18.7,
  currencyCode: 'USD',
  billingTerm: 'Monthly',
  commitmentTerm: null,
});

/** The body of `GET /subscriptions/{REF.subscriptionId}`. */
export const body = JSON.stringify(sub(REF.subscriptionId));
/** The body of the token request. */
export const token = JSON.stringify({ access_token: 'bench-token', expires_in: 86400, token_type: 'Bearer' });

/**
 * A Pax8 client of the bundle at `file` (a path) on `fetch`, its token already fetched and cached: a limit that never
 * delays, a credential of its own (no token shared with another client of the process).
 */
export async function warmPax8Client(file, fetch) {
  const { pathToFileURL } = await import('node:url');
  const { randomUUID } = await import('node:crypto');
  const { createPax8Client } = await import(pathToFileURL(file).href);
  const sdk = createPax8Client({
    credentials: { clientId: `bench-${randomUUID()}`, clientSecret: 'bench-secret' },
    baseUrl: 'http://127.0.0.1:9/v1',
    rateLimit: { requests: 1_000_000, perMs: 1000, maxConcurrent: 64 },
    fetch,
  });
  await sdk.getSubscription(REF);
  return sdk;
}
