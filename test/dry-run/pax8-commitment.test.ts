/**
 * Pax8 dry runs apply the product's commitment rules exactly as the real write meets them: a dry run never
 * answers OK for a decrease or cancellation Pax8 refuses. Against the Pax8 fake, and against a Pax8 look-alike
 * written here with plain node:http (from Pax8's Partner API spec: subscriptions, product dependencies, the
 * `{type, message, details}` error envelope) that refuses an annual decrease outside the window with 422.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultTokenCache } from '../../src/core/auth/token-provider.js';
import {
  BusinessRuleError,
  type MarketplaceClient,
  type SeatChangeResult,
  ValidationError,
  createMarketplaceClient,
} from '../../src/index.js';
import { PAX8_SEED_IDS, type Pax8Fake, createPax8Fake } from '../../src/testing/index.js';
import { useMswServer } from '../helpers/msw.js';

const DAY = 86_400_000;
const contoso = PAX8_SEED_IDS.contoso;
const annualRef = { customerId: contoso, subscriptionId: PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumAnnual };
const monthlyRef = { customerId: contoso, subscriptionId: PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly };

describe('Pax8 dry runs against the fake', () => {
  const server = useMswServer();
  let fake: Pax8Fake;
  let pax8: MarketplaceClient;

  beforeEach(() => {
    defaultTokenCache.clear();
    fake = createPax8Fake();
    server.use(...fake.handlers);
    pax8 = createMarketplaceClient({
      provider: 'pax8',
      credentials: { ...fake.credentials },
      baseUrl: fake.baseUrl,
      rateLimit: false,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
  });

  const writes = () => fake.requests.filter((r) => r.method === 'PUT' || r.method === 'DELETE');

  it('refuses the annual decrease outside the window like the real write, and sends nothing', async () => {
    const dry = await pax8.removeSeats(annualRef, 5, { dryRun: true }).catch((e: unknown) => e);
    expect(dry).toBeInstanceOf(BusinessRuleError);
    expect((dry as BusinessRuleError).message).toMatch(/would be refused/);
    expect((dry as BusinessRuleError).hint).toMatch(/within 7 days/);
    expect(writes()).toHaveLength(0);
    const real = await pax8.removeSeats(annualRef, 5).catch((e: unknown) => e);
    expect(real).toBeInstanceOf(BusinessRuleError);
    expect((real as BusinessRuleError).status).toBe(422);
  });

  it('refuses the early cancellation of the annual subscription like the real DELETE', async () => {
    const dry = await pax8.cancelSubscription(annualRef, { dryRun: true }).catch((e: unknown) => e);
    expect(dry).toBeInstanceOf(BusinessRuleError);
    expect((dry as BusinessRuleError).hint).toMatch(/effectiveDate/);
    expect(writes()).toHaveLength(0);
    const real = await pax8.cancelSubscription(annualRef).catch((e: unknown) => e);
    expect(real).toBeInstanceOf(BusinessRuleError);
    // Pax8's 422 to a cancellation gets the cancellation hint, not the seat-decrease one.
    expect((real as BusinessRuleError).hint).toMatch(/effectiveDate/);
    expect((real as BusinessRuleError).hint).not.toMatch(/Seats of a committed/);
  });

  it('accepts a cancellation at the commitment end, which leaves the subscription pending-cancel (still billed)', async () => {
    const before = await pax8.getSubscription(annualRef);
    const end = before.commitment!.endDate!;
    const dry = await pax8.cancelSubscription(annualRef, { dryRun: true, effectiveDate: end });
    expect(dry).toMatchObject({ outcome: 'dry-run', checkedBy: 'sdk' });
    expect(dry.rules!.join(' ')).toMatch(/at its end/);
    const real = await pax8.cancelSubscription(annualRef, { effectiveDate: end });
    expect(real.outcome).toBe('scheduled');
    const after = await pax8.getSubscription(annualRef);
    expect(after).toMatchObject({ status: 'pending-cancel', rawStatus: 'PendingCancel' });
  });

  it('says sdk-checked OK for a monthly decrease and for a decrease inside the window, and the real writes pass', async () => {
    const monthly = await pax8.removeSeats(monthlyRef, 1, { dryRun: true });
    expect(monthly).toMatchObject({ outcome: 'dry-run', checkedBy: 'sdk' });
    await expect(pax8.removeSeats(monthlyRef, 1)).resolves.toMatchObject({ outcome: 'applied' });

    const fresh = fake.addSubscription({
      companyId: contoso,
      productId: PAX8_SEED_IDS.products.businessPremium,
      quantity: 10,
      billingTerm: 'Annual',
      startDate: new Date(Date.now() - 2 * DAY),
      updatedDate: new Date(Date.now() - 2 * DAY),
    });
    const ref = { customerId: contoso, subscriptionId: fresh.id };
    const dry = await pax8.removeSeats(ref, 2, { dryRun: true });
    expect(dry).toMatchObject({ outcome: 'dry-run', checkedBy: 'sdk' });
    expect(dry.rules!.join(' ')).toMatch(/window is open until/);
    await expect(pax8.removeSeats(ref, 2)).resolves.toMatchObject({ outcome: 'applied', after: 8 });
  });

  it('refuses 0 seats before any request (Pax8 needs at least 1: cancel instead)', async () => {
    const before = fake.requests.length;
    await expect(pax8.setSeats(monthlyRef, 0, { dryRun: true })).rejects.toBeInstanceOf(ValidationError);
    expect(fake.requests.length).toBe(before);
  });

  it('never answers OK where the fake refuses: dry run and real decrease agree on every seeded subscription', async () => {
    const subs = await pax8.listSubscriptions({ status: 'active' }).toArray({ limit: 120 });
    let refused = 0;
    let allowed = 0;
    for (const s of subs.filter((x) => x.quantity > 1)) {
      const ref = { customerId: s.customerId, subscriptionId: s.id };
      const dry = await pax8.removeSeats(ref, 1, { dryRun: true }).then(
        (r: SeatChangeResult) => r,
        (e: unknown) => e,
      );
      const real = await pax8.removeSeats(ref, 1).then(
        (r) => r,
        (e: unknown) => e,
      );
      if (dry instanceof BusinessRuleError) {
        refused++;
        expect(real, `${s.id}: the dry run refused, the real write passed`).toBeInstanceOf(BusinessRuleError);
      } else if ((dry as SeatChangeResult).checkedBy === 'sdk') {
        allowed++;
        expect(real, `${s.id}: the dry run said OK (${(dry as SeatChangeResult).rules})`).not.toBeInstanceOf(Error);
      }
      // The listing knew it too: `constraints.canDecrease` is the dry run's answer whenever it is known.
      if (s.constraints.canDecrease === false) expect(dry).toBeInstanceOf(BusinessRuleError);
    }
    expect(refused).toBeGreaterThan(0);
    expect(allowed).toBeGreaterThan(0);
  });

  it('fills constraints of listed subscriptions from the product rules, one dependency look-up per product', async () => {
    const subs = await pax8.listSubscriptions({ customerId: contoso }).toArray({ limit: 100 });
    const annual = subs.find((s) => s.id === annualRef.subscriptionId)!;
    expect(annual.constraints).toMatchObject({ canDecrease: false, canCancel: false, canIncrease: true });
    const monthly = subs.find((s) => s.id === monthlyRef.subscriptionId)!;
    expect(monthly.commitment?.term).toBe('P1M');
    expect(monthly.constraints.canDecrease).toBe(true);
    await pax8.listSubscriptions({ customerId: contoso }).toArray({ limit: 100 });
    const lookups = fake.requests.filter((r) => r.path.endsWith('/dependencies'));
    const products = new Set(subs.map((s) => s.productId));
    expect(lookups.length).toBe(products.size);
  });
});

// ---- a Pax8 look-alike, deliberately unlike the fake ---------------------------------------------------------

const COMPANY = '4a5b6c7d-0000-4000-8000-0000000c0001';
const PRODUCT = '4a5b6c7d-0000-4000-8000-0000000b0001';
const SUB = '4a5b6c7d-0000-4000-8000-0000000a0001';
const COMMITMENT = '4a5b6c7d-0000-4000-8000-0000000d0002';

const vendor = { puts: 0, deletes: 0, dependencies: 'ok' as 'ok' | '404', dependencyCalls: 0, quantity: 80 };
let lookalike: Server;
let baseUrl: string;

/** Pax8's offset style without a colon (`-0700`), as in its spec examples. */
function pax8Date(ms: number): string {
  return new Date(ms - 7 * 3600_000).toISOString().replace('Z', '-0700');
}

function lookalikeSubscription() {
  const now = Date.now();
  return {
    id: SUB,
    companyId: COMPANY,
    productId: PRODUCT,
    productName: 'Microsoft 365 Business Premium',
    vendorSkuId: 'CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46',
    quantity: vendor.quantity,
    startDate: pax8Date(now - 200 * DAY),
    createdDate: new Date(now - 201 * DAY).toISOString().slice(0, 10),
    updatedDate: pax8Date(now - 90 * DAY),
    billingStart: new Date(now - 200 * DAY).toISOString().slice(0, 10),
    status: 'Active',
    price: 22,
    partnerCost: 18.7,
    currencyCode: 'USD',
    billingTerm: 'Monthly', // billed monthly, committed for a year
    commitmentTerm: { id: COMMITMENT, term: '1-Year', endDate: new Date(now + 165 * DAY).toISOString() },
  };
}

/** Writes a JSON answer; `true`: the request was answered. */
function json(res: ServerResponse, status: number, body?: unknown): true {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json;charset=UTF-8' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
  return true;
}

function refuse(res: ServerResponse, path: string, message: string): true {
  return json(res, 422, {
    type: 'UNPROCESSABLE_ENTITY',
    message: 'Invalid Subscription Update',
    instance: `/public/v1${path}`,
    status: 422,
    details: [{ message, status: 422 }],
  });
}

function handle(req: IncomingMessage, res: ServerResponse): true {
  const path = (req.url ?? '').split('?')[0]!.replace(/^\/v1/, '');
  if (req.method === 'POST' && path === '/token') {
    return json(res, 200, { access_token: 'lookalike-token', expires_in: 86400, token_type: 'Bearer' });
  }
  if (req.headers.authorization !== 'Bearer lookalike-token') return json(res, 401, { message: 'Unauthorized' });
  if (req.method === 'GET' && path === `/subscriptions/${SUB}`) return json(res, 200, lookalikeSubscription());
  if (req.method === 'GET' && path === `/products/${PRODUCT}/dependencies`) {
    vendor.dependencyCalls++;
    if (vendor.dependencies === '404') {
      return json(res, 404, { type: 'NOT_FOUND', message: `Product Not Found: ${PRODUCT}`, status: 404, details: [] });
    }
    const dep = (id: string, term: string) => ({
      id,
      term,
      autoRenew: true,
      renewalWindowDaysBeforeTermEnd: 30,
      renewalWindowDaysAfterTermEnd: 7,
      allowForQuantityIncrease: true,
      allowForQuantityDecrease: false,
      allowForEarlyCancellation: false,
      cancellationFeeApplied: true,
      isTransferable: false,
    });
    // Listed in an odd order, the subscription's own commitment last.
    return json(res, 200, {
      productDependencies: [],
      commitmentDependencies: [
        dep('4a5b6c7d-0000-4000-8000-0000000d0003', '3-Year'),
        dep('4a5b6c7d-0000-4000-8000-0000000d0001', 'Monthly'),
        dep(COMMITMENT, '1-Year'),
      ],
    });
  }
  if (req.method === 'PUT' && path === `/subscriptions/${SUB}`) {
    vendor.puts++;
    return refuse(res, path, 'Quantity decrease is not allowed outside the cancellation window');
  }
  if (req.method === 'DELETE' && path === `/subscriptions/${SUB}`) {
    vendor.deletes++;
    return refuse(res, path, 'Early cancellation is not allowed for this commitment');
  }
  return json(res, 404, { type: 'NOT_FOUND', message: `No route ${req.method} ${path}`, status: 404, details: [] });
}

describe('Pax8 dry runs against a look-alike that refuses an annual decrease outside the window', () => {
  beforeAll(async () => {
    lookalike = createServer(handle);
    await new Promise<void>((resolve) => lookalike.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(lookalike.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => lookalike.close(() => resolve()));
  });
  beforeEach(() => {
    defaultTokenCache.clear();
    Object.assign(vendor, { puts: 0, deletes: 0, dependencies: 'ok', dependencyCalls: 0, quantity: 80 });
  });

  const client = () =>
    createMarketplaceClient({
      provider: 'pax8',
      credentials: { clientId: 'lookalike-id', clientSecret: 'lookalike-secret' },
      baseUrl,
      rateLimit: false,
      retry: { baseDelayMs: 1, maxDelayMs: 5, retries: 0 },
    });
  const ref = { customerId: COMPANY, subscriptionId: SUB };

  it('the dry run refuses what the real write is refused (422), and nothing is sent', async () => {
    const pax8 = client();
    const listed = await pax8.getSubscription(ref);
    expect(listed.constraints.canDecrease).toBe(false);
    expect(listed.license).toEqual({
      microsoftProductId: null,
      microsoftSkuId: null,
      graphSkuId: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46',
    });
    const dry = await pax8.removeSeats(ref, 10, { dryRun: true }).catch((e: unknown) => e);
    expect(dry).toBeInstanceOf(BusinessRuleError);
    expect(vendor.puts).toBe(0);
    const real = await pax8.removeSeats(ref, 10).catch((e: unknown) => e);
    expect(real).toBeInstanceOf(BusinessRuleError);
    expect((real as BusinessRuleError).status).toBe(422);
    expect((real as BusinessRuleError).hint).toBe((dry as BusinessRuleError).hint);
    expect(vendor.puts).toBe(1);
  });

  it('the cancel dry run refuses what the real DELETE is refused, with the cancellation hint', async () => {
    const pax8 = client();
    const dry = await pax8.cancelSubscription(ref, { dryRun: true }).catch((e: unknown) => e);
    expect(dry).toBeInstanceOf(BusinessRuleError);
    expect(vendor.deletes).toBe(0);
    const real = await pax8.cancelSubscription(ref).catch((e: unknown) => e);
    expect(real).toBeInstanceOf(BusinessRuleError);
    expect((real as BusinessRuleError).hint).toMatch(/cancel/i);
    expect((real as BusinessRuleError).hint).not.toMatch(/Seats of a committed/);
  });

  it('without the product rules it does not claim a check: checkedBy nothing, never sdk OK', async () => {
    vendor.dependencies = '404';
    const pax8 = client();
    const dry = await pax8.removeSeats(ref, 10, { dryRun: true });
    expect(dry).toMatchObject({ outcome: 'dry-run', checkedBy: 'nothing' });
    expect(dry.rules!.join(' ')).toMatch(/could not be read/);
    expect(vendor.puts).toBe(0);
    // Pax8 not knowing the product is remembered: a second dry run asks nothing more about it.
    const calls = vendor.dependencyCalls;
    await pax8.removeSeats(ref, 10, { dryRun: true });
    expect(vendor.dependencyCalls).toBe(calls);
  });
});
