/**
 * Ids that URL normalisation would turn into another resource (`.`, `..`, `%2e`), or that break out of their
 * path segment, are refused with ValidationError before any request, for every id kind (issue 14).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError, createMarketplaceClient } from '../../../src/index.js';
import { type LookAlike, json, lookAlike, unique } from './look-alike.js';

let api: LookAlike;

beforeAll(async () => {
  api = await lookAlike((q, res) => {
    if (q.path === '/v1/token' || q.path === '/token') {
      return json(res, 200, { access_token: 'tok', expires_in: 3600, token: 'tok', expiresInSeconds: 1500 });
    }
    return json(res, 200, { id: 'c-1', name: 'Echo' });
  });
});
afterAll(() => api.close());
afterEach(() => {
  api.seen.length = 0;
});

const fast = { rateLimit: false as const, retry: { retries: 0 } };
const pax8 = () =>
  createMarketplaceClient({
    provider: 'pax8',
    credentials: { clientId: 'pax8-id', clientSecret: `pax8-secret-${unique()}` },
    baseUrl: `${api.origin}/v1`,
    ...fast,
  });
const ingram = () =>
  createMarketplaceClient({
    provider: 'ingram',
    credentials: { username: 'x.API', password: `pw-${unique()}`, subscriptionKey: `key-${unique()}` },
    marketplace: 'us',
    baseUrl: api.origin,
    ...fast,
  });

const bad = [
  '.',
  '..',
  ' .. ',
  '%2e',
  '%2E%2e',
  'a/b',
  '../admin',
  'a?b=1',
  'a#b',
  'a\\b',
  'a\u0000b',
  'a\nb',
  'x'.repeat(257),
  '',
];

describe('bad ids are refused before the network', () => {
  it.each(bad.map((id) => [JSON.stringify(id).slice(0, 40), id]))(
    'getCustomer(%s): ValidationError, 0 requests',
    async (_label, id) => {
      for (const client of [pax8(), ingram()]) {
        const error = await client.getCustomer(id).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
      }
      expect(api.seen).toHaveLength(0);
    },
  );

  it.each([
    { customerId: 'c-1', subscriptionId: '..' },
    { customerId: '.', subscriptionId: 's-1' },
    { customerId: 'c-1', subscriptionId: 's\u0007' },
  ])('getSubscription(%j): ValidationError, 0 requests', async (ref) => {
    for (const client of [pax8(), ingram()]) {
      const error = await client.getSubscription(ref).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).toMatch(/^ref\./);
    }
    const setSeats = await pax8()
      .setSeats({ customerId: 'c-1', subscriptionId: '..' }, 3)
      .catch((e: unknown) => e);
    expect(setSeats).toBeInstanceOf(ValidationError);
    expect(api.seen).toHaveLength(0);
  });

  it('ordinary ids pass and are encoded into one path segment', async () => {
    await pax8().getCustomer('a b+c:d@e');
    expect(api.seen.map((s) => s.path)).toContain('/v1/companies/a%20b%2Bc%3Ad%40e');
  });
});
