/**
 * The escape hatch `client.request(method, path, options)` (issue 19), through the public API against a Pax8
 * look-alike written here on plain node:http, plus a second server standing for another origin.
 */
import { type IncomingHttpHeaders, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MarketplaceError, ReadOnlyError, ValidationError } from '../../src/core/errors.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';

const SECRET = 'raw-request-secret-51c0de';
const TOKEN = 'raw-request-token-0e77a1b9';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function listen(
  handler: (s: Seen, res: ServerResponse) => void,
): Promise<{ server: Server; origin: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

let vendor: Awaited<ReturnType<typeof listen>>;
let other: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  vendor = await listen((s, res) => {
    if (s.path === '/v1/token') return send(res, 200, { access_token: TOKEN, expires_in: 3600 });
    if (s.path.startsWith('/v1/companies/c-1/contacts'))
      return send(res, 200, { content: [{ id: 'k1' }] }, { 'x-seen': 'yes' });
    if (s.path === '/v1/echo') {
      // A vendor error that echoes the credentials it was sent.
      return send(res, 400, { message: `bad request from ${s.headers.authorization} secret=${SECRET}` });
    }
    if (s.path === '/v1/flaky') return send(res, 503, { message: 'later' });
    send(res, 404, { message: 'no route' });
  });
  other = await listen((_s, res) => send(res, 200, { stolen: true }));
});

afterAll(async () => {
  for (const s of [vendor, other]) {
    s.server.closeAllConnections();
    await new Promise<void>((r) => s.server.close(() => r()));
  }
});

beforeEach(() => {
  vendor.seen.length = 0;
  other.seen.length = 0;
});

function client(readOnly = false) {
  return createPax8Client({
    credentials: { clientId: `raw-${Math.random()}`, clientSecret: SECRET },
    baseUrl: `${vendor.origin}/v1`,
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 },
    rateLimit: false,
    readOnly,
  });
}

describe('client.request', () => {
  it('sends with the client auth, fills path params, and returns status, scrubbed headers and data', async () => {
    const res = await client().request<{ content: { id: string }[] }>('GET', '/companies/{companyId}/contacts', {
      params: { companyId: 'c-1' },
      query: { page: 0, size: 10, skip: undefined },
      headers: { 'x-trace-id': 't-1' },
    });
    expect(res.status).toBe(200);
    expect(res.data.content[0]!.id).toBe('k1');
    expect(res.headers['x-seen']).toBe('yes');
    const api = vendor.seen.find((s) => s.path.startsWith('/v1/companies'))!;
    expect(api.path).toBe('/v1/companies/c-1/contacts?page=0&size=10');
    expect(api.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(api.headers['x-trace-id']).toBe('t-1');
  });

  it('refuses absolute URLs and other origins before anything is sent', async () => {
    const c = client();
    for (const path of [
      `${other.origin}/steal`,
      `//127.0.0.1:${new URL(other.origin).port}/steal`,
      'http:/x',
      'relative',
    ]) {
      await expect(c.request('GET', path), path).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(c.request('GET', '/companies/{id}', { params: { id: '..' } })).rejects.toThrow(/must not be/);
    await expect(c.request('GET', '/companies/{id}')).rejects.toThrow(/no value/);
    await expect(c.request('TRACE' as 'GET', '/companies')).rejects.toThrow(/method/);
    expect(other.seen).toHaveLength(0);
    expect(vendor.seen).toHaveLength(0);
  });

  it('scrubs secrets from errors', async () => {
    const error = await client()
      .request('POST', '/echo', { body: { a: 1 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MarketplaceError);
    expect((error as MarketplaceError).status).toBe(400);
    const text = `${inspect(error, { depth: 10 })} ${JSON.stringify(error)} ${(error as Error).stack}`;
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET);
    expect(vendor.seen.find((s) => s.path === '/v1/echo')!.body).toBe('{"a":1}');
  });

  it('retries GET like a read, never resends a POST after a 503, and a read-only client refuses writes', async () => {
    const c = client();
    await expect(c.request('GET', '/flaky')).rejects.toMatchObject({ status: 503 });
    expect(vendor.seen.filter((s) => s.path === '/v1/flaky')).toHaveLength(3);
    vendor.seen.length = 0;
    await expect(c.request('POST', '/flaky', { body: {} })).rejects.toMatchObject({ status: 503 });
    expect(vendor.seen.filter((s) => s.path === '/v1/flaky')).toHaveLength(1);
    vendor.seen.length = 0;
    await expect(client(true).request('DELETE', '/flaky')).rejects.toBeInstanceOf(ReadOnlyError);
    expect(vendor.seen).toHaveLength(0);
  });
});
