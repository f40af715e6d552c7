/**
 * Chaos reads: every provider's fake answers 20% of reads with a fault (500, 503, connection reset, timeout,
 * 429 with and without Retry-After, a truncated body). Every call must end in the data a fault-free read
 * gives, or in a typed MarketplaceError once its retry budget is spent; every full listing that completes
 * must hold every item exactly once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MarketplaceError } from '../../src/core/errors.js';
import type { MarketplaceClient } from '../../src/core/marketplace-client.js';
import { createMockMarketplace } from '../../src/testing/mock-marketplace.js';
import { type FaultShare, addFaults, pool, readMatch } from './chaos-kit.js';
import { directFetch } from './direct-fetch.js';
import { FigureBook } from './figures.js';
import { FAST_RETRY, PROVIDERS, type Provider, clientFor, fakeOf } from './providers.js';
import { SecretSentinel } from './secret-sentinel.js';

/**
 * SDK calls per provider (a get or one page of a listing counts as one call): 1,000 in `npm test` to keep the
 * suite fast while iterating (`--mode quick` sets `RELIABILITY_QUICK=1`); `npm run test:full` and CI run the full
 * 10,000 (see docs/reliability.md).
 */
const CALLS = Number(process.env.RELIABILITY_CALLS ?? (process.env.RELIABILITY_QUICK === '1' ? 1_000 : 10_000));
const CONCURRENCY = 16;
/** The client's per-attempt timeout; a `timeout` fault holds the answer longer than that. */
const TIMEOUT_MS = 100;

/** 20% of reads fail, in these shares. */
const SHARES: FaultShare[] = [
  { kind: 'http-500', p: 0.03 },
  { kind: 'http-503', p: 0.03 },
  { kind: 'reset', p: 0.03 },
  { kind: 'timeout', p: 0.01, latencyMs: TIMEOUT_MS * 2 },
  { kind: 'http-429', p: 0.03 },
  { kind: 'http-429', p: 0.03, retryAfterSeconds: 0 },
  // Longer than the client's maxRetryAfterMs: the call fails at once with a RateLimitError (typed, by design).
  { kind: 'http-429', p: 0.01, retryAfterSeconds: 1 },
  { kind: 'truncated', p: 0.03 },
];

const book = new FigureBook('chaos');
const sentinel = new SecretSentinel();
const mock = createMockMarketplace({
  ingram: { faultSeed: 11 },
  pax8: { faultSeed: 12 },
  sherweb: { faultSeed: 13 },
  tdSynnex: { faultSeed: 14 },
  dandh: { faultSeed: 15 },
  partnerCenter: { faultSeed: 16, subscriptionPageSize: 2 },
});
const fetch = sentinel.fetch(directFetch(mock.handlers));
/** Small pages where the vendor lets the client choose, so listings span many pages. */
const PAGING: Partial<Record<Provider, Record<string, unknown>>> = {
  ingram: { pageSize: 5 },
  'td-synnex': { pageSize: 4 },
  'partner-center': { customerPageSize: 4 },
};

afterAll(() => {
  book.add('all', 'secretsChecked', sentinel.secrets);
  book.add('all', 'recorded', sentinel.recorded);
  book.add('all', 'secretsFound', sentinel.leaks().length);
  book.note(
    `Chaos reads: ${CALLS.toLocaleString('en-US')} calls per provider (a get or one listing page each), 20% of reads faulted ` +
      '(3% each 500, 503, reset, 429 without Retry-After, 429 Retry-After: 0, truncated body; 1% each timeout, 429 Retry-After: 1 s ' +
      `above maxRetryAfterMs), ${CONCURRENCY} calls in flight, 90% of calls with ${FAST_RETRY.retries} retries and 10% with 1.`,
  );
  book.save();
});

type Op = { kind: 'get'; key: string; run: (c: MarketplaceClient) => Promise<unknown> } | { kind: 'list'; key: string };

interface Baseline {
  items: Map<string, string>;
  listings: Map<
    string,
    { open: (c: MarketplaceClient) => AsyncIterable<{ items: Array<{ id: string }> }>; ids: string[] }
  >;
  gets: Op[];
}

const json = (v: unknown) => JSON.stringify(v);

/** Reads everything once without faults: what every chaos call must return. */
async function baseline(provider: Provider, c: MarketplaceClient): Promise<Baseline> {
  const items = new Map<string, string>();
  const listings: Baseline['listings'] = new Map();
  const gets: Op[] = [];
  const list = async (key: string, open: (c: MarketplaceClient) => AsyncIterable<{ items: Array<{ id: string }> }>) => {
    const ids: string[] = [];
    for await (const page of open(c)) {
      for (const item of page.items) {
        ids.push(item.id);
        items.set(`${key}#${item.id}`, json(item));
      }
    }
    listings.set(key, { open, ids });
    return ids;
  };
  const customers = await list('customers', (x) => x.listCustomers().byPage());
  for (const id of customers) {
    if (c.capabilities.getCustomer) {
      const key = `customer:${id}`;
      items.set(key, json(await c.getCustomer(id)));
      gets.push({ kind: 'get', key, run: (x) => x.getCustomer(id) });
    }
    const subs = await list(`subscriptions:${id}`, (x) => x.listSubscriptions({ customerId: id }).byPage());
    for (const sid of subs) {
      const ref = { customerId: id, subscriptionId: sid };
      const key = `subscription:${id}:${sid}`;
      items.set(key, json(await c.getSubscription(ref)));
      gets.push({ kind: 'get', key, run: (x) => x.getSubscription(ref) });
    }
  }
  if (c.capabilities.listAllSubscriptions) await list('subscriptions', (x) => x.listSubscriptions().byPage());
  const productOptions = provider === 'sherweb' ? ({ customerId: customers[0] } as never) : {};
  await list('products', (x) => x.listProducts(productOptions).byPage());
  return { items, listings, gets };
}

describe('chaos reads', () => {
  for (const provider of PROVIDERS) {
    it(`${provider}: every call ends in the right data or a typed error; listings lose and repeat nothing`, async () => {
      const fake = fakeOf(mock, provider);
      sentinel.credentials(mock.clientOptions(provider).credentials);
      const options = { fetch, timeoutMs: TIMEOUT_MS, logger: sentinel.logger(provider), ...PAGING[provider] };
      const c = sentinel.watch(clientFor(mock, provider, options));
      const tight = sentinel.watch(clientFor(mock, provider, { ...options, retry: { ...FAST_RETRY, retries: 1 } }));
      const base = await baseline(provider, c);
      let retries = 0;
      for (const x of [c, tight]) x.on('retry', () => retries++);

      const firedBefore = fake.faults.fired.length;
      const removeFaults = addFaults(fake.faults, readMatch(provider), SHARES);
      const untyped: unknown[] = [];
      const wrong: string[] = [];
      let calls = 0;
      let seed = 0x5eed + PROVIDERS.indexOf(provider);
      const random = () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed / 2 ** 32;
      };
      const listingKeys = [...base.listings.keys()];
      const failed = (error: unknown) => {
        sentinel.observe(`${provider} chaos error`, error);
        if (error instanceof MarketplaceError) book.add(provider, 'typedErrors');
        else untyped.push(error);
      };
      const started = performance.now();
      try {
        await pool(Number.MAX_SAFE_INTEGER, CONCURRENCY, async () => {
          if (calls >= CALLS) throw new StopPool();
          const client = random() < 0.1 ? tight : c;
          if (random() < 0.8) {
            const op = base.gets[Math.floor(random() * base.gets.length)]!;
            if (op.kind !== 'get') return;
            calls++;
            try {
              const got = await op.run(client);
              if (json(got) !== base.items.get(op.key)) wrong.push(op.key);
            } catch (error) {
              failed(error);
            }
            return;
          }
          const key = listingKeys[Math.floor(random() * listingKeys.length)]!;
          const listing = base.listings.get(key)!;
          const ids: string[] = [];
          try {
            for await (const page of listing.open(client)) {
              calls++;
              for (const item of page.items) {
                ids.push(item.id);
                if (json(item) !== base.items.get(`${key}#${item.id}`)) wrong.push(`${key}#${item.id}`);
              }
            }
          } catch (error) {
            calls++;
            failed(error);
            return;
          }
          book.add(provider, 'listings');
          const got = new Set(ids);
          book.add(provider, 'itemsDuplicated', ids.length - got.size);
          book.add(provider, 'itemsLost', listing.ids.filter((id) => !got.has(id)).length);
          if (ids.length !== listing.ids.length || ids.some((id, i) => id !== listing.ids[i])) {
            if (got.size === ids.length && ids.length === listing.ids.length) wrong.push(`${key} (order)`);
          }
        }).catch((e) => {
          if (!(e instanceof StopPool)) throw e;
        });
      } finally {
        removeFaults();
      }
      const faults = fake.faults.fired.length - firedBefore;
      book.add(provider, 'calls', calls);
      book.add(provider, 'faults', faults);
      book.add(provider, 'retries', retries);
      book.add(provider, 'untypedErrors', untyped.length);
      book.add(provider, 'wrongData', wrong.length);
      book.note(`${provider}: ${calls} chaos calls in ${Math.round(performance.now() - started)} ms.`);
      expect(untyped.slice(0, 3)).toEqual([]);
      expect(wrong.slice(0, 5)).toEqual([]);
      expect(book.get(provider, 'itemsLost')).toBe(0);
      expect(book.get(provider, 'itemsDuplicated')).toBe(0);
      expect(faults / calls).toBeGreaterThan(0.15);
      expect(book.get(provider, 'listings')).toBeGreaterThan(0);
    }, 600_000);
  }

  it('lets no secret out of any error, event, log line or inspected client', () => {
    expect(sentinel.secrets).toBeGreaterThan(6);
    expect(sentinel.leaks().slice(0, 3)).toEqual([]);
  });
});

class StopPool extends Error {}
