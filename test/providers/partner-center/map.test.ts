import { describe, expect, it } from 'vitest';
import { ResponseValidationError } from '../../../src/core/errors.js';
import type { ErrorResponse } from '../../../src/core/http.js';
import { mapPartnerCenterError, retryAfterFromMessage } from '../../../src/providers/partner-center/errors.js';
import {
  defaultTermFor,
  isNewCommerce,
  mapCollection,
  mapCustomer,
  mapOrderState,
  mapProduct,
  mapProvisioning,
  mapSubscription,
  toPartnerCenterBillingCycle,
} from '../../../src/providers/partner-center/map.js';

const ctx = { provider: 'partner-center', operation: 'test' };
const NOW = new Date('2025-06-10T12:00:00Z');
const CUSTOMER = '3f2a8c1e-6b4d-4e7a-9c10-5d2e8f4a1b01';

function nce(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '9d8e7f60-1a2b-4c3d-8e4f-5a6b7c8d9e01',
    offerId: 'CFQ7TTC0LCHC:0002:CFQ7TTC0LQ5B',
    offerName: 'Microsoft 365 Business Premium',
    friendlyName: 'BP annual',
    productType: { id: 'OnlineServicesNCE', displayName: 'OnlineServicesNCE' },
    quantity: 80,
    status: 'active',
    billingCycle: 'annual',
    termDuration: 'P1Y',
    autoRenewEnabled: true,
    effectiveStartDate: '2025-01-01T00:00:00Z',
    commitmentEndDate: '2025-12-31T00:00:00Z',
    cancellationAllowedUntilDate: '2025-01-08T00:00:00Z',
    refundableQuantity: {
      totalQuantity: 5,
      details: [{ quantity: 5, allowedUntilDateTime: '2025-06-13T00:00:00Z' }],
    },
    ...extra,
  };
}

function errorResponse(status: number, body: unknown, operation = 'setSeats', headers: Record<string, string> = {}) {
  return {
    request: { operation, method: 'PATCH', path: '/x' },
    status,
    headers: new Headers(headers),
    body,
    text: JSON.stringify(body),
    requestId: 'rid',
    vendorRequestId: undefined,
  } as ErrorResponse;
}

describe('Partner Center mappers', () => {
  it('maps a new-commerce annual subscription with its window into constraints', () => {
    const s = mapSubscription(nce(), CUSTOMER, ctx, { now: NOW });
    expect(s).toMatchObject({
      provider: 'partner-center',
      customerId: CUSTOMER,
      productId: 'CFQ7TTC0LCHC',
      sku: 'CFQ7TTC0LCHC:0002',
      name: 'Microsoft 365 Business Premium',
      status: 'active',
      quantity: 80,
      billingTerm: 'annual',
      rawBillingTerm: 'annual',
      commitment: { term: 'P1Y', endDate: '2025-12-31T00:00:00.000Z' },
      renewalDate: '2025-12-31T00:00:00.000Z',
      endDate: null,
      autoRenew: true,
    });
    expect(s.constraints).toMatchObject({
      canIncrease: true,
      canDecrease: true,
      refundableQuantity: 5,
      decreaseAllowedUntil: '2025-06-13T00:00:00.000Z',
      canCancel: false,
    });
    expect(s.constraints.notes.join(' ')).toMatch(/cancellation window ended/);
  });

  it('no refundable seats: no decrease; inside the cancellation window: can cancel', () => {
    const s = mapSubscription(
      nce({
        billingCycle: 'monthly',
        termDuration: 'P1M',
        cancellationAllowedUntilDate: '2025-06-12T00:00:00Z',
        refundableQuantity: { totalQuantity: 0, details: [] },
      }),
      CUSTOMER,
      ctx,
      { now: NOW },
    );
    expect(s.billingTerm).toBe('monthly');
    expect(s.commitment?.term).toBe('P1M');
    expect(s.constraints).toMatchObject({ canDecrease: false, refundableQuantity: 0, canCancel: true });
  });

  it('unknown refundable quantity stays unknown (null), never a guess', () => {
    const s = mapSubscription(nce({ refundableQuantity: undefined }), CUSTOMER, ctx, { now: NOW });
    expect(s.constraints.canDecrease).toBeNull();
    expect(s.constraints.refundableQuantity).toBeNull();
  });

  it('maps legacy, statuses, billing cycles and unknown values', () => {
    const legacy = mapSubscription(
      {
        id: 'l1',
        offerId: '796B6B5F-613C-4E24-A17C-EBA730D49C02',
        quantity: '3',
        status: 'active',
        billingCycle: 'monthly',
      },
      CUSTOMER,
      ctx,
      { now: NOW },
    );
    expect(isNewCommerce(legacy.raw as never)).toBe(false);
    expect(legacy).toMatchObject({ productId: '796B6B5F-613C-4E24-A17C-EBA730D49C02', quantity: 3, commitment: null });
    expect(legacy.constraints).toMatchObject({ canDecrease: true, canCancel: true, refundableQuantity: null });
    const table: Array<[string, string]> = [
      ['deleted', 'cancelled'],
      ['suspended', 'suspended'],
      ['disabled', 'suspended'],
      ['expired', 'expired'],
      ['pending', 'pending'],
      ['none', 'unknown'],
      ['brand_new', 'unknown'],
    ];
    for (const [raw, status] of table) {
      const s = mapSubscription(nce({ status: raw }), CUSTOMER, ctx, { now: NOW });
      expect(s.status).toBe(status);
      expect(s.rawStatus).toBe(raw);
    }
    const cycles: Array<[string, string]> = [
      ['triennial', 'triennial'],
      ['one_time', 'one-time'],
      ['biennial', 'biennial'],
      ['none', 'unknown'],
    ];
    for (const [raw, term] of cycles)
      expect(mapSubscription(nce({ billingCycle: raw }), CUSTOMER, ctx).billingTerm).toBe(term);
    expect(mapSubscription(nce({ isTrial: true }), CUSTOMER, ctx).billingTerm).toBe('trial');
    const odd = mapSubscription(nce({ termDuration: 'forever' }), CUSTOMER, ctx);
    expect(odd.commitment).toBeNull();
    expect(odd.constraints.notes.join(' ')).toMatch(/unrecognised termDuration/);
    const noRenew = mapSubscription(nce({ autoRenewEnabled: false }), CUSTOMER, ctx);
    expect(noRenew.endDate).toBe('2025-12-31T00:00:00.000Z');
    expect(noRenew.renewalDate).toBeNull();
  });

  it('flags a record it cannot read with the field (issue #17); a collection it cannot read still throws', () => {
    const fields = (raw: unknown) => mapSubscription(raw, CUSTOMER, ctx).problems?.map((p) => p.field);
    expect(fields({ id: 'x', quantity: -1 })).toEqual(['quantity']);
    expect(fields({ quantity: 1 })).toEqual(['id']);
    expect(mapSubscription(nce({ commitmentEndDate: 'soon' }), CUSTOMER, ctx).problems).toEqual([
      { field: 'commitment', message: 'commitmentEndDate is not a date' },
    ]);
    expect(() => mapCollection({ value: [] }, ctx)).toThrow(ResponseValidationError);
  });

  it('maps customers, products and collections with continuation tokens', () => {
    const c = mapCustomer(
      {
        id: CUSTOMER,
        companyProfile: { tenantId: CUSTOMER, companyName: 'Contoso Ltd', domain: 'contoso.onmicrosoft.com' },
        billingProfile: { defaultAddress: { country: 'US' } },
      },
      ctx,
    );
    expect(c).toMatchObject({ id: CUSTOMER, name: 'Contoso Ltd', tenantId: CUSTOMER, country: 'US', status: 'active' });
    const p = mapProduct({ id: 'CFQ7TTC0LH18', title: 'Business Basic', publisherName: 'Microsoft Corporation' }, ctx);
    expect(p).toMatchObject({ id: 'CFQ7TTC0LH18', name: 'Business Basic', vendorSku: 'CFQ7TTC0LH18' });
    const page = mapCollection(
      {
        totalCount: 1,
        items: [{}],
        continuationToken: 'tok',
        links: { next: { uri: '/customers?size=1&seekOperation=Next', method: 'GET', headers: [] } },
      },
      ctx,
    );
    expect(page.next).toEqual({
      uri: '/customers?size=1&seekOperation=Next',
      headers: { 'MS-ContinuationToken': 'tok' },
    });
    expect(mapCollection({ items: [] }, ctx).next).toBeUndefined();
  });

  it('maps provisioning and order states', () => {
    expect(mapProvisioning({ status: 'pending' }, 'op', 5, ctx).status).toBe('pending');
    expect(mapProvisioning({ status: 'success', quantity: 5 }, 'op', 5, ctx).status).toBe('succeeded');
    expect(mapProvisioning({ status: 'success', quantity: 4 }, 'op', 5, ctx)).toMatchObject({ status: 'failed' });
    expect(mapProvisioning({ status: 'failed' }, 'op', undefined, ctx).status).toBe('failed');
    expect(mapOrderState({ id: 'o', status: 'completed' }, ctx).status).toBe('succeeded');
    expect(mapOrderState({ id: 'o', status: 'cancelled' }, ctx).status).toBe('failed');
    expect(mapOrderState({ id: 'o', status: 'pending' }, ctx).status).toBe('pending');
  });

  it('maps terms both ways', () => {
    expect(toPartnerCenterBillingCycle('one-time')).toBe('one_time');
    expect(toPartnerCenterBillingCycle('trial')).toBeUndefined();
    expect(defaultTermFor('annual')).toBe('P1Y');
    expect(defaultTermFor('triennial')).toBe('P3Y');
    expect(defaultTermFor('monthly')).toBe('P1M');
  });
});

describe('Partner Center error mapping', () => {
  const id = (s: string) => s;
  it('a decrease outside the window is a BusinessRuleError with a hint naming the refundable seats', () => {
    const e = mapPartnerCenterError(
      errorResponse(400, {
        code: 800090,
        description: 'The quantity cannot be decreased',
        errorName: 'QuantityCannotBeDecreased',
        parameters: { refundableQuantity: '2' },
      }),
      id,
    );
    expect(e.kind).toBe('business-rule');
    expect(e.code).toBe('800090/QuantityCannotBeDecreased');
    expect(e.hint).toMatch(/7 days.*\(2 seat/);
  });

  it('maps statuses, Entra errors and throttling', () => {
    expect(mapPartnerCenterError(errorResponse(400, { code: 2002, description: 'x' }), id).kind).toBe('validation');
    expect(
      mapPartnerCenterError(errorResponse(400, { code: 800094, errorName: 'CancellationWindowExpired' }), id).kind,
    ).toBe('business-rule');
    expect(mapPartnerCenterError(errorResponse(412, { code: 412 }), id).kind).toBe('conflict');
    expect(mapPartnerCenterError(errorResponse(404, { code: 20003 }), id).hint).toMatch(/customer/);
    expect(mapPartnerCenterError(errorResponse(403, { code: 403 }), id).hint).toMatch(/GDAP/);
    const token = mapPartnerCenterError(
      errorResponse(
        401,
        {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1',
          error_codes: [7000215],
        },
        'token',
      ),
      id,
    );
    expect(token.kind).toBe('authentication');
    expect(token.hint).toMatch(/client secret/);
    expect(token.message).not.toMatch(/Trace ID/);
    expect(mapPartnerCenterError(errorResponse(400, { error: 'invalid_grant' }, 'token'), id).hint).toMatch(
      /Secure Application Model/,
    );
    const t = mapPartnerCenterError(
      errorResponse(429, { statusCode: 429, message: 'Rate limit is exceeded. Try again in 57 seconds.' }),
      id,
    );
    expect(t.kind).toBe('rate-limit');
    expect(t.retryAfterMs).toBe(57_000);
    expect(mapPartnerCenterError(errorResponse(429, {}, 'x', { 'retry-after': '3' }), id).retryAfterMs).toBe(3000);
    expect(retryAfterFromMessage('nothing')).toBeUndefined();
    expect(mapPartnerCenterError(errorResponse(503, {}), id).retryable).toBe(true);
  });
});
