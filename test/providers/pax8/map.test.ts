import { describe, expect, it } from 'vitest';
import { ResponseValidationError } from '../../../src/core/errors.js';
import { mapCompany, mapPage, mapProduct, mapSubscription, pax8TermToIso } from '../../../src/providers/pax8/map.js';

const ctx = { provider: 'pax8', operation: 'test' };
const NOW = new Date('2026-06-15T00:00:00Z');

const wire = {
  id: 'sub-1',
  companyId: 'co-1',
  productId: 'prod-1',
  productName: 'Microsoft 365 Business Premium',
  vendorSkuId: 'cbdc14ab',
  quantity: 80,
  startDate: '2026-06-10T13:20:13.153-0700',
  endDate: null,
  status: 'Active',
  billingTerm: 'Annual',
  price: 22,
  partnerCost: 19.8,
  currencyCode: 'EUR',
  commitmentTerm: { id: 'c-1', term: '1-Year', endDate: '2027-06-10' },
};

describe('Pax8 mappers', () => {
  it('maps a committed subscription with lenient dates and money', () => {
    const s = mapSubscription(wire, ctx, { now: NOW });
    expect(s).toMatchObject({
      provider: 'pax8',
      id: 'sub-1',
      customerId: 'co-1',
      sku: 'cbdc14ab',
      status: 'active',
      billingTerm: 'annual',
      quantity: 80,
      commitment: { term: 'P1Y', endDate: '2027-06-10T00:00:00.000Z' },
      startDate: '2026-06-10T20:20:13.153Z',
      renewalDate: '2027-06-10T00:00:00.000Z',
      price: { amount: 22, currency: 'EUR' },
      cost: { amount: 19.8, currency: 'EUR' },
    });
    // Within 7 days of the start: decreases allowed until start + 7 days.
    expect(s.constraints.canDecrease).toBe(true);
    expect(s.constraints.decreaseAllowedUntil).toBe('2026-06-17T20:20:13.153Z');
    expect(s.raw).toBe(wire);
  });

  it('outside the window a committed decrease is unknown unless the product rules forbid it', () => {
    const later = new Date('2026-09-01T00:00:00Z');
    expect(mapSubscription(wire, ctx, { now: later }).constraints.canDecrease).toBeNull();
    const ruled = mapSubscription(wire, ctx, {
      now: later,
      rules: { allowForQuantityDecrease: false, autoRenew: true },
    });
    expect(ruled.constraints.canDecrease).toBe(false);
    expect(ruled.autoRenew).toBe(true);
  });

  it('maps every Pax8 status and billing term; unknown values become unknown and keep the raw value', () => {
    const statuses: Record<string, string> = {
      Active: 'active',
      Trial: 'active',
      PendingManual: 'pending',
      PendingAutomated: 'pending',
      WaitingForDetails: 'pending',
      PendingCancel: 'pending-cancel',
      Cancelled: 'cancelled',
      Converted: 'expired',
      Frozen: 'unknown',
    };
    for (const [raw, normalized] of Object.entries(statuses)) {
      const s = mapSubscription({ ...wire, status: raw }, ctx, { now: NOW });
      expect(s.status).toBe(normalized);
      expect(s.rawStatus).toBe(raw);
    }
    const terms: Record<string, string> = {
      Monthly: 'monthly',
      Annual: 'annual',
      '2-Year': 'biennial',
      '3-Year': 'triennial',
      'One-Time': 'one-time',
      Activation: 'one-time',
      Trial: 'trial',
      Weekly: 'unknown',
    };
    for (const [raw, normalized] of Object.entries(terms)) {
      const s = mapSubscription({ ...wire, billingTerm: raw }, ctx, { now: NOW });
      expect(s.billingTerm).toBe(normalized);
      expect(s.rawBillingTerm).toBe(raw);
    }
  });

  it('monthly without commitment: free to change', () => {
    const s = mapSubscription({ ...wire, billingTerm: 'Monthly', commitmentTerm: null, price: undefined }, ctx);
    expect(s.commitment).toBeNull();
    expect(s.price).toBeNull();
    expect(s.constraints).toMatchObject({ canIncrease: true, canDecrease: true, canCancel: true });
  });

  it('reads commitment term texts', () => {
    expect(pax8TermToIso('1-Year')).toBe('P1Y');
    expect(pax8TermToIso('3-Year')).toBe('P3Y');
    expect(pax8TermToIso('Monthly')).toBe('P1M');
    expect(pax8TermToIso('1 Month')).toBe('P1M');
    expect(pax8TermToIso('whenever')).toBeNull();
    expect(pax8TermToIso(undefined)).toBeNull();
  });

  it('returns a record it cannot fully read flagged with the field (issue #17), never throwing', () => {
    const bad = [
      [{ ...wire, quantity: 'many' }, 'quantity'],
      [{ ...wire, quantity: -3 }, 'quantity'],
      [{ ...wire, id: undefined }, 'id'],
      [{ ...wire, startDate: 'yesterday' }, 'startDate'],
      [null, '(root)'],
    ] as const;
    for (const [payload, field] of bad) {
      const s = mapSubscription(payload, ctx, { now: NOW });
      expect(s.problems?.map((p) => p.field)).toContain(field);
      expect(s.raw).toBe(payload);
    }
    expect(mapSubscription(wire, ctx, { now: NOW })).not.toHaveProperty('problems');
  });

  it('maps companies, products and page envelopes', () => {
    expect(
      mapCompany({ id: 'c', name: 'Co', status: 'Inactive', externalId: 'x', address: { country: 'US' } }, ctx),
    ).toMatchObject({ id: 'c', status: 'inactive', externalId: 'x', country: 'US' });
    expect(mapCompany({ id: 'c', name: 'Co', status: 'Weird' }, ctx)).toMatchObject({
      status: 'unknown',
      rawStatus: 'Weird',
    });
    expect(mapProduct({ id: 'p', name: 'P', sku: 'S', vendorSku: 'V', requiresCommitment: true }, ctx)).toMatchObject({
      sku: 'S',
      vendorSku: 'V',
      requiresCommitment: true,
    });
    const page = mapPage({ content: [], page: { size: '200', totalElements: 0, totalPages: 0, number: 0 } }, ctx);
    expect(page.page.size).toBe(200);
    expect(() => mapPage({ content: 'nope' }, ctx)).toThrow(ResponseValidationError);
  });
});
