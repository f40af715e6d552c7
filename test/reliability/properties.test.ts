/**
 * Property tests (fast-check): every public input validator accepts what is valid and refuses the rest with a
 * ValidationError (ConfigurationError where the API says so) before any request; every vendor payload mapper,
 * fed arbitrary and mutated vendor payloads, returns a model or throws a ResponseValidationError.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  MarketplaceError,
  ReadOnlyError,
  ResponseValidationError,
  ValidationError,
} from '../../src/core/errors.js';
import type { MarketplaceClient } from '../../src/core/marketplace-client.js';
import type { WireContext } from '../../src/core/wire.js';
import * as dandh from '../../src/providers/dandh/map.js';
import { resolveIngramEndpoint } from '../../src/providers/ingram/endpoint.js';
import * as ingram from '../../src/providers/ingram/map.js';
import * as pc from '../../src/providers/partner-center/map.js';
import * as pax8 from '../../src/providers/pax8/map.js';
import * as sherweb from '../../src/providers/sherweb/map.js';
import * as td from '../../src/providers/td-synnex/map.js';
import { createMockMarketplace } from '../../src/testing/mock-marketplace.js';
import { parseCompaniesCsv } from '../../src/workflows/companies-csv.js';
import { formatMarketplaceId, parseMarketplaceId, parseMarketplaceIds } from '../../src/workflows/marketplace-ids.js';
import { directFetch } from './direct-fetch.js';
import { FigureBook } from './figures.js';
import { PROVIDERS, type Provider, clientFor } from './providers.js';
import { SecretSentinel } from './secret-sentinel.js';

const RUNS = Number(process.env.RELIABILITY_RUNS ?? 300);
const book = new FigureBook('properties');
const sentinel = new SecretSentinel();
const mock = createMockMarketplace();
let requests = 0;
const inner = sentinel.fetch(directFetch(mock.handlers));
const fetch: typeof globalThis.fetch = (input, init) => {
  requests++;
  return inner(input, init);
};
const samples = new Map<Provider, unknown[]>();

afterAll(() => {
  book.add('all', 'secretsChecked', sentinel.secrets);
  book.add('all', 'recorded', sentinel.recorded);
  book.add('all', 'secretsFound', sentinel.leaks().length);
  book.note(
    `Properties: ${RUNS} fast-check runs per property; mappers fed arbitrary values and mutated vendor payloads.`,
  );
  book.save();
});

/** Runs a property and counts its runs. */
function check<T>(_name: string, arb: fc.Arbitrary<T>, predicate: (v: T) => Promise<void> | void, runs = RUNS) {
  return fc.assert(
    fc.asyncProperty(arb, async (v) => {
      book.add('all', 'propertyRuns');
      await predicate(v);
    }),
    { numRuns: runs, seed: 4242 },
  );
}

/** The error `fn` throws (undefined when it returns). */
async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (error) {
    sentinel.observe('validator', error);
    return error;
  }
}

const junk = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.constantFrom('', ' ', '\t\n', null, undefined, Number.NaN, Number.POSITIVE_INFINITY, -1, 1.5, 1e9, [], {}),
);

describe('input validators refuse before any request', () => {
  const clients = new Map<Provider, MarketplaceClient>();
  const readOnly = new Map<Provider, MarketplaceClient>();
  beforeAll(() => {
    for (const p of PROVIDERS) {
      sentinel.credentials(mock.clientOptions(p).credentials);
      clients.set(p, sentinel.watch(clientFor(mock, p, { fetch, retry: { retries: 0 } })));
      readOnly.set(p, sentinel.watch(clientFor(mock, p, { fetch, readOnly: true })));
    }
  });

  const validId = (v: unknown) => typeof v === 'string' && v.trim().length >= 1 && v.trim().length <= 512;
  const validSeats = (v: unknown, min: number) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= 1_000_000;

  it('ids: getCustomer and getSubscription', async () => {
    for (const p of PROVIDERS) {
      const c = clients.get(p)!;
      await check(
        `${p} ids`,
        fc.oneof(junk, fc.string({ minLength: 1, maxLength: 600 })),
        async (id) => {
          const before = requests;
          const e = await thrown(() => c.getCustomer(id as string));
          // A valid id may still be refused by a provider's own id format (a ValidationError) or by the vendor.
          if (validId(id)) expect(e === undefined || e instanceof MarketplaceError).toBe(true);
          else {
            expect(e).toBeInstanceOf(ValidationError);
            expect(requests).toBe(before);
          }
          const ref = { customerId: 'c-1', subscriptionId: id };
          const before2 = requests;
          const e2 = await thrown(() => c.getSubscription(ref as never));
          if (!validId(id)) {
            expect(e2).toBeInstanceOf(ValidationError);
            expect(requests).toBe(before2);
          }
        },
        60,
      );
    }
  });

  it('quantities: setSeats, addSeats, removeSeats', async () => {
    const ref = { customerId: 'c-1', subscriptionId: 's-1' };
    for (const p of PROVIDERS) {
      const c = readOnly.get(p)!;
      await check(
        `${p} quantities`,
        fc.oneof(junk, fc.integer(), fc.double()),
        async (q) => {
          const before = requests;
          for (const [fn, min] of [
            [() => c.setSeats(ref, q as number), 0],
            [() => c.addSeats(ref, q as number), 1],
            [() => c.removeSeats(ref, q as number), 1],
          ] as const) {
            const e = await thrown(fn);
            expect(e).toBeInstanceOf(validSeats(q, min) ? ReadOnlyError : ValidationError);
          }
          expect(requests).toBe(before);
        },
        60,
      );
    }
  });

  it('dates: cancelSubscription effectiveDate', async () => {
    const ref = { customerId: 'c-1', subscriptionId: 's-1' };
    const c = readOnly.get('pax8')!;
    const valid = fc.oneof(
      fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
    );
    await check('valid dates', valid, async (d) => {
      const before = requests;
      expect(await thrown(() => c.cancelSubscription(ref, { effectiveDate: d }))).toBeInstanceOf(ReadOnlyError);
      expect(requests).toBe(before);
    });
    const invalid = fc
      .oneof(
        junk.filter((v) => v !== undefined && !(v instanceof Date && !Number.isNaN(v.getTime()))),
        fc.constantFrom(
          '2024-02-30',
          '2024-13-01',
          '2024-1-1',
          '01/02/2024',
          '2024-01-01T10:00',
          'tomorrow',
          new Date(Number.NaN),
        ),
      )
      .filter(
        (v) =>
          typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(v),
      );
    await check('invalid dates', invalid, async (d) => {
      const before = requests;
      expect(await thrown(() => c.cancelSubscription(ref, { effectiveDate: d as string }))).toBeInstanceOf(
        ValidationError,
      );
      expect(requests).toBe(before);
    });
  });

  it('policies: retry, rateLimit and timeoutMs options refuse nonsense at construction', async () => {
    await check(
      'retry option',
      fc.record({ key: fc.constantFrom('retries', 'baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'), v: junk }),
      ({ key, v }) => {
        const ok = v === undefined || (typeof v === 'number' && v >= 0 && !Number.isNaN(v));
        const e = (() => {
          try {
            clientFor(mock, 'pax8', { fetch, retry: { [key]: v } });
          } catch (error) {
            return error;
          }
        })();
        if (ok) expect(e).toBeUndefined();
        else expect(e).toBeInstanceOf(ValidationError);
      },
    );
    await check('rateLimit/timeoutMs', fc.record({ requests: junk, perMs: junk, timeoutMs: junk }), (o) => {
      const okRate =
        Number.isFinite(o.requests) &&
        (o.requests as number) > 0 &&
        Number.isFinite(o.perMs) &&
        (o.perMs as number) > 0;
      const okTimeout = o.timeoutMs === undefined || (Number.isFinite(o.timeoutMs) && (o.timeoutMs as number) > 0);
      const before = requests;
      const e = (() => {
        try {
          clientFor(mock, 'pax8', {
            fetch,
            rateLimit: { requests: o.requests, perMs: o.perMs } as never,
            timeoutMs: o.timeoutMs as number,
          });
        } catch (error) {
          return error;
        }
      })();
      if (okRate && okTimeout) expect(e).toBeUndefined();
      else expect(e).toBeInstanceOf(ValidationError);
      expect(requests).toBe(before);
    });
    await check(
      'purchase input',
      fc.record({
        customerId: junk,
        productId: fc.oneof(junk, fc.constant('p-1')),
        quantity: fc.oneof(junk, fc.integer()),
        billingTerm: fc.oneof(junk, fc.constantFrom('monthly', 'annual')),
        commitmentTerm: fc.oneof(
          fc.constant(undefined),
          fc.constantFrom('P1M', 'P1Y', 'P3Y', 'P1D', '1Y', ''),
          fc.string(),
        ),
      }),
      async (input) => {
        const before = requests;
        const e = await thrown(() => readOnly.get('sherweb')!.purchase(input as never));
        expect(e instanceof ValidationError || e instanceof ReadOnlyError).toBe(true);
        expect(requests).toBe(before);
      },
    );
  });

  it('marketplace ids: parse what is valid, refuse the rest with ValidationError', async () => {
    const uuid = fc.uuid();
    const token = fc.stringMatching(/^[A-Za-z0-9._-]{1,40}$/);
    const valid = fc.oneof(
      uuid.map((u) => ({ text: `PAX8:${u}`, provider: 'pax8' })),
      uuid.map((u) => ({ text: `microsoft_partner_center:${u.toUpperCase()}`, provider: 'partner-center' })),
      token.map((t) => ({ text: `SHERWEB:${t}`, provider: 'sherweb' })),
      token.map((t) => ({ text: `d-and-h:${t}`, provider: 'dandh' })),
      token.map((t) => ({ text: `INGRAM_MICRO:${t}`, provider: 'ingram' })),
      token.map((t) => ({ text: ` TD_SYNNEX:${t} `, provider: 'td-synnex' })),
    );
    await check('valid ids', valid, ({ text, provider }) => {
      const id = parseMarketplaceId(text);
      expect(id.provider).toBe(provider);
      expect(parseMarketplaceId(formatMarketplaceId(id))).toEqual(id);
    });
    await check(
      'any text',
      fc.oneof(
        junk,
        fc.string(),
        fc.string().map((s) => `PAX8:${s}`),
        fc.string().map((s) => `SHERWEB:${s}`),
      ),
      async (text) => {
        const e = await thrown(() => parseMarketplaceId(text as string));
        if (e !== undefined) expect(e).toBeInstanceOf(ValidationError);
        const e2 = await thrown(() => parseMarketplaceIds(text as string));
        if (e2 !== undefined) expect(e2).toBeInstanceOf(ValidationError);
      },
    );
  });

  it('CSV rows: every row is a company or an error with its line; only a bad header throws', async () => {
    const cell = fc.oneof(
      fc.string(),
      fc.constantFrom('PAX8:7b1f2d34-5c6e-4f80-9a1b-2c3d4e5f6a7b', 'SHERWEB:abc;D_AND_H:12', '"q""uoted"', 'a,b', '\n'),
    );
    const rows = fc.array(fc.array(cell, { minLength: 0, maxLength: 4 }), { maxLength: 12 });
    await check('csv', rows, async (rs) => {
      const text = ['name,marketplace_ids,id', ...rs.map((r) => r.join(','))].join('\n');
      const e = await thrown(() => {
        const result = parseCompaniesCsv(text);
        for (const err of result.errors) expect(err.line).toBeGreaterThanOrEqual(1);
        for (const c of result.companies) expect(c.name.length).toBeGreaterThan(0);
      });
      expect(e).toBeUndefined();
    });
    await check('csv any text', fc.string(), async (text) => {
      const e = await thrown(() => parseCompaniesCsv(text));
      if (e !== undefined) expect(e).toBeInstanceOf(ValidationError);
    });
  });

  it('Ingram resolution input: an endpoint or a ConfigurationError', async () => {
    const part = fc.oneof(
      junk,
      fc.constantFrom(
        'na',
        'us',
        'eu',
        'uk',
        'oc',
        'xx',
        'https://api.cloud.im/marketplace/eu',
        'https://api.cloud.im/marketplace/us',
        'cp.nl.eu.cloud.im',
        'https://cp.us.na.cloud.im',
        'nl',
        'ca',
        'de',
      ),
    );
    await check(
      'ingram endpoint',
      fc.record({ region: part, baseUrl: part, controlPanelUrl: part, marketplace: part }, { requiredKeys: [] }),
      async (input) => {
        const e = await thrown(() => resolveIngramEndpoint(input as never));
        if (e !== undefined) expect(e).toBeInstanceOf(ConfigurationError);
      },
    );
    const e = await thrown(() => resolveIngramEndpoint(null as never));
    expect(e).toBeInstanceOf(ConfigurationError);
  });
});

describe('vendor payload mappers return a model or a ResponseValidationError', () => {
  const ctx = (provider: string): WireContext => ({ provider, operation: 'fuzz' });
  const now = new Date('2025-06-01T00:00:00Z');
  const MAPPERS: Record<Provider, Array<[string, (raw: unknown) => unknown]>> = {
    pax8: [
      ['mapPage', (r) => pax8.mapPage(r, ctx('pax8'))],
      ['mapCompany', (r) => pax8.mapCompany(r, ctx('pax8'))],
      ['mapProduct', (r) => pax8.mapProduct(r, ctx('pax8'))],
      ['mapSubscription', (r) => pax8.mapSubscription(r, ctx('pax8'), { now })],
    ],
    sherweb: [
      ['mapItems', (r) => sherweb.mapItems(r, 'items', ctx('sherweb'))],
      ['mapCustomer', (r) => sherweb.mapCustomer(r, ctx('sherweb'))],
      ['mapCatalog', (r) => sherweb.mapCatalog(r, ctx('sherweb'))],
      ['mapCatalogItem', (r) => sherweb.mapCatalogItem(r, ctx('sherweb'))],
      ['mapSubscription', (r) => sherweb.mapSubscription(r, ctx('sherweb'), { customerId: 'c', now })],
      ['mapReceipt', (r) => sherweb.mapReceipt(r, ctx('sherweb'))],
      ['mapTrackedRequest', (r) => sherweb.mapTrackedRequest(r, 't', ctx('sherweb'))],
      ['mapAmendmentStatus', (r) => sherweb.mapAmendmentStatus(r, 'a', ctx('sherweb'))],
    ],
    ingram: [
      ['mapPage', (r) => ingram.mapPage(r, ctx('ingram'))],
      ['mapCustomer', (r) => ingram.mapCustomer(r, ctx('ingram'))],
      ['mapProduct', (r) => ingram.mapProduct(r, ctx('ingram'))],
      ['mapSubscription', (r) => ingram.mapSubscription(r, ctx('ingram'), { now })],
      ['mapSubscriptionRow', (r) => ingram.mapSubscriptionRow(r, ctx('ingram'))],
      ['mapOrder', (r) => ingram.mapOrder(r, ctx('ingram'))],
      ['orderState', (r) => ingram.orderState(r, ctx('ingram'))],
    ],
    'td-synnex': [
      ['mapCustomer', (r) => td.mapCustomer(r, ctx('td-synnex'))],
      ['mapSubscription', (r) => td.mapSubscription(r, ctx('td-synnex'), now.getTime())],
      ['mapCatalogProduct', (r) => td.mapCatalogProduct(r, ctx('td-synnex'))],
      ['parseOrder', (r) => td.parseOrder(r, ctx('td-synnex'))],
      ['mapOrderState', (r) => td.mapOrderState(r, ctx('td-synnex'))],
    ],
    dandh: [
      ['mapCompany', (r) => dandh.mapCompany(r, ctx('dandh'))],
      ['mapService', (r) => dandh.mapService(r, ctx('dandh'))],
      ['mapSubscription', (r) => dandh.mapSubscription(r, ctx('dandh'), { now })],
      ['provisioningState', (r) => dandh.provisioningState(r, 'x')],
      ['quantityFieldOf', (r) => dandh.quantityFieldOf(r, ctx('dandh'))],
      ['dandhDateToIso', (r) => dandh.dandhDateToIso(r, 'field', ctx('dandh'))],
    ],
    'partner-center': [
      ['mapCollection', (r) => pc.mapCollection(r, ctx('partner-center'))],
      ['mapCustomer', (r) => pc.mapCustomer(r, ctx('partner-center'))],
      ['mapProduct', (r) => pc.mapProduct(r, ctx('partner-center'))],
      ['mapSubscription', (r) => pc.mapSubscription(r, 'c', ctx('partner-center'), { now })],
      ['mapProvisioning', (r) => pc.mapProvisioning(r, 'x', 3, ctx('partner-center'))],
      ['mapOrderState', (r) => pc.mapOrderState(r, ctx('partner-center'))],
      ['mapOrderLines', (r) => pc.mapOrderLines(r, ctx('partner-center'))],
    ],
  };

  beforeAll(async () => {
    // Real vendor payloads: every JSON body the fakes send for a full read of each provider, and the objects in them.
    for (const p of PROVIDERS) {
      const bodies: unknown[] = [];
      const recording: typeof globalThis.fetch = async (input, init) => {
        const res = await fetch(input, init);
        const text = await res.clone().text();
        try {
          bodies.push(JSON.parse(text));
        } catch {}
        return res;
      };
      const c = clientFor(mock, p, { fetch: recording });
      for await (const customer of c.listCustomers()) {
        for await (const s of c.listSubscriptions({ customerId: customer.id })) {
          await c.getSubscription({ customerId: s.customerId, subscriptionId: s.id });
          break;
        }
        if (bodies.length > 60) break;
      }
      const objects: unknown[] = [];
      const visit = (v: unknown, depth: number) => {
        if (depth > 4 || v === null || typeof v !== 'object') return;
        objects.push(v);
        for (const x of Object.values(v)) visit(x, depth + 1);
      };
      for (const b of bodies) visit(b, 0);
      samples.set(p, objects.slice(0, 400));
    }
  });

  /** A vendor payload with random fields deleted or replaced by arbitrary values. */
  const mutated = (pool: unknown[]) =>
    fc
      .tuple(
        fc.constantFrom(...pool),
        fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constant('__delete__'), fc.anything(), junk)), { maxLength: 4 }),
      )
      .map(([sample, edits]) => {
        const copy = structuredClone(sample) as Record<string, unknown>;
        for (const [n, value] of edits) {
          let target: unknown = copy;
          for (let d = 0; d < 3 && target && typeof target === 'object'; d++) {
            const keys = Object.keys(target);
            if (keys.length === 0) break;
            const key = keys[(n + d) % keys.length]!;
            const next = (target as Record<string, unknown>)[key];
            if (d === 2 || next === null || typeof next !== 'object' || (n >> d) % 2 === 0) {
              if (value === '__delete__') delete (target as Record<string, unknown>)[key];
              else (target as Record<string, unknown>)[key] = value;
              break;
            }
            target = next;
          }
        }
        return copy;
      });

  for (const p of PROVIDERS) {
    it(`${p}: arbitrary and mutated payloads never crash a mapper`, async () => {
      const crashes: string[] = [];
      const arb = fc.oneof(mutated(samples.get(p)!), fc.anything(), junk);
      await check(
        `${p} mappers`,
        arb,
        (raw) => {
          for (const [name, map] of MAPPERS[p]) {
            try {
              map(raw);
            } catch (error) {
              if (error instanceof ResponseValidationError) continue;
              book.add(p, 'mapperCrashes');
              crashes.push(
                `${name}: ${error instanceof MarketplaceError ? error.kind : ''} ${String(error)} <- ${JSON.stringify(raw)?.slice(0, 200)}`,
              );
            }
          }
        },
        RUNS * 3,
      );
      expect([...new Set(crashes)].slice(0, 5)).toEqual([]);
    });
  }
});

describe('secrets', () => {
  it('lets no secret out of validation errors', () => {
    expect(sentinel.leaks().slice(0, 3)).toEqual([]);
  });
});
