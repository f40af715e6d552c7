import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BusinessRuleError,
  ConflictError,
  NotFoundError,
  RateLimitError,
  ServerError,
  ValidationError,
} from '../../../src/core/errors.js';
import type { ErrorResponse } from '../../../src/core/http.js';
import { mapIngramError } from '../../../src/providers/ingram/errors.js';
import {
  ingramBillingTerm,
  mapCustomer,
  mapProduct,
  mapSubscription,
  mapSubscriptionRow,
  orderState,
  periodToIso,
} from '../../../src/providers/ingram/map.js';

const ctx = { provider: 'ingram', operation: 'test' };
const NOW = new Date('2026-03-02T12:00:00.000Z');

function detailed(overrides: Record<string, unknown> = {}) {
  return {
    id: '2005001',
    name: 'Microsoft 365 Business Premium',
    customerId: '1002001',
    status: 'active',
    attributes: {},
    renewalStatus: true,
    creationDate: '2025-01-01',
    renewalDate: '2026-08-14',
    lastModifiedDate: '2025-08-14',
    expirationDate: '2026-08-14',
    billingModel: 'chargeBeforeBillingPeriod',
    billingPeriod: { type: 'month', duration: 1 },
    subscriptionPeriod: { type: 'year', duration: 1 },
    totalPrice: { currency: 'USD', amount: '1760.00' },
    products: [
      {
        mpn: 'CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46_ANNUAL',
        vendor: 'Microsoft',
        id: 'p1',
        quantity: 80,
        name: 'Microsoft 365 Business Premium',
        unitPrice: { currency: 'USD', amount: '22.00' },
        unitCost: { currency: 'USD', amount: '18.70' },
      },
    ],
    ...overrides,
  };
}

describe('Ingram subscription mapping', () => {
  it('maps a detailed annual subscription', () => {
    const s = mapSubscription(detailed(), ctx, { now: NOW });
    expect(s).toMatchObject({
      provider: 'ingram',
      id: '2005001',
      customerId: '1002001',
      productId: 'CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46_ANNUAL',
      sku: 'CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46_ANNUAL',
      status: 'active',
      quantity: 80,
      billingTerm: 'annual',
      rawBillingTerm: '1 year',
      commitment: { term: 'P1Y', endDate: '2026-08-14T00:00:00.000Z' },
      startDate: '2025-01-01T00:00:00.000Z',
      renewalDate: '2026-08-14T00:00:00.000Z',
      endDate: null,
      autoRenew: true,
      price: { amount: 22, currency: 'USD' },
      cost: { amount: 18.7, currency: 'USD' },
    });
    // term started 2025-08-14: the 7-day window is long gone, so a decrease is not known to be possible
    expect(s.constraints.canDecrease).toBeNull();
    expect(s.constraints.canIncrease).toBe(true);
  });

  it('is inside the NCE window right after the term start', () => {
    const s = mapSubscription(
      detailed({ renewalDate: '2026-03-27', subscriptionPeriod: { type: 'month', duration: 1 } }),
      ctx,
      { now: NOW },
    );
    expect(s.billingTerm).toBe('monthly');
    expect(s.constraints).toMatchObject({ canDecrease: true, decreaseAllowedUntil: '2026-03-06T00:00:00.000Z' });
  });

  it('maps statuses; unknown values keep the raw value', () => {
    const status = (v: string) => mapSubscription(detailed({ status: v }), ctx, { now: NOW });
    expect(status('hold').status).toBe('suspended');
    expect(status('pending').status).toBe('pending');
    expect(status('terminated')).toMatchObject({ status: 'cancelled', endDate: '2025-08-14T00:00:00.000Z' });
    expect(status('removed').status).toBe('cancelled');
    expect(status('frozen')).toMatchObject({ status: 'unknown', rawStatus: 'frozen' });
  });

  it('non-Microsoft products have no NCE window', () => {
    const raw = detailed();
    raw.products[0]!.vendor = 'Acronis';
    const s = mapSubscription(raw, ctx, { now: NOW });
    expect(s.constraints).toMatchObject({ canDecrease: true, canCancel: true });
  });

  it('a list row without products is returned flagged on quantity (issue #17), never throwing', () => {
    const { products: _p, ...row } = detailed();
    const s = mapSubscription(row, ctx);
    expect(s.problems).toEqual([{ field: 'quantity', message: expect.stringMatching(/products/) }]);
    expect(s.quantity).toBe(0);
  });

  it('reads list rows for filtering', () => {
    expect(mapSubscriptionRow(detailed({ status: 'terminated' }), ctx)).toEqual({
      id: '2005001',
      customerId: '1002001',
      status: 'cancelled',
      billingTerm: 'annual',
    });
  });

  it('bad dates and quantities flag the record with the field named (issue #17)', () => {
    expect(mapSubscription(detailed({ renewalDate: 'soon' }), ctx).problems?.map((p) => p.field)).toEqual([
      'renewalDate',
    ]);
    const raw = detailed();
    raw.products[0]!.quantity = -3;
    expect(mapSubscription(raw, ctx).problems).toEqual([
      { field: 'quantity', message: expect.stringMatching(/products\[0\]\.quantity.*negative/) },
    ]);
  });

  it('periods and billing terms', () => {
    expect(periodToIso({ type: 'year', duration: 3 })).toBe('P3Y');
    expect(periodToIso({ type: 'statement_day', duration: 1 })).toBeNull();
    expect(periodToIso(undefined)).toBeNull();
    expect(ingramBillingTerm({ type: 'year', duration: 3 })).toBe('triennial');
    expect(ingramBillingTerm({ type: 'year', duration: 2 })).toBe('biennial');
    expect(ingramBillingTerm({ type: 'day', duration: 30 })).toBe('unknown');
  });
});

describe('Ingram customer, product and order mapping', () => {
  it('maps a customer', () => {
    const c = mapCustomer(
      { id: '1002001', name: 'Contoso Ltd', status: 'creditHold', externalId: 'CRM-1', address: { countryCode: 'NL' } },
      ctx,
    );
    expect(c).toMatchObject({
      id: '1002001',
      status: 'inactive',
      rawStatus: 'creditHold',
      country: 'NL',
      externalId: 'CRM-1',
    });
    expect(mapCustomer({ id: 'x', name: 'Y', status: 'pending' }, ctx).status).toBe('unknown');
    // Issue #17: returned flagged (id '', problems on id), never failing its page.
    expect(mapCustomer({ name: 'no id' }, ctx)).toMatchObject({ id: '', problems: [{ field: 'id' }] });
  });

  it('maps a product with the MPN as id', () => {
    const p = mapProduct(
      {
        mpn: 'X_ANNUAL',
        id: 'uuid',
        name: 'P',
        vendor: 'Microsoft',
        serviceName: 'NCE',
        subscriptionPeriod: { type: 'year', duration: 1 },
      },
      ctx,
    );
    expect(p).toMatchObject({ id: 'X_ANNUAL', sku: 'X_ANNUAL', vendorName: 'Microsoft', requiresCommitment: true });
    expect(mapProduct({ mpn: 'M', subscriptionPeriod: { type: 'month', duration: 1 } }, ctx).requiresCommitment).toBe(
      false,
    );
  });

  it('maps order states', () => {
    expect(orderState({ id: '7', status: 'processing', statusCode: 'AS' }, ctx)).toMatchObject({
      status: 'pending',
      rawStatus: 'processing',
    });
    expect(orderState({ id: '7', status: 'submitted' }, ctx).status).toBe('pending');
    expect(orderState({ id: '7', status: 'completed' }, ctx).status).toBe('succeeded');
    const failed = orderState({ id: '7', orderNumber: 'SO7', status: 'error', statusCode: 'ER' }, ctx);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.message).toMatch(/SO7.*ER.*control panel/);
    expect(orderState({ id: '7', status: 'cancelled' }, ctx).status).toBe('cancelled');
    expect(orderState({ id: '7', status: 'weird' }, ctx)).toMatchObject({ status: 'pending', rawStatus: 'weird' });
  });
});

function response(
  status: number,
  body: unknown,
  opts: { operation?: string; headers?: Record<string, string>; text?: string } = {},
): ErrorResponse {
  const headers = new Headers(opts.headers ?? {});
  return {
    request: { operation: opts.operation ?? 'getSubscription', method: 'GET', path: '/x' },
    status,
    headers,
    body,
    text: opts.text ?? (body === undefined ? '' : JSON.stringify(body)),
    requestId: 'sdk-id',
    vendorRequestId: headers.get('x-correlation-id') ?? undefined,
  };
}

const ectx = { baseUrl: 'https://api.cloud.im/marketplace/eu', marketplace: 'nl' };
const map = (r: ErrorResponse) => mapIngramError(r, (s) => s.replaceAll('hunter2', '[REDACTED]'), ectx);

describe('Ingram error mapping', () => {
  it('reads the API `message` body and the correlation id header', () => {
    const e = map(
      response(
        404,
        { status: 404, message: 'Subscription 9 not found.', correlationId: 'a8n-body' },
        { headers: { 'X-Correlation-ID': 'a8n-header' } },
      ),
    );
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message).toMatch(/Subscription 9 not found/);
    expect(e.requestId).toBe('a8n-header');
    expect(e.hint).toMatch(/region is probably wrong/);
  });

  it('reads the framework `error` body; an unknown route says the region is wrong', () => {
    const e = map(response(404, { status: 404, error: 'Not Found', correlationId: 'a8n-body' }));
    expect(e.message).toMatch(/Not Found/);
    expect(e.requestId).toBe('a8n-body');
    expect(e.hint).toMatch(/Nothing answers at https:\/\/api\.cloud\.im\/marketplace\/eu/);
  });

  it('401 on the token: the API user, not XVantage', () => {
    const e = map(response(401, { status: 401, message: 'Bad credentials' }, { operation: 'token' }));
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.hint).toMatch(/\.API/);
    expect(e.hint).toMatch(/XVantage/);
  });

  it('401 for the subscription key or the marketplace says which', () => {
    expect(map(response(401, { message: 'Access denied due to invalid subscription key.' })).hint).toMatch(
      /X-Subscription-Key/,
    );
    expect(
      map(response(401, { message: "User x is not allowed in marketplace 'de'" }, { operation: 'token' })).hint,
    ).toMatch(/"nl"/);
    expect(map(response(403, { message: 'Forbidden' })).hint).toMatch(/another reseller/);
  });

  it('the provisioning conflict (a 500) is a ConflictError, not a retryable server error', () => {
    const e = map(
      response(500, {
        status: 500,
        message:
          'Cannot Upgrade/Downgrade subscription 1: order SO1 is in status "Provisioning is in progress". Please either cancel conflicting order or wait for its completion.',
      }),
    );
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.retryable).toBe(false);
    expect(e.hint).toMatch(/still provisioning/);
  });

  it('the NCE window is a BusinessRuleError; other 400s are validation errors', () => {
    expect(
      map(
        response(400, { message: 'Subscription 1: a quantity decrease is allowed only within 7 days after purchase' }),
      ),
    ).toBeInstanceOf(BusinessRuleError);
    expect(
      map(response(400, { message: 'Quantity 900 of product X is out of the allowed range 1..300.' })),
    ).toBeInstanceOf(BusinessRuleError);
    expect(map(response(400, { error: 'Bad Request' }))).toBeInstanceOf(ValidationError);
  });

  it('429 waits Retry-After, or the seconds the message gives', () => {
    const withHeader = map(response(429, { message: 'Rate limit is exceeded.' }, { headers: { 'Retry-After': '7' } }));
    expect(withHeader).toBeInstanceOf(RateLimitError);
    expect(withHeader.retryAfterMs).toBe(7000);
    expect(map(response(429, { message: 'Rate limit is exceeded. Try again in 12 seconds.' })).retryAfterMs).toBe(
      12_000,
    );
  });

  it('an nginx HTML 504 is a server error with a hint', () => {
    const e = map(response(504, undefined, { text: '<html><body>504 Gateway Time-out</body></html>' }));
    expect(e).toBeInstanceOf(ServerError);
    expect(e.message).toMatch(/HTML page/);
    expect(e.hint).toMatch(/timed out/);
  });

  it('redacts the message', () => {
    expect(map(response(400, { message: 'bad password hunter2' })).message).not.toContain('hunter2');
  });
});
