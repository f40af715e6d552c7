import { describe, expect, it } from 'vitest';
import { ResponseValidationError } from '../../../src/core/errors.js';
import { SubscriptionSchema } from '../../../src/model/subscription.js';
import { mapSherwebError, sherwebProblemOf, sherwebRetryAfterFromText } from '../../../src/providers/sherweb/errors.js';
import {
  localized,
  mapAmendmentStatus,
  mapCatalogItem,
  mapCustomer,
  mapItems,
  mapReceipt,
  mapSubscription,
  mapTrackedRequest,
  sherwebBillingTerm,
  sherwebTermToIso,
} from '../../../src/providers/sherweb/map.js';
import type { ErrorResponse } from '../../../src/core/http.js';

const ctx = { provider: 'sherweb', operation: 'test' };
const NOW = new Date('2026-06-15T00:00:00Z');
const CUSTOMER = '0c6a1f3e-5b2d-4e8a-9f10-c0a7c0de0001';

const annual = {
  id: '5b8e2d41-7a9c-4f3e-8d21-c0a7c0de0101',
  productName: 'Microsoft 365 Business Premium',
  description: 'annual',
  sku: 'MS-NCE-M365BP-P1Y-MONTHLY',
  quantity: 80,
  billingCycle: 'monthly',
  purchaseDate: '2025-11-27T12:00:00.0000000Z',
  fees: { recurringFee: 22, setupFee: 0, currency: 'Usd' },
  commitmentTerm: {
    type: 'Annual',
    termEndDate: '2026-11-26',
    renewalConfiguration: { renewalDate: '2026-11-27', scheduledQuantity: null },
    committedMinimalQuantities: [],
  },
};

describe('Sherweb subscription mapper', () => {
  it('maps an annual commitment outside its grace window: no decrease, no cancel', () => {
    const s = mapSubscription(annual, ctx, { customerId: CUSTOMER, now: NOW });
    expect(SubscriptionSchema.parse(s)).toBeTruthy();
    expect(s).toMatchObject({
      provider: 'sherweb',
      customerId: CUSTOMER,
      productId: 'MS-NCE-M365BP-P1Y-MONTHLY',
      sku: 'MS-NCE-M365BP-P1Y-MONTHLY',
      status: 'active',
      rawStatus: null,
      quantity: 80,
      billingTerm: 'annual',
      rawBillingTerm: 'monthly',
      commitment: { term: 'P1Y', endDate: '2026-11-26T00:00:00.000Z' },
      startDate: '2025-11-27T12:00:00.000Z',
      renewalDate: '2026-11-27T00:00:00.000Z',
      endDate: null,
      autoRenew: true,
      price: null,
      cost: null,
    });
    expect(s.constraints).toMatchObject({
      canIncrease: true,
      canDecrease: false,
      canCancel: false,
      refundableQuantity: 0,
    });
  });

  it('an open grace window allows decreases down to the committed minimum until its end', () => {
    const s = mapSubscription(
      {
        ...annual,
        quantity: 20,
        commitmentTerm: {
          ...annual.commitmentTerm,
          type: 'Monthly',
          committedMinimalQuantities: [
            { committedUntil: '2026-06-19T12:00:00.0000000Z', quantity: 0 },
            { committedUntil: '2026-06-01T12:00:00.0000000Z', quantity: 5 },
          ],
        },
      },
      ctx,
      { customerId: CUSTOMER, now: NOW },
    );
    expect(s.billingTerm).toBe('monthly');
    expect(s.commitment?.term).toBe('P1M');
    expect(s.constraints).toMatchObject({
      canDecrease: true,
      canCancel: true,
      refundableQuantity: 20,
      decreaseAllowedUntil: '2026-06-19T12:00:00.000Z',
    });
  });

  it('no commitment: anything goes; no renewal configuration: ends with its term; null minimals: unknown', () => {
    const free = mapSubscription({ ...annual, commitmentTerm: null, billingCycle: 'yearly' }, ctx, {
      customerId: CUSTOMER,
      now: NOW,
    });
    expect(free).toMatchObject({ billingTerm: 'annual', commitment: null, autoRenew: null, renewalDate: null });
    expect(free.constraints).toMatchObject({ canDecrease: true, canCancel: true });
    const ending = mapSubscription(
      {
        ...annual,
        commitmentTerm: { ...annual.commitmentTerm, renewalConfiguration: null, committedMinimalQuantities: null },
      },
      ctx,
      { customerId: CUSTOMER, now: NOW },
    );
    expect(ending).toMatchObject({ autoRenew: false, endDate: '2026-11-26T00:00:00.000Z', renewalDate: null });
    expect(ending.constraints.canDecrease).toBeNull();
  });

  it('keeps unknown enum values without failing the read', () => {
    const s = mapSubscription(
      { ...annual, billingCycle: 'fortnightly', commitmentTerm: { ...annual.commitmentTerm, type: 'Quinquennial' } },
      ctx,
      { customerId: CUSTOMER, now: NOW },
    );
    expect(s).toMatchObject({ billingTerm: 'unknown', rawBillingTerm: 'fortnightly', commitment: null });
    expect(s.constraints.notes.join(' ')).toMatch(/Quinquennial/);
  });

  it('flags a record it cannot read with the field (issue #17); a list it cannot read still throws', () => {
    expect(mapSubscription({ ...annual, quantity: -3 }, ctx, { customerId: CUSTOMER }).problems).toEqual([
      { field: 'quantity', message: 'quantity is not a seat count (negative)' },
    ]);
    expect(mapSubscription({ ...annual, purchaseDate: 'yesterday' }, ctx, { customerId: CUSTOMER }).problems).toEqual([
      { field: 'startDate', message: 'purchaseDate is not a date' },
    ]);
    expect(() => mapItems({ items: 'nope' }, 'list', ctx)).toThrow(ResponseValidationError);
    expect(mapItems({ items: null }, 'list', ctx)).toEqual([]);
  });

  it('term and billing-term helpers', () => {
    expect(sherwebTermToIso('Triennial')).toBe('P3Y');
    expect(sherwebTermToIso({ type: 'Biennial' })).toBe('P2Y');
    expect(sherwebTermToIso(null)).toBeNull();
    expect(sherwebBillingTerm(null, 'none')).toBe('one-time');
    expect(sherwebBillingTerm('P2Y', 'monthly')).toBe('biennial');
  });
});

describe('Sherweb customer and catalog mappers', () => {
  it('a suspended customer is inactive', () => {
    expect(mapCustomer({ id: CUSTOMER, displayName: 'Contoso', path: [], suspendedOn: null }, ctx)).toMatchObject({
      name: 'Contoso',
      status: 'active',
      rawStatus: null,
    });
    expect(
      mapCustomer({ id: CUSTOMER, displayName: 'X', path: [], suspendedOn: '2026-01-01T00:00:00.0000000Z' }, ctx),
    ).toMatchObject({ status: 'inactive', rawStatus: 'suspended' });
  });

  it('catalog items: SKU is the product id, names are localized', () => {
    const item = {
      sku: 'MS-NCE-M365BP-P1Y-MONTHLY',
      name: [
        { culture: 'en', value: 'Business Premium' },
        { culture: 'fr-CA', value: 'Affaires Premium' },
      ],
      description: [{ culture: 'en', value: 'desc' }],
      billingCycle: 'monthly',
      commitmentTerm: 'Annual',
      microsoftSkuId: 'cbdc14ab',
    };
    expect(mapCatalogItem(item, ctx)).toMatchObject({
      id: item.sku,
      sku: item.sku,
      name: 'Business Premium',
      vendorSku: 'cbdc14ab',
      requiresCommitment: true,
      description: 'desc',
    });
    expect(mapCatalogItem(item, ctx, { language: 'fr, en;q=0.5' }).name).toBe('Affaires Premium');
    expect(mapCatalogItem({ ...item, commitmentTerm: null }, ctx).requiresCommitment).toBe(false);
    expect(localized('plain')).toBe('plain');
    expect(localized([{ culture: 'de', value: 'x' }], 'fr')).toBe('x');
  });
});

describe('Sherweb asynchronous request mappers', () => {
  it('accepts both tracking-id shapes', () => {
    expect(mapReceipt({ subscriptionsAmendmentId: 'a-1', trackingId: { requestTrackingId: 't-1' } }, ctx)).toEqual({
      trackingId: 't-1',
      amendmentId: 'a-1',
    });
    expect(mapReceipt({ requestTrackingId: 't-2' }, ctx)).toEqual({ trackingId: 't-2', amendmentId: null });
    expect(mapReceipt({ subscriptionsAmendmentId: 'a-3' }, ctx)).toEqual({ trackingId: null, amendmentId: 'a-3' });
  });

  it('maps tracking and amendment statuses', () => {
    expect(mapTrackedRequest({ status: 'Queued' }, 't', ctx).status).toBe('pending');
    expect(mapTrackedRequest({ status: 'Success' }, 't', ctx).status).toBe('succeeded');
    const partial = mapTrackedRequest(
      { status: 'PartialSuccess', details: [{ status: 'Failure', message: 'line 2 failed' }, { status: 'Success' }] },
      't',
      ctx,
    );
    expect(partial).toMatchObject({ status: 'partially-succeeded', message: 'line 2 failed' });
    expect(mapTrackedRequest({ status: 'Weird' }, 't', ctx)).toMatchObject({ status: 'pending', rawStatus: 'Weird' });
    expect(mapAmendmentStatus('Canceled', 'a', ctx).status).toBe('cancelled');
    expect(mapAmendmentStatus('Failure', 'a', ctx).status).toBe('failed');
    expect(() => mapAmendmentStatus({}, 'a', ctx)).toThrow(ResponseValidationError);
  });
});

function errorResponse(status: number, body: unknown, headers: Record<string, string> = {}, operation = 'setSeats') {
  return {
    request: { operation, method: 'POST', path: '/x' },
    status,
    headers: new Headers(headers),
    body,
    text: body === undefined ? '' : JSON.stringify(body),
    requestId: 'req-1',
    vendorRequestId: undefined,
  } satisfies ErrorResponse;
}
const id = (s: string) => s;

describe('Sherweb error mapper', () => {
  it('maps typed problems to kinds with hints', () => {
    const problem = (slug: string, status = 400, extra: Record<string, unknown> = {}) =>
      mapSherwebError(
        errorResponse(status, {
          type: `https://api.sherweb.com/service-provider/problems/${slug}`,
          title: slug,
          status,
          detail: `detail of ${slug}`,
          extensions: extra,
        }),
        id,
      );
    const commitment = problem('commitment-term-violation');
    expect(commitment).toMatchObject({ kind: 'business-rule', code: 'commitment-term-violation' });
    expect(commitment.hint).toMatch(/grace window/);
    const locked = problem('quantity-cannot-be-changed');
    expect(locked.kind).toBe('business-rule');
    const busy = problem('quantity-cannot-be-changed', 400, { requestTrackingId: 'trk-9' });
    expect(busy.hint).toMatch(/trk-9/);
    expect(sherwebProblemOf(busy)?.requestTrackingId).toBe('trk-9');
    expect(problem('customer-not-found', 404).kind).toBe('not-found');
    expect(problem('anything', 400, { code: 'CommitmentTermViolation' }).kind).toBe('business-rule');
    const validation = mapSherwebError(
      errorResponse(400, {
        title: 'One or more validation errors occurred.',
        extensions: { errors: { newQuantity: ['bad'] } },
      }),
      id,
    );
    expect(validation).toMatchObject({ kind: 'validation', issues: [{ path: 'newQuantity', message: 'bad' }] });
  });

  it('429: waits the detail text, or Retry-After when sent', () => {
    const body = { title: 'Too Many Requests', status: 429, detail: 'Rate limit is exceeded. Try again in 7 seconds.' };
    expect(mapSherwebError(errorResponse(429, body), id)).toMatchObject({ kind: 'rate-limit', retryAfterMs: 7000 });
    expect(mapSherwebError(errorResponse(429, body, { 'retry-after': '3' }), id).retryAfterMs).toBe(3000);
    expect(
      mapSherwebError(errorResponse(429, { statusCode: 429, message: 'Try again in 2 seconds.' }), id).retryAfterMs,
    ).toBe(2000);
    expect(sherwebRetryAfterFromText('no number')).toBeUndefined();
  });

  it('subscription key refusals say so', () => {
    const missing = mapSherwebError(
      errorResponse(401, { statusCode: 401, message: 'Access denied due to missing subscription key.' }),
      id,
    );
    expect(missing).toMatchObject({ kind: 'configuration' });
    expect(missing.hint).toMatch(/subscription key/i);
    const wrong = mapSherwebError(
      errorResponse(401, { statusCode: 401, message: 'Access denied due to invalid subscription key.' }),
      id,
    );
    expect(wrong).toMatchObject({ kind: 'authentication' });
    expect(wrong.hint).toMatch(/subscription key/i);
  });

  it('token errors: bad client, bad scope', () => {
    expect(mapSherwebError(errorResponse(400, { error: 'invalid_client' }, {}, 'token'), id).kind).toBe(
      'authentication',
    );
    expect(mapSherwebError(errorResponse(400, { error: 'invalid_scope' }, {}, 'token'), id).kind).toBe('configuration');
  });

  it('unknown bodies fall back on the status', () => {
    expect(mapSherwebError(errorResponse(503, { message: 'down' }), id).kind).toBe('server');
    expect(mapSherwebError(errorResponse(403, undefined), id).kind).toBe('permission');
  });
});
