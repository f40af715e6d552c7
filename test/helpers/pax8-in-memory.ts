/**
 * The smallest Pax8 answers for tests that run a client on an in-memory `fetch` (transport and timer tests): a
 * subscription reference, its body, and a token body.
 */

export const REF = { customerId: 'c0000000-0000-4000-8000-000000000001', subscriptionId: 's-1' };

/** The body of `GET /subscriptions/s-1` (a cancelled monthly subscription: no further look-ups). */
export const SUBSCRIPTION = JSON.stringify({
  id: 's-1',
  companyId: REF.customerId,
  productId: 'p-1',
  quantity: 3,
  status: 'Cancelled',
  billingTerm: 'Monthly',
});

export const JSON_HEADERS = { 'content-type': 'application/json' };

/** The body of a token answer handing out `accessToken` for an hour. */
export const tokenBody = (accessToken: string): string =>
  JSON.stringify({ access_token: accessToken, expires_in: 3600, token_type: 'Bearer' });
