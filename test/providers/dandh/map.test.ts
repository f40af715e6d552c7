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
import { authenticateHeader, sessionTokenOf } from '../../../src/providers/dandh/auth.js';
import { mapDandhError, parseDandhFault, validationFailure } from '../../../src/providers/dandh/errors.js';
import {
  dandhDateToIso,
  mapCompany,
  mapService,
  mapSubscription,
  provisioningState,
  quantityFieldOf,
} from '../../../src/providers/dandh/map.js';
import { DANDH_SEED_IDS, DANDH_SERVICES, createDandhState, dandhFault } from '../../../src/testing/dandh/index.js';
import { seedDandh, seedDandhCatalog } from '../../../src/testing/dandh/seed.js';

const ctx = { provider: 'dandh', operation: 'test' };
const NOW = Date.parse('2025-03-10T12:00:00Z');

function seeded() {
  const state = createDandhState(100001);
  seedDandhCatalog(state);
  seedDandh(state, NOW);
  return state;
}

async function errorOf(res: Response, operation = 'getSubscription'): Promise<ErrorResponse> {
  const text = await res.text();
  return {
    request: { operation, method: 'POST', path: '/X' },
    status: res.status,
    headers: res.headers,
    body: undefined,
    text,
    requestId: 'req-1',
    vendorRequestId: undefined,
  };
}

const id = (s: string) => s;

describe('D&H faults', () => {
  it('parses the WCF XML fault', async () => {
    const text = await dandhFault('Session expired. Please log in again.', { sessionExpired: true }).text();
    expect(parseDandhFault(text)).toEqual({
      message: 'Session expired. Please log in again.',
      sessionExpired: true,
      code: 'Sender',
      issueToken: undefined,
    });
    expect(parseDandhFault('<html>oops</html>')).toBeUndefined();
    expect(parseDandhFault('', { Message: 'x', IsSessionExpired: true })?.sessionExpired).toBe(true);
    expect(parseDandhFault(await dandhFault('a < b & c').text())?.message).toBe('a < b & c');
  });

  it('maps faults to typed errors with hints', async () => {
    const map = async (msg: string, o: Parameters<typeof dandhFault>[1] = {}, op?: string) =>
      mapDandhError(await errorOf(dandhFault(msg, o), op), id);
    const expired = await map('Session expired.', { sessionExpired: true });
    expect(expired).toBeInstanceOf(AuthenticationError);
    expect(expired.code).toBe('SESSION_EXPIRED');
    const login = await map('Login failed. Please check your username and password.', {}, 'token');
    expect(login).toBeInstanceOf(AuthenticationError);
    expect(login.hint).toMatch(/username/);
    const mfa = await map('Login failed: users with enabled MFA are not supported.', {}, 'token');
    expect(mfa.code).toBe('MFA_NOT_SUPPORTED');
    expect(await map('No account found with AccountId 5.')).toBeInstanceOf(NotFoundError);
    expect(
      await map('The quantity of subscription 1 cannot be decreased after the cancellation period'),
    ).toBeInstanceOf(BusinessRuleError);
    expect(await map("The parameter 'accountId' is required.")).toBeInstanceOf(ValidationError);
    expect(await map('Account 5 is already terminated.')).toBeInstanceOf(ConflictError);
    expect(await map('Too many requests.', { status: 429 })).toBeInstanceOf(RateLimitError);
    const unknown = await map('Object reference not set to an instance of an object.');
    expect(unknown).toBeInstanceOf(ServerError);
    expect(unknown.retryable).toBe(true);
  });

  it('redacts the message', async () => {
    const e = mapDandhError(await errorOf(dandhFault('bad token ABC123SECRET')), (s) =>
      s.replace('ABC123SECRET', '[REDACTED]'),
    );
    expect(e.message).not.toContain('ABC123SECRET');
  });

  it('turns a FAILED validation into a typed error', () => {
    expect(
      validationFailure('setSeats', "Value of field 'Quantity' is invalid.", 'Quantity', undefined),
    ).toBeInstanceOf(ValidationError);
    expect(
      validationFailure('setSeats', 'cannot be decreased after the cancellation period', '', undefined),
    ).toBeInstanceOf(BusinessRuleError);
  });
});

describe('D&H session token', () => {
  it('strips JSON quotes and builds the header', () => {
    expect(sessionTokenOf('"C9C5Mlqr=="')).toBe('C9C5Mlqr==');
    expect(sessionTokenOf('C9C5Mlqr==')).toBe('C9C5Mlqr==');
    expect(sessionTokenOf('""')).toBeUndefined();
    expect(sessionTokenOf('<Fault/>')).toBeUndefined();
    expect(authenticateHeader('tok', 'prefixed')).toBe('CCPSessionId tok');
    expect(authenticateHeader('tok', 'bare')).toBe('tok');
  });
});

describe('D&H mappers', () => {
  it('reads the vendor date formats', () => {
    expect(dandhDateToIso('2017-01-03 11:22:33.456000', 'd', ctx)).toBe('2017-01-03T11:22:33.456Z');
    expect(dandhDateToIso('2017-01-03T11:22:33.456', 'd', ctx)).toBe('2017-01-03T11:22:33.456Z');
    expect(dandhDateToIso('/Date(1483442553456+0000)/', 'd', ctx)).toBe('2017-01-03T11:22:33.456Z');
    expect(dandhDateToIso('', 'd', ctx)).toBeNull();
    expect(dandhDateToIso('0001-01-01T00:00:00', 'd', ctx)).toBeNull();
    expect(dandhDateToIso('not a date', 'd', ctx)).toBeNull();
  });

  it('maps a company and a service', () => {
    const state = seeded();
    const c = mapCompany(state.accounts.get(DANDH_SEED_IDS.contoso), ctx);
    expect(c).toMatchObject({
      id: String(DANDH_SEED_IDS.contoso),
      name: 'Contoso Ltd',
      status: 'active',
      // D&H sends the country's name: the model has the ISO code, the vendor's text stays in rawCountry.
      country: 'US',
      rawCountry: 'United States',
    });
    const p = mapService(state.services.get(DANDH_SERVICES.e3Annual)!.info, ctx);
    expect(p).toMatchObject({
      id: DANDH_SERVICES.e3Annual,
      vendorSku: 'CFQ7TTC0LFLX:0001:P1Y:A',
      vendorName: 'Microsoft',
    });
  });

  it('finds the quantity field in an order form, never by a fixed name', () => {
    const state = seeded();
    const form = (name: string) => ({ Fields: state.services.get(name)!.fields });
    expect(quantityFieldOf(form(DANDH_SERVICES.businessPremiumAnnual), ctx)).toBe('Quantity');
    expect(quantityFieldOf(form(DANDH_SERVICES.exchangePlan1Legacy), ctx)).toBe('NumberofCSPlicenses');
    expect(quantityFieldOf(form(DANDH_SERVICES.tenant), ctx)).toBeNull();
    const two = {
      Fields: [
        { Name: 'Seats', Type: 'int', DisplayType: 'Mandatory' },
        { Name: 'Extra', Type: 'int', DisplayType: 'Optional' },
      ],
    };
    expect(quantityFieldOf(two, ctx)).toBeNull();
    expect(quantityFieldOf(two, ctx, 'Seats')).toBe('Seats');
  });

  it('maps subscriptions: quantity, terms, status, window', () => {
    const state = seeded();
    const now = new Date(NOW);
    const annual = mapSubscription(state.subscriptions.get(DANDH_SEED_IDS.contosoBusinessPremiumAnnual), ctx, { now });
    expect(annual).toMatchObject({
      quantity: 80,
      commitment: { term: 'P1Y' },
      billingTerm: 'monthly',
      status: 'active',
      autoRenew: true,
      customerId: String(DANDH_SEED_IDS.contoso),
    });
    expect(annual.constraints).toMatchObject({ canDecrease: false, canCancel: false });
    const monthly = mapSubscription(state.subscriptions.get(DANDH_SEED_IDS.contosoBusinessPremiumMonthly), ctx, {
      now,
    });
    expect(monthly.constraints.canDecrease).toBe(true);
    expect(monthly.constraints.decreaseAllowedUntil).toBe(new Date(NOW + 5 * 86_400_000).toISOString());
    const exchange = mapSubscription(state.subscriptions.get(DANDH_SEED_IDS.contosoExchange), ctx, { now });
    expect(exchange).toMatchObject({ quantity: 10, commitment: null });
    const tenant = mapSubscription(state.subscriptions.get(DANDH_SEED_IDS.contosoTenant), ctx, { now });
    expect(tenant.quantity).toBe(0);
    expect(tenant.constraints.canIncrease).toBe(false);
    const terminated = {
      ...state.subscriptions.get(DANDH_SEED_IDS.contosoExchange)!,
      AccountState: 'Terminated',
      Status: 'Terminated',
    };
    expect(mapSubscription(terminated, ctx, { now }).status).toBe('cancelled');
    const odd = { ...state.subscriptions.get(DANDH_SEED_IDS.contosoExchange)!, Status: 'Weird' };
    expect(mapSubscription(odd, ctx, { now })).toMatchObject({ status: 'unknown', rawStatus: 'Weird' });
  });

  it('uses the order-form field when no priceable item names one', () => {
    const state = seeded();
    const sub = { ...state.subscriptions.get(DANDH_SEED_IDS.contosoExchange)!, PriceableItems: [] };
    expect(mapSubscription(sub, ctx, { quantityField: 'NumberofCSPlicenses' }).quantity).toBe(10);
    expect(mapSubscription(sub, ctx).quantity).toBe(0);
  });

  it('reads provisioning states', () => {
    expect(provisioningState({ ProvisioningStatus: 'Pending' }, 'x').status).toBe('pending');
    expect(provisioningState({ ProvisioningStatus: 'Provisioned' }, 'x').status).toBe('succeeded');
    expect(provisioningState({ ProvisioningStatus: 'Failed', ErrorDetails: 'no MCA' }, 'x')).toMatchObject({
      status: 'failed',
      message: 'no MCA',
    });
    expect(
      provisioningState({ ProvisioningStatus: 'Busy' }, 'x', { pending: ['busy'], failed: [], decreaseWindowDays: 7 })
        .status,
    ).toBe('pending');
  });
});
