/**
 * Redirects never carry credentials to another origin (issue 14): token endpoints and API endpoints answer
 * 307/302 to a second look-alike, which must receive nothing; the call fails with RedirectRefusedError naming
 * the target host. Same origin: one hop is followed for a GET read, never for a write or a token request.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedirectRefusedError, createMarketplaceClient } from '../../../src/index.js';
import { type LookAlike, json, lookAlike, redirect, unique } from './look-alike.js';

let api: LookAlike;
let elsewhere: LookAlike;

beforeAll(async () => {
  api = await lookAlike();
  elsewhere = await lookAlike((_q, res) => json(res, 200, { access_token: 'stolen', expires_in: 3600 }));
});
afterAll(async () => {
  await api.close();
  await elsewhere.close();
});
afterEach(() => {
  api.seen.length = 0;
  elsewhere.seen.length = 0;
});

const fast = { rateLimit: false as const, retry: { baseDelayMs: 1, maxDelayMs: 2 }, timeoutMs: 2_000 };

function pax8() {
  return createMarketplaceClient({
    provider: 'pax8',
    credentials: { clientId: 'pax8-id', clientSecret: `pax8-secret-${unique()}` },
    baseUrl: `${api.origin}/v1`,
    ...fast,
  });
}

function ingram() {
  return createMarketplaceClient({
    provider: 'ingram',
    credentials: { username: 'x.API', password: `ingram-pw-${unique()}`, subscriptionKey: `ingram-key-${unique()}` },
    marketplace: 'us',
    baseUrl: api.origin,
    ...fast,
  });
}

function sherweb() {
  return createMarketplaceClient({
    provider: 'sherweb',
    credentials: { clientId: 'sw-id', clientSecret: `sw-secret-${unique()}`, subscriptionKey: `sw-key-${unique()}` },
    baseUrl: api.origin,
    tokenUrl: `${api.origin}/auth/token`,
    ...fast,
  });
}

async function refused(p: Promise<unknown>): Promise<RedirectRefusedError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RedirectRefusedError);
  return error as RedirectRefusedError;
}

describe('a redirect to another origin is refused and the other origin receives nothing', () => {
  it('Pax8 token endpoint answers 307 to another host: the client secret is not re-posted there', async () => {
    api.handler = (_q, res) => redirect(res, 307, `${elsewhere.origin}/collect?x=1`);
    const e = await refused(pax8().getCustomer('c-1'));
    expect(e).toMatchObject({ kind: 'configuration', operation: 'token', redirectStatus: 307, sameOrigin: false });
    expect(e.targetHost).toBe(elsewhere.host);
    expect(e.message).toContain(elsewhere.host);
    expect(e.message).not.toContain('collect');
    expect(api.seen).toHaveLength(1);
    expect(elsewhere.seen).toHaveLength(0);
  });

  it('Pax8 API call answers 302 to another host: the bearer token does not follow', async () => {
    api.handler = (q, res) => {
      if (q.path === '/v1/token') return json(res, 200, { access_token: 'tok-pax8', expires_in: 3600 });
      return redirect(res, 302, `${elsewhere.origin}/v1/companies/c-1`);
    };
    const e = await refused(pax8().getCustomer('c-1'));
    expect(e).toMatchObject({ operation: 'getCustomer', redirectStatus: 302, targetHost: elsewhere.host });
    expect(elsewhere.seen).toHaveLength(0);
    // Not retried: one token request and one API request.
    expect(api.seen.map((s) => s.path)).toEqual(['/v1/token', '/v1/companies/c-1']);
  });

  it('Ingram token endpoint answers 307: Basic credentials and X-Subscription-Key stay home', async () => {
    api.handler = (_q, res) => redirect(res, 307, `${elsewhere.origin}/token`);
    const e = await refused(ingram().getCustomer('c-1'));
    expect(e).toMatchObject({ operation: 'token', targetHost: elsewhere.host });
    expect(elsewhere.seen).toHaveLength(0);
  });

  it('Ingram API call answers 307: the subscription key and token do not follow', async () => {
    api.handler = (q, res) => {
      if (q.path === '/token') return json(res, 200, { token: 'tok-ingram', expiresInSeconds: 1500 });
      return redirect(res, 307, `${elsewhere.origin}${q.path}`);
    };
    const e = await refused(ingram().getCustomer('c-1'));
    expect(e).toMatchObject({ operation: 'getCustomer', targetHost: elsewhere.host });
    expect(elsewhere.seen).toHaveLength(0);
  });

  it('Sherweb token endpoint answers 302: the client secret stays home', async () => {
    api.handler = (_q, res) => redirect(res, 302, `${elsewhere.origin}/auth/token`);
    const e = await refused(sherweb().listCustomers().toArray({ limit: 1 }));
    expect(e).toMatchObject({ operation: 'token', targetHost: elsewhere.host });
    expect(elsewhere.seen).toHaveLength(0);
  });
});

describe('a redirect on the same origin', () => {
  it('is followed once for a GET read, with the same headers', async () => {
    api.handler = (q, res) => {
      if (q.path === '/v1/token') return json(res, 200, { access_token: 'tok-same', expires_in: 3600 });
      if (q.path === '/v1/companies/c-1') return redirect(res, 301, '/v1/companies/c-1/');
      return json(res, 200, { id: 'c-1', name: 'Moved Ltd' });
    };
    const customer = await pax8().getCustomer('c-1');
    expect(customer.name).toBe('Moved Ltd');
    const followed = api.seen.find((s) => s.path === '/v1/companies/c-1/');
    expect(followed?.headers.authorization).toBe('Bearer tok-same');
  });

  it('is refused for a second hop', async () => {
    api.handler = (q, res) => {
      if (q.path === '/v1/token') return json(res, 200, { access_token: 'tok-2hop', expires_in: 3600 });
      return redirect(res, 302, `${q.path}x`);
    };
    const e = await refused(pax8().getCustomer('c-1'));
    expect(e).toMatchObject({ sameOrigin: true, operation: 'getCustomer' });
    expect(api.seen.filter((s) => s.path.startsWith('/v1/companies'))).toHaveLength(2);
  });

  it('is refused for a token request', async () => {
    api.handler = (_q, res) => redirect(res, 307, '/v1/token2');
    const e = await refused(pax8().getCustomer('c-1'));
    expect(e).toMatchObject({ sameOrigin: true, operation: 'token' });
    expect(api.seen.map((s) => s.path)).toEqual(['/v1/token']);
  });
});
