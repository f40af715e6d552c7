/** Read-only mode: every write of every provider refuses with ReadOnlyError before the network (the fake sees nothing). */
import { afterAll, describe, expect, it } from 'vitest';
import { type MarketplaceError, ReadOnlyError, UnsupportedOperationError } from '../../src/core/errors.js';
import type { MarketplaceClient } from '../../src/core/marketplace-client.js';
import { createMockMarketplace } from '../../src/testing/mock-marketplace.js';
import { directFetch } from './direct-fetch.js';
import { FigureBook } from './figures.js';
import { PROVIDERS, clientFor, fakeOf } from './providers.js';
import { SecretSentinel } from './secret-sentinel.js';

const book = new FigureBook('read-only');
const sentinel = new SecretSentinel();
const mock = createMockMarketplace();
let sent = 0;
const inner = sentinel.fetch(directFetch(mock.handlers));
const fetch: typeof globalThis.fetch = (input, init) => {
  sent++;
  return inner(input, init);
};

afterAll(() => {
  book.add('all', 'secretsChecked', sentinel.secrets);
  book.add('all', 'recorded', sentinel.recorded);
  book.add('all', 'secretsFound', sentinel.leaks().length);
  book.save();
});

type Ref = { customerId: string; subscriptionId: string; productId: string };
const WRITES: Array<[string, (c: MarketplaceClient, ref: Ref) => Promise<unknown>]> = [
  ['setSeats', (c, ref) => c.setSeats(ref, 5)],
  ['setSeats ifCurrent', (c, ref) => c.setSeats(ref, 5, { ifCurrent: 4 })],
  ['setSeats dryRun', (c, ref) => c.setSeats(ref, 5, { dryRun: true })],
  ['addSeats', (c, ref) => c.addSeats(ref, 1)],
  ['removeSeats', (c, ref) => c.removeSeats(ref, 1)],
  ['cancelSubscription', (c, ref) => c.cancelSubscription(ref)],
  ['cancelSubscription dated', (c, ref) => c.cancelSubscription(ref, { effectiveDate: '2030-01-01' })],
  ['cancelSubscription dryRun', (c, ref) => c.cancelSubscription(ref, { dryRun: true })],
  [
    'purchase',
    (c, ref) =>
      c.purchase({ customerId: ref.customerId, productId: ref.productId, quantity: 1, billingTerm: 'monthly' }),
  ],
  [
    'purchase dryRun',
    (c, ref) =>
      c.purchase({
        customerId: ref.customerId,
        productId: ref.productId,
        quantity: 2,
        billingTerm: 'annual',
        commitmentTerm: 'P1Y',
        dryRun: true,
      }),
  ],
];

describe('read-only clients', () => {
  for (const provider of PROVIDERS) {
    it(`${provider}: every write refuses before any request`, async () => {
      sentinel.credentials(mock.clientOptions(provider).credentials);
      const fake = fakeOf(mock, provider);
      // A real subscription (read by a separate, writable client), so provider id formats pass validation.
      const reader = clientFor(mock, provider, { fetch: inner });
      const [customer] = await reader.listCustomers().toArray({ limit: 1 });
      const [sub] = await reader.listSubscriptions({ customerId: customer!.id }).toArray({ limit: 1 });
      const ref = { customerId: sub!.customerId, subscriptionId: sub!.id, productId: sub!.productId ?? 'product-1' };
      const c = sentinel.watch(clientFor(mock, provider, { fetch, readOnly: true, logger: sentinel.logger() }));
      const seen = fake.requests.length;
      const sentBefore = sent;
      for (const [name, write] of WRITES) {
        const error = await write(c, ref).then(
          () => new Error(`${name} succeeded`),
          (e: unknown) => e,
        );
        sentinel.observe(`${provider} ${name}`, error);
        // An operation the vendor does not have (capabilities say false) refuses as unsupported, also before the network.
        const unsupported = name.startsWith('cancel') && !c.capabilities.cancelSubscription;
        expect(error, `${provider} ${name}`).toBeInstanceOf(unsupported ? UnsupportedOperationError : ReadOnlyError);
        expect((error as MarketplaceError).provider).toBe(provider);
      }
      const requests = fake.requests.length - seen + (sent - sentBefore);
      book.add(provider, 'readOnlyRequests', requests);
      expect(requests).toBe(0);
    });
  }

  it('the sentinel itself catches a secret in clear and in base64', () => {
    const probe = new SecretSentinel();
    probe.secret('planted-secret-value');
    probe.observe('clear', new Error('failed with planted-secret-value inside'));
    probe.observe('base64', { header: `Basic ${Buffer.from('planted-secret-value').toString('base64')}` });
    expect(probe.leaks().map((l) => l.form)).toEqual(['clear', 'base64']);
  });

  it('lets no secret out', () => {
    expect(sentinel.leaks()).toEqual([]);
  });
});
