import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../src/core/errors.js';
import { type Subscription, unknownConstraints } from '../../src/model/index.js';
import {
  DEFAULT_ADD_POLICY,
  DEFAULT_REMOVE_POLICY,
  NoEligibleSubscriptionError,
  type SelectionPolicy,
  fewestSeats,
  mostSeats,
  prefer,
  preferBillingTerm,
  preferDecreasableNow,
  preferIncreasableNow,
  preferProvider,
  selectSubscription,
  shortestCommitment,
  soonestRenewal,
} from '../../src/workflows/index.js';

function sub(
  id: string,
  over: Partial<Subscription> = {},
  constraints: Partial<Subscription['constraints']> = {},
): Subscription {
  return {
    provider: 'pax8',
    id,
    customerId: 'c1',
    productId: 'p1',
    sku: 'MST-MCB-PRE',
    name: 'Microsoft 365 Business Premium',
    status: 'active',
    rawStatus: 'Active',
    quantity: 10,
    billingTerm: 'annual',
    rawBillingTerm: 'Annual',
    commitment: { term: 'P1Y', endDate: '2026-12-01T00:00:00.000Z' },
    startDate: '2025-12-01T00:00:00.000Z',
    renewalDate: '2026-12-01T00:00:00.000Z',
    endDate: null,
    autoRenew: true,
    price: null,
    cost: null,
    constraints: { ...unknownConstraints(), ...constraints },
    raw: {},
    ...over,
  };
}

const annual80 = sub('annual', { quantity: 80 }, { canDecrease: false, canIncrease: true });
const monthly20 = sub(
  'monthly',
  {
    quantity: 20,
    billingTerm: 'monthly',
    commitment: { term: 'P1M', endDate: null },
    renewalDate: '2026-04-01T00:00:00.000Z',
  },
  { canDecrease: true, canIncrease: true },
);
const triennial5 = sub(
  'triennial',
  {
    quantity: 5,
    billingTerm: 'triennial',
    commitment: { term: 'P3Y', endDate: null },
    renewalDate: '2028-01-01T00:00:00.000Z',
  },
  { canDecrease: true, decreaseAllowedUntil: '2026-03-05T00:00:00.000Z' },
);
const cancelled = sub('cancelled', { status: 'cancelled', billingTerm: 'monthly' });

const policy = (name: string, over: Partial<SelectionPolicy>): SelectionPolicy => ({ name, ...over });

describe('selectSubscription', () => {
  it('DEFAULT_ADD_POLICY takes the monthly one of an 80/20 split and says why', () => {
    const r = selectSubscription([annual80, monthly20, cancelled], DEFAULT_ADD_POLICY);
    expect(r.subscription.id).toBe('monthly');
    expect(r.reason).toMatch(/commitment P1M preferred/);
    expect(r.reason).toMatch(/cancelled \(status is cancelled/);
    expect(r.policy).toBe('default-add');
  });

  it('DEFAULT_ADD_POLICY falls to the shortest commitment, then most seats, without a monthly one', () => {
    expect(selectSubscription([triennial5, annual80], DEFAULT_ADD_POLICY).subscription.id).toBe('annual');
    const a2 = sub('annual-2', { quantity: 90 });
    expect(selectSubscription([annual80, a2], DEFAULT_ADD_POLICY).subscription.id).toBe('annual-2');
  });

  it('DEFAULT_REMOVE_POLICY takes the one decreasable now and never one that cannot decrease', () => {
    expect(selectSubscription([annual80, triennial5, monthly20], DEFAULT_REMOVE_POLICY).subscription.id).toBe(
      'monthly',
    );
    expect(selectSubscription([annual80, triennial5], DEFAULT_REMOVE_POLICY).subscription.id).toBe('triennial');
    expect(() => selectSubscription([annual80], DEFAULT_REMOVE_POLICY)).toThrow(NoEligibleSubscriptionError);
  });

  it('preferBillingTerm honours the order of terms and is skipped when none matches', () => {
    const p = policy('terms', { prefer: [preferBillingTerm('triennial', 'annual')] });
    expect(selectSubscription([monthly20, annual80, triennial5], p).subscription.id).toBe('triennial');
    expect(selectSubscription([monthly20, annual80], p).subscription.id).toBe('annual');
    const none = policy('biennial', { prefer: [preferBillingTerm('biennial'), fewestSeats()] });
    expect(selectSubscription([annual80, monthly20], none).subscription.id).toBe('monthly');
    expect(() => preferBillingTerm('weekly' as 'monthly')).toThrow(ValidationError);
  });

  it('preferDecreasableNow / preferIncreasableNow', () => {
    const p = policy('dec', { prefer: [preferDecreasableNow()] });
    expect(selectSubscription([annual80, monthly20], p).subscription.id).toBe('monthly');
    const noInc = sub('noinc', {}, { canIncrease: false });
    const q = policy('inc', { prefer: [preferIncreasableNow()] });
    expect(selectSubscription([noInc, annual80], q).subscription.id).toBe('annual');
  });

  it('mostSeats / fewestSeats', () => {
    expect(selectSubscription([monthly20, annual80], policy('m', { prefer: [mostSeats()] })).reason).toMatch(
      /most seats \(80\)/,
    );
    expect(selectSubscription([annual80, monthly20], policy('f', { prefer: [fewestSeats()] })).subscription.id).toBe(
      'monthly',
    );
  });

  it('soonestRenewal puts unknown renewal dates last', () => {
    const unknownDate = sub('nodate', { renewalDate: null });
    const r = selectSubscription([unknownDate, annual80, monthly20], policy('s', { prefer: [soonestRenewal()] }));
    expect(r.subscription.id).toBe('monthly');
    expect(r.reason).toMatch(/renews soonest \(2026-04-01\)/);
  });

  it('shortestCommitment and preferProvider', () => {
    expect(
      selectSubscription([triennial5, monthly20], policy('c', { prefer: [shortestCommitment()] })).subscription.id,
    ).toBe('monthly');
    const sherweb = sub('sw', { provider: 'sherweb' });
    expect(
      selectSubscription([annual80, sherweb], policy('p', { prefer: [preferProvider('sherweb')] })).subscription.id,
    ).toBe('sw');
  });

  it('custom predicates as preference and as requirement', () => {
    const p = policy('custom', { prefer: [prefer((s) => s.id.startsWith('tri'), 'a triennial id')] });
    expect(selectSubscription([annual80, triennial5], p).reason).toMatch(/a triennial id/);
    const req = policy('req', { require: { predicates: [{ test: (s) => s.quantity > 50, description: 'large' }] } });
    expect(selectSubscription([monthly20, annual80], req).subscription.id).toBe('annual');
    try {
      selectSubscription([monthly20], req);
      expect.unreachable();
    } catch (error) {
      expect((error as NoEligibleSubscriptionError).rejected[0]?.reasons).toEqual(['not large']);
    }
  });

  it('ordered fallbacks: the first policy that qualifies anything decides', () => {
    const strict = policy('monthly-only', {
      require: { predicates: [{ test: (s) => s.billingTerm === 'monthly', description: 'monthly' }] },
      fallbacks: [policy('most-seats', { prefer: [mostSeats()] })],
    });
    expect(selectSubscription([annual80, monthly20], strict).subscription.id).toBe('monthly');
    const r = selectSubscription([annual80, triennial5], strict);
    expect(r.subscription.id).toBe('annual');
    expect(r.policy).toBe('most-seats');
    expect(r.reason).toMatch(/fell back from monthly-only/);
  });

  it('requirements: statuses, strict decreasable, minSeats', () => {
    const p = policy('strict', { require: { decreasable: 'strict', minSeats: 6 } });
    expect(() => selectSubscription([annual80, triennial5], p)).toThrow(
      /not known to be decreasable now|cannot be decreased/,
    );
    const any = policy('any-status', { require: { statuses: ['cancelled'] } });
    expect(selectSubscription([annual80, cancelled], any).subscription.id).toBe('cancelled');
  });

  it('is deterministic: ties go to the first listed', () => {
    const a = sub('a');
    const b = sub('b');
    const r = selectSubscription([a, b], DEFAULT_ADD_POLICY);
    expect(r.subscription.id).toBe('a');
    expect(r.reason).toMatch(/2 equally good/);
  });

  it('throws a ConflictError naming why each was rejected, or when there is nothing', () => {
    try {
      selectSubscription([cancelled], DEFAULT_ADD_POLICY);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toBeInstanceOf(NoEligibleSubscriptionError);
      expect((error as NoEligibleSubscriptionError).kind).toBe('conflict');
      expect((error as Error).message).toMatch(/pax8 cancelled, .*\): status is cancelled/);
    }
    expect(() => selectSubscription([], DEFAULT_ADD_POLICY)).toThrow(/no subscription of this license/);
  });

  it('refuses malformed policies with ValidationError', () => {
    expect(() => selectSubscription([annual80], {} as SelectionPolicy)).toThrow(ValidationError);
    expect(() => selectSubscription([annual80], policy('x', { require: { minSeats: -1 } }))).toThrow(ValidationError);
  });
});
