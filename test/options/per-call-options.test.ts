/**
 * Per-call options (issue 19): `timeoutMs`, `retry`, `headers` and `onResponse` on a client call, through the public
 * API against a Pax8 look-alike written here on plain node:http (token endpoint, one subscription, a listing, and
 * answers the test steers: slow, failing, echoing credentials in headers).
 */
import { getEventListeners } from 'node:events';
import { type IncomingHttpHeaders, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TimeoutError, ValidationError } from '../../src/core/errors.js';
import type { ResponseInfo } from '../../src/core/call-context.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';

const CUSTOMER = '7d4f2c1e-0000-4000-8000-0000000000c1';
const SUB = '7d4f2c1e-0000-4000-8000-0000000000a1';
const SECRET = 'per-call-secret-6f1d2c';
const TOKEN = 'per-call-access-token-93ab77e1';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** How the look-alike answers the next subscription reads. */
let mode: 'ok' | 'slow' | 'fail' | 'echo' = 'ok';
const seen: Seen[] = [];
let server: Server;
let baseUrl = '';

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const subscription = {
  id: SUB,
  companyId: CUSTOMER,
  productId: null,
  productName: 'Microsoft 365 Business Basic',
  quantity: 3,
  status: 'Active',
  billingTerm: 'Monthly',
  startDate: '2026-01-01T00:00:00Z',
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    seen.push({ method: req.method ?? '', path, headers: req.headers });
    req.resume();
    req.on('end', () => {
      if (path === '/v1/token') return send(res, 200, { access_token: TOKEN, expires_in: 3600, token_type: 'Bearer' });
      if (path.startsWith('/v1/subscriptions?')) {
        const page = Number(new URL(path, 'http://x').searchParams.get('page') ?? 0);
        const item = { ...subscription, id: `${SUB.slice(0, -1)}${page + 2}` };
        return send(res, 200, { content: [item], page: { size: 1, totalElements: 2, totalPages: 2, number: page } });
      }
      if (path === `/v1/subscriptions/${SUB}`) {
        if (mode === 'slow') {
          const timer = setTimeout(() => send(res, 200, subscription), 400);
          res.on('close', () => clearTimeout(timer));
          return;
        }
        if (mode === 'fail') return send(res, 503, { message: 'try later' });
        if (mode === 'echo') {
          // A vendor (or a proxy) echoing credentials in response headers.
          return send(res, 200, subscription, {
            'set-cookie': `session=${TOKEN}`,
            'x-debug-auth': `Bearer ${TOKEN}`,
            'x-debug-secret': SECRET,
            'x-plain': 'kept',
          });
        }
        return send(res, 200, subscription);
      }
      send(res, 404, { message: 'no route' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  mode = 'ok';
  seen.length = 0;
});

function client() {
  return createPax8Client({
    credentials: { clientId: `per-call-${Math.random()}`, clientSecret: SECRET },
    baseUrl,
    retry: { retries: 4, baseDelayMs: 1, maxDelayMs: 2 },
    rateLimit: false,
    timeoutMs: 5_000,
  });
}

const ref = { customerId: CUSTOMER, subscriptionId: SUB };
const reads = () => seen.filter((s) => s.path === `/v1/subscriptions/${SUB}`);

describe('per-call options', () => {
  it('timeoutMs: a per-attempt timeout of this call only', async () => {
    const c = client();
    await c.getSubscription(ref); // token cached
    seen.length = 0;
    mode = 'slow';
    const error = await c.getSubscription(ref, { timeoutMs: 100, retry: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toContain('no response within 100 ms');
    // Sent once (retry: false); on a loaded machine it may not even have arrived within 100 ms.
    expect(reads().length).toBeLessThanOrEqual(1);
    // The client's own timeout (5 s) for a call without it: the slow answer arrives.
    await expect(c.getSubscription(ref)).resolves.toMatchObject({ id: SUB, quantity: 3 });
  });

  it('retry: honoured for reads ({ retries } and false)', async () => {
    const c = client();
    mode = 'fail';
    await expect(c.getSubscription(ref, { retry: { retries: 1 } })).rejects.toMatchObject({ status: 503 });
    expect(reads()).toHaveLength(2);
    seen.length = 0;
    await expect(c.getSubscription(ref, { retry: false })).rejects.toMatchObject({ status: 503 });
    expect(reads()).toHaveLength(1);
    seen.length = 0;
    // The client's setting otherwise: 1 + 4 retries.
    await expect(c.getSubscription(ref)).rejects.toMatchObject({ status: 503 });
    expect(reads()).toHaveLength(5);
  });

  it('retry: refused for a purchase before anything is sent (an order is never resent)', async () => {
    const c = client();
    const error = await c
      .purchase({
        customerId: CUSTOMER,
        productId: '7d4f2c1e-0000-4000-8000-0000000000b1',
        quantity: 1,
        billingTerm: 'monthly',
        retry: { retries: 2 },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/never sent twice/);
    expect(seen).toHaveLength(0);
  });

  it('headers: sent on every request of the call (listing pages too), never to the token endpoint', async () => {
    const c = client();
    await c.getSubscription(ref, { headers: { 'X-Trace-Id': 'trace-1' } });
    expect(reads()[0]!.headers['x-trace-id']).toBe('trace-1');
    expect(reads()[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen.find((s) => s.path === '/v1/token')!.headers['x-trace-id']).toBeUndefined();
    seen.length = 0;
    const items = await c
      .listSubscriptions({ customerId: CUSTOMER, headers: { 'x-trace-id': 'trace-2' } })
      .toArray({ limit: Number.POSITIVE_INFINITY });
    expect(items).toHaveLength(2);
    const pages = seen.filter((s) => s.path.startsWith('/v1/subscriptions?'));
    expect(pages).toHaveLength(2);
    for (const p of pages) expect(p.headers['x-trace-id']).toBe('trace-2');
    // A call without them sends none.
    seen.length = 0;
    await c.getSubscription(ref);
    expect(reads()[0]!.headers['x-trace-id']).toBeUndefined();
  });

  it('headers: overriding Authorization, credentials or hop-by-hop headers is refused before sending', async () => {
    const c = client();
    const refused: Record<string, string>[] = [
      { Authorization: 'Bearer someone-else' },
      { cookie: 'a=b' },
      { 'Ocp-Apim-Subscription-Key': 'k' },
      { Connection: 'close' },
      { 'Transfer-Encoding': 'chunked' },
      { 'bad header': 'x' },
    ];
    for (const headers of refused) {
      const error = await c.getSubscription(ref, { headers }).catch((e: unknown) => e);
      expect(error, JSON.stringify(headers)).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain(Object.keys(headers)[0]!);
      expect((error as Error).message).not.toContain('someone-else');
    }
    expect(seen).toHaveLength(0);
  });

  it('onResponse: status, scrubbed headers, ids, method, scrubbed URL and attempt of every response', async () => {
    const c = client();
    mode = 'echo';
    const infos: ResponseInfo[] = [];
    const sub = await c.getSubscription(ref, { onResponse: (i) => infos.push(i) });
    expect(sub.id).toBe(SUB);
    expect(infos).toHaveLength(1);
    const info = infos[0]!;
    expect(info).toMatchObject({ status: 200, method: 'GET', attempt: 1, operation: 'getSubscription' });
    expect(info.url).toBe(`${baseUrl}/subscriptions/${SUB}`);
    expect(info.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(info.headers['x-plain']).toBe('kept');
    expect(info.headers['set-cookie']).toBe('[REDACTED]');
    const all = JSON.stringify(info);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(SECRET);
    // Every attempt is reported, failures included.
    mode = 'fail';
    infos.length = 0;
    await c.getSubscription(ref, { retry: { retries: 1 }, onResponse: (i) => infos.push(i) }).catch(() => undefined);
    expect(infos.map((i) => [i.status, i.attempt])).toEqual([
      [503, 1],
      [503, 2],
    ]);
    expect(new Set(infos.map((i) => i.requestId)).size).toBe(1);
  });

  it("a call with per-call options still follows the caller's signal, and leaves no listener on it", async () => {
    const c = client();
    const kept = new AbortController();
    await c.getSubscription(ref, { signal: kept.signal, headers: { 'x-a': '1' } });
    await c.listSubscriptions({ customerId: CUSTOMER, signal: kept.signal, headers: { 'x-a': '1' } }).toArray({
      limit: Number.POSITIVE_INFINITY,
    });
    expect(getEventListeners(kept.signal, 'abort')).toHaveLength(0);
    // Aborting between two pages of a listing stops it.
    const abort = new AbortController();
    const pages = c
      .listSubscriptions({ customerId: CUSTOMER, signal: abort.signal, timeoutMs: 2_000 })
      .byPage()
      [Symbol.asyncIterator]();
    await pages.next();
    abort.abort(new Error('stop here'));
    await expect(pages.next()).rejects.toThrow('stop here');
    // And aborting a slow read.
    mode = 'slow';
    const slow = new AbortController();
    const pending = c.getSubscription(ref, { signal: slow.signal, timeoutMs: 5_000 });
    setTimeout(() => slow.abort(new Error('caller gave up')), 20);
    await expect(pending).rejects.toThrow('caller gave up');
  });

  it('checks the options themselves before sending', async () => {
    const c = client();
    await expect(c.getSubscription(ref, { timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
    await expect(c.getSubscription(ref, { retry: { retries: 1.5 } })).rejects.toThrow(/retry.retries/);
    await expect(c.getSubscription(ref, { onResponse: 'nope' as unknown as () => void })).rejects.toThrow(/onResponse/);
    expect(seen).toHaveLength(0);
  });
});
