/**
 * Issue #17, mapper by mapper: a record the SDK cannot fully read is returned flagged (`problems` naming the
 * normalized field, `raw` kept), never thrown; a fully read record has no `problems` key; an unknown status is a
 * legitimate vendor value (`unknown` + rawStatus), not a problem. Pages and envelopes stay strict.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ItemReader, reportFlagged, unreadableForSeats } from '../../src/core/item-problems.js';
import { ResponseValidationError } from '../../src/core/errors.js';
import { mapLicenseDetail, mapSubscribedSku } from '../../src/graph/map.js';
import { CustomerSchema, ProductSchema, SubscriptionSchema, problemFields } from '../../src/model/index.js';
import * as dandh from '../../src/providers/dandh/map.js';
import * as ingram from '../../src/providers/ingram/map.js';
import * as partnerCenter from '../../src/providers/partner-center/map.js';
import * as pax8 from '../../src/providers/pax8/map.js';
import * as sherweb from '../../src/providers/sherweb/map.js';
import * as tdSynnex from '../../src/providers/td-synnex/map.js';

const ctx = (provider: string) => ({ provider, operation: 'listSubscriptions' });
const fields = (r: Parameters<typeof problemFields>[0]) => problemFields(r);

describe('ItemReader', () => {
  it('drops what does not fit, keeps the rest, and says what without the value', () => {
    const read = new ItemReader(ctx('x'));
    const s = read.parse(
      z.looseObject({ a: z.string().nullish(), b: z.number().nullish() }),
      { a: 'ok', b: 'secret-ish' },
      'thing',
    );
    expect(s).toMatchObject({ a: 'ok' });
    expect(s.b).toBeUndefined();
    expect(read.problems).toEqual([{ field: 'b', message: 'b expected number, received string' }]);
    expect(JSON.stringify(read.problems)).not.toMatch(/secret-ish/);
    expect(read.quantity('7', 'quantity')).toBe(7);
    expect(read.quantity(1.5, 'quantity')).toBe(0);
    expect(read.date('the thirtieth of February', 'startDate')).toBeNull();
    expect(read.finish({ id: 'x' }).problems?.map((p) => p.field)).toEqual(['b', 'quantity', 'startDate']);
    expect(new ItemReader(ctx('x')).finish({ id: 'x' })).toEqual({ id: 'x' });
  });

  it('one warning per flagged record, none for the readable ones', () => {
    const got: { code: string; message: string }[] = [];
    reportFlagged({ emit: (_n, e) => got.push(e) }, ctx('pax8'), [
      { id: 'a' },
      { id: 'b', problems: [{ field: 'quantity', message: 'quantity is not a seat count (negative)' }] },
      { id: '', problems: [{ field: 'id', message: 'id is missing' }] },
    ]);
    expect(got).toEqual([
      {
        provider: 'pax8',
        code: 'record-unreadable',
        message: 'listSubscriptions: subscription b could not be fully read (quantity); returned with problems and raw',
      },
      expect.objectContaining({ message: expect.stringMatching(/subscription \(without id\) .*\(id\)/) }),
    ]);
  });

  it('refuses seat changes only for an unreadable seat count or id', () => {
    expect(unreadableForSeats({ id: 's' }, 'pax8', 'setSeats')).toBeUndefined();
    expect(
      unreadableForSeats({ id: 's', problems: [{ field: 'endDate', message: 'x' }] }, 'pax8', 'setSeats'),
    ).toBeUndefined();
    const e = unreadableForSeats({ id: 's', problems: [{ field: 'quantity', message: 'm' }] }, 'pax8', 'addSeats');
    expect(e).toMatchObject({ kind: 'validation', code: 'RECORD_UNREADABLE', operation: 'addSeats' });
    expect(e?.issues).toEqual([{ path: 'quantity', message: 'm' }]);
  });

  it('the model accepts an empty id only on a record flagged on id', () => {
    const base = pax8.mapSubscription({ companyId: 'c', quantity: 1 }, ctx('pax8'));
    expect(SubscriptionSchema.safeParse(base).success).toBe(true);
    expect(SubscriptionSchema.safeParse({ ...base, problems: undefined }).success).toBe(false);
  });
});

describe('D&H', () => {
  const subscription = {
    AccountId: 501,
    ServiceName: 'MS-BP',
    CompanyAccountId: 100,
    Status: 'Active',
    AccountState: 'Active',
    Fields: [{ Name: 'Seats', Value: 'lots' }],
    PriceableItems: [{ IsUDRCField: true, FieldName: 'Seats', CommitementPeriodInMonths: 1.5 }],
    BillingStartDate: 'not a date',
  };
  it('a seat field that is not a count, a fractional commitment and a bad date are problems, not 0 seats', () => {
    const s = dandh.mapSubscription(subscription, ctx('dandh'));
    expect(fields(s).sort()).toEqual(['commitment', 'quantity', 'startDate']);
    expect(s).toMatchObject({ id: '501', quantity: 0, startDate: null, raw: subscription });
    // No quantity field at all is a service without seats (a tenant), not a problem.
    const tenant = dandh.mapSubscription(
      { ...subscription, Fields: [], PriceableItems: [], BillingStartDate: null },
      ctx('dandh'),
    );
    expect(tenant).not.toHaveProperty('problems');
  });
  it('a company or service without an id is flagged, an unknown status is not a problem', () => {
    expect(dandh.mapCompany({ CompanyName: 'X' }, ctx('dandh'))).toMatchObject({ id: '', problems: [{ field: 'id' }] });
    const unknown = dandh.mapCompany({ AccountId: 7, AccountState: 'Frozen' }, ctx('dandh'));
    expect(unknown).toMatchObject({ status: 'unknown', rawStatus: 'Frozen' });
    expect(unknown).not.toHaveProperty('problems');
    expect(dandh.mapService({ DisplayName: 'Y' }, ctx('dandh'))).toMatchObject({ id: '', problems: [{ field: 'id' }] });
    expect(dandh.mapSubscription(null, ctx('dandh')).problems?.map((p) => p.field)).toContain('(root)');
  });
});

describe('Partner Center', () => {
  const sub = {
    id: 'a1b2c3d4-0000-4000-8000-000000000001',
    offerId: 'CFQ7TTC0LCHC:0002:ABCD',
    quantity: '-1',
    status: 'active',
    termDuration: 'one year',
    billingCycle: 'monthly',
    commitmentEndDate: '2027-01-01T00:00:00Z',
  };
  it('flags quantity and an unknown term; keeps raw', () => {
    const s = partnerCenter.mapSubscription(sub, 'cust', ctx('partner-center'));
    expect(s.problems).toEqual([
      { field: 'commitment', message: 'termDuration is not an ISO 8601 term' },
      { field: 'quantity', message: 'quantity is not a seat count (negative (text))' },
    ]);
    expect(s.raw).toBe(sub);
  });
  it('a customer or product without an id is flagged', () => {
    expect(partnerCenter.mapCustomer({ companyProfile: {} }, ctx('partner-center'))).toMatchObject({
      id: '',
      tenantId: null,
      problems: [{ field: 'id' }],
    });
    const p = partnerCenter.mapProduct({ title: 'T' }, ctx('partner-center'));
    expect(fields(p)).toEqual(['id']);
    expect(ProductSchema.safeParse(p).success).toBe(true);
  });
});

describe('TD SYNNEX', () => {
  it('a subscription without ids, with a bad term and bad dates is flagged, not thrown', () => {
    const raw = {
      subscriptionTotalLicenses: '5',
      subscriptionStatus: 'whatever',
      subscriptionBillingTerm: 'forever',
      subscriptionEndDate: 'soon',
    };
    const s = tdSynnex.mapSubscription(raw, ctx('td-synnex'));
    expect(fields(s).sort()).toEqual(['commitment', 'customerId', 'endDate', 'id']);
    expect(s).toMatchObject({ quantity: 5, status: 'unknown', rawStatus: 'whatever' });
  });
  it('a catalog product whose SKU has no id, or a plan without id, is one flagged product', () => {
    const skus = tdSynnex.mapCatalogProduct(
      {
        name: 'accounts/1/products/P1',
        definition: { skus: [{ displayName: 'No id' }, { id: 'S2', plans: [{ displayName: 'x' }, { id: 'p1y' }] }] },
      },
      ctx('td-synnex'),
    );
    expect(skus.map((s) => s.product.id)).toEqual(['', 'P1/S2']);
    expect(fields(skus[0]!.product)).toEqual(['id']);
    expect(fields(skus[1]!.product)).toEqual(['offers']);
    expect(skus[1]!.plans.map((p) => p.id)).toEqual(['p1y']);
    const none = tdSynnex.mapCatalogProduct({ definition: null }, ctx('td-synnex'));
    expect(none.map((s) => fields(s.product))).toEqual([['id']]);
  });
  it('a customer without a name (its id) is flagged', () => {
    const c = tdSynnex.mapCustomer({ customerOrganization: 'Org' }, ctx('td-synnex'));
    expect(c).toMatchObject({ id: '', name: 'Org', problems: [{ field: 'id' }] });
    expect(CustomerSchema.safeParse(c).success).toBe(true);
  });
});

describe('Sherweb, Ingram and Pax8 odd values', () => {
  it('Sherweb: an unknown commitment type and an unreadable grace window are problems (constraints unknown)', () => {
    const s = sherweb.mapSubscription(
      {
        id: 'x',
        quantity: 3,
        commitmentTerm: { type: 'Annual', committedMinimalQuantities: [{ committedUntil: 'later', quantity: 1 }] },
      },
      ctx('sherweb'),
      { customerId: 'c' },
    );
    expect(fields(s)).toEqual(['constraints']);
    expect(s.constraints.canDecrease).toBeNull();
    const unknownTerm = sherweb.mapSubscription(
      { id: 'y', quantity: 3, commitmentTerm: { type: 'Decade' } },
      ctx('sherweb'),
      {
        customerId: 'c',
      },
    );
    expect(fields(unknownTerm)).toEqual(['commitment']);
    expect(fields(sherweb.mapCatalogItem({ name: 'n' }, ctx('sherweb')))).toEqual(['id']);
  });
  it('Ingram: a subscription period the SDK does not know is a commitment problem, not "no commitment"', () => {
    const s = ingram.mapSubscription(
      {
        id: 'S',
        customerId: 'C',
        subscriptionPeriod: { type: 'statement_day', duration: 1 },
        products: [{ quantity: 1 }],
      },
      ctx('ingram'),
    );
    expect(s.problems).toEqual([
      { field: 'commitment', message: 'subscriptionPeriod is not a commitment term the SDK knows' },
    ]);
    expect(fields(ingram.mapProduct({ name: 'no mpn' }, ctx('ingram')))).toEqual(['id']);
  });
  it('Pax8: an unknown status stays unknown (a vendor value, no problem); envelopes stay strict', () => {
    const s = pax8.mapSubscription({ id: 's', companyId: 'c', quantity: 1, status: 'Hibernating' }, ctx('pax8'));
    expect(s).toMatchObject({ status: 'unknown', rawStatus: 'Hibernating' });
    expect(s).not.toHaveProperty('problems');
    expect(() => pax8.mapPage({ content: 'nope' }, ctx('pax8'))).toThrow(ResponseValidationError);
    expect(fields(pax8.mapProduct({ name: 'n' }, ctx('pax8')))).toEqual(['id']);
  });
});

describe('Graph', () => {
  it('a license pool with unreadable counts is flagged on freeSeats; one without skuId on skuId', () => {
    const sku = mapSubscribedSku(
      { id: 't_sku', skuId: 'ABC', skuPartNumber: 'SPB', consumedUnits: 'n/a', prepaidUnits: { enabled: 5 } },
      ctx('graph'),
    );
    expect(fields(sku)).toEqual(['consumedUnits', 'freeSeats']);
    expect(fields(mapSubscribedSku({ id: 't', skuPartNumber: 'X', consumedUnits: 1 }, ctx('graph')))).toEqual([
      'skuId',
    ]);
    const ok = mapSubscribedSku({ id: 't', skuId: 'A', consumedUnits: 1, prepaidUnits: { enabled: 2 } }, ctx('graph'));
    expect(ok).not.toHaveProperty('problems');
    expect(fields(mapLicenseDetail({ id: 'd' }, ctx('graph')))).toEqual(['skuId']);
  });
});
